"""migrate-store: a whole store (plan, every revision, submissions with their files, accounts, reviews, evidence,
snapshots, locks) copied to another database — SQLite or PostgreSQL — row for row, ids kept, checked by counts and
checksums; a target holding data, or a source behind the newest migration, is refused untouched; a failed or
unverifiable copy leaves the target empty; a copy changed afterwards is caught by the verification."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import empty_store_url, require_backend, scratch_database, snapshot_store
from sqlalchemy import Engine, func, insert, inspect, select, text, update
from sqlalchemy.exc import OperationalError

import pipelines.store.migrate_store as migrate_module
from models.db import create_schema, head_revision, make_engine, writing
from models.schema import (
    Base,
    Evidence,
    Observation,
    PeriodLock,
    ReviewEvent,
    Submission,
    UploadAttempt,
    ValueNarrative,
)
from pipelines.cli import run
from pipelines.core.config import PLAN_DIR, SAMPLES_DIR
from pipelines.core.periods import parse_period
from pipelines.intake.build import build_store, load_samples
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.store.migrate_store import MigrationRefused, migrate_store, store_tables, verify_stores
from pipelines.store.plans import plan_from_store
from pipelines.store.snapshot import freeze
from pipelines.workflow.accounts import ensure_demo_accounts

pytestmark = pytest.mark.slow  # whole stores copied between databases

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, 678901)  # microseconds must survive both back ends
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\x00\x00"
NOTE = '含“引号”、逗号,换行\n和表情🚀'
NEXT_FILE = "\ufeff指标编码,指标名称,统计期,数值,备注\r\nA06,六大赛道企业数,2025Q3,248,迁移后修订\r\n".encode("utf-8")
TABLES = len(Base.metadata.tables)  # every table of the schema is copied (Alembic's own version table is not)


# ---- stores --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A SQLite store with everything a store can hold: the plan, every sample submission, demo accounts, a snapshot,
    a lock, a review decision, narratives, an evidence file, upload attempts with a gap in their ids, awkward text and
    floats. Shared by the module's tests: read only (a test that changes a source copies it first)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('source') / 'source.sqlite3'}")
    plan = build_store(engine, PLAN_DIR)
    assert isinstance(plan, PlanData), plan
    assert all(r.outcome != "rejected" for r in load_samples(engine, SAMPLES_DIR))
    assert ensure_demo_accounts(engine)
    period = parse_period("2024Q4")
    assert period is not None and freeze(engine, period, now=WHEN) is not None
    with writing(engine) as conn, conn.begin():
        conn.execute(update(Submission).where(Submission.id == 3).values(status="pending", submitter=None))
        conn.execute(insert(ReviewEvent).values(submission_id=2, action="returned", by="demo-admin", at=WHEN,
                                                comment=NOTE))
        conn.execute(insert(Evidence).values(submission_id=2, indicator_code="A06", file_name="证明材料.png",
                                             mime="image/png", content=PNG, sha256=hashlib.sha256(PNG).hexdigest()))
        conn.execute(insert(ValueNarrative).values(indicator_code="A06", period="2025Q3", submission_id=72,
                                                   progress="进展顺利", problems="", next_steps=NOTE))
        conn.execute(insert(PeriodLock).values(period="2024Q4", locked_by="demo-admin", locked_at=WHEN))
        for id_, department in ((7, "KW"), (41, None)):  # a gap in the ids: they are kept as they are
            conn.execute(insert(UploadAttempt).values(id=id_, at=WHEN, username="demo-kw", department=department,
                                                      file_name="上报.csv", sha256="0" * 64, size=123,
                                                      outcome="rejected", n_hard=2, n_soft=0, submission_id=None))
        conn.execute(update(Observation).where(Observation.indicator_code == "A02", Observation.period == "2023H1")
                     .values(value=0.1 + 0.2, note=NOTE))  # a float whose shortest text has 17 digits
    yield engine
    engine.dispose()


def sqlite_url(folder: Path, name: str = "target.sqlite3") -> str:
    return f"sqlite:///{folder / name}"


def copy_sqlite(engine: Engine, path: Path) -> Engine:
    """A copy of a SQLite store (WAL included) through SQLite's backup API."""
    with sqlite3.connect(engine.url.database) as original, sqlite3.connect(path) as copy:  # type: ignore[arg-type]
        original.backup(copy)
    return make_engine(f"sqlite:///{path}")


@pytest.fixture
def pg_target(tmp_path: Path) -> Iterator[Engine]:
    """This test process's own PostgreSQL database, emptied (no tables at all)."""
    require_backend("postgresql")
    engine = make_engine(empty_store_url(tmp_path, "postgresql"))
    yield engine
    engine.dispose()


@pytest.fixture
def second_pg_url() -> Iterator[str]:
    """A second database on the test server, for a PostgreSQL → PostgreSQL copy; dropped afterwards."""
    require_backend("postgresql")
    with scratch_database("_migrate") as url:
        yield url


def typed_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every store table as Python values (datetimes, booleans, bytes), sorted by primary key: what
    'equal' means across back ends, where SELECT * returns different raw types."""
    with engine.connect() as conn:
        out = {}
        for table in store_tables():
            key = [table.columns.keys().index(c.name) for c in table.primary_key.columns]
            rows = [tuple(row) for row in conn.execute(select(table))]
            out[table.name] = sorted(rows, key=lambda row: [row[i] for i in key])
        return out


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in store_tables()}


def files(engine: Engine) -> dict[int, bytes]:
    with engine.connect() as conn:
        return {id_: content for id_, content in conn.execute(select(Submission.id, Submission.content))}


def max_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {model.__tablename__: conn.execute(select(func.max(model.id))).scalar_one()
                for model in (Submission, Evidence, ReviewEvent, UploadAttempt)}


# ---- a copy equals its source ------------------------------------------------------------------------------------

def test_sqlite_to_sqlite_copies_every_row_and_verifies(source: Engine, tmp_path: Path) -> None:
    before = snapshot_store(source)
    target = make_engine(sqlite_url(tmp_path))

    report = migrate_store(source, target)

    assert report.ok and report.copied and report.failed == []
    assert [c.table for c in report.tables] == [t.name for t in store_tables()]
    assert all(c.rows == c.target_rows and c.checksum == c.target_checksum for c in report.tables)
    assert snapshot_store(target) == before  # alembic_version included: same revision on both sides
    assert snapshot_store(source) == before  # the source is only read
    assert files(target) == files(source)
    counts = {c.table: c.rows for c in report.tables}
    # 88 value files and 15 重点任务 reports of the 2023–2025 plan's samples
    assert counts["submission"] == 103 and counts["app_user"] >= 1 and counts["observation"] > 300
    assert all(counts[name] >= 1 for name in ("review_event", "evidence", "snapshot", "period_lock",
                                              "value_narrative", "upload_attempt", "plan_task", "task_report"))
    target.dispose()


def test_sqlite_to_postgresql_copies_every_row_file_and_checksum(source: Engine, pg_target: Engine,
                                                                 tmp_path: Path) -> None:
    on_sqlite = migrate_store(source, make_engine(sqlite_url(tmp_path)))

    report = migrate_store(source, pg_target)

    assert report.ok and report.copied
    assert typed_rows(pg_target) == typed_rows(source)
    assert files(pg_target) == files(source)
    with pg_target.connect() as conn:
        assert conn.execute(select(Evidence.content)).scalar_one() == PNG
        assert conn.execute(select(Observation.value).where(Observation.indicator_code == "A02",
                                                            Observation.period == "2023H1")).scalar_one() == 0.1 + 0.2
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
    # the checksums do not depend on the back end: the PostgreSQL copy sums as the SQLite copy does
    assert [(c.table, c.target_checksum) for c in report.tables] == [
        (c.table, c.target_checksum) for c in on_sqlite.tables]


def test_round_trip_sqlite_postgresql_sqlite_gives_back_the_same_store(source: Engine, pg_target: Engine,
                                                                      tmp_path: Path) -> None:
    assert migrate_store(source, pg_target).ok
    back = make_engine(sqlite_url(tmp_path, "back.sqlite3"))

    report = migrate_store(pg_target, back)

    assert report.ok and report.copied
    assert snapshot_store(back) == snapshot_store(source)  # byte for byte, raw SQLite values included
    back.dispose()


def test_postgresql_to_postgresql_copy(source: Engine, pg_target: Engine, second_pg_url: str) -> None:
    assert migrate_store(source, pg_target).ok
    second = make_engine(second_pg_url)

    report = migrate_store(pg_target, second)

    assert report.ok and report.copied
    assert typed_rows(second) == typed_rows(source)
    second.dispose()


def test_small_chunks_copy_the_same_rows_and_checksums(source: Engine, tmp_path: Path) -> None:
    target = make_engine(sqlite_url(tmp_path))

    report = migrate_store(source, target, chunk_rows=7)

    assert report.ok
    assert snapshot_store(target) == snapshot_store(source)
    assert [c.checksum for c in report.tables] == [c.checksum for c in verify_stores(source, target).tables]
    target.dispose()


def test_progress_is_reported_per_chunk(source: Engine, tmp_path: Path) -> None:
    seen: dict[str, int] = {}

    migrate_store(source, make_engine(sqlite_url(tmp_path)), chunk_rows=50,
                  progress=lambda table, rows: seen.__setitem__(table, seen.get(table, 0) + rows))

    assert seen == {name: n for name, n in row_counts(source).items() if n}


# ---- ids continue after the copy ---------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_after_migration_gets_the_next_ids(source: Engine, tmp_path: Path, backend: str) -> None:
    require_backend(backend)
    target = make_engine(sqlite_url(tmp_path) if backend == "sqlite" else empty_store_url(tmp_path, backend))
    assert migrate_store(source, target).ok
    top = max_ids(source)
    with target.connect() as conn:
        plan = plan_from_store(conn)
    assert plan is not None

    result = ingest_bytes(target, plan, IngestRequest("after.csv", NEXT_FILE))

    assert result.outcome == ACCEPTED and result.submission_id == top["submission"] + 1
    with writing(target) as conn, conn.begin():
        ids = {
            "evidence": conn.execute(insert(Evidence).values(
                submission_id=result.submission_id, indicator_code="A06", file_name="b.png", mime="image/png",
                content=PNG, sha256="x")).inserted_primary_key[0],
            "review_event": conn.execute(insert(ReviewEvent).values(
                submission_id=result.submission_id, action="approved", by="demo-admin", at=WHEN,
                comment="")).inserted_primary_key[0],
            "upload_attempt": conn.execute(insert(UploadAttempt).values(
                at=WHEN, username="demo-kw", department="KW", file_name="after.csv", sha256="y", size=1,
                outcome="accepted", n_hard=0, n_soft=0, submission_id=result.submission_id)).inserted_primary_key[0],
        }
    assert ids == {name: top[name] + 1 for name in ids}
    assert top["upload_attempt"] == 41  # the gap's largest id, not the number of rows
    target.dispose()


# ---- refusals change nothing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_target_holding_data_is_refused_and_left_unchanged(source: Engine, tmp_path: Path, backend: str) -> None:
    require_backend(backend)
    target = make_engine(sqlite_url(tmp_path) if backend == "sqlite" else empty_store_url(tmp_path, backend))
    assert migrate_store(source, target).ok
    with writing(target) as conn, conn.begin():
        conn.execute(text("DELETE FROM upload_attempt WHERE id = 7"))  # now different from the source
    before = snapshot_store(target)

    with pytest.raises(MigrationRefused) as refused:
        migrate_store(source, target)

    assert refused.value.key == "cli.migrate-target-not-empty"
    assert "已有数据" in refused.value.message("zh") and "observation" in refused.value.message("zh")
    assert snapshot_store(target) == before
    target.dispose()


def test_a_database_with_any_table_holding_rows_is_refused_before_any_table_is_made(source: Engine,
                                                                                     tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('别人的数据')")
    target = make_engine(f"sqlite:///{path}")

    with pytest.raises(MigrationRefused) as refused:
        migrate_store(source, target)

    assert "notes" in refused.value.message("zh")
    assert inspect(target).get_table_names() == ["notes"]  # no schema was created either
    target.dispose()


def test_an_empty_target_that_already_has_the_schema_is_accepted(source: Engine, tmp_path: Path) -> None:
    target = make_engine(sqlite_url(tmp_path))
    create_schema(target)

    assert migrate_store(source, target).ok
    target.dispose()


def test_a_source_behind_the_newest_migration_is_refused_and_not_upgraded(source: Engine, tmp_path: Path) -> None:
    old = copy_sqlite(source, tmp_path / "old.sqlite3")
    with old.connect() as conn, conn.begin():
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    before = snapshot_store(old)
    target_path = tmp_path / "target.sqlite3"

    with pytest.raises(MigrationRefused) as refused:
        migrate_store(old, make_engine(f"sqlite:///{target_path}"))

    message = refused.value.message("zh")
    assert refused.value.key == "cli.migrate-source-behind"
    assert "0001" in message and head_revision() in message and "users list" in message
    assert snapshot_store(old) == before  # not upgraded
    assert not target_path.exists()  # the target was not even opened
    old.dispose()


def test_a_source_made_by_a_newer_program_is_refused(source: Engine, tmp_path: Path) -> None:
    newer = copy_sqlite(source, tmp_path / "newer.sqlite3")
    with newer.connect() as conn, conn.begin():
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))

    with pytest.raises(MigrationRefused) as refused:
        migrate_store(newer, make_engine(sqlite_url(tmp_path)))

    assert refused.value.key == "cli.migrate-source-newer" and "较新版本" in refused.value.message("zh")
    newer.dispose()


def test_a_database_without_tables_is_not_a_source(tmp_path: Path) -> None:
    empty = make_engine(sqlite_url(tmp_path, "empty.sqlite3"))

    with pytest.raises(MigrationRefused) as refused:
        migrate_store(empty, make_engine(sqlite_url(tmp_path)))

    assert refused.value.key == "cli.migrate-source-not-store"
    empty.dispose()


def test_copying_a_store_onto_itself_is_refused(source: Engine) -> None:
    with pytest.raises(MigrationRefused) as refused:
        migrate_store(source, make_engine(str(source.url)))

    assert refused.value.key == "cli.migrate-same-store"


# ---- failures leave the target empty; verification catches a changed copy -----------------------------------------

def test_a_copy_changed_afterwards_fails_verification_naming_the_tables(source: Engine, tmp_path: Path) -> None:
    target = make_engine(sqlite_url(tmp_path))
    assert migrate_store(source, target).ok
    assert verify_stores(source, target).ok

    with writing(target) as conn, conn.begin():
        conn.execute(update(Observation).where(Observation.indicator_code == "A06", Observation.period == "2025Q3")
                     .values(value=Observation.value + 1e-9))
        content = conn.execute(select(Submission.content).where(Submission.id == 5)).scalar_one()
        conn.execute(update(Submission).where(Submission.id == 5).values(content=content + b" "))

    report = verify_stores(source, target)

    assert not report.ok and not report.copied
    assert report.failed == ["submission", "observation"]
    changed = {c.table: c for c in report.tables if not c.ok}
    assert changed["observation"].rows == changed["observation"].target_rows  # same count, different content
    target.dispose()


def test_a_missing_row_is_caught_by_the_count(source: Engine, tmp_path: Path) -> None:
    target = make_engine(sqlite_url(tmp_path))
    assert migrate_store(source, target).ok
    with writing(target) as conn, conn.begin():
        conn.execute(text("DELETE FROM upload_attempt WHERE id = 41"))

    report = verify_stores(source, target)

    assert report.failed == ["upload_attempt"]
    check = next(c for c in report.tables if c.table == "upload_attempt")
    assert (check.rows, check.target_rows) == (2, 1)
    target.dispose()


def tamper_with_observations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the copy write one wrong value, as a faulty driver would."""
    original = migrate_module._insert_rows

    def tampering(conn, table, rows, progress):  # type: ignore[no-untyped-def]
        if table.name == "observation":
            first = rows[0]._asdict()
            first["value"] = first["value"] + 1
            conn.execute(insert(table), [first])
            rows = rows[1:]
        original(conn, table, rows, progress)

    monkeypatch.setattr(migrate_module, "_insert_rows", tampering)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_copy_that_does_not_verify_is_rolled_back(source: Engine, tmp_path: Path, backend: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend(backend)
    target = make_engine(sqlite_url(tmp_path) if backend == "sqlite" else empty_store_url(tmp_path, backend))
    tamper_with_observations(monkeypatch)

    report = migrate_store(source, target)

    assert not report.ok and not report.copied and report.failed == ["observation"]
    assert set(row_counts(target).values()) == {0}  # the schema is there, the data is not
    monkeypatch.undo()
    assert migrate_store(source, target).ok  # so the copy can simply be run again
    target.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_error_half_way_leaves_the_target_empty(source: Engine, tmp_path: Path, backend: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend(backend)
    target = make_engine(sqlite_url(tmp_path) if backend == "sqlite" else empty_store_url(tmp_path, backend))
    original = migrate_module._insert_rows

    def failing(conn, table, rows, progress):  # type: ignore[no-untyped-def]
        if table.name == "observation":
            raise OperationalError("INSERT", {}, Exception("disk full"))
        original(conn, table, rows, progress)

    monkeypatch.setattr(migrate_module, "_insert_rows", failing)

    with pytest.raises(OperationalError):
        migrate_store(source, target)

    assert set(row_counts(target).values()) == {0}  # submissions etc. were inserted before, and rolled back
    target.dispose()


# ---- the command line ------------------------------------------------------------------------------------------

def test_cli_copies_and_prints_a_chinese_table(source: Engine, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["migrate-store", "--from", str(source.url), "--to", sqlite_url(tmp_path)])

    out = capsys.readouterr().out
    assert code == 0
    assert "数据表" in out and "源行数" in out and "目标行数" in out and "核对结果" in out
    assert any(line.startswith("submission") and line.rstrip().endswith("✔ 一致") and " 103 " in line
               for line in out.splitlines())
    assert f"✔ 已复制并核对{TABLES}张表" in out and "全部一致" in out


def test_cli_json_is_one_parseable_document(source: Engine, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["migrate-store", "--json", "--from", str(source.url), "--to", sqlite_url(tmp_path)])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["ok"] is True and report["copied"] is True and report["failed"] == []
    assert {t["table"]: t["rows"] for t in report["tables"]}["submission"] == 103
    assert all(t["checksum"] == t["target_checksum"] and len(t["checksum"]) == 64 for t in report["tables"])


def test_cli_verify_only_compares_without_copying(source: Engine, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    target = sqlite_url(tmp_path)
    assert run(["migrate-store", "--from", str(source.url), "--to", target]) == 0
    capsys.readouterr()

    assert run(["migrate-store", "--verify-only", "--from", str(source.url), "--to", target]) == 0
    assert f"✔ 已核对{TABLES}张表" in capsys.readouterr().out
    engine = make_engine(target)
    with writing(engine) as conn, conn.begin():
        conn.execute(text("UPDATE app_user SET display_name = '改过' WHERE username = 'demo-admin'"))
    engine.dispose()

    assert run(["migrate-store", "--verify-only", "--from", str(source.url), "--to", target]) == 1
    assert "✖ 两个数据库不一致：app_user" in capsys.readouterr().out


def test_cli_refuses_a_target_holding_data_with_exit_1(source: Engine, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    target = sqlite_url(tmp_path)
    assert run(["migrate-store", "--from", str(source.url), "--to", target]) == 0
    capsys.readouterr()

    code = run(["migrate-store", "--from", str(source.url), "--to", target])

    captured = capsys.readouterr()
    assert code == 1
    assert "已有数据" in captured.err and "未做任何改动" in captured.err and "Traceback" not in captured.err


def test_cli_says_which_table_failed_verification_and_exits_1(source: Engine, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    tamper_with_observations(monkeypatch)

    code = run(["migrate-store", "--from", str(source.url), "--to", sqlite_url(tmp_path)])

    out = capsys.readouterr().out
    assert code == 1
    assert any(line.startswith("observation") and line.rstrip().endswith("✖ 不一致") for line in out.splitlines())
    assert "✖ 核对未通过：observation的行数或校验和不一致。目标数据库已回滚" in out


def test_cli_reports_a_failed_copy_in_one_line(source: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def failing(conn, table, rows, progress):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(migrate_module, "_insert_rows", failing)

    code = run(["migrate-store", "--from", str(source.url), "--to", sqlite_url(tmp_path)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == "复制中断（disk full）。目标数据库已回滚，未写入任何数据，源数据库未改动"


def test_cli_unreachable_database_is_one_line_without_the_password(source: Engine,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["migrate-store", "--from", str(source.url),
                "--to", "postgresql+psycopg://kpi:s3cret@127.0.0.1:1/kpi"])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("无法连接目标数据库 postgresql+psycopg://kpi:***@127.0.0.1:1/kpi")
    assert "s3cret" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_missing_source_file_is_refused_without_creating_it(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.sqlite3"

    code = run(["migrate-store", "--from", f"sqlite:///{missing}", "--to", sqlite_url(tmp_path)])

    assert code == 1
    assert capsys.readouterr().err.strip() == f"源数据库文件“{missing}”不存在，请检查路径"
    assert not missing.exists()


def test_cli_target_folder_that_cannot_be_made_is_one_line(source: Engine, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("x")

    code = run(["migrate-store", "--from", str(source.url), "--to", sqlite_url(tmp_path / "a-file" / "sub")])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("无法连接目标数据库") and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["migrate-store", "--from", "sqlite:///a.sqlite3"],
    ["migrate-store", "--to", "sqlite:///a.sqlite3"],
    ["migrate-store", "--from", "not a url", "--to", "sqlite:///a.sqlite3"],
    ["migrate-store", "--from", "nosuchdriver://x/y", "--to", "sqlite:///a.sqlite3"],
])
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 2
    assert capsys.readouterr().err.startswith("命令用法有误")


def test_cli_english(source: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--lang", "en", "migrate-store", "--from", str(source.url), "--to", sqlite_url(tmp_path)])

    assert code == 0
    assert f"✔ Copied and checked {TABLES} tables" in capsys.readouterr().out

"""Kept standings: every change of the data (ingest, review decision, plan load) keeps the standings the dashboard
opens on, equal to what the engine computes; a reader never uses standings of another version of the data or of
another release; damaged or missing ones make the dashboard compute instead; keeping them never fails a change."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

import pipelines.store.standing_cache as standing_cache
import views.shared.data as data
from models.db import keeper_lock
from models.queries import read_current_values, read_data_version
from models.schema import KeptAssessment, StandingCache
from pipelines.cli import run
from pipelines.core.config import ROOT
from pipelines.core.periods import latest_period_ending_by, period_of_code
from pipelines.engine.progress import diff_assessments
from pipelines.intake.ingest import ACCEPTED, REJECTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.plan.standing import compute_standing, default_as_of, latest_reported
from pipelines.store.codec import KeptChanges
from pipelines.store.standing_cache import Kept, fingerprint_of, read_kept, read_kept_standing, refresh
from pipelines.workflow.accounts import REVIEWER, SUBMITTER, User
from pipelines.workflow.review import approve, return_submission, submit_file
from tests.conftest import HEADER, TODAY, csv_bytes, snapshot_store
from tests.dashboard_fixtures import Store

KW = User("kw", "区科委填报员", (SUBMITTER,), ("KW",))
REVIEWER_ = User("rev", "审核员", (REVIEWER,))
A03_2024Q1 = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "700", ""]])
A03_2025Q4 = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1111", "示例"]])


def kept(engine: Engine) -> Kept | None:
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None
        return read_kept(conn, version)


def assert_kept_is_the_engines(engine: Engine, plan: PlanData) -> Kept:
    """What is kept for the store's version is what the engine computes from the store now: the latest quarter with
    data and the quarter before, assessed to the bit, and the latest period with data."""
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None
        known = read_kept(conn, version)
        assert known is not None, "nothing kept for the store's version"
        current = read_current_values(conn)
        latest = default_as_of(plan, current)
        before = latest_period_ending_by(latest.end_time - 0.25, "quarterly")
        assert known.quarters == ({latest.code, before.code} if before >= plan.info.start_period else {latest.code})
        assert known.latest == latest_reported(current)
        computed = {code: compute_standing(plan, current, period_of_code(code)) for code in known.quarters}
        for code, standing in computed.items():
            found = read_kept_standing(conn, version, period_of_code(code))
            assert found is not None
            assert (found.assessments, found.rollups) == (standing.assessments, standing.rollups)
            # the latest quarter keeps what changed since the quarter before, as the engine diffs them
            changes = (KeptChanges(before.code, diff_assessments(computed[before.code].assessments,
                                                                 standing.assessments))
                       if code == latest.code and before.code in computed else None)
            assert found.changes == changes
    return known


@pytest.fixture
def reported(store: tuple[Engine, PlanData]) -> tuple[Engine, PlanData]:
    """The shipped plan with one value reported (2024Q1): the quarters kept are 2024Q1 and 2023Q4."""
    engine, plan = store
    assert ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2024Q1, today=TODAY)).outcome == ACCEPTED
    return engine, plan


def test_a_plan_with_no_data_keeps_its_first_quarter(store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    known = assert_kept_is_the_engines(engine, plan)
    assert known.latest is None and known.quarters == {plan.info.start_period.code}


def test_the_samples_keep_their_last_two_quarters(sample_store: Store) -> None:
    known = assert_kept_is_the_engines(sample_store.engine, sample_store.plan)
    assert known.quarters == {"2025Q3", "2025Q4"}
    assert known.latest is not None and known.latest.end_time == period_of_code("2025Q4").end_time


def test_every_ingest_keeps_the_new_standings_and_a_refused_file_changes_nothing(
        reported: tuple[Engine, PlanData]) -> None:
    engine, plan = reported
    assert assert_kept_is_the_engines(engine, plan).quarters == {"2023Q4", "2024Q1"}
    result = ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY))
    assert result.outcome == ACCEPTED
    assert assert_kept_is_the_engines(engine, plan).quarters == {"2025Q3", "2025Q4"}
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None
        found = read_kept_standing(conn, version, period_of_code("2025Q4"))
    assert found is not None and found.assessments["A03"].latest_value == 1111.0

    unchanged = snapshot_store(engine)
    refused = ingest_bytes(engine, plan, IngestRequest("bad.csv", csv_bytes([HEADER, ["A03", "x", "2025Q4", "很多", ""]]),
                           today=TODAY))
    assert refused.outcome == REJECTED
    assert snapshot_store(engine) == unchanged


def test_review_decisions_keep_the_new_standings(store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    sent = submit_file(engine, plan, KW, "kw.csv", A03_2024Q1, department="KW", today=TODAY)
    assert sent.outcome == ACCEPTED  # type: ignore[union-attr]
    pending = assert_kept_is_the_engines(engine, plan)
    assert pending.latest is None  # a pending value is not current
    assert approve(engine, REVIEWER_, sent.submission_id, now=dt.datetime(2024, 4, 2)) is None  # type: ignore[union-attr]
    assert assert_kept_is_the_engines(engine, plan).latest == period_of_code("2024Q1")

    other = submit_file(engine, plan, KW, "kw2.csv", A03_2025Q4, department="KW", today=TODAY)
    refusal = return_submission(engine, REVIEWER_, other.submission_id, "请核实数值后重新报送",  # type: ignore[union-attr]
                                now=dt.datetime(2026, 1, 5))
    assert refusal is None
    assert assert_kept_is_the_engines(engine, plan).latest == period_of_code("2024Q1")


def test_standings_of_another_version_or_release_are_never_used(reported: tuple[Engine, PlanData],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    engine, plan = reported
    result = ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY, keep_standings=False))
    assert result.outcome == ACCEPTED
    assert kept(engine) is None  # the rows kept belong to the version before this ingest
    assert refresh(engine)
    assert kept(engine) is not None
    monkeypatch.setattr(standing_cache, "release_fingerprint", lambda: "another release")
    assert kept(engine) is None


def test_the_release_fingerprint_follows_the_code_and_the_wording(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "progress.py").write_text("RULE = 0.95\n", encoding="utf-8")
    (tmp_path / "catalog" / "ui.csv").write_text("key,zh,en\nok,进度正常,On track\n", encoding="utf-8")
    first = fingerprint_of(tmp_path)
    (tmp_path / "notes.txt").write_text("not code", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "progress.py").write_text("cached", encoding="utf-8")
    assert fingerprint_of(tmp_path) == first  # only the code and the catalog count
    (tmp_path / "progress.py").write_text("RULE = 0.90\n", encoding="utf-8")
    changed_code = fingerprint_of(tmp_path)
    (tmp_path / "catalog" / "ui.csv").write_text("key,zh,en\nok,按序时推进,On track\n", encoding="utf-8")
    assert len({first, changed_code, fingerprint_of(tmp_path)}) == 3
    assert standing_cache.release_fingerprint() == fingerprint_of(Path(standing_cache.__file__).parents[1])  # pipelines/


def test_a_damaged_kept_standing_is_not_used(reported: tuple[Engine, PlanData]) -> None:
    engine, _plan = reported
    with engine.begin() as conn:
        conn.execute(update(StandingCache).where(StandingCache.as_of == "2024Q1").values(payload_json='{"rows": 7}'))
        conn.execute(update(KeptAssessment).where(KeptAssessment.as_of == "2023Q4", KeptAssessment.code == "A03")
                     .values(row_json='["A03", 7]'))
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None
        assert read_kept_standing(conn, version, period_of_code("2024Q1")) is None  # its header
        assert read_kept_standing(conn, version, period_of_code("2023Q4")) is None  # one indicator's row
    # the next change computes afresh what it cannot carry over, and what is kept is the engine's again
    result = ingest_bytes(engine, _plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY))
    assert result.outcome == ACCEPTED
    assert_kept_is_the_engines(engine, _plan)


def busy(_engine: Engine) -> None:
    raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


def test_keeping_never_fails_the_change_it_follows(reported: tuple[Engine, PlanData],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    engine, plan = reported
    monkeypatch.setattr(standing_cache, "writing", busy)
    result = ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY))
    assert result.outcome == ACCEPTED
    with engine.connect() as conn:
        a03 = read_current_values(conn, ["A03"])
    assert a03.loc[a03["period"] == "2025Q4", "value"].tolist() == [1111.0]
    assert kept(engine) is None


def test_a_change_made_while_keeping_is_kept_by_the_keeper(reported: tuple[Engine, PlanData],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeping reads the store, computes, then writes: a change committed in between leaves its keeping to the
    keeper at work, which keeps again once it sees the store has moved on, so the last change's standings are kept
    and nothing of an older version is taken for them."""
    engine, plan = reported
    computing, rounds = standing_cache.assess_all, standing_cache._refresh
    sent: list[object] = []
    versions: list[object] = []

    def compute_while_another_change_lands(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not sent:
            sent.append("sending")  # the change's own keeping computes too: it must not send again
            sent[0] = ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY))
        return computing(*args, **kwargs)

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        quarters, version = rounds(*args, **kwargs)
        versions.append(version)
        return quarters, version

    stale = ingest_bytes(engine, plan, IngestRequest("b.csv", csv_bytes([HEADER, ["A03", "x", "2024Q2", "720", ""]]), today=TODAY,
                         keep_standings=False))
    assert stale.outcome == ACCEPTED
    monkeypatch.setattr(standing_cache, "assess_all", compute_while_another_change_lands)
    monkeypatch.setattr(standing_cache, "_refresh", counted)
    assert refresh(engine)
    assert sent and sent[0].outcome == ACCEPTED  # type: ignore[attr-defined]
    assert len(versions) == 2 and versions[0] != versions[1]  # the landed change's own keeping left it to the keeper
    assert_kept_is_the_engines(engine, plan)


def test_a_keeper_at_work_keeps_for_the_others(reported: tuple[Engine, PlanData]) -> None:
    """While one caller keeps the standings, another change's keeping returns at once and writes nothing; the
    keeper, looking at the store again when done, keeps the newer version."""
    engine, plan = reported
    before = kept(engine)
    assert before is not None
    with keeper_lock(engine) as alone:
        assert alone
        with keeper_lock(engine) as second:
            assert not second  # taken without waiting, never held twice
        change = ingest_bytes(engine, plan, IngestRequest("a03.csv", A03_2025Q4, today=TODAY))
        assert change.outcome == ACCEPTED
        assert kept(engine) is None  # the change left its keeping to the keeper: readers compute meanwhile
    assert refresh(engine)
    assert_kept_is_the_engines(engine, plan)


def test_the_keep_command_keeps_what_an_upgraded_store_lacks(reported: tuple[Engine, PlanData], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    engine, plan = reported
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr(standing_cache, "release_fingerprint", lambda: "the next release")
    assert kept(engine) is None  # what the release before kept is not used
    assert run(["keep", "--db", url]) == 0
    assert "已保存2023年第四季度、2024年第一季度的进度判定" in capsys.readouterr().out
    assert_kept_is_the_engines(engine, plan)

    standing_cache.forget(engine)
    monkeypatch.setattr(standing_cache, "writing", busy)
    assert run(["keep", "--db", url]) == 1
    assert "未能保存进度判定" in capsys.readouterr().err
    assert kept(engine) is None

    assert run(["keep", "--db", f"sqlite:///{tmp_path / 'new.sqlite3'}"]) == 2  # a store with no plan yet
    assert "请先运行 python -m pipelines build" in capsys.readouterr().err


# ---- the dashboard reads what is kept ---------------------------------------------------------------------------

@pytest.fixture
def overview_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    st.cache_data.clear()
    st.cache_resource.clear()

    def run(url: str) -> AppTest:
        monkeypatch.setenv("KPI_DB_URL", url)
        monkeypatch.setenv("KPI_TODAY", "2025-12-31")  # the plan in force: an ended plan's 总结评估 reads the values
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield run
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_overview_draws_kept_standings_without_reading_every_value(
        fresh_sample_store: Store, overview_on, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    url, engine = fresh_sample_store.url, fresh_sample_store.engine
    reads = []
    monkeypatch.setattr(data, "read_current_values", lambda *a, **k: reads.append(a) or read_current_values(*a, **k))
    computed = []
    monkeypatch.setattr(data, "compute_standing", lambda *a, **k: computed.append(a) or compute_standing(*a, **k))
    quarters_read = []
    monkeypatch.setattr(data, "read_kept_standing",
                        lambda conn, version, as_of, plan=None: quarters_read.append(as_of.code)
                        or read_kept_standing(conn, version, as_of, plan))
    at = overview_on(url)
    assert at.metric and not reads and not computed
    # what changed since 2025Q3 is kept with 2025Q4: the quarter before is not read back
    assert quarters_read == ["2025Q4"]
    headline = {m.label: m.value for m in at.metric}
    tables = [frame.value for frame in at.dataframe]
    assert len(tables) >= 3 and not tables[0].empty  # the changes, red flags, overdue departments, likely to meet

    # the same page with nothing kept: the values are read and assessed, and the numbers and tables are the same
    standing_cache.forget(engine)
    st.cache_data.clear()
    st.cache_resource.clear()
    again = overview_on(url)
    assert reads and computed
    assert {m.label: m.value for m in again.metric} == headline
    assert len(again.dataframe) == len(tables)
    for frame, before in zip(again.dataframe, tables):
        pd.testing.assert_frame_equal(frame.value, before)

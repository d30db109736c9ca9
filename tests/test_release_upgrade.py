"""A store made by the previous release opens with this one and keeps everything: the previous release's own code
(commit a3893ec, taken from git history; its plan folder data/plan/, one plan per store) builds a store with the
samples, the demo accounts, a frozen quarter, locks, review decisions, narratives and evidence; this release opens it
(migration 0010 moves it to the multi-plan shape) and every row, the plan's figures, the snapshot, the standings and
the sign-ins are as before, and the newer plans load beside it.

The old store is read with plain sqlite3, never with this project's code, so that what is compared is what the file
held."""
from __future__ import annotations

import io
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from models.db import create_schema, current_revision, head_revision, make_engine
from pipelines.core.config import PLAN_DIR, PLANS_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_stores
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import IndicatorDef, PlanData
from pipelines.store.codec import assessment_to_dict
from pipelines.store.plans import plan_from_store, plans_in_store
from pipelines.store.snapshot import read_snapshot
from pipelines.store.standings import read_standing
from pipelines.workflow.accounts import DEMO_PASSWORD, User, authenticate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
OLD_RELEASE = "a3893ec"  # the release before plan cycles (#17): one plan per store, its folder data/plan/
PLAN = "SHGX-2023"  # the one plan that release held
TODAY = "2026-01-20"
HEADER = "指标编码,指标名称,统计期,数值,备注"
# What the old store must hold for the comparisons below to mean something (each table non-empty).
MUST_HOLD = ("observation", "submission", "value_narrative", "evidence", "snapshot", "period_lock", "lock_event",
             "app_user", "review_event", "goal", "action", "sub_item", "indicator", "department", "plan")
MOVED_TABLES = {"goal": "plan_goal", "action": "plan_action", "sub_item": "plan_sub_item"}  # now one plan's own
MOVED_COLUMNS = ("sub_item_code", "goal_code", "baseline", "baseline_period", "target", "target_period", "source",
                 "illustrative", "position")  # indicator → plan_indicator
DERIVED = {"standing_cache", "kept_assessment"}  # kept standings: derived data, rebuilt per plan (0010 starts it empty)

# Run by the OLD code in its own tree: what its command line cannot do — lock and unlock quarters as an admin, and a
# submission with 进展情况/存在问题/下一步措施 and an evidence photo (the 上报 page's extras) left 待审核.
OLD_EXTRAS = r"""
import io, sys
from PIL import Image
from models.db import make_engine
from pipelines.store.persist import plan_from_store
from pipelines.workflow.accounts import read_user
from pipelines.workflow.review import EvidenceFile, Narrative, lock_quarter, submit_file, unlock_quarter

url, csv_path = sys.argv[1], sys.argv[2]
engine = make_engine(url)
admin, kw = read_user(engine, "demo-admin"), read_user(engine, "demo-kw")
assert admin is not None and kw is not None
for step in (lambda: lock_quarter(engine, admin, "2024Q4"),
             lambda: unlock_quarter(engine, admin, "2024Q4", "2024年四季度简报需重做，重新核对数据"),
             lambda: lock_quarter(engine, admin, "2025Q3")):
    refused = step()
    assert refused is None, refused.message("en")
with engine.connect() as conn:
    plan = plan_from_store(conn)
photo = io.BytesIO()
Image.new("RGB", (8, 8), (200, 30, 30)).save(photo, "PNG")
result = submit_file(engine, plan, kw, "kw-b06.csv", open(csv_path, "rb").read(), department="KW",
                     narratives={"B06": Narrative("诉求办结率稳步提升", "个别诉求跨部门协调慢", "建立联席机制")},
                     evidence=[EvidenceFile("B06", "办结台账.png", photo.getvalue())])
assert getattr(result, "outcome", None) == "accepted", getattr(result, "message", lambda lang: result)("en")
print(result.submission_id)
"""


@dataclass(frozen=True)
class OldStore:
    """The store the old release made, as plain sqlite3 read it, and the same file opened by this release."""

    path: Path
    url: str
    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]  # every table: its columns and rows
    status_2025q4: list[dict[str, Any]]  # `status --as-of 2025Q4 --format json` as the old code printed it
    approved_id: int  # the submission demo-reviewer approved (A03 2025Q4 revised to 1020)
    returned_id: int  # the one returned (A10 2025Q4 8.8)
    pending_id: int  # the one with narratives and evidence, left 待审核 (B06 2025Q4 98.6)
    engine: Engine  # this release's engine on the upgraded file

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        return self.tables[table][1]

    def columns(self, table: str) -> tuple[str, ...]:
        return self.tables[table][0]

    def records(self, table: str, order: str = "position") -> list[dict[str, Any]]:
        """The old table's rows as dicts, in the order of one of its columns."""
        columns = self.columns(table)
        found = [dict(zip(columns, row)) for row in self.rows(table)]
        return sorted(found, key=lambda r: r[order])


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False)


def _old_tree(folder: Path) -> Path:
    """Commit a3893ec's files extracted into the folder; the test is skipped when they cannot be had."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the previous release's code cannot be taken from history")
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: the previous release's code cannot be taken from history")
    if _git("cat-file", "-e", f"{OLD_RELEASE}^{{commit}}").returncode != 0:
        pytest.skip(f"commit {OLD_RELEASE} (the previous release) is not in this clone (a shallow clone?)")
    archive = _git("archive", "--format=tar", OLD_RELEASE)
    assert archive.returncode == 0, archive.stderr.decode(errors="replace")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    assert (folder / "data" / "plan" / "indicators.csv").is_file(), "not the one-plan release"
    return folder


def _table_rows(path: Path) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """Every table of the SQLite file with its columns and all its rows (plain sqlite3), rows in a stable order."""
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            columns = tuple(d[0] for d in cursor.description)
            out[name] = (columns, sorted(cursor.fetchall(), key=repr))
    return out


def _select(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(sql, params).fetchall(), key=repr)


@pytest.fixture(scope="module")
def old_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OldStore]:
    tree = _old_tree(tmp_path_factory.mktemp("a3893ec"))
    work = tmp_path_factory.mktemp("old-store")
    path = work / "kpi.sqlite3"
    url = f"sqlite:///{path}"
    env = {**os.environ, "PYTHONPATH": str(tree), "KPI_DB_URL": url, "KPI_TODAY": TODAY}

    def old(*args: str) -> str:
        """One command of the previous release, from its own tree; it must succeed."""
        done = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        assert done.returncode == 0, f"old {args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def last_id() -> int:
        return int(_select(path, "SELECT MAX(id) FROM submission")[0][0])

    def department_file(name: str, row: str) -> Path:
        file = work / name
        file.write_text(f"{HEADER}\n{row}\n", encoding="utf-8-sig")
        return file

    cli = ("-m", "pipelines")
    old(*cli, "build", "--samples", "--db", url)
    old(*cli, "users", "demo", "--db", url)
    old(*cli, "snapshot", "--as-of", "2025Q3", "--db", url)
    old(*cli, "submit", str(department_file("kw-a03.csv", "A03,高成长性科技企业数,2025Q4,1020,复核后更正")),
        "--user", "demo-kw", "--db", url)
    approved = last_id()
    old(*cli, "review", "approve", str(approved), "--user", "demo-reviewer", "--db", url)
    old(*cli, "submit", str(department_file("kw-a10.csv", "A10,技术合同成交额,2025Q4,8.8,")),
        "--user", "demo-kw", "--db", url)
    returned = last_id()
    old(*cli, "review", "return", str(returned), "--user", "demo-reviewer", "--comment", "请附合同登记台账",
        "--db", url)
    pending = int(old("-c", OLD_EXTRAS, url, str(department_file("kw-b06.csv", "B06,企业诉求办结率,2025Q4,98.6,"))
                      ).split()[-1])
    status = json.loads(old(*cli, "status", "--as-of", "2025Q4", "--format", "json", "--db", url))

    tables = _table_rows(path)
    assert tables["alembic_version"][1] == [("0009",)], "the previous release's store is at 0009"
    empty = [t for t in MUST_HOLD if not tables[t][1]]
    assert not empty, f"the old store holds no rows in {empty}: the comparisons would prove nothing"
    statuses = {r[0] for r in _select(path, "SELECT status FROM submission")}
    assert statuses == {"approved", "returned", "pending"}, statuses
    assert len(status) == len(tables["indicator"][1]), "the old status lists every indicator"

    engine = make_engine(url)
    failure = ""
    try:
        create_schema(engine)  # this release: upgrades the file through 0010
    except SQLAlchemyError as error:
        failure = str(error).splitlines()[0]
    if failure:
        engine.dispose()
        pytest.fail(f"this release cannot open the store the previous release ({OLD_RELEASE}) made: upgrading it "
                    f"from 0009 failed and was rolled back: {failure}", pytrace=False)
    yield OldStore(path, url, tables, status, approved, returned, pending, engine)
    engine.dispose()


def _copy(store: OldStore, folder: Path) -> Engine:
    """An engine of this release on a copy of the upgraded file (for the tests that write)."""
    copy = folder / "copy.sqlite3"
    with sqlite3.connect(store.path) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # with what the write-ahead log still holds (a file copy would miss it)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    return engine


def _approved_values(store: OldStore, code: str, periods: Sequence[str]) -> dict[str, float]:
    """The old store's approved value of a series in each period (its latest revision), from the raw rows."""
    approved = {r["id"] for r in store.records("submission", order="id") if r["status"] == "approved"}
    latest: dict[str, tuple[int, float]] = {}
    for r in store.records("observation", order="revision"):
        if r["indicator_code"] == code and r["period"] in periods and r["submission_id"] in approved:
            latest[r["period"]] = (r["revision"], r["value"])
    assert set(latest) == set(periods), (code, latest)
    return {p: v for p, (_, v) in latest.items()}


def _plan(engine: Engine, code: str | None = PLAN) -> PlanData:
    with engine.connect() as conn:
        plan = plan_from_store(conn, code)
    assert plan is not None, f"no plan {code} in the store"
    return plan


# ---- the upgraded file --------------------------------------------------------------------------------------------

def test_the_upgraded_store_is_at_the_newest_revision(old_store: OldStore) -> None:
    with old_store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    assert head_revision() == "0013"  # this test is about 0010 to 0013; a later migration should extend it
    assert _select(old_store.path, "SELECT version_num FROM alembic_version") == [("0013",)]
    assert _select(old_store.path, "SELECT COUNT(*) FROM plan_task") == [(0,)]  # the old release had no tasks
    assert _select(old_store.path, "SELECT code, basic_threshold FROM plan") == [("SHGX-2023", 0.9)]


def test_each_submission_names_the_series_it_holds(old_store: OldStore) -> None:
    """0013 fills submission_series from the old rows: every submission's indicators, once each, and no others."""
    held = set(_select(old_store.path, "SELECT DISTINCT submission_id, indicator_code FROM observation"))
    named = _select(old_store.path, "SELECT submission_id, indicator_code FROM submission_series")
    assert held and len(named) == len(set(named)) and set(named) == held


def test_every_row_of_every_kept_table_is_unchanged(old_store: OldStore) -> None:
    """Each table still there holds the old columns with the same rows, byte for byte as sqlite3 reads them
    (submissions' file bytes, evidence, password hashes, times as stored); snapshots now name the plan."""
    after = _table_rows(old_store.path)
    kept = [t for t in old_store.tables if t not in MOVED_TABLES and t not in DERIVED and t != "alembic_version"]
    assert set(kept) >= {"observation", "submission", "value_narrative", "evidence", "snapshot", "period_lock",
                         "lock_event", "app_user", "review_event", "plan", "department", "indicator"}
    for table in kept:
        assert table in after, f"table {table} is gone"
        old_columns = [c for c in old_store.columns(table) if not (table == "indicator" and c in MOVED_COLUMNS)]
        missing = set(old_columns) - set(after[table][0])
        assert not missing, f"{table} lost the columns {sorted(missing)}"
        quoted = ", ".join(f'"{c}"' for c in old_columns)
        now = _select(old_store.path, f'SELECT {quoted} FROM "{table}"')
        was = sorted((tuple(dict(zip(old_store.columns(table), r))[c] for c in old_columns)
                      for r in old_store.rows(table)), key=repr)
        assert now == was, f"{table}: rows changed ({len(was)} before, {len(now)} after)"
    assert _select(old_store.path, "SELECT DISTINCT plan_code FROM snapshot") == [(PLAN,)]
    assert _select(old_store.path, "SELECT code, draft FROM plan") == [(PLAN, 0)]
    for table in MOVED_TABLES:
        assert table not in after, f"{table} should have moved to {MOVED_TABLES[table]}"


def test_goals_actions_sub_items_and_targets_moved_to_the_plan_with_every_row(old_store: OldStore) -> None:
    """goal/action/sub_item rows and indicator's target columns, as raw rows, are now the plan's under its code."""
    for table, moved in MOVED_TABLES.items():
        columns = old_store.columns(table)
        quoted = ", ".join(f'"{c}"' for c in columns)
        assert _select(old_store.path, f'SELECT plan_code, {quoted} FROM "{moved}"') == sorted(
            ((PLAN, *row) for row in old_store.rows(table)), key=repr), table
    targets = ("code", *MOVED_COLUMNS, "name_zh", "name_en", "definition_zh")
    assert _select(old_store.path, f"SELECT plan_code, {', '.join(targets)} FROM plan_indicator") == sorted(
        ((PLAN, *(r[c] for c in targets)) for r in old_store.records("indicator")), key=repr)
    assert _select(old_store.path, "SELECT plan_code, department_code, position FROM plan_department") == sorted(
        ((PLAN, r["code"], r["position"]) for r in old_store.records("department")), key=repr)


# ---- read by this release ----------------------------------------------------------------------------------------

def _figures(i: IndicatorDef) -> tuple[object, ...]:
    return (i.code, i.sub_item_code, i.goal_code, i.unit, i.direction, i.kind, i.baseline, i.baseline_period.code,
            i.target, i.target_period.code, i.department, i.supporting_departments, i.frequency, i.source,
            i.name_zh, i.name_en, i.definition_zh)


def test_the_plan_read_back_is_the_old_plan(old_store: OldStore) -> None:
    plan = _plan(old_store.engine)
    old_plan = old_store.records("plan", order="code")
    assert len(old_plan) == 1
    assert (plan.info.code, plan.info.name_zh, plan.info.start_period.code, plan.info.end_period.code,
            plan.info.status_rule, plan.info.due_days) == tuple(old_plan[0][c] for c in (
                "code", "name_zh", "start_period", "end_period", "status_rule", "due_days"))
    indicators = old_store.records("indicator")
    assert [(i.code, i.baseline, i.target, i.target_period.code, i.sub_item_code, i.source, i.goal_code,
             i.baseline_period.code, i.unit, i.direction, i.kind, i.frequency) for i in plan.indicators] == [
        (r["code"], r["baseline"], r["target"], r["target_period"], r["sub_item_code"], r["source"], r["goal_code"],
         r["baseline_period"], r["unit"], r["direction"], r["kind"], r["frequency"]) for r in indicators]
    assert not any(i.baseline_final for i in plan.indicators)
    assert [(s.code, s.action_code, s.name_zh, s.name_en, s.lead_department) for s in plan.sub_items] == [
        (r["code"], r["action_code"], r["name_zh"], r["name_en"], r["lead_department"])
        for r in old_store.records("sub_item")]
    assert [(a.code, a.name_zh, a.name_en, a.description_zh) for a in plan.actions] == [
        (r["code"], r["name_zh"], r["name_en"], r["description_zh"]) for r in old_store.records("action")]
    assert [(g.code, g.name_zh, g.name_en) for g in plan.goals] == [
        (r["code"], r["name_zh"], r["name_en"]) for r in old_store.records("goal")]
    assert [(d.code, d.name_zh, d.name_en) for d in plan.departments] == [
        (r["code"], r["name_zh"], r["name_en"]) for r in old_store.records("department")]


def test_the_plan_read_back_equals_the_shipped_plan_folder(old_store: OldStore) -> None:
    folder = read_plan_folder(PLAN_DIR)
    assert isinstance(folder, PlanData), folder
    plan = _plan(old_store.engine)
    assert [_figures(i) for i in plan.indicators] == [_figures(i) for i in folder.indicators]
    assert (plan.goals, plan.actions, plan.sub_items, plan.departments) == (
        folder.goals, folder.actions, folder.sub_items, folder.departments)


def test_the_frozen_quarter_reads_back_as_the_old_release_froze_it(old_store: OldStore) -> None:
    [row] = old_store.records("snapshot", order="as_of")
    assert row["as_of"] == "2025Q3"
    with old_store.engine.connect() as conn:
        frozen = read_snapshot(conn, period_of_code("2025Q3"), PLAN)
        assert read_snapshot(conn, period_of_code("2025Q2"), PLAN) is None  # only the quarter the old code froze
    assert frozen is not None
    assert (frozen.plan_code, frozen.as_of.code, frozen.rule, frozen.last_submission_id, frozen.frozen_by) == (
        PLAN, "2025Q3", row["rule"], row["last_submission_id"], row["frozen_by"])
    payload = json.loads(row["payload_json"])
    assert len(payload) == len(old_store.rows("indicator"))
    # field by field as the old release wrote them (NaN written as NaN both ways)
    assert {c: json.dumps(assessment_to_dict(a), sort_keys=True) for c, a in frozen.assessments.items()} == {
        c: json.dumps(d, sort_keys=True) for c, d in payload.items()}


def test_the_standings_are_what_the_old_release_reported(old_store: OldStore) -> None:
    standing = read_standing(old_store.engine, period_of_code("2025Q4"), PLAN)
    assert standing is not None
    old = {r["code"]: r for r in old_store.status_2025q4}
    assert {c: a.status for c, a in standing.assessments.items()} == {c: r["status"] for c, r in old.items()}
    assert {c: a.latest_period.code if a.latest_period else None for c, a in standing.assessments.items()} == {
        c: r["latest_period"] for c, r in old.items()}
    for code, a in standing.assessments.items():
        was = old[code]["latest_value"]
        assert (a.latest_value is None or math.isnan(a.latest_value)) if was is None else math.isclose(
            a.latest_value or math.nan, was, rel_tol=1e-9), (code, a.latest_value, was)
    # the decisions taken under the old release count as they did: the approved revision, not the returned file
    assert standing.assessments["A03"].latest_value == 1020
    assert standing.assessments["A10"].latest_value == 8.65


def test_the_demo_accounts_still_sign_in(old_store: OldStore, tmp_path: Path) -> None:
    engine = _copy(old_store, tmp_path)  # a failed sign-in writes a row: never on the shared file
    users = {r["username"]: r for r in old_store.records("app_user", order="username")}
    assert {"demo-kw", "demo-rcb", "demo-reviewer", "demo-admin", "demo-leader"} <= set(users)
    for username, row in users.items():
        user = authenticate(engine, username, DEMO_PASSWORD)
        assert isinstance(user, User), (username, user)
        assert (user.username, ",".join(user.roles), ",".join(user.departments), user.demo) == (
            username, row["roles"], row["departments"], True), user
    assert authenticate(engine, "demo-kw", DEMO_PASSWORD + "-wrong") is None
    engine.dispose()


def test_the_newer_plans_load_beside_the_old_one(old_store: OldStore, tmp_path: Path) -> None:
    engine = _copy(old_store, tmp_path)
    before = _plan(engine)
    loaded = build_stores(engine, [PLANS_DIR / "ZJCN-2025", PLANS_DIR / "SHGX-2026"])
    assert {folder.name: (plan.info.code if isinstance(plan, PlanData) else plan) for folder, plan in loaded} == {
        "ZJCN-2025": "ZJCN-2025", "SHGX-2026": "SHGX-2026"}
    with engine.connect() as conn:
        assert sorted(p.code for p in plans_in_store(conn)) == ["SHGX-2023", "SHGX-2026", "ZJCN-2025"]
    assert _plan(engine, None).info.code == "SHGX-2026"  # the default plan: the latest to start
    assert [_figures(i) for i in _plan(engine, PLAN).indicators] == [_figures(i) for i in before.indicators]
    # the successor's `final` baselines come from the values approved under the old release
    successor = _plan(engine, "SHGX-2026").indicator_map()
    a03 = successor["A03"]
    assert a03.baseline_final and a03.baseline == 1020, a03
    assert a03.baseline_from is not None and a03.baseline_from.plan_code == PLAN
    assert a03.baseline_from.submissions == (old_store.approved_id,)
    # A10 (an annual-kind series) takes the 2025 quarters' total: the sample values, not the returned 8.8
    a10 = successor["A10"]
    quarters = _approved_values(old_store, "A10", ("2025Q1", "2025Q2", "2025Q3", "2025Q4"))
    assert a10.baseline_final and a10.baseline_from is not None and math.isclose(a10.baseline, sum(quarters.values()))
    assert old_store.returned_id not in a10.baseline_from.submissions and 8.8 not in quarters.values()
    engine.dispose()

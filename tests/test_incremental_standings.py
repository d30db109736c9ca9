"""Incremental standings: whatever sequence of changes reaches the store — values ingested, files waiting for review
then approved or returned, changes whose keeping was skipped (another change committed meanwhile) — the standings kept
after it, carried over and re-assessed only where the changes touched, equal the standings computed from scratch from
the store's values, for every plan and every kept quarter: assessments, roll-ups and what changed since the quarter
before. And a change re-assesses only the indicators drawing on the series it touched."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

import pipelines.store.standing_cache as standing_cache
from models.db import make_engine
from models.queries import read_current_values, read_data_version
from models.states import PENDING
from pipelines.core.periods import latest_period_ending_by
from pipelines.engine.progress import diff_assessments
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.plan.standing import compute_standing, default_as_of
from pipelines.store.plans import plan_from_store, plans_in_store, series_view
from pipelines.store.standing_cache import read_kept, read_kept_standing, refresh
from pipelines.store.standings import plan_values
from pipelines.workflow.accounts import REVIEWER, User
from pipelines.workflow.review import approve, return_submission
from tests.conftest import HEADER, csv_bytes
from tests.test_plan_cycles import cycles  # noqa: F401  (the three-plan store, used by name below)

REVIEWER_ = User("rev", "审核员", (REVIEWER,))
DAY = dt.date(2027, 1, 20)  # 2026Q4 may be reported: a value of it moves the quarters kept of two plans
PERIODS = {"quarterly": ["2025Q4", "2026Q2", "2026Q3", "2026Q4"], "half-yearly": ["2025H2", "2026H1", "2026H2"],
           "annual": ["2024", "2025", "2026"]}
WHY = "经与统计部门核实，本期数据口径一致、数值无误"  # answers every 核实性 question the random values raise


def copy_of(template: Path, folder: Path) -> Engine:
    target = folder / "kpi.sqlite3"
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return make_engine(f"sqlite:///{target}")


def assert_kept_equals_from_scratch(engine: Engine) -> None:
    """For every plan, what is kept for the store's version is the standing computed now from every current value."""
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None
        every = read_current_values(conn)
        plans = [plan_from_store(conn, p.code) for p in plans_in_store(conn)]
        for plan in (p for p in plans if p is not None):
            code, current = plan.info.code, plan_values(every, plan)
            known = read_kept(conn, version, code)
            assert known is not None, f"nothing kept of {code}"
            latest = default_as_of(plan, current)
            before = latest_period_ending_by(latest.end_time - 0.25, "quarterly")
            quarters = [before, latest] if before >= plan.info.start_period else [latest]
            assert known.quarters == {q.code for q in quarters}, code
            computed = [compute_standing(plan, current, q) for q in quarters]
            for i, standing in enumerate(computed):
                found = read_kept_standing(conn, version, standing.as_of, code)
                assert found is not None, (code, standing.as_of.code)
                assert list(found.assessments) == [i.code for i in plan.indicators]
                assert found.assessments == standing.assessments, (code, standing.as_of.code)
                assert found.rollups == standing.rollups, (code, standing.as_of.code)
                if i == len(computed) - 1 and i:
                    assert found.changes is not None and found.changes.since == computed[0].as_of.code
                    assert found.changes.changes == diff_assessments(computed[0].assessments, standing.assessments)
                else:
                    assert found.changes is None


@pytest.fixture(scope="module")
def template(cycles: Engine) -> Path:  # noqa: F811
    """The three-plan store of every shipped plan and sample file, with its standings kept."""
    assert refresh(cycles)
    return Path(str(cycles.url.database))


@pytest.fixture(scope="module")
def series(cycles: Engine) -> PlanData:  # noqa: F811
    with cycles.connect() as conn:
        found = series_view(conn)
    assert found is not None
    return found


def rows_of(series: PlanData, picks: list[tuple[int, int, float]]) -> list[list[object]]:
    """Rows of a department's file: an indicator of the series view, a period of its frequency, a value."""
    rows = []
    for which, when, factor in picks:
        indicator = series.indicators[which % len(series.indicators)]
        periods = PERIODS[indicator.frequency]
        value = (1 if factor > 1 else 0) if indicator.kind == "milestone" else round(max(indicator.target, 1) * factor)
        rows.append([indicator.code, indicator.name_zh, periods[when % len(periods)], value, ""])
    unique = {(r[0], r[2]): r for r in rows}  # one value per indicator and period in a file
    return list(unique.values())


CHANGE = st.tuples(
    st.sampled_from(["approved", "kept-later", "pending-approved", "pending-returned", "refresh"]),
    st.lists(st.tuples(st.integers(0, 500), st.integers(0, 3), st.floats(0.05, 1.6)), min_size=1, max_size=6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGE, min_size=1, max_size=5), named=st.sampled_from([standing_cache.NAMED_AT_MOST, 0]))
def test_kept_standings_equal_the_standings_from_scratch_after_any_changes(
        changes: list[tuple[str, list[tuple[int, int, float]]]], named: int, template: Path, series: PlanData,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Also when the refresh reads every value and every kept row instead of naming the series and indicators it
    wants (named=0: what a change touching many series does)."""
    engine = copy_of(template, tmp_path_factory.mktemp("changes"))
    default, standing_cache.NAMED_AT_MOST = standing_cache.NAMED_AT_MOST, named
    try:
        for n, (kind, picks) in enumerate(changes):
            if kind == "refresh":
                assert refresh(engine)
                continue
            rows = rows_of(series, picks)
            request = IngestRequest(f"change{n}.csv", csv_bytes([HEADER, *rows]), today=DAY,
                                    explanations={r: WHY for r in range(2, len(rows) + 2)},
                                    status=PENDING if kind.startswith("pending") else "approved",
                                    submitter="dept", keep_standings=kind != "kept-later")
            result = ingest_bytes(engine, series, request)
            if result.outcome == ACCEPTED and kind.startswith("pending"):
                decide = approve if kind == "pending-approved" else return_submission
                args = () if decide is approve else ("请核实后重新报送",)
                assert decide(engine, REVIEWER_, result.submission_id, *args) is None  # type: ignore[operator]
        assert refresh(engine)
        assert_kept_equals_from_scratch(engine)
    finally:
        standing_cache.NAMED_AT_MOST = default
        engine.dispose()


def test_a_small_change_assesses_again_only_the_indicators_on_its_series(
        template: Path, series: PlanData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = copy_of(template, tmp_path)
    assessed: list[str] = []
    assess_all = standing_cache.assess_all

    def counting(specs, *args, **kwargs):  # type: ignore[no-untyped-def]
        specs = list(specs)
        assessed.extend(s.code for s in specs)
        return assess_all(specs, *args, **kwargs)

    monkeypatch.setattr(standing_cache, "assess_all", counting)
    # a value of the 2026 plan's latest quarter for one of its series, targeted by the other plans too
    with engine.connect() as conn:
        plans = [p for p in (plan_from_store(conn, i.code) for i in plans_in_store(conn)) if p is not None]
    code = "A03"
    targeting = [p for p in plans if any(code in i.series_codes for i in p.indicators)]
    drawing = {i.code for p in targeting for i in p.indicators if code in i.series_codes}
    result = ingest_bytes(engine, series, IngestRequest("a03.csv", csv_bytes([HEADER, [code, "", "2026Q3", 3000, ""]]),
                                                        today=DAY, explanations={2: WHY}))
    assert result.outcome == ACCEPTED, result.as_dict()
    assert assessed and set(assessed) == drawing  # nothing else assessed, in any plan
    assert len(assessed) <= 2 * len(drawing) * len(targeting)  # each of them once per kept quarter
    monkeypatch.undo()
    assert_kept_equals_from_scratch(engine)
    engine.dispose()


def test_a_submission_no_longer_counted_makes_the_plan_computed_from_scratch(template: Path, tmp_path: Path) -> None:
    """Kept counting a submission that is no longer approved: nothing of that plan is carried over (here one kept
    row is also wrong, as it would be if that submission's values had been taken back), and what is kept is the
    engine's again."""
    engine = copy_of(template, tmp_path)
    with engine.begin() as conn:
        counted = json.loads(conn.exec_driver_sql(
            "SELECT basis_json FROM standing_cache WHERE plan_code = 'SHGX-2026'").scalar() or "[]")
        conn.exec_driver_sql("UPDATE standing_cache SET basis_json = ? WHERE plan_code = 'SHGX-2026'",
                             (json.dumps([*counted, 999_999]),))
        first, other = conn.exec_driver_sql(
            "SELECT code FROM kept_assessment WHERE plan_code = 'SHGX-2026' ORDER BY position LIMIT 2").scalars()
        conn.exec_driver_sql(
            "UPDATE kept_assessment SET row_json = (SELECT row_json FROM kept_assessment k WHERE k.plan_code = "
            "'SHGX-2026' AND k.as_of = kept_assessment.as_of AND k.code = ?) WHERE plan_code = 'SHGX-2026' "
            "AND code = ?", (other, first))
    assert refresh(engine)
    assert_kept_equals_from_scratch(engine)
    engine.dispose()

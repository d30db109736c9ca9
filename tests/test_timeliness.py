"""Reporting timeliness: which reports were owed, on time / late / missing / not yet due, the department × quarter
grid (worst state wins), 及时率, rank and the change of rank since the previous quarter."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from models.columns import CODE, PERIOD, SUBMITTED_AT
from pipelines.core.periods import period_of_code, periods_between
from pipelines.present.timeliness import (
    compute_report_states,
    department_grid,
    grid_for_display,
    owed_reports,
    quarter_of,
    ranking_rows,
    timeliness_of,
    timeliness_ranking,
)
from tests.dashboard_fixtures import Store, small_plan

Q4_2024 = period_of_code("2024Q4")


def first_reports(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[CODE, PERIOD, SUBMITTED_AT]).assign(
        **{SUBMITTED_AT: lambda f: pd.to_datetime(f[SUBMITTED_AT])})


def states_of(items: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(c, p): s for c, p, s in zip(items[CODE], items[PERIOD], items["state"])}


def test_quarter_of_is_the_quarter_a_period_ends_in() -> None:
    assert [quarter_of(period_of_code(p)).code for p in ("2025Q3", "2025H1", "2025H2", "2025")] == [
        "2025Q3", "2025Q2", "2025Q4", "2025Q4"]


def test_owed_reports_follow_each_indicators_frequency_up_to_the_cutoff() -> None:
    owed = owed_reports(small_plan(), Q4_2024)

    assert list(zip(owed[CODE], owed[PERIOD], owed["quarter"])) == [
        ("Q1", "2024Q1", "2024Q1"), ("Q1", "2024Q2", "2024Q2"), ("Q1", "2024Q3", "2024Q3"), ("Q1", "2024Q4", "2024Q4"),
        ("H1", "2024H1", "2024Q2"), ("H1", "2024H2", "2024Q4"), ("Y1", "2024", "2024Q4")]
    assert owed.loc[0, "due"] == dt.date(2024, 4, 15)  # quarter end plus the plan's 15 due days
    assert set(owed["department"]) == {"D1", "D2"}


def test_owed_reports_start_after_the_baseline_and_stop_at_the_target_period() -> None:
    plan = small_plan()
    q1 = replace(plan.indicators[0], baseline_period=period_of_code("2024Q2"), target_period=period_of_code("2024Q3"))
    owed = owed_reports(replace(plan, indicators=(q1,)), period_of_code("2025Q4"))

    assert list(owed[PERIOD]) == ["2024Q3"]


def test_owed_reports_use_the_plans_due_days() -> None:
    owed = owed_reports(small_plan(due_days=25), Q4_2024)

    assert owed.loc[0, "due"] == dt.date(2024, 4, 25)


def test_report_states_on_time_late_missing_and_not_yet_due() -> None:
    reports = first_reports(("Q1", "2024Q1", "2024-04-10 09:00"), ("Q1", "2024Q2", "2024-07-16 09:00"),
                            ("H1", "2024H1", "2024-07-15 18:00"), ("H1", "2024H2", "2025-01-05 10:00"),
                            ("Y1", "2024", "2025-01-16 08:00"), ("Q1", "2023Q4", "2024-01-05 08:00"))

    items = compute_report_states(small_plan(), reports, Q4_2024, today=dt.date(2025, 1, 10))

    assert states_of(items) == {
        ("Q1", "2024Q1"): "on_time", ("Q1", "2024Q2"): "late", ("Q1", "2024Q3"): "missing",
        ("Q1", "2024Q4"): "not_due", ("H1", "2024H1"): "on_time", ("H1", "2024H2"): "on_time",
        ("Y1", "2024"): "late"}  # the due day itself counts as on time; 2023Q4 was never owed


def test_report_states_a_report_not_sent_becomes_missing_after_its_due_day() -> None:
    items = compute_report_states(small_plan(), first_reports(), Q4_2024, today=dt.date(2025, 1, 16))

    assert set(items["state"]) == {"missing"}


def test_department_grid_takes_the_worst_state_of_the_quarter() -> None:
    reports = first_reports(("Q1", "2024Q1", "2024-04-10"), ("Q1", "2024Q2", "2024-07-16"),
                            ("H1", "2024H1", "2024-07-01"), ("H1", "2024H2", "2025-01-05"), ("Y1", "2024", "2025-01-16"))
    grid = department_grid(compute_report_states(small_plan(), reports, Q4_2024, today=dt.date(2025, 1, 10)))

    assert {(d, q): s for d, q, s in zip(grid["department"], grid["quarter"], grid["state"])} == {
        ("D1", "2024Q1"): "on_time", ("D1", "2024Q2"): "late", ("D1", "2024Q3"): "missing",
        ("D1", "2024Q4"): "not_due", ("D2", "2024Q4"): "late"}
    row = grid[(grid["department"] == "D1") & (grid["quarter"] == "2024Q2")].iloc[0]
    assert (row["n_owed"], row["n_on_time"], row["n_late"]) == (2, 1, 1)


def grid_of(*cells: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(cells, columns=["department", "quarter", "state"])


def test_timeliness_ranking_rate_rank_and_change_since_last_quarter() -> None:
    grid = grid_of(("A", "2024Q1", "on_time"), ("A", "2024Q2", "missing"),
                   ("B", "2024Q1", "late"), ("B", "2024Q2", "on_time"),
                   ("C", "2024Q1", "on_time"), ("C", "2024Q2", "on_time"), ("C", "2024Q3", "not_due"))

    ranking = timeliness_ranking(grid, ["A", "B", "C", "D"], period_of_code("2024Q2"))

    rows = {r.department: (r.quarters_on_time, r.quarters_due, r.rank, r.previous_rank, r.rank_change)
            for r in ranking.itertuples()}
    assert rows["C"] == (2, 2, 1, 1, 0)
    assert rows["A"] == (1, 2, 2, 1, -1)  # fell from first (tied) to second
    assert rows["B"] == (1, 2, 2, 3, 1)  # rose from third
    assert rows["D"][:2] == (0, 0) and pd.isna(rows["D"][2])  # owed nothing: no rate, no rank
    assert list(ranking["department"]) == ["C", "A", "B", "D"]


def test_timeliness_of_gives_plain_values() -> None:
    grid = grid_of(("A", "2024Q1", "on_time"), ("A", "2024Q2", "late"))
    ranking = timeliness_ranking(grid, ["A", "B"], period_of_code("2024Q2"))

    assert timeliness_of(ranking, "A") == (0.5, 1, 0)
    assert timeliness_of(ranking, "B") == (None, None, None)
    assert timeliness_of(ranking, "nobody") == (None, None, None)


def test_ranking_rows_print_rank_rate_and_neutral_arrows() -> None:
    plan = small_plan()
    grid = grid_of(("D1", "2024Q1", "on_time"), ("D1", "2024Q2", "late"), ("D2", "2024Q1", "late"),
                   ("D2", "2024Q2", "on_time"))
    rows = ranking_rows(timeliness_ranking(grid, ["D1", "D2"], period_of_code("2024Q2")), plan, "zh")

    assert rows.to_dict("list") == {"rank": [1, 1], "department": ["一部", "二部"], "rate": ["50.0%", "50.0%"],
                                    "on_time_due": ["1/2", "1/2"], "rank_change": ["＝", "▲1"]}


def test_grid_for_display_names_departments_and_quarters_in_order() -> None:
    grid = grid_of(("D2", "2024Q4", "late"), ("D1", "2024Q2", "on_time"), ("D1", "2024Q1", "missing"))

    shown = grid_for_display(grid, small_plan(), "zh")

    assert shown.to_dict("list") == {"department": ["一部", "一部", "二部"],
                                     "quarter": ["2024年第一季度", "2024年第二季度", "2024年第四季度"],
                                     "state": ["missing", "on_time", "late"]}


def test_timeliness_of_the_sample_store_backfilled_2023_reports_were_late(sample_store: Store) -> None:
    from models.queries import read_first_reports

    standing = sample_store.standing()
    with sample_store.engine.connect() as conn:
        reports = read_first_reports(conn)
    items = compute_report_states(sample_store.plan, reports, standing.as_of, today=dt.date(2026, 3, 1))
    grid = department_grid(items)

    assert set(grid.loc[grid["quarter"] == "2023Q1", "state"]) == {"late"}  # sent with the 2023Q4 files in Jan 2024
    assert set(grid.loc[grid["quarter"] == "2025Q4", "state"]) == {"on_time"}
    assert "missing" not in set(items["state"])


def test_owed_reports_of_the_shipped_plan_are_every_period_after_the_baseline_up_to_the_target(
        sample_store: Store) -> None:
    """The owed reports, laid out per frequency at once, are exactly the rule's: each period of the indicator's
    frequency from the plan's start that ends after its baseline and by the cut-off and its target period."""
    plan = sample_store.plan
    for as_of in ("2023Q1", "2024Q2", "2025Q4"):
        cutoff = period_of_code(as_of)
        expected = [
            (i.department, i.code, p.code, quarter_of(p).code, p.end_date + dt.timedelta(days=plan.info.due_days))
            for i in plan.indicators
            for p in periods_between(plan.info.start_period, cutoff, i.frequency)
            if max(i.baseline_period.end_time, plan.info.start_period.start_time) + 1e-9 < p.end_time
            <= min(cutoff.end_time, i.target_period.end_time) + 1e-9]
        owed = owed_reports(plan, cutoff)
        assert list(owed.itertuples(index=False, name=None)) == expected
        assert len(expected) > 0

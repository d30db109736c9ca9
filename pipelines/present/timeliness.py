"""Reporting timeliness (及时率): which reports each department owed, whether they came on time, late or not at all.

A department owes a report for each of its indicators (主责部门) and each period of the indicator's frequency after
the baseline and up to the target period. The report is due at the period's end plus the plan's due days; it is on
time when its first value arrived by then, late when it arrived after, missing when it has not arrived and the due
date has passed, and not yet due otherwise. A department's quarter (the quarter in which the periods end) takes the
worst state of its reports; its 及时率 is on-time quarters ÷ quarters due, from the plan's start to the cut-off.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from models.columns import CODE, DEPARTMENT, PERIOD, SUBMITTED_AT
from pipelines.core.periods import Period, latest_period_ending_by, period_of_code, periods_between
from pipelines.engine.status_rule import EPS
from pipelines.plan.records import PlanData
from pipelines.present.formatting import MISSING as MISSING_MARK
from pipelines.present.formatting import format_rank_change, format_rate, name_of

ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"
STATES = (ON_TIME, LATE, MISSING, NOT_DUE)
_SEVERITY = {ON_TIME: 0, NOT_DUE: 1, LATE: 2, MISSING: 3}
QUARTER, DUE, ARRIVED, STATE = "quarter", "due", "arrived", "state"
ITEM_COLUMNS = [DEPARTMENT, CODE, PERIOD, QUARTER, DUE, ARRIVED, STATE]
GRID_COLUMNS = [DEPARTMENT, QUARTER, STATE, "n_owed", "n_on_time", "n_late", "n_missing", "n_not_due"]
RATE_COLUMNS = [DEPARTMENT, "quarters_due", "quarters_on_time", "rate", "rank", "previous_rank", "rank_change"]


def quarter_of(period: Period) -> Period:
    """The quarter in which a period ends (2025H1 → 2025Q2, 2025 → 2025Q4)."""
    return latest_period_ending_by(period.end_time, "quarterly")


def owed_reports(plan: PlanData, as_of: Period) -> pd.DataFrame:
    """Every (department, indicator, period) report due by the end of as_of, with its quarter and due date.

    Each frequency's periods are laid out once; an indicator owes the run of them that ends after its baseline and by
    its target period (a plan of 2,500 indicators over 400 quarters owes a million reports in a second)."""
    tables: dict[str, _Periods] = {}
    runs = []
    for indicator in plan.indicators:
        table = tables.get(indicator.frequency)
        if table is None:
            periods = periods_between(plan.info.start_period, as_of, indicator.frequency)
            table = tables[indicator.frequency] = _Periods.of(periods, plan.info.due_days)
        last = min(as_of.end_time, indicator.target_period.end_time)
        start = max(indicator.baseline_period.end_time, plan.info.start_period.start_time)
        first, stop = np.searchsorted(table.ends, [start + EPS, last + EPS], side="right")
        if stop > first:
            runs.append((indicator, table, first, stop))
    if not runs:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in (DEPARTMENT, CODE, PERIOD, QUARTER, DUE)})
    counts = [stop - first for _, _, first, stop in runs]
    return pd.DataFrame({
        DEPARTMENT: np.repeat(np.array([i.department for i, *_ in runs], dtype=object), counts),
        CODE: np.repeat(np.array([i.code for i, *_ in runs], dtype=object), counts),
        PERIOD: np.concatenate([t.codes[a:b] for _, t, a, b in runs]),
        QUARTER: np.concatenate([t.quarters[a:b] for _, t, a, b in runs]),
        DUE: np.concatenate([t.dues[a:b] for _, t, a, b in runs]),
    })


class _Periods(NamedTuple):
    """One frequency's periods in order: codes, the quarters they end in, their ends and their reports' due dates."""

    codes: np.ndarray
    quarters: np.ndarray
    ends: np.ndarray
    dues: np.ndarray

    @classmethod
    def of(cls, periods: list[Period], due_days: int) -> _Periods:
        return cls(np.array([p.code for p in periods], dtype=object),
                   np.array([quarter_of(p).code for p in periods], dtype=object),
                   np.array([p.end_time for p in periods], dtype=float),
                   np.array([p.end_date + dt.timedelta(days=due_days) for p in periods], dtype=object))


def compute_report_states(plan: PlanData, first_reports: pd.DataFrame, as_of: Period, today: dt.date) -> pd.DataFrame:
    """Each owed report with when its first value arrived and its state (on time, late, missing, not yet due)."""
    owed = owed_reports(plan, as_of)
    arrived = first_reports[[CODE, PERIOD, SUBMITTED_AT]].rename(columns={SUBMITTED_AT: ARRIVED})
    items = owed.merge(arrived, on=[CODE, PERIOD], how="left")
    day = pd.to_datetime(items[ARRIVED]).dt.normalize()  # the day the first value arrived (NaT: not yet)
    due = pd.to_datetime(items[DUE])
    state = np.where(day.isna(), np.where(due < pd.Timestamp(today), MISSING, NOT_DUE),
                     np.where(day <= due, ON_TIME, LATE))
    return items.assign(**{STATE: state.astype(object)})[ITEM_COLUMNS]


def department_grid(items: pd.DataFrame) -> pd.DataFrame:
    """Per department and quarter: the worst state of its reports and how many were owed, on time, late, missing."""
    if items.empty:
        return pd.DataFrame(columns=GRID_COLUMNS)
    counts = pd.crosstab([items[DEPARTMENT], items[QUARTER]], items[STATE]).reindex(columns=list(STATES), fill_value=0)
    grid = counts.rename(columns={s: f"n_{s}" for s in STATES}).reset_index()
    grid["n_owed"] = grid[[f"n_{s}" for s in STATES]].sum(axis=1)
    grid[STATE] = [_worst(row) for row in grid[[f"n_{s}" for s in STATES]].itertuples(index=False)]
    return grid[GRID_COLUMNS]


def _worst(counts: tuple[int, ...]) -> str:
    present = [state for state, n in zip(STATES, counts) if n]
    return max(present, key=_SEVERITY.__getitem__)


def timeliness_rates(grid: pd.DataFrame, departments: list[str], upto: Period) -> pd.DataFrame:
    """及时率 per department over quarters up to `upto`: on-time quarters ÷ quarters due (not-yet-due ones left out)."""
    ends = grid[QUARTER].map(lambda code: _quarter_end(code))
    due = grid[(ends <= upto.end_time + EPS) & (grid[STATE] != NOT_DUE)]
    owed = due[DEPARTMENT].value_counts().to_dict()
    on_time = due.loc[due[STATE] == ON_TIME, DEPARTMENT].value_counts().to_dict()
    frame = pd.DataFrame({DEPARTMENT: departments, "quarters_due": [int(owed.get(d, 0)) for d in departments],
                          "quarters_on_time": [int(on_time.get(d, 0)) for d in departments]})
    frame["rate"] = frame["quarters_on_time"] / frame["quarters_due"].where(frame["quarters_due"] > 0)
    frame["rank"] = frame["rate"].rank(ascending=False, method="min").astype("Int64")
    return frame


def _quarter_end(code: str) -> float:
    year, index = int(code[:4]), int(code[-1])
    return year + index / 4


def timeliness_ranking(grid: pd.DataFrame, departments: list[str], as_of: Period) -> pd.DataFrame:
    """及时率 and rank up to as_of, the rank a quarter earlier, and the change (positive = moved up)."""
    now = timeliness_rates(grid, departments, as_of)
    before = timeliness_rates(grid, departments, latest_period_ending_by(as_of.end_time - 0.25, "quarterly"))
    now["previous_rank"] = before["rank"].to_numpy()
    now["rank_change"] = (now["previous_rank"] - now["rank"]).astype("Int64")
    return now.sort_values(["rank", DEPARTMENT], na_position="last", kind="stable").reset_index(drop=True)[RATE_COLUMNS]


def grid_for_display(grid: pd.DataFrame, plan: PlanData, lang: str) -> pd.DataFrame:
    """The grid with department names and quarter labels (2025年第三季度), departments in plan order, quarters in
    time."""
    names = {d.code: name_of(d, lang) for d in plan.departments}
    order = {d.code: n for n, d in enumerate(plan.departments)}
    frame = grid.assign(_d=grid[DEPARTMENT].map(order), _q=grid[QUARTER].map(_quarter_end))
    frame = frame.sort_values(["_d", "_q"], kind="stable")
    return pd.DataFrame({DEPARTMENT: frame[DEPARTMENT].map(names), QUARTER: frame[QUARTER].map(
        lambda q: period_of_code(q).label(lang)), STATE: frame[STATE]}).reset_index(drop=True)


def ranking_rows(ranking: pd.DataFrame, plan: PlanData, lang: str) -> pd.DataFrame:
    """The 及时率 ranking as printed: 位次, department, 及时率, quarters on time / due, and the change of rank (▲/▼)."""
    names = {d.code: name_of(d, lang) for d in plan.departments}
    return pd.DataFrame({
        "rank": [MISSING_MARK if pd.isna(r) else int(r) for r in ranking["rank"]],
        DEPARTMENT: ranking[DEPARTMENT].map(names),
        "rate": [format_rate(None if pd.isna(r) else float(r)) for r in ranking["rate"]],
        "on_time_due": [f"{a}/{b}" for a, b in zip(ranking["quarters_on_time"], ranking["quarters_due"])],
        "rank_change": [format_rank_change(None if pd.isna(c) else int(c), lang) for c in ranking["rank_change"]],
    })


def timeliness_of(ranking: pd.DataFrame, department: str) -> tuple[float | None, int | None, int | None]:
    """One department's (及时率, rank, change of rank) from a ranking; None where it owed nothing yet."""
    rows = ranking[ranking[DEPARTMENT] == department]
    if rows.empty:
        return None, None, None
    row = rows.iloc[0]

    def plain(value: object, kind: type) -> object:
        return None if pd.isna(value) else kind(value)  # type: ignore[call-overload]

    return plain(row["rate"], float), plain(row["rank"], int), plain(row["rank_change"], int)  # type: ignore[return-value]

"""Tables the submission and review pages show, built from pipeline results: problems, the preview of changes,
the history of submissions. Pure functions: values and DataFrames in, DataFrames out (pages only draw them)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from models.columns import CODE, NOTE, PERIOD, ROW, VALUE
from pipelines.core.catalog import t
from pipelines.core.columns import CHANGE, PREVIOUS
from pipelines.core.issue import Issue
from pipelines.core.periods import latest_period_ending_by, period_containing, period_of_code, periods_between
from pipelines.plan.records import PlanData

STATUS_KEYS = {"pending": "submit.status.pending", "approved": "submit.status.approved",
               "returned": "submit.status.returned"}


def issues_frame(issues: Sequence[Issue], lang: str = "zh") -> pd.DataFrame:
    """行 (as in Excel) / 列 / 值 / 问题及修改方法, one problem a row."""
    columns = [t(f"submit.col.{c}", lang) for c in ("row", "column", "value", "problem")]
    rows = [[i.row if i.row is not None else "", i.column, i.value, i.message(lang)] for i in issues]
    return pd.DataFrame(rows, columns=columns).astype(str)


def preview_frame(rows: pd.DataFrame, plan: PlanData, red: Sequence[str], lang: str = "zh") -> pd.DataFrame:
    """What the file changes: indicator, period, current value → new value, and new / revised / unchanged."""
    names = {i.code: i.name_zh if lang == "zh" else i.name_en for i in plan.indicators}
    units = {i.code: i.unit for i in plan.indicators}
    frame = pd.DataFrame({
        t("submit.col.row", lang): rows[ROW].astype(int),
        t("submit.col.code", lang): rows[CODE],
        t("submit.col.name", lang): rows[CODE].map(names),
        t("submit.col.period", lang): [period_of_code(p).label(lang) for p in rows[PERIOD]],
        t("submit.col.old", lang): [_number(v) for v in rows[PREVIOUS]],
        t("submit.col.new", lang): [_number(v) for v in rows[VALUE]],
        t("submit.col.unit", lang): rows[CODE].map(units),
        t("submit.col.change", lang): [t(f"submit.change.{c}", lang) for c in rows[CHANGE]],
        t("submit.col.red", lang): [t("submit.red-mark", lang) if c in set(red) else "" for c in rows[CODE]],
        t("submit.col.note", lang): rows[NOTE].astype(str),
    })
    return frame


def _number(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):g}"


def lock_history_frame(events: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every lock and unlock of a quarter, newest first: quarter, action, by whom, when, and the reason to unlock."""
    return pd.DataFrame({
        t("submit.quarter", lang): [period_of_code(p).label(lang) for p in events["period"]],
        t("review.lock-action", lang): [t(f"review.lock-action.{a}", lang) for a in events["action"]],
        t("review.lock-by", lang): events["by"],
        t("review.lock-at", lang): pd.to_datetime(events["at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("review.unlock-reason", lang): events["reason"],
    })


def history_frame(submissions: pd.DataFrame, plan: PlanData, lang: str = "zh") -> pd.DataFrame:
    """A department's submissions: number, time, file, who, counts, status and the reviewer's comment."""
    departments = {d.code: d.name_zh if lang == "zh" else d.name_en for d in plan.departments}
    return pd.DataFrame({
        t("submit.col.id", lang): submissions["id"].astype(int),
        t("submit.col.time", lang): pd.to_datetime(submissions["submitted_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("submit.col.department", lang): submissions["department"].map(departments).fillna(""),
        t("submit.col.file", lang): submissions["file_name"],
        t("submit.col.submitter", lang): submissions["submitter"].fillna(""),
        t("submit.col.counts", lang): [t("submit.counts", lang, new=n, revised=r, unchanged=u) for n, r, u in
                                       submissions[["n_new", "n_revised", "n_unchanged"]].itertuples(index=False)],
        t("submit.col.status", lang): [t(STATUS_KEYS[s], lang) if s in STATUS_KEYS else s
                                       for s in submissions["status"]],
        t("submit.col.comment", lang): submissions["comment"].fillna(""),
    })


def selectable_quarters(plan: PlanData, today: dt.date) -> list[str]:
    """The quarters a template may be asked for, newest first: from the plan's start to the quarter just ended."""
    ended = latest_period_ending_by(period_containing(today).start_time, "quarterly")
    last = min(ended, latest_period_ending_by(plan.info.end_period.end_time, "quarterly"))
    return [p.code for p in reversed(periods_between(plan.info.start_period, last, "quarterly"))]

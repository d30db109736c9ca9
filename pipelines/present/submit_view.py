"""Tables the submission and review pages show, built from pipeline results: problems, the preview of changes,
the history of submissions. Pure functions: values and DataFrames in, DataFrames out (pages only draw them)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from models.columns import CODE, NOTE, PERIOD, ROW, VALUE
from models.states import SUBMISSION_STATUSES
from pipelines.core.catalog import t
from pipelines.core.columns import CHANGE, PREVIOUS
from pipelines.core.issue import Issue
from pipelines.core.periods import latest_period_ending_by, period_containing, period_of_code, periods_between
from pipelines.plan.records import PlanData
from pipelines.present.formatting import name_of, status_badge

STATUS_KEYS = {status: f"submit.status.{status}" for status in SUBMISSION_STATUSES}


def issues_frame(issues: Sequence[Issue], lang: str = "zh") -> pd.DataFrame:
    """行 (as in Excel) / 列 / 值 / 问题及修改方法, one problem a row."""
    columns = [t(f"submit.col.{c}", lang) for c in ("row", "column", "value", "problem")]
    rows = [[i.row if i.row is not None else "", i.column, i.value, i.message(lang)] for i in issues]
    return pd.DataFrame(rows, columns=columns).astype(str)


def preview_frame(rows: pd.DataFrame, plan: PlanData, red: Sequence[str], lang: str = "zh") -> pd.DataFrame:
    """What the file changes: indicator, period, current value → new value, and new / revised / unchanged."""
    frame = pd.DataFrame({
        **_value_columns(rows, plan, lang),
        t("submit.col.change", lang): [t(f"submit.change.{c}", lang) for c in rows[CHANGE]],
        t("submit.col.red", lang): [t("submit.red-mark", lang) if c in set(red) else "" for c in rows[CODE]],
        t("submit.col.note", lang): rows[NOTE].astype(str),
    })
    return frame


def _value_columns(rows: pd.DataFrame, plan: PlanData, lang: str) -> dict[str, object]:
    """行 / 指标编码 / 指标名称 / 统计期 / 当前值 / 本次填报值 / 计量单位: the columns preview and review share."""
    names = {i.code: name_of(i, lang) for i in plan.indicators}
    units = {i.code: i.unit for i in plan.indicators}
    return {
        t("submit.col.row", lang): rows[ROW].astype(int),
        t("submit.col.code", lang): rows[CODE],
        t("submit.col.name", lang): rows[CODE].map(names),
        t("submit.col.period", lang): [period_of_code(p).label(lang) for p in rows[PERIOD]],
        t("submit.col.old", lang): [_number(v) for v in rows[PREVIOUS]],
        t("submit.col.new", lang): [_number(v) for v in rows[VALUE]],
        t("submit.col.unit", lang): rows[CODE].map(units),
    }


def review_frame(rows: pd.DataFrame, plan: PlanData, lang: str = "zh") -> pd.DataFrame:
    """A pending submission as the reviewer weighs it (rows of pipelines.workflow.pending.PendingView): current value →
    value sent with the change in %, the status once approved, 核实性 questions with the department's answer (the
    备注), the narrative, and other pending submissions that change the same value."""
    return pd.DataFrame({
        **_value_columns(rows, plan, lang),
        t("review.col.change-pct", lang): [_percent(p, old, lang)
                                           for p, old in zip(rows["change_pct"], rows[PREVIOUS])],
        t("review.col.status-after", lang): [status_badge(s, lang) if s else "" for s in rows["status_after"]],
        t("review.col.flags", lang): ["；".join(i.message(lang) for i in flags) for flags in rows["flags"]],
        t("submit.col.note", lang): rows[NOTE].astype(str),
        t("submit.progress", lang): rows["progress"].astype(str),
        t("submit.problems", lang): rows["problems"].astype(str),
        t("submit.next-steps", lang): rows["next_steps"].astype(str),
        t("review.col.others", lang): [other_ids(ids, lang) for ids in rows["others"]],
    })


def other_ids(ids: Sequence[int], lang: str = "zh") -> str:
    """报送编号5、报送编号7: other submissions named in a cell or a warning."""
    return "、".join(t("review.other-id", lang, id=i) for i in ids)


def _percent(change: float | None, old: float | None, lang: str) -> str:
    if change is None or pd.isna(change):
        return t("review.no-previous", lang) if old is None or pd.isna(old) else t("review.from-zero", lang)
    return t("submit.change.unchanged", lang) if change == 0 else f"{change:+.1f}%"


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

"""The 重点任务 ledger (督查督办台账) as tables: each task's owner, deadline, the quarter's milestone, its latest
approved 进展情况 and its state as of a quarter and a day, and the counts line the overview and action pages show."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from models.states import APPROVED
from pipelines.core.catalog import t
from pipelines.core.periods import Period, latest_period_ending_by, period_containing, period_of_code
from pipelines.engine.tasks import (
    TASK_GROUP,
    TASK_ICON,
    TASK_STATES,
    TaskStanding,
    count_states,
    task_state,
)
from pipelines.plan.records import PlanData, TaskDef
from pipelines.plan.tasks import reports_of
from pipelines.present.formatting import MISSING, name_of

CODE, ACTION, SUB_ITEM, TASK, LEAD, SUPPORT = "code", "action", "sub_item", "task", "lead", "support"
DUE, MILESTONE, PROGRESS, PERIOD, STATE, STATE_CODE = "due", "milestone", "progress", "period", "state", "state_code"
DAYS_LEFT, GROUP, LEAD_CODE, ACTION_CODE = "days_left", "group", "lead_code", "action_code"
LEDGER_COLUMNS = (CODE, ACTION, SUB_ITEM, TASK, LEAD, SUPPORT, DUE, MILESTONE, PROGRESS, PERIOD, STATE)
NOT_DONE = ("overdue", "due_soon", "extension_requested", "extended", "in_progress", "not_started")


def ledger_quarter(plan_end: Period, today: dt.date) -> Period:
    """The quarter a ledger opens on: today's, or the plan's last once it has ended."""
    return latest_period_ending_by(min(period_containing(today).end_time, plan_end.end_time), "quarterly")


def ledger_day(as_of: Period, today: dt.date, due_days: int = 15) -> dt.date:
    """The day a quarter's ledger is judged on: the quarter's reporting deadline (its last day and the plan's days for
    reporting), or today while that has not come — so the quarter's own reports, sent after it ended, are seen."""
    return min(today, as_of.end_date + dt.timedelta(days=due_days))


def task_standings(plan: PlanData, reports: pd.DataFrame, as_of: Period, today: dt.date) -> dict[str, TaskStanding]:
    day = ledger_day(as_of, today, plan.info.due_days)
    return {task.code: task_state(task.due, reports_of(reports, task.code, as_of), day) for task in plan.tasks}


def latest_progress(reports: pd.DataFrame, code: str, as_of: Period) -> tuple[str, str]:
    """The newest approved 进展情况 of a task up to as_of and its quarter ('' when none); pending words not shown."""
    if reports.empty:
        return "", ""
    rows = reports[(reports["task_code"] == code) & (reports["status"] == APPROVED)]
    rows = rows[[period_of_code(str(p)).end_time <= as_of.end_time + 1e-9 for p in rows["period"]]]
    if rows.empty:
        return "", ""
    last = rows.iloc[-1]
    return str(last["progress"]), str(last["period"])


def state_name(state: str, lang: str) -> str:
    return t(f"task.state.{state}", lang)


def state_badge(state: str, lang: str) -> str:
    """A task's state as shape and word, never colour alone: △ 临近到期."""
    return f"{TASK_ICON[state]} {state_name(state, lang)}"


def ledger_rows(plan: PlanData, reports: pd.DataFrame, as_of: Period, today: dt.date, lang: str) -> pd.DataFrame:
    """One row per task in plan order: the ledger's columns, the state's code and group, days left, the owner's and
    the action's codes (for filters)."""
    standings = task_standings(plan, reports, as_of, today)
    subs = {s.code: s for s in plan.sub_items}
    actions = {a.code: a for a in plan.actions}
    departments = {d.code: name_of(d, lang) for d in plan.departments}
    rows = []
    for task in plan.tasks:
        standing = standings[task.code]
        sub = subs[task.sub_item_code]
        progress, period = latest_progress(reports, task.code, as_of)
        rows.append({
            CODE: task.code, ACTION: name_of(actions[sub.action_code], lang), SUB_ITEM: name_of(sub, lang),
            TASK: name_of(task, lang), LEAD: departments.get(task.department, task.department),
            SUPPORT: ("、" if lang != "en" else "; ").join(departments.get(c, c) for c in task.supporting_departments)
            or MISSING,
            DUE: _due_text(task, standing, lang), MILESTONE: task.milestone_of(as_of) or MISSING,
            PROGRESS: progress or MISSING, PERIOD: period_of_code(period).label(lang) if period else MISSING,
            STATE: state_badge(standing.state, lang), STATE_CODE: standing.state, GROUP: TASK_GROUP[standing.state],
            DAYS_LEFT: standing.days_left, LEAD_CODE: task.department, ACTION_CODE: sub.action_code,
        })
    return pd.DataFrame(rows, columns=[*LEDGER_COLUMNS, STATE_CODE, GROUP, DAYS_LEFT, LEAD_CODE, ACTION_CODE])


def _due_text(task: TaskDef, standing: TaskStanding, lang: str) -> str:
    if standing.due != standing.original_due:
        return t("task.due-extended", lang, due=standing.due.isoformat(), original=standing.original_due.isoformat())
    if standing.requested_due is not None:
        return t("task.due-requested", lang, due=standing.due.isoformat(), asked=standing.requested_due.isoformat())
    return standing.due.isoformat()


def counts_line(counts: Mapping[str, int], lang: str) -> str:
    """「重点任务14项：已销号5项、推进中6项、临近到期1项、逾期2项」 — the non-zero states, the most urgent first."""
    n = sum(counts.values())
    if n == 0:
        return t("task.none", lang)
    parts = [t("task.count", lang, state=state_name(s, lang), n=counts[s]) for s in TASK_STATES if counts.get(s)]
    return t("task.line", lang, n=n, counts=t("task.separator", lang).join(parts))


def ledger_counts(rows: pd.DataFrame, action: str | None = None) -> dict[str, int]:
    shown = rows if action is None else rows[rows[ACTION_CODE] == action]
    return count_states(shown[STATE_CODE])


def ledger_records(rows: pd.DataFrame, plan: PlanData) -> list[dict[str, object]]:
    """The command line's JSON rows: code, state, due, department, progress, period."""
    dues = {task.code: task for task in plan.tasks}
    return [{"code": r[CODE], "state": r[STATE_CODE], "due": dues[r[CODE]].due.isoformat(), "department": r[LEAD_CODE],
             "progress": None if r[PROGRESS] == MISSING else r[PROGRESS],
             "period": None if r[PERIOD] == MISSING else r[PERIOD], "days_left": int(r[DAYS_LEFT])}
            for _, r in rows.iterrows()]


def not_done_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Tasks not closed and not reported done, the most urgent first (逾期 and 临近到期 lead)."""
    order = {s: n for n, s in enumerate(TASK_STATES)}
    shown = rows[rows[STATE_CODE].isin(NOT_DONE)]
    return shown.assign(_o=shown[STATE_CODE].map(order)).sort_values(["_o", DAYS_LEFT], kind="stable").drop(
        columns=["_o"])


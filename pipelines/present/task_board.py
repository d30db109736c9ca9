"""The 重点任务 as the pages show them beside the ledger (pipelines.present.tasks): the ledger in the plan's order of
actions and sub-items and filtered as the 重点任务 page's controls choose, the task line of the overview and of an
action, the 催办 list of overdue tasks with their owners, and the task reports each department owes for a quarter with
those received (a task not closed owes one each quarter until it is). Pure: plan, reports and today in, frames out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from models.states import APPROVED, PENDING
from pipelines.core.catalog import t
from pipelines.core.periods import Period, period_of_code
from pipelines.plan.records import PlanData, TaskDef
from pipelines.present.formatting import MISSING, name_of
from pipelines.present.submission_board import NOT_SENT, SENT, cell_text
from pipelines.present.tables import localise
from pipelines.present.tasks import (
    ACTION,
    ACTION_CODE,
    CODE,
    DAYS_LEFT,
    DUE,
    LEAD,
    LEAD_CODE,
    LEDGER_COLUMNS,
    MILESTONE,
    PERIOD,
    PROGRESS,
    STATE,
    STATE_CODE,
    SUB_ITEM,
    SUPPORT,
    TASK,
    counts_line,
    ledger_counts,
    ledger_day,
    ledger_quarter,
    ledger_rows,
)

OVERDUE_DAYS = "overdue_days"
# one action's tasks on screen: what a leader reads first (the task, its state, owner and deadline) before the rest
ACTION_COLUMNS = (CODE, SUB_ITEM, TASK, STATE, LEAD, DUE, PROGRESS, PERIOD, MILESTONE, SUPPORT)
OVERDUE_COLUMNS = (CODE, TASK, LEAD, SUPPORT, DUE, OVERDUE_DAYS)
OWED_COLUMNS = ("task_code", "department", "due", "state", "sent_at")


def task_codes(plan: PlanData) -> tuple[str, ...]:
    """The plan's task codes, the key of its reports' read."""
    return tuple(task.code for task in plan.tasks)


def task_ledger(plan: PlanData, reports: pd.DataFrame, as_of: Period, today: dt.date, lang: str) -> pd.DataFrame:
    """The ledger (ledger_rows) per action and sub-item: the plan's order of its sub-items, then of its tasks."""
    rows = ledger_rows(plan, reports, as_of, today, lang)
    position = {sub.code: n for n, sub in enumerate(plan.sub_items)}
    place = {task.code: position.get(task.sub_item_code, len(position)) for task in plan.tasks}
    order = rows[CODE].map(place)
    return rows.assign(_o=order).sort_values("_o", kind="stable").drop(columns=["_o"]).reset_index(drop=True)


def lead_departments(plan: PlanData) -> list[str]:
    """The departments that lead a task, in the plan's order of departments (the page's 主责部门 filter)."""
    leads = {task.department for task in plan.tasks}
    return [d.code for d in plan.departments if d.code in leads]


def task_actions(plan: PlanData) -> list[str]:
    """The actions that hold a task, in the plan's order (the page's 专项行动 filter)."""
    actions = {sub.action_code for sub in plan.sub_items if sub.code in {task.sub_item_code for task in plan.tasks}}
    return [a.code for a in plan.actions if a.code in actions]


def filter_ledger(rows: pd.DataFrame, action: str | None, states: Sequence[str], lead: str | None) -> pd.DataFrame:
    """The rows of one action (None: all), of the states chosen (none chosen: all) and of one lead department."""
    keep = pd.Series(True, index=rows.index)
    if action:
        keep &= rows[ACTION_CODE] == action
    if states:
        keep &= rows[STATE_CODE].isin(list(states))
    if lead:
        keep &= rows[LEAD_CODE] == lead
    return rows[keep]


def ledger_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ledger as exported: its columns under the catalog's names (编码、专项行动、子项 … 状态)."""
    return localise(rows[list(LEDGER_COLUMNS)].reset_index(drop=True), lang)


def action_tables(rows: pd.DataFrame, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """The ledger on screen: per action (in the rows' order) its name and its tasks' table, the task and its state
    first (ACTION_COLUMNS) under the catalog's names."""
    return [(str(name), localise(group[list(ACTION_COLUMNS)].reset_index(drop=True), lang))
            for name, group in rows.groupby(ACTION, sort=False)]


def task_line(rows: pd.DataFrame, lang: str, action: str | None = None) -> str:
    """「重点任务14项：逾期2项、…」 of the plan, or of one action (an action without tasks says so)."""
    counts = ledger_counts(rows, action)
    if action is not None and not sum(counts.values()):
        return t("task_pages.action-none", lang)
    return counts_line(counts, lang)


def overdue_tasks(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """催办: the overdue tasks with their owners, deadline and days overdue, the longest overdue first."""
    late = rows[rows[STATE_CODE] == "overdue"].sort_values(DAYS_LEFT, kind="stable")
    days = [t("task_pages.days", lang, n=-int(d)) for d in late[DAYS_LEFT]]
    return late.assign(**{OVERDUE_DAYS: days})[list(OVERDUE_COLUMNS)].reset_index(drop=True)


def chase_now(plan: PlanData, reports: pd.DataFrame, today: dt.date, lang: str) -> tuple[pd.DataFrame, dt.date]:
    """报送情况's 催办: the tasks overdue as of today's quarter (an ended plan: its last, judged on that quarter's
    reporting deadline), and the day they are judged on."""
    quarter = ledger_quarter(plan.info.end_period, today)
    rows = ledger_rows(plan, reports, quarter, today, lang)
    return overdue_tasks(rows, lang), ledger_day(quarter, today, plan.info.due_days)


# ---- the task reports a quarter is owed (报送情况) -----------------------------------------------------------------

def owed_task_reports(plan: PlanData, reports: pd.DataFrame, quarter: Period, today: dt.date) -> pd.DataFrame:
    """One row per task owing a report for `quarter` (every task not closed by an approved 已完成 of an earlier
    quarter), in the plan's order: its lead department, the report's due date, 未填报 / 已上报 / 审核通过 and when the
    report counted was sent."""
    if quarter.end_time <= plan.info.start_period.start_time + 1e-9:
        return pd.DataFrame(columns=list(OWED_COLUMNS))
    due = quarter.end_date + dt.timedelta(days=plan.info.due_days)
    rows = [_owed(task, _of_task(reports, task.code), quarter, due) for task in plan.tasks]
    return pd.DataFrame([r for r in rows if r is not None], columns=list(OWED_COLUMNS))


def _of_task(reports: pd.DataFrame, code: str) -> pd.DataFrame:
    return reports[reports["task_code"] == code] if not reports.empty else reports


def _owed(task: TaskDef, mine: pd.DataFrame, quarter: Period, due: dt.date) -> dict[str, object] | None:
    if not mine.empty:
        closing = mine[(mine["status"] == APPROVED) & (mine["state"] == "done")]
        if any(period_of_code(str(p)).end_time < quarter.end_time - 1e-9 for p in closing["period"]):
            return None  # closed (销号) by an earlier quarter's report: owes nothing more
    this = mine[mine["period"] == quarter.code] if not mine.empty else mine
    if this.empty:
        return {"task_code": task.code, "department": task.department, "due": due, "state": NOT_SENT,
                "sent_at": None}
    state = APPROVED if (this["status"] == APPROVED).any() else SENT if (this["status"] == PENDING).any() else NOT_SENT
    return {"task_code": task.code, "department": task.department, "due": due, "state": state,
            "sent_at": pd.Timestamp(this["submitted_at"].min()).date()}


def owed_rows(owed: pd.DataFrame, plan: PlanData, today: dt.date, lang: str) -> pd.DataFrame:
    """The owed reports as the board shows them, departments in the plan's order: 填报单位, 编码, 重点任务, 截止日期,
    报送情况 (审核通过 / 已上报 / 未填报·已逾期), 报送时间."""
    names = {d.code: name_of(d, lang) for d in plan.departments}
    order = {d.code: n for n, d in enumerate(plan.departments)}
    tasks = {task.code: name_of(task, lang) for task in plan.tasks}
    shown = owed.assign(_d=owed["department"].map(order)).sort_values("_d", kind="stable")
    return pd.DataFrame({
        t("submit.col.department", lang): [names.get(d, d) for d in shown["department"]],
        t("ui.col.code", lang): list(shown["task_code"]),
        t("ui.col.task", lang): [tasks[c] for c in shown["task_code"]],
        t("board.due", lang): [d.isoformat() for d in shown["due"]],
        t("task_pages.col.report", lang): [cell_text(s, None, 0, today, d, lang)
                                           for s, d in zip(shown["state"], shown["due"])],
        t("task_pages.col.sent-at", lang): [d.isoformat() if isinstance(d, dt.date) else MISSING
                                            for d in shown["sent_at"]],
    })


def owed_line(owed: pd.DataFrame, quarter: Period, lang: str) -> str:
    """「2026年第三季度应报重点任务进展4项，已收到1项（其中待审核1项），未报送3项」."""
    received = int((owed["state"] != NOT_SENT).sum())
    return t("task_pages.board.owed-line", lang, quarter=quarter.label(lang), n=len(owed), received=received,
             pending=int((owed["state"] == SENT).sum()), missing=len(owed) - received)

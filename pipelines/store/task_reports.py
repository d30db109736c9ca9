"""The store's side of a department's quarterly 重点任务 reports: what a file's task rows are checked against (each
task with its plan, the deadline in force, the report of each quarter as it stands) and writing the rows that pass,
each a new revision of its task and quarter, under the submission that carried them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, insert, select, text

from models.schema import PlanTask, TaskReport
from models.states import APPROVED, PENDING
from pipelines.engine.tasks import task_state
from pipelines.plan.records import PlanData, PlanInfo, TaskDef
from pipelines.plan.tasks import reports_of
from pipelines.store.plans import SERIES_VIEW
from pipelines.store.tasks import read_task_reports


@dataclass(frozen=True)
class TaskRow:
    """One checked row of a department's task report: the quarter's 进展情况 and 完成状态 of one task."""

    row: int  # as Excel numbers it
    task_code: str
    period: str  # a quarter's code
    state: str  # not_started / in_progress / done / extension
    progress: str
    done_on: dt.date | None = None
    new_due: dt.date | None = None
    note: str = ""
    change: str = "new"  # new / revised / unchanged against the report of the quarter as it stands

    def same_report(self, other: TaskRow) -> bool:
        return (self.state, self.progress, self.done_on, self.new_due, self.note) == (
            other.state, other.progress, other.done_on, other.new_due, other.note)


@dataclass(frozen=True)
class TaskEntry:
    """A task a file may report, with the plan it belongs to and the deadline in force on the day of checking."""

    task: TaskDef
    plan: PlanInfo
    due: dt.date  # the plan's deadline, or the one an approved extension set


@dataclass(frozen=True)
class TaskBook:
    """Every task of the plan (or of every plan, for the series view) with what its reports are checked against."""

    entries: Mapping[str, TaskEntry] = field(default_factory=dict)
    latest: Mapping[tuple[str, str], TaskRow] = field(default_factory=dict)  # (task, quarter) → the report counted


def read_task_plans(conn: Connection) -> dict[str, str]:
    """Task code → the code of the plan it belongs to (task codes are unique across the store's plans)."""
    return {str(code): str(plan) for code, plan in conn.execute(select(PlanTask.code, PlanTask.plan_code))}


def read_task_book(conn: Connection, plan: PlanData, today: dt.date) -> TaskBook:
    """The task book of a plan, or of the series view (each task with its own plan), as the store holds it now."""
    plan_of = read_task_plans(conn) if plan.info.code == SERIES_VIEW else {}
    reports = read_task_reports(conn, [task.code for task in plan.tasks]) if plan.tasks else pd.DataFrame()
    return book_of(plan, plan_of, reports, today)


def book_of(plan: PlanData, plan_of: Mapping[str, str], reports: pd.DataFrame, today: dt.date) -> TaskBook:
    """The task book from plain values: `plan_of` names each task's plan in the series view (for one plan it is the
    plan itself), `reports` are read_task_reports' rows."""
    plans = {info.code: info for info in plan.plans}
    entries = {}
    for task in plan.tasks:
        info = plans.get(plan_of.get(task.code, ""), plan.info)
        entries[task.code] = TaskEntry(task, info, task_state(task.due, reports_of(reports, task.code), today).due)
    return TaskBook(entries, _latest(reports))


def _latest(reports: pd.DataFrame) -> dict[tuple[str, str], TaskRow]:
    if reports.empty:
        return {}
    newest = reports.sort_values(["task_code", "period", "revision"]).groupby(["task_code", "period"]).tail(1)
    out = {}
    for r in newest.itertuples(index=False):
        code, period = str(r.task_code), str(r.period)
        out[(code, period)] = TaskRow(0, code, period, str(r.state), str(r.progress), _day(r.done_on),
                                      _day(r.new_due), str(r.note or ""))
    return out


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


# ---- write -------------------------------------------------------------------------------------------------------

def save_task_reports(conn: Connection, submission_id: int, rows: Sequence[TaskRow]) -> None:
    """Append the rows as new revisions of their task and quarter (every revision kept: returned and withdrawn ones
    too, so numbers never repeat)."""
    if not rows:
        return
    top = _max_revisions(conn, sorted({r.task_code for r in rows}))
    conn.execute(insert(TaskReport), [
        {"task_code": r.task_code, "period": r.period, "revision": top.get((r.task_code, r.period), 0) + 1,
         "submission_id": submission_id, "state": r.state, "progress": r.progress, "done_on": r.done_on,
         "new_due": r.new_due, "note": r.note, "source_row": r.row} for r in rows])


def _max_revisions(conn: Connection, codes: Collection[str]) -> dict[tuple[str, str], int]:
    table = TaskReport.__table__
    found = conn.execute(select(table.c.task_code, table.c.period, table.c.revision)
                         .where(table.c.task_code.in_(list(codes)))).all()
    top: dict[tuple[str, str], int] = {}
    for code, period, revision in found:
        top[(code, period)] = max(top.get((code, period), 0), int(revision))
    return top


# ---- read, for the review ----------------------------------------------------------------------------------------

SUBMISSION_TASK_COLUMNS = ["task_code", "period", "revision", "state", "progress", "done_on", "new_due", "note",
                           "source_row"]


def read_submission_tasks(conn: Connection, submission_id: int) -> pd.DataFrame:
    """The task reports a submission carries, in the order of its file."""
    table = TaskReport.__table__
    rows = conn.execute(select(*(table.c[c] for c in SUBMISSION_TASK_COLUMNS))
                        .where(table.c.submission_id == submission_id).order_by(table.c.source_row)).all()
    frame = pd.DataFrame(rows, columns=SUBMISSION_TASK_COLUMNS)
    for column in ("done_on", "new_due"):
        frame[column] = [_stored_day(v) for v in frame[column]]
    return frame


def _stored_day(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return _day(value) or dt.date.fromisoformat(str(value)[:10])


def read_task_periods(conn: Connection, submission_id: int) -> list[str]:
    """The quarters a submission's task reports are for."""
    return list(conn.execute(text("SELECT DISTINCT period FROM task_report WHERE submission_id = :i"),
                             {"i": submission_id}).scalars())


def newer_task_report(conn: Connection, submission_id: int) -> tuple[int, str, str] | None:
    """(newer submission, task, quarter): the first newer submission, approved or pending, that reports a task and
    quarter this one reports too."""
    row = conn.execute(text(
        "SELECT r2.submission_id, r2.task_code, r2.period FROM task_report r "
        "JOIN task_report r2 ON r2.task_code = r.task_code AND r2.period = r.period "
        "JOIN submission s2 ON s2.id = r2.submission_id "
        "WHERE r.submission_id = :i AND r2.submission_id > :i AND s2.status IN (:approved, :pending) "
        "ORDER BY r2.submission_id, r2.task_code, r2.period"),
        {"i": submission_id, "approved": APPROVED, "pending": PENDING}).first()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


__all__ = [
    "TaskBook",
    "TaskEntry",
    "TaskRow",
    "book_of",
    "newer_task_report",
    "read_submission_tasks",
    "read_task_book",
    "read_task_periods",
    "read_task_plans",
    "save_task_reports",
]

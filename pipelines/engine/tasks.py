"""重点任务 as 督查督办 follows them: a task's state on a day from its deadline, its departments' approved reports and
the reviewers' decisions (an extension granted, a 销号). Pure: plain values in, a state out, today a parameter."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

TaskState = Literal["overdue", "due_soon", "extension_requested", "extended", "completed", "closed", "in_progress",
                    "not_started"]
TASK_STATES: tuple[TaskState, ...] = get_args(TaskState)  # the most urgent first
ReportedState = Literal["not_started", "in_progress", "done", "extension"]
REPORTED_STATES: tuple[ReportedState, ...] = get_args(ReportedState)
DUE_SOON_DAYS = 30  # 临近提醒: a deadline within 30 days, the task not done

TASK_GROUP: Mapping[str, str] = {
    "overdue": "red", "due_soon": "amber", "extension_requested": "amber", "extended": "amber",
    "completed": "green", "closed": "green", "in_progress": "green", "not_started": "grey",
}
# Shapes the CJK fonts draw (no emoji, which a browser without an emoji font shows as boxes), none of them a pace
# light's (● is 进度正常), so a task's state reads apart from an indicator's status on any page.
TASK_ICON: Mapping[str, str] = {
    "overdue": "✖", "due_soon": "△", "extension_requested": "◁", "extended": "▷", "completed": "◆", "closed": "✔",
    "in_progress": "▶", "not_started": "○",
}


@dataclass(frozen=True)
class TaskReport:
    """One quarter's report of a task as it stands (its newest revision), with whether a reviewer approved it."""

    period_end: dt.date
    state: ReportedState
    submitted_on: dt.date
    approved: bool
    approved_on: dt.date | None = None
    done_on: dt.date | None = None
    new_due: dt.date | None = None


@dataclass(frozen=True)
class TaskStanding:
    state: TaskState
    due: dt.date  # the deadline in force: the plan's, or a granted extension's
    original_due: dt.date
    days_left: int  # negative once overdue
    closed_on: dt.date | None
    requested_due: dt.date | None  # an extension asked for and not yet decided


def task_state(due: dt.date, reports: Sequence[TaskReport], day: dt.date) -> TaskStanding:
    """The task's state on `day` from the reports sent by then (sorted or not).

    Approved 申请延期 moves the deadline (延期); approved 已完成 is the 销号. A report awaiting review counts as asked
    (已申请延期, 已完成待销号), never as granted. Where two states apply the more urgent one is the state: 逾期, then
    临近到期, then 已申请延期, then the reported one."""
    known = sorted((r for r in reports if r.submitted_on <= day), key=lambda r: (r.period_end, r.submitted_on))
    granted = [r for r in known if r.approved and r.state == "extension" and r.new_due
               and (r.approved_on or r.submitted_on) <= day]
    deadline = max((r.new_due for r in granted if r.new_due), default=due)
    closing = next((r for r in known if r.approved and r.state == "done" and (r.approved_on or day) <= day), None)
    closed_on = (closing.approved_on or closing.submitted_on) if closing else None
    asked = [r for r in known if not r.approved and r.state == "extension" and r.new_due]
    requested = asked[-1].new_due if asked and asked[-1].new_due and asked[-1].new_due > deadline else None
    left = (deadline - day).days
    base = _reported(known, closing is not None, bool(granted))
    return TaskStanding(_urgent(base, left, requested is not None), deadline, due, left, closed_on, requested)


def _reported(known: Sequence[TaskReport], closed: bool, extended: bool) -> TaskState:
    latest = known[-1].state if known else "not_started"
    if closed:
        return "closed"
    if latest == "done":
        return "completed"  # reported done, awaiting the reviewer's 销号
    if extended:
        return "extended"
    return "not_started" if latest == "not_started" else "in_progress"


def _urgent(base: TaskState, days_left: int, asked: bool) -> TaskState:
    if base in ("closed", "completed"):
        return base
    if days_left < 0:
        return "overdue"
    if days_left <= DUE_SOON_DAYS:
        return "due_soon"
    if asked:
        return "extension_requested"
    return base


def count_states(states: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(TASK_STATES, 0)
    for state in states:
        counts[state] += 1
    return counts

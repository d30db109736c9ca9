"""Check a department's quarterly 重点任务 reports (the 一表通's 重点任务进展 sheet, or a task table of its own)
against the plans' tasks and the store's reports: 强制性 (hard) and 核实性 (soft) checks, every problem an Issue
naming the Excel row and the column as headed; the rows that pass become TaskRows, each new, revised or unchanged
against the report of its task and quarter as it stands. Pure: the task book and today come in as values."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipelines.core.columns import NOTE, PERIOD, ROW
from pipelines.core.config import MAX_CELL_CHARS
from pipelines.core.issue import HARD, SOFT, Issue, Severity, make_issue
from pipelines.core.periods import Period, normalise_text, parse_period
from pipelines.intake.read import DONE_ON, NEW_DUE, PROGRESS, STATE, TASK_CODE, TASK_TABLE, RawTable
from pipelines.intake.validate import MAX_ISSUES, is_real_explanation, is_real_progress
from pipelines.plan.records import PlanData
from pipelines.plan.task_checks import parse_date
from pipelines.store.task_reports import TaskBook, TaskEntry, TaskRow

NOT_STARTED, IN_PROGRESS, DONE, EXTENSION = "not_started", "in_progress", "done", "extension"
STATE_WORDS = {  # 完成状态 as departments write it (the template's dropdown offers the first of each)
    "未启动": NOT_STARTED, "未开始": NOT_STARTED, "notstarted": NOT_STARTED,
    "推进中": IN_PROGRESS, "进行中": IN_PROGRESS, "实施中": IN_PROGRESS, "inprogress": IN_PROGRESS,
    "已完成": DONE, "完成": DONE, "done": DONE, "completed": DONE,
    "申请延期": EXTENSION, "延期": EXTENSION, "extension": EXTENSION,
}
STATE_CHOICES = ("未启动", "推进中", "已完成", "申请延期")
REPORTED = (PROGRESS, STATE, DONE_ON, NEW_DUE, NOTE)  # a row with all of these blank is not reported this time


@dataclass(frozen=True)
class CheckedTasks:
    """The outcome of the task checks: the rows that pass (when nothing is wrong) and every problem found."""

    rows: tuple[TaskRow, ...]
    hard: list[Issue]
    soft: list[Issue]  # 核实性 questions without a real explanation: these also refuse the file
    explained: list[Issue]
    skipped: int = 0  # listed tasks left blank: not reported this time

    @property
    def accepted(self) -> bool:
        return not self.hard and not self.soft


def state_of(text: str) -> str | None:
    """A 完成状态 cell as one of the four states, or None."""
    return STATE_WORDS.get(normalise_text(text).strip().lower().replace(" ", "").replace("_", ""))


def reported_rows(raw: RawTable) -> pd.DataFrame:
    """The task table's rows that report something: blank rows, and rows left blank but for code and period (a task
    the template lists, not reported this time), aside."""
    frame = _listed(raw)
    return frame[(frame[list(REPORTED)] != "").any(axis=1)]


def _listed(raw: RawTable) -> pd.DataFrame:
    frame = raw.rows.copy()
    for column in TASK_TABLE.columns:
        frame[column] = frame[column].astype(str).str.strip()
    return frame[(frame[list(TASK_TABLE.columns)] != "").any(axis=1)]


def check_task_reports(raw: RawTable, plan: PlanData, book: TaskBook, *, department: str | None, today: dt.date,
                       explanations: Mapping[int, str] | None = None) -> CheckedTasks:
    """Run every check on a task table; `explanations` (by Excel row) answer 核实性 questions as a 备注 does."""
    listed = _listed(raw)
    frame = listed[(listed[list(REPORTED)] != "").any(axis=1)]
    if listed.empty:
        return CheckedTasks((), [make_issue(raw.file, None, "", "no-data-rows")], [], [])
    if frame.empty:
        return CheckedTasks((), [make_issue(raw.file, None, "", "task-no-reports", "", rows=len(listed))], [], [])
    checker = _Checker(raw, plan, book, department, today)
    records: list[dict[Any, Any]] = frame.to_dict("records")
    rows = [row for row in (checker.check_row(r) for r in records) if row is not None]
    rows = checker.without_duplicates(rows)
    rows = [_with_explanation(row, (explanations or {}).get(row.row, "")) for row in rows]
    soft, explained = checker.soft_checks(rows)
    hard = checker.finish()
    return CheckedTasks(tuple(_classify(rows, book)) if not hard else (), hard, soft, explained,
                        len(listed) - len(frame))


def _with_explanation(row: TaskRow, given: str) -> TaskRow:
    """An explanation typed in the page joins the row's 备注, so it is stored with the report."""
    given = given.strip()
    if not given:
        return row
    return TaskRow(row.row, row.task_code, row.period, row.state, row.progress, row.done_on, row.new_due,
                   f"{row.note}；{given}" if row.note else given)


def _classify(rows: list[TaskRow], book: TaskBook) -> list[TaskRow]:
    out = []
    for row in rows:
        before = book.latest.get((row.task_code, row.period))
        change = "new" if before is None else "unchanged" if row.same_report(before) else "revised"
        out.append(TaskRow(row.row, row.task_code, row.period, row.state, row.progress, row.done_on, row.new_due,
                           row.note, change))
    return out


class _Checker:
    """What every check needs (the file, the tasks, who sends, today) and the problems found so far."""

    def __init__(self, raw: RawTable, plan: PlanData, book: TaskBook, department: str | None, today: dt.date):
        self.raw, self.book, self.department, self.today = raw, book, department, today
        self.departments = {d.code: d for d in plan.departments}
        self.by_upper = {code.upper(): code for code in book.entries}
        self.issues: list[Issue] = []
        self.overflow = 0
        self.row_code = ""  # the 任务编码 of the row being checked, as written

    def column(self, canonical: str) -> str:
        return self.raw.headers.get(canonical) or TASK_TABLE.wanted[canonical]

    def issue(self, row: int, canonical: str, check: str, value: object, entry: TaskEntry | None,
              severity: Severity = HARD, **params: object) -> Issue:
        named = ({"name": entry.task.name_zh, "name_en": entry.task.name_en} if entry
                 else {"name": self.row_code or "—"})  # an unknown task is named by the code as written
        return make_issue(self.raw.file, row, self.column(canonical), check, value, severity, **(named | params))

    def add(self, row: int, canonical: str, check: str, value: object, entry: TaskEntry | None,
            **params: object) -> None:
        if len(self.issues) >= MAX_ISSUES:
            self.overflow += 1
            return
        self.issues.append(self.issue(row, canonical, check, value, entry, HARD, **params))

    def finish(self) -> list[Issue]:
        if self.overflow:
            self.issues.append(make_issue(self.raw.file, None, "", "more-problems", self.overflow))
        return self.issues

    # ---- one row ----------------------------------------------------------------------------------------------

    def check_row(self, r: dict[str, Any]) -> TaskRow | None:
        """The row as a TaskRow, or None when something in it is wrong (every problem of the row added)."""
        row, self.row_code = int(r[ROW]), str(r[TASK_CODE])
        entry, known = self._task(row, self.row_code)
        if known and entry is None:  # another department's task: nothing more of it is this sender's business
            return None
        period = self._period(row, str(r[PERIOD]), entry)
        texts = self._texts(row, str(r[PROGRESS]), str(r[NOTE]), entry)
        state = self._state(row, str(r[STATE]), entry)
        dates = self._dates(row, state, str(r[STATE]), str(r[DONE_ON]), str(r[NEW_DUE]), entry)
        if entry is None or period is None or not texts or state is None or dates is None:
            return None
        return TaskRow(row, entry.task.code, period.code, state, str(r[PROGRESS]), dates[0], dates[1], str(r[NOTE]))

    def _task(self, row: int, text: str) -> tuple[TaskEntry | None, bool]:
        """The task the row names, and whether its code was found at all."""
        if not text:
            self.add(row, TASK_CODE, "task-missing-code", "", None)
            return None, False
        code = self.by_upper.get(normalise_text(text).upper().replace(" ", ""))
        if code is None:
            self.add(row, TASK_CODE, "task-unknown", text, None)
            return None, False
        entry = self.book.entries[code]
        owner = entry.task.department
        if self.department and owner != self.department:
            holder, sender = self.departments.get(owner), self.departments.get(self.department)
            self.add(row, TASK_CODE, "task-wrong-department", code, entry,
                     owner=holder.name_zh if holder else owner, owner_en=holder.name_en if holder else owner,
                     department=sender.name_zh if sender else self.department,
                     department_en=sender.name_en if sender else self.department)
            return None, True
        return entry, True

    def _period(self, row: int, text: str, entry: TaskEntry | None) -> Period | None:
        if not text:
            self.add(row, PERIOD, "task-missing-period", "", entry)
            return None
        period = parse_period(text)
        if period is None or period.kind != "Q":
            self.add(row, PERIOD, "task-bad-period", text, entry)
            return None
        if entry is not None and not (entry.plan.start_period.start_date <= period.start_date
                                      and period.end_date <= entry.plan.end_period.end_date):
            info = entry.plan
            self.add(row, PERIOD, "task-period-outside-plan", text, entry, plan=info.name_zh, plan_en=info.name_en,
                     start=info.start_period.label(), end=info.end_period.label(),
                     start_en=info.start_period.label("en"), end_en=info.end_period.label("en"))
            return None
        if period.end_date > self.today:
            self.add(row, PERIOD, "task-future-period", text, entry, end_date=period.end_date.isoformat())
            return None
        return period

    def _texts(self, row: int, progress: str, note: str, entry: TaskEntry | None) -> bool:
        ok = True
        if not progress:
            self.add(row, PROGRESS, "task-missing-progress", "", entry)
            ok = False
        elif len(progress) > MAX_CELL_CHARS:
            self.add(row, PROGRESS, "task-text-too-long", "", entry, limit=MAX_CELL_CHARS)
            ok = False
        elif not is_real_progress(progress):
            self.add(row, PROGRESS, "task-boilerplate-progress", progress, entry)
            ok = False
        if len(note) > MAX_CELL_CHARS:
            self.add(row, NOTE, "task-text-too-long", "", entry, limit=MAX_CELL_CHARS)
            ok = False
        return ok

    def _state(self, row: int, text: str, entry: TaskEntry | None) -> str | None:
        if not text:
            self.add(row, STATE, "task-missing-state", "", entry)
            return None
        state = state_of(text)
        if state is None:
            self.add(row, STATE, "task-bad-state", text, entry)
        return state

    def _dates(self, row: int, state: str | None, state_text: str, done_text: str, due_text: str,
               entry: TaskEntry | None) -> tuple[dt.date | None, dt.date | None] | None:
        """完成时间 and 延期至: each required by its state, a real day, and in the right place in time."""
        done_on = self._date(row, DONE_ON, done_text, entry, state, DONE)
        new_due = self._date(row, NEW_DUE, due_text, entry, state, EXTENSION)
        ok = done_on is not False and new_due is not False
        if state == DONE and done_on is None:
            self.add(row, DONE_ON, "task-missing-done-on", "", entry)
            ok = False
        elif state == DONE and isinstance(done_on, dt.date) and done_on > self.today:
            self.add(row, DONE_ON, "task-done-on-future", done_text, entry, today=self.today.isoformat())
            ok = False
        if state == EXTENSION:
            ok = self._extension(row, state_text, due_text, new_due, entry) and ok
        if not ok or state is None:
            return None
        return (done_on if isinstance(done_on, dt.date) else None, new_due if isinstance(new_due, dt.date) else None)

    def _date(self, row: int, canonical: str, text: str, entry: TaskEntry | None, state: str | None,
              wanted: str) -> dt.date | bool | None:
        """The day a date cell holds; None when blank; False when it is wrong (told)."""
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            self.add(row, canonical, "task-bad-date", text, entry)
            return False
        if state is not None and state != wanted:
            self.add(row, canonical, "task-date-without-state", text, entry, state=STATE_CHOICES[_index(state)],
                     state_en=state)
            return False
        return day

    def _extension(self, row: int, state_text: str, text: str, new_due: dt.date | bool | None,
                   entry: TaskEntry | None) -> bool:
        """申请延期: a new date, asked before the deadline in force has passed, and later than it."""
        if new_due is None:
            self.add(row, NEW_DUE, "task-missing-new-due", "", entry)
            return False
        if entry is None or not isinstance(new_due, dt.date):
            return False
        if self.today > entry.due:
            self.add(row, STATE, "task-extension-after-deadline", state_text, entry, due=entry.due.isoformat(),
                     today=self.today.isoformat())
            return False
        if new_due <= entry.due:
            self.add(row, NEW_DUE, "task-new-due-not-later", text, entry, due=entry.due.isoformat())
            return False
        return True

    # ---- the file as a whole ----------------------------------------------------------------------------------

    def without_duplicates(self, rows: list[TaskRow]) -> list[TaskRow]:
        """The same task and quarter twice: the same report kept once, different reports a hard problem."""
        first: dict[tuple[str, str], TaskRow] = {}
        kept = []
        for row in rows:
            earlier = first.setdefault((row.task_code, row.period), row)
            if earlier is row:
                kept.append(row)
            elif not row.same_report(earlier):
                self.add(row.row, TASK_CODE, "task-duplicate-conflict", row.task_code,
                         self.book.entries[row.task_code], period=row.period, other_row=earlier.row)
        return kept

    def soft_checks(self, rows: list[TaskRow]) -> tuple[list[Issue], list[Issue]]:
        """已完成 after the deadline in force: accepted with a real explanation in 备注 (or given in the page)."""
        soft: list[Issue] = []
        explained: list[Issue] = []
        for row in rows:
            entry = self.book.entries[row.task_code]
            if row.state != DONE or row.done_on is None or row.done_on <= entry.due:
                continue
            found = self.issue(row.row, DONE_ON, "task-done-late", row.done_on.isoformat(), entry, SOFT,
                               due=entry.due.isoformat())
            (explained if is_real_explanation(row.note) else soft).append(found)
        return soft, explained


def _index(state: str) -> int:
    return (NOT_STARTED, IN_PROGRESS, DONE, EXTENSION).index(state)


__all__ = ["STATE_CHOICES", "CheckedTasks", "check_task_reports", "reported_rows", "state_of"]

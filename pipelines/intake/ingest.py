"""Ingest a department's file: read, check against the plan and the store, and store it in one transaction — or
nothing. A file holds indicator values, quarterly 重点任务 reports, or both (the 一表通 workbook's two sheets): one
submission either way."""
from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from models.columns import CODE, NOTE, PERIOD, REVISION, ROW, SUBMISSION, VALUE
from models.db import is_busy_error, writing
from models.queries import DataVersion, find_submission_by_hash, read_current_revisions, read_data_version
from models.states import APPROVED, HELD, SubmissionStatus
from pipelines.core.columns import CHANGE, PREVIOUS
from pipelines.core.config import Limits
from pipelines.core.config import today as config_today
from pipelines.core.issue import Issue, make_issue, sort_issues
from pipelines.intake.read import RawTable, Upload, read_upload
from pipelines.intake.task_reports import CheckedTasks, check_task_reports, reported_rows
from pipelines.intake.validate import Checked, check_submission
from pipelines.plan.records import PlanData
from pipelines.store.persist import save_submission
from pipelines.store.standing_cache import record_series
from pipelines.store.standing_cache import refresh as refresh_standings
from pipelines.store.task_reports import TaskBook, TaskRow, read_task_book, save_task_reports

Outcome = Literal["accepted", "rejected", "unchanged"]
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"  # nothing of the file was stored
UNCHANGED: Final = "unchanged"  # the same file again, or nothing in it that changes the store


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file, for the department and for scripts."""

    file_name: str
    outcome: Outcome
    submission_id: int | None = None
    department: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)  # new / revised / unchanged / rejected rows
    hard: tuple[Issue, ...] = ()
    soft: tuple[Issue, ...] = ()
    explained: tuple[Issue, ...] = ()
    note: Issue | None = None  # e.g. "identical to submission N"

    @property
    def accepted(self) -> bool:
        return self.outcome != REJECTED

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        return {
            "file": self.file_name, "outcome": self.outcome, "submission_id": self.submission_id,
            "department": self.department, "counts": dict(self.counts),
            "hard": [i.as_dict(lang) for i in self.hard], "soft": [i.as_dict(lang) for i in self.soft],
            "explained": [i.as_dict(lang) for i in self.explained],
            "note": self.note.message(lang) if self.note else "",
        }


@dataclass(frozen=True)
class IngestRequest:
    """One file to ingest and how: who sent it, through which channel, with what status, and what runs with it.

    `after_save(conn, submission_id, rows)` runs inside the file's transaction (the browser flow stores the
    narratives and evidence sent with the file there, so that the file and what came with it are kept together or not
    at all); `rows` are the value rows (none for a file of task reports alone). `keep_standings` is off when the
    caller stores several files and keeps the standings once at the end. `explanations` answer the value rows'
    核实性 questions and `task_explanations` the task rows' (each by Excel row of its own table).
    """

    file_name: str
    data: bytes = field(repr=False)
    department: str | None = None
    submitter: str | None = None
    channel: str = "cli"
    status: SubmissionStatus = APPROVED
    submitted_at: dt.datetime | None = None
    today: dt.date | None = None
    limits: Limits = Limits()
    explanations: Mapping[int, str] | None = None
    task_explanations: Mapping[int, str] | None = None
    after_save: Callable[[Connection, int, pd.DataFrame], None] | None = None
    keep_standings: bool = True


def ingest_bytes(engine: Engine, plan: PlanData, request: IngestRequest) -> IngestResult:
    """Check a file and, when it passes, store it whole in one transaction; a refused file changes nothing.

    After the commit the standings the dashboard opens on are computed and kept (pipelines.store.standing_cache),
    unless the request says the caller keeps them itself.
    """
    r = request
    file_name, data, limits = r.file_name, r.data, r.limits
    upload = read_upload(file_name, data, limits)
    if isinstance(upload, list):
        return IngestResult(file_name, REJECTED, hard=tuple(upload))
    department = r.department or department_of(upload, plan)
    sha = hashlib.sha256(data).hexdigest()
    held = (APPROVED,) if r.status == APPROVED else HELD

    def check(conn: Connection) -> CheckedUpload:
        return check_upload(conn, upload, plan, department=department, today=r.today, limits=limits,
                            explanations=r.explanations, task_explanations=r.task_explanations)

    try:
        # The checks read the store outside the write lock, so that departments sending at once check side by side;
        # under the lock they are made again only if what they read has changed meanwhile.
        with engine.connect() as conn:
            earlier = find_submission_by_hash(conn, sha, held)
            if earlier:
                return _identical(file_name, department, earlier)
            version, checked = read_data_version(conn), check(conn)
        if not checked.accepted:
            return _rejected(file_name, department, checked)
        with writing(engine) as conn, conn.begin():
            # inside the write lock, so that two sends of one file at once make one submission
            earlier = find_submission_by_hash(conn, sha, held)
            if earlier:
                return _identical(file_name, department, earlier)
            if not checks_hold(conn, checked, version, plan, r.today):
                checked = check(conn)
            if not checked.accepted:
                return _rejected(file_name, department, checked)
            counts = checked.counts()
            values, tasks = checked.changed_values(), checked.changed_tasks()
            if values.empty and not tasks:
                return IngestResult(file_name, UNCHANGED, None, department, counts, explained=checked.explained,
                                    note=make_issue(file_name, None, "", checked.unchanged_check(), ""))
            submission_id = save_submission(
                conn, file_name=file_name, sha256=sha, content=data, department=department, submitter=r.submitter,
                channel=r.channel, status=r.status, submitted_at=r.submitted_at or dt.datetime.now(), rows=values,
                counts=counts, reporter=upload.form.get("填报人", ""), reporter_phone=upload.form.get("联系电话", ""))
            record_series(conn, submission_id, values[CODE].unique().tolist())
            save_task_reports(conn, submission_id, tasks)
            if r.after_save is not None:
                r.after_save(conn, submission_id, checked.value_rows())
    except OperationalError as error:
        if not is_busy_error(error):
            raise
        # the transaction rolled back, so nothing of the file was stored; the department is told to send it again
        busy = make_issue(file_name, None, "", "store-busy")
        return IngestResult(file_name, REJECTED, None, department, hard=(busy,))
    if r.keep_standings:
        refresh_standings(engine)
    return IngestResult(file_name, ACCEPTED, submission_id, department, counts, explained=checked.explained)


VALUE_ROW_COLUMNS = [ROW, CODE, PERIOD, VALUE, NOTE, PREVIOUS, CHANGE]


@dataclass(frozen=True)
class CheckedUpload:
    """The checks of a file's tables: its values' (None when it has none to report) and its task reports'."""

    values: Checked | None = None
    tasks: CheckedTasks | None = None
    book: TaskBook | None = None  # what the task reports were checked against

    @property
    def hard(self) -> tuple[Issue, ...]:
        """The value table's problems as the department reads down it, then the task table's."""
        return (*sort_issues(self.values.hard if self.values else []),
                *sort_issues(self.tasks.hard if self.tasks else []))

    @property
    def soft(self) -> tuple[Issue, ...]:
        return (*sort_issues(self.values.soft if self.values else []),
                *sort_issues(self.tasks.soft if self.tasks else []))

    @property
    def explained(self) -> tuple[Issue, ...]:
        return (*(self.values.explained if self.values else []), *(self.tasks.explained if self.tasks else []))

    @property
    def accepted(self) -> bool:
        return not self.hard and not self.soft

    @property
    def skipped(self) -> int:
        return self.values.skipped if self.values else 0

    def value_rows(self) -> pd.DataFrame:
        """The checked value rows (ROW, CODE, PERIOD, VALUE, NOTE, CHANGE, PREVIOUS); empty without values."""
        return self.values.rows if self.values is not None else pd.DataFrame(columns=VALUE_ROW_COLUMNS)

    def task_rows(self) -> tuple[TaskRow, ...]:
        return self.tasks.rows if self.tasks is not None else ()

    def changed_values(self) -> pd.DataFrame:
        rows = self.value_rows()
        return rows[rows[CHANGE] != "unchanged"]

    def changed_tasks(self) -> list[TaskRow]:
        return [row for row in self.task_rows() if row.change != "unchanged"]

    def counts(self) -> dict[str, int]:
        """new / revised / unchanged rows (values and task reports together), and the rows left blank; `tasks`
        counts the task reports among them when there are any."""
        changes = self.value_rows()[CHANGE].value_counts()
        kinds = [row.change for row in self.task_rows()]
        counts = ({name: int(changes.get(name, 0)) + kinds.count(name) for name in ("new", "revised", "unchanged")}
                  | {"rejected": 0, "skipped": self.skipped})
        return counts | ({"tasks": len(kinds)} if kinds else {})

    def unchanged_check(self) -> str:
        """Why a file changes nothing, in its own words: its values, or its task reports."""
        return "task-all-unchanged" if self.values is None else "all-unchanged"


def check_upload(conn: Connection, upload: Upload, plan: PlanData, *, department: str | None,
                 today: dt.date | None = None, limits: Limits = Limits(),
                 explanations: Mapping[int, str] | None = None,
                 task_explanations: Mapping[int, str] | None = None) -> CheckedUpload:
    """Run the checks of each table the file reports in, against the store as `conn` sees it. A file with both sheets
    whose 数值 are all blank is a file of task reports (and the other way round); one that reports nothing is told
    so by the value checks (数值 all blank), or by the task checks when it has no value table."""
    day = today or config_today()
    with_values, with_tasks = tables_to_check(upload)
    values = tasks = None
    book = None
    if with_values and upload.values is not None:
        values = check_submission(upload.values, plan,
                                  lambda codes, periods: read_current_revisions(conn, codes, periods),
                                  department=department, today=day, limits=limits, explanations=explanations)
    if with_tasks and upload.tasks is not None:
        book = read_task_book(conn, plan, day)
        tasks = check_task_reports(upload.tasks, plan, book, department=department, today=day,
                                   explanations=task_explanations)
    return CheckedUpload(values, tasks, book)


def tables_to_check(upload: Upload) -> tuple[bool, bool]:
    """(check the values, check the task reports): each table that reports something; of a file that reports
    nothing, its value table (or its task table when it has no other)."""
    values = upload.values is not None and bool((upload.values.rows[VALUE].astype(str).str.strip() != "").any())
    tasks = upload.tasks is not None and not reported_rows(upload.tasks).empty
    if not values and not tasks:
        return upload.values is not None, upload.values is None
    return values, tasks


def _identical(file_name: str, department: str | None, earlier: tuple[int, object, str]) -> IngestResult:
    note = make_issue(file_name, None, "", "identical-file", "", submission=earlier[0], when=str(earlier[1])[:19])
    return IngestResult(file_name, UNCHANGED, earlier[0], department, note=note)


def checks_hold(conn: Connection, checked: CheckedUpload, version: DataVersion | None, plan: PlanData,
                today: dt.date | None) -> bool:
    """Whether checks made on an earlier read of the store still hold on what `conn` sees: the store's version is
    the same, or what the checks read of it (the values compared with, the task book) is."""
    if version is not None and read_data_version(conn) == version:
        return True
    if checked.values is not None:
        if checked.values.read is None or checked.values.against is None:
            return False
        again = read_current_revisions(conn, *checked.values.read)
        if not same_values(again, checked.values.against):
            return False
    return checked.book is None or read_task_book(conn, plan, today or config_today()) == checked.book


def same_values(one: pd.DataFrame, other: pd.DataFrame) -> bool:
    """The same current values, each from the same revision of the same submission."""
    columns = [CODE, PERIOD, VALUE, NOTE, REVISION, SUBMISSION]
    return one[columns].reset_index(drop=True).equals(other[columns].reset_index(drop=True))


def _rejected(file_name: str, department: str | None, checked: CheckedUpload) -> IngestResult:
    counts = {"new": 0, "revised": 0, "unchanged": 0,
              "rejected": len({(i.check.startswith("task-"), i.row) for i in checked.hard + checked.soft if i.row})}
    return IngestResult(file_name, REJECTED, None, department, counts, checked.hard, checked.soft,
                        checked.explained)


def department_of(raw: RawTable | Upload, plan: PlanData) -> str | None:
    """The sending department as the form header block names it (填报单位), by code or Chinese name."""
    named = unicodedata.normalize("NFKC", raw.form.get("填报单位", "")).strip()
    if not named:
        return None
    for department in plan.departments:
        if named in (department.code, department.name_zh) or department.name_zh in named:
            return department.code
    return None

"""Ingest a department's file: read, check against the plan and the store, and store it in one transaction — or
nothing."""
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

from models.columns import CODE
from models.db import is_busy_error, writing
from models.queries import find_submission_by_hash, read_current_values
from models.states import APPROVED, HELD, SubmissionStatus
from pipelines.core.columns import CHANGE
from pipelines.core.config import Limits
from pipelines.core.issue import Issue, make_issue, sort_issues
from pipelines.intake.read import RawTable, read_submission
from pipelines.intake.validate import Checked, check_submission
from pipelines.plan.records import PlanData
from pipelines.store.persist import save_submission
from pipelines.store.standing_cache import refresh as refresh_standings

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
    at all). `keep_standings` is off when the caller stores several files and keeps the standings once at the end.
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
    after_save: Callable[[Connection, int, pd.DataFrame], None] | None = None
    keep_standings: bool = True


def ingest_bytes(engine: Engine, plan: PlanData, request: IngestRequest) -> IngestResult:
    """Check a file and, when it passes, store it whole in one transaction; a refused file changes nothing.

    After the commit the standings the dashboard opens on are computed and kept (pipelines.store.standing_cache),
    unless the request says the caller keeps them itself.
    """
    r = request
    file_name, data, limits = r.file_name, r.data, r.limits
    raw = read_submission(file_name, data, limits)
    if not isinstance(raw, RawTable):
        return IngestResult(file_name, REJECTED, hard=tuple(raw))
    department = r.department or department_of(raw, plan)
    sha = hashlib.sha256(data).hexdigest()
    try:
        with writing(engine) as conn, conn.begin():
            # inside the write lock, so that two sends of one file at once make one submission
            earlier = find_submission_by_hash(conn, sha, (APPROVED,) if r.status == APPROVED else HELD)
            if earlier:
                note = make_issue(file_name, None, "", "identical-file", "", submission=earlier[0],
                                  when=str(earlier[1])[:19])
                return IngestResult(file_name, UNCHANGED, earlier[0], department, note=note)
            codes = sorted({c for c in raw.rows[CODE].astype(str).str.strip().unique() if c})
            current = read_current_values(conn, plan_codes(plan, codes))
            checked = check_submission(raw, plan, current, department=department, today=r.today, limits=limits,
                                       explanations=r.explanations)
            if not checked.accepted:
                return _rejected(file_name, department, checked)
            counts = _counts(checked)
            changed = checked.rows[checked.rows[CHANGE] != "unchanged"]
            if changed.empty:
                return IngestResult(file_name, UNCHANGED, None, department, counts, explained=tuple(checked.explained),
                                    note=make_issue(file_name, None, "", "all-unchanged", ""))
            submission_id = save_submission(
                conn, file_name=file_name, sha256=sha, content=data, department=department, submitter=r.submitter,
                channel=r.channel, status=r.status, submitted_at=r.submitted_at or dt.datetime.now(), rows=changed,
                counts=counts, reporter=raw.form.get("填报人", ""), reporter_phone=raw.form.get("联系电话", ""))
            if r.after_save is not None:
                r.after_save(conn, submission_id, checked.rows)
    except OperationalError as error:
        if not is_busy_error(error):
            raise
        # the transaction rolled back, so nothing of the file was stored; the department is told to send it again
        busy = make_issue(file_name, None, "", "store-busy")
        return IngestResult(file_name, REJECTED, None, department, hard=(busy,))
    if r.keep_standings:
        refresh_standings(engine)
    return IngestResult(file_name, ACCEPTED, submission_id, department, counts, explained=tuple(checked.explained))


def _rejected(file_name: str, department: str | None, checked: Checked) -> IngestResult:
    counts = {"new": 0, "revised": 0, "unchanged": 0,
              "rejected": len({i.row for i in checked.hard + checked.soft if i.row})}
    return IngestResult(file_name, REJECTED, None, department, counts, tuple(sort_issues(checked.hard)),
                        tuple(sort_issues(checked.soft)), tuple(checked.explained))


def _counts(checked: Checked) -> dict[str, int]:
    changes = checked.rows[CHANGE].value_counts()
    return ({name: int(changes.get(name, 0)) for name in ("new", "revised", "unchanged")}
            | {"rejected": 0, "skipped": checked.skipped})


def plan_codes(plan: PlanData, raw_codes: list[str]) -> list[str]:
    """The plan's codes a file may mention (codes are matched case-insensitively and width-folded)."""
    wanted = {unicodedata.normalize("NFKC", c).upper().replace(" ", "") for c in raw_codes}
    return [i.code for i in plan.indicators if i.code.upper() in wanted]


def department_of(raw: RawTable, plan: PlanData) -> str | None:
    """The sending department as the form header block names it (填报单位), by code or Chinese name."""
    named = unicodedata.normalize("NFKC", raw.form.get("填报单位", "")).strip()
    if not named:
        return None
    for department in plan.departments:
        if named in (department.code, department.name_zh) or department.name_zh in named:
            return department.code
    return None

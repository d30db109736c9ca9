"""The browser submission flow on the server side: preview a file, send it as 待审核 with its narratives and
evidence, approve (审核通过) or return (退回修改) it, lock a quarter — each step checking the caller's rights. A file's
重点任务 reports go the same way: shown before sending, shown to the reviewer, approved (an extension's new deadline
applies, a task done is closed: 销号) or returned with the file.

Reading, checking and storing are the ingest pipeline's (read_upload, check_upload, ingest_bytes); this module only
decides who may do what and keeps what comes with a file (narratives, evidence, review decisions).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from models.columns import CODE, PERIOD, VALUE
from models.db import writing
from models.queries import find_submission_by_hash, read_current_values
from models.schema import Evidence, LockEvent, PeriodLock, ReviewEvent, Submission, ValueNarrative
from models.states import APPROVED, HELD, PENDING, RETURNED, WITHDRAWN
from models.submissions import read_evidence_list, read_locks
from pipelines.core.catalog import t
from pipelines.core.columns import fit_name
from pipelines.core.config import MAX_CELL_CHARS, Limits
from pipelines.core.config import today as config_today
from pipelines.core.issue import Issue
from pipelines.core.periods import Period, latest_period_ending_by, parse_period, period_of_code
from pipelines.engine.progress import STATUS_GROUP
from pipelines.intake.ingest import (
    ACCEPTED,
    UNCHANGED,
    IngestRequest,
    IngestResult,
    check_upload,
    department_of,
    ingest_bytes,
)
from pipelines.intake.read import read_upload
from pipelines.intake.validate import is_real_explanation
from pipelines.plan.records import PlanData
from pipelines.plan.standing import compute_standing
from pipelines.store.plans import SERIES_VIEW, plan_from_store, plans_in_store
from pipelines.store.standing_cache import refresh as refresh_standings
from pipelines.store.task_reports import (
    TaskBook,
    TaskRow,
    newer_task_report,
    read_submission_tasks,
    read_task_book,
    read_task_periods,
)
from pipelines.workflow.accounts import (
    ADMIN,
    Refusal,
    User,
    check_can_review,
    check_can_submit,
    check_is_admin,
    refusal,
)
from pipelines.workflow.evidence import check_evidence, check_evidence_count


@dataclass(frozen=True)
class Narrative:
    """进展情况 / 存在问题 / 下一步措施 for one indicator of a submission."""

    progress: str = ""
    problems: str = ""
    next_steps: str = ""

    @property
    def explains_red(self) -> bool:
        return bool(self.problems.strip()) and bool(self.next_steps.strip())


@dataclass(frozen=True)
class EvidenceFile:
    indicator_code: str
    file_name: str
    data: bytes


@dataclass(frozen=True)
class Preview:
    """What a file would do, before anything is stored: its problems, or its rows against the current values."""

    file_name: str
    department: str | None
    hard: tuple[Issue, ...] = ()
    soft: tuple[Issue, ...] = ()
    explained: tuple[Issue, ...] = ()
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # ROW, CODE, PERIOD, VALUE, NOTE, CHANGE, PREVIOUS
    red: tuple[str, ...] = ()  # indicators that would be red (进度滞后/倒退) with this file's values
    locked: tuple[str, ...] = ()  # locked quarters this file would change
    identical: tuple[int, str] | None = None  # (id, state) of an earlier submission of the very same bytes
    skipped: int = 0  # rows left out because their 数值 is blank (not reported this time)
    tasks: tuple[TaskRow, ...] = ()  # the file's 重点任务 reports, each new / revised / unchanged
    book: TaskBook = field(default_factory=TaskBook)  # the tasks they report, with the deadlines in force
    task_skipped: int = 0  # listed tasks left blank (not reported this time)

    @property
    def accepted(self) -> bool:
        return not self.hard and not self.soft and self.identical is None

    def explainable_rows(self) -> tuple[list[int], list[int]]:
        """The Excel rows whose 核实性 questions may be answered in the page: of the value table, of the task table."""
        rows = {i.row for i in self.soft if i.row and not i.check.startswith("task-")}
        tasks = {i.row for i in self.soft if i.row and i.check.startswith("task-")}
        return sorted(rows), sorted(tasks)

    def identical_refusal(self) -> Refusal | None:
        """Why the file is not taken: the same bytes were sent before (counted, waiting, or returned to be fixed)."""
        if self.identical is None:
            return None
        number, status = self.identical
        return refusal("identical-file", id=number, status_key=f"submit.status.{status}")


def quarter_code(period: str) -> str:
    """The quarter in which a period ends (2025H1 → 2025Q2): locks are per quarter."""
    return latest_period_ending_by(period_of_code(period).end_time, "quarterly").code


def preview_file(engine: Engine, plan: PlanData, user: User | None, file_name: str, data: bytes, *,
                 department: str | None = None, explanations: Mapping[int, str] | None = None,
                 task_explanations: Mapping[int, str] | None = None,
                 today: dt.date | None = None, limits: Limits = Limits()) -> Refusal | Preview:
    """Check a file as the ingest would, for someone allowed to send it, without storing anything."""
    upload = read_upload(file_name, data, limits)
    if isinstance(upload, list):
        return _rights(user, department) or Preview(file_name, department, tuple(upload))
    department = department or department_of(upload, plan)
    denied = _rights(user, department)
    if denied:
        return denied
    day = today or config_today()
    with engine.connect() as conn:
        earlier = find_submission_by_hash(conn, hashlib.sha256(data).hexdigest(), HELD)
        if earlier is not None:
            return Preview(file_name, department, identical=(int(earlier[0]), str(earlier[2])))
        checked = check_upload(conn, upload, plan, department=department, today=day, limits=limits,
                               explanations=explanations, task_explanations=task_explanations)
        rows = checked.value_rows()
        current = read_current_values(conn, sorted(set(rows[CODE]))) if checked.accepted else rows
        locks = read_locks(conn)
        judged = plans_judging(conn, plan) if checked.accepted and not rows.empty else []
        book = read_task_book(conn, plan, day) if checked.tasks is not None else TaskBook()
    if not checked.accepted:
        return Preview(file_name, department, checked.hard, checked.soft, checked.explained, book=book)
    changed = checked.changed_values()
    periods = [*changed[PERIOD], *(r.period for r in checked.changed_tasks())]
    locked = sorted({q for q in map(quarter_code, periods) if q in locks})
    return Preview(file_name, department, (), (), checked.explained, rows,
                   red_indicators(judged, current, changed) if judged else (), tuple(locked),
                   skipped=checked.skipped, tasks=checked.task_rows(), book=book,
                   task_skipped=checked.tasks.skipped if checked.tasks else 0)


def _rights(user: User | None, department: str | None) -> Refusal | None:
    return check_can_submit(user, department)


def plans_judging(conn: Connection, plan: PlanData) -> list[PlanData]:
    """The plans a file's values are judged in: the plan given, or for the series view every plan (drafts aside)
    with its `final` baselines resolved."""
    if plan.info.code != SERIES_VIEW:
        return [plan]
    found = [plan_from_store(conn, info.code) for info in plans_in_store(conn) if not info.draft]
    return [p for p in found if p is not None]


def red_indicators(plans: Sequence[PlanData], current: pd.DataFrame, rows: pd.DataFrame) -> tuple[str, ...]:
    """Indicators of the file that would be red (进度滞后 / 倒退 / 未达成) in some plan once its values are current."""
    return tuple(sorted(c for c, status in statuses_in(plans, current, rows).items()
                        if STATUS_GROUP.get(status) == "red"))


_SEVERITY = {"red": 0, "amber": 1, "green": 2}


def statuses_in(plans: Sequence[PlanData], current: pd.DataFrame, rows: pd.DataFrame) -> dict[str, str]:
    """statuses_with in every plan whose span holds a row's period; of several, the most severe (a leader would
    see that one somewhere)."""
    out: dict[str, str] = {}
    for plan in plans:
        start, end = plan.info.start_period.start_time - 1e-9, plan.info.end_period.end_time + 1e-9
        inside = [start <= period_of_code(p).start_time and period_of_code(p).end_time <= end for p in rows[PERIOD]]
        mine = rows[pd.Series(inside, index=rows.index, dtype=bool) & rows[CODE].isin(plan.indicator_map())]
        for code, status in statuses_with(plan, current, mine).items():
            if code not in out or _SEVERITY.get(STATUS_GROUP.get(status, ""), 3) < _SEVERITY.get(
                    STATUS_GROUP.get(out[code], ""), 3):
                out[code] = status
    return out


def statuses_with(plan: PlanData, current: pd.DataFrame, rows: pd.DataFrame) -> dict[str, str]:
    """The status each indicator of `rows` would have once those values are current, judged at the quarter of the
    rows' latest period (within the plan)."""
    if rows.empty:
        return {}
    mine = rows[[CODE, PERIOD, VALUE]]
    kept = current[[CODE, PERIOD, VALUE]].merge(mine[[CODE, PERIOD]], how="left", indicator=True)
    overlay = pd.concat([kept[kept["_merge"] == "left_only"][[CODE, PERIOD, VALUE]], mine], ignore_index=True)
    latest = max(period_of_code(p).end_time for p in mine[PERIOD].unique())
    as_of = latest_period_ending_by(min(latest, plan.info.end_period.end_time), "quarterly")
    standing = compute_standing(plan, overlay, as_of)
    return {c: standing.assessments[c].status for c in mine[CODE].unique() if c in standing.assessments}


def submit_file(engine: Engine, plan: PlanData, user: User | None, file_name: str, data: bytes, *,
                department: str | None = None, explanations: Mapping[int, str] | None = None,
                narratives: Mapping[str, Narrative] | None = None, evidence: Sequence[EvidenceFile] = (),
                today: dt.date | None = None, now: dt.datetime | None = None, limits: Limits = Limits(),
                task_explanations: Mapping[int, str] | None = None) -> Refusal | Preview | IngestResult:
    """上报: store the file as 待审核 with its narratives and evidence in one transaction, after every check.

    Returns a refusal (rights, locked quarter, missing narrative, bad evidence), the preview when the file has
    problems, or the ingest's result (its submission_id is the receipt number).
    """
    preview = preview_file(engine, plan, user, file_name, data, department=department, explanations=explanations,
                           task_explanations=task_explanations, today=today, limits=limits)
    if isinstance(preview, Refusal):
        return preview
    if not preview.accepted:
        return preview.identical_refusal() or preview
    narratives = dict(narratives or {})
    problem = _check_extras(user, preview, narratives, evidence)
    if isinstance(problem, Refusal):
        return problem
    mimes = problem

    def keep_extras(conn: Connection, submission_id: int, rows: pd.DataFrame) -> None:
        _save_narratives(conn, submission_id, rows, narratives)
        _save_evidence(conn, submission_id, evidence, mimes)

    assert user is not None  # preview_file refused anyone not signed in
    result = ingest_bytes(engine, plan, IngestRequest(
        file_name, data, department=preview.department, submitter=user.username, channel="web", status=PENDING,
        submitted_at=now or dt.datetime.now(), today=today, limits=limits, explanations=explanations,
        task_explanations=task_explanations, after_save=keep_extras))
    if result.outcome == UNCHANGED and result.submission_id is not None:
        # the same file arrived from elsewhere between the preview and the write lock: one submission only
        with engine.connect() as conn:
            status = conn.execute(select(Submission.status).where(Submission.id == result.submission_id)).scalar()
        return refusal("identical-file", id=result.submission_id, status_key=f"submit.status.{status}")
    return result


def _check_extras(user: User | None, preview: Preview, narratives: Mapping[str, Narrative],
                  evidence: Sequence[EvidenceFile]) -> Refusal | list[str]:
    if preview.locked and (user is None or ADMIN not in user.roles):
        return refusal("quarter-locked", quarters_periods=",".join(preview.locked))
    codes = set(preview.rows[CODE])
    for code, narrative in narratives.items():
        if code not in codes:
            return refusal("narrative-unknown-indicator", code=code)
        if max(len(narrative.progress), len(narrative.problems), len(narrative.next_steps)) > MAX_CELL_CHARS:
            return refusal("narrative-too-long", code=code, limit=MAX_CELL_CHARS)
    missing = [c for c in preview.red if not narratives.get(c, Narrative()).explains_red]
    if missing:
        return refusal("red-needs-narrative", codes="、".join(missing))
    too_many = check_evidence_count(len(evidence))
    if too_many:
        return too_many
    mimes = []
    for item in evidence:
        if item.indicator_code not in codes:
            return refusal("narrative-unknown-indicator", code=item.indicator_code)
        checked = check_evidence(item.file_name, item.data)
        if isinstance(checked, Refusal):
            return checked
        mimes.append(checked)
    return mimes


def _save_narratives(conn: Connection, submission_id: int, rows: pd.DataFrame,
                     narratives: Mapping[str, Narrative]) -> None:
    """A narrative belongs to its indicator's latest period in the file."""
    latest = {code: max(periods, key=lambda p: period_of_code(p).end_time)
              for code, periods in rows.groupby(CODE)[PERIOD]}
    records = [{"indicator_code": code, "period": latest[code], "submission_id": submission_id,
                "progress": n.progress.strip(), "problems": n.problems.strip(), "next_steps": n.next_steps.strip()}
               for code, n in narratives.items() if code in latest and (n.progress or n.problems or n.next_steps)]
    if records:
        conn.execute(insert(ValueNarrative), records)


def _save_evidence(conn: Connection, submission_id: int, evidence: Sequence[EvidenceFile], mimes: list[str]) -> None:
    records = [{"submission_id": submission_id, "indicator_code": e.indicator_code, "file_name": fit_name(e.file_name),
                "original_name": e.file_name if fit_name(e.file_name) != e.file_name else "",
                "mime": m, "content": e.data, "sha256": hashlib.sha256(e.data).hexdigest()}
               for e, m in zip(evidence, mimes)]
    if records:
        conn.execute(insert(Evidence), records)


# ---- 重点任务 reports -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskReview:
    """A submission's 重点任务 reports as the reviewer weighs them: each with its task's name and deadline in force."""

    submission_id: int
    rows: tuple[TaskRow, ...]
    book: TaskBook
    evidence: int  # the submission's 佐证材料: the evidence for closing the tasks it reports done


def inspect_task_reports(engine: Engine, user: User | None, plan: PlanData, submission_id: int,
                         today: dt.date | None = None) -> Refusal | TaskReview:
    """The task reports a submission carries, for a reviewer (the deadlines as they stand today, before it is
    decided)."""
    denied = check_can_review(user)
    if denied:
        return denied
    with engine.connect() as conn:
        if conn.execute(select(Submission.id).where(Submission.id == submission_id)).first() is None:
            return refusal("no-such-submission", id=submission_id)
        frame = read_submission_tasks(conn, submission_id)
        book = read_task_book(conn, plan, today or config_today())
        evidence = len(read_evidence_list(conn, submission_id))
    rows = tuple(TaskRow(int(r["source_row"]), str(r["task_code"]), str(r["period"]), str(r["state"]),
                         str(r["progress"]), r["done_on"], r["new_due"], str(r["note"] or ""))
                 for r in frame.to_dict("records"))
    return TaskReview(submission_id, rows, book, evidence)


def task_rows_frame(rows: Sequence[TaskRow], book: TaskBook, lang: str = "zh", *,
                    with_change: bool = False) -> pd.DataFrame:
    """行 / 任务编码 / 任务名称 / 统计期 / 完成时限 / 完成状态 / 申请事项 / 进展情况 / 备注 (and 变动 in a preview):
    the words as the department wrote them, which the pages draw as data, never as markup."""
    def name(code: str) -> str:
        entry = book.entries.get(code)
        return "" if entry is None else entry.task.name_zh if lang == "zh" else entry.task.name_en

    columns = {
        "row": [r.row for r in rows], "code": [r.task_code for r in rows], "name": [name(r.task_code) for r in rows],
        "period": [period_of_code(r.period).label(lang) for r in rows],
        "due": [_due_text(book, r.task_code, lang) for r in rows],
        "state": [t(f"task-report.state.{r.state}", lang) for r in rows],
        "asked": [_asked(book, r, lang) for r in rows],
        "progress": [r.progress for r in rows], "note": [r.note for r in rows],
    }
    if with_change:
        columns["change"] = [t(f"submit.change.{r.change}", lang) for r in rows]
    return pd.DataFrame({t(f"task-report.col.{key}", lang): values for key, values in columns.items()})


def _due_text(book: TaskBook, code: str, lang: str) -> str:
    entry = book.entries.get(code)
    if entry is None:
        return ""
    if entry.due != entry.task.due:
        return t("task-report.due-extended", lang, due=entry.due.isoformat(), original=entry.task.due.isoformat())
    return entry.due.isoformat()


def _asked(book: TaskBook, row: TaskRow, lang: str) -> str:
    """What the reviewer is asked to grant: the 销号 of a task done on a day, or an extension to a day."""
    if row.state == "done" and row.done_on is not None:
        return t("task-report.asked.done", lang, date=row.done_on.isoformat())
    entry = book.entries.get(row.task_code)
    if row.state == "extension" and row.new_due is not None:
        due = entry.due.isoformat() if entry is not None else ""
        return t("task-report.asked.extension", lang, date=row.new_due.isoformat(), due=due)
    return ""


# ---- review ------------------------------------------------------------------------------------------------

def approve(engine: Engine, user: User | None, submission_id: int, *, comment: str = "",
            now: dt.datetime | None = None) -> Refusal | None:
    """审核通过 of the submission the reviewer was shown: its values become current.

    Refused when it is no longer pending (another reviewer decided it, or its department withdrew it), when the
    reviewer sent it, when a newer submission (approved or pending) carries a value for one of its indicators and
    periods (approving it would make the older value current), or when it changes a locked quarter (admins only).
    """
    denied = check_can_review(user)
    if denied:
        return denied
    assert user is not None
    with writing(engine) as conn, conn.begin():
        problem = _decidable(conn, submission_id, user) or newer_than(conn, submission_id)
        if problem:
            return problem
        locked = _locked_quarters_of(conn, submission_id)
        if locked and ADMIN not in user.roles:
            return refusal("quarter-locked", quarters_periods=",".join(locked))
        _decide(conn, submission_id, APPROVED, user, comment, now)
    refresh_standings(engine)
    return None


def return_submission(engine: Engine, user: User | None, submission_id: int, comment: str, *,
                      now: dt.datetime | None = None) -> Refusal | None:
    """退回修改 with a comment the department reads; the values never become current."""
    denied = check_can_review(user)
    if denied:
        return denied
    assert user is not None
    if not is_real_explanation(comment):
        return refusal("return-needs-comment")
    with writing(engine) as conn, conn.begin():
        problem = _decidable(conn, submission_id, user)
        if problem:
            return problem
        _decide(conn, submission_id, RETURNED, user, comment, now)
    refresh_standings(engine)
    return None


def withdraw(engine: Engine, user: User | None, submission_id: int, *, comment: str = "",
             now: dt.datetime | None = None) -> Refusal | None:
    """撤回: the department takes back a file still waiting for review (e.g. to send a corrected one)."""
    with writing(engine) as conn, conn.begin():
        row = conn.execute(select(Submission.status, Submission.department).where(
            Submission.id == submission_id)).first()
        if row is None:
            return refusal("no-such-submission", id=submission_id)
        denied = check_can_submit(user, row.department)
        if denied:
            return denied
        assert user is not None
        if row.status != PENDING:
            return _not_pending(submission_id, row.status)
        _decide(conn, submission_id, WITHDRAWN, user, comment, now)
    return None


def _decidable(conn: Connection, submission_id: int, user: User) -> Refusal | None:
    """The submission exists, waits for review, and was not sent by the one deciding (an admin neither)."""
    row = conn.execute(select(Submission.status, Submission.submitter).where(Submission.id == submission_id)).first()
    if row is None:
        return refusal("no-such-submission", id=submission_id)
    if row.status != PENDING:
        return _not_pending(submission_id, row.status)
    if row.submitter == user.username:
        return refusal("own-submission", id=submission_id)
    return None


def _not_pending(submission_id: int, status: str) -> Refusal:
    return refusal("not-pending", id=submission_id, status_key=f"submit.status.{status}")


def newer_than(conn: Connection, submission_id: int) -> Refusal | None:
    """The first newer submission, approved or pending, with a value for one of this one's indicators and periods,
    or a report of one of its tasks and quarters."""
    row = conn.execute(text(
        "SELECT o2.submission_id, o2.indicator_code, o2.period FROM observation o "
        "JOIN observation o2 ON o2.indicator_code = o.indicator_code AND o2.period = o.period "
        "JOIN submission s2 ON s2.id = o2.submission_id "
        "WHERE o.submission_id = :i AND o2.submission_id > :i AND s2.status IN (:approved, :pending) "
        "ORDER BY o2.submission_id, o2.indicator_code, o2.period"),
        {"i": submission_id, "approved": APPROVED, "pending": PENDING}).first()
    if row is not None:
        return refusal("newer-submission", id=submission_id, newer=row[0], code=row[1], when_period=row[2])
    task = newer_task_report(conn, submission_id)
    if task is not None:
        return refusal("newer-task-report", id=submission_id, newer=task[0], code=task[1], when_period=task[2])
    return None


def _decide(conn: Connection, submission_id: int, action: str, user: User, comment: str,
            now: dt.datetime | None) -> None:
    conn.execute(update(Submission).where(Submission.id == submission_id).values(status=action))
    conn.execute(insert(ReviewEvent).values(submission_id=submission_id, action=action, by=user.username,
                                            at=now or dt.datetime.now(), comment=comment.strip()))


def _locked_quarters_of(conn: Connection, submission_id: int) -> list[str]:
    periods = [*conn.execute(text("SELECT DISTINCT period FROM observation WHERE submission_id = :i"),
                             {"i": submission_id}).scalars().all(), *read_task_periods(conn, submission_id)]
    locks = read_locks(conn)
    return sorted({quarter_code(p) for p in periods} & set(locks))


def _admin_quarter(user: User | None, period: str) -> Refusal | Period:
    """The quarter an admin asks to lock or unlock, or why not (not an admin; not a quarter)."""
    denied = check_is_admin(user)
    if denied:
        return denied
    parsed = parse_period(period)
    if parsed is None or parsed.frequency != "quarterly":
        return refusal("bad-quarter", value=period)
    return parsed


def lock_quarter(engine: Engine, user: User | None, period: str, *, now: dt.datetime | None = None) -> Refusal | None:
    """Lock a quarter after its briefing (admin only); later changes to it need an admin."""
    parsed = _admin_quarter(user, period)
    if isinstance(parsed, Refusal):
        return parsed
    assert user is not None
    with writing(engine) as conn, conn.begin():
        if parsed.code in read_locks(conn):
            return refusal("already-locked", quarter_period=parsed.code)
        at = now or dt.datetime.now()
        conn.execute(insert(PeriodLock).values(period=parsed.code, locked_by=user.username, locked_at=at))
        conn.execute(insert(LockEvent).values(period=parsed.code, action="lock", by=user.username, at=at, reason=""))
    return None


def unlock_quarter(engine: Engine, user: User | None, period: str, reason: str, *,
                   now: dt.datetime | None = None) -> Refusal | None:
    """Open a locked quarter again (admin only, with the reason, e.g. its briefing must be redone): submissions are then
    accepted for it without an admin. The unlock is kept in the quarter's lock history with who, when and why."""
    parsed = _admin_quarter(user, period)
    if isinstance(parsed, Refusal):
        return parsed
    assert user is not None
    if not is_real_explanation(reason):
        return refusal("unlock-needs-reason")
    with writing(engine) as conn, conn.begin():
        if parsed.code not in read_locks(conn):
            return refusal("not-locked", quarter_period=parsed.code)
        conn.execute(delete(PeriodLock).where(PeriodLock.period == parsed.code))
        conn.execute(insert(LockEvent).values(period=parsed.code, action="unlock", by=user.username,
                                              at=now or dt.datetime.now(), reason=reason.strip()))
    return None


__all__ = [
    "ACCEPTED",
    "EvidenceFile",
    "IngestResult",
    "Narrative",
    "Preview",
    "TaskReview",
    "approve",
    "check_evidence",
    "inspect_task_reports",
    "lock_quarter",
    "newer_than",
    "plans_judging",
    "preview_file",
    "quarter_code",
    "red_indicators",
    "return_submission",
    "statuses_in",
    "statuses_with",
    "submit_file",
    "task_rows_frame",
    "unlock_quarter",
    "withdraw",
]

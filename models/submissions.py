"""Read queries for the browser submission flow: submissions by department and status, their review trail,
narratives and evidence, and locked quarters."""
from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import Connection, select, text

from models.schema import Evidence, LockEvent, PeriodLock, ReviewEvent, ValueNarrative

SUBMISSION_COLUMNS = ["id", "file_name", "department", "submitter", "channel", "status", "submitted_at", "n_new",
                      "n_revised", "n_unchanged", "comment", "reviewed_by", "reviewed_at"]

_SUBMISSIONS = """
SELECT s.id, s.file_name, s.department, s.submitter, s.channel, s.status, s.submitted_at, s.n_new, s.n_revised,
       s.n_unchanged, COALESCE(r.comment, '') AS comment, r.by AS reviewed_by, r.at AS reviewed_at
FROM submission s
LEFT JOIN review_event r ON r.id = (SELECT MAX(r2.id) FROM review_event r2 WHERE r2.submission_id = s.id)
{where}
ORDER BY s.id DESC
"""


def read_submission_list(conn: Connection, departments: Collection[str] | None = None,
                         status: str | None = None) -> pd.DataFrame:
    """Submissions newest first with the latest review decision's comment; optionally of some departments/status."""
    clauses, params = [], {}
    if departments is not None:
        names = [f"d{i}" for i in range(len(departments))]
        params.update(dict(zip(names, departments)))
        clauses.append(f"s.department IN ({', '.join(':' + n for n in names)})" if names else "1 = 0")
    if status is not None:
        clauses.append("s.status = :status")
        params["status"] = status
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    frame = pd.read_sql_query(text(_SUBMISSIONS.format(where=where)), conn, params=params)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return frame[SUBMISSION_COLUMNS]


def read_submission_header(conn: Connection, submission_id: int) -> dict[str, object] | None:
    row = conn.execute(text("SELECT id, file_name, department, submitter, status, submitted_at, reporter, "
                            "reporter_phone, original_name FROM submission WHERE id = :i"),
                       {"i": submission_id}).mappings().first()
    return dict(row) if row else None


def read_submission_values(conn: Connection, submission_id: int) -> pd.DataFrame:
    """The values a submission carries (its new and revised rows), with the narrative written for each."""
    sql = """SELECT o.indicator_code, o.period, o.value, o.note, o.revision, o.source_row,
                    COALESCE(n.progress, '') AS progress, COALESCE(n.problems, '') AS problems,
                    COALESCE(n.next_steps, '') AS next_steps
             FROM observation o LEFT JOIN value_narrative n ON n.submission_id = o.submission_id
                  AND n.indicator_code = o.indicator_code AND n.period = o.period
             WHERE o.submission_id = :i ORDER BY o.source_row"""
    return pd.read_sql_query(text(sql), conn, params={"i": submission_id})


def read_evidence_list(conn: Connection, submission_id: int) -> pd.DataFrame:
    """The 佐证材料 of a submission, without their bytes."""
    rows = conn.execute(select(Evidence.id, Evidence.indicator_code, Evidence.file_name, Evidence.mime,
                               Evidence.sha256).where(Evidence.submission_id == submission_id)).all()
    return pd.DataFrame(rows, columns=["id", "indicator_code", "file_name", "mime", "sha256"])


def read_evidence_file(conn: Connection, evidence_id: int) -> tuple[str, str, bytes] | None:
    row = conn.execute(select(Evidence.file_name, Evidence.mime, Evidence.content).where(
        Evidence.id == evidence_id)).first()
    return (row[0], row[1], bytes(row[2])) if row else None


def read_review_events(conn: Connection, submission_id: int) -> pd.DataFrame:
    rows = conn.execute(select(ReviewEvent.action, ReviewEvent.by, ReviewEvent.at, ReviewEvent.comment).where(
        ReviewEvent.submission_id == submission_id).order_by(ReviewEvent.id)).all()
    return pd.DataFrame(rows, columns=["action", "by", "at", "comment"])


def read_locks(conn: Connection) -> dict[str, tuple[str, object]]:
    """Locked quarters: period code → (locked by, locked at)."""
    return {p: (b, a) for p, b, a in conn.execute(select(PeriodLock.period, PeriodLock.locked_by,
                                                         PeriodLock.locked_at))}


def read_lock_events(conn: Connection) -> pd.DataFrame:
    """Every lock and unlock of a quarter, newest first: period, action (lock | unlock), by, at, reason."""
    rows = conn.execute(select(LockEvent.period, LockEvent.action, LockEvent.by, LockEvent.at, LockEvent.reason)
                        .order_by(LockEvent.id.desc())).all()
    return pd.DataFrame(rows, columns=["period", "action", "by", "at", "reason"])


def read_narratives(conn: Connection, submission_id: int) -> pd.DataFrame:
    rows = conn.execute(select(ValueNarrative.indicator_code, ValueNarrative.period, ValueNarrative.progress,
                               ValueNarrative.problems, ValueNarrative.next_steps).where(
        ValueNarrative.submission_id == submission_id)).all()
    return pd.DataFrame(rows, columns=["indicator_code", "period", "progress", "problems", "next_steps"])


def read_submission_periods(conn: Connection) -> pd.DataFrame:
    """Every submission with each period it carries values for: who sent what when, and its review status."""
    sql = """SELECT DISTINCT s.id AS submission_id, s.department, s.status, s.submitted_at, o.period
             FROM submission s JOIN observation o ON o.submission_id = s.id
             WHERE s.department IS NOT NULL ORDER BY s.id"""
    frame = pd.read_sql_query(text(sql), conn)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return frame


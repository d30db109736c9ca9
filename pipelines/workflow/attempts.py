"""Upload attempts: every file a department tries in the browser is logged (who, when, which department, the file's
name, size and hash, and whether the checks refused it), so the 报送情况 board can count refused attempts.

The log is written in its own small transaction, apart from the ingest: a refused file leaves every data table as
it was, and only this log grows. The file's bytes are not kept for refused files."""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from models.db import writing
from models.schema import UploadAttempt
from pipelines.core.columns import fit_name
from pipelines.workflow.accounts import Refusal, User
from pipelines.workflow.review import Preview

REFUSED, TO_EXPLAIN, PASSED = "rejected", "to_explain", "checked"
ATTEMPT_COLUMNS = ["department", "at", "outcome", "file_name", "username"]


def record_attempt(engine: Engine, user: User, department: str | None, file_name: str, data: bytes,
                   check: Refusal | Preview, *, now: dt.datetime | None = None) -> None:
    """Log one upload: `check` is what preview_file returned. A refusal or a 强制性 problem is a refused attempt; a
    file with only 核实性 questions (answerable in the page) is logged as to be explained."""
    hard, soft = ((), ()) if isinstance(check, Refusal) else (check.hard, check.soft)
    outcome = REFUSED if isinstance(check, Refusal) or hard else TO_EXPLAIN if soft else PASSED
    with writing(engine) as conn, conn.begin():
        conn.execute(insert(UploadAttempt).values(
            at=now or dt.datetime.now(), username=user.username, department=department, file_name=fit_name(file_name),
            sha256=hashlib.sha256(data).hexdigest(), size=len(data), outcome=outcome,
            n_hard=len(hard), n_soft=len(soft), submission_id=None))


def read_attempts(conn: Connection) -> pd.DataFrame:
    """Every logged upload, oldest first."""
    rows = conn.execute(select(UploadAttempt.department, UploadAttempt.at, UploadAttempt.outcome,
                               UploadAttempt.file_name, UploadAttempt.username).order_by(UploadAttempt.id)).all()
    frame = pd.DataFrame(rows, columns=ATTEMPT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"])
    return frame

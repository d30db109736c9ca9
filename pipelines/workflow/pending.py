"""What a reviewer sees of a submission waiting for review, so that nobody approves blind: per value the current
(approved) value → the value sent, the change in %, the status the indicator would have once it is approved, the
核实性 questions the value raises with the department's explanation, and other pending files that change the same
value; for the whole file, whether a newer submission makes approving it stale.

The 核实性 checks are run again on the original file against today's current values: what a reviewer must weigh is
what the file would change now, which may differ from what it changed when it was sent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, text

from models.columns import CODE, NOTE, PERIOD, ROW, VALUE
from models.queries import read_current_values, read_submission_file
from models.states import PENDING
from models.submissions import read_submission_header, read_submission_values
from pipelines.core.columns import PREVIOUS
from pipelines.core.issue import Issue
from pipelines.intake.read import RawTable, read_submission
from pipelines.intake.validate import check_submission
from pipelines.plan.records import PlanData
from pipelines.workflow.accounts import Refusal
from pipelines.workflow.review import newer_than, plans_judging, statuses_in

CHANGE_PCT, STATUS, FLAGS, OTHERS = "change_pct", "status_after", "flags", "others"
NARRATIVE = ("progress", "problems", "next_steps")


@dataclass(frozen=True)
class PendingView:
    """One pending submission as the reviewer weighs it."""

    submission_id: int
    header: dict[str, object]  # file_name, department, submitter, status, submitted_at
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    # ROW, CODE, PERIOD, PREVIOUS, VALUE, CHANGE_PCT, STATUS, NOTE, FLAGS (list of Issue), OTHERS (list of ids),
    # and the narrative columns
    stale: Refusal | None = None  # a newer approved or pending submission carries one of its values


def inspect_submission(engine: Engine, plan: PlanData, submission_id: int,
                       today: dt.date | None = None) -> PendingView | None:
    """The review view of one submission; None when there is no such submission."""
    with engine.connect() as conn:
        header = read_submission_header(conn, submission_id)
        if header is None:
            return None
        values = read_submission_values(conn, submission_id)
        codes = sorted(set(values["indicator_code"]))
        current = read_current_values(conn, codes)
        others = _other_pending(conn, submission_id)
        original = read_submission_file(conn, submission_id)
        stale = newer_than(conn, submission_id) if header["status"] == PENDING else None
        judged = plans_judging(conn, plan)
    rows = values.rename(columns={"indicator_code": CODE, "period": PERIOD, "value": VALUE, "note": NOTE,
                                  "source_row": ROW})
    rows = rows.merge(current[[CODE, PERIOD, VALUE]].rename(columns={VALUE: PREVIOUS}), on=[CODE, PERIOD],
                      how="left")
    rows[CHANGE_PCT] = [_change(old, new) for old, new in zip(rows[PREVIOUS], rows[VALUE])]
    statuses = statuses_in(judged, current, rows)
    rows[STATUS] = rows[CODE].map(statuses).fillna("")
    flags = _flags(plan, current, original, str(header["department"] or "") or None, rows, today)
    rows[FLAGS] = pd.Series([flags.get(int(r), []) for r in rows[ROW]], index=rows.index, dtype=object)
    rows[OTHERS] = pd.Series([others.get((c, p), []) for c, p in zip(rows[CODE], rows[PERIOD])], index=rows.index,
                             dtype=object)
    columns = [ROW, CODE, PERIOD, PREVIOUS, VALUE, CHANGE_PCT, STATUS, NOTE, FLAGS, OTHERS, *NARRATIVE]
    return PendingView(submission_id, header, rows[columns].reset_index(drop=True), stale)


def _change(old: float, new: float) -> float | None:
    """The change in % from the current value; None without a current value or from zero."""
    if pd.isna(old) or old == 0:
        return None
    return (float(new) - float(old)) / abs(float(old)) * 100


def _other_pending(conn: Connection, submission_id: int) -> dict[tuple[str, str], list[int]]:
    """For each value of this submission: the other pending submissions that carry a value for it too."""
    sql = text("SELECT o.indicator_code, o.period, o2.submission_id FROM observation o "
               "JOIN observation o2 ON o2.indicator_code = o.indicator_code AND o2.period = o.period "
               "JOIN submission s2 ON s2.id = o2.submission_id "
               "WHERE o.submission_id = :i AND o2.submission_id <> :i AND s2.status = :pending "
               "ORDER BY o2.submission_id")
    found: dict[tuple[str, str], list[int]] = {}
    for code, period, other in conn.execute(sql, {"i": submission_id, "pending": PENDING}):
        found.setdefault((code, period), []).append(int(other))
    return found


def _flags(plan: PlanData, current: pd.DataFrame, original: tuple[str, bytes] | None, department: str | None,
           rows: pd.DataFrame, today: dt.date | None) -> dict[int, list[Issue]]:
    """The 核实性 questions of each row of the original file, against today's current values. The stored 备注 (which
    holds what the department answered) is given as the explanation, so answered questions are still listed."""
    if original is None:
        return {}
    raw = read_submission(original[0], original[1])
    if not isinstance(raw, RawTable):
        return {}
    notes = {int(r): str(n) for r, n in zip(rows[ROW], rows[NOTE]) if str(n).strip()}
    checked = check_submission(raw, plan, current, department=department, today=today, explanations=notes)
    found: dict[int, list[Issue]] = {}
    for issue in [*checked.soft, *checked.explained]:
        if issue.row is not None:
            found.setdefault(int(issue.row), []).append(issue)
    return found

"""Freeze a quarter's assessments for its briefing, read them back, and list what changed between two quarters."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, tuple_

from models.columns import CODE, DEPARTMENT, FILE, PERIOD, REVISION, SUBMITTED_AT, SUBMITTER, VALUE
from models.db import writing
from models.schema import Observation as ObservationRow
from models.schema import Snapshot, Submission
from models.states import APPROVED
from pipelines.core.periods import Period, period_of_code
from pipelines.engine.progress import Assessment, Change, diff_assessments
from pipelines.store.codec import assessment_from_dict, assessment_to_dict
from pipelines.store.plans import default_code
from pipelines.store.standings import read_standing


@dataclass(frozen=True)
class Frozen:
    as_of: Period
    created_at: dt.datetime
    rule: str
    last_submission_id: int
    assessments: dict[str, Assessment]
    frozen_by: str = ""  # the account that froze it ('' when frozen from the command line or before 0009)
    plan_code: str = ""


def freeze(engine: Engine, as_of: Period, *, replace: bool = False, now: dt.datetime | None = None,
           by: str = "", plan: str | None = None) -> Frozen | None:
    """Store one plan's quarter's assessments (frozen `by` an account); an existing snapshot is kept unless replace is
    asked. None: no such plan. Who may freeze is the workflow's business (pipelines.workflow.freezing)."""
    standing = read_standing(engine, as_of, plan)
    if standing is None:
        return None
    code = standing.plan.info.code
    with writing(engine) as conn, conn.begin():
        existing = read_snapshot(conn, as_of, code)
        if existing is not None and not replace:
            return existing
        last = conn.execute(select(func.coalesce(func.max(Submission.id), 0))).scalar_one()
        payload = json.dumps({c: assessment_to_dict(a) for c, a in standing.assessments.items()}, ensure_ascii=False)
        if existing is not None:
            conn.execute(delete(Snapshot).where(Snapshot.plan_code == code, Snapshot.as_of == as_of.code))
        created = now or dt.datetime.now()
        conn.execute(insert(Snapshot).values(plan_code=code, as_of=as_of.code, created_at=created,
                                             rule=standing.rule.name, last_submission_id=last, payload_json=payload,
                                             frozen_by=by[:40]))
    return Frozen(as_of, created, standing.rule.name, last, standing.assessments, by[:40], code)


def read_snapshot(conn: Connection, as_of: Period, plan: str | None = None) -> Frozen | None:
    """One plan's frozen quarter (the store's default plan when none is named); None when it was not frozen."""
    code = plan if plan is not None else default_code(conn)
    row = conn.execute(select(Snapshot.__table__).where(Snapshot.plan_code == code,
                                                        Snapshot.as_of == as_of.code)).first()
    if row is None:
        return None
    assessments = {c: assessment_from_dict(d) for c, d in json.loads(row.payload_json).items()}
    return Frozen(as_of, row.created_at, row.rule, row.last_submission_id, assessments, row.frozen_by or "",
                  row.plan_code)


def assessments_for(engine: Engine, as_of: Period, plan: str | None = None
                    ) -> tuple[dict[str, Assessment], Frozen | None]:
    """A plan's quarter's assessments: the frozen snapshot when there is one, else computed now from the store."""
    with engine.connect() as conn:
        frozen = read_snapshot(conn, as_of, plan)
    if frozen is not None:
        return frozen.assessments, frozen
    standing = read_standing(engine, as_of, plan)
    return (standing.assessments if standing else {}), None


@dataclass(frozen=True)
class QuarterDiff:
    """What changed from one quarter's briefing to the next."""

    before: Period
    after: Period
    changes: list[Change]  # status changes, new values, reports that became overdue
    revisions: pd.DataFrame  # past values revised since the earlier quarter was briefed: old → new, who, when
    before_frozen: bool


def diff_quarters(engine: Engine, before: Period, after: Period, due_days: int = 15,
                  plan: str | None = None) -> QuarterDiff:
    old, frozen = assessments_for(engine, before, plan)
    new, _ = assessments_for(engine, after, plan)
    with engine.connect() as conn:
        revisions = read_revisions_since(conn, before, frozen, due_days)
    return QuarterDiff(before, after, diff_assessments(old, new), revisions, frozen is not None)


def read_revisions_since(conn: Connection, before: Period, frozen: Frozen | None, due_days: int = 15) -> pd.DataFrame:
    """Values of periods up to `before` that an approved submission revised after `before` was briefed.

    With a snapshot, "after" means a submission newer than the snapshot; without one, sent after the quarter's
    reporting deadline (its end plus the plan's due days).
    """
    rows = pd.read_sql_query(
        select(ObservationRow.indicator_code.label(CODE), ObservationRow.period.label(PERIOD),
               ObservationRow.value.label(VALUE), ObservationRow.revision.label(REVISION),
               ObservationRow.note, Submission.id.label("submission_id"), Submission.file_name.label(FILE),
               Submission.department.label(DEPARTMENT), Submission.submitter.label(SUBMITTER),
               Submission.submitted_at.label(SUBMITTED_AT))
        .join(Submission, Submission.id == ObservationRow.submission_id)
        .where(Submission.status == APPROVED)
        # Only values sent more than once can have been revised: a large store reads a handful of rows, not all.
        .where(tuple_(ObservationRow.indicator_code, ObservationRow.period).in_(
            select(ObservationRow.indicator_code, ObservationRow.period).where(ObservationRow.revision > 1))), conn)
    if rows.empty:
        return rows.assign(previous=[])
    rows = rows.sort_values([CODE, PERIOD, REVISION])
    rows["previous"] = rows.groupby([CODE, PERIOD])[VALUE].shift(1)
    ends = rows[PERIOD].map({p: period_of_code(p).end_time for p in rows[PERIOD].unique()})
    if frozen is not None:
        late = rows["submission_id"] > frozen.last_submission_id
    else:
        late = pd.to_datetime(rows[SUBMITTED_AT]).dt.date > before.end_date + dt.timedelta(days=due_days)
    picked = rows[(ends <= before.end_time + 1e-9) & rows["previous"].notna() & late]
    return picked.reset_index(drop=True)

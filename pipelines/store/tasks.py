"""The store's 重点任务: a plan's tasks (written with the plan, read back with it) and the departments' reports of them
as they stand — the newest approved report of each task and quarter, and a newer one still awaiting review."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, text

from models.schema import PlanTask
from models.states import APPROVED, PENDING
from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import period_of_code
from pipelines.plan.records import PlanData, TaskDef
from pipelines.plan.task_checks import TASKS

REPORT_COLUMNS = ["task_code", "period", "revision", "submission_id", "state", "progress", "done_on", "new_due",
                  "note", "status", "submitted_at", "approved_at", "department", "file_name"]


def task_code_conflicts(conn: Connection, plan: PlanData) -> list[Issue]:
    """A task code another plan already uses (a department's report names its task by code alone)."""
    codes = [task.code for task in plan.tasks]
    if not codes:
        return []
    taken = conn.execute(select(PlanTask.code, PlanTask.plan_code)
                         .where(PlanTask.code.in_(codes), PlanTask.plan_code != plan.info.code)).all()
    rows = {task.code: task.row or None for task in plan.tasks}
    return [make_issue(f"{plan.info.folder or plan.info.code}/{TASKS}", rows[code], "code", "plan-task-code-taken",
                       code, other_plan=other) for code, other in taken]


def delete_tasks(conn: Connection, plan_code: str) -> None:
    conn.execute(delete(PlanTask).where(PlanTask.plan_code == plan_code))


def insert_tasks(conn: Connection, plan: PlanData) -> None:
    if not plan.tasks:
        return
    conn.execute(insert(PlanTask), [
        {"plan_code": plan.info.code, "code": task.code, "sub_item_code": task.sub_item_code,
         "name_zh": task.name_zh, "name_en": task.name_en, "department": task.department,
         "supporting_departments": ";".join(task.supporting_departments), "due": task.due, "due_text": task.due_text,
         "milestones_json": json.dumps([[p.code, what] for p, what in task.milestones], ensure_ascii=False),
         "source": task.source, "position": n} for n, task in enumerate(plan.tasks)])


def read_tasks(conn: Connection, plan_code: str) -> tuple[TaskDef, ...]:
    table = PlanTask.__table__
    rows = conn.execute(select(table).where(table.c.plan_code == plan_code).order_by(table.c.position)).all()
    return tuple(TaskDef(r.code, r.sub_item_code, r.name_zh, r.name_en, r.department,
                         tuple(c for c in r.supporting_departments.split(";") if c), r.due, r.due_text,
                         tuple((period_of_code(p), what) for p, what in json.loads(r.milestones_json or "[]")),
                         r.source) for r in rows)


_REPORTS = """
SELECT r.task_code, r.period, r.revision, r.submission_id, r.state, r.progress, r.done_on, r.new_due, r.note,
       s.status, s.submitted_at,
       (SELECT MAX(e.at) FROM review_event e WHERE e.submission_id = s.id AND e.action = :approved) AS approved_at,
       s.department, s.file_name
FROM task_report r JOIN submission s ON s.id = r.submission_id
WHERE s.status IN (:approved, :pending) {codes}
ORDER BY r.task_code, r.period, r.revision
"""


def read_task_reports(conn: Connection, codes: Collection[str] | None = None) -> pd.DataFrame:
    """Per task and quarter the newest approved report and, when there is one, a newer report awaiting review (status
    pending); oldest quarter first. Returned files are left out: they never counted."""
    params: dict[str, object] = {"approved": APPROVED, "pending": PENDING}
    clause = ""
    if codes is not None:
        names = [f"t{n}" for n in range(len(codes))]
        params.update(dict(zip(names, codes)))
        clause = f"AND r.task_code IN ({', '.join(':' + n for n in names)})" if names else "AND 1 = 0"
    frame = pd.DataFrame(conn.execute(text(_REPORTS.format(codes=clause)), params).all(), columns=REPORT_COLUMNS)
    if frame.empty:
        return frame
    for column in ("submitted_at", "approved_at"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("done_on", "new_due"):
        frame[column] = [_day(v) for v in frame[column]]
    approved = frame[frame["status"] == APPROVED].groupby(["task_code", "period"]).tail(1)
    newest = frame.groupby(["task_code", "period"]).tail(1)
    waiting = newest[newest["status"] == PENDING]
    kept = pd.concat([approved, waiting]).sort_values(["task_code", "period", "revision"])
    return kept.reset_index(drop=True)


def _day(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])

"""A task's stored reports (pipelines.store.tasks.read_task_reports' rows) as the states engine reads them: each with
its quarter's last day, the day it was sent, and — when approved — the day of its approval."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from models.states import APPROVED
from pipelines.core.periods import Period, period_of_code
from pipelines.engine.tasks import TaskReport


def reports_of(frame: pd.DataFrame, code: str, as_of: Period | None = None) -> list[TaskReport]:
    """One task's reports (of quarters up to as_of when given), oldest quarter first."""
    if frame.empty:
        return []
    out: list[TaskReport] = []
    records: list[dict[Any, Any]] = frame[frame["task_code"] == code].to_dict("records")
    for r in records:
        period = period_of_code(str(r["period"]))
        if as_of is not None and period.end_time > as_of.end_time + 1e-9:
            continue
        sent = pd.Timestamp(r["submitted_at"]).date()
        approved = bool(r["status"] == APPROVED)
        approved_on = (pd.Timestamp(r["approved_at"]).date() if pd.notna(r["approved_at"]) else sent) \
            if approved else None  # a file loaded from the command line is approved as it is sent
        out.append(TaskReport(period.end_date, r["state"], sent, approved, approved_on, _day(r["done_on"]),
                              _day(r["new_due"])))
    return out


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None

"""Publication = approved: what the store reads for the public (revision history, the data time) holds only values a
reviewer approved; a file waiting for review (待审核) or returned changes none of it. (First part of the publication
rule; the other public reads already read approved values only: current values, first reports, exports.)"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from models.queries import read_current_values, read_data_version, read_history
from models.states import APPROVED, PENDING, RETURNED, SubmissionStatus
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from tests.conftest import HEADER, TODAY, csv_bytes

APPROVED_AT, WAITING_AT = dt.datetime(2026, 1, 10, 9, 0), dt.datetime(2026, 1, 15, 16, 45)


def send(engine: Engine, plan: PlanData, name: str, value: str, status: SubmissionStatus, at: dt.datetime) -> None:
    result = ingest_bytes(engine, plan, IngestRequest(name, csv_bytes([HEADER, ["A03", "", "2024Q1", value, name]]),
                                                      department="KW", status=status, submitted_at=at, today=TODAY))
    assert result.outcome == ACCEPTED, result.as_dict("en")


def test_history_holds_only_approved_revisions(engine: Engine, plan: PlanData) -> None:
    send(engine, plan, "approved.csv", "510", APPROVED, APPROVED_AT)
    send(engine, plan, "waiting.csv", "515", PENDING, WAITING_AT)
    send(engine, plan, "returned.csv", "520", RETURNED, WAITING_AT)

    with engine.connect() as conn:
        history = read_history(conn, "A03")
        current = read_current_values(conn, ["A03"])

    assert history[["period", "value", "file_name", "status"]].values.tolist() == [
        ["2024Q1", 510.0, "approved.csv", APPROVED]]
    assert current["value"].tolist() == [510.0]


def test_the_data_time_is_the_newest_approved_file_not_the_newest_file(engine: Engine, plan: PlanData) -> None:
    with engine.connect() as conn:
        empty = read_data_version(conn)
    send(engine, plan, "approved.csv", "510", APPROVED, APPROVED_AT)
    send(engine, plan, "waiting.csv", "515", PENDING, WAITING_AT)

    with engine.connect() as conn:
        version = read_data_version(conn)

    assert empty is not None and empty.last_approved_at == ""
    assert version is not None
    assert version.last_approved_at.startswith("2026-01-10 09:00")
    assert version.last_submitted_at.startswith("2026-01-15 16:45")  # the cache key still moves with every file

"""Publication = approved: what the store reads for the public (revision history, the data time) holds only values a
reviewer approved; a file waiting for review (待审核) or returned changes none of it. (First part of the publication
rule; the other public reads already read approved values only: current values, first reports, exports.)"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from models.queries import read_current_values, read_data_version, read_first_reports, read_history
from models.states import APPROVED, PENDING, RETURNED, SubmissionStatus
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.present.export import build_export
from pipelines.workflow.accounts import REVIEWER, SUBMITTER, User
from pipelines.workflow.review import approve, return_submission, withdraw
from tests.conftest import HEADER, TODAY, csv_bytes, new_store

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


# ---- the rule as a property: public views = a store that only ever received the approved files ----------------

CLERK, REVIEWER_ = User("kw", "填报员", (SUBMITTER,), ("KW",)), User("rev", "审核员", (REVIEWER,))
Step = tuple[str, int, str]  # (submit | approve | return | withdraw, which file or period, …)
steps = st.lists(st.tuples(st.sampled_from(["submit", "submit", "approve", "approve", "return", "withdraw"]),
                           st.integers(0, 7), st.sampled_from(["2023Q4", "2024Q1"])), min_size=1, max_size=14)


def file_of(number: int, period: str) -> bytes:
    """The n-th file: one value of A03, distinct from every other file's, with a real explanation as its note (so the
    核实性 checks never refuse it, whatever was approved before)."""
    return csv_bytes([HEADER, ["A03", "", period, str(505 + number), f"按区级认定名单第{number + 1}批统计"]])


def public_views(engine: Engine, plan: PlanData) -> dict[str, object]:
    """Everything the public reads of the store, without the revision numbers (a withdrawn file used one up)."""
    with engine.connect() as conn:
        current = read_current_values(conn)
        history = read_history(conn, "A03")
        first = read_first_reports(conn)
        version = read_data_version(conn)
    assert version is not None
    keep = ["indicator_code", "period", "value", "note", "file_name", "submitter", "submitted_at"]
    return {"current": current[keep].values.tolist(), "history": history[keep].values.tolist(),
            "first": first.values.tolist(), "data_time": version.last_approved_at,
            "export": build_export(current, plan).drop(columns=["submission_id", "revision"],
                                                       errors="ignore").values.tolist()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_public_views_equal_a_store_that_only_received_the_approved_files(
        tmp_path_factory: pytest.TempPathFactory, sequence: list[Step]) -> None:
    engine, plan = new_store(tmp_path_factory.mktemp("workflow"))
    sent: list[tuple[int, str, bytes, dt.datetime]] = []  # (submission id, file name, bytes, sent at)
    for number, (action, which, period) in enumerate(sequence):
        if action == "submit":
            at = dt.datetime(2026, 1, 5, 9) + dt.timedelta(hours=number)
            result = ingest_bytes(engine, plan, IngestRequest(
                f"kw{number}.csv", file_of(number, period), department="KW", submitter=CLERK.username,
                channel="web", status=PENDING, submitted_at=at, today=TODAY))
            assert result.outcome == ACCEPTED and result.submission_id is not None, result.as_dict("en")
            sent.append((result.submission_id, f"kw{number}.csv", file_of(number, period), at))
        elif sent:
            target = sent[which % len(sent)][0]
            if action == "approve":
                approve(engine, REVIEWER_, target)
            elif action == "return":
                return_submission(engine, REVIEWER_, target, "数值与台账不符，请核对后重报")
            else:
                withdraw(engine, CLERK, target)
    with engine.connect() as conn:
        approved = {i for i, s in conn.execute(text("SELECT id, status FROM submission")) if s == APPROVED}

    replay, _ = new_store(tmp_path_factory.mktemp("replay"))
    for submission_id, name, data, at in sent:  # in the order they were sent
        if submission_id in approved:
            assert ingest_bytes(replay, plan, IngestRequest(
                name, data, department="KW", submitter=CLERK.username, submitted_at=at,
                today=TODAY)).outcome == ACCEPTED
    try:
        assert public_views(engine, plan) == public_views(replay, plan)
    finally:
        engine.dispose()
        replay.dispose()

"""A file's checks read the store outside the write lock (departments sending at once check side by side); under the
lock they are made again whenever what they read has changed, so what is stored is what checks on the store as it
is would have allowed."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine

import pipelines.intake.ingest as ingest
from models.queries import read_current_values, read_history
from pipelines.intake.ingest import ACCEPTED, REJECTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from tests.conftest import HEADER, TODAY, csv_bytes

WHY = "经与统计部门核实，本期数据修订口径一致、数值无误"


def file_of(value: str, note: str = "", period: str = "2025Q4") -> bytes:
    return csv_bytes([HEADER, ["A03", "高成长性科技企业数", period, value, note]])


def landing_between_check_and_lock(monkeypatch: pytest.MonkeyPatch, engine: Engine, plan: PlanData,
                                   other: bytes) -> list[int]:
    """Another department's file committed just after this file's first checks, before it takes the write lock;
    returns a list that counts the checks made."""
    checking, made = ingest.check_upload, []

    def check_then_another_lands(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = checking(*args, **kwargs)
        made.append(1)
        if len(made) == 1:
            landed = ingest_bytes(engine, plan, IngestRequest("other.csv", other, today=TODAY))
            assert landed.outcome == ACCEPTED, landed.as_dict()
        return out

    monkeypatch.setattr(ingest, "check_upload", check_then_another_lands)
    return made


def test_a_value_stored_meanwhile_makes_the_file_a_revision(store: tuple[Engine, PlanData],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    engine, plan = store
    made = landing_between_check_and_lock(monkeypatch, engine, plan, file_of("1000"))
    result = ingest_bytes(engine, plan, IngestRequest("mine.csv", file_of("1010", WHY), today=TODAY))
    assert result.outcome == ACCEPTED, result.as_dict()
    assert len(made) == 3  # the other file's own check, this file's first, and again under the lock
    assert result.counts["revised"] == 1 and result.counts["new"] == 0  # checked against the value stored meanwhile
    with engine.connect() as conn:
        history = read_history(conn, "A03")
        current = read_current_values(conn, ["A03"], ["2025Q4"])
    rows = history[history["period"] == "2025Q4"]
    assert rows["revision"].tolist() == [1, 2]  # numbered without gaps or twins
    assert current["value"].tolist() == [1010.0]


def test_a_change_meanwhile_that_makes_the_file_surprising_refuses_it(store: tuple[Engine, PlanData],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The first checks found no value of the quarter before to compare with; the one stored meanwhile makes this
    value a large change without an explanation: refused under the lock, and nothing of it stored."""
    engine, plan = store
    landing_between_check_and_lock(monkeypatch, engine, plan, file_of("100", period="2025Q3"))
    result = ingest_bytes(engine, plan, IngestRequest("mine.csv", file_of("1000"), today=TODAY))
    assert result.outcome == REJECTED
    assert [issue.check for issue in result.soft] == ["large-change"]
    with engine.connect() as conn:
        assert read_current_values(conn, ["A03"], ["2025Q4"]).empty


def test_checks_are_not_made_again_when_nothing_changed(store: tuple[Engine, PlanData],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    engine, plan = store
    checking, made = ingest.check_upload, []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        return checking(*args, **kwargs)

    monkeypatch.setattr(ingest, "check_upload", counted)
    assert ingest_bytes(engine, plan, IngestRequest("mine.csv", file_of("1000"), today=TODAY)).outcome == ACCEPTED
    assert len(made) == 1

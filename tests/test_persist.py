"""Storing a file's values: every row stored as sent, numbered as the next revision of its period, whatever the number
of rows (SQLite writes them many rows to a statement, the last statement taking what is left)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, text

import pipelines.store.persist as persist
from models.columns import CODE, NOTE, PERIOD, ROW, VALUE
from pipelines.core.periods import periods_between
from pipelines.plan.records import PlanData
from pipelines.store.persist import save_submission

Stored = tuple[str, str, int, float, str, int, int]  # code, period, revision, value, note, submission, source row


def keys(plan: PlanData, count: int) -> list[tuple[str, str]]:
    quarterly = [i.code for i in plan.indicators if i.frequency == "quarterly"]
    quarters = [p.code for p in periods_between(plan.info.start_period, plan.info.end_period, "quarterly")]
    found = [(code, quarter) for code in quarterly for quarter in quarters]
    assert len(found) >= count, (len(found), count)
    return found[:count]


def send(engine: Engine, rows: list[tuple[str, str]], step: float, first_row: int) -> int:
    frame = pd.DataFrame({ROW: range(first_row, first_row + len(rows)), CODE: [c for c, _ in rows],
                          PERIOD: [p for _, p in rows], VALUE: [n * step for n in range(len(rows))],
                          NOTE: [f"说明{n}" if n % 3 else "" for n in range(len(rows))]})
    with engine.begin() as conn:
        return save_submission(conn, file_name="f.csv", sha256=f"{step:064}"[:64], content=b"", department=None,
                               submitter=None, channel="cli", status="approved",
                               submitted_at=dt.datetime(2026, 1, 20), rows=frame,
                               counts={"new": len(rows), "revised": 0, "unchanged": 0})


def stored(engine: Engine) -> set[Stored]:
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(text(  # type: ignore[misc]
            "SELECT indicator_code, period, revision, value, note, submission_id, source_row FROM observation"))}


def expected(rows: list[tuple[str, str]], step: float, first_row: int, revision: int, submission: int) -> set[Stored]:
    return {(code, period, revision, n * step, f"说明{n}" if n % 3 else "", submission, first_row + n)
            for n, (code, period) in enumerate(rows)}


@pytest.mark.parametrize(("per_statement", "count"), [(4, 1), (4, 3), (4, 4), (4, 5), (4, 8), (4, 9), (None, 150)])
def test_every_row_is_stored_once_with_its_revision_and_source_row(
        store: tuple[Engine, PlanData], monkeypatch: pytest.MonkeyPatch, per_statement: int | None,
        count: int) -> None:
    engine, plan = store
    if per_statement is not None:
        monkeypatch.setattr(persist, "ROWS_PER_INSERT", per_statement)
    rows = keys(plan, count)
    first = send(engine, rows, 1.5, 2)
    assert stored(engine) == expected(rows, 1.5, 2, 1, first)
    # a second file revises every other value of the first: those become revision 2, the rest stay as they were
    again = rows[::2]
    second = send(engine, again, 2.25, 10)
    assert stored(engine) == expected(rows, 1.5, 2, 1, first) | expected(again, 2.25, 10, 2, second)

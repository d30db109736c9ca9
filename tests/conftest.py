"""Shared fixtures: a fresh store per test holding the shipped plan, a fixed 'today', and file builders."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, inspect, text

from models.db import make_engine
from pipelines.build import build_store
from pipelines.config import PLAN_DIR
from pipelines.plan import PlanData

TODAY = dt.date(2026, 1, 20)  # the shipped plan (2023Q1–2025Q4) has ended: every one of its periods may be reported
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = ["指标编码", "指标名称", "统计期", "数值", "备注"]

Cells = Sequence[object]


def csv_bytes(rows: Sequence[Cells], encoding: str = "utf-8-sig", newline: str = "\r\n") -> bytes:
    """A CSV as Excel or WPS saves it: UTF-8 with BOM ("CSV UTF-8") or GB18030 ("CSV (逗号分隔)" on Chinese Windows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Cells], sheet: str = "填报表") -> bytes:
    """A one-sheet workbook whose cells hold the values as given (numbers stay numbers, None stays empty)."""
    book = openpyxl.Workbook()
    worksheet = book.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_store(folder: Path, plan_dir: Path = PLAN_DIR) -> tuple[Engine, PlanData]:
    """A new SQLite file in a folder, with the schema and a plan stored through build_store."""
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    plan = build_store(engine, plan_dir)
    assert isinstance(plan, PlanData), plan
    return engine, plan


def snapshot_store(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (file bytes included), in a stable order: equal snapshots mean an unchanged store."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {table: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
                for table in tables}


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Engine, PlanData]]:
    engine, plan = new_store(tmp_path)
    yield engine, plan
    engine.dispose()


@pytest.fixture
def engine(store: tuple[Engine, PlanData]) -> Engine:
    return store[0]


@pytest.fixture
def plan(store: tuple[Engine, PlanData]) -> PlanData:
    return store[1]

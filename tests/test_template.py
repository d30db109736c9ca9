"""The 一表通 template: form header block, locked codes and units, last period's values, dropdowns, 填表说明; filled in
and sent back unchanged in shape, the ingest accepts it (XLSX and CSV)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from conftest import HEADER as FILE_HEADER
from conftest import TODAY, csv_bytes
from sqlalchemy import Engine

from models.queries import read_current_values
from pipelines.core.periods import period_of_code
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.intake.read import RawTable, read_submission
from pipelines.intake.template import GUIDE, HEADER, SHEET, build_csv_template, build_template_rows, build_xlsx_template
from pipelines.plan.records import PlanData


def plausible(plan: PlanData, code: str) -> float:
    """A value no 核实性 check questions: a little above the baseline."""
    indicator = plan.indicator_map()[code]
    return max(indicator.baseline * 1.05, 1.0) if indicator.unit != "%" else indicator.baseline


def current(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return read_current_values(conn)


def seed_a03(engine: Engine, plan: PlanData) -> None:
    data = csv_bytes([FILE_HEADER, ["A03", "x", "2024Q3", "640", ""]])
    assert ingest_bytes(engine, plan, IngestRequest("seed.csv", data, today=TODAY)).outcome == ACCEPTED


def test_template_rows_are_the_departments_indicators_due_in_the_quarter(engine: Engine, plan: PlanData) -> None:
    rows = build_template_rows(plan, "KW", period_of_code("2024Q4"), current(engine))
    codes = {(r.code, r.period.code) for r in rows}

    assert ("A03", "2024Q4") in codes and ("A07", "2024") in codes and ("A04", "2024H2") in codes
    assert all(plan.indicator_map()[c].department == "KW" for c, _ in codes)
    q1 = {r.code for r in build_template_rows(plan, "KW", period_of_code("2024Q1"), current(engine))}
    assert "A07" not in q1 and "A03" in q1


def test_xlsx_template_has_form_block_locked_cells_dropdowns_guide_and_last_values(
        engine: Engine, plan: PlanData) -> None:
    seed_a03(engine, plan)
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx_template(plan, "KW", period_of_code("2024Q4"), current(engine))))
    sheet = book[SHEET]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]

    assert [r[0] for r in cells[:5]] == ["表名：", "报告期：", "填报单位：", "填报人：", "联系电话："]
    assert cells[1][1] == "2024年第四季度" and cells[2][1] == "区科委"
    header = cells.index(list(HEADER)) + 1
    a03 = next(n for n, r in enumerate(cells, start=1) if r[0] == "A03")
    assert cells[a03 - 1][4] == 640
    assert sheet.protection.sheet
    assert sheet.cell(a03, 1).protection.locked and sheet.cell(a03, 3).protection.locked
    assert not sheet.cell(a03, 6).protection.locked and not sheet.cell(a03, 7).protection.locked
    assert not sheet.cell(4, 2).protection.locked and sheet.cell(3, 2).protection.locked
    a18 = next(n for n, r in enumerate(cells, start=1) if r[0] == "A18")
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists and f"F{a18}" in str(lists[0].sqref) and lists[0].formula1 == '"是,否"'
    assert header < a03
    guide = [[c.value for c in row] for row in book[GUIDE].iter_rows()]
    assert any(r[0] == "A03" and "高成长性科技企业" in (r[4] or "") for r in guide)


def test_filled_xlsx_template_is_accepted_unchanged_in_shape(engine: Engine, plan: PlanData) -> None:
    seed_a03(engine, plan)
    data = build_xlsx_template(plan, "KW", period_of_code("2024Q4"), current(engine))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    sheet["B4"] = "张三"
    sheet["B5"] = "021-12345678"
    for row in sheet.iter_rows(min_row=sheet.max_row - len(build_template_rows(
            plan, "KW", period_of_code("2024Q4"), current(engine))) + 1):
        row[5].value = {"A03": 660, "A18": "是", "A17": "否"}.get(row[0].value, plausible(plan, row[0].value))
    buffer = io.BytesIO()
    book.save(buffer)

    raw = read_submission("template.xlsx", buffer.getvalue())
    assert isinstance(raw, RawTable) and raw.form["填报人"] == "张三" and raw.form["填报单位"] == "区科委"
    result = ingest_bytes(engine, plan, IngestRequest("template.xlsx", buffer.getvalue(), today=TODAY))
    assert result.outcome == ACCEPTED, [i.message() for i in result.hard + result.soft]
    assert result.department == "KW" and result.counts["new"] == sheet.max_row - 7
    values = current(engine).set_index(["indicator_code", "period"])["value"]
    assert values[("A03", "2024Q4")] == 660 and values[("A18", "2024Q4")] == 1.0


def test_csv_template_is_utf8_with_bom_and_accepted_when_filled(engine: Engine, plan: PlanData) -> None:
    data = build_csv_template(plan, "RCB", period_of_code("2024Q2"), current(engine))
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for record in records[records.index(list(HEADER)) + 1:]:
        record[5] = "30"

    result = ingest_bytes(engine, plan, IngestRequest("rcb.csv", csv_bytes(records), today=TODAY))
    assert result.outcome == ACCEPTED, [i.message() for i in result.hard + result.soft]
    assert result.department == "RCB" and result.counts["new"] == 2

"""Each rejection rule of a department file, shown with one deliberately broken file (tests/fixtures/submissions),
and every shape of file departments really send, shown accepted (tests/fixtures/formats).

Rows are the rows the department sees in Excel: the header row and every title or form row above it count.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, HEADER, TODAY, csv_bytes, snapshot_store, xlsx_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from pipelines.core.config import Limits
from pipelines.core.issue import Issue
from pipelines.intake.ingest import ACCEPTED, REJECTED, IngestRequest, IngestResult, ingest_bytes
from pipelines.intake.read import RawTable, read_submission
from pipelines.intake.validate import MAX_ISSUES, is_real_explanation, plain_numbers
from pipelines.plan.records import PlanData

SUBMISSIONS = FIXTURES / "submissions"
FORMATS = FIXTURES / "formats"

Problem = tuple[int | None, str, str]  # (row as in Excel, column as headed in the file, check)


@dataclass(frozen=True)
class Case:
    file: str
    problems: set[Problem]
    says: dict[int, str] = field(default_factory=dict)  # row → what its Chinese message must name besides the row
    today: dt.date = TODAY
    limits: Limits = Limits()

    def __str__(self) -> str:
        return self.file


HARD_CASES = [
    Case("missing-code.csv", {(3, "指标编码", "missing-code")}, {3: "“指标编码”列为空"}),
    Case("unknown-indicator.xlsx", {(4, "指标编码", "unknown-indicator")}, {4: "“Z99”"}),
    Case("wrong-department.csv", {(7, "指标编码", "wrong-department")},
         {7: "【企业诉求平均办结时长】由华阳路街道负责填报，区科委无权报送"}),
    Case("missing-period.csv", {(2, "统计期", "missing-period")}, {2: "【高成长性科技企业数】"}),
    Case("bad-period.csv",
         {(3, "统计期", "bad-period"), (4, "统计期", "bad-period"), (5, "统计期", "bad-period")},
         {3: "【高成长性科技企业数】统计期“2025Q5”", 4: "【六大赛道企业数】统计期“2025年第五季度”",
          5: "【高新技术企业数（街区内）】统计期“去年”"}),
    Case("period-outside-plan.csv", {(2, "统计期", "period-outside-plan")},
         {2: "【高成长性科技企业数】统计期“2022Q4”不在本方案期限（2023年第一季度至2025年第四季度）内"}),
    Case("future-period.csv", {(3, "统计期", "future-period")}, {3: "【高成长性科技企业数】统计期“2025Q3”尚未结束（截止日2025-09-30）"},
         today=dt.date(2025, 8, 1)),
    Case("wrong-frequency.xlsx", {(2, "统计期", "wrong-frequency"), (3, "统计期", "wrong-frequency")},
         {2: "【高成长性科技企业数】为季度报送指标", 3: "【高新技术企业数（街区内）】为年度报送指标"}),
    Case("not-a-number.csv", {(5, "数值", "not-a-number")}, {5: "【高新技术企业数（街区内）】数值“约20”不是数字"}),
    Case("not-finite.csv", {(2, "数值", "not-finite"), (3, "数值", "not-finite")},
         {2: "【高成长性科技企业数】数值“inf”", 3: "【高成长性科技企业数】数值“1e999”"}),
    Case("percent-for-non-percent.csv", {(2, "数值", "percent-for-non-percent")},
         {2: "【高成长性科技企业数】计量单位为“家”，数值“85%”不应带%号"}),
    Case("negative-count.csv", {(2, "数值", "negative-count")}, {2: "【高成长性科技企业数】为计数指标（单位：家），数值“-5”"}),
    Case("percent-out-of-range.xlsx", {(4, "数值", "percent-out-of-range"), (5, "数值", "percent-out-of-range")},
         {4: "【企业诉求办结率】为百分比指标，数值“120”", 5: "【企业诉求办结率】为百分比指标，数值“-1%”"}),
    Case("milestone-not-binary.csv", {(2, "数值", "milestone-not-binary"), (3, "数值", "milestone-not-binary")},
         {2: "【上海硅巷高质量孵化器建设启动】为节点类指标，数值“0.5”", 3: "【上海硅巷高质量孵化器建设启动】为节点类指标，数值“2”"}),
    Case("duplicate-conflict.csv", {(3, "数值", "duplicate-conflict")},
         {3: "【高成长性科技企业数】2025Q3与第2行重复且数值不同（530与520）"}),
    Case("note-too-long.csv", {(2, "备注", "note-too-long")}, {2: "【高成长性科技企业数】“备注”内容超过2000字"}),
]

FILE_CASES = [
    Case("empty-file.csv", {(None, "", "empty-file")}),
    Case("empty-file--whitespace.csv", {(None, "", "empty-file")}),
    Case("no-data-rows.csv", {(None, "", "no-data-rows")}),
    Case("no-data-rows--blank-rows.xlsx", {(None, "", "no-data-rows")}),
    Case("binary-file.csv", {(None, "", "binary-file")}),
    Case("old-excel-format.xls", {(None, "", "old-excel-format")}),
    Case("macro-workbook.xlsm", {(None, "", "macro-workbook")}),
    Case("macro-workbook--renamed.xlsx", {(None, "", "macro-workbook")}),
    Case("unpacked-too-large.xlsx", {(None, "", "unpacked-too-large")}, limits=Limits(max_unpacked_bytes=2**20)),
    Case("file-too-large.csv", {(None, "", "file-too-large")}, limits=Limits(max_file_bytes=1024)),
    Case("bad-encoding.csv", {(None, "", "bad-encoding")}),
    Case("unreadable-csv.csv", {(None, "", "unreadable-csv")}),
    Case("corrupt-file.xlsx", {(None, "", "corrupt-file")}),
    Case("corrupt-file--not-a-workbook.xlsx", {(None, "", "corrupt-file")}),
    Case("too-many-columns.csv", {(1, "", "too-many-columns")}, {1: "共有1004列，超过1000列上限"}),
    Case("no-header.csv", {(None, "", "no-header")}),
    Case("missing-column.csv", {(2, "", "missing-column")}, {2: "表头缺少必填列【数值】"}),
    Case("doubled-column.xlsx", {(1, "本期值", "doubled-column")}, {1: "同一列出现多次（数值、本期值）"}),
]

# 核实性审核: (rule, Excel row of the surprising value). "--explained" carries a real reason, "--boilerplate" does not.
SOFT_CASES = [
    ("against-direction", "csv", 2, "【高成长性科技企业数】本期数值450较上期（2023年第三季度基线：500）下降"),
    ("large-change", "xlsx", 3, "【高成长性科技企业数】本期数值800较上期（2023年第三季度基线：500）变动+60.0%，超过50%"),
    ("beyond-twice-target", "csv", 2, "【高新技术企业数（街区内）】本期数值300超过目标值（130）的两倍"),
]


def flatten(issues: tuple[Issue, ...] | list[Issue]) -> set[Problem]:
    return {(issue.row, issue.column, issue.check) for issue in issues}


def ingest_fixture(engine: Engine, plan: PlanData, case: Case) -> IngestResult:
    data = (SUBMISSIONS / case.file).read_bytes()
    return ingest_bytes(engine, plan, IngestRequest(case.file, data, today=case.today, limits=case.limits))


def test_every_fixture_file_is_covered_by_a_case() -> None:
    named = {c.file for c in HARD_CASES + FILE_CASES} | {"blank-value--left-out.csv"}
    named |= {f"{rule}--{version}.{ext}" for rule, ext, _, _ in SOFT_CASES for version in ("explained", "boilerplate")}
    assert {path.name for path in SUBMISSIONS.iterdir()} == named


@pytest.mark.parametrize("case", HARD_CASES + FILE_CASES, ids=str)
def test_ingest_rejects_a_broken_file_with_exactly_its_problems(
    case: Case, engine: Engine, plan: PlanData
) -> None:
    before = snapshot_store(engine)

    result = ingest_fixture(engine, plan, case)

    assert result.outcome == REJECTED
    assert flatten(result.hard) == case.problems
    assert result.soft == () and result.submission_id is None
    assert snapshot_store(engine) == before


@pytest.mark.parametrize("case", HARD_CASES + FILE_CASES, ids=str)
def test_ingest_problem_messages_name_the_row_and_the_indicator(case: Case, engine: Engine, plan: PlanData) -> None:
    result = ingest_fixture(engine, plan, case)

    for issue in result.hard:
        zh, en = issue.message("zh"), issue.message("en")
        assert zh and en and not re.search(r"[{}]", zh + en), (zh, en)
        if issue.row is not None:
            assert zh.startswith(f"第{issue.row}行"), zh
            assert case.says[issue.row] in zh, zh
            assert f"row {issue.row}" in en.lower(), en


def test_ingest_leaves_out_a_row_whose_value_is_blank(engine: Engine, plan: PlanData) -> None:
    """A blank 数值 is "not reported this time": the other rows are taken, the blank one is counted as left out."""
    result = ingest_fixture(engine, plan, Case("blank-value--left-out.csv", set()))

    assert result.outcome == ACCEPTED and result.hard == ()
    assert (result.counts["new"], result.counts["skipped"]) == (1, 1)
    assert read_current_values_of(engine) == {("A03", "2025Q2")}


def read_current_values_of(engine: Engine) -> set[tuple[str, str]]:
    from models.queries import read_current_values

    with engine.connect() as conn:
        frame = read_current_values(conn)
    return set(zip(frame["indicator_code"], frame["period"]))


def test_ingest_not_a_number_message_reads_as_the_department_expects(engine: Engine, plan: PlanData) -> None:
    result = ingest_fixture(engine, plan, Case("not-a-number.csv", set()))

    assert [i.message("zh") for i in result.hard] == ["第5行【高新技术企业数（街区内）】数值“约20”不是数字，请填写阿拉伯数字后重新上传"]
    assert [i.message("en") for i in result.hard] == [
        "Row 5: [High-tech enterprises in the area] value “约20” is not a number; enter digits and upload again"]


@pytest.mark.parametrize(("rule", "ext", "row", "says"), SOFT_CASES, ids=[c[0] for c in SOFT_CASES])
def test_ingest_accepts_a_surprising_value_with_a_real_explanation(
    rule: str, ext: str, row: int, says: str, engine: Engine, plan: PlanData, today: dt.date
) -> None:
    name = f"{rule}--explained.{ext}"

    result = ingest_bytes(engine, plan, IngestRequest(name, (SUBMISSIONS / name).read_bytes(), today=today))

    assert result.outcome == ACCEPTED
    assert (result.hard, result.soft) == ((), ())
    assert flatten(result.explained) == {(row, "数值", rule)}
    assert says in result.explained[0].message("zh")
    assert result.counts == {"new": 1, "revised": 0, "unchanged": 0, "rejected": 0, "skipped": 0}


@pytest.mark.parametrize(("rule", "ext", "row", "says"), SOFT_CASES, ids=[c[0] for c in SOFT_CASES])
def test_ingest_rejects_a_surprising_value_with_boilerplate_or_no_note(
    rule: str, ext: str, row: int, says: str, engine: Engine, plan: PlanData, today: dt.date
) -> None:
    name = f"{rule}--boilerplate.{ext}"
    before = snapshot_store(engine)

    result = ingest_bytes(engine, plan, IngestRequest(name, (SUBMISSIONS / name).read_bytes(), today=today))

    assert result.outcome == REJECTED
    assert (result.hard, result.explained) == ((), ())
    assert flatten(result.soft) == {(row, "数值", rule)}
    assert result.soft[0].message("zh").startswith(f"第{row}行{says}")
    assert snapshot_store(engine) == before


def test_ingest_accepts_an_explanation_given_beside_the_file(engine: Engine, plan: PlanData, today: dt.date) -> None:
    name = "large-change--boilerplate.xlsx"

    result = ingest_bytes(engine, plan, IngestRequest(name, (SUBMISSIONS / name).read_bytes(), today=today,
                          explanations={3: "本季度集中认定一批企业并纳入统计"}))

    assert result.outcome == ACCEPTED
    assert flatten(result.explained) == {(3, "数值", "large-change")}


@pytest.mark.parametrize(("note", "real"), [
    ("", False),
    ("无", False),
    ("经核实无误", False),
    ("已核实。", False),
    ("数据无误，情况属实", False),
    ("ok ok ok ok", False),
    ("同上", False),
    ("两家企业迁出硅巷范围", True),
    ("统计口径调整为全区范围", True),
    ("经核实无误：两家企业迁出", True),
])
def test_is_real_explanation_refuses_boilerplate(note: str, real: bool) -> None:
    assert is_real_explanation(note) is real


def test_ingest_takes_the_sender_given_over_the_form_block(engine: Engine, plan: PlanData, today: dt.date) -> None:
    data = csv_bytes([["填报单位：区科委"], HEADER, ["A03", "高成长性科技企业数", "2025Q3", "520", ""]])

    result = ingest_bytes(engine, plan, IngestRequest("f.csv", data, department="HYL", today=today))

    assert flatten(result.hard) == {(3, "指标编码", "wrong-department")}
    assert "由区科委负责填报，华阳路街道无权报送" in result.hard[0].message("zh")


def test_ingest_lists_at_most_max_issues_and_counts_the_rest(engine: Engine, plan: PlanData, today: dt.date) -> None:
    rows = [["A03", "", "2025Q3", f"约{n}", ""] for n in range(MAX_ISSUES + 5)]

    result = ingest_bytes(engine, plan, IngestRequest("many.csv", csv_bytes([HEADER, *rows]), today=today))

    assert len(result.hard) == MAX_ISSUES + 1
    assert [(i.check, i.value) for i in result.hard if i.row is None] == [("more-problems", "5")]
    assert "另有5条问题未逐条列出" in next(i for i in result.hard if i.row is None).message("zh")


def test_read_submission_refuses_an_xlsx_sheet_wider_than_the_limit() -> None:
    wide = xlsx_bytes([HEADER + [None] * 996 + ["多余"], ["A03", "", "2025Q3", 520]])

    refused = read_submission("wide.xlsx", wide)
    assert flatten(refused) == {(None, "", "sheet-too-many-columns")}
    assert refused[0].message("zh") == "工作表共有1002列，超过1000列上限，请删除多余的列后重新上传"  # type: ignore[index]


def test_read_submission_ignores_cells_beyond_the_header_even_in_the_first_row() -> None:
    data = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q3", "520", "", "多出的一格"],
                      ["A06", "六大赛道企业数", "2025Q3", "200", ""]])

    raw = read_submission("wide.csv", data)

    assert isinstance(raw, RawTable)
    assert raw.rows[["row", "indicator_code", "value"]].values.tolist() == [[2, "A03", "520"], [3, "A06", "200"]]


def test_read_submission_refuses_an_unclosed_quote_rather_than_swallow_the_rows_below() -> None:
    data = ("\ufeff指标编码,统计期,数值,备注\r\nA03,2025Q2,510,\"说明\r\nA06,2025Q3,200,\r\nA03,2025Q3,520,\r\n").encode()

    assert flatten(read_submission("quote.csv", data)) == {(None, "", "unreadable-csv")}


# ---- the shapes of file departments really send ------------------------------------------------------------

Stored = set[tuple[str, str, float, int]]  # (indicator, period, value, Excel row it came from)

FORMAT_CASES: list[tuple[str, str | None, Stored]] = [
    ("gb18030.csv", "HYL", {("B07", "2025Q3", 6.5, 4), ("D02", "2025Q3", 5.0, 5)}),
    ("bom-utf8.csv", None, {("A06", "2025Q3", 200.0, 2)}),
    ("form-block.xlsx", "KW", {("A03", "2025Q3", 520.0, 6), ("A10", "2025Q3", 8.75, 8), ("A18", "2025Q3", 1.0, 10)}),
    ("full-width.csv", None, {("A03", "2025Q3", 520.0, 2), ("A06", "2025Q3", 200.0, 3)}),
    ("period-spellings.csv", None, {
        ("A03", "2023Q4", 510.0, 2), ("A03", "2024Q1", 520.0, 3), ("A03", "2024Q2", 530.0, 4),
        ("A03", "2024Q3", 540.0, 5), ("A03", "2024Q4", 550.0, 6), ("A03", "2025Q1", 560.0, 7),
        ("A03", "2025Q2", 570.0, 8), ("A04", "2024H1", 12.0, 9), ("A04", "2024H2", 13.0, 10),
        ("A04", "2025H1", 14.0, 11), ("A07", "2024", 90.0, 12), ("A07", "2025", 95.0, 13)}),
    ("period-numbers.xlsx", None, {("A07", "2024", 90.0, 2), ("A07", "2025", 95.0, 3)}),
    ("number-spellings.csv", None, {
        ("A14", "2025", 1234.0, 2), ("B06", "2025Q3", 85.0, 3), ("A18", "2025Q3", 1.0, 4), ("A17", "2025H1", 0.0, 5),
        ("C13", "2024Q4", 1.0, 6), ("D05", "2025Q3", 12.0, 7), ("A13", "2025Q3", 2.5, 8)}),
]


def stored_values(engine: Engine) -> Stored:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT indicator_code, period, value, source_row FROM observation"))
        return {tuple(row) for row in rows}  # type: ignore[misc]


@pytest.mark.parametrize(("name", "department", "stored"), FORMAT_CASES, ids=[c[0] for c in FORMAT_CASES])
def test_ingest_accepts_files_as_departments_write_them(
    name: str, department: str | None, stored: Stored, engine: Engine, plan: PlanData, today: dt.date
) -> None:
    result = ingest_bytes(engine, plan, IngestRequest(name, (FORMATS / name).read_bytes(), today=today))

    assert (result.outcome, flatten(result.hard), flatten(result.soft)) == (ACCEPTED, set(), set())
    assert result.department == department
    assert stored_values(engine) == stored


def test_ingest_keeps_chinese_notes_of_a_gb18030_file(engine: Engine, plan: PlanData, today: dt.date) -> None:
    ingest_bytes(engine, plan, IngestRequest("gb18030.csv", (FORMATS / "gb18030.csv").read_bytes(), today=today))

    with engine.connect() as conn:
        notes = dict(conn.execute(text("SELECT indicator_code, note FROM observation")).all())
    assert notes == {"B07": "较上季度缩短：推行“一网通办”", "D02": "硅巷早餐会、创新说"}


_NUMBERISH = st.text(alphabet="0123456789+-.eE, _%１２nafiINF", max_size=8)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_NUMBERISH, max_size=12))
def test_the_fast_number_cast_reads_each_cell_as_pandas_does(cells: list[str]) -> None:
    """The whole-column cast (Arrow) gives what pandas' parse gives, cell for cell, whatever the column holds."""
    text = pd.Series(cells, dtype="str")
    want = pd.to_numeric(text, errors="coerce").astype(float)
    got = plain_numbers(text)
    assert got.index.equals(text.index)
    assert np.array_equal(got.to_numpy(), want.to_numpy(), equal_nan=True), (cells, got.tolist(), want.tolist())

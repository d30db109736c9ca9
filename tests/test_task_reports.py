"""Quarterly 重点任务 reports from departments: each rule of a task report shown with one deliberately broken file
(tests/fixtures/task_reports, written by make_task_fixtures.py) as the flattened (file, row, column, check) problems
it gets; the same rights and review as values (only one's own tasks; an extension asked before the deadline in force
waits for a reviewer, after it is refused; 已完成 waits for its 销号); the 一表通 workbook with both sheets stored as one
submission; a refused file leaves every table as it was; every report kept as a revision.

Rows are the rows the department sees in Excel (the header row and every form row above it counted). The shipped
2023–2025 plan's tasks: T07 区人才办 due 2025-12-31, T08 区人才办 due 2024-06-30, T01 团区委 due 2024-06-30.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from conftest import FIXTURES, TODAY, csv_bytes, new_store, sign_in_browser, snapshot_store, xlsx_bytes
from sqlalchemy import Engine, inspect, text
from streamlit.testing.v1 import AppTest

from models.queries import read_current_values
from pipelines.core.config import PLANS_DIR, ROOT
from pipelines.core.issue import Issue
from pipelines.core.periods import period_of_code
from pipelines.engine.tasks import task_state
from pipelines.intake.build import build_store
from pipelines.intake.ingest import ACCEPTED, REJECTED, UNCHANGED, IngestRequest, IngestResult, ingest_bytes
from pipelines.intake.read import TASK_SHEET, Upload, read_upload
from pipelines.intake.template import SHEET, TASK_HEADER, build_task_template_rows, build_xlsx_template
from pipelines.intake.validate import is_real_progress
from pipelines.plan.records import PlanData
from pipelines.plan.tasks import reports_of
from pipelines.store.plans import series_view
from pipelines.store.task_reports import read_task_book
from pipelines.store.tasks import read_task_reports
from pipelines.workflow.accounts import REVIEWER, SUBMITTER, Refusal, User, ensure_demo_accounts
from pipelines.workflow.review import (
    Preview,
    TaskReview,
    approve,
    inspect_task_reports,
    return_submission,
    submit_file,
    task_rows_frame,
)

TASK_REPORTS = FIXTURES / "task_reports"
H = ["任务编码", "任务名称", "统计期", "进展情况", "完成状态", "完成时间", "延期至", "备注"]
REAL = "完成华阳路、江苏路两个街道服务站点布设并投入运行"
OCTOBER = dt.date(2025, 10, 15)  # T07 (due 2025-12-31) may still be extended
RCB = User("rcb", "区人才办填报员", (SUBMITTER,), ("RCB",))
REVIEWER_ = User("rev", "审核员", (REVIEWER,))

Problem = tuple[str, int | None, str, str]  # (file, Excel row, column as headed, check)


@dataclass(frozen=True)
class Case:
    file: str
    problems: set[tuple[int | None, str, str]]
    says: dict[int, str] = field(default_factory=dict)  # row → what its Chinese message names besides the row
    today: dt.date = TODAY
    department: str | None = "RCB"

    def __str__(self) -> str:
        return self.file


CASES = [
    Case("task-missing-code.csv", {(3, "任务编码", "task-missing-code")}, {3: "“任务编码”列为空"}),
    Case("task-unknown.csv", {(2, "任务编码", "task-unknown")}, {2: "任务编码“T99”不在方案重点任务清单中"}),
    Case("task-wrong-department.csv", {(6, "任务编码", "task-wrong-department")},
         {6: "任务【上海青少年创新学院长宁分院正式挂牌成立】由团区委牵头报送，区人才办无权报送"}, department=None),
    Case("task-missing-period.csv", {(2, "统计期", "task-missing-period")}, {2: "“统计期”列为空"}),
    Case("task-bad-period.csv", {(2, "统计期", "task-bad-period"), (3, "统计期", "task-bad-period")},
         {2: "统计期“2025H1”无法识别或不是季度", 3: "统计期“2025Q5”"}),
    Case("task-period-outside-plan.csv", {(2, "统计期", "task-period-outside-plan")},
         {2: "统计期“2022Q4”不在该任务所属方案《长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）》的期限（2023年第一季度至2025年第四季度）内"}),
    Case("task-future-period.csv", {(2, "统计期", "task-future-period")}, {2: "尚未结束（截止日2025-09-30）"},
         today=dt.date(2025, 8, 1)),
    Case("task-missing-progress.csv", {(2, "进展情况", "task-missing-progress")}, {2: "“进展情况”列为空"}),
    Case("task-boilerplate-progress.csv", {(n, "进展情况", "task-boilerplate-progress") for n in (2, 3, 4, 5)},
         {2: "进展情况“正在推进”未写明具体进展", 3: "“按计划推进中”", 4: "“稳步推进，进展顺利”", 5: "“有序推进。”"}),
    Case("task-text-too-long.csv", {(2, "进展情况", "task-text-too-long")}, {2: "“进展情况”内容超过2000字"}),
    Case("task-missing-state.csv", {(2, "完成状态", "task-missing-state")}, {2: "“完成状态”列为空"}),
    Case("task-bad-state.csv", {(2, "完成状态", "task-bad-state")}, {2: "完成状态“差不多了”无法识别"}),
    Case("task-bad-date.csv", {(2, "完成时间", "task-bad-date")}, {2: "“完成时间”为“2025-02-30”，不是有效日期"}),
    Case("task-date-without-state.csv", {(2, "完成时间", "task-date-without-state")},
         {2: "填写了“完成时间”（2025-09-15），但完成状态为“推进中”"}),
    Case("task-missing-done-on.csv", {(2, "完成时间", "task-missing-done-on")}, {2: "完成状态为“已完成”，但“完成时间”为空"}),
    Case("task-done-on-future.csv", {(2, "完成时间", "task-done-on-future")}, {2: "完成时间“2026-03-01”晚于今天（2026-01-20）"}),
    Case("task-missing-new-due.csv", {(2, "延期至", "task-missing-new-due")}, {2: "完成状态为“申请延期”，但“延期至”为空"},
         today=OCTOBER),
    Case("task-extension-after-deadline.csv", {(2, "完成状态", "task-extension-after-deadline")},
         {2: "现行完成时限（2025-12-31）已过（今天为2026-01-20），不能再申请延期"}),
    Case("task-new-due-not-later.csv", {(2, "延期至", "task-new-due-not-later")},
         {2: "申请延期至“2025-11-30”，不晚于现行完成时限（2025-12-31）"}, today=OCTOBER),
    Case("task-duplicate-conflict.csv", {(4, "任务编码", "task-duplicate-conflict")}, {4: "2025Q3与第2行重复且内容不同"}),
    Case("task-no-reports.csv", {(None, "", "task-no-reports")}),
    Case("task-no-header.xlsx", {(None, "", "task-no-header")}),
    Case("no-data-rows--task-table.csv", {(None, "", "no-data-rows")}),
    Case("missing-column--task-table.csv", {(1, "", "missing-column")}, {1: "表头缺少必填列【进展情况】"}),
    Case("doubled-column--task-table.xlsx", {(1, "工作进展", "doubled-column")}, {1: "同一列出现多次（进展情况、工作进展）"}),
]


def flatten(issues: tuple[Issue, ...] | list[Issue]) -> set[Problem]:
    return {(issue.file, issue.row, issue.column, issue.check) for issue in issues}


def send_fixture(engine: Engine, plan: PlanData, name: str, today: dt.date = TODAY, department: str | None = "RCB",
                 **kw: object) -> IngestResult:
    data = (TASK_REPORTS / name).read_bytes()
    return ingest_bytes(engine, plan, IngestRequest(name, data, department=department, today=today, **kw))  # type: ignore[arg-type]


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table: conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
                for table in sorted(inspect(conn).get_table_names())}


def stored_reports(engine: Engine) -> list[tuple[object, ...]]:
    """(task, quarter, revision, submission, state, done_on, new_due) of every stored task report."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT task_code, period, revision, submission_id, state, done_on, new_due "
                                 "FROM task_report ORDER BY task_code, period, revision")).all()
    return [(c, p, r, s, state, _day(d), _day(n)) for c, p, r, s, state, d, n in rows]


def _day(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def task_file(*rows: list[object]) -> bytes:
    return csv_bytes([H, *rows])


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


# ---- one broken file per rule ---------------------------------------------------------------------------------

def test_every_task_fixture_file_is_covered_by_a_case() -> None:
    named = {c.file for c in CASES} | {"task-done-late--boilerplate.csv", "task-done-late--explained.csv",
                                        "tasks-only.csv", "yibiaotong.xlsx"}
    assert {path.name for path in TASK_REPORTS.iterdir()} == named


@pytest.mark.parametrize("case", CASES, ids=str)
def test_ingest_refuses_a_broken_task_report_with_exactly_its_problems(case: Case, engine: Engine,
                                                                      plan: PlanData) -> None:
    before = snapshot_store(engine)

    result = send_fixture(engine, plan, case.file, case.today, case.department)

    assert result.outcome == REJECTED and result.submission_id is None
    assert flatten(result.hard) == {(case.file, row, column, check) for row, column, check in case.problems}
    assert result.soft == ()
    assert snapshot_store(engine) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_task_report_messages_name_the_row_and_the_task_in_both_languages(case: Case, engine: Engine,
                                                                          plan: PlanData) -> None:
    result = send_fixture(engine, plan, case.file, case.today, case.department)

    assert result.hard
    for issue in result.hard:
        zh, en = issue.message("zh"), issue.message("en")
        assert zh and en and "{" not in zh + en and "}" not in zh + en, (zh, en)
        if issue.row is not None:
            assert zh.startswith(f"第{issue.row}行"), zh
            assert case.says[issue.row] in zh, zh
            assert f"row {issue.row}" in en.lower(), en


def test_every_problem_of_a_file_is_listed_not_only_the_first(engine: Engine, plan: PlanData) -> None:
    data = task_file(["T99", "", "2025Q5", "正在推进", "搞定", "2025-13-01", "", ""],
                     ["T07", "", "", "", "", "", "2026-01-01", ""])

    result = ingest_bytes(engine, plan, IngestRequest("many.csv", data, department="RCB", today=TODAY))

    assert flatten(result.hard) == {
        ("many.csv", 2, "任务编码", "task-unknown"), ("many.csv", 2, "统计期", "task-bad-period"),
        ("many.csv", 2, "进展情况", "task-boilerplate-progress"), ("many.csv", 2, "完成状态", "task-bad-state"),
        ("many.csv", 2, "完成时间", "task-bad-date"),
        ("many.csv", 3, "统计期", "task-missing-period"), ("many.csv", 3, "进展情况", "task-missing-progress"),
        ("many.csv", 3, "完成状态", "task-missing-state")}


@pytest.mark.parametrize(("text", "real"), [
    ("正在推进", False), ("按计划推进", False), ("稳步推进", False), ("有序推进", False), ("按计划推进中。", False),
    ("项目推进中", False), ("稳步推进，进展顺利", False), ("已完成", False), ("无", False), ("In progress", False),
    ("完成首批5个站点布设", True), ("分院已于6月挂牌并完成首批课程", True), ("按计划推进：已完成选址和运营主体招标", True),
])
def test_is_real_progress_refuses_boilerplate(text: str, real: bool) -> None:
    assert is_real_progress(text) is real


# ---- 核实性: done after the deadline --------------------------------------------------------------------------

def test_done_after_the_deadline_needs_a_real_reason_in_the_note(engine: Engine, plan: PlanData) -> None:
    refused = send_fixture(engine, plan, "task-done-late--boilerplate.csv")
    assert refused.outcome == REJECTED and refused.hard == ()
    assert flatten(refused.soft) == {("task-done-late--boilerplate.csv", 2, "完成时间", "task-done-late")}
    assert refused.soft[0].message() == ("第2行任务【设立留学生人才公寓，提供最长12个月、最高4.5万元的租金补贴】完成时间2024-08-15"
                                         "晚于完成时限（2024-06-30），请核实；如情况属实，请在“备注”中说明逾期完成的原因")

    accepted = send_fixture(engine, plan, "task-done-late--explained.csv")
    assert accepted.outcome == ACCEPTED
    assert flatten(accepted.explained) == {("task-done-late--explained.csv", 2, "完成时间", "task-done-late")}


def test_done_after_the_deadline_may_be_explained_in_the_page(engine: Engine, plan: PlanData) -> None:
    data = (TASK_REPORTS / "task-done-late--boilerplate.csv").read_bytes()

    result = ingest_bytes(engine, plan, IngestRequest("late.csv", data, department="RCB", today=TODAY,
                                                      task_explanations={2: "消防验收整改延后一个半月"}))

    assert result.outcome == ACCEPTED
    with engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM task_report")).scalar_one() == "核实无误；消防验收整改延后一个半月"


# ---- what is accepted and stored --------------------------------------------------------------------------------

def test_a_file_of_task_reports_alone_is_a_submission_of_task_reports(engine: Engine, plan: PlanData) -> None:
    result = send_fixture(engine, plan, "tasks-only.csv", department=None, submitted_at=at(dt.date(2026, 1, 10)))

    assert result.outcome == ACCEPTED and result.department == "RCB"  # named in the form block: 填报单位
    assert result.counts == {"new": 1, "revised": 0, "unchanged": 0, "rejected": 0, "skipped": 0, "tasks": 1}
    assert stored_reports(engine) == [("T07", "2025Q3", 1, result.submission_id, "in_progress", None, None)]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one() == 0
        assert conn.execute(text("SELECT source_row FROM task_report")).scalar_one() == 5


def test_the_yibiaotong_workbook_with_both_sheets_is_one_submission(engine: Engine, plan: PlanData) -> None:
    result = send_fixture(engine, plan, "yibiaotong.xlsx", department=None)

    assert result.outcome == ACCEPTED, [i.message() for i in result.hard + result.soft]
    assert result.counts["new"] == 2 and result.counts["tasks"] == 1
    with engine.connect() as conn:
        submissions = conn.execute(text("SELECT id, department FROM submission")).all()
        values = conn.execute(text("SELECT indicator_code, period, submission_id FROM observation")).all()
    assert [tuple(s) for s in submissions] == [(result.submission_id, "RCB")]
    assert [tuple(v) for v in values] == [("C05", "2025Q3", result.submission_id)]
    assert [r[:4] for r in stored_reports(engine)] == [("T07", "2025Q3", 1, result.submission_id)]


def test_a_workbook_refused_for_one_task_row_stores_neither_its_values_nor_its_tasks(engine: Engine,
                                                                                    plan: PlanData) -> None:
    book = openpyxl.load_workbook(TASK_REPORTS / "yibiaotong.xlsx")
    book[TASK_SHEET]["D4"] = "正在推进"
    buffer = io.BytesIO()
    book.save(buffer)
    before = count_rows(engine)

    result = ingest_bytes(engine, plan, IngestRequest("bad.xlsx", buffer.getvalue(), today=TODAY))

    assert flatten(result.hard) == {("bad.xlsx", 4, "进展情况", "task-boilerplate-progress")}
    assert count_rows(engine) == before  # every table, row for row
    assert before["submission"] == 0 and before["plan_task"] > 0


def test_a_workbook_whose_values_are_left_blank_sends_its_task_reports(engine: Engine, plan: PlanData) -> None:
    data = xlsx_bytes([["指标编码", "指标名称", "统计期", "数值", "备注"], ["C05", "人才", "2025Q3", None, None]])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.create_sheet(TASK_SHEET)
    for row in ([*H], ["T07", "", "2025Q3", REAL, "推进中", None, None, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    result = ingest_bytes(engine, plan, IngestRequest("q3.xlsx", buffer.getvalue(), department="RCB", today=TODAY))

    assert result.outcome == ACCEPTED and result.counts["tasks"] == 1 and result.counts["new"] == 1
    assert [r[:3] for r in stored_reports(engine)] == [("T07", "2025Q3", 1)]
    assert count_rows(engine)["observation"] == 0


def test_a_file_with_neither_table_is_refused_as_before(engine: Engine, plan: PlanData) -> None:
    result = ingest_bytes(engine, plan, IngestRequest("x.csv", csv_bytes([["甲", "乙"], ["1", "2"]]), today=TODAY))

    assert flatten(result.hard) == {("x.csv", None, "", "no-header")}


def test_read_upload_tells_the_two_tables_of_a_workbook_apart() -> None:
    upload = read_upload("yibiaotong.xlsx", (TASK_REPORTS / "yibiaotong.xlsx").read_bytes())

    assert isinstance(upload, Upload) and upload.values is not None and upload.tasks is not None
    assert upload.values.rows["indicator_code"].tolist() == ["C05"] and upload.values.sheet == "填报表"
    assert upload.tasks.rows[["row", "task_code", "period", "state"]].values.tolist() == [[4, "T07", "2025Q3", "推进中"]]
    assert upload.form["填报单位"] == "区人才办"


# ---- revisions ------------------------------------------------------------------------------------------------

def test_a_resent_report_is_a_new_revision_and_an_identical_file_a_no_op(engine: Engine, plan: PlanData) -> None:
    first = task_file(["T07", "", "2025Q3", REAL, "推进中", "", "", ""])
    second = task_file(["T07", "", "2025Q3", REAL + "，第三个站点选址完成", "推进中", "", "", ""])
    same_words = csv_bytes([H, ["T07", "服务圈", "2025Q3", REAL, "推进中", "", "", ""]])  # other bytes, same report

    one = ingest_bytes(engine, plan, IngestRequest("a.csv", first, department="RCB", today=TODAY))
    again = ingest_bytes(engine, plan, IngestRequest("a.csv", first, department="RCB", today=TODAY))
    two = ingest_bytes(engine, plan, IngestRequest("b.csv", second, department="RCB", today=TODAY))
    back = ingest_bytes(engine, plan, IngestRequest("c.csv", first, department="RCB", today=TODAY))

    assert (one.outcome, again.outcome, two.outcome) == (ACCEPTED, UNCHANGED, ACCEPTED)
    assert again.note is not None and again.note.check == "identical-file" and again.submission_id == one.submission_id
    assert two.counts["revised"] == 1
    assert back.outcome == UNCHANGED  # the same bytes as the first file: nothing changes
    reverted = ingest_bytes(engine, plan, IngestRequest("d.csv", same_words, department="RCB", today=TODAY))
    assert reverted.outcome == ACCEPTED and reverted.counts["revised"] == 1  # back to the first words: a revision
    assert [r[:4] for r in stored_reports(engine)] == [("T07", "2025Q3", 1, one.submission_id),
                                                      ("T07", "2025Q3", 2, two.submission_id),
                                                      ("T07", "2025Q3", 3, reverted.submission_id)]
    none = ingest_bytes(engine, plan, IngestRequest("e.csv", same_words + b"\r\n", department="RCB", today=TODAY))
    assert none.outcome == UNCHANGED and none.note is not None and none.note.check == "task-all-unchanged"
    assert len(stored_reports(engine)) == 3


# ---- rights and review ------------------------------------------------------------------------------------------

def test_a_submitter_may_report_only_their_departments_tasks(engine: Engine, plan: PlanData) -> None:
    t01 = task_file(["T01", "", "2024Q2", "分院已于6月挂牌并完成首批课程", "已完成", "2024-06-20", "", ""])

    as_rcb = submit_file(engine, plan, RCB, "t01.csv", t01, department="RCB", today=TODAY)
    claiming = submit_file(engine, plan, RCB, "t01.csv", t01, department="TQW", today=TODAY)

    assert isinstance(as_rcb, Preview) and [i.check for i in as_rcb.hard] == ["task-wrong-department"]
    assert isinstance(claiming, Refusal) and claiming.check == "not-your-department"
    assert count_rows(engine)["task_report"] == 0


def test_an_extension_asked_before_the_deadline_waits_and_once_approved_moves_it(engine: Engine,
                                                                                 plan: PlanData) -> None:
    asked = task_file(["T07", "", "2025Q3", REAL, "申请延期", "", "2026-03-31", "第三批站点用房尚未交付"])

    sent = submit_file(engine, plan, RCB, "ext.csv", asked, department="RCB", today=OCTOBER, now=at(OCTOBER))

    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        waiting = read_task_reports(conn, ["T07"])
        assert read_task_book(conn, plan, dt.date(2025, 11, 1)).entries["T07"].due == dt.date(2025, 12, 31)
    assert waiting[["state", "status", "new_due"]].values.tolist() == [["extension", "pending", dt.date(2026, 3, 31)]]
    assert task_state(dt.date(2025, 12, 31), reports_of(waiting, "T07"), dt.date(2025, 10, 20)).state \
        == "extension_requested"

    assert approve(engine, REVIEWER_, sent.submission_id, now=at(dt.date(2025, 10, 20))) is None
    with engine.connect() as conn:
        granted = read_task_reports(conn, ["T07"])
        book = read_task_book(conn, plan, dt.date(2026, 1, 20))
    assert granted["status"].tolist() == ["approved"]
    standing = task_state(dt.date(2025, 12, 31), reports_of(granted, "T07"), dt.date(2026, 1, 20))
    assert (standing.state, standing.due) == ("extended", dt.date(2026, 3, 31))
    assert book.entries["T07"].due == dt.date(2026, 3, 31)
    # past the plan's deadline but within the granted one: the deadline in force decides, so asking again is in time
    again = task_file(["T07", "", "2025Q4", REAL + "，第三批站点用房已交付", "申请延期", "", "2026-06-30", ""])
    assert ingest_bytes(engine, plan, IngestRequest("e2.csv", again, department="RCB", today=TODAY,
                                                    submitted_at=at(TODAY))).outcome == ACCEPTED


def test_an_extension_asked_after_the_deadline_in_force_is_refused(engine: Engine, plan: PlanData) -> None:
    late = task_file(["T07", "", "2025Q4", REAL, "申请延期", "", "2026-03-31", ""])

    refused = submit_file(engine, plan, RCB, "late.csv", late, department="RCB", today=TODAY, now=at(TODAY))

    assert isinstance(refused, Preview)
    assert flatten(refused.hard) == {("late.csv", 2, "完成状态", "task-extension-after-deadline")}
    assert count_rows(engine)["submission"] == 0


def test_done_waits_for_the_reviewer_and_once_approved_the_task_is_closed(engine: Engine, plan: PlanData) -> None:
    done = task_file(["T07", "", "2025Q4", "服务网络覆盖硅巷全部街区，12个站点全部运行", "已完成", "2025-12-20", "", ""])

    sent = submit_file(engine, plan, RCB, "done.csv", done, department="RCB", today=TODAY, now=at(dt.date(2026, 1, 8)))
    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        pending = read_task_reports(conn, ["T07"])
    assert pending["status"].tolist() == ["pending"]
    assert task_state(dt.date(2025, 12, 31), reports_of(pending, "T07"), TODAY).state == "completed"

    assert approve(engine, REVIEWER_, sent.submission_id, now=at(dt.date(2026, 1, 12))) is None
    with engine.connect() as conn:
        closed = read_task_reports(conn, ["T07"])
    assert closed[["state", "status", "done_on"]].values.tolist() == [["done", "approved", dt.date(2025, 12, 20)]]
    assert task_state(dt.date(2025, 12, 31), reports_of(closed, "T07"), TODAY).state == "closed"


def test_the_closing_day_is_the_day_of_the_reviewers_approval(engine: Engine, plan: PlanData) -> None:
    done = task_file(["T07", "", "2025Q4", "服务网络覆盖硅巷全部街区，12个站点全部运行", "已完成", "2025-12-20", "", ""])
    sent = submit_file(engine, plan, RCB, "done.csv", done, department="RCB", today=TODAY, now=at(dt.date(2026, 1, 8)))
    assert isinstance(sent, IngestResult)
    assert approve(engine, REVIEWER_, sent.submission_id, now=at(dt.date(2026, 1, 12))) is None

    with engine.connect() as conn:
        closed = read_task_reports(conn, ["T07"])
    assert task_state(dt.date(2025, 12, 31), reports_of(closed, "T07"), TODAY).closed_on == dt.date(2026, 1, 12)


def test_a_returned_report_never_counts(engine: Engine, plan: PlanData) -> None:
    done = task_file(["T07", "", "2025Q4", "服务网络覆盖硅巷全部街区，12个站点全部运行", "已完成", "2025-12-20", "", ""])
    sent = submit_file(engine, plan, RCB, "done.csv", done, department="RCB", today=TODAY, now=at(dt.date(2026, 1, 8)))
    assert isinstance(sent, IngestResult)

    assert return_submission(engine, REVIEWER_, sent.submission_id, "站点运行台账未附，请补充佐证后重报") is None
    with engine.connect() as conn:
        assert read_task_reports(conn, ["T07"]).empty
    resent = submit_file(engine, plan, RCB, "done2.csv", done + b"\r\n", department="RCB", today=TODAY,
                         now=at(dt.date(2026, 1, 9)))
    assert isinstance(resent, IngestResult) and resent.counts["new"] == 1  # against nothing counted: new again
    assert [r[2] for r in stored_reports(engine)] == [1, 2]


def test_an_older_report_is_not_approved_over_a_newer_one(engine: Engine, plan: PlanData) -> None:
    old = task_file(["T07", "", "2025Q3", REAL, "推进中", "", "", ""])
    new = task_file(["T07", "", "2025Q3", REAL + "，第三个站点选址完成", "推进中", "", "", ""])
    first = submit_file(engine, plan, RCB, "a.csv", old, department="RCB", today=TODAY, now=at(dt.date(2026, 1, 5)))
    second = submit_file(engine, plan, RCB, "b.csv", new, department="RCB", today=TODAY, now=at(dt.date(2026, 1, 6)))
    assert isinstance(first, IngestResult) and isinstance(second, IngestResult)

    refused = approve(engine, REVIEWER_, first.submission_id)

    assert isinstance(refused, Refusal) and refused.check == "newer-task-report"
    assert "更新的报送编号2已包含任务T07（2025年第三季度）的进展" in refused.message()
    assert approve(engine, REVIEWER_, second.submission_id) is None


def test_the_reviewer_sees_each_task_its_deadline_the_request_and_the_words(engine: Engine, plan: PlanData) -> None:
    words = "<b>完成</b>两个街道站点布设；第三批用房未交付"
    asked = task_file(["T07", "", "2025Q3", words, "申请延期", "", "2026-03-31", ""],
                      ["T08", "", "2025Q3", "人才公寓已交付并投入使用，首批入住32人", "已完成", "2024-05-30", "", ""])
    sent = submit_file(engine, plan, RCB, "q3.csv", asked, department="RCB", today=OCTOBER, now=at(OCTOBER))
    assert isinstance(sent, IngestResult)

    assert isinstance(inspect_task_reports(engine, RCB, plan, sent.submission_id), Refusal)  # a submitter: not for them
    review = inspect_task_reports(engine, REVIEWER_, plan, sent.submission_id, OCTOBER)
    assert isinstance(review, TaskReview) and review.evidence == 0
    frame = task_rows_frame(review.rows, review.book)
    assert frame.columns.tolist() == ["行", "任务编码", "任务名称", "统计期", "完成时限", "完成状态", "申请事项", "进展情况", "备注"]
    assert frame.values.tolist()[0] == [2, "T07", "打造“15分钟人才服务圈”，实现服务网络区域全覆盖", "2025年第三季度", "2025-12-31",
                                        "申请延期", "申请延期至2026-03-31（现行时限2025-12-31）", words, ""]
    assert frame["申请事项"].tolist()[1] == "2024-05-30完成，申请销号"
    english = task_rows_frame(review.rows, review.book, "en")
    assert english["State"].tolist() == ["Extension asked", "Done"]


# ---- the series view and the 一表通 template --------------------------------------------------------------------

@pytest.fixture
def two_plans(tmp_path: Path) -> Iterator[Engine]:
    engine, _ = new_store(tmp_path)
    assert isinstance(build_store(engine, PLANS_DIR / "SHGX-2026"), PlanData)
    yield engine
    engine.dispose()


def test_the_series_view_carries_every_plans_tasks_each_with_its_plan(two_plans: Engine) -> None:
    with two_plans.connect() as conn:
        series = series_view(conn)
        assert series is not None
        book = read_task_book(conn, series, TODAY)
    codes = [task.code for task in series.tasks]
    assert "T01" in codes and "T21" in codes and len(codes) == len(set(codes))
    assert (book.entries["T07"].plan.code, book.entries["T21"].plan.code) == ("SHGX-2023", "SHGX-2026")

    in_2025 = task_file(["T21", "", "2025Q4", "完成清单草案并征求六大赛道企业意见", "推进中", "", "", ""])
    refused = ingest_bytes(two_plans, series, IngestRequest("t21.csv", in_2025, department="KW", today=TODAY))
    assert flatten(refused.hard) == {("t21.csv", 2, "统计期", "task-period-outside-plan")}
    assert "不在该任务所属方案《长宁区“上海硅巷”科创街区建设三年行动方案（2026—2028年）（示例）》的期限（2026年第一季度至2028年第四季度）内" \
        in refused.hard[0].message()
    t07 = task_file(["T07", "", "2025Q4", REAL, "推进中", "", "", ""])
    assert ingest_bytes(two_plans, series, IngestRequest("t07.csv", t07, department="RCB",
                                                         today=TODAY)).outcome == ACCEPTED


def test_the_template_lists_the_departments_tasks_still_due_on_a_second_sheet(engine: Engine, plan: PlanData) -> None:
    with engine.connect() as conn:
        current, book = read_current_values(conn), read_task_book(conn, plan, TODAY)
    quarter = period_of_code("2025Q3")

    assert [r.code for r in build_task_template_rows(plan, "RCB", quarter, book)] == ["T07"]  # T08 was due 2024-06-30
    assert [r.code for r in build_task_template_rows(plan, "RCB", period_of_code("2024Q2"), book)] == ["T07", "T08"]
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx_template(plan, "RCB", quarter, current, book)))
    assert workbook.sheetnames[:2] == [SHEET, TASK_SHEET]
    sheet = workbook[TASK_SHEET]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = cells.index(list(TASK_HEADER)) + 1
    t07 = cells[header]
    assert t07[:5] == ["T07", "打造“15分钟人才服务圈”，实现服务网络区域全覆盖", "2025-12-31", "—", "2025Q3"]
    assert sheet.protection.sheet and sheet.cell(header + 1, 2).protection.locked
    assert not sheet.cell(header + 1, 6).protection.locked and not sheet.cell(header + 1, 9).protection.locked
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists[0].formula1 == '"未启动,推进中,已完成,申请延期"' and f"G{header + 1}" in str(lists[0].sqref)
    assert "重点任务季度进展表" in cells[0][1] and cells[2][1] == "区人才办"


def test_a_filled_template_with_values_and_tasks_is_accepted_as_one_submission(engine: Engine,
                                                                              plan: PlanData) -> None:
    with engine.connect() as conn:
        current, book = read_current_values(conn), read_task_book(conn, plan, TODAY)
    data = build_xlsx_template(plan, "RCB", period_of_code("2025Q3"), current, book)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = workbook[SHEET]
    for row in values.iter_rows(min_row=8):
        indicator = plan.indicator_map()[row[0].value]
        row[5].value = max(indicator.baseline * 1.05, 1.0) if indicator.unit != "%" else indicator.baseline
    tasks = workbook[TASK_SHEET]
    tasks["F6"], tasks["G6"] = REAL, "推进中"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = ingest_bytes(engine, plan, IngestRequest("rcb.xlsx", buffer.getvalue(), today=TODAY))

    assert result.outcome == ACCEPTED, [i.message() for i in result.hard + result.soft]
    assert result.department == "RCB" and result.counts["tasks"] == 1 and result.counts["new"] == values.max_row - 7 + 1
    assert [r[:4] for r in stored_reports(engine)] == [("T07", "2025Q3", 1, result.submission_id)]
    assert count_rows(engine)["submission"] == 1


# ---- the pages ----------------------------------------------------------------------------------------------------

@pytest.fixture
def pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine, _ = new_store(tmp_path)
    ensure_demo_accounts(engine)
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    monkeypatch.setenv("KPI_TODAY", TODAY.isoformat())
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()


def open_page(name: str, username: str) -> AppTest:
    page = AppTest.from_file(str(ROOT / "views" / "screens" / name), default_timeout=60)
    sign_in_browser(username)
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    return page


def test_the_submit_page_previews_task_reports_and_the_reviewer_sees_them(pages: Engine) -> None:
    words = "<script>alert(1)</script>完成两个街道站点布设"
    data = task_file(["T07", "", "2025Q3", words, "推进中", "", "", ""])
    submit = open_page("submit.py", "demo-rcb")
    submit.file_uploader(key="upload-0").set_value(("tasks.csv", data, "text/csv")).run()
    assert not submit.exception, [e.value for e in submit.exception]

    preview = submit.dataframe[0].value
    assert preview["任务编码"].tolist() == ["T07"] and preview["进展情况"].tolist() == [words]  # data, not markup
    assert preview["变动"].tolist() == ["新增"]
    submit.button(key="send").click().run()
    receipt = next(s.value for s in submit.success)
    assert "报送编号：1" in receipt and "其中重点任务进展1项" in receipt

    review = open_page("review.py", "demo-reviewer")
    shown = [d.value for d in review.dataframe if "任务编码" in d.value.columns]
    assert len(shown) == 1 and shown[0]["进展情况"].tolist() == [words]
    assert all(words not in m.value for m in review.markdown)
    review.button(key="approve").click().run()
    assert not review.exception
    with pages.connect() as conn:
        assert read_task_reports(conn, ["T07"])["status"].tolist() == ["approved"]


def test_the_submit_page_asks_for_a_task_rows_explanation_apart_from_the_values(pages: Engine) -> None:
    data = (TASK_REPORTS / "task-done-late--boilerplate.csv").read_bytes()
    submit = open_page("submit.py", "demo-rcb")
    submit.file_uploader(key="upload-0").set_value(("late.csv", data, "text/csv")).run()

    assert [box.key for box in submit.text_input if str(box.key).startswith("explain-")] == ["explain-task-2"]
    submit.text_input(key="explain-task-2").set_value("消防验收整改延后一个半月").run()
    submit.button(key="send").click().run()
    assert "报送编号" in next(s.value for s in submit.success)
    with pages.connect() as conn:
        assert conn.execute(text("SELECT note FROM task_report")).scalar_one() == "核实无误；消防验收整改延后一个半月"

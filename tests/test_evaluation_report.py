"""The evaluation report of the shipped plans: the 2023–2025 plan's 总结评估 (its sections and table as Word reads
them, the hand-over to the 2026–2028 plan), the 2026–2028 plan's 中期评估, the command line, the files and the 评估
page."""
from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from models.columns import CODE, PERIOD, VALUE
from models.db import make_engine
from pipelines.briefing.evaluation import EvaluationRefused, EvaluationReport, read_report
from pipelines.briefing.evaluation_files import evaluation_docx_bytes, evaluation_html, evaluation_xlsx_bytes
from pipelines.cli import run
from pipelines.core.config import PLAN_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store
from pipelines.plan.evaluation import compute_evaluation
from pipelines.plan.records import PlanData
from pipelines.store.plans import plan_from_store
from tests.conftest import sign_in_browser
from tests.test_briefing import needs_browser
from tests.test_pages import Open, open_app  # noqa: F401  (the pages' fixture, used by name below)
from tests.test_plan_cycles import DAY, cycles  # noqa: F401  (the three-plan store, used by name below)
from tests.test_plan_rules import add_column

OLD, NEW = "SHGX-2023", "SHGX-2026"
HEADINGS = ["一、总体情况", "二、主要指标完成情况", "三、各专项行动实施成效", "四、存在问题及原因分析",
            "五、下一步建议：与新一轮方案的衔接"]
COLUMNS = ["序号", "指标", "单位", "基期值", "目标值", "完成值", "完成率", "评估结论", "主责部门"]


@pytest.fixture(scope="module")
def final(cycles: Engine) -> EvaluationReport:  # noqa: F811
    found = read_report(cycles, OLD, None, None, "zh", DAY)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def final_docx(final: EvaluationReport) -> Document:  # type: ignore[valid-type]
    return Document(io.BytesIO(evaluation_docx_bytes(final)))


def test_an_ended_plan_gets_the_final_evaluation_by_default(final: EvaluationReport) -> None:
    assert final.kind == "final"
    assert final.title == "《长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）》实施情况总结评估报告"
    assert final.file_names()["docx"] == f"{final.title}.docx"
    counts = final.evaluation.plan_tally.counts
    assert sum(counts.values()) == 55
    assert final.overall[1].startswith(f"截至方案期末，{final.evaluation.plan_tally.phrase().text('zh')}；")


def test_the_final_reports_headings_and_table_as_word_reads_them(final: EvaluationReport,
                                                                 final_docx: Document) -> None:  # type: ignore[valid-type]
    doc = final_docx
    assert doc.paragraphs[1].text == final.title  # after the 示例数据 mark: the sample figures are illustrative
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"][:2] == [
        "（一）科创企业吸引集聚专项行动", "（二）科创街区焕新升级专项行动"]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    assert len(table.rows) == 56
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["创新产业集群数"] == ["2", "创新产业集群数", "个", "1", "5", "4", "75.0%", "✖ 未完成", "区发改委"]
    assert rows["专精特新企业数"][6:8] == ["92.3%", "◐ 基本完成"]
    conclusions = [r.cells[7].text.split(" ", 1)[1] for r in table.rows[1:]]
    names = {"early": "提前完成", "completed": "完成", "basically_completed": "基本完成", "not_completed": "未完成",
             "no_data": "暂无数据"}
    assert {names[c]: n for c, n in final.evaluation.plan_tally.counts.items() if n} == {
        name: conclusions.count(name) for name in set(conclusions)}
    assert doc.sections[1].orientation == 1  # the table's section is landscape


def test_the_final_reports_problems_name_every_indicator_not_completed(final: EvaluationReport) -> None:
    short = [i.name_zh for i in final.evaluation.plan.indicators
             if final.evaluation.verdicts[i.code].conclusion in ("not_completed", "basically_completed", "no_data")]
    indicators = [item for item in final.problems if not item.startswith("重点任务——")]
    assert len(indicators) == len(short) > 0
    for name, item in zip(short, indicators):
        assert item.startswith(f"{name}（")
    assert any("备注：" in item for item in indicators)  # what the department wrote with its value
    assert all(("备注：" in item or "部门反映：" in item) != ("主责部门未说明原因" in item) for item in indicators)


def test_the_final_report_hands_over_to_the_2026_plan(final: EvaluationReport, final_docx: Document  # type: ignore[valid-type]
                                                      ) -> None:
    assert final.lineage is not None
    lineage = final_docx.tables[-1]
    assert [c.text for c in lineage.rows[0].cells] == ["序号", "本方案指标", "评估结论", "衔接方式", "新一轮方案指标",
                                                       "新基期值", "新目标值"]
    kinds = [r.cells[3].text for r in lineage.rows[1:]]
    assert (kinds.count("延续"), kinds.count("口径调整"), kinds.count("新增"), kinds.count("不再列入")) == (46, 4, 6, 5)
    first = [c.text for c in lineage.rows[1].cells]
    assert first == ["1", "高成长性科技企业数", "完成", "延续", "高成长性科技企业数", "1,003家", "1,400家"]
    assert "延续本方案指标46项、口径调整4项、新增指标6项，本方案5项指标不再列入" in final.next_intro[0]


def test_the_midterm_report_of_the_plan_in_force(cycles: Engine) -> None:  # noqa: F811
    report = read_report(cycles, NEW, None, None, "zh", DAY)
    assert report is not None and report.kind == "midterm"
    assert report.title.endswith("实施情况中期评估报告")
    assert report.lineage is None
    assert list(report.table.columns)[5] == "目标期预计值"
    doc = Document(io.BytesIO(evaluation_docx_bytes(report)))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][-1] == "五、下一步建议"
    assert report.evaluation.as_of == period_of_code("2026Q3")  # the latest quarter with data


def test_a_final_evaluation_of_a_plan_in_force_or_with_an_as_of_is_refused(cycles: Engine) -> None:  # noqa: F811
    with pytest.raises(EvaluationRefused, match="尚未期满（2028年第四季度结束）"):
        read_report(cycles, NEW, "final", None, "zh", DAY)
    with pytest.raises(EvaluationRefused, match="不需要指定评估期"):
        read_report(cycles, OLD, "final", period_of_code("2025Q2"), "zh", DAY)
    with pytest.raises(EvaluationRefused, match="不在方案实施期"):
        read_report(cycles, NEW, "midterm", period_of_code("2025Q2"), "zh", DAY)


def test_the_xlsx_has_one_sheet_per_table_with_frozen_headers(final: EvaluationReport) -> None:
    book = load_workbook(io.BytesIO(evaluation_xlsx_bytes(final)))
    assert book.sheetnames == ["主要指标完成情况", "各专项行动", "重点任务完成情况", "指标衔接情况"]
    sheet = book["主要指标完成情况"]
    assert [c.value for c in sheet[1]] == [*COLUMNS, "说明"]
    assert sheet.max_row == 56 and sheet.freeze_panes == "A2"


def test_the_pdf_page_escapes_what_departments_wrote(final: EvaluationReport) -> None:
    page = evaluation_html(final)
    assert "<h2>四、存在问题及原因分析</h2>" in page
    assert "<script" not in page.lower()
    assert "3家企业专精特新资质到期未复核" in page


def test_the_command_line_gives_json_rows(cycles: Engine, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    assert run(["evaluation", "--plan", OLD, "--db", str(cycles.url), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["kind"], found["as_of"], len(found["rows"])) == ("final", "2025Q4", 55)
    row = next(r for r in found["rows"] if r["code"] == "A05")
    assert {k: row[k] for k in ("conclusion", "final_value", "completion", "target", "department")} == {
        "conclusion": "not_completed", "final_value": 4.0, "completion": 0.75, "target": 5.0, "department": "FGW"}
    assert run(["evaluation", "--plan", NEW, "--db", str(cycles.url), "--format", "json"]) == 0
    assert "projected_value" in json.loads(capsys.readouterr().out)["rows"][0]
    assert run(["evaluation", "--plan", NEW, "--kind", "final", "--db", str(cycles.url)]) == 2
    assert "尚未期满" in capsys.readouterr().err


@needs_browser
def test_the_command_line_writes_the_three_files(cycles: Engine, tmp_path: Path,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    assert run(["evaluation", "--plan", OLD, "--db", str(cycles.url), "--out", str(tmp_path)]) == 0
    title = "《长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）》实施情况总结评估报告"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{title}.docx", f"{title}.pdf", f"{title}（指标评估表）.xlsx"])
    # NFKC: chromium's text layer maps some 汉字 to look-alike Kangxi radicals (⼀ for 一)
    text = "".join(unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(tmp_path / f"{title}.pdf").pages)
    assert "二、主要指标完成情况" in text and "创新产业集群数" in text


# ---- the 评估 page ------------------------------------------------------------------------------------------------

@pytest.fixture
def evaluation_page(cycles: Engine, open_app: Callable[[str], Open],  # noqa: F811
                    monkeypatch: pytest.MonkeyPatch) -> Callable[[str], AppTest]:
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    opened = open_app(str(cycles.url))

    def open_plan(plan: str) -> AppTest:
        at = opened("overview", plan=plan)
        at.switch_page("views/screens/evaluation.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_plan


def test_the_evaluation_page_shows_the_final_evaluation_and_asks_guests_to_sign_in(
        evaluation_page: Callable[[str], AppTest]) -> None:
    at = evaluation_page(OLD)
    assert any(s.value.endswith("实施情况总结评估报告") for s in at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["✖ 未完成"] == "5项" and metrics["★ 提前完成"] == "4项"
    text = " ".join(m.value for m in at.markdown)
    assert "四、存在问题及原因分析" in text and "进度正常" not in text
    assert not [b for b in at.button if b.key == "evaluation-generate"]  # files for signed-in accounts only


def test_the_evaluation_page_offers_the_report_to_a_signed_in_account(
        evaluation_page: Callable[[str], AppTest], cycles: Engine) -> None:  # noqa: F811
    from pipelines.workflow.accounts import ensure_demo_accounts

    ensure_demo_accounts(cycles)
    sign_in_browser("demo-leader", str(cycles.url))
    at = evaluation_page(NEW)
    assert any(s.value.endswith("实施情况中期评估报告") for s in at.subheader)
    assert at.button(key="evaluation-generate").label == "生成评估报告"


def test_today_decides_the_kind(cycles: Engine) -> None:  # noqa: F811
    report = read_report(cycles, OLD, None, None, "zh", dt.date(2025, 11, 1))
    assert report is not None and report.kind == "midterm"  # before its end the old plan was in force


def test_without_a_browser_nothing_is_written_and_the_message_names_the_report(
        final: EvaluationReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.briefing.evaluation_files import write_evaluation
    from pipelines.briefing.images import SetupError

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(SetupError, match="评估报告未生成"):
        write_evaluation(final, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_plans_basic_threshold_is_stored_and_decides_basically_completed(tmp_path: Path) -> None:
    folder = tmp_path / "SHGX-2023"
    shutil.copytree(PLAN_DIR, folder)
    add_column("plan.csv", "basic_threshold", "0.6")(folder)
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    assert isinstance(build_store(engine, folder), PlanData)
    with engine.connect() as conn:
        plan = plan_from_store(conn, OLD)
    assert plan is not None and plan.info.basic_threshold == 0.6
    values = pd.DataFrame({CODE: ["A05"], PERIOD: ["2025"], VALUE: [4.0]})  # 75 % of the way: above the 60 % line
    assert compute_evaluation(plan, values, "final").verdicts["A05"].conclusion == "basically_completed"


def test_a_midterm_report_reads_only_what_was_written_in_the_plans_own_periods(cycles: Engine) -> None:  # noqa: F811
    report = read_report(cycles, NEW, None, None, "zh", DAY)
    assert report is not None
    said = " ".join(line for action in report.actions for line in action.progress)
    assert "2023年补报" not in said  # a note sent with a 2023 value of a continued series
    assert said  # the 2026 values' notes are there


def test_the_final_report_has_the_key_tasks_and_names_those_not_closed(final: EvaluationReport,
                                                                       final_docx: Document) -> None:  # type: ignore[valid-type]
    assert final.tasks is not None and len(final.tasks) == len(final.evaluation.plan.tasks)
    assert final.tasks_line.startswith(f"重点任务{len(final.evaluation.plan.tasks)}项：")
    assert f"{final.tasks_line}。" in final.overall
    captions = [p.text for p in final_docx.paragraphs]
    assert "表3　重点任务完成情况" in captions and "表4　指标衔接情况" in captions
    open_tasks = [item for item in final.problems if item.startswith("重点任务——")]
    not_closed = [r for r in final.tasks.itertuples(index=False) if "已销号" not in r[4] and "待销号" not in r[4]]
    assert len(open_tasks) == len(not_closed)

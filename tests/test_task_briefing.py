"""重点任务推进情况 in the quarterly pack and the 通报: the counts line the ledger gives, the overdue and slipped tasks
(逾期, 临近到期, 已申请延期, 已延期) with their departments' latest approved words on a slide and a PDF page of their
own after the action pages and under a 通报 heading of their own (the later headings renumbered), the overdue tasks
in 存在问题, the department's words escaped in the PDF's HTML, a long table continued, and nothing of it for a plan
without tasks. The store is the three-plan one (tests.test_plan_cycles) with a few task reports added to a copy."""
# ruff: noqa: F811  (the tests take the imported fixture as their argument, as pytest passes it)
from __future__ import annotations

import dataclasses
import datetime as dt
import html
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.document import Document as DocumentType
from PIL import Image
from pptx import Presentation
from sqlalchemy import Engine, insert

from models.db import make_engine
from models.schema import Submission
from models.states import APPROVED, PENDING
from pipelines.briefing import BriefingContent, read_content
from pipelines.briefing.docx_writer import write_docx
from pipelines.briefing.layout import clip_text, line_count
from pipelines.briefing.pdf_writer import build_html
from pipelines.briefing.pptx_writer import write_pptx
from pipelines.core.catalog import t
from pipelines.core.periods import Period, period_of_code
from pipelines.present.tasks import counts_line, ledger_counts, ledger_rows
from pipelines.store.plans import plan_from_store
from pipelines.store.task_reports import TaskRow, save_task_reports
from pipelines.store.tasks import read_task_reports
from tests.test_plan_cycles import DAY, cycles  # noqa: F401  (the three-plan store, used by name below)

Q3 = period_of_code("2026Q3")
NEW, BRIDGE, OLD = "SHGX-2026", "ZJCN-2025", "SHGX-2023"
T24 = "完成硅巷15分钟生活圈配套设施补短板项目"  # 华阳路街道, due 2026Q3: overdue on the quarter's reporting deadline
T22 = "概念验证中心年度服务项目评估"  # 区科委, due 2027Q1, an extension asked and not yet decided
WORDS = '社区食堂选址调整<script>alert("x")</script> & <b>已签批</b>，12月底前开工'  # T24's approved 进展情况
PENDING_WORDS = "评估延至明年二季度（待审核）"  # T22's request: awaiting review, never printed
TITLE = "重点任务推进情况"
COLUMNS = ["重点任务", "主责部门", "完成时限", "状态", "最新进展"]


def _submit(conn: object, department: str, status: str, sent: dt.datetime, rows: list[TaskRow]) -> None:
    """A submission carrying task reports, written as the store keeps them (a newer revision of each task and
    quarter than any sample file's)."""
    found = conn.execute(insert(Submission).values(  # type: ignore[attr-defined]
        file_name=f"{department}_重点任务进展.csv", sha256=f"{department}{status}{sent:%m%d}".ljust(64, "0"),
        content=b"", department=department, channel="web", status=status, submitted_at=sent))
    save_task_reports(conn, int(found.inserted_primary_key[0]), rows)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def store(cycles: Engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A copy of the three-plan store with the 2026 plan's four tasks reported: T21 done and approved (已销号), T22 an
    extension awaiting review, T23 in progress (and done in 2026Q4, after the quarter briefed), T24 in progress past
    its deadline."""
    target = tmp_path_factory.mktemp("task-briefing") / "kpi.sqlite3"
    with sqlite3.connect(cycles.url.database or "") as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        _submit(conn, "HYL", APPROVED, dt.datetime(2026, 10, 10, 9), [
            TaskRow(2, "T24", "2026Q3", "in_progress", WORDS)])
        _submit(conn, "KW", APPROVED, dt.datetime(2026, 10, 9, 9), [
            TaskRow(2, "T21", "2026Q3", "done", "服务清单已发布", done_on=dt.date(2026, 9, 20))])
        _submit(conn, "KW", PENDING, dt.datetime(2026, 10, 12, 9), [
            TaskRow(2, "T22", "2026Q3", "extension", PENDING_WORDS, new_due=dt.date(2027, 6, 30))])
        _submit(conn, "RCB", APPROVED, dt.datetime(2026, 10, 8, 9), [
            TaskRow(2, "T23", "2026Q3", "in_progress", "修订稿已报区政府常务会议审议")])
        _submit(conn, "RCB", APPROVED, dt.datetime(2026, 11, 20, 9), [
            TaskRow(2, "T23", "2026Q4", "done", "修订稿已印发", done_on=dt.date(2026, 11, 18))])
    return engine


def _content(engine: Engine, plan: str, quarter: Period = Q3, lang: str = "zh") -> BriefingContent:
    content = read_content(engine, quarter, lang, DAY, plan)
    assert content is not None
    return content


@pytest.fixture(scope="module")
def content(store: Engine) -> BriefingContent:
    return _content(store, NEW)


def _pngs(content: BriefingContent, folder: Path) -> dict[str, Path]:
    """A blank picture for every chart: the writers' layout without drawing them (no chromium needed)."""
    png = folder / "blank.png"
    Image.new("RGB", (160, 90), "white").save(png)
    return {chart.name: png for chart in content.charts}


def _slides(content: BriefingContent, folder: Path) -> list[tuple[str, str]]:
    """Each slide's title and all its text (text frames and table cells)."""
    deck = Presentation(str(write_pptx(content, _pngs(content, folder), folder / "pack.pptx")))
    out = []
    for slide in deck.slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        texts += [c.text for s in slide.shapes if s.has_table for row in s.table.rows for c in row.cells]
        out.append((slide.shapes.title.text_frame.text, "\n".join(texts)))
    return out


def _tongbao(content: BriefingContent, folder: Path) -> DocumentType:
    return Document(str(write_docx(content, folder / "tongbao.docx")))


def _in_order(texts: list[str], wanted: list[str]) -> bool:
    position = -1
    for heading in wanted:
        position = next((n for n, text in enumerate(texts) if n > position and text.startswith(heading)), -1)
        if position < 0:
            return False
    return True


# ---- content -------------------------------------------------------------------------------------------------------

def test_the_packs_counts_line_is_the_ledgers_of_the_quarter(store: Engine, content: BriefingContent) -> None:
    with store.connect() as conn:
        plan = plan_from_store(conn, NEW)
        assert plan is not None
        reports = read_task_reports(conn, [task.code for task in plan.tasks])
    ledger = ledger_rows(plan, reports, Q3, DAY, "zh")

    assert content.tasks is not None
    assert content.tasks.line == counts_line(ledger_counts(ledger), "zh")
    # T23's 2026Q4 销号 comes after the quarter: it is still in progress in the 2026Q3 pack
    assert content.tasks.line == "重点任务4项：逾期1项、已申请延期1项、已销号1项、推进中1项"
    assert content.summary[-1] == "重点任务4项：逾期1项、已申请延期1项、已销号1项、推进中1项。"
    assert "2026-10-15" in content.tasks.lead  # judged on the quarter's reporting deadline, not on DAY


def test_a_pack_made_before_the_reporting_deadline_judges_on_its_own_day(store: Engine) -> None:
    early = read_content(store, Q3, "zh", dt.date(2026, 10, 11), NEW)  # T22's request comes on 10-12

    assert early is not None and early.tasks is not None
    assert early.tasks.line == "重点任务4项：逾期1项、已销号1项、推进中1项、未启动1项"
    assert "2026-10-11" in early.tasks.lead


def test_the_table_lists_the_overdue_and_slipped_most_urgent_first_with_the_approved_words(
        content: BriefingContent) -> None:
    assert content.tasks is not None
    table = content.tasks.table

    assert list(table.columns) == COLUMNS
    assert table.values.tolist() == [
        [T24, "华阳路街道", "2026-09-30", "✖ 逾期", f"2026年第三季度：{WORDS}"],
        [T22, "区科委", "2027-03-31（已申请延期至2027-06-30，待审核）", "◁ 已申请延期", "—"],
    ]  # the closed T21 and the in-progress T23 are not listed; the words awaiting review are not shown


def test_the_overdue_task_is_a_problem_and_its_department_asked_to_speed_up(content: BriefingContent) -> None:
    assert content.problems[-1] == f"华阳路街道牵头的1项重点任务已逾期：“{T24}”（逾期15天）。"
    assert content.next_steps[-2].startswith("请华阳路街道对逾期和临近到期的重点任务")
    assert content.next_steps[-1] == t("briefing.tongbao.next-keep")  # the standing step still closes the list


def test_the_english_pack_says_the_counts_in_english(store: Engine) -> None:
    tasks = _content(store, NEW, lang="en").tasks

    assert tasks is not None
    assert tasks.line == "Key tasks 4: Overdue 1; Extension requested 1; Closed 1; In progress 1"
    assert list(tasks.table.columns) == ["Key task", "Lead department", "Deadline", "State", "Latest progress"]


# ---- the three files -----------------------------------------------------------------------------------------------

def test_the_task_slide_follows_the_action_pages_with_the_overdue_task_and_its_words(
        content: BriefingContent, tmp_path: Path) -> None:
    slides = _slides(content, tmp_path)
    titles = [title for title, _ in slides if not title.endswith("（续）")]
    text = next(text for title, text in slides if title == TITLE)

    assert titles.index(TITLE) == 2 + 2 * len(content.actions)  # cover, summary, two per action, then the tasks
    assert titles[titles.index(TITLE) + 1].startswith("与上一季度")
    assert content.tasks is not None and content.tasks.line in text
    for word in (*COLUMNS, T24, "华阳路街道", "✖ 逾期", WORDS, T22, "◁ 已申请延期"):
        assert word in text, word
    assert PENDING_WORDS not in text and "修订稿已报区政府常务会议审议" not in text
    assert content.tasks.line in slides[1][1]  # the summary slide says the counts too


def test_the_tongbao_has_a_task_heading_with_the_counts_and_the_table(content: BriefingContent,
                                                                       tmp_path: Path) -> None:
    document = _tongbao(content, tmp_path)
    texts = [p.text for p in document.paragraphs]
    table = next(table for table in document.tables if [c.text for c in table.rows[0].cells] == COLUMNS)
    overall = next(text for text in texts if text.startswith("截至2026年9月底"))

    assert _in_order(texts, ["一、总体情况", "二、分专项完成情况", "三、序时进度对比", "四、重点任务推进情况",
                             "重点任务4项", "五、存在问题", "六、下步工作", "注："])
    assert "四、存在问题" not in texts and "五、下步工作" not in texts
    assert content.tasks is not None
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == content.tasks.table.values.tolist()
    assert WORDS in table.rows[1].cells[4].text
    assert overall.endswith("重点任务4项：逾期1项、已申请延期1项、已销号1项、推进中1项。")
    assert any(T24 in text and "逾期15天" in text for text in texts[texts.index("五、存在问题"):])


def test_the_pdf_page_shows_the_tasks_with_the_departments_words_escaped(content: BriefingContent,
                                                                         tmp_path: Path) -> None:
    page = build_html(content, _pngs(content, tmp_path))
    tasks = page[page.index(f"<h1>{TITLE}</h1>"):]
    tasks = tasks[:tasks.index("</section>")]

    assert content.tasks is not None
    assert html.escape(content.tasks.line) in tasks
    assert f"<td>{html.escape(T24)}</td>" in tasks
    assert html.escape(f"2026年第三季度：{WORDS}") in tasks
    assert "<script>" not in page and "<b>已签批</b>" not in page
    assert PENDING_WORDS not in page
    assert page.index(f"<h1>{TITLE}</h1>") < page.index("<h1>与上一季度")


def test_a_long_task_table_continues_on_slides_and_pages_and_cuts_only_there_a_too_long_text(
        content: BriefingContent, tmp_path: Path) -> None:
    assert content.tasks is not None
    long = "受选址调整影响，项目前期手续重新办理。" * 100  # 2,000 characters, as much as a report may hold
    names = [f"第{n:02d}项试点任务" for n in range(1, 31)]
    rows = [[name, "华阳路街道", "2026-09-30", "✖ 逾期", long if n == 5 else "推进中"] for n, name in enumerate(names)]
    longer = dataclasses.replace(content, tasks=dataclasses.replace(
        content.tasks, table=pd.DataFrame(rows, columns=COLUMNS)))
    slides = _slides(longer, tmp_path)
    shown = [(title, text) for title, text in slides if title.startswith(TITLE)]
    page = build_html(longer, _pngs(longer, tmp_path))

    assert [title for title, _ in shown][1:] == [f"{TITLE}（续）"] * (len(shown) - 1) and len(shown) > 1
    assert all(t("ui.col.task") in text for _, text in shown)  # no continuation slide without its table
    assert all(name in "\n".join(text for _, text in shown) for name in names)
    cut = t("task_briefing.cell-cut")
    assert long not in "\n".join(text for _, text in shown) and cut in "\n".join(text for _, text in shown)
    assert page.count(f"<h1>{TITLE}（续）</h1>") >= 1 and cut in page and long not in page
    assert long in [c.text for table in _tongbao(longer, tmp_path).tables for row in table.rows for c in row.cells]


def test_clip_text_keeps_a_text_that_fits_and_cuts_a_longer_one_to_its_lines_with_the_mark() -> None:
    assert clip_text("推进中", 10, 2, "……") == "推进中"
    cut = clip_text("一二三四五六七八九十" * 5, 10, 2, "……")

    assert cut == "一二三四五六七八九十一二三四五六七八……"
    assert line_count(cut, 10) == 2


# ---- the final pack and a plan without tasks -----------------------------------------------------------------------

def test_the_final_pack_of_an_ended_plan_keeps_its_tasks_after_the_conclusions(store: Engine,
                                                                               tmp_path: Path) -> None:
    final = _content(store, OLD, period_of_code("2025Q4"))
    with store.connect() as conn:
        plan = plan_from_store(conn, OLD)
        assert plan is not None
        reports = read_task_reports(conn, [task.code for task in plan.tasks])
    texts = [p.text for p in _tongbao(final, tmp_path).paragraphs]

    assert final.final and final.tasks is not None
    assert final.tasks.line == counts_line(ledger_counts(ledger_rows(plan, reports, final.as_of, DAY, "zh")), "zh")
    assert final.tasks.line.startswith("重点任务14项：")
    assert _in_order(texts, ["一、总体情况", "三、评估结论分类", "四、重点任务推进情况", "五、存在问题", "六、下步工作"])
    assert final.summary[-1] == f"{final.tasks.line}。"
    # a task named with quotes of its own, overdue since 2023: quoted in 存在问题 with its quotes made single
    assert "“举办首届‘无界·2023留学生（国际化院校大学生）创新创业大赛’”" in "".join(final.problems)
    assert TITLE in [title for title, _ in _slides(final, tmp_path)]


def test_a_plan_without_tasks_has_no_task_page_heading_or_sentence(store: Engine, tmp_path: Path) -> None:
    bridge = _content(store, BRIDGE)
    texts = [p.text for p in _tongbao(bridge, tmp_path).paragraphs]

    assert bridge.tasks is None
    assert TITLE not in [title for title, _ in _slides(bridge, tmp_path)]
    assert TITLE not in build_html(bridge, _pngs(bridge, tmp_path))
    assert _in_order(texts, ["三、序时进度对比", "四、存在问题", "五、下步工作"])
    assert not any("重点任务" in text for text in texts) and not any("重点任务" in line for line in bridge.summary)

"""The quarterly briefing pack for the sample data: slide titles, PDF pages and fonts, 通报 headings and typography,
non-blank 2× chart PNGs, summary numbers equal to the engine's, the frozen snapshot used, and a clear stop without
a CJK font. The pack is made once per module (it takes seconds); those tests skip, with the reason, when chromium
or a CJK font is missing."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from pipelines.briefing import BriefingFiles, images, make_briefing, read_content
from pipelines.briefing.content import standing_as_briefed
from pipelines.briefing.images import SetupError
from pipelines.cli import run
from pipelines.core.catalog import t
from pipelines.core.config import PLAN_DIR, ROOT, SAMPLES_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store, load_samples
from pipelines.plan.records import PlanData
from pipelines.plan.standing import Standing
from pipelines.present.formatting import format_rate
from pipelines.present.tables import red_flags_heading
from pipelines.store.snapshot import Frozen
from pipelines.store.standings import read_standing
from pipelines.workflow.accounts import ensure_demo_accounts
from tests.conftest import sign_in_browser
from tests.test_briefing_layout import docx_text, flat, names_missing, pdf_text, pptx_text

pytestmark = pytest.mark.slow  # the pack drawn with chromium, PPTX, DOCX and PDF

AS_OF = period_of_code("2025Q4")
TODAY = dt.date(2026, 1, 20)
# The pack of the quarter made while the plan is still in force (its last day): the pace pack, with its lights. After
# the plan's end the pack of its last quarter speaks in the 总结评估 (tests/test_final_view.py).
PACK_DAY = dt.date(2025, 12, 31)


def _missing_setup() -> str | None:
    if not images.cjk_fonts():
        return "no CJK font (fc-list :lang=zh is empty): apt-get install fonts-noto-cjk"
    if not (shutil.which("chromium") or Path(images.CHROMIUM).is_file()):
        return "no chromium: apt-get install chromium"
    return None


needs_browser = pytest.mark.skipif(_missing_setup() is not None, reason=f"briefing pack not made: {_missing_setup()}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('briefing-store') / 'kpi.sqlite3'}"
    engine = make_engine(url)
    plan = build_store(engine, PLAN_DIR)
    assert isinstance(plan, PlanData), plan
    assert all(r.outcome != "rejected" for r in load_samples(engine, SAMPLES_DIR))
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def standing(store: str) -> Standing:
    result = read_standing(make_engine(store), AS_OF)
    assert result is not None
    return result


@pytest.fixture(scope="module")
def pack(store: str, tmp_path_factory: pytest.TempPathFactory) -> BriefingFiles:
    if _missing_setup():
        pytest.skip(f"briefing pack not made: {_missing_setup()}")
    files = make_briefing(make_engine(store), AS_OF, tmp_path_factory.mktemp("pack"), "zh", today=PACK_DAY)
    assert files is not None
    return files


# ---- slides ----------------------------------------------------------------------------------------------------

def _slide_titles(path: Path) -> list[str]:
    """Each slide's title: the text of its title placeholder."""
    return [slide.shapes.title.text_frame.text for slide in Presentation(str(path)).slides]


@needs_browser
def test_briefing_slides_are_16_9_with_the_expected_titles(pack: BriefingFiles, standing: Standing) -> None:
    deck = Presentation(str(pack.pptx))
    actions = [title for a in standing.plan.actions for title in (
        t("briefing.slide.action", "zh", name=a.name_zh), t("briefing.slide.action-indicators", "zh", name=a.name_zh))]

    assert round(deck.slide_width / deck.slide_height, 3) == round(16 / 9, 3)
    assert [title for title in _slide_titles(pack.pptx) if not title.endswith("（续）")] == [
        standing.plan.info.name_zh, "总体情况", *actions, "重点任务推进情况", "与上一季度（2025年第三季度）相比的变化",
        red_flags_heading(standing, "zh"), "各部门报送及时情况", "方法说明"]
    assert red_flags_heading(standing, "zh") == "未达成指标"  # the samples' plan has ended: every red one missed


@needs_browser
def test_briefing_every_slide_carries_the_illustrative_mark(pack: BriefingFiles) -> None:
    for slide in Presentation(str(pack.pptx)).slides:
        assert "示例数据" in [s.text_frame.text for s in slide.shapes if s.has_text_frame]


@needs_browser
def test_briefing_cover_has_quarter_date_internal_line_and_cutoff(pack: BriefingFiles) -> None:
    cover = " ".join(s.text_frame.text for s in Presentation(str(pack.pptx)).slides[0].shapes if s.has_text_frame)

    for text in ("2025年第四季度推进情况简报", "（截至2025年12月底）", "编制日期：2025-12-31", "内部资料", "数据时间"):
        assert text in cover
    assert "截至截至" not in cover and "数据截至：截至" not in cover


# ---- PDF ---------------------------------------------------------------------------------------------------------

@needs_browser
def test_briefing_pdf_is_a4_landscape_with_a_page_per_section(pack: BriefingFiles, standing: Standing) -> None:
    reader = PdfReader(str(pack.pdf))
    texts = _texts(reader)
    box = reader.pages[0].mediabox

    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for title in ["总体情况", *[a.name_zh for a in standing.plan.actions], "相比的变化", "未达成指标", "报送及时情况",
                  "方法说明"]:
        assert any(title in text for text in texts), title
    assert len(texts) >= 12
    assert all("示例数据" in text for text in texts)


def _texts(reader: PdfReader) -> list[str]:
    """Each page's text. NFKC because chromium's text layer maps some 汉字 to look-alike Kangxi radicals (⾏ for 行);
    a few map to CJK radicals supplement characters NFKC leaves alone (⻔ for 门), so titles below avoid 门/长/民."""
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


def _fonts(reader: PdfReader) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            found.append(font.get_object())
    return found


def _embedded(font: dict) -> bool:  # type: ignore[type-arg]
    """Glyphs travel with the PDF: Type 3 procedures, or a font file in the descriptor (of the descendant font)."""
    if font.get("/Subtype") == "/Type3":
        return "/CharProcs" in font
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@needs_browser
def test_briefing_pdf_embeds_the_cjk_font_and_its_chinese_is_text(pack: BriefingFiles) -> None:
    reader = PdfReader(str(pack.pdf))
    fonts = _fonts(reader)

    assert fonts and all(_embedded(font) for font in fonts)
    assert "科创企业吸引集聚专项行动" in "".join(_texts(reader))


# ---- 通报 ----------------------------------------------------------------------------------------------------------

@needs_browser
def test_briefing_tongbao_has_the_headings_in_order(pack: BriefingFiles) -> None:
    texts = [p.text for p in Document(str(pack.docx)).paragraphs]
    wanted = ["长宁区全面推进", "（截至2025年12月底）", "一、总体情况", "二、分专项完成情况", "表1", "三、序时进度对比",
              "（一）超序时指标", "（二）按序时指标", "（三）滞后序时指标", "四、重点任务推进情况", "五、存在问题",
              "六、下步工作", "注："]  # the plan lists 重点任务: their heading comes fourth (a plan without: test_task_briefing)
    position = -1
    for heading in wanted:  # each after the one before
        position = next((n for n, text in enumerate(texts) if n > position and text.startswith(heading)), -1)
        assert position >= 0, f"{heading} missing or out of order"


def _east_asian(paragraph) -> str:  # type: ignore[no-untyped-def]
    return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))


@needs_browser
def test_briefing_tongbao_uses_the_gongwen_fonts(pack: BriefingFiles) -> None:
    paragraphs = {p.text: p for p in Document(str(pack.docx)).paragraphs}
    title = next(p for text, p in paragraphs.items() if text.endswith("推进情况通报"))
    body = next(p for text, p in paragraphs.items() if text.startswith("截至2025年12月底"))

    assert _east_asian(title) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    assert _east_asian(paragraphs["一、总体情况"]) == "黑体"
    assert _east_asian(next(p for text, p in paragraphs.items() if text.startswith("（一）"))) == "楷体_GB2312"
    assert _east_asian(body) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16


@needs_browser
def test_briefing_tongbao_table_prints_rates_in_percent_and_gaps_in_points(pack: BriefingFiles) -> None:
    table = Document(str(pack.docx)).tables[0]
    header = [c.text for c in table.rows[0].cells]

    assert header[:10] == ["序号", "子项", "指标", "计量单位", "目标", "截至本期完成", "完成率", "序时进度",
                           "差值（个百分点）", "状态"]
    first = [c.text for c in table.rows[1].cells]
    assert first[6].endswith("%") and first[8][0] in "+-"


# ---- charts ----------------------------------------------------------------------------------------------------

@needs_browser
def test_briefing_pngs_are_2x_and_not_blank(pack: BriefingFiles) -> None:
    sizes = {c.name: (c.width, c.height) for c in pack.content.charts}

    assert len(pack.charts) == len(sizes) == 10
    for path in pack.charts:
        image = Image.open(path).convert("RGB")
        assert image.size == (2 * sizes[path.stem][0], 2 * sizes[path.stem][1])
        colours = image.resize((200, 120)).getcolors(maxcolors=200 * 120)
        assert colours is not None and len(colours) > 20, f"{path.name} looks blank"


# ---- what PowerPoint users expect, every row, no machinery ---------------------------------------------------

FOOTER_KINDS = (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE)


def _footer_line(slide) -> int:  # type: ignore[no-untyped-def]
    """The top of the slide layout's footer band."""
    return min(s.top for s in slide.slide_layout.placeholders if s.placeholder_format.type in FOOTER_KINDS)


def _is_footer(shape) -> bool:  # type: ignore[no-untyped-def]
    return shape.is_placeholder and shape.placeholder_format.type in FOOTER_KINDS


@needs_browser
def test_briefing_slides_have_titles_in_placeholders_and_nothing_below_the_footer_line(pack: BriefingFiles) -> None:
    deck = Presentation(str(pack.pptx))
    layouts = {slide.slide_layout.name for slide in deck.slides}

    assert layouts <= {"Title Slide", "Title Only", "Title and Content"}
    for n, slide in enumerate(deck.slides, start=1):
        title = slide.shapes.title
        assert title is not None and title.is_placeholder and title.text_frame.text.strip(), n
        assert all(s.text_frame.text.strip() for s in slide.placeholders if s.has_text_frame), n  # none left empty
        line = _footer_line(slide)
        assert line <= deck.slide_height - Inches(0.3)
        for shape in slide.shapes:
            if not _is_footer(shape):
                assert shape.top + shape.height <= line, (n, shape.name)
            assert shape.left >= 0 and shape.left + shape.width <= deck.slide_width, (n, shape.name)
        if n > 1:  # every slide but the cover: footer text and slide number from the layout's placeholders
            kinds = {s.placeholder_format.type for s in slide.placeholders}
            assert {PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER} <= kinds, n
    for layout in deck.slide_layouts:
        for shape in layout.placeholders:
            assert shape.left + shape.width <= deck.slide_width, (layout.name, shape.name)


def _runs(shape):  # type: ignore[no-untyped-def]
    frames = [shape.text_frame] if shape.has_text_frame else []
    if shape.has_table:
        frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
    return [run for frame in frames for paragraph in frame.paragraphs for run in paragraph.runs]


@needs_browser
def test_briefing_slide_text_is_at_least_12_pt_and_tables_stand_on_the_body_grid(pack: BriefingFiles) -> None:
    deck = Presentation(str(pack.pptx))
    body = next(s for s in deck.slide_layouts.get_by_name("Title and Content").placeholders
                if s.placeholder_format.idx == 1)

    for n, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            for text_run in _runs(shape):
                size = text_run.font.size
                assert text_run.text == "" or (size is not None and size.pt >= 12), (n, text_run.text)
            if shape.has_table:
                assert body.left <= shape.left and shape.left + shape.width <= body.left + body.width + 12700, n
                assert sum(c.width for c in shape.table.columns) == shape.width


@needs_browser
def test_briefing_every_department_and_indicator_is_in_every_file(pack: BriefingFiles, standing: Standing) -> None:
    departments = [d.name_zh for d in standing.plan.departments]
    indicators = [i.name_zh for i in standing.plan.indicators]

    for text in (pptx_text(pack.pptx), pdf_text(pack.pdf), docx_text(pack.docx)):
        assert names_missing(text, indicators) == []
    for text in (pptx_text(pack.pptx), pdf_text(pack.pdf)):
        assert names_missing(text, departments) == []


MACHINERY = ("python -m", "plan_facts", ".py", "kind:", "status:", "2025Q4", "2025Q3", "None", "nan")


@needs_browser
def test_briefing_shows_no_machinery_and_no_symbols_in_prose(pack: BriefingFiles) -> None:
    for text in (pptx_text(pack.pptx), flat(pdf_text(pack.pdf)), docx_text(pack.docx)):
        assert [word for word in MACHINERY if word in text] == []
    prose = [p.text for p in Document(str(pack.docx)).paragraphs] + pack.content.summary + pack.content.methodology
    prose += [page.headline for page in pack.content.actions] + pack.content.problems
    for line in prose:
        assert not set(line) & set("●◐✔✖▲▼↓◇○→"), line
    assert "季度简报" in " ".join(pack.content.methodology)  # where a reviewer freezes the quarter


@needs_browser
def test_briefing_summary_and_action_lines_say_the_mean_completion_once(pack: BriefingFiles) -> None:
    summary = Presentation(str(pack.pptx)).slides[1]
    text = " ".join(s.text_frame.text for s in summary.shapes if s.has_text_frame)

    assert text.count("平均完成率") == 1
    for page in pack.content.actions:
        assert page.headline.count("平均完成率") == 1, page.headline


@needs_browser
def test_briefing_action_tables_show_value_unit_target_and_rates(pack: BriefingFiles) -> None:
    page = pack.content.actions[0]
    assert list(page.indicators.columns) == ["序号", "指标", "单位", "目标值", "截至本期完成", "完成率", "序时进度",
                                             "差值（个百分点）", "状态"]
    milestones = page.indicators[page.indicators["目标值"] == "已完成"]
    assert not milestones.empty and set(milestones["差值（个百分点）"]) == {"—"}
    deck = Presentation(str(pack.pptx))
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == f"{page.name}：指标完成情况")
    table = next(s.table for s in slide.shapes if s.has_table)
    widths = [c.width for c in table.columns]
    assert [c.text for c in table.rows[0].cells] == list(page.indicators.columns)
    assert widths[0] == min(widths) and widths[1] == max(widths)  # 序号 narrow, 指标 wide


@needs_browser
def test_briefing_changes_and_revisions_are_separate_lists(pack: BriefingFiles) -> None:
    content = pack.content

    assert list(content.revisions.columns) == list(content.changes.columns)
    assert "修订往期数据" not in set(content.changes["类别"])
    assert any("较上季度（2025年第三季度）" in text for text in content.changes["变化情况"])
    assert "没有修订往期数据" in content.changes_note  # none in the samples: said in so many words


@needs_browser
def test_briefing_revisions_get_their_own_named_slide_and_page(pack: BriefingFiles, tmp_path: Path) -> None:
    from pipelines.briefing.pdf_writer import build_html
    from pipelines.briefing.pptx_writer import write_pptx

    pngs = {p.stem: p for p in pack.charts}
    revised = dataclasses.replace(pack.content, revisions=pack.content.changes.head(3))
    titles = _slide_titles(write_pptx(revised, pngs, tmp_path / "revised.pptx"))

    assert "往期数据修订" in titles and "往期数据修订" not in _slide_titles(pack.pptx)
    assert titles.index("往期数据修订") > titles.index("与上一季度（2025年第三季度）相比的变化")
    assert "<h1>往期数据修订</h1>" in build_html(revised, pngs)


@needs_browser
def test_briefing_files_are_named_as_the_office_names_them(pack: BriefingFiles) -> None:
    assert pack.pptx.name == "长宁区“上海硅巷”建设进展季度简报（2025年第四季度）.pptx"
    assert pack.pdf.name == "长宁区“上海硅巷”建设进展季度简报（2025年第四季度）.pdf"
    assert pack.docx.name == "关于2025年第四季度“上海硅巷”建设进展情况的通报.docx"


def _points(css: str) -> list[float]:
    return [float(x) for x in re.findall(r"font-size:\s*([\d.]+)pt", css)]


@needs_browser
def test_briefing_pdf_text_is_at_least_9_pt_and_tables_keep_their_rows(pack: BriefingFiles) -> None:
    from pipelines.briefing.pdf_writer import CSS, build_html, footer_template, header_template

    page = build_html(pack.content, {p.stem: p for p in pack.charts})
    sizes = _points(page) + _points(header_template(pack.content)) + _points(footer_template(pack.content))

    assert sizes and min(sizes) >= 9
    assert "font-size" not in re.sub(r"font-size:\s*[\d.]+pt", "", page)  # every size in pt, none in px or em
    assert re.search(r"thead\s*{[^}]*display:\s*table-header-group", CSS)
    assert re.search(r"tr\s*{[^}]*break-inside:\s*avoid", CSS)
    assert page.count("<colgroup>") == page.count("<table>")


@needs_browser
def test_briefing_tongbao_tables_repeat_their_header_keep_rows_whole_and_fit_columns(pack: BriefingFiles) -> None:
    doc = Document(str(pack.docx))

    completion = [table for table in doc.tables if table.rows[0].cells[0].text == "序号"]
    assert len(completion) == len(pack.content.actions)  # besides them: the 重点任务 table

    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for table in completion:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert grid[0] == min(grid) and grid[2] > 2 * grid[0]  # 序号 narrow, 指标 wide
        assert [c.width for c in table.rows[1].cells][2] == table.rows[0].cells[2].width


# ---- numbers -----------------------------------------------------------------------------------------------------

@needs_browser
def test_briefing_summary_numbers_are_the_engines(pack: BriefingFiles, standing: Standing) -> None:
    plan = standing.rollups[standing.plan.info.code]
    completion = format_rate(plan.mean_completion)
    summary = pack.content.summary
    slide = " ".join(s.text_frame.text for s in Presentation(str(pack.pptx)).slides[1].shapes if s.has_text_frame)
    overall = next(p.text for p in Document(str(pack.docx)).paragraphs if p.text.startswith("截至2025年12月底"))

    assert pack.content.head.counts == dict(plan.counts)
    assert pack.content.head.likely == sum(a.likely_to_meet for a in standing.assessments.values())
    assert completion in summary[0] and completion in slide and completion in overall
    for n in plan.counts.values():
        if n:
            assert f"{n}项" in summary[1]
    assert f"{pack.content.head.likely} 项" in summary[3]


def test_briefing_content_uses_the_frozen_snapshot(standing: Standing) -> None:
    code = next(iter(standing.assessments))
    changed = dataclasses.replace(standing.assessments[code], status="regressing", score=-1.0)
    frozen = Frozen(AS_OF, dt.datetime(2026, 1, 16, 9, 0), standing.rule.name, 1, {**standing.assessments, code: changed})

    briefed = standing_as_briefed(standing, frozen)

    assert briefed.assessments[code].status == "regressing"
    assert briefed.rollups[standing.plan.info.code].counts["regressing"] == 1
    assert standing_as_briefed(standing, None) is standing


def test_briefing_content_names_the_cutoff_and_the_previous_quarter(store: str) -> None:
    content = read_content(make_engine(store), AS_OF, "zh", TODAY)

    assert content is not None
    assert content.cutoff == "（截至2025年12月底）" and content.previous == period_of_code("2025Q3")
    assert content.illustrative and content.frozen is None


# ---- set-up ------------------------------------------------------------------------------------------------------

def test_briefing_without_a_cjk_font_stops_with_how_to_install_one(store: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "cjk_fonts", lambda: [])
    out = tmp_path / "pack"

    with pytest.raises(SetupError, match="apt-get install fonts-noto-cjk"):
        make_briefing(make_engine(store), AS_OF, out)
    assert not out.exists()


def test_briefing_cli_without_a_cjk_font_prints_the_message_and_exits_2(
        store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(images, "cjk_fonts", lambda: [])

    code = run(["briefing", "--as-of", "2025Q4", "--db", store, "--out", str(tmp_path / "pack")])

    assert code == 2
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err
    assert not (tmp_path / "pack").exists()


def test_briefing_cli_bad_period_is_a_usage_error(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["briefing", "--as-of", "Q5", "--db", store]) == 2
    assert "Q5" in capsys.readouterr().err


# ---- page --------------------------------------------------------------------------------------------------------

GENERATE = "briefing-generate"  # the page's 生成简报 button (the signed-in page has a sign-out button too)


def _page(store: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The 季度简报 page on its own (app.py registers it), with the controls' session values set as app.py would,
    signed in as the 演示账号 of a district leader (the page is for leaders and reviewers: tests/test_doors.py)."""
    monkeypatch.setenv("KPI_DB_URL", store)
    st.cache_data.clear()
    st.cache_resource.clear()
    ensure_demo_accounts(make_engine(store))
    at = AppTest.from_file(str(ROOT / "views/screens/briefing.py"), default_timeout=180)
    at.session_state["lang"], at.session_state["as_of"], at.session_state["screenshot"] = "zh", "2025Q4", False
    sign_in_browser("demo-leader", store)
    return at.run()


def test_briefing_page_previews_the_engines_summary(store: str, standing: Standing,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(store, monkeypatch)
    shown = {m.label: m.value for m in at.metric}

    assert not at.exception, [e.value for e in at.exception]
    assert shown["方案总体完成率"] == format_rate(standing.rollups[standing.plan.info.code].mean_completion)
    assert at.button(key=GENERATE).label == "生成简报"


@needs_browser
def test_briefing_page_makes_the_pack_and_offers_three_downloads(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(store, monkeypatch)
    at.button(key=GENERATE).click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("download_button")) == 3
    assert any("简报已生成" in s.value for s in at.success)


def test_briefing_page_without_a_cjk_font_shows_the_message(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "cjk_fonts", lambda: [])
    at = _page(store, monkeypatch)
    at.button(key=GENERATE).click().run()

    assert any("apt-get install fonts-noto-cjk" in e.value for e in at.error)

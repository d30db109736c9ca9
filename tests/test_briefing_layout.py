"""Every row, always: the pack's text estimates (pipelines.briefing.layout) never lose a row, fit columns to their
contents, and a plan of 40 departments and an action of 30 indicators comes out whole in the slides, the PDF and the
通报, its tables continued on slides and pages titled 「（续）」."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from pptx import Presentation
from pypdf import PdfReader

from models.db import make_engine
from pipelines.briefing import BriefingFiles, images, make_briefing
from pipelines.briefing.layout import Box, column_widths, line_count, row_heights, split_rows, text_em
from pipelines.core.config import PLAN_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from tests.conftest import csv_bytes

AS_OF = period_of_code("2025Q4")
TODAY = dt.date(2026, 1, 20)
BOX = Box(12, 11.5, 8.8)
NEW_DEPARTMENTS, NEW_INDICATORS = 25, 30  # the shipped plan has 15 departments: 40 in all


# ---- the estimates (fast) ----------------------------------------------------------------------------------------

def test_layout_widths_count_chinese_as_one_em_and_latin_as_about_half() -> None:
    assert text_em("高成长性") == 4
    assert text_em("2025") == pytest.approx(2.2)
    assert line_count("高成长性科技企业数", 4) == 3  # 9 characters in lines of 4
    assert line_count("高成长性科技企业数", 9) == 1
    assert line_count("Special Action on Renewing", 6) == 3  # words stay whole: Special / Action on / Renewing


@pytest.mark.parametrize("heights,first,then", [([20.0] * 37, 100.0, 300.0), ([80.0, 10.0, 500.0, 10.0], 50.0, 90.0),
                                                ([15.0] * 5, 0.0, 40.0), ([], 100.0, 100.0)])
def test_layout_split_keeps_every_row_once_and_in_order(heights: list[float], first: float, then: float) -> None:
    pieces = split_rows(heights, first, then)

    assert [r for piece in pieces for r in piece] == list(range(len(heights)))
    assert all(len(piece) for piece in pieces[1:])  # only the first piece (what is left on a slide) may be empty
    for piece in pieces[1:]:
        assert len(piece) == 1 or sum(heights[r] for r in piece) <= then


def test_layout_columns_fit_their_contents_seq_narrow_indicator_wide() -> None:
    frame = pd.DataFrame({"序号": range(1, 13), "指标": ["区域化党建共建项目数（含街区内外各类载体）"] * 12,
                          "完成率": ["102.4%"] * 12, "状态": ["✔ 已达成"] * 12})
    widths = column_widths(frame, 600, BOX)

    assert sum(widths) == pytest.approx(600)
    assert widths[0] < widths[2] < widths[1] and widths[0] < widths[3] < widths[1]
    assert len(set(row_heights(frame, widths, BOX))) == 1


# ---- a plan of 40 departments and an action of 30 indicators (slow) ----------------------------------------------

def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def _department_name(n: int) -> str:
    return f"试点单位第{n:02d}号工作专班"


def _indicator_name(n: int) -> str:
    return f"试点观测指标{n:02d}号（含街区内外各类科创载体统计口径）"


def big_plan(folder: Path) -> Path:
    """The shipped plan with 25 more departments and a seventh action of 30 indicators, each new department
    leading some of them."""
    shutil.copytree(PLAN_DIR, folder)
    departments = _read(folder / "departments.csv")
    codes = [f"T{n:02d}" for n in range(1, NEW_DEPARTMENTS + 1)]
    departments += [{"code": c, "name_zh": _department_name(n), "name_en": f"Pilot unit {n}"}
                    for n, c in enumerate(codes, start=1)]
    _write(folder / "departments.csv", departments)
    actions = _read(folder / "actions.csv")
    actions.append({**actions[0], "code": "ZX7", "name_zh": "试点观测扩展专项行动", "name_en": "Pilot action",
                    "description_zh": "试点"})
    _write(folder / "actions.csv", actions)
    subs = _read(folder / "sub_items.csv")
    subs.append({**subs[0], "code": "ZX7.1", "action_code": "ZX7", "name_zh": "试点观测", "name_en": "Pilot",
                 "lead_department": "KW"})
    _write(folder / "sub_items.csv", subs)
    indicators = _read(folder / "indicators.csv")
    template = next(i for i in indicators if i["kind"] == "level" and i["frequency"] == "quarterly")
    for n in range(1, NEW_INDICATORS + 1):
        indicators.append({**template, "code": f"X{n:02d}", "sub_item_code": "ZX7.1", "name_zh": _indicator_name(n),
                           "name_en": f"Pilot indicator {n}", "department": codes[(n - 1) % len(codes)],
                           "supporting_departments": "", "definition_zh": "试点", "source": "示例"})
    _write(folder / "indicators.csv", indicators)
    return folder


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[BriefingFiles, PlanData]:
    if not images.cjk_fonts() or not Path(images.browser_path()).is_file():
        pytest.skip("briefing pack not made: a CJK font (fonts-noto-cjk) and chromium are needed")
    root = tmp_path_factory.mktemp("big-plan")
    engine = make_engine(f"sqlite:///{root / 'kpi.sqlite3'}")
    plan = build_store(engine, big_plan(root / "plan"))
    assert isinstance(plan, PlanData), plan
    by_department: dict[str, list[list[object]]] = {}
    for n, indicator in enumerate(i for i in plan.indicators if i.sub_item_code == "ZX7.1"):
        if n % 3 != 2:  # two in three report; the rest stay without data (and overdue)
            for period, value in (("2025Q3", 600 + 7 * n), ("2025Q4", 640 + 13 * n)):
                by_department.setdefault(indicator.department, []).append(
                    [indicator.code, indicator.name_zh, period, value, ""])
    for department, rows in by_department.items():
        result = ingest_bytes(engine, plan, IngestRequest(
            f"{department}.csv", csv_bytes([["指标编码", "指标名称", "统计期", "数值", "备注"], *rows]),
            department=department, submitter="测试", submitted_at=dt.datetime(2026, 1, 10, 9), today=TODAY))
        assert result.outcome != "rejected", result
    files = make_briefing(engine, AS_OF, root / "pack", "zh", today=TODAY)
    assert files is not None
    return files, plan


RADICALS = {"⻔": "门", "⻓": "长", "⺠": "民", "⻋": "车", "⻅": "见", "⻚": "页", "⻛": "风", "⻜": "飞", "⻩": "黄",
            "⻢": "马", "⻰": "龙", "⻬": "齐", "⻣": "骨", "⻥": "鱼", "⻦": "鸟", "⻨": "麦", "⻳": "龟", "⻘": "青",
            "⻝": "食", "⻆": "角", "⻮": "齿", "⻄": "西", "⺟": "母", "⺬": "示", "⻊": "足", "⻉": "贝"}


def flat(text: str) -> str:
    """Text as found, for comparing: NFKC (chromium's text layer maps some 汉字 to Kangxi radicals, ⾏ for 行), the
    CJK radicals supplement look-alikes back to their characters (⻔ for 门), and no whitespace at all (extracted
    text breaks lines inside names)."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", "".join(RADICALS.get(c, c) for c in text))


def pptx_text(path: Path) -> str:
    """Every text of every slide: text frames and table cells."""
    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def names_missing(text: str, names: list[str]) -> list[str]:
    found = flat(text)
    return [name for name in names if flat(name) not in found]


@pytest.mark.slow
def test_briefing_big_plan_shows_every_department_and_indicator_everywhere(
        big_pack: tuple[BriefingFiles, PlanData]) -> None:
    files, plan = big_pack
    departments = [d.name_zh for d in plan.departments]
    indicators = [i.name_zh for i in plan.indicators if i.sub_item_code == "ZX7.1"]
    assert len(departments) == 40 and len(indicators) == 30

    for text in (pptx_text(files.pptx), pdf_text(files.pdf)):
        assert names_missing(text, departments) == []
        assert names_missing(text, indicators) == []
    assert names_missing(docx_text(files.docx), indicators) == []  # the 通报 lists indicators, not timeliness
    assert names_missing(docx_text(files.docx), sorted({_department_name(n) for n in range(1, 26)})) == []


@pytest.mark.slow
def test_briefing_big_plan_continues_its_tables_on_slides_and_pages_titled_continued(
        big_pack: tuple[BriefingFiles, PlanData]) -> None:
    files, _ = big_pack
    titles = [slide.shapes.title.text_frame.text for slide in Presentation(str(files.pptx)).slides]
    pages = [flat(page.extract_text()) for page in PdfReader(str(files.pdf)).pages]

    assert "试点观测扩展专项行动：指标完成情况（续）" in titles
    assert "各部门报送及时情况（续）" in titles
    assert any(flat("试点观测扩展专项行动：指标完成情况（续）") in page for page in pages)
    assert any(flat("各部门报送及时情况（续）") in page for page in pages)

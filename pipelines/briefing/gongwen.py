"""公文 typography for Word documents (python-docx), set by font name: the 通报 and the evaluation reports share it.

Title 方正小标宋简体 2号; body 仿宋_GB2312 3号 with digits in Times New Roman, fixed 28-pt lines; 一、 headings 黑体,
（一） headings 楷体_GB2312; tables 仿宋_GB2312 小五 with columns fitted to their contents, the header repeated on
every page and no row split; portrait and landscape sections.
"""
from __future__ import annotations

import pandas as pd
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.table import Table
from docx.table import _Cell as Cell
from docx.text.run import Run

from pipelines.briefing.layout import Box, column_widths
from pipelines.present.formatting import MISSING

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
LATIN_FONT = "Times New Roman"
SIZE_2, SIZE_3, SIZE_5, SIZE_SMALL_5 = 22, 16, 10.5, 9  # 公文 font sizes 2号, 3号, 五号, 小五 in points
CN_NUMBERS = "一二三四五六七八九十"
LANDSCAPE_TEXT_WIDTH = Cm(29.7 - 3.0)  # A4 landscape between the 1.5 cm margins
PORTRAIT_TEXT_WIDTH = Cm(21.0 - 2.8 - 2.6)  # A4 portrait between the 公文 margins (new_document)
CELL_MARGIN = Cm(0.1)  # left and right in each cell (Word's default 0.19 cm leaves 15 columns no room)
TABLE_BOX = Box(SIZE_SMALL_5, 2 * CELL_MARGIN / 12700 + 1.5, 2)


def set_font(run: Run, east_asian: str, size: float, bold: bool = False, latin: str = LATIN_FONT) -> None:
    """Set the run's fonts by name: Latin and digits in `latin`, Chinese in `east_asian` (w:eastAsia)."""
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def add_para(doc: DocumentType, text: str, east_asian: str = BODY_FONT, size: float = SIZE_3, bold: bool = False,
          center: bool = False, indent: bool = True, style: str | None = None) -> None:
    paragraph = doc.add_paragraph(style=style)
    paragraph.paragraph_format.line_spacing = Pt(28)  # fixed 28-pt lines, as 公文 print
    paragraph.paragraph_format.space_after = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    latin = LATIN_FONT if east_asian == BODY_FONT else east_asian
    set_font(paragraph.add_run(text), east_asian, size, bold, latin=latin)


def add_heading(doc: DocumentType, text: str, level: int) -> None:
    """一、 in 黑体 (level 1), （一） in 楷体_GB2312 (level 2); Word's heading styles keep the outline navigable."""
    add_para(doc, text, HEADING_FONT if level == 1 else SUBHEADING_FONT, SIZE_3, style=f"Heading {level}")


def style_headings(doc: DocumentType) -> None:
    for level, face in ((1, HEADING_FONT), (2, SUBHEADING_FONT)):
        style = doc.styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.bold = face, Pt(SIZE_3), False
        style.font.color.rgb = None
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)
        style.paragraph_format.space_before = Pt(0)


def add_table(doc: DocumentType, frame: pd.DataFrame, width: int = LANDSCAPE_TEXT_WIDTH) -> None:
    """A table whose columns are fitted to their contents (序号 narrow, 指标 wide) across `width`; its header row
    repeats on every page and no row is split between pages (Word paginates the rest)."""
    table = doc.add_table(rows=len(frame) + 1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.autofit = False
    widths = fit_widths(table, frame, width)
    cells = table._cells  # once: table.cell(r, c) rebuilds this list on every call (15 s for the six tables)
    columns = len(frame.columns)
    for c, name in enumerate(frame.columns):
        fill_cell(cells[c], str(name), bold=True)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            fill_cell(cells[r * columns + c], value)
    for n, cell in enumerate(cells):
        cell.width = Emu(widths[n % columns])
    for n, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if n == 0:
            properties.append(OxmlElement("w:tblHeader"))


def fit_widths(table: Table, frame: pd.DataFrame, width: int) -> list[int]:
    """Fixed layout with the fitted widths written into the grid (w:tblGrid/w:gridCol) and the table width."""
    fitted = column_widths(frame, width / 12700, TABLE_BOX)
    widths = [int(w * 12700) for w in fitted]
    widths[-1] += width - sum(widths)
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(CELL_MARGIN / 635)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    total = properties.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        properties.append(total)
    total.set(qn("w:w"), str(int(width / 635)))  # twentieths of a point
    total.set(qn("w:type"), "dxa")
    for column, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(int(w / 635)))
    return widths


def fill_cell(cell: Cell, value: object, bold: bool = False) -> None:
    text = MISSING if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    set_font(paragraph.add_run(text), BODY_FONT, SIZE_SMALL_5, bold)


def add_landscape(doc: DocumentType) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)


def add_portrait(doc: DocumentType) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def new_document() -> DocumentType:
    """An A4 portrait document with 公文 margins (top 3.7 cm, bottom 3.5, left 2.8, right 2.6) and styled headings."""
    doc = Document()
    style_headings(doc)
    first = doc.sections[0]
    first.page_width, first.page_height = Cm(21.0), Cm(29.7)
    first.top_margin, first.bottom_margin, first.left_margin, first.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    return doc

"""The briefing as 16:9 slides (python-pptx): cover, summary, two slides per special action (standing, indicators),
the 重点任务 (for a plan with tasks), changes, revisions, red flags, timeliness, methodology.

The default template's master and layouts are refitted to 13.333 × 7.5 in: every slide's title sits in its title
placeholder (outline view, screen readers and "reuse slides" see it), the footer and the slide number in the layout's
footer placeholders, below the footer line that no other shape crosses. Tables stand on the body placeholder's grid,
in 12 pt, with columns fitted to their contents; a table that does not fit continues on further slides titled
「（续）」, so every row is shown. Text is in a CJK sans font named for both Latin and East Asian runs.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide, SlideLayout
from pptx.text.text import TextFrame
from pptx.text.text import _Run as Run
from pptx.util import Emu, Inches, Pt

from pipelines.briefing.content import BriefingContent
from pipelines.briefing.layout import (
    Box,
    cell_text,
    clip_rows,
    column_widths,
    header_height,
    row_heights,
    split_rows,
    text_em,
    text_height,
)

FONT = "Noto Sans CJK SC"  # installed with fonts-noto-cjk; Office falls back to 微软雅黑 by the East Asian name below
FONT_EA = "微软雅黑"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_WIDTH = WIDTH - 2 * MARGIN
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.85)
MARK_WIDTH = Inches(1.9)  # the 示例数据 mark at the title's right
BODY_TOP = Inches(1.3)
FOOTER_TOP, FOOTER_HEIGHT = Inches(6.95), Inches(0.4)  # the footer band; its top is the footer line
BODY_BOTTOM = FOOTER_TOP - Inches(0.1)
NUMBER_WIDTH = Inches(1.2)
INK = RGBColor(0x22, 0x22, 0x22)
MARK = RGBColor(0x7A, 0x4A, 0x00)
TITLE_SIZE, TEXT_SIZE, TABLE_SIZE, FOOTER_SIZE = 28, 15, 12, 12  # pt; nothing on a slide is smaller than 12 pt
TEXT_GAP = 6  # pt after each paragraph
TEXT_INSET = Inches(0.1), Inches(0.05)  # a text box's left/right and top/bottom insets
CELL_INSET = Inches(0.08), Inches(0.04)
TABLE = Box(TABLE_SIZE, 2 * CELL_INSET[0] / 12700, 2 * CELL_INSET[1] / 12700 + 3)
CLIP_SHARE = 0.6  # a cell is cut to 60 % of a slide's room: slack for the estimate of so tall a row
LAYOUT_COVER, LAYOUT_CONTENT, LAYOUT_TITLE_ONLY = 0, 1, 5  # the default template's Title Slide, Title and Content,
# Title Only
FOOTER_TYPES = (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE)


def _pt(emu: int) -> float:
    return emu / 12700


def _style(run: Run, size: float, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    for tag, face in (("a:ea", FONT), ("a:cs", FONT)):  # the installed font first; PowerPoint substitutes 微软雅黑
        found = rpr.find(qn(tag))
        if found is None:
            found = rpr.makeelement(qn(tag), {})
            rpr.append(found)
        found.set("typeface", face)


def _fill(frame: TextFrame, lines: Sequence[str], size: float, bold: bool = False, color: RGBColor = INK,
          gap: float = TEXT_GAP, align: PP_ALIGN | None = None) -> None:
    """Write paragraphs into a text frame at a fixed line pitch (1.25 × size), which is what the estimates assume."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.line_spacing = Pt(round(size * 1.25, 1))
        paragraph.space_after = Pt(gap)
        paragraph.space_before = Pt(0)
        if align is not None:
            paragraph.alignment = align
        paragraph.font.size = Pt(size)  # an empty cell's paragraph keeps this size, not the template's 18 pt
        end = paragraph._p.get_or_add_endParaRPr()
        end.set("sz", str(int(size * 100)))
        if line:
            run = paragraph.add_run()
            run.text = line
            _style(run, size, bold, color)


def _text(slide: Slide, left: int, top: int, width: int, lines: Sequence[str], size: float = TEXT_SIZE,
          bold: bool = False, color: RGBColor = INK) -> int:
    """A text box as tall as its text is estimated to be; returns that height (EMU)."""
    height = text_box_height(lines, width, size)
    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.margin_left = frame.margin_right = Emu(TEXT_INSET[0])
    frame.margin_top = frame.margin_bottom = Emu(TEXT_INSET[1])
    _fill(frame, lines, size, bold, color)
    return height


def text_box_height(lines: Sequence[str], width: int, size: float) -> int:
    """The height (EMU) a text box of `width` needs for these paragraphs at `size` pt."""
    inner = _pt(width - 2 * TEXT_INSET[0]) * 0.97
    return int((text_height(lines, inner, size, TEXT_GAP) + _pt(2 * TEXT_INSET[1]) + 2) * 12700)


def _fit_title_size(text: str, width: int, size: float = TITLE_SIZE, smallest: float = 20) -> float:
    """The title's size: TITLE_SIZE, smaller (down to 20 pt) when that keeps a long title on one line."""
    room = _pt(width - 2 * TEXT_INSET[0]) * 0.95
    while size > smallest and text_em(text) * size > room:
        size -= 1
    return size


# ---- the template -------------------------------------------------------------------------------------------------

def _place(shape: object, left: int, top: int, width: int, height: int) -> None:
    shape.left, shape.top, shape.width, shape.height = Emu(left), Emu(top), Emu(width), Emu(height)  # type: ignore


def _footer_boxes() -> dict[PP_PLACEHOLDER, tuple[int, int, int, int]]:
    """The footer band: the footer text from the left margin, the slide number at the right; the date (which the
    pack does not use) left of the number, and removed from the layouts the pack uses, so the footer has the room."""
    number_left = WIDTH - MARGIN - NUMBER_WIDTH
    return {PP_PLACEHOLDER.FOOTER: (MARGIN, FOOTER_TOP, number_left - MARGIN - Inches(0.1), FOOTER_HEIGHT),
            PP_PLACEHOLDER.DATE: (number_left - Inches(1.6), FOOTER_TOP, Inches(1.5), FOOTER_HEIGHT),
            PP_PLACEHOLDER.SLIDE_NUMBER: (number_left, FOOTER_TOP, NUMBER_WIDTH, FOOTER_HEIGHT)}


def placeholders(owner: object) -> list[Any]:
    """The placeholders of a master, layout or slide, as a list."""
    return list(cast(Iterable[Any], owner.placeholders))  # type: ignore[attr-defined]


def fit_template(deck: Deck) -> None:
    """Refit the default 4:3 template to 16:9: slide size, the master's placeholders and every layout's (stretched
    across; the three layouts the pack uses set exactly to its grid: title band, body, footer band)."""
    scale = WIDTH / deck.slide_width
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    footers = _footer_boxes()
    grid = {PP_PLACEHOLDER.TITLE: (MARGIN, TITLE_TOP, BODY_WIDTH - MARK_WIDTH, TITLE_HEIGHT),
            PP_PLACEHOLDER.BODY: (MARGIN, BODY_TOP, BODY_WIDTH, BODY_BOTTOM - BODY_TOP),
            PP_PLACEHOLDER.OBJECT: (MARGIN, BODY_TOP, BODY_WIDTH, BODY_BOTTOM - BODY_TOP),
            PP_PLACEHOLDER.CENTER_TITLE: (MARGIN + Inches(0.4), Inches(1.6), BODY_WIDTH - Inches(0.8), Inches(2.0)),
            PP_PLACEHOLDER.SUBTITLE: (MARGIN + Inches(0.4), Inches(3.8), BODY_WIDTH - Inches(0.8), Inches(2.9)),
            **footers}
    for shape in placeholders(deck.slide_master):
        kind = shape.placeholder_format.type
        if kind in grid:
            _place(shape, *grid[kind])
    for n, layout in enumerate(deck.slide_layouts):
        for shape in placeholders(layout):
            kind = shape.placeholder_format.type
            if kind == PP_PLACEHOLDER.DATE and n in (LAYOUT_COVER, LAYOUT_CONTENT, LAYOUT_TITLE_ONLY):
                shape._element.getparent().remove(shape._element)
            elif kind in footers or (n in (LAYOUT_COVER, LAYOUT_CONTENT, LAYOUT_TITLE_ONLY) and kind in grid):
                _place(shape, *grid[kind])
            elif shape._element.spPr.find(qn("a:xfrm")) is not None:  # its own position: stretched across
                _place(shape, int(shape.left * scale), shape.top, int(shape.width * scale), shape.height)
    title_style = deck.slide_master.element.find(qn("p:txStyles")).find(qn("p:titleStyle"))
    title_style.find(qn("a:lvl1pPr")).find(qn("a:defRPr")).set("sz", str(TITLE_SIZE * 100))


def footer_line(layout: SlideLayout) -> int:
    """The top of the layout's footer band (EMU): no shape but the footer placeholders goes below it."""
    return min(s.top for s in placeholders(layout) if s.placeholder_format.type in FOOTER_TYPES)


def body_grid(layout: SlideLayout) -> tuple[int, int]:
    """Left and width of the layout's body placeholder: where tables and text stand."""
    body = next(s for s in placeholders(layout) if s.placeholder_format.idx == 1)
    return body.left, body.width


# ---- slides -------------------------------------------------------------------------------------------------------

def _footer(slide: Slide, layout: SlideLayout, text: str) -> None:
    """The footer text and the slide number, in the layout's own footer and slide-number placeholders."""
    for shape in placeholders(layout):
        kind = shape.placeholder_format.type
        if kind not in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER):
            continue
        slide.shapes.clone_placeholder(shape)
        frame = slide.placeholders[shape.placeholder_format.idx].text_frame
        if kind == PP_PLACEHOLDER.FOOTER:
            _fill(frame, [text], FOOTER_SIZE, color=RGBColor(0x55, 0x55, 0x55), gap=0)
            continue
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.RIGHT
        field = OxmlElement("a:fld")
        field.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
        field.set("type", "slidenum")
        properties = OxmlElement("a:rPr")
        properties.set("lang", "zh-CN")
        properties.set("sz", str(FOOTER_SIZE * 100))
        field.append(properties)
        number = OxmlElement("a:t")
        number.text = "‹#›"
        field.append(number)
        paragraph._p.append(field)


def _mark(slide: Slide, content: BriefingContent) -> None:
    if content.illustrative:
        box = slide.shapes.add_textbox(Emu(WIDTH - MARGIN - MARK_WIDTH), Emu(TITLE_TOP + Inches(0.15)),
                                       Emu(MARK_WIDTH), Emu(Inches(0.5)))
        _fill(box.text_frame, [content.t("briefing.illustrative-mark")], 14, bold=True, color=MARK, gap=0,
              align=PP_ALIGN.RIGHT)


def _slide(deck: Deck, content: BriefingContent, title: str) -> Slide:
    """A Title Only slide: the title in its placeholder, the 示例 mark, the footer and the slide number."""
    layout = deck.slide_layouts[LAYOUT_TITLE_ONLY]
    slide = deck.slides.add_slide(layout)
    placeholder = slide.shapes.title
    assert placeholder is not None
    frame = placeholder.text_frame
    frame.text = ""
    _fill(frame, [title], _fit_title_size(title, placeholder.width), bold=True, gap=0, align=PP_ALIGN.LEFT)
    _mark(slide, content)
    _footer(slide, layout, content.t("briefing.footer", plan=content.plan_name, cutoff=content.cutoff,
                                     confidential=content.t("briefing.confidential")))
    return slide


def _widths_emu(widths: Sequence[float], total: int) -> list[int]:
    emus = [int(w * 12700) for w in widths]
    emus[-1] += total - sum(emus)
    return emus


def _table(slide: Slide, frame: pd.DataFrame, rows: range, left: int, top: int, widths: Sequence[int],
           heights: Sequence[float], head: float) -> None:
    """One piece of a table: the header and the rows given, each row as tall as estimated."""
    shape = slide.shapes.add_table(len(rows) + 1, len(frame.columns), Emu(left), Emu(top), Emu(sum(widths)),
                                   Emu(int((head + sum(heights[r] for r in rows)) * 12700)))
    table = shape.table
    for c, width in enumerate(widths):
        table.columns[c].width = Emu(width)
    table.rows[0].height = Emu(int(head * 12700))
    for n, r in enumerate(rows, start=1):
        table.rows[n].height = Emu(int(heights[r] * 12700))
    values = [[str(c) for c in frame.columns], *([cell_text(v) for v in frame.iloc[r]] for r in rows)]
    for n, line in enumerate(values):
        for c, text in enumerate(line):
            cell = table.cell(n, c)
            cell.margin_left = cell.margin_right = Emu(CELL_INSET[0])
            cell.margin_top = cell.margin_bottom = Emu(CELL_INSET[1])
            cell.text_frame.text = ""
            _fill(cell.text_frame, text.split("\n"), TABLE_SIZE, bold=n == 0, gap=0)


def _flow_table(deck: Deck, content: BriefingContent, slide: Slide, title: str, frame: pd.DataFrame, left: int,
                top: int, width: int) -> Slide:
    """The whole table: the rows that fit from `top` on this slide (in its column left … left + width), the rest on
    slides titled 「…（续）」 across the body grid, until every row is shown; returns the last slide used. A cell too
    long for a whole slide is cut short with a mark (the 通报 prints it whole)."""
    widths = column_widths(frame, _pt(width) * 0.985, TABLE)
    frame = clip_rows(frame, widths, TABLE, CLIP_SHARE * (_pt(BODY_BOTTOM - BODY_TOP) - header_height(
        frame, widths, TABLE)), content.t("task_briefing.cell-cut"))
    heights, head = row_heights(frame, widths, TABLE), header_height(frame, widths, TABLE)
    first = split_rows(heights, _pt(BODY_BOTTOM - top) - head, 1e9)[0]
    if len(first):
        _table(slide, frame, first, left, top, _widths_emu(widths, width), heights, head)
    rest = frame.iloc[first.stop:]
    if rest.empty:
        return slide
    grid_left, grid_width = body_grid(deck.slide_layouts[LAYOUT_CONTENT])
    widths = column_widths(frame, _pt(grid_width) * 0.985, TABLE)
    heights, head = row_heights(rest, widths, TABLE), header_height(rest, widths, TABLE)
    room = _pt(BODY_BOTTOM - BODY_TOP) - head
    for rows in split_rows(heights, room, room):
        if not rows:  # a row taller than a fresh slide: split_rows gives it a piece of its own next
            continue
        slide = _slide(deck, content, content.t("briefing.continued", title=title))
        _table(slide, rest, rows, grid_left, BODY_TOP, _widths_emu(widths, grid_width), heights, head)
    return slide


def _picture(slide: Slide, png: Path, left: int, top: int, width: int, height: int) -> int:
    """The chart as large as fits in width × height, its proportions kept; returns its height (EMU)."""
    picture = slide.shapes.add_picture(str(png), Emu(left), Emu(top), width=Emu(width))
    if picture.height > height:
        ratio = height / picture.height
        picture.height, picture.width = Emu(height), Emu(int(picture.width * ratio))
    return int(picture.height)


def _cover(deck: Deck, content: BriefingContent) -> None:
    """The Title Slide layout: the plan's name as title, the quarter, cut-off, dates and handling as subtitle."""
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_COVER])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    assert title is not None
    title.text_frame.text = ""
    _fill(title.text_frame, [content.plan_name], 32, bold=True, gap=0, align=PP_ALIGN.CENTER)
    when = content.frozen.created_at.strftime("%Y-%m-%d %H:%M") if content.frozen else None
    subtitle.text_frame.text = ""
    _fill(subtitle.text_frame, [
        content.t("briefing.cover-subtitle", quarter=content.quarter), content.cutoff,
        content.t("briefing.cover-date", date=content.generated_on.isoformat()),
        content.t("briefing.cover-data-time", time=content.data_time),
        content.t("briefing.cover-frozen", when=when) if when else content.t("briefing.cover-live"),
        content.t("briefing.confidential")], 18, gap=4, align=PP_ALIGN.CENTER)
    _mark(slide, content)


def _summary(deck: Deck, content: BriefingContent, pngs: dict[str, Path], left: int, width: int) -> None:
    slide = _slide(deck, content, content.t("briefing.slide.summary"))
    half = (width - Inches(0.3)) // 2
    used = _text(slide, left, BODY_TOP, half, content.summary, TEXT_SIZE)
    top = BODY_TOP + used + Inches(0.1)
    _picture(slide, pngs[content.summary_chart], left, top, half, BODY_BOTTOM - top)
    _picture(slide, pngs["actions"], left + half + Inches(0.3), BODY_TOP, half, BODY_BOTTOM - BODY_TOP)


def _actions(deck: Deck, content: BriefingContent, pngs: dict[str, Path], left: int, width: int) -> None:
    """Each action: its standing in words (an ended plan's: its tally), its status (or conclusion) chart and
    sub-items; then its indicators on their own slide(s) with value, unit, target and rates."""
    chart_width = int(Inches(5.4))
    right, right_width = left + chart_width + Inches(0.3), width - chart_width - Inches(0.3)
    for page in content.actions:
        title = content.t("briefing.slide.action", name=page.name)
        slide = _slide(deck, content, title)
        _picture(slide, pngs[page.chart], left, BODY_TOP, chart_width, BODY_BOTTOM - BODY_TOP)
        used = _text(slide, right, BODY_TOP, right_width, [page.headline], TEXT_SIZE)
        _flow_table(deck, content, slide, title, page.sub_items, right, BODY_TOP + used + Inches(0.15), right_width)
        title = content.t("briefing.slide.action-indicators", name=page.name)
        _flow_table(deck, content, _slide(deck, content, title), title, page.indicators, left, BODY_TOP, width)


def _listing(deck: Deck, content: BriefingContent, title: str, frame: pd.DataFrame, empty: str, left: int,
             width: int, note: str = "") -> None:
    """A slide with an optional note line and a full-width table (continued as needed), or a line when empty."""
    slide = _slide(deck, content, title)
    top = int(BODY_TOP)
    if note:
        top += _text(slide, left, top, width, [note], TEXT_SIZE) + Inches(0.05)
    if frame.empty:
        _text(slide, left, top, width, [empty], 16)
    else:
        _flow_table(deck, content, slide, title, frame, left, top, width)


def write_pptx(content: BriefingContent, pngs: dict[str, Path], path: Path) -> Path:
    deck = Presentation()
    fit_template(deck)
    left, width = body_grid(deck.slide_layouts[LAYOUT_CONTENT])
    _cover(deck, content)
    _summary(deck, content, pngs, left, width)
    _actions(deck, content, pngs, left, width)
    if content.tasks is not None:
        _listing(deck, content, content.t("task_briefing.slide.tasks"), content.tasks.table,
                 content.t("task_briefing.none"), left, width, content.tasks.lead)
    previous = content.previous.label(content.lang) if content.previous else "—"
    _listing(deck, content, content.t("briefing.slide.changes", period=previous), content.changes,
             content.t("briefing.no-changes" if content.previous else "briefing.no-previous"), left, width,
             content.changes_note)
    if not content.revisions.empty:
        _listing(deck, content, content.t("briefing.slide.revisions"), content.revisions, "", left, width)
    _listing(deck, content, content.flags_heading, content.flags, content.t(content.flags_none), left, width)
    title = content.t("briefing.slide.timeliness")
    slide = _slide(deck, content, title)
    chart_width = int(Inches(7.2))
    used = _picture(slide, pngs["timeliness"], left, BODY_TOP, chart_width, BODY_BOTTOM - BODY_TOP - Inches(0.9))
    _text(slide, left, BODY_TOP + used + Inches(0.05), chart_width, [content.timeliness_note], TABLE_SIZE)
    _flow_table(deck, content, slide, title, content.timeliness, left + chart_width + Inches(0.3), BODY_TOP,
                width - chart_width - Inches(0.3))
    title = content.t("briefing.slide.methodology")
    slide = _slide(deck, content, title)
    text_width = int(width * 0.58)
    _text(slide, left, BODY_TOP, text_width, content.methodology, 14)
    _flow_table(deck, content, slide, title, content.rule_table, left + text_width + Inches(0.3), BODY_TOP,
                width - text_width - Inches(0.3))
    deck.save(str(path))
    return path

"""The briefing as 16:9 slides (python-pptx): cover, summary, one slide per special action, changes, red flags,
timeliness, methodology; text in a CJK sans font named for both Latin and East Asian runs."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.text.text import _Run as Run
from pptx.util import Emu, Inches, Pt

from pipelines.briefing.content import BriefingContent

FONT = "Noto Sans CJK SC"  # installed with fonts-noto-cjk; Office falls back to 微软雅黑 by the East Asian name below
FONT_EA = "微软雅黑"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
INK = RGBColor(0x22, 0x22, 0x22)
MARK = RGBColor(0x7A, 0x4A, 0x00)
MAX_ROWS = 12  # rows a slide table holds legibly; the rest is in the 通报


def _style(run: Run, size: float, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    for tag, face in (("a:ea", FONT_EA), ("a:cs", FONT)):
        found = rpr.find(qn(tag))
        if found is None:
            found = rpr.makeelement(qn(tag), {})
            rpr.append(found)
        found.set("typeface", face)
    rpr.find(qn("a:ea")).set("typeface", FONT)  # the installed font first; PowerPoint substitutes when missing


def _text(slide: Slide, left: int, top: int, width: int, height: int, lines: list[str], size: float = 16,
          bold: bool = False, color: RGBColor = INK) -> None:
    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(6)
        _style(paragraph.add_run(), size, bold, color)
        paragraph.runs[0].text = line


def _slide(deck: Deck, content: BriefingContent, title: str) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    _text(slide, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN - Inches(2.2), Inches(0.8), [title], 26, bold=True)
    if content.illustrative:
        _text(slide, WIDTH - MARGIN - Inches(2.2), Inches(0.35), Inches(2.2), Inches(0.5),
              [content.t("briefing.illustrative-mark")], 14, bold=True, color=MARK)
    footer = f"{content.plan_name} · {content.cutoff} · {content.t('briefing.confidential')}"
    _text(slide, MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.35), [footer], 10)
    return slide


def _table(slide: Slide, frame: pd.DataFrame, left: int, top: int, width: int, size: float = 11) -> None:
    shown = frame.head(MAX_ROWS)
    rows, cols = len(shown) + 1, len(shown.columns)
    table = slide.shapes.add_table(rows, cols, Emu(left), Emu(top), Emu(width), Emu(Inches(0.3) * rows)).table
    for c, name in enumerate(shown.columns):
        cell = table.cell(0, c)
        cell.text = str(name)
        _style(cell.text_frame.paragraphs[0].runs[0], size, bold=True)
        for r, value in enumerate(shown.iloc[:, c], start=1):
            cell = table.cell(r, c)
            cell.text = "" if value is None else str(value)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    _style(run, size)


def _more(slide: Slide, content: BriefingContent, frame: pd.DataFrame) -> None:
    if len(frame) > MAX_ROWS:
        _text(slide, MARGIN, HEIGHT - Inches(0.95), WIDTH - 2 * MARGIN, Inches(0.4),
              [content.t("briefing.more-rows", n=len(frame) - MAX_ROWS)], 12)


def _cover(deck: Deck, content: BriefingContent) -> None:
    slide = _slide(deck, content, content.plan_name)
    when = content.frozen.created_at.strftime("%Y-%m-%d %H:%M") if content.frozen else None
    _text(slide, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(3.5), [
        content.t("briefing.cover-subtitle", quarter=content.quarter), content.cutoff,
        content.t("briefing.cover-date", date=content.generated_on.isoformat()),
        content.t("briefing.cover-data-time", cutoff=content.as_of.cutoff_label(content.lang), time=content.data_time),
        content.t("briefing.cover-frozen", when=when) if when else content.t("briefing.cover-live"),
        content.t("briefing.confidential")], 22)


def _picture(slide: Slide, png: Path, left: int, top: int, width: int) -> None:
    slide.shapes.add_picture(str(png), Emu(left), Emu(top), width=Emu(width))


def write_pptx(content: BriefingContent, pngs: dict[str, Path], path: Path) -> Path:
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _cover(deck, content)
    body_top, half = Inches(1.2), (WIDTH - 2 * MARGIN) // 2
    slide = _slide(deck, content, content.t("briefing.slide.summary"))
    _text(slide, MARGIN, body_top, half - Inches(0.2), Inches(2.6), content.summary, 15)
    _picture(slide, pngs["status_counts"], MARGIN, Inches(3.9), half - Inches(0.6))
    _picture(slide, pngs["actions"], MARGIN + half, body_top, half)
    for page in content.actions:
        slide = _slide(deck, content, content.t("briefing.slide.action", name=page.name))
        _text(slide, MARGIN, body_top - Inches(0.1), WIDTH - 2 * MARGIN, Inches(0.8),
              [page.headline, page.explanation], 13)
        _picture(slide, pngs[page.chart], MARGIN, Inches(2.3), Inches(4.8))
        _table(slide, page.sub_items, MARGIN + Inches(5.0), Inches(2.2), WIDTH - 2 * MARGIN - Inches(5.0), 11)
        _table(slide, page.indicators, MARGIN + Inches(5.0), Inches(2.3) + Inches(0.3) * (len(page.sub_items) + 1)
               + Inches(0.2), WIDTH - 2 * MARGIN - Inches(5.0), 9)
    previous = content.previous.label(content.lang) if content.previous else "—"
    slide = _slide(deck, content, content.t("briefing.slide.changes", period=previous))
    if content.changes.empty:
        _text(slide, MARGIN, body_top, WIDTH - 2 * MARGIN, Inches(1), [content.t(
            "briefing.no-changes" if content.previous else "briefing.no-previous")], 16)
    else:
        _table(slide, content.changes, MARGIN, body_top, WIDTH - 2 * MARGIN, 11)
        _more(slide, content, content.changes)
    slide = _slide(deck, content, content.t("briefing.slide.red-flags"))
    if content.flags.empty:
        _text(slide, MARGIN, body_top, WIDTH - 2 * MARGIN, Inches(1), [content.t("briefing.no-red-flags")], 16)
    else:
        _table(slide, content.flags, MARGIN, body_top, WIDTH - 2 * MARGIN, 9)
        _more(slide, content, content.flags)
    slide = _slide(deck, content, content.t("briefing.slide.timeliness"))
    _picture(slide, pngs["timeliness"], MARGIN, body_top, Inches(7.6))
    _text(slide, MARGIN, Inches(5.9), Inches(7.6), Inches(0.6), [content.timeliness_note], 10)
    _table(slide, content.timeliness, MARGIN + Inches(7.8), body_top, WIDTH - 2 * MARGIN - Inches(7.8), 9)
    slide = _slide(deck, content, content.t("briefing.slide.methodology"))
    _text(slide, MARGIN, body_top, WIDTH - 2 * MARGIN, HEIGHT - Inches(2), content.methodology, 13)
    deck.save(str(path))
    return path

"""The briefing as an A4 landscape PDF: HTML with the chart PNGs, printed by the system chromium through Playwright.

Each section starts a page; a table is cut, with the same estimate as the slides (pipelines.briefing.layout), into the
rows an A4 page holds, and continues on pages titled 「（续）」. The header row repeats and no row is split even
where the estimate is off (thead as table-header-group, rows unbreakable), so chromium never loses a row. Text is at
least 9 pt. Chromium embeds the CJK font it draws with (Noto Sans CJK SC), so the PDF's Chinese is glyphs and
selectable text. Never `playwright install`: it downloads a browser, which fails on the project's machines.
"""
from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.briefing.content import BriefingContent
from pipelines.briefing.layout import (
    Box,
    cell_text,
    clip_rows,
    column_widths,
    header_height,
    row_heights,
    split_rows,
    text_height,
)

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
MM = 72 / 25.4  # pt per mm
PAGE_WIDTH, PAGE_HEIGHT = (297 - 28) * MM, (210 - 30) * MM  # A4 landscape inside the @page margins, pt
TITLE_ROOM = 20 * 1.25 + 4 * MM + 2  # an h1 and its margin, pt
TEXT_SIZE, TABLE_SIZE, SMALLEST = 11, 10, 9  # pt: nothing in the PDF is smaller than SMALLEST
TABLE = Box(TABLE_SIZE, 2 * 1.5 * MM + 1, 2 * 1 * MM + 1.2)
GAP = 3 * MM  # between blocks
CLIP_SHARE = 0.6  # a cell is cut to 60 % of a page's room: slack for the estimate of so tall a row
CSS = f"""
@page {{ size: A4 landscape; margin: 16mm 14mm 14mm 14mm; }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #222;
       font-size: {TEXT_SIZE}pt; line-height: 1.25; margin: 0; }}
section {{ break-after: page; }}
section:last-child {{ break-after: auto; }}
h1 {{ font-size: 20pt; line-height: 1.25; margin: 0 0 4mm 0; }}
.cover h1 {{ font-size: 28pt; margin-top: 35mm; }}
.cover p {{ font-size: 15pt; margin: 3mm 0; }}
.row {{ display: flex; gap: 6mm; align-items: flex-start; }}
.row > * {{ flex: 1; min-width: 0; }}
img {{ max-width: 100%; display: block; }}
p {{ margin: 0 0 {GAP / MM:.0f}mm 0; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; font-size: {TABLE_SIZE}pt; line-height: 1.25;
         margin-bottom: {GAP / MM:.0f}mm; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 1px solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top;
          overflow-wrap: anywhere; }}
th {{ background: #EEE; }}
.foot {{ font-size: {SMALLEST}pt; color: #555; }}
ul {{ margin: 0; padding-left: 5mm; }} li {{ margin-bottom: 1.5mm; }}
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _img(pngs: dict[str, Path], name: str, style: str = "") -> str:
    data = base64.b64encode(pngs[name].read_bytes()).decode("ascii")
    return f'<img alt="" style="{style}" src="data:image/png;base64,{data}">'


@dataclass(frozen=True)
class Piece:
    """Rows of a table that go on one page, with the column widths (pt) of where they stand."""

    frame: pd.DataFrame
    widths: tuple[float, ...]


def table_html(piece: Piece) -> str:
    """A table with a colgroup of the fitted widths (as shares of its width) and a header that repeats."""
    total = sum(piece.widths) or 1.0
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in piece.widths)
    head = "".join(f"<th>{_e(c)}</th>" for c in piece.frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(cell_text(v))}</td>" for v in row) + "</tr>"
                   for row in piece.frame.itertuples(index=False))
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pieces(frame: pd.DataFrame, first_width: float, first_room: float, width: float = PAGE_WIDTH,
           room: float = PAGE_HEIGHT - TITLE_ROOM, mark: str = "…") -> list[Piece]:
    """The table cut into what fits: first `first_room` pt in a column `first_width` pt wide (may take no row), then
    whole pages of `room` pt at `width`; every row in exactly one piece, a cell too long for a whole page cut short
    with `mark`."""
    widths = column_widths(frame, first_width, TABLE)
    frame = clip_rows(frame, widths, TABLE, CLIP_SHARE * (room - header_height(frame, widths, TABLE)), mark)
    heights = row_heights(frame, widths, TABLE)
    head = header_height(frame, widths, TABLE)
    first = split_rows(heights, first_room - head, 1e9)[0]
    out = [Piece(frame.iloc[first.start:first.stop], tuple(widths))]
    rest = frame.iloc[first.stop:]
    if rest.empty:
        return out
    wide = column_widths(frame, width, TABLE)
    wide_heights, wide_head = row_heights(rest, wide, TABLE), header_height(rest, wide, TABLE)
    for rows in split_rows(wide_heights, room - wide_head, room - wide_head):
        if rows:  # split_rows' first piece is empty when a row is taller than a page: it gets its own next
            out.append(Piece(rest.iloc[rows.start:rows.stop], tuple(wide)))
    return out


def _text_room(lines: Sequence[str], width: float, size: float = TEXT_SIZE) -> float:
    return text_height(lines, width * 0.97, size, GAP)


def _list(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def _section(title: str, body: str, css_class: str = "") -> str:
    return f'<section class="{css_class}"><h1>{_e(title)}</h1>{body}</section>'


class _Sections:
    """The document's sections in order, with tables continued on pages titled 「（续）」."""

    def __init__(self, content: BriefingContent) -> None:
        self.content, self.html = content, list[str]()

    def add(self, title: str, body: str, css_class: str = "") -> None:
        self.html.append(_section(title, body, css_class))

    def continued(self, title: str, parts: Sequence[Piece]) -> None:
        for part in parts:
            self.add(self.content.t("briefing.continued", title=title), table_html(part))

    def listing(self, title: str, frame: pd.DataFrame, empty: str, note: str = "") -> None:
        """A page with an optional note and a full-width table continued as needed, or a line when empty."""
        lead = f"<p>{_e(note)}</p>" if note else ""
        room = PAGE_HEIGHT - TITLE_ROOM - (_text_room([note], PAGE_WIDTH) if note else 0)
        if frame.empty:
            self.add(title, lead + f"<p>{_e(empty)}</p>")
            return
        parts = pieces(frame, PAGE_WIDTH, room, mark=self.content.t("task_briefing.cell-cut"))
        self.add(title, lead + (table_html(parts[0]) if len(parts[0].frame) else ""))
        self.continued(title, parts[1:])


_MARGIN_STYLE = f'font-family: "Noto Sans CJK SC", sans-serif; font-size: {SMALLEST}pt; width: 100%; margin: 0 14mm;'


def header_template(content: BriefingContent) -> str:
    """Printed in the top margin of every page, continuations included: the 示例 mark when data is illustrative."""
    mark = (f'<span style="float: right; color: #7A4A00; background: #FFF4D6; border: 1px solid #E69F00; '
            f'padding: 0.5mm 2mm; font-weight: bold; font-size: 10pt;">{_e(content.t("briefing.illustrative-mark"))}'
            "</span>") if content.illustrative else ""
    return f'<div style=\'{_MARGIN_STYLE}\'>{mark}</div>'


def footer_template(content: BriefingContent) -> str:
    """Printed in the bottom margin of every page: plan, cut-off, 内部资料 and the page number."""
    foot = content.t("briefing.footer", plan=content.plan_name, cutoff=content.cutoff,
                     confidential=content.t("briefing.confidential"))
    return (f'<div style=\'{_MARGIN_STYLE} color: #555;\'>{_e(foot)}'
            '<span style="float: right;"><span class="pageNumber"></span> / '
            '<span class="totalPages"></span></span></div>')


def _actions(doc: _Sections, c: BriefingContent, pngs: dict[str, Path]) -> None:
    """Each action on a page: its standing in words; at the left its chart and sub-items, at the right its
    indicators with unit, target, value and rates; what does not fit continues on further pages."""
    left, right = PAGE_WIDTH * 0.33, PAGE_WIDTH * 0.67 - 6 * MM
    mark = c.t("task_briefing.cell-cut")
    for page in c.actions:
        title = c.t("briefing.slide.action", name=page.name)
        lead = _text_room([page.headline], PAGE_WIDTH)
        room = PAGE_HEIGHT - TITLE_ROOM - lead
        chart = left * 520 / 760  # the action chart's proportions
        subs = pieces(page.sub_items, left, room - chart - GAP, mark=mark)
        rows = pieces(page.indicators, right, room, mark=mark)
        body = (f"<p>{_e(page.headline)}</p><div class='row'><div style='flex:33'>{_img(pngs, page.chart)}"
                f"{table_html(subs[0]) if len(subs[0].frame) else ''}</div><div style='flex:67'>"
                f"{table_html(rows[0]) if len(rows[0].frame) else ''}</div></div>")
        doc.add(title, body)
        doc.continued(title, subs[1:])
        doc.continued(c.t("briefing.slide.action-indicators", name=page.name), rows[1:])


def build_html(content: BriefingContent, pngs: dict[str, Path]) -> str:
    c = content
    doc = _Sections(c)
    when = c.frozen.created_at.strftime("%Y-%m-%d %H:%M") if c.frozen else None
    cover = "".join(f"<p>{_e(line)}</p>" for line in (
        c.t("briefing.cover-subtitle", quarter=c.quarter), c.cutoff,
        c.t("briefing.cover-date", date=c.generated_on.isoformat()),
        c.t("briefing.cover-data-time", time=c.data_time),
        c.t("briefing.cover-frozen", when=when) if when else c.t("briefing.cover-live"),
        c.t("briefing.confidential")))
    doc.add(c.plan_name, cover, "cover")
    doc.add(c.t("briefing.slide.summary"), _list(c.summary) + '<div class="row"><div>' + _img(pngs, c.summary_chart)
            + "</div><div>" + _img(pngs, "actions") + "</div></div>")
    _actions(doc, c, pngs)
    if c.tasks is not None:
        doc.listing(c.t("task_briefing.slide.tasks"), c.tasks.table, c.t("task_briefing.none"), c.tasks.lead)
    previous = c.previous.label(c.lang) if c.previous else "—"
    doc.listing(c.t("briefing.slide.changes", period=previous), c.changes,
                c.t("briefing.no-changes" if c.previous else "briefing.no-previous"), c.changes_note)
    if not c.revisions.empty:
        doc.listing(c.t("briefing.slide.revisions"), c.revisions, "")
    doc.listing(c.flags_heading, c.flags, c.t(c.flags_none))
    title = c.t("briefing.slide.timeliness")
    ranking = pieces(c.timeliness, PAGE_WIDTH * 0.36, PAGE_HEIGHT - TITLE_ROOM, mark=c.t("task_briefing.cell-cut"))
    doc.add(title, "<div class='row'><div style='flex:62'>" + _img(pngs, "timeliness")
            + f"<p class='foot'>{_e(c.timeliness_note)}</p></div><div style='flex:38'>"
            + (table_html(ranking[0]) if len(ranking[0].frame) else "") + "</div></div>")
    doc.continued(title, ranking[1:])
    title = c.t("briefing.slide.methodology")
    rule = pieces(c.rule_table, PAGE_WIDTH * 0.7, PAGE_HEIGHT - TITLE_ROOM - _text_room(c.methodology, PAGE_WIDTH),
                  mark=c.t("task_briefing.cell-cut"))
    doc.add(title, "".join(f"<p>{_e(line)}</p>" for line in c.methodology)
            + (f"<div style='width:70%'>{table_html(rule[0])}</div>" if len(rule[0].frame) else ""))
    doc.continued(title, rule[1:])
    lang = "zh-CN" if c.lang != "en" else "en"
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(c.plan_name)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(doc.html)}</body></html>")


def write_pdf(content: BriefingContent, pngs: dict[str, Path], path: Path, browser: str) -> Path:
    from playwright.sync_api import sync_playwright

    page_html = build_html(content, pngs)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, headless=True, args=LAUNCH_ARGS)
        try:
            page = chromium.new_page()
            page.set_content(page_html, wait_until="load")
            page.evaluate("document.fonts.ready")
            page.pdf(path=str(path), format="A4", landscape=True, print_background=True, prefer_css_page_size=True,
                     display_header_footer=True, header_template=header_template(content),
                     footer_template=footer_template(content))
        finally:
            chromium.close()
    return path

"""The briefing as an A4 landscape PDF: HTML with the chart PNGs, printed by the system chromium through Playwright.

Chromium embeds the CJK font it draws with (Noto Sans CJK SC), so the PDF's Chinese is glyphs and selectable text.
Never `playwright install`: it downloads a browser, which fails on the project's machines.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from pipelines.briefing.content import BriefingContent

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
CSS = """
@page { size: A4 landscape; margin: 16mm 14mm 14mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #222;
       font-size: 11pt; margin: 0; }
section { break-after: page; }
section:last-child { break-after: auto; }
h1 { font-size: 20pt; margin: 0 0 4mm 0; }
.cover h1 { font-size: 28pt; margin-top: 35mm; }
.cover p { font-size: 15pt; margin: 3mm 0; }
.row { display: flex; gap: 6mm; align-items: flex-start; }
.row > * { flex: 1; }
img { max-width: 100%; max-height: 120mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #EEE; }
.foot { font-size: 8pt; color: #555; }
ul { margin: 0; padding-left: 5mm; } li { margin-bottom: 1.5mm; }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _img(pngs: dict[str, Path], name: str) -> str:
    data = base64.b64encode(pngs[name].read_bytes()).decode("ascii")
    return f'<img alt="{_e(name)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def _section(title: str, body: str, css_class: str = "") -> str:
    return f'<section class="{css_class}"><h1>{_e(title)}</h1>{body}</section>'


_MARGIN_STYLE = 'font-family: "Noto Sans CJK SC", sans-serif; font-size: 8pt; width: 100%; margin: 0 14mm;'


def header_template(content: BriefingContent) -> str:
    """Printed in the top margin of every page, continuations included: the 示例 mark when data is illustrative."""
    mark = (f'<span style="float: right; color: #7A4A00; background: #FFF4D6; border: 1px solid #E69F00; '
            f'padding: 0.5mm 2mm; font-weight: bold; font-size: 9pt;">{_e(content.t("briefing.illustrative-mark"))}'
            "</span>") if content.illustrative else ""
    return f'<div style=\'{_MARGIN_STYLE}\'>{mark}</div>'


def footer_template(content: BriefingContent) -> str:
    """Printed in the bottom margin of every page: plan, cut-off, 内部资料 and the page number."""
    foot = f"{content.plan_name} · {content.cutoff} · {content.t('briefing.confidential')}"
    return (f'<div style=\'{_MARGIN_STYLE} color: #555;\'>{_e(foot)}'
            '<span style="float: right;"><span class="pageNumber"></span> / '
            '<span class="totalPages"></span></span></div>')



def build_html(content: BriefingContent, pngs: dict[str, Path]) -> str:
    c = content
    when = c.frozen.created_at.strftime("%Y-%m-%d %H:%M") if c.frozen else None
    cover = "".join(f"<p>{_e(line)}</p>" for line in (
        c.t("briefing.cover-subtitle", quarter=c.quarter), c.cutoff,
        c.t("briefing.cover-date", date=c.generated_on.isoformat()),
        c.t("briefing.cover-data-time", cutoff=c.as_of.cutoff_label(c.lang), time=c.data_time),
        c.t("briefing.cover-frozen", when=when) if when else c.t("briefing.cover-live"),
        c.t("briefing.confidential")))
    sections = [_section(c.plan_name, cover, "cover"),
                _section(c.t("briefing.slide.summary"), _list(c.summary) + '<div class="row">'
                         + _img(pngs, "status_counts") + _img(pngs, "actions") + "</div>")]
    for page in c.actions:
        body = (f"<p><b>{_e(page.headline)}</b> {_e(page.explanation)}</p><div class='row'><div>"
                f"{_img(pngs, page.chart)}</div><div>{_table(page.sub_items)}<br>{_table(page.indicators)}</div></div>")
        sections.append(_section(c.t("briefing.slide.action", name=page.name), body))
    previous = c.previous.label(c.lang) if c.previous else "—"
    no_changes = c.t("briefing.no-changes" if c.previous else "briefing.no-previous")
    changes = _table(c.changes) if not c.changes.empty else f"<p>{_e(no_changes)}</p>"
    sections.append(_section(c.t("briefing.slide.changes", period=previous), changes))
    flags = _table(c.flags) if not c.flags.empty else f"<p>{_e(c.t('briefing.no-red-flags'))}</p>"
    sections.append(_section(c.t("briefing.slide.red-flags"), flags))
    sections.append(_section(c.t("briefing.slide.timeliness"), "<div class='row'><div style='flex:2'>"
                             + _img(pngs, "timeliness") + f"<p class='foot'>{_e(c.timeliness_note)}</p></div><div>"
                             + _table(c.timeliness) + "</div></div>"))
    sections.append(_section(c.t("briefing.slide.methodology"), _list(c.methodology)))
    lang = "zh-CN" if c.lang != "en" else "en"
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(c.plan_name)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>")


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

"""The evaluation report as files: the report in 公文 form (DOCX), its tables (XLSX, one sheet per table) and the
report as an A4 PDF printed by the system chromium. Each only lays out pipelines.briefing.evaluation's report."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.briefing.evaluation import EvaluationReport
from pipelines.briefing.gongwen import (
    BODY_FONT,
    HEADING_FONT,
    PORTRAIT_TEXT_WIDTH,
    SIZE_2,
    SIZE_3,
    SIZE_5,
    SUBHEADING_FONT,
    TITLE_FONT,
    add_heading,
    add_landscape,
    add_para,
    add_portrait,
    add_table,
    new_document,
)
from pipelines.briefing.images import check_browser, check_cjk_font
from pipelines.briefing.pdf_writer import LAUNCH_ARGS
from pipelines.present.export import to_xlsx_sheets


@dataclass(frozen=True)
class EvaluationFiles:
    docx: Path
    xlsx: Path
    pdf: Path


def write_evaluation(report: EvaluationReport, out_dir: Path) -> EvaluationFiles:
    """All three files under the names the office gives them; SetupError (before anything is written) when the PDF
    cannot be made for want of a CJK font or chromium."""
    check_cjk_font(report.lang, "evaluation")
    browser = check_browser(report.lang, "evaluation")
    out_dir.mkdir(parents=True, exist_ok=True)
    names = report.file_names()
    docx = write_evaluation_docx(report, out_dir / names["docx"])
    xlsx = out_dir / names["xlsx"]
    xlsx.write_bytes(evaluation_xlsx_bytes(report))
    pdf = write_evaluation_pdf(report, out_dir / names["pdf"], browser)
    return EvaluationFiles(docx, xlsx, pdf)


# ---- Word ---------------------------------------------------------------------------------------------------------

def write_evaluation_docx(report: EvaluationReport, path: Path) -> Path:
    path.write_bytes(evaluation_docx_bytes(report))
    return path


def evaluation_docx_bytes(report: EvaluationReport) -> bytes:
    r = report
    doc = new_document()
    if r.illustrative:
        add_para(doc, r.t("briefing.illustrative-mark"), HEADING_FONT, SIZE_3, indent=False)
    add_para(doc, r.title, TITLE_FONT, SIZE_2, center=True)
    add_para(doc, r.subtitle, SUBHEADING_FONT, SIZE_3, center=True)
    add_heading(doc, r.t("evaluation.report.h1"), 1)
    for line in r.overall:
        add_para(doc, line)
    add_landscape(doc)  # the wide table on landscape pages, its heading with it
    add_heading(doc, r.t("evaluation.report.h2"), 1)
    add_para(doc, r.t("evaluation.report.table-title"), BODY_FONT, 12, bold=True, center=True)
    add_table(doc, r.table)
    add_para(doc, r.t("evaluation.report.tally-title"), BODY_FONT, 12, bold=True, center=True)
    add_table(doc, r.tallies)
    if r.tasks is not None:
        add_para(doc, r.t("evaluation.report.tasks-title"), BODY_FONT, 12, bold=True, center=True)
        add_table(doc, r.tasks)
    add_portrait(doc)
    add_heading(doc, r.t("evaluation.report.h3"), 1)
    for n, action in enumerate(r.actions):
        add_heading(doc, r.t("evaluation.report.sub-heading", n=_cn(n, r.lang), name=action.name), 2)
        add_para(doc, r.t("evaluation.report.action-tally", tally=action.tally))
        for line in action.progress:
            add_para(doc, line)
    add_heading(doc, r.t("evaluation.report.h4"), 1)
    for n, item in enumerate(r.problems or [r.t("evaluation.report.none")], start=1):
        add_para(doc, f"{n}. {item}" if r.problems else item)
    add_heading(doc, r.t(f"evaluation.report.h5.{r.kind}"), 1)
    for line in r.next_intro:
        add_para(doc, line)
    if r.lineage is not None:
        add_para(doc, r.lineage_title(), BODY_FONT, 12, bold=True, center=True)
        add_table(doc, r.lineage, PORTRAIT_TEXT_WIDTH)
    add_para(doc, r.t("evaluation.report.notes"), BODY_FONT, 14, indent=False)
    for n, note in enumerate(r.notes, start=1):
        add_para(doc, f"{n}. {note}", BODY_FONT, SIZE_5 + 1.5, indent=False)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _cn(n: int, lang: str) -> str:
    return "一二三四五六七八九十"[n] if lang != "en" and n < 10 else str(n + 1)


# ---- Excel --------------------------------------------------------------------------------------------------------

def evaluation_xlsx_bytes(report: EvaluationReport) -> bytes:
    """One sheet per table: the indicators (with the conclusion's explanation), the counts per action and, for a
    final evaluation with a next plan, the hand-over."""
    table = report.table.copy()
    table[report.t("ui.col.explanation")] = list(report.rows["explanation"])
    sheets = {report.t("evaluation.sheet.indicators"): table, report.t("evaluation.sheet.actions"): report.tallies}
    if report.tasks is not None:
        sheets[report.t("evaluation.sheet.tasks")] = report.tasks
    if report.lineage is not None:
        sheets[report.t("evaluation.sheet.lineage")] = report.lineage
    return to_xlsx_sheets(sheets)


# ---- PDF ----------------------------------------------------------------------------------------------------------

CSS = """
@page { size: A4 portrait; margin: 25mm 20mm 22mm 22mm; }
@page wide { size: A4 landscape; margin: 16mm 14mm 14mm 14mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #111; font-size: 12pt; line-height: 1.6;
       margin: 0; }
h1 { font-size: 20pt; text-align: center; line-height: 1.4; margin: 0 0 2mm 0; }
.subtitle { text-align: center; margin: 0 0 6mm 0; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 14pt; margin: 5mm 0 2mm 0; }
h3 { font-size: 12.5pt; margin: 3mm 0 1mm 0; }
p { margin: 0 0 2mm 0; text-indent: 2em; }
p.plain, p.caption { text-indent: 0; }
p.caption { text-align: center; font-weight: bold; margin-top: 3mm; }
.wide { page: wide; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; line-height: 1.3; margin-bottom: 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #666; padding: 1mm 1.5mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #EEE; }
.notes p { font-size: 10pt; text-indent: 0; }
.mark { font-family: "Noto Sans CJK SC", sans-serif; font-weight: bold; }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def evaluation_html(report: EvaluationReport) -> str:
    """The report as one HTML page for print: the tables of section 二 on landscape pages, the rest portrait; every
    text escaped (department narratives are user text)."""
    r, parts = report, []
    if r.illustrative:
        parts.append(f'<p class="plain mark">{_e(r.t("briefing.illustrative-mark"))}</p>')
    parts += [f"<h1>{_e(r.title)}</h1>", f'<p class="subtitle">{_e(r.subtitle)}</p>',
              f"<h2>{_e(r.t('evaluation.report.h1'))}</h2>", *(f"<p>{_e(line)}</p>" for line in r.overall)]
    parts.append(f'<div class="wide"><h2>{_e(r.t("evaluation.report.h2"))}</h2>'
                 f'<p class="caption">{_e(r.t("evaluation.report.table-title"))}</p>{_table(r.table)}'
                 f'<p class="caption">{_e(r.t("evaluation.report.tally-title"))}</p>{_table(r.tallies)}'
                 + (f'<p class="caption">{_e(r.t("evaluation.report.tasks-title"))}</p>{_table(r.tasks)}'
                    if r.tasks is not None else "") + "</div>")
    parts.append(f"<h2>{_e(r.t('evaluation.report.h3'))}</h2>")
    for n, action in enumerate(r.actions):
        parts.append(f"<h3>{_e(r.t('evaluation.report.sub-heading', n=_cn(n, r.lang), name=action.name))}</h3>")
        parts.append(f"<p>{_e(r.t('evaluation.report.action-tally', tally=action.tally))}</p>")
        parts += [f"<p>{_e(line)}</p>" for line in action.progress]
    parts.append(f"<h2>{_e(r.t('evaluation.report.h4'))}</h2>")
    parts += ([f"<p>{n}. {_e(item)}</p>" for n, item in enumerate(r.problems, start=1)]
              or [f"<p>{_e(r.t('evaluation.report.none'))}</p>"])
    parts.append(f"<h2>{_e(r.t(f'evaluation.report.h5.{r.kind}'))}</h2>")
    parts += [f"<p>{_e(line)}</p>" for line in r.next_intro]
    if r.lineage is not None:
        parts.append(f'<p class="caption">{_e(r.lineage_title())}</p>{_table(r.lineage)}')
    parts.append(f'<div class="notes"><p>{_e(r.t("evaluation.report.notes"))}</p>'
                 + "".join(f"<p>{n}. {_e(note)}</p>" for n, note in enumerate(r.notes, start=1)) + "</div>")
    lang = "zh-CN" if r.lang != "en" else "en"
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(r.title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def write_evaluation_pdf(report: EvaluationReport, path: Path, browser: str) -> Path:
    from playwright.sync_api import sync_playwright

    footer = ('<div style="width:100%;font-size:9pt;text-align:center;color:#555">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, headless=True, args=LAUNCH_ARGS)
        try:
            page = chromium.new_page()
            page.set_content(evaluation_html(report), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.pdf(path=str(path), print_background=True, prefer_css_page_size=True, display_header_footer=True,
                     header_template="<div></div>", footer_template=footer)
        finally:
            chromium.close()
    return path

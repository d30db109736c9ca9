"""What 打印 (the browser's print) gives a reader: the page without the sidebar, header, toolbar and buttons, every
chart whole at the paper's width, and every table with all its rows.

st.dataframe draws its rows into a canvas, and only the ~10 rows in view: printed, a table would lose the rest. So
every page table is drawn twice by render_table(): the interactive grid on screen, and the same rows as a plain HTML
table (class kpi-print-only) that the screen never shows and the print shows instead of the grid. The print stylesheet
and the script that fits the charts to the paper are injected once per page run by the shared shell
(views.shared.shell.render_controls → print_assets()).
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd
import streamlit as st

PRINT_ONLY = "kpi-print-only"  # shown in print only (tests/test_print.py finds the tables by it)
PRINT_TABLE = "kpi-print-table"
# The key prefix of the expanders that build a whole long list only when a reader opens them (views.shared.lists):
# closed, they hold nothing, so print leaves them out (the print copy says where the whole list is) and does not open
# them as it opens the others.
FULL_LIST = "kpi-full-list-"
CLOSED_FULL_LIST = f'[class*="st-key-{FULL_LIST}"]:has(details:not([open]))'
MISSING = "—"  # an empty cell, as every table of the product writes it (never None, nan or <NA>)
CHART_TYPES = ("line_chart", "bar_chart", "area_chart")  # sparkline columns: pictures, not words, left out of print
# What print leaves out: the app's frame, every control that only works on screen, and the canvas grids (their rows
# print as the HTML tables instead).
SCREEN_HIDDEN = ", ".join((
    '[data-testid="stSidebar"]', '[data-testid="stSidebarCollapsedControl"]', '[data-testid="stHeader"]',
    '[data-testid="stToolbar"]', '[data-testid="stDecoration"]', '[data-testid="stStatusWidget"]',
    '[data-testid="stSkipToContent"]', '[data-testid="stBottom"]', '[data-testid="stElementToolbar"]',
    '[data-testid="stFileUploader"]', '[data-testid="stButton"]', '[data-testid="stDownloadButton"]',
    '[data-testid="stFormSubmitButton"]', '[data-testid="stElementContainer"]:has([data-testid="stDataFrame"])',
    ".modebar-container", "a.kpi-signin", "a.kpi-signout"))
PRINT_CSS = """
.kpi-print-only, [data-testid="stElementContainer"]:has(.kpi-print-only),
[data-testid="stElementContainer"]:has(.kpi-print-assets) {display: none !important;}
@media print {
  @page {size: A4; margin: 12mm;}
  html, body, #root, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {height: auto !important; min-height: 0 !important;
    overflow: visible !important; position: static !important;}
  [data-testid="stMainBlockContainer"] {max-width: none !important; width: 100% !important; padding: 0 !important;}
  HIDDEN {display: none !important;}
  CLOSED_FULL_LIST {display: none !important;}
  .kpi-print-only, [data-testid="stElementContainer"]:has(.kpi-print-only) {display: block !important;}
  [data-testid="stPlotlyChart"], [data-testid="stPlotlyChart"] > div, [data-testid="stPlotlyChart"] .js-plotly-plot,
  [data-testid="stPlotlyChart"] .plot-container {width: 100% !important; max-width: 100% !important;
    height: auto !important;}
  [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
  [data-testid="stFullScreenFrame"]:has([data-testid="stPlotlyChart"]), [data-testid="stColumn"],
  [data-testid="stVerticalBlock"], [data-testid="stHorizontalBlock"] {height: auto !important;}
  [data-testid="stPlotlyChart"] .svg-container {width: 100% !important; height: auto !important;
    aspect-ratio: var(--kpi-ratio) !important;}
  [data-testid="stPlotlyChart"] svg.main-svg {width: 100% !important; height: 100% !important;}
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) {flex-direction: column !important;}
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"] {
    width: 100% !important; flex: 1 1 auto !important; max-width: 100% !important;}
  [data-testid="stPlotlyChart"], .kpi-status-bar, [data-testid="stMetric"] {break-inside: avoid;}
  table.kpi-print-table {border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.35;
    margin: 0 0 6pt 0;}
  table.kpi-print-table th, table.kpi-print-table td {border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left;
    vertical-align: top; overflow-wrap: anywhere;}
  table.kpi-print-table th {background: #F2F2F2;}
  table.kpi-print-table thead {display: table-header-group;}
  table.kpi-print-table tr {break-inside: avoid;}
  h1, h2, h3 {break-after: avoid;}
}
""".replace("HIDDEN", SCREEN_HIDDEN).replace("CLOSED_FULL_LIST", CLOSED_FULL_LIST)
# A Plotly chart is drawn at the screen's width in pixels: printed on narrower paper it would be cut. Each chart's SVG
# layers keep a viewBox of the size Plotly drew them at (an identity on screen, kept up as Plotly redraws), and the
# print stylesheet scales them to the paper's width in the proportions they had on screen (frozen while printing: a
# chart without a height of its own takes its container's, which would otherwise grow with each redraw). Just before
# printing closed expanders are opened, so their tables print too (not a whole long list's: it is built only when a
# reader opens it); afterwards they are closed again.
PRINT_SCRIPT = """
(() => {
  const printing = matchMedia("print");
  const fitChart = (svg) => {
    const w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
    if (!(w > 0 && h > 0)) { return; }
    const box = `0 0 ${w} ${h}`;
    if (svg.getAttribute("viewBox") !== box) { svg.setAttribute("viewBox", box); }
    svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
    const container = svg.closest(".svg-container");  // its proportions as drawn on screen, kept while printing
    if (container && !printing.matches && container.style.getPropertyValue("--kpi-ratio") !== `${w} / ${h}`) {
      container.style.setProperty("--kpi-ratio", `${w} / ${h}`);
    }
  };
  const fitCharts = () => document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg').forEach(fitChart);
  fitCharts();
  if (window.kpiPrintWatch) { return; }
  window.kpiPrintWatch = new MutationObserver(fitCharts);
  window.kpiPrintWatch.observe(document.body, {subtree: true, childList: true, attributes: true,
                                               attributeFilter: ["width", "height"]});
  const opened = [];
  const open = () => document.querySelectorAll('[data-testid="stMain"] details:not([open])').forEach((details) => {
    if (details.closest('[class*="st-key-FULL_LIST"]')) { return; }
    opened.push(details); details.setAttribute("open", "");
  });
  const close = () => { while (opened.length) { opened.pop().removeAttribute("open"); } };
  window.addEventListener("beforeprint", open);
  window.addEventListener("afterprint", close);
  printing.addEventListener("change", (event) => event.matches ? open() : close());
})();
""".replace("FULL_LIST", FULL_LIST)
# Streamlit and Plotly name their own buttons in English only (the chart buttons' hover titles, the tables' toolbar
# tooltips, a screen reader's "add icon"): each such name the reader meets is swapped for the reader's language, as
# it appears. `window.kpiWords` (English or Chinese → the reader's language) is set again by every run, so a change of
# language is followed.
WORDS_SCRIPT = """
(() => {
  window.kpiWords = WORDS;
  const attributes = ["data-title", "aria-label", "title"];
  const fixElement = (element) => {
    attributes.forEach((name) => { const value = element.getAttribute(name);
      if (value && window.kpiWords[value]) { element.setAttribute(name, window.kpiWords[value]); } });
  };
  const fixText = (node) => {
    const value = node.nodeValue && node.nodeValue.trim();
    const parent = node.parentElement;  // Streamlit's own words only: never the page's text or a table's
    if (value && window.kpiWords[value] && parent && !parent.closest('[data-testid="stMarkdownContainer"], table')) {
      node.nodeValue = window.kpiWords[value];
    }
  };
  const fix = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    fixElement(root);
    root.querySelectorAll("[data-title], [aria-label], [title]").forEach(fixElement);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { fixText(walker.currentNode); }
  };
  fix(document.body);
  if (window.kpiWordsWatch) { return; }
  window.kpiWordsWatch = new MutationObserver((changes) => changes.forEach((change) => {
    if (change.type === "childList") { change.addedNodes.forEach(fix); }
    else if (change.type === "attributes") { fixElement(change.target); }
    else { fixText(change.target); }
  }));
  window.kpiWordsWatch.observe(document.body, {subtree: true, childList: true, characterData: true,
                                               attributes: true, attributeFilter: attributes});
})();
"""


def print_assets(screen_css: str = "", screen_words: Mapping[str, str] | None = None) -> None:
    """The print stylesheet and the chart-fitting script, once per page run, with the shell's own screen rules
    (`screen_css`) and the names of Streamlit's and Plotly's buttons in the reader's language (`screen_words`: their
    words in either language → the reader's) in the same element; nothing of it shows on screen."""
    words = WORDS_SCRIPT.replace("WORDS", json.dumps(dict(screen_words or {}), ensure_ascii=False))
    st.html(f'<span class="kpi-print-assets"></span><style>{PRINT_CSS}\n{screen_css}</style>'
            f"<script>{PRINT_SCRIPT}\n{words}</script>", unsafe_allow_javascript=True)


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell as the printed table writes it: — for an empty cell (None, NaN, <NA>), a number in the column's format
    (the grid's printf format, e.g. %.1f%%) or as written, anything else as its text. Not yet escaped."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, bool):
        return "✔" if value else ""
    if isinstance(value, (int, float)) and number_format:
        return number_format % value
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
    text = str(value)
    return MISSING if text in ("None", "nan", "NaN", "<NA>", "NaT") else text


def _config_type(config: object) -> tuple[str | None, str | None]:
    """(type, printf format) of a column's st.column_config entry (a dict), or (None, None)."""
    if not isinstance(config, Mapping):
        return None, None
    type_config = config.get("type_config") or {}
    return type_config.get("type"), type_config.get("format")


def print_table_html(frame: pd.DataFrame, column_config: Mapping[str, Any] | None = None) -> str:
    """Every row of `frame` as an HTML table shown in print only. Every header and cell is escaped: a 备注, a file name
    or a reviewer's comment shows exactly as typed and never becomes markup. Sparkline columns are left out."""
    configs = column_config or {}
    columns = [c for c in frame.columns if _config_type(configs.get(str(c)))[0] not in CHART_TYPES]
    formats = {c: _config_type(configs.get(str(c)))[1] for c in columns}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell_text(value, formats[c]))}</td>"
                                    for c, value in zip(columns, row)) + "</tr>"
                   for row in frame[columns].itertuples(index=False, name=None))
    return (f'<div class="{PRINT_ONLY}"><table class="{PRINT_TABLE}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def render_table(frame: pd.DataFrame, *, column_config: Mapping[str, Any] | None = None,
                 height: int | None = None) -> None:
    """A page table: the grid on screen (no index, — in empty cells, never None) and every row in print."""
    config: Any = column_config  # st.column_config entries, keyed by the shown column names
    st.dataframe(frame, hide_index=True, placeholder=MISSING, column_config=config,
                 height=height if height is not None else "auto", width="stretch")
    st.html(print_table_html(frame, column_config))

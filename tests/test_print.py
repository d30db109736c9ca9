"""Printing a page from the browser (打印): the page without the sidebar, header, toolbar and buttons, the charts whole
at the paper's width, and every row of every table (views.shared.printable).

The print copy of a table is checked here on its own (every row, — for an empty cell, the grid's number formats,
every cell escaped), and in the real browser: the overview and the departments page are printed to PDF by Chromium
(print media, A4) and the PDF's text holds every indicator of the red-flag and 有望达成 lists and every department,
and none of the sidebar's words. The PDFs go to test-artifacts/print/ (git-ignored) for a person to look at.

The browser half uses test_browser.py's fixtures (its own server over the sample store) and is skipped, with
test_browser.py's reason, when Chromium, Playwright or a CJK font is missing; the table half always runs.
"""
from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import urljoin

import pandas as pd
import pytest
import streamlit as st

from pipelines.core.catalog import t
from pipelines.core.periods import period_of_code
from pipelines.present.formatting import format_number
from pipelines.present.tables import INDICATOR, likely_rows, red_flags
from views.shared.lists import LIMIT
from views.shared.printable import MISSING, PRINT_CSS, print_table_html

HOSTILE = '<img src=x onerror="alert(1)">**粗体**'


def cells(html: str) -> list[list[str]]:
    """The print table read back: rows of cell texts (header row first), still escaped."""
    return [re.findall(r"<t[hd]>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


def test_the_print_copy_holds_every_row_with_a_dash_for_empty_cells() -> None:
    frame = pd.DataFrame({"指标": [f"指标{n}" for n in range(40)], "差值": [None if n % 2 else n - 0.5 for n in range(40)],
                          "完成率": [float("nan"), *range(39)]})
    rows = cells(print_table_html(frame, {"完成率": st.column_config.NumberColumn(format="%.1f%%")}))

    assert rows[0] == ["指标", "差值", "完成率"]
    assert [r[0] for r in rows[1:]] == list(frame["指标"])  # all 40, not the ~10 a grid shows
    assert rows[1] == ["指标0", "-0.5", MISSING] and rows[2] == ["指标1", MISSING, "0.0%"]
    assert not [c for r in rows for c in r if c in ("None", "nan", "NaN", "<NA>")]


def test_the_print_copy_escapes_every_cell_and_leaves_out_sparklines() -> None:
    frame = pd.DataFrame({HOSTILE: [HOSTILE], "趋势": [[1.0, 2.0]]})
    html = print_table_html(frame, {"趋势": st.column_config.LineChartColumn()})

    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;**粗体**" in html
    assert "趋势" not in html and "[1.0" not in html


def test_the_print_stylesheet_hides_the_frame_and_shows_the_copies() -> None:
    printed = PRINT_CSS[PRINT_CSS.index("@media print"):]
    for hidden in ("stSidebar", "stHeader", "stToolbar", "stButton", "stDownloadButton", "stDataFrame"):
        assert hidden in printed
    assert ".kpi-print-only, [data-testid=\"stElementContainer\"]:has(.kpi-print-only) {display: block" in printed


# ---- in the real browser ------------------------------------------------------------------------------------------

try:
    from test_browser import (  # noqa: F401  (fixtures are used by name)
        ARTIFACTS,
        Page,
        app_url,
        browser,
        browser_store,
        open_page,
        page,
        served,
    )
except pytest.skip.Exception as why:  # no Chromium, Playwright or CJK font: the browser tests say so
    NO_BROWSER: str | None = str(why)
else:
    NO_BROWSER = None

SIDEBAR_WORDS = ("语言 / Language", "评价期（截至季度末）", "截图模式")


def printed_text(tab: Page, url: str, name: str) -> str:
    """The page printed to an A4 PDF as the browser's 打印 does (print media), its text with the spaces and line
    breaks taken out (a name may wrap inside its cell)."""
    open_page(tab, url)
    tab.emulate_media(media="print")  # as the print dialog does; the print stylesheet scales the charts to the paper
    fitted = tab.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg')]
        .map(svg => svg.getAttribute('viewBox') === `0 0 ${svg.getAttribute('width')} ${svg.getAttribute('height')}`
                    && getComputedStyle(svg).width === getComputedStyle(svg.closest('.svg-container')).width)""")
    assert fitted and all(fitted), f"{url}: the charts do not scale to the paper's width: {fitted}"
    pdf = tab.pdf(format="A4", print_background=True)
    folder = ARTIFACTS / "print"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    from pypdf import PdfReader

    return _squeezed("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def _squeezed(text: str) -> str:
    """Without spaces and line breaks, in NFKC form (the PDF's text may hold a Kangxi radical, ⽬ U+2F6C, for the 目 it
    draws), and with the CJK radicals NFKC keeps (⺠ U+2EA0 for 民, ⻓ for 长) as RADICAL, which found() lets stand for
    any character."""
    return re.sub(r"[\u2e80-\u2eff]", RADICAL, re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


RADICAL = "\x00"


def found(name: str, text: str) -> bool:
    """A table cell's text is in the printed text (squeezed), a radical standing for the character it draws."""
    return re.search("".join(f"(?:{re.escape(c)}|{RADICAL})" for c in _squeezed(name)), text) is not None


@pytest.mark.browser
@pytest.mark.skipif(NO_BROWSER is not None, reason=f"browser tests skipped: {NO_BROWSER}")
def test_the_printed_overview_has_each_lists_first_rows_and_where_the_rest_are(app_url: str, page: Page,
                                                                              browser_store: str) -> None:
    """Each list prints the rows the screen draws: every row of a short list; of a long one its first LIMIT rows, in
    order, and a line saying how many there are and where the whole list is (none of the rest)."""
    from models.db import make_engine
    from pipelines.store.standings import read_standing

    engine = make_engine(browser_store)
    try:
        standing = read_standing(engine, period_of_code("2025Q3"))  # in force: red flags and likely-to-meet lists
    finally:
        engine.dispose()
    assert standing is not None
    text = printed_text(page, urljoin(app_url, "?as_of=2025Q3"), "overview")
    flagged, likely = list(red_flags(standing, "zh")[INDICATOR]), list(likely_rows(standing, "zh")[INDICATOR])
    assert flagged and len(likely) > 10  # more rows than a grid shows
    tables = text[text.index(_squeezed("与上一季度")):]  # the tables, after the charts (whose labels name indicators too)
    assert len(flagged) <= LIMIT < len(likely)  # one list printed whole, one cut short
    missing = [name for name in flagged + likely[:LIMIT] if not found(name, tables)]
    assert not missing, f"rows missing from the printed overview: {missing}"
    heading = _squeezed(t("ui.section.likely", "zh", n=len(likely)))
    assert heading in tables, "the likely-to-meet list is not printed"
    last = tables[tables.index(heading):]  # the page's last list (other lists may name the same indicators)
    left_out = [name for name in likely[LIMIT:] if found(name, last)]
    assert not left_out, f"rows beyond the first {LIMIT} printed: {left_out}"
    note = t("ui.list.print-note", "zh", shown=LIMIT, total=format_number(len(likely)), what=t("ui.list.what.likely", "zh"))
    assert found(note, last), "the print does not say where the whole list is"
    assert not [w for w in SIDEBAR_WORDS if found(w, text)], "the sidebar is printed"
    assert "150%" in text and "平均完成率" in text  # the action chart's right end and its axis title: not cut


@pytest.mark.browser
@pytest.mark.skipif(NO_BROWSER is not None, reason=f"browser tests skipped: {NO_BROWSER}")
def test_the_printed_departments_page_names_every_department(app_url: str, page: Page) -> None:
    from pipelines.core.config import PLAN_DIR
    from pipelines.plan.folder import read_plan_folder
    from pipelines.plan.records import PlanData

    plan = read_plan_folder(PLAN_DIR)
    assert isinstance(plan, PlanData)
    text = printed_text(page, urljoin(app_url, "departments"), "departments")
    table = text[re.search("位次部门及时率", text).start():]  # type: ignore[union-attr]  # the ranking's print copy: 15 rows, more than its grid shows at once
    assert not [d.name_zh for d in plan.departments if not found(d.name_zh, table)]
    assert not [w for w in SIDEBAR_WORDS if found(w, text)]


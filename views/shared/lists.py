"""The overview's long lists: the most urgent rows drawn, how many there are said in words, the whole list built only
when a reader asks for it.

A plan of thousands of indicators can have thousands of red flags or changes in one quarter. Drawing every one, on
screen and again in the print copy, took most of the page's first render and told a leader no more than the first
rows do. So each list is sorted first, on plain columns, and only the rows drawn are built: the first LIMIT, under
「共2,500项，显示前20项（落后最多的在前）」. 「查看全部2,500项」 below them opens the whole list, built then,
and offers it as an XLSX made when it is downloaded. The print copy holds the same first rows and says where the
whole list is; a reader who opened the whole list before printing prints it too (views.shared.printable leaves a
closed one out).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TypeVar

import pandas as pd
import streamlit as st

from pipelines.present.export import to_xlsx_bytes
from pipelines.present.formatting import file_name, format_number
from pipelines.present.tables import localise
from views.shared.printable import FULL_LIST, PRINT_ONLY, render_table
from views.shared.shell import View

LIMIT = 20  # the rows a long list shows before a reader asks for the whole list
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW_PIXELS = 35  # a grid row's height: the first rows are drawn whole, without a scroll bar of their own

Item = TypeVar("Item")


def render_list(view: View, name: str, title: str, order: Sequence[Item],
                rows: Callable[[Sequence[Item]], pd.DataFrame], sorted_by: str) -> None:
    """One long list. `order` is the whole list, sorted (indicator codes or positions: cheap to sort and to cut),
    `rows(items)` builds the table rows of some of its items in their order, `sorted_by` is the catalog key of how
    the list is sorted, in words; `title` names the download, and `name` tells the page's lists apart and what one
    holds (the catalog's ui.list.what.NAME: 红灯指标)."""
    total, shown = len(order), order[:LIMIT]
    if total > len(shown):
        st.caption(view.t("ui.list.shown", total=format_number(total), shown=len(shown), order=view.t(sorted_by)))
    render_table(localise(rows(shown), view.lang), height=ROW_PIXELS * (len(shown) + 1) + 3)
    if total > len(shown):
        render_full_list(view, name, title, order, rows, len(shown))


def render_full_list(view: View, name: str, title: str, order: Sequence[Item],
                     rows: Callable[[Sequence[Item]], pd.DataFrame], shown: int) -> None:
    """「查看全部N项」: the whole list, built only while its expander is open, with its XLSX made on download; in print,
    where the whole list is, unless the reader opened it."""
    total, what = format_number(len(order)), view.t(f"ui.list.what.{name}")
    note = view.t("ui.list.print-note", shown=shown, total=total, what=what)
    st.html(f'<div class="{PRINT_ONLY}"><p>{escape(note)}</p></div>')
    box = st.expander(view.t("ui.list.all", total=total, what=what), key=f"{FULL_LIST}{name}", on_change="rerun")
    with box:
        if not box.open:
            return
        full = localise(rows(order), view.lang)
        render_table(full)
        stem = view.t("file.overview-list", name=title, quarter=view.as_of.label(view.lang))
        st.download_button(view.t("ui.list.download"), data=lambda: to_xlsx_bytes(full, title), mime=XLSX,
                           file_name=file_name(stem, "xlsx"), key=f"{FULL_LIST}{name}-xlsx")

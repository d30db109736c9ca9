"""Special actions: one action at a time — its sub-items and indicators in the 通报 completion table, with trend
sparklines, sorting, filtering and XLSX export, and the lists of 超序时 / 按序时 / 滞后序时 items."""
from __future__ import annotations

import streamlit as st

from pipelines.present.charts import status_bar_html
from pipelines.present.export import to_xlsx_bytes
from pipelines.present.formatting import file_name, format_rate, name_of, pace_word, status_badge
from pipelines.present.tables import (
    COMPLETION,
    GAP,
    GROUPS,
    PACES,
    REPORT_COLUMNS,
    SORT_KEYS,
    SUB_ITEM,
    TIME_SHARE,
    TREND,
    completion_table,
    export_frame,
    filter_completion,
    localise,
    pace_lists,
    sort_completion,
    sub_item_rows,
)
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import open_view, page_choice, render_footer, render_html_chart, render_legend

view = open_view("ui.page.actions")
lang, standing = view.lang, view.standing
names = {a.code: name_of(a, lang) for a in view.plan.actions}
action = page_choice(view, "action", list(names), view.t("ui.control.action"), names.__getitem__)
if action is None:
    st.stop()
rollup = standing.rollups[action]
table = completion_table(standing, lang, action, data.narratives(view.url, view.version))
lists = pace_lists(table, lang)

st.subheader(f"{names[action]} · {status_badge(rollup.status, lang)}")
st.caption(rollup.explanation(lang))
metrics = st.columns(5)
metrics[0].metric(view.t("ui.chart.completion"), format_rate(rollup.mean_completion))
metrics[1].metric(view.t("ui.indicators"), f"{len(table)}")
for column, pace in zip(metrics[2:], PACES):
    column.metric(pace_word(pace, lang), f"{len(lists[pace])}", border=True)

chart_column, subs_column = st.columns([1, 1.6])
with chart_column:
    render_html_chart(status_bar_html(rollup.counts, lang, title=view.t("ui.chart.action-status"), height=300,
                                      illustrative=view.illustrative))
with subs_column:
    subs = sub_item_rows(standing, lang, action).drop(columns=["code", "status_code"])
    render_table(localise(subs, lang), column_config={
        view.t(f"ui.col.{COMPLETION}"): st.column_config.NumberColumn(format="%.1f%%")})

if not view.screenshot:  # the full table with its filters; a screenshot keeps the chart, sub-items and lists
    filters = st.columns([1.4, 1, 1, 1, 0.6])
    groups = filters[0].multiselect(view.t("ui.control.groups"), GROUPS, format_func=lambda g: view.t(f"ui.group.{g}"),
                                    placeholder=view.t("ui.control.all"))
    sub_item = filters[1].selectbox(view.t("ui.col.sub_item"), [None, *table[SUB_ITEM].unique()],
                                    format_func=lambda s: s or view.t("ui.control.all"))
    pace_shown = filters[2].selectbox(view.t("ui.col.pace"), [None, *PACES],
                                format_func=lambda p: pace_word(p, lang) if p else view.t("ui.control.all"))
    by = filters[3].selectbox(view.t("ui.control.sort"), SORT_KEYS, format_func=lambda k: view.t(f"ui.col.{k}"))
    descending = filters[4].toggle(view.t("ui.control.descending"), value=by != "seq")
    shown = sort_completion(filter_completion(table, groups, sub_item, pace_shown), by, descending)
    percent = st.column_config.NumberColumn(format="%.1f%%")
    render_table(localise(shown[[*REPORT_COLUMNS[:10], TREND, *REPORT_COLUMNS[10:]]], lang),
                 height=min(800, 35 * (len(shown) + 1) + 3),
                 column_config={view.t(f"ui.col.{COMPLETION}"): percent, view.t(f"ui.col.{TIME_SHARE}"): percent,
                                view.t(f"ui.col.{GAP}"): st.column_config.NumberColumn(format="%+.1f"),
                                view.t(f"ui.col.{TREND}"): st.column_config.LineChartColumn(width="small")})
    st.download_button(view.t("ui.download.xlsx"), to_xlsx_bytes(export_frame(shown, lang), view.t("ui.sheet.report")),
                       file_name=file_name(view.t("file.action-table", name=names[action],
                                                  quarter=view.as_of.label(lang)), "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
render_legend(view)

for column, pace in zip(st.columns(3), PACES):
    column.markdown(f"**{pace_word(pace, lang)}（{len(lists[pace])}）**")
    column.markdown("；".join(lists[pace]) or view.t("ui.none"))
render_footer(view)

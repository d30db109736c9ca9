"""Special actions: one action at a time — its sub-items and indicators in the 通报 completion table, with trend
sparklines, sorting, filtering and XLSX export, and the lists of 超序时 / 按序时 / 滞后序时 items; under its heading
the line of its 重点任务. An ended plan at its last quarter shows the 总结评估 instead: tallies, 评估结论 in the
table, the indicators listed per conclusion."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.core.config import today
from pipelines.present.charts import conclusion_bar_html, status_bar_html
from pipelines.present.evaluation import conclusion_badge, conclusion_name, tally_text
from pipelines.present.export import to_xlsx_bytes
from pipelines.present.final_view import (
    FINAL_COLUMNS,
    FINAL_SORT_KEYS,
    KIND,
    conclusion_lists,
    conclusions,
    export_final,
    filter_final,
    final_table,
    legend_text,
    sub_item_tallies,
)
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
from pipelines.present.task_board import task_codes, task_ledger, task_line
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import View, open_view, page_choice, render_footer, render_html_chart, render_legend

PERCENT = st.column_config.NumberColumn(format="%.1f%%")


def render_table_with_download(view: View, shown: pd.DataFrame, columns: list[str], export: pd.DataFrame,
                               name: str) -> None:
    """The full table (a sparkline column, rates in %) and its XLSX download."""
    config = {view.t(f"ui.col.{COMPLETION}"): PERCENT, view.t(f"ui.col.{TIME_SHARE}"): PERCENT,
              view.t(f"ui.col.{GAP}"): st.column_config.NumberColumn(format="%+.1f"),
              view.t(f"ui.col.{TREND}"): st.column_config.LineChartColumn(width="small")}
    render_table(localise(shown[columns], view.lang), height=min(800, 35 * (len(shown) + 1) + 3),
                 column_config=config)
    st.download_button(view.t("ui.download.xlsx"), to_xlsx_bytes(export, view.t("ui.sheet.report")),
                       file_name=file_name(view.t("file.action-table", name=name, quarter=view.as_of.label(view.lang)),
                                           "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def render_task_line(view: View, action: str) -> None:
    """「重点任务3项：逾期1项、…」 of this action's tasks alone (when the plan lists tasks)."""
    if not view.plan.tasks:
        return
    reports = data.task_reports(view.url, view.version, task_codes(view.plan))
    st.markdown(f"**{task_line(task_ledger(view.plan, reports, view.as_of, today(), view.lang), view.lang, action)}**")


def render_pace(view: View, action: str, name: str) -> None:
    """The action's status and pace: its roll-up, the status bar, sub-items, the table and the 序时 lists."""
    lang, standing = view.lang, view.standing
    rollup = standing.rollups[action]
    table = completion_table(standing, lang, action, data.narratives(view.url, view.version))
    lists = pace_lists(table, lang)
    st.subheader(f"{name} · {status_badge(rollup.status, lang)}")
    st.caption(rollup.explanation(lang))
    render_task_line(view, action)
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
        render_table(localise(subs, lang), column_config={view.t(f"ui.col.{COMPLETION}"): PERCENT})
    if not view.screenshot:  # the full table with its filters; a screenshot keeps the chart, sub-items and lists
        filters = st.columns([1.4, 1, 1, 1, 0.6])
        groups = filters[0].multiselect(view.t("ui.control.groups"), GROUPS,
                                        format_func=lambda g: view.t(f"ui.group.{g}"),
                                        placeholder=view.t("ui.control.all"))
        sub_item = filters[1].selectbox(view.t("ui.col.sub_item"), [None, *table[SUB_ITEM].unique()],
                                        format_func=lambda s: s or view.t("ui.control.all"))
        pace_shown = filters[2].selectbox(view.t("ui.col.pace"), [None, *PACES],
                                          format_func=lambda p: pace_word(p, lang) if p else view.t("ui.control.all"))
        by = filters[3].selectbox(view.t("ui.control.sort"), SORT_KEYS, format_func=lambda k: view.t(f"ui.col.{k}"))
        descending = filters[4].toggle(view.t("ui.control.descending"), value=by != "seq")
        shown = sort_completion(filter_completion(table, groups, sub_item, pace_shown), by, descending)
        render_table_with_download(view, shown, [*REPORT_COLUMNS[:10], TREND, *REPORT_COLUMNS[10:]],
                                   export_frame(shown, lang), name)
    render_legend(view)
    for column, pace in zip(st.columns(3), PACES):
        column.markdown(f"**{pace_word(pace, lang)}（{len(lists[pace])}）**")
        column.markdown("；".join(lists[pace]) or view.t("ui.none"))


def render_final(view: View, action: str, name: str) -> None:
    """The action's 总结评估: its tally, the conclusion bar, sub-items' tallies, the table with 评估结论 (filtered by
    conclusion) and the indicators listed per conclusion."""
    lang, evaluation = view.lang, view.evaluation()
    found = evaluation.tallies[action]
    table = final_table(view.standing, evaluation, lang, action, data.narratives(view.url, view.version))
    lists = conclusion_lists(table, lang)
    st.subheader(name)
    st.markdown(f"**{tally_text(found, lang)}**")
    render_task_line(view, action)
    metrics = st.columns(2 + len(conclusions()))
    metrics[0].metric(view.t("ui.chart.completion"), format_rate(found.mean_completion))
    metrics[1].metric(view.t("ui.indicators"), f"{found.n}")
    for column, conclusion in zip(metrics[2:], conclusions()):
        column.metric(conclusion_badge(KIND, conclusion, lang), f"{found.counts[conclusion]}", border=True)
    chart_column, subs_column = st.columns([1, 1.6])
    with chart_column:
        render_html_chart(conclusion_bar_html(found.counts, KIND, lang,
                                              title=view.t("final_view.chart.action-conclusions"), height=300,
                                              illustrative=view.illustrative))
    with subs_column:
        render_table(localise(sub_item_tallies(evaluation, lang, action), lang),
                     column_config={view.t(f"ui.col.{COMPLETION}"): PERCENT})
    if not view.screenshot:
        filters = st.columns([1.4, 1, 1, 0.6])
        chosen = filters[0].multiselect(view.t("ui.col.conclusion"), list(conclusions()),
                                        format_func=lambda c: conclusion_badge(KIND, c, lang),
                                        placeholder=view.t("ui.control.all"))
        sub_item = filters[1].selectbox(view.t("ui.col.sub_item"), [None, *table[SUB_ITEM].unique()],
                                        format_func=lambda s: s or view.t("ui.control.all"))
        by = filters[2].selectbox(view.t("ui.control.sort"), FINAL_SORT_KEYS,
                                  format_func=lambda k: view.t(f"ui.col.{k}"))
        descending = filters[3].toggle(view.t("ui.control.descending"), value=by != "seq")
        shown = sort_completion(filter_final(table, chosen, sub_item), by, descending)
        render_table_with_download(view, shown, [*FINAL_COLUMNS[:10], TREND, *FINAL_COLUMNS[10:]],
                                   export_final(shown, lang), name)
    st.caption(legend_text(view.plan.info.basic_threshold, lang).replace("\n", "  \n"))
    listed = [c for c in conclusions() if lists[c]] or list(conclusions())
    for column, conclusion in zip(st.columns(len(listed)), listed):
        column.markdown(f"**{conclusion_name(KIND, conclusion, lang)}（{len(lists[conclusion])}）**")
        column.markdown("；".join(lists[conclusion]) or view.t("ui.none"))


page = open_view("ui.page.actions")
names = {a.code: name_of(a, page.lang) for a in page.plan.actions}
chosen_action = page_choice(page, "action", list(names), page.t("ui.control.action"), names.__getitem__)
if chosen_action is None:
    st.stop()
(render_final if page.final else render_pace)(page, chosen_action, names[chosen_action])
render_footer(page)

"""Overview: the plan at a glance — completion and status counts, the six actions, the hierarchy in one picture,
what changed since last quarter, red flags with their explanation, and departments with overdue data."""
from __future__ import annotations

import streamlit as st

from pipelines.core.periods import latest_period_ending_by
from pipelines.present.charts import build_action_chart, build_hierarchy_chart, status_bar_html
from pipelines.present.formatting import format_count, format_rate, status_badge
from pipelines.present.tables import (
    GROUPS,
    action_rows,
    headline,
    hierarchy_nodes,
    likely_rows,
    localise,
    overdue_by_department,
    red_flags_heading,
    revision_rows,
)
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import open_view, render_chart, render_footer, render_html_chart, render_legend

view = open_view("ui.page.overview", plan_title=True)
lang, standing = view.lang, view.standing
head = headline(standing)
chart_height = 390 if view.screenshot else None

# ---- headline numbers --------------------------------------------------------------------------------------------
first, second = st.columns(5), st.columns(4)
first[0].metric(view.t("ui.plan-completion"), format_rate(head.completion))
first[1].metric(view.t("ui.plan-status"), status_badge(head.status, lang))
first[2].metric(view.t("ui.indicators"), format_count(head.indicators, lang))
first[3].metric(view.t("ui.likely-to-meet"), format_count(head.likely, lang))
first[4].metric(view.t("ui.overdue"), format_count(head.overdue, lang))
for column, group in zip(second, GROUPS):
    column.metric(view.t(f"ui.group.{group}"), format_count(head.groups[group], lang), border=True)

# ---- charts ----------------------------------------------------------------------------------------------------
if view.screenshot:  # one row of three charts fits the 1600 × 900 canvas
    left, middle, right = st.columns([1, 1.3, 1.5])
else:
    (left, middle), right = st.columns(2), st.container()
with left:
    # HTML, not Plotly: the page's answer shows with its headline numbers, before the chart code has loaded
    render_html_chart(status_bar_html(head.counts, lang, title=view.t("ui.chart.status-counts"), height=chart_height,
                                      illustrative=view.illustrative))
with middle:
    render_chart(build_action_chart(action_rows(standing, lang), lang, title=view.t("ui.chart.actions"),
                                    height=chart_height, illustrative=view.illustrative), key="actions")
with right:
    render_chart(build_hierarchy_chart(hierarchy_nodes(standing, lang), lang, title=view.t("ui.chart.hierarchy"),
                                       height=chart_height or 560, illustrative=view.illustrative), key="hierarchy")
render_legend(view)

if not view.screenshot:
    # ---- what changed since last quarter ---------------------------------------------------------------------
    previous = latest_period_ending_by(view.as_of.end_time - 0.25, "quarterly")
    st.subheader(view.t("ui.section.changes", period=previous.label(lang)))
    if previous.code in data.quarters(view.url, view.version, view.code):
        table = data.change_rows(view.url, view.version, previous.code, view.as_of.code, view.code, lang)
        _changes, revisions = data.changes(view.url, view.version, previous.code, view.as_of.code, view.code)
        if table.empty:
            st.info(view.t("ui.no-changes"))
        else:
            render_table(localise(table, lang))
        revised = revision_rows(revisions, standing, lang)
        if not revised.empty:  # revised past values: a list of their own, never mixed with this quarter's news
            st.markdown(f"**{view.t('ui.section.revised-values')}**")
            render_table(localise(revised, lang))
    else:
        st.info(view.t("ui.no-previous-quarter"))

    # ---- red flags, overdue departments, likely to meet ------------------------------------------------------
    flags = data.red_flag_rows(view.url, view.version, view.as_of.code, view.code, lang)
    for heading, rows, all_clear in ((red_flags_heading(standing, lang), flags, "ui.no-red-flags"),
                                     (view.t("ui.section.overdue"), overdue_by_department(standing, lang),
                                      "ui.no-overdue")):
        st.subheader(heading)
        if rows.empty:
            st.success(view.t(all_clear))
        else:
            render_table(localise(rows, lang))
    with st.expander(view.t("ui.section.likely", n=head.likely)):
        render_table(localise(likely_rows(standing, lang), lang))
render_footer(view)

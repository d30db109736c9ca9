"""Departments: each department's indicators and statuses, a quarter-by-quarter grid of submissions (on time, late,
missing), and 及时率 per department with its rank and the change since last quarter."""
from __future__ import annotations

import streamlit as st

from pipelines.core.config import today
from pipelines.present.charts import build_timeliness_grid, status_bar_html, timeliness_legend
from pipelines.present.formatting import format_count, format_rank, format_rank_change, format_rate, name_of
from pipelines.present.tables import (
    ACTUAL,
    COMPLETION,
    GAP,
    INDICATOR,
    LEAD_CODE,
    SEQ,
    STATUS,
    STATUS_CODE,
    SUPPORT,
    TARGET,
    UNIT,
    completion_table,
    localise,
    status_counts,
)
from pipelines.present.timeliness import (
    department_grid,
    grid_for_display,
    ranking_rows,
    timeliness_of,
    timeliness_ranking,
)
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import open_view, page_choice, render_chart, render_footer, render_html_chart, render_legend

view = open_view("ui.page.departments")
lang, standing, plan = view.lang, view.standing, view.plan
states = data.report_states(view.url, view.version, view.as_of.code, today(), view.code)
grid = department_grid(states)
ranking = timeliness_ranking(grid, [d.code for d in plan.departments], view.as_of)

st.subheader(view.t("ui.section.timeliness"))
grid_column, rank_column = st.columns([2, 1])
with grid_column:
    render_chart(build_timeliness_grid(grid_for_display(grid, plan, lang), lang, height=480,
                                       illustrative=view.illustrative), key="timeliness")
    st.caption(timeliness_legend(lang) + " · " + view.t("ui.timeliness.rule", days=plan.info.due_days))
with rank_column:
    rows = ranking_rows(ranking, plan, lang)
    render_table(localise(rows, lang), height=35 * (len(rows) + 1) + 3)

names = {d.code: name_of(d, lang) for d in plan.departments}
names = {d.code: name_of(d, lang) for d in plan.departments}
department = None if view.screenshot else page_choice(view, "department", list(names),
                                                      view.t("ui.control.department"), names.__getitem__)
if department is not None:  # one department's own page; a screenshot keeps the grid and the ranking
    rate, rank, change = timeliness_of(ranking, department)
    table = completion_table(standing, lang, narratives=data.narratives(view.url, view.version))
    own = table[table[LEAD_CODE] == department]
    st.subheader(names[department])
    metrics = st.columns(4)
    metrics[0].metric(view.t("ui.indicators"), format_count(len(own), lang))
    metrics[1].metric(view.t("ui.metric.timeliness"), format_rate(rate))
    metrics[2].metric(view.t("ui.metric.rank"), format_rank(rank, lang))
    metrics[3].metric(view.t("ui.metric.rank-change"), format_rank_change(change, lang))
    if own.empty:
        st.info(view.t("ui.no-own-indicators"))
    else:
        chart_column, table_column = st.columns([1, 2])
        with chart_column:
            render_html_chart(status_bar_html(status_counts(own[STATUS_CODE]), lang, height=320,
                                              title=view.t("ui.chart.department-status"),
                                              illustrative=view.illustrative))
        with table_column:
            columns = [SEQ, INDICATOR, UNIT, TARGET, ACTUAL, COMPLETION, GAP, STATUS, SUPPORT]
            percent = {view.t(f"ui.col.{COMPLETION}"): st.column_config.NumberColumn(format="%.1f%%"),
                       view.t(f"ui.col.{GAP}"): st.column_config.NumberColumn(format="%+.1f")}  # as 专项行动 writes it
            render_table(localise(own[columns], lang), height=min(800, 35 * (len(own) + 1) + 3),
                         column_config=percent)
render_legend(view)
render_footer(view)

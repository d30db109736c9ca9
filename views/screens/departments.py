"""Departments: each department's indicators and statuses (an ended plan at its last quarter: their 评估结论), a
quarter-by-quarter grid of submissions (on time, late, missing), and 及时率 per department with its rank and the
change since last quarter."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.core.config import today
from pipelines.present.charts import build_timeliness_grid, conclusion_bar_html, status_bar_html, timeliness_legend
from pipelines.present.evaluation import BASELINE, CONCLUSION, CONCLUSION_CODE, FINAL_VALUE, TARGET_VALUE
from pipelines.present.final_view import KIND, conclusion_counts, final_table, legend_text
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
from views.shared.shell import (
    View,
    open_view,
    page_choice,
    render_chart,
    render_footer,
    render_html_chart,
    render_legend,
)


def render_own(view: View, ranking: pd.DataFrame, department: str, name: str) -> None:
    """One department's own indicators: how many, its timeliness and rank, the status bar (an ended plan at its
    last quarter: the conclusion bar) and the table of its indicators."""
    lang = view.lang
    rate, rank, change = timeliness_of(ranking, department)
    narratives = data.narratives(view.url, view.version)
    if view.final:
        table = final_table(view.standing, view.evaluation(), lang, narratives=narratives)
        columns = [SEQ, INDICATOR, UNIT, BASELINE, TARGET_VALUE, FINAL_VALUE, COMPLETION, CONCLUSION, SUPPORT]
    else:
        table = completion_table(view.standing, lang, narratives=narratives)
        columns = [SEQ, INDICATOR, UNIT, TARGET, ACTUAL, COMPLETION, GAP, STATUS, SUPPORT]
    own = table[table[LEAD_CODE] == department]
    st.subheader(name)
    metrics = st.columns(4)
    metrics[0].metric(view.t("ui.indicators"), format_count(len(own), lang))
    metrics[1].metric(view.t("ui.metric.timeliness"), format_rate(rate))
    metrics[2].metric(view.t("ui.metric.rank"), format_rank(rank, lang))
    metrics[3].metric(view.t("ui.metric.rank-change"), format_rank_change(change, lang))
    if own.empty:
        st.info(view.t("ui.no-own-indicators"))
        return
    chart_column, table_column = st.columns([1, 2])
    with chart_column:
        if view.final:
            bar = conclusion_bar_html(conclusion_counts(list(own[CONCLUSION_CODE])), KIND, lang, height=320,
                                      title=view.t("final_view.chart.department-conclusions"),
                                      illustrative=view.illustrative)
        else:
            bar = status_bar_html(status_counts(own[STATUS_CODE]), lang, height=320,
                                  title=view.t("ui.chart.department-status"), illustrative=view.illustrative)
        render_html_chart(bar)
    with table_column:
        percent = {view.t(f"ui.col.{COMPLETION}"): st.column_config.NumberColumn(format="%.1f%%"),
                   view.t(f"ui.col.{GAP}"): st.column_config.NumberColumn(format="%+.1f")}  # as 专项行动 writes it
        render_table(localise(own[columns], lang), height=min(800, 35 * (len(own) + 1) + 3), column_config=percent)


page = open_view("ui.page.departments")
lang, plan = page.lang, page.plan
states = data.report_states(page.url, page.version, page.as_of.code, today(), page.code)
grid = department_grid(states)
ranking = timeliness_ranking(grid, [d.code for d in plan.departments], page.as_of)

st.subheader(page.t("ui.section.timeliness"))
grid_column, rank_column = st.columns([2, 1])
with grid_column:
    render_chart(build_timeliness_grid(grid_for_display(grid, plan, lang), lang, height=480,
                                       illustrative=page.illustrative), key="timeliness")
    st.caption(timeliness_legend(lang) + " · " + page.t("ui.timeliness.rule", days=plan.info.due_days))
with rank_column:
    rows = ranking_rows(ranking, plan, lang)
    render_table(localise(rows, lang), height=35 * (len(rows) + 1) + 3)

names = {d.code: name_of(d, lang) for d in plan.departments}
department = None if page.screenshot else page_choice(page, "department", list(names),
                                                      page.t("ui.control.department"), names.__getitem__)

if department is not None:  # one department's own page; a screenshot keeps the grid and the ranking
    render_own(page, ranking, department, names[department])
if page.final:
    st.caption(legend_text(plan.info.basic_threshold, lang).replace("\n", "  \n"))
else:
    render_legend(page)
render_footer(page)

"""Overview: the plan at a glance — completion and status counts, the 重点任务 line, the six actions, the hierarchy in
one picture, what changed since last quarter, red flags with their explanation, departments with overdue data and the
overdue tasks. An ended plan at its last quarter is told in its 总结评估's conclusions and tallies instead of pace
lights."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from pipelines.core.config import today
from pipelines.core.periods import latest_period_ending_by
from pipelines.present.charts import (
    build_action_chart,
    build_action_tally_chart,
    build_conclusion_hierarchy_chart,
    build_hierarchy_chart,
    conclusion_bar_html,
    status_bar_html,
)
from pipelines.present.final_view import (
    CONCLUSION_GROUPS,
    KIND,
    action_tallies,
    final_headline,
    group_label,
    hierarchy_tallies,
    legend_text,
    unfinished_codes,
    unfinished_keys,
    unfinished_rows,
)
from pipelines.present.formatting import format_count, format_rate, status_badge
from pipelines.present.tables import (
    GROUPS,
    action_rows,
    change_order,
    changes_rows,
    headline,
    hierarchy_nodes,
    likely_codes,
    likely_rows,
    localise,
    overdue_by_department,
    red_codes,
    red_flags,
    red_flags_heading,
    red_keys,
    revision_order,
    revision_rows,
)
from pipelines.present.task_board import overdue_tasks, task_codes, task_ledger, task_line
from pipelines.present.tasks import ledger_day
from views.shared import data
from views.shared.lists import render_list
from views.shared.printable import render_table
from views.shared.shell import View, open_view, render_chart, render_footer, render_html_chart, render_legend


def chart_columns(view: View) -> tuple[DeltaGenerator, DeltaGenerator, DeltaGenerator]:
    if view.screenshot:  # one row of three charts fits the 1600 × 900 canvas
        left, middle, right = st.columns([1, 1.3, 1.5])
        return left, middle, right
    (left, middle), right = st.columns(2), st.container()
    return left, middle, right


def render_task_line(view: View, tasks: pd.DataFrame) -> None:
    """「重点任务14项：已销号5项、…」 under the headline, when the plan lists tasks."""
    if not tasks.empty:
        st.markdown(f"**{task_line(tasks, view.lang)}**")


def render_pace(view: View, height: int | None, tasks: pd.DataFrame) -> None:
    """Headline numbers, the task line, the status bar, the actions' completion and status, the hierarchy coloured by
    status."""
    lang, standing = view.lang, view.standing
    head = headline(standing)
    first, second = st.columns(5), st.columns(4)
    first[0].metric(view.t("ui.plan-completion"), format_rate(head.completion))
    first[1].metric(view.t("ui.plan-status"), status_badge(head.status, lang))
    first[2].metric(view.t("ui.indicators"), format_count(head.indicators, lang))
    first[3].metric(view.t("ui.likely-to-meet"), format_count(head.likely, lang))
    first[4].metric(view.t("ui.overdue"), format_count(head.overdue, lang))
    for column, group in zip(second, GROUPS):
        column.metric(view.t(f"ui.group.{group}"), format_count(head.groups[group], lang), border=True)
    render_task_line(view, tasks)
    left, middle, right = chart_columns(view)
    with left:
        # HTML, not Plotly: the page's answer shows with its headline numbers, before the chart code has loaded
        render_html_chart(status_bar_html(head.counts, lang, title=view.t("ui.chart.status-counts"), height=height,
                                          illustrative=view.illustrative))
    with middle:
        render_chart(build_action_chart(action_rows(standing, lang), lang, title=view.t("ui.chart.actions"),
                                        height=height, illustrative=view.illustrative), key="actions")
    with right:
        render_chart(build_hierarchy_chart(hierarchy_nodes(standing, lang), lang, title=view.t("ui.chart.hierarchy"),
                                           height=height or 560, illustrative=view.illustrative), key="hierarchy")
    render_legend(view)


def render_final(view: View, height: int | None, tasks: pd.DataFrame) -> None:
    """The 总结评估 at a glance: its tally, the task line, mean completion and counts per conclusion, the conclusion
    bar, each action's conclusions and the hierarchy coloured by conclusion; no pace light."""
    lang, evaluation = view.lang, view.evaluation()
    head = final_headline(evaluation, view.standing, lang)
    st.markdown(f"**{view.t('final_view.summary-line', tally=head.tally)}**")
    render_task_line(view, tasks)
    first, second = st.columns(3), st.columns(4)
    first[0].metric(view.t("ui.plan-completion"), format_rate(head.completion))
    first[1].metric(view.t("ui.indicators"), format_count(head.indicators, lang))
    first[2].metric(view.t("ui.overdue"), format_count(head.overdue, lang))
    for column, group in zip(second, CONCLUSION_GROUPS):
        column.metric(group_label(group, lang), format_count(head.groups[group], lang), border=True)
    left, middle, right = chart_columns(view)
    with left:
        render_html_chart(conclusion_bar_html(head.counts, KIND, lang,
                                              title=view.t("final_view.chart.conclusion-counts"), height=height,
                                              illustrative=view.illustrative))
    with middle:
        render_chart(build_action_tally_chart(action_tallies(evaluation, lang), KIND, lang,
                                              title=view.t("final_view.chart.actions"), height=height,
                                              illustrative=view.illustrative), key="actions")
    with right:
        render_chart(build_conclusion_hierarchy_chart(hierarchy_tallies(evaluation, lang), KIND, lang,
                                                      title=view.t("ui.chart.hierarchy"), height=height or 560,
                                                      illustrative=view.illustrative), key="hierarchy")
    st.caption(legend_text(view.plan.info.basic_threshold, lang).replace("\n", "  \n"))


def render_changes(view: View) -> None:
    """What changed since the previous quarter (its frozen snapshot when there is one), and revised past values: the
    first rows of each, with the whole list on demand (views.shared.lists)."""
    lang, standing = view.lang, view.standing
    previous = latest_period_ending_by(view.as_of.end_time - 0.25, "quarterly")
    heading = view.t("ui.section.changes", period=previous.label(lang))
    st.subheader(heading)
    if previous.code not in data.quarters(view.url, view.version, view.code):
        st.info(view.t("ui.no-previous-quarter"))
        return
    changes, revisions = data.changes(view.url, view.version, previous.code, view.as_of.code, view.code)
    order = change_order(changes, standing)
    if not order:
        st.info(view.t("ui.no-changes"))
    else:
        render_list(view, "changes", heading, order, lambda picked: changes_rows(changes, standing, lang, picked),
                    "ui.list.order.changes")
    revised = revision_order(revisions, standing)
    if revised:  # revised past values: a list of their own, never mixed with this quarter's news
        title = view.t("ui.section.revised-values")
        st.markdown(f"**{title}**")
        render_list(view, "revisions", title, revised,
                    lambda picked: revision_rows(revisions, standing, lang, picked), "ui.list.order.revisions")


def render_overdue_tasks(view: View, tasks: pd.DataFrame) -> None:
    """催办: the overdue tasks, their lead and supporting departments and days overdue (when the plan lists tasks)."""
    if tasks.empty:
        return
    st.subheader(view.t("task_pages.overdue.heading"))
    late = overdue_tasks(tasks, view.lang)
    if late.empty:
        st.success(view.t("task_pages.overdue.none"))
    else:
        render_table(localise(late, view.lang))
        st.caption(view.t("task_pages.overdue.as-of", day=ledger_day(view.as_of, today(), view.plan.info.due_days)))


def render_red_flags(view: View) -> None:
    """Red flags (an ended plan's: the indicators not or only basically completed), the furthest behind first, with
    what their departments wrote: the narratives are read for the rows drawn alone."""
    lang, standing = view.lang, view.standing
    if view.final:
        evaluation = view.evaluation()

        def unfinished(codes: Sequence[str]) -> pd.DataFrame:
            keys = tuple(unfinished_keys(evaluation, standing, codes))
            return unfinished_rows(evaluation, standing, lang, data.current_narratives(view.url, view.version, keys),
                                   codes)

        render_flag_list(view, "unfinished", view.t("final_view.unfinished.heading"), unfinished_codes(evaluation),
                         unfinished, "ui.list.order.unfinished", "final_view.unfinished.none")
        return

    def flags(codes: Sequence[str]) -> pd.DataFrame:
        keys = tuple(red_keys(standing, codes))
        return red_flags(standing, lang, data.current_narratives(view.url, view.version, keys), codes)

    render_flag_list(view, "red-flags", red_flags_heading(standing, lang), red_codes(standing), flags,
                     "ui.list.order.behind", "ui.no-red-flags")


def render_flag_list(view: View, name: str, heading: str, order: Sequence[str],
                     rows: Callable[[Sequence[str]], pd.DataFrame], sorted_by: str, all_clear: str) -> None:
    st.subheader(heading)
    if not order:
        st.success(view.t(all_clear))
    else:
        render_list(view, name, heading, order, rows, sorted_by)


def render_lists(view: View, tasks: pd.DataFrame) -> None:
    """Red flags, overdue departments, overdue tasks with their owners (催办), and while the plan runs the indicators
    likely to meet their target."""
    lang, standing = view.lang, view.standing
    render_red_flags(view)
    st.subheader(view.t("ui.section.overdue"))
    overdue = overdue_by_department(standing, lang)
    if overdue.empty:
        st.success(view.t("ui.no-overdue"))
    else:
        render_table(localise(overdue, lang))
    render_overdue_tasks(view, tasks)
    if not view.final:  # 有望如期达成 is a projection: nothing to project once the plan is over
        likely = likely_codes(standing)
        title = view.t("ui.section.likely", n=len(likely))
        with st.expander(title):
            render_list(view, "likely", title, likely, lambda codes: likely_rows(standing, lang, codes),
                        "ui.list.order.plan")


page = open_view("ui.page.overview", plan_title=True)
chart_height = 390 if page.screenshot else None
ledger = task_ledger(page.plan, data.task_reports(page.url, page.version, task_codes(page.plan)), page.as_of,
                     today(), page.lang)
(render_final if page.final else render_pace)(page, chart_height, ledger)
if not page.screenshot:
    render_changes(page)
    render_lists(page, ledger)
render_footer(page)

"""重点任务: the chosen plan's key tasks as 督查督办 follows them as of the chosen quarter — per action and sub-item
each task's owner, deadline, the quarter's milestone, its latest approved 进展情况 and its state in word and icon — with
filters by action, state and lead department, the counts line on top and the rows shown as XLSX."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.core.config import today
from pipelines.engine.tasks import DUE_SOON_DAYS, TASK_STATES
from pipelines.present.export import to_xlsx_bytes
from pipelines.present.formatting import file_name, name_of, plain
from pipelines.present.task_board import (
    action_tables,
    filter_ledger,
    lead_departments,
    ledger_table,
    task_actions,
    task_codes,
    task_ledger,
)
from pipelines.present.tasks import counts_line, ledger_counts, ledger_day, state_badge
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import View, open_view, render_footer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_filters(view: View, rows: pd.DataFrame) -> pd.DataFrame:
    """专项行动, 状态 and 主责部门: the rows they leave."""
    actions = {a.code: name_of(a, view.lang) for a in view.plan.actions}
    departments = {d.code: name_of(d, view.lang) for d in view.plan.departments}
    every = view.t("ui.control.all")
    left, middle, right = st.columns([1.4, 1.4, 1])
    action = left.selectbox(view.t("ui.control.action"), [None, *task_actions(view.plan)], key="tasks-action",
                            format_func=lambda code: actions[code] if code else every)
    states = middle.multiselect(view.t("ui.col.state"), list(TASK_STATES), key="tasks-state", placeholder=every,
                                format_func=lambda state: state_badge(state, view.lang))
    lead = right.selectbox(view.t("ui.col.lead"), [None, *lead_departments(view.plan)], key="tasks-lead",
                           format_func=lambda code: departments[code] if code else every)
    return filter_ledger(rows, action, states, lead)


def render_ledger(view: View, shown: pd.DataFrame, total: int) -> None:
    """The rows shown, one table per action (every word a department wrote escaped by the table), and the same rows
    as one XLSX sheet."""
    st.caption(view.t("task_pages.shown", shown=len(shown), n=total))
    for name, table in action_tables(shown, view.lang):
        st.markdown(f"**{plain(name)}**")
        render_table(table)
    if not view.screenshot:
        name = file_name(view.t("task_pages.file", quarter=view.as_of.label(view.lang)), "xlsx")
        st.download_button(view.t("ui.download.xlsx"), to_xlsx_bytes(ledger_table(shown, view.lang),
                                                                     view.t("task_pages.sheet")),
                           file_name=name, mime=XLSX, key="tasks-xlsx")


def render_notes(view: View) -> None:
    """The states' icons and words, and the day they were judged on."""
    badges = view.t("task_pages.legend-separator").join(state_badge(s, view.lang) for s in TASK_STATES)
    day = ledger_day(view.as_of, today(), view.plan.info.due_days)
    st.caption(view.t("task_pages.legend", states=badges) + "  \n" + view.t(
        "task_pages.judged", day=day.isoformat(), quarter=view.as_of.label(view.lang), days=DUE_SOON_DAYS))


page = open_view("task_pages.title")
ledger = task_ledger(page.plan, data.task_reports(page.url, page.version, task_codes(page.plan)), page.as_of,
                     today(), page.lang)
if ledger.empty:
    st.info(page.t("task_pages.no-tasks"))
    render_footer(page)
    st.stop()
st.markdown(f"**{counts_line(ledger_counts(ledger), page.lang)}**")
rows = ledger if page.screenshot else render_filters(page, ledger)
if rows.empty:
    st.info(page.t("task_pages.no-match"))
else:
    render_ledger(page, rows, len(ledger))
render_notes(page)
render_footer(page)

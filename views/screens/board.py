"""报送情况 for leaders: departments × quarters (未填报 / 已上报 / 退回修改 / 审核通过, on time or late), 及时率, and
the 催报 list for the open quarter; then the 重点任务: the 催办 list of overdue tasks with their owners, and the task
reports the open quarter is owed with those received."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from models.submissions import read_submission_periods
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.plan.records import PlanData
from pipelines.present.formatting import format_rate
from pipelines.present.submission_board import (
    board_grid,
    chase_list,
    chase_rows,
    compute_board,
    compute_rates,
    open_quarter,
    rates_rows,
)
from pipelines.present.tables import localise
from pipelines.present.task_board import chase_now, owed_line, owed_rows, owed_task_reports, task_codes
from pipelines.store.tasks import read_task_reports
from pipelines.workflow.accounts import REVIEWER, VIEWER
from pipelines.workflow.attempts import read_attempts
from views.shared.printable import render_table
from views.shared.shell import lang
from views.shared.signin import open_signed_view, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)


def main() -> None:
    signed = open_signed_view("board.title", (VIEWER, REVIEWER), L)
    if signed is None:
        return
    _user, plan = signed
    day = today()
    with store_engine().connect() as conn:
        board = compute_board(plan, read_submission_periods(conn), day, read_attempts(conn))
        reports = read_task_reports(conn, task_codes(plan))
    quarter = open_quarter(plan, day).label(L)
    chase = chase_list(board, plan, day)
    st.subheader(t("board.chase", L, quarter=quarter))
    if chase.empty:
        st.caption(t("board.chase-none", L, quarter=quarter))
    else:
        render_table(chase_rows(chase, plan, L))
    st.subheader(t("board.rates", L))
    render_table(rates_table(compute_rates(board, day), plan))
    st.subheader(t("board.grid", L, days=plan.info.due_days))
    render_table(board_grid(board, plan, day, L))
    st.caption(t("board.refused-note", L))
    if plan.tasks:
        render_tasks(plan, reports, day)


def render_tasks(plan: PlanData, reports: pd.DataFrame, day: dt.date) -> None:
    """催办 (the tasks overdue now, with their owners and days overdue) and the open quarter's task reports: owed by
    every task not yet closed, with those received."""
    quarter = open_quarter(plan, day)
    st.subheader(t("task_pages.board.heading", L))
    late, judged = chase_now(plan, reports, day, L)
    st.markdown(f"**{t('task_pages.board.chase', L, day=judged.isoformat())}**")
    if late.empty:
        st.caption(t("task_pages.board.chase-none", L, day=judged.isoformat()))
    else:
        render_table(localise(late, L))
    owed = owed_task_reports(plan, reports, quarter, day)
    st.markdown(f"**{t('task_pages.board.owed', L, quarter=quarter.label(L))}**")
    if owed.empty:
        st.caption(t("task_pages.board.owed-none", L, quarter=quarter.label(L)))
        return
    st.caption(owed_line(owed, quarter, L))
    render_table(owed_rows(owed, plan, day, L))


def rates_table(rates: pd.DataFrame, plan: PlanData) -> pd.DataFrame:
    """及时率 per department, its rate written as every other page writes a rate (one decimal: 100.0%, 93.3%)."""
    table = rates_rows(rates, plan, L)
    table[t("board.rate", L)] = [format_rate(r, L) for r in rates["rate"]]
    return table


main()

"""报送情况 for leaders: departments × quarters (未填报 / 已上报 / 退回修改 / 审核通过, on time or late), 及时率, and
the 催报 list for the open quarter."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from models.submissions import read_submission_periods
from pipelines.accounts import REVIEWER, VIEWER
from pipelines.attempts import read_attempts
from pipelines.catalog import t
from pipelines.submission_board import (
    board_grid, chase_list, chase_rows, compute_board, compute_rates, open_quarter, rates_rows,
)
from views.shared.shell import lang
from views.shared.signin import signed_in_page, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)


def main() -> None:
    signed = signed_in_page("board.title", L)
    if signed is None:
        return
    user, plan = signed
    if not (user.has(VIEWER) or user.has(REVIEWER)):
        st.warning(t("board.not-allowed", L))
        return
    if plan is None:
        st.info(t("submit.empty-store", L))
        return
    today = dt.date.today()
    with store_engine().connect() as conn:
        board = compute_board(plan, read_submission_periods(conn), today, read_attempts(conn))
    quarter = open_quarter(plan, today).label(L)
    chase = chase_list(board, plan, today)
    st.subheader(t("board.chase", L, quarter=quarter))
    if chase.empty:
        st.caption(t("board.chase-none", L, quarter=quarter))
    else:
        st.dataframe(chase_rows(chase, plan, L), hide_index=True, width="stretch")
    st.subheader(t("board.rates", L))
    st.dataframe(rates_rows(compute_rates(board, today), plan, L), hide_index=True, width="stretch")
    st.subheader(t("board.grid", L, days=plan.info.due_days))
    st.dataframe(board_grid(board, plan, today, L), hide_index=True, width="stretch")
    st.caption(t("board.refused-note", L))


main()

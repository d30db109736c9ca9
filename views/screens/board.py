"""报送情况 for leaders: departments × quarters (未填报 / 已上报 / 退回修改 / 审核通过, on time or late), 及时率, and
the 催报 list for the open quarter."""
from __future__ import annotations

import streamlit as st

from models.submissions import read_submission_periods
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.present.submission_board import (
    board_grid,
    chase_list,
    chase_rows,
    compute_board,
    compute_rates,
    open_quarter,
    rates_rows,
)
from pipelines.workflow.accounts import REVIEWER, VIEWER
from pipelines.workflow.attempts import read_attempts
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
    quarter = open_quarter(plan, day).label(L)
    chase = chase_list(board, plan, day)
    st.subheader(t("board.chase", L, quarter=quarter))
    if chase.empty:
        st.caption(t("board.chase-none", L, quarter=quarter))
    else:
        st.dataframe(chase_rows(chase, plan, L), hide_index=True, width="stretch")
    st.subheader(t("board.rates", L))
    st.dataframe(rates_rows(compute_rates(board, day), plan, L), hide_index=True, width="stretch")
    st.subheader(t("board.grid", L, days=plan.info.due_days))
    st.dataframe(board_grid(board, plan, day, L), hide_index=True, width="stretch")
    st.caption(t("board.refused-note", L))


main()

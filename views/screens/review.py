"""审核: submissions 待审核 with their values, narratives, explanations and evidence; 审核通过 or 退回修改 with a
comment. For administrators: lock a quarter after its briefing, and the list of accounts."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from models.states import PENDING
from models.submissions import (
    read_evidence_file,
    read_evidence_list,
    read_lock_events,
    read_locks,
    read_submission_list,
    read_submission_values,
)
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.core.periods import period_of_code
from pipelines.plan.records import PlanData
from pipelines.present.submit_view import history_frame, lock_history_frame, selectable_quarters
from pipelines.workflow.accounts import ADMIN, REVIEWER, Refusal, User, list_users
from pipelines.workflow.review import approve, lock_quarter, return_submission, unlock_quarter
from views.shared.shell import lang
from views.shared.signin import open_signed_view, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)


def main() -> None:
    signed = open_signed_view("review.title", (REVIEWER,), L)
    if signed is None:
        return
    user, plan = signed
    if "review_done" in st.session_state:
        st.success(st.session_state.pop("review_done"))
    render_pending(plan, user)
    if ADMIN in user.roles:
        render_admin(plan, user)


def render_pending(plan: PlanData, user: User) -> None:
    st.subheader(t("review.pending", L))
    with store_engine().connect() as conn:
        pending = read_submission_list(conn, status=PENDING)
    if pending.empty:
        st.caption(t("review.none-pending", L))
        return
    st.dataframe(history_frame(pending, plan, L), hide_index=True, width="stretch")
    chosen = int(st.selectbox(t("review.pick", L), pending["id"].tolist(), key="pick"))
    render_submission(plan, chosen)
    left, right = st.columns(2)
    if left.button(t("review.approve", L), type="primary", key="approve"):
        _done(approve(store_engine(), user, chosen), t("review.approved", L, id=chosen))
    comment = right.text_area(t("review.comment", L), key="return-comment")
    if right.button(t("review.return", L), key="return"):
        _done(return_submission(store_engine(), user, chosen, comment), t("review.returned", L, id=chosen))


def render_submission(plan: PlanData, submission_id: int) -> None:
    """The values of one submission with the department's narrative and its evidence files (all shown as text)."""
    names = {i.code: i.name_zh for i in plan.indicators}
    with store_engine().connect() as conn:
        values = read_submission_values(conn, submission_id)
        evidence = read_evidence_list(conn, submission_id)
    shown = pd.DataFrame({
        t("submit.col.code", L): values["indicator_code"], t("submit.col.name", L): values["indicator_code"].map(names),
        t("submit.col.period", L): [period_of_code(p).label(L) for p in values["period"]],
        t("submit.col.new", L): [f"{v:g}" for v in values["value"]], t("submit.col.note", L): values["note"],
        t("submit.progress", L): values["progress"], t("submit.problems", L): values["problems"],
        t("submit.next-steps", L): values["next_steps"]})
    st.dataframe(shown, hide_index=True, width="stretch")
    items: Iterable[Any] = evidence.itertuples(index=False)
    for item in items:
        with store_engine().connect() as conn:
            found = read_evidence_file(conn, int(item.id))
        if found:
            st.download_button(t("review.evidence", L, code=item.indicator_code, file=item.file_name), found[2],
                               found[0], found[1], key=f"evidence-{item.id}")


def _done(outcome: Refusal | None, message: str) -> None:
    if isinstance(outcome, Refusal):
        st.error(outcome.message(L))
        return
    st.session_state["review_done"] = message
    st.rerun()


def render_admin(plan: PlanData, user: User) -> None:
    st.subheader(t("review.admin", L))
    with store_engine().connect() as conn:
        locks = read_locks(conn)
    if locks:
        st.caption(t("review.locked", L, quarters="、".join(period_of_code(q).label(L) for q in sorted(locks))))
        unlock = st.selectbox(t("review.unlock-quarter", L), sorted(locks), key="unlock-quarter",
                              format_func=lambda q: period_of_code(q).label(L))
        reason = st.text_input(t("review.unlock-reason", L), key="unlock-reason")
        if st.button(t("review.unlock", L), key="unlock"):
            _done(unlock_quarter(store_engine(), user, unlock, reason), t("review.unlock-done", L, quarter=unlock))
    open_quarters = [q for q in selectable_quarters(plan, today()) if q not in locks]
    if open_quarters:
        quarter = st.selectbox(t("review.lock-quarter", L), open_quarters, key="lock-quarter",
                               format_func=lambda q: period_of_code(q).label(L))
        if st.button(t("review.lock", L), key="lock"):
            _done(lock_quarter(store_engine(), user, quarter), t("review.lock-done", L, quarter=quarter))
    with store_engine().connect() as conn:
        events = read_lock_events(conn)
    if not events.empty:
        st.caption(t("review.lock-history", L))
        st.dataframe(lock_history_frame(events, L), hide_index=True, width="stretch")
    accounts = pd.DataFrame([{t("signin.username", L): u.username, t("review.user-name", L): u.display_name,
                              t("review.user-roles", L): ",".join(u.roles),
                              t("review.user-departments", L): ",".join(u.departments),
                              t("review.user-state", L): t("review.active" if u.active else "review.disabled", L)}
                             for u in list_users(store_engine())])
    st.dataframe(accounts, hide_index=True, width="stretch")
    st.caption(t("review.users-cli", L))


main()

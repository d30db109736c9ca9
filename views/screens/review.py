"""审核: submissions 待审核, each shown as the reviewer must weigh it (current value → value sent, change, status once
approved, 核实性 questions with the department's answer, narrative, evidence, the original file, other pending files of
the same value; its 重点任务 reports with each task's deadline, the 销号 or extension asked and the progress as
written); 审核通过 or 退回修改 with a comment. For administrators: lock a quarter after its briefing (accounts
are managed on 账号管理, views/screens/accounts.py).

A decision always names the submission the page showed: the buttons carry its number, so when another reviewer has
decided it meanwhile the click is refused (pipelines.workflow.review), never moved to another file.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from models.queries import read_submission_file
from models.states import PENDING
from models.submissions import (
    read_evidence_file,
    read_evidence_list,
    read_lock_events,
    read_locks,
    read_submission_list,
)
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.core.periods import period_of_code
from pipelines.plan.records import PlanData
from pipelines.present.formatting import plain
from pipelines.present.submit_view import (
    history_frame,
    lock_history_frame,
    other_ids,
    review_frame,
    selectable_quarters,
)
from pipelines.workflow.accounts import ADMIN, REVIEWER, Refusal, User
from pipelines.workflow.pending import PendingView, inspect_submission
from pipelines.workflow.review import (
    approve,
    inspect_task_reports,
    lock_quarter,
    return_submission,
    task_rows_frame,
    unlock_quarter,
)
from views.shared.printable import render_table
from views.shared.shell import lang
from views.shared.signin import current_user, open_signed_view, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)


def main() -> None:
    signed = open_signed_view("review.title", (REVIEWER,), L, series=True)
    if signed is None:
        return
    user, plan = signed
    if "review_done" in st.session_state:
        st.success(st.session_state.pop("review_done"))
    if "review_refused" in st.session_state:
        st.error(st.session_state.pop("review_refused"))
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
    render_table(history_frame(pending, plan, L))
    chosen = int(st.selectbox(t("review.pick", L), pending["id"].tolist(), key="pick"))
    view = inspect_submission(store_engine(), plan, chosen, today())
    if view is None:
        return
    render_submission(plan, view)
    render_task_reports(plan, user, chosen)
    own = view.header["submitter"] == user.username
    if own:
        st.info(t("review.own-warning", L))
    if view.stale is not None:
        st.warning(t("review.stale-warning", L, reason=view.stale.message(L)))
    left, right = st.columns(2)
    left.button(t("review.approve", L), type="primary", key="approve", disabled=own or view.stale is not None,
                on_click=_decide, args=("approve", chosen))
    right.text_area(t("review.comment", L), key="return-comment")
    right.button(t("review.return", L), key="return", disabled=own, on_click=_decide, args=("return", chosen))


def render_submission(plan: PlanData, view: PendingView) -> None:
    """The submission's header, its values as the reviewer weighs them, the original file and the evidence."""
    h = view.header
    departments = {d.code: d.name_zh if L == "zh" else d.name_en for d in plan.departments}
    st.caption(t("review.header", L, id=view.submission_id, department=departments.get(str(h["department"]), ""),
                 submitter=plain(h["submitter"] or ""), time=str(h["submitted_at"])[:16],
                 file=plain(h["original_name"] or h["file_name"])))
    if h["reporter"] or h["reporter_phone"]:  # 填报人 and 联系电话 as the department typed them in the header
        st.caption(t("review.reporter", L, name=plain(h["reporter"] or "—"), phone=plain(h["reporter_phone"] or "—")))
    others = view.rows[view.rows["others"].map(bool)]
    if not others.empty:
        values = "、".join(f"{c}（{period_of_code(p).label(L)}）：{other_ids(ids, L)}"
                          for c, p, ids in others[["indicator_code", "period", "others"]].itertuples(index=False))
        st.warning(t("review.others-warning", L, values=values))
    if not view.rows.empty:
        render_table(review_frame(view.rows, plan, L))
    with store_engine().connect() as conn:
        original = read_submission_file(conn, view.submission_id)
        evidence = read_evidence_list(conn, view.submission_id)
    if original:
        st.download_button(t("review.download-original", L), original[1], original[0],
                           key=f"original-{view.submission_id}")
    items: Iterable[Any] = evidence.itertuples(index=False)
    for item in items:
        with store_engine().connect() as conn:
            found = read_evidence_file(conn, int(item.id))
        if found:
            st.download_button(t("review.evidence", L, code=item.indicator_code, file=plain(item.file_name)), found[2],
                               found[0], found[1], key=f"evidence-{item.id}")


def render_task_reports(plan: PlanData, user: User, submission_id: int) -> None:
    """The submission's 重点任务 reports: task, deadline in force, the 销号 or extension asked, the progress as written,
    and the evidence that comes with the submission."""
    review = inspect_task_reports(store_engine(), user, plan, submission_id, today())
    if isinstance(review, Refusal):
        st.error(review.message(L))
        return
    if not review.rows:
        return
    st.markdown(f"**{t('task-report.review', L, n=len(review.rows))}**")
    render_table(task_rows_frame(review.rows, review.book, L))
    if any(row.state == "done" for row in review.rows):
        st.caption(t("task-report.evidence", L, n=review.evidence) if review.evidence
                   else t("task-report.no-evidence", L))


def _decide(action: str, submission_id: int) -> None:
    """A button's decision on the submission the page showed when it was clicked (runs before the page is drawn
    again). The account is read again from the store: a disabled account decides nothing."""
    user = current_user()
    if action == "approve":
        outcome = approve(store_engine(), user, submission_id)
        done = t("review.approved", L, id=submission_id)
    else:
        outcome = return_submission(store_engine(), user, submission_id, st.session_state.get("return-comment", ""))
        done = t("review.returned", L, id=submission_id)
    if isinstance(outcome, Refusal):
        st.session_state["review_refused"] = outcome.message(L)
    else:
        st.session_state["review_done"] = done
        st.session_state.pop("return-comment", None)


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
            _done(unlock_quarter(store_engine(), user, unlock, reason),
                  t("review.unlock-done", L, quarter=period_of_code(unlock).label(L)))
    open_quarters = [q for q in selectable_quarters(plan, today()) if q not in locks]
    if open_quarters:
        quarter = st.selectbox(t("review.lock-quarter", L), open_quarters, key="lock-quarter",
                               format_func=lambda q: period_of_code(q).label(L))
        if st.button(t("review.lock", L), key="lock"):
            _done(lock_quarter(store_engine(), user, quarter),
                  t("review.lock-done", L, quarter=period_of_code(quarter).label(L)))
    with store_engine().connect() as conn:
        events = read_lock_events(conn)
    if not events.empty:
        st.caption(t("review.lock-history", L))
        render_table(lock_history_frame(events, L))
    st.caption(t("admin.see-page", L))


main()

"""账号管理 (administrators only): every account with its roles, departments and state, 演示账号 marked; add an account
with an initial password it must replace at its first sign-in; disable or enable another account; reset another
account's password to a temporary one.

Every action goes through pipelines.workflow.accounts, which refuses an actor who is not an administrator whatever this
page shows. The buttons carry the name of the account the page showed when they were drawn, so a click always acts on
that account. Names and messages are user text: drawn inside Markdown only through plain().
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.core.catalog import t
from pipelines.plan.records import PlanData
from pipelines.present.formatting import name_of, plain
from pipelines.workflow.accounts import (
    ADMIN,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    ROLES,
    Refusal,
    User,
    admin_add_user,
    admin_reset_password,
    admin_set_active,
    list_users,
)
from pipelines.workflow.sessions import end_other_sessions
from views.shared.printable import render_table
from views.shared.shell import lang
from views.shared.signin import current_user, open_signed_view, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)
DONE, REFUSED = "accounts_done", "accounts_refused"  # the last action's outcome, shown by the run after it
ADD_FIELDS = {"new-username": "", "new-name": "", "new-roles": [], "new-departments": [], "new-password": "",
              "new-repeat": ""}


def main() -> None:
    signed = open_signed_view("admin.title", (ADMIN,), L, series=True)
    if signed is None:
        return
    user, plan = signed
    if DONE in st.session_state:
        st.success(plain(st.session_state.pop(DONE)))
    if REFUSED in st.session_state:
        st.error(plain(st.session_state.pop(REFUSED)))
    users = list_users(store_engine())
    render_list(plan, users)
    render_add(plan)
    render_manage(plan, user, users)


def department_names(plan: PlanData) -> dict[str, str]:
    return {d.code: name_of(d, L) for d in plan.departments}


def role_label(role: str) -> str:
    return t(f"role.{role}", L) if role in ROLES else role


def roles_text(user: User) -> str:
    return "、".join(role_label(r) for r in user.roles)


def departments_text(user: User, names: dict[str, str]) -> str:
    return "、".join(names.get(code, code) for code in user.departments)


def state_text(user: User) -> str:
    if not user.active:
        return t("review.disabled", L)
    return t("admin.state-must-change" if user.must_change_password else "review.active", L)


def render_list(plan: PlanData, users: list[User]) -> None:
    st.subheader(t("admin.list", L))
    names = department_names(plan)
    frame = pd.DataFrame([{
        t("signin.username", L): u.username,
        t("review.user-name", L): u.display_name,
        t("review.user-roles", L): roles_text(u),
        t("review.user-departments", L): departments_text(u, names),
        t("review.user-state", L): state_text(u),
        t("admin.col-demo", L): t("admin.demo-yes", L) if u.demo else "",
    } for u in users])
    render_table(frame)


def render_add(plan: PlanData) -> None:
    st.subheader(t("admin.add", L))
    names = department_names(plan)
    with st.form("accounts-add"):
        st.text_input(t("admin.new-username", L), key="new-username", max_chars=100)
        st.text_input(t("review.user-name", L), key="new-name", max_chars=200)
        st.multiselect(t("review.user-roles", L), ROLES, format_func=role_label, key="new-roles",
                       placeholder=t("admin.choose", L))
        st.multiselect(t("admin.new-departments", L), list(names), format_func=lambda c: names.get(c, c),
                       key="new-departments", placeholder=t("admin.choose", L))
        st.text_input(t("admin.initial-password", L), type="password", key="new-password",
                      max_chars=MAX_PASSWORD_LENGTH)
        st.text_input(t("admin.initial-repeat", L), type="password", key="new-repeat", max_chars=MAX_PASSWORD_LENGTH)
        st.caption(t("admin.initial-rule", L) + t("signin.password-rule", L, min=MIN_PASSWORD_LENGTH))
        st.form_submit_button(t("admin.add-submit", L), key="add", on_click=_add)


def render_manage(plan: PlanData, user: User, users: list[User]) -> None:
    st.subheader(t("admin.manage", L))
    if not users:
        return
    by_name = {u.username: u for u in users}
    chosen = str(st.selectbox(t("admin.pick", L), list(by_name), key="manage-pick",
                              format_func=lambda name: f"{by_name[name].display_name}（{name}）"))
    account = by_name.get(chosen)
    if account is None:
        return
    st.caption(t("admin.chosen", L, name=plain(account.display_name), username=plain(account.username),
                 roles=plain(roles_text(account) or "—"),
                 departments=plain(departments_text(account, department_names(plan)) or "—"),
                 state=state_text(account) + (" · " + t("signin.demo", L) if account.demo else "")))
    own = account.username == user.username
    if own:
        st.info(t("admin.own-account", L))
    if account.active:
        st.button(t("admin.disable", L), key="disable", disabled=own, on_click=_set_active,
                  args=(account.username, False))
    else:
        st.button(t("admin.enable", L), key="enable", on_click=_set_active, args=(account.username, True))
    st.text_input(t("admin.temp-password", L), type="password", key="reset-password", disabled=own,
                  max_chars=MAX_PASSWORD_LENGTH)
    st.text_input(t("admin.temp-repeat", L), type="password", key="reset-repeat", disabled=own,
                  max_chars=MAX_PASSWORD_LENGTH)
    st.caption(t("admin.reset-rule", L) + t("signin.password-rule", L, min=MIN_PASSWORD_LENGTH))
    st.button(t("admin.reset", L), key="reset", disabled=own, on_click=_reset, args=(account.username,))


# ---- the actions: callbacks, run before the page is drawn again; the acting account is read again from the store ----

def _outcome(outcome: Refusal | object, done: str) -> bool:
    if isinstance(outcome, Refusal):
        st.session_state[REFUSED] = outcome.message(L)
        return False
    st.session_state[DONE] = done
    return True


def _add() -> None:
    state = st.session_state
    username, name = str(state.get("new-username", "")).strip(), str(state.get("new-name", "")).strip()
    password = str(state.get("new-password", ""))
    if password != state.get("new-repeat", ""):
        state[REFUSED] = t("admin.passwords-differ", L)
    else:
        made = admin_add_user(store_engine(), current_user(), username, name, password,
                              tuple(state.get("new-roles", [])), tuple(state.get("new-departments", [])))
        if _outcome(made, t("admin.added", L, username=username, name=name or username)):
            for key, empty in ADD_FIELDS.items():
                state[key] = empty
    state["new-password"] = state["new-repeat"] = ""  # never kept in the session after an attempt


def _set_active(username: str, active: bool) -> None:
    if _outcome(admin_set_active(store_engine(), current_user(), username, active),
                t("admin.enabled-done" if active else "admin.disabled-done", L, username=username)) and not active:
        end_other_sessions(store_engine(), username)  # signed out in every browser at once


def _reset(username: str) -> None:
    state = st.session_state
    password = str(state.get("reset-password", ""))
    if password != state.get("reset-repeat", ""):
        state[REFUSED] = t("admin.passwords-differ", L)
    else:
        if _outcome(admin_reset_password(store_engine(), current_user(), username, password),
                    t("admin.reset-done", L, username=username)):
            end_other_sessions(store_engine(), username)  # it signs in again, with the temporary password
    state["reset-password"] = state["reset-repeat"] = ""


main()

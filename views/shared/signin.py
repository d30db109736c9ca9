"""Sign-in for the submission, review and board pages: the district's identity provider through st.login when [auth]
is configured in secrets, otherwise a local account form, throttled by the client's address, with 修改密码 for a
signed-in account (and nothing but 修改密码 for one whose password an administrator reset). Who may do what is
decided by pipelines.workflow.accounts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import streamlit as st
from sqlalchemy import Engine

from models.db import create_schema, database_url
from pipelines.core.catalog import t
from pipelines.plan.records import PlanData
from pipelines.store.persist import plan_from_store
from pipelines.workflow.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Refusal,
    Role,
    User,
    authenticate,
    change_password,
    check_has_role,
    read_user,
)
from views.shared import data

SESSION_KEY = "signed_in_username"
CHANGED_KEY = "password_changed"  # set for the run after a change, which shows that it was done


def store_engine() -> Engine:
    """The store's engine, the one the other pages share (KPI_DB_URL read when used, so tests point it at their own
    store); its schema is brought up to date once per process (a store built before accounts gains their tables)."""
    engine = data.engine(database_url())
    create_schema(engine)  # once per engine and process: later calls return at once
    return engine


def store_plan() -> PlanData | None:
    with store_engine().connect() as conn:
        return plan_from_store(conn)


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: local accounts
        return False


def current_user() -> User | None:
    """The signed-in account, read from the store on every run (a disabled account is out at once)."""
    if oidc_configured():
        if not getattr(st.user, "is_logged_in", False):
            return None
        email = str(st.user.get("email") or "")
        user = read_user(store_engine(), email) if email else None
        # the identity provider vouches for the person: a local password, reset or not, plays no part
        return replace(user, must_change_password=False) if user and user.active else User(
            email, str(st.user.get("name") or email), ())
    username = st.session_state.get(SESSION_KEY)
    user = read_user(store_engine(), username) if username else None
    return user if user and user.active else None


def render_sign_in(lang: str = "zh") -> None:
    """The sign-in form (or the identity provider's button)."""
    st.info(t("signin.needed", lang))
    if oidc_configured():
        if st.button(t("signin.oidc", lang), key="signin-oidc"):
            st.login()
        return
    with st.form("signin-form"):
        username = st.text_input(t("signin.username", lang), key="signin-username")
        password = st.text_input(t("signin.password", lang), type="password", key="signin-password")
        submitted = st.form_submit_button(t("signin.submit", lang))
    if submitted:
        outcome = authenticate(store_engine(), username, password, client=client_address())
        if isinstance(outcome, Refusal):  # locked after too many failures: how long to wait
            st.error(outcome.message(lang))
        elif outcome is None:
            st.error(t("signin.failed", lang))
        else:
            st.session_state[SESSION_KEY] = outcome.username
            st.rerun()


def client_address() -> str:
    """The browser's IP address, which the sign-in throttle counts failures by; '' when Streamlit does not know it
    (a connection from this machine, such as a reverse proxy's), and then only the account is throttled."""
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) else ""  # None when unknown; a stand-in object under AppTest


def render_user_bar(user: User, lang: str = "zh") -> None:
    """Who is signed in, with 演示账号 marked, a sign-out button, and 修改密码 for a local account."""
    label = t("signin.as", lang, name=user.display_name, username=user.username)
    st.caption(label + (" · " + t("signin.demo", lang) if user.demo else ""))
    if st.button(t("signin.sign-out", lang), key="signout"):
        st.session_state.pop(SESSION_KEY, None)
        if oidc_configured():
            st.logout()
        st.rerun()
    if st.session_state.pop(CHANGED_KEY, False):
        st.success(t("signin.password-changed", lang))
    if not oidc_configured() and not user.must_change_password:  # a reset account gets the form on its own
        with st.expander(t("signin.change-password", lang)):
            render_change_password(user, lang)


def render_change_password(user: User, lang: str = "zh") -> None:
    """The 修改密码 form: the current password, the new one twice, and the rules it must follow. A change reruns the
    page (a reset account then sees the page it asked for)."""
    with st.form("change-password-form", clear_on_submit=True):
        old = st.text_input(t("signin.old-password", lang), type="password", key="change-old")
        new = st.text_input(t("signin.new-password", lang), type="password", key="change-new",
                            max_chars=MAX_PASSWORD_LENGTH)
        repeat = st.text_input(t("signin.repeat-password", lang), type="password", key="change-repeat",
                               max_chars=MAX_PASSWORD_LENGTH)
        st.caption(t("signin.password-rule", lang, min=MIN_PASSWORD_LENGTH))
        submitted = st.form_submit_button(t("signin.change-submit", lang))
    if not submitted:
        return
    if new != repeat:
        st.error(t("signin.passwords-differ", lang))
        return
    refused = change_password(store_engine(), user.username, old, new, client=client_address())
    if refused:
        st.error(refused.message(lang))
        return
    st.session_state[CHANGED_KEY] = True
    st.rerun()


def open_signed_view(title_key: str, roles: Sequence[Role], lang: str = "zh") -> tuple[User, PlanData] | None:
    """The start every signed-in page shares: the heading and sign-in, then the account's right to the page (one of
    `roles`) and a store with a plan. None, with the reason shown, when any of these is missing."""
    signed = signed_in_page(title_key, lang)
    if signed is None:
        return None
    user, plan = signed
    denied = check_has_role(user, roles)
    if denied:
        st.warning(denied.message(lang))
        return None
    if plan is None:
        st.info(t("submit.empty-store", lang))
        return None
    return user, plan


def signed_in_page(title_key: str, lang: str = "zh") -> tuple[User, PlanData | None] | None:
    """The heading every signed-in page shares: its title, the plan's name, then the sign-in form or who is signed in.

    None when nobody is signed in yet (the form is shown), or while the account must change its password (only the
    修改密码 form is shown)."""
    st.title(t(title_key, lang))
    plan = store_plan()
    if plan is not None:
        st.caption(plan.info.name_zh if lang == "zh" else plan.info.name_en)
    user = current_user()
    if user is None:
        render_sign_in(lang)
        return None
    render_user_bar(user, lang)
    if user.must_change_password:  # an administrator reset the password: the account sets its own first
        st.warning(t("signin.must-change", lang))
        render_change_password(user, lang)
        return None
    return user, plan

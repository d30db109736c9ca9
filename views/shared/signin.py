"""Sign-in for the submission, review and board pages: the district's identity provider through st.login when [auth]
is configured in secrets, otherwise a local account form. Who may do what is decided by pipelines.workflow.accounts."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from sqlalchemy import Engine

from models.db import create_schema, database_url
from pipelines.core.catalog import t
from pipelines.plan.records import PlanData
from pipelines.store.persist import plan_from_store
from pipelines.workflow.accounts import Role, User, authenticate, check_has_role, read_user
from views.shared import data

SESSION_KEY = "signed_in_username"


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
        return user if user and user.active else User(email, str(st.user.get("name") or email), ())
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
        user = authenticate(store_engine(), username, password)
        if user is None:
            st.error(t("signin.failed", lang))
        else:
            st.session_state[SESSION_KEY] = user.username
            st.rerun()


def render_user_bar(user: User, lang: str = "zh") -> None:
    """Who is signed in, with 演示账号 marked, and a sign-out button."""
    label = t("signin.as", lang, name=user.display_name, username=user.username)
    st.caption(label + (" · " + t("signin.demo", lang) if user.demo else ""))
    if st.button(t("signin.sign-out", lang), key="signout"):
        st.session_state.pop(SESSION_KEY, None)
        if oidc_configured():
            st.logout()
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

    None when nobody is signed in yet (the form is shown)."""
    st.title(t(title_key, lang))
    plan = store_plan()
    if plan is not None:
        st.caption(plan.info.name_zh if lang == "zh" else plan.info.name_en)
    user = current_user()
    if user is None:
        render_sign_in(lang)
        return None
    render_user_bar(user, lang)
    return user, plan

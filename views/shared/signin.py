"""Sign-in for the submission, review and board pages: the district's identity provider through st.login when [auth]
is configured in secrets, otherwise a local account form. Who may do what is decided by pipelines.accounts."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from models.db import create_schema, database_url, make_engine
from pipelines.accounts import User, authenticate, read_user
from pipelines.catalog import t
from pipelines.persist import plan_from_store
from pipelines.plan import PlanData

SESSION_KEY = "signed_in_username"


@st.cache_resource(max_entries=4, show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    create_schema(engine)  # a store built before accounts existed gains the new tables
    return engine


def store_engine() -> Engine:
    """The store's engine (KPI_DB_URL read when used, so tests point it at their own store)."""
    return _engine(database_url())


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

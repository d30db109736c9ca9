"""Sign-in for the submission, review and board pages: the district's identity provider through st.login when [auth]
is configured in secrets, otherwise this server's sign-in page (server.py: a form posted to the server, throttled, that
leaves an HttpOnly session cookie), with 修改密码 for a signed-in account (and nothing but 修改密码 for one whose
password an administrator reset). The account is read from that cookie on every run, never from the Streamlit session.
Who may do what is decided by pipelines.workflow.accounts."""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import quote, urlsplit

import streamlit as st
from sqlalchemy import Engine

from models.db import create_schema, database_url
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.plan.records import PlanData
from pipelines.present.formatting import plain
from pipelines.store.plans import plan_from_store, plans_in_store, series_view
from pipelines.workflow.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Role,
    User,
    change_password,
    check_has_role,
    read_user,
)
from pipelines.workflow.sessions import COOKIE, end_other_sessions, resume_session, sign_out_proof
from views.shared import data

BOUND_KEY = "signed_in_account"  # whom this Streamlit session served last: a change of person forgets the session
CHANGED_KEY = "password_changed"  # set for the run after a change, which shows that it was done


def store_engine() -> Engine:
    """The store's engine, the one the other pages share (KPI_DB_URL read when used, so tests point it at their own
    store); its schema is brought up to date once per process (a store built before accounts gains their tables)."""
    engine = data.engine(database_url())
    create_schema(engine)  # once per engine and process: later calls return at once
    return engine


def store_plan() -> PlanData | None:
    """The plan chosen in the sidebar (the store's default plan before any was chosen)."""
    code = st.session_state.get("plan")
    with store_engine().connect() as conn:
        return plan_from_store(conn, str(code) if code else None)


def served_plans(lang: str) -> list[str]:
    """The names of the plans a file sent today may report for: every plan not a draft and not yet ended (else,
    when all have ended, every plan), by start."""
    with store_engine().connect() as conn:
        plans = [p for p in plans_in_store(conn) if not p.draft]
    day = today()
    open_plans = [p for p in plans if p.state(day) != "ended"] or plans
    return [p.name_zh if lang == "zh" else p.name_en for p in open_plans]


def store_series() -> PlanData | None:
    """Every series of every plan (drafts aside), as a department's file is checked and its template drawn."""
    with store_engine().connect() as conn:
        return series_view(conn)


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: local accounts
        return False


def browser_token() -> str | None:
    """The session token the browser sent with this connection (the HttpOnly cookie the sign-in route set): read
    from the connection, so a client that attaches to this Streamlit session by its id brings its own cookies."""
    cookies = st.context.cookies
    token = cookies.get(COOKIE) if hasattr(cookies, "get") else None
    return token if isinstance(token, str) and token else None


def current_user() -> User | None:
    """The signed-in account, checked on every run against the store (a disabled account or an ended session is out
    at once). When the person behind this Streamlit session is not the one it served before — another client that
    attached to it, or a sign-out in another tab — everything the session held is forgotten first."""
    user = _identified()
    who = user.username if user else None
    if st.session_state.get(BOUND_KEY, who) != who:
        st.session_state.clear()
    if who is not None:
        st.session_state[BOUND_KEY] = who
    return user


def _identified() -> User | None:
    if oidc_configured():
        if not getattr(st.user, "is_logged_in", False):
            return None
        email = str(st.user.get("email") or "")
        # an account is matched by e-mail only when the provider vouches that the address is the person's
        claim = st.user.get("email_verified")  # a JSON boolean; some providers send the text "true"
        verified = claim is True or (isinstance(claim, str) and claim.lower() == "true")
        user = read_user(store_engine(), email) if email and verified else None
        # the identity provider vouches for the person: a local password, reset or not, plays no part
        return replace(user, must_change_password=False) if user and user.active else User(
            email, str(st.user.get("name") or email), ())
    return resume_session(store_engine(), browser_token())


def _page_path() -> str:
    """This page's path, for the sign-in route to come back to."""
    url = getattr(st.context, "url", None)
    path = urlsplit(url).path if isinstance(url, str) else "/"
    return path or "/"


def same_tab_link(label: str, href: str, name: str) -> None:
    """A link drawn as a button that opens in this tab (st.link_button always opens a new one): to the sign-in page
    and back, or out. `href` is one of this server's own paths, escaped like the label."""
    st.html(f'<a class="kpi-{name}" href="{html.escape(href, quote=True)}" style="display:inline-block;'
            'padding:.45rem 1rem;border-radius:.5rem;background:#1f4e8c;color:#fff;text-decoration:none;'
            f'font-weight:600">{html.escape(label)}</a>')


def render_sign_in(lang: str = "zh", why: str | None = None) -> None:
    """The way to sign in: the sign-in page (a form posted to this server, server.py), or the identity provider;
    `why` says what the page is for (by default: this page needs a sign-in)."""
    st.info(why or t("signin.needed", lang))
    if oidc_configured():
        if st.button(t("signin.oidc", lang), key="signin-oidc"):
            st.login()
        return
    same_tab_link(t("signin.go", lang), f"/api/signin?lang={lang}&next={quote(_page_path(), safe='/')}", "signin")


def client_address() -> str:
    """The browser's IP address, which the sign-in throttle counts failures by; '' when Streamlit does not know it
    (a connection from this machine, such as a reverse proxy's), and then only the account is throttled."""
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) else ""  # None when unknown; a stand-in object under AppTest


def render_user_bar(user: User, lang: str = "zh") -> None:
    """Who is signed in, with 演示账号 marked, a sign-out button, and 修改密码 for a local account."""
    label = t("signin.as", lang, name=plain(user.display_name), username=plain(user.username))
    st.caption(label + (" · " + t("signin.demo", lang) if user.demo else ""))
    if oidc_configured():
        if st.button(t("signin.sign-out", lang), key="signout"):
            st.logout()
    else:
        token = browser_token() or ""
        back = quote(_page_path(), safe="/")
        same_tab_link(t("signin.sign-out", lang), f"/api/signout?proof={sign_out_proof(token)}&next={back}", "signout")
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
    end_other_sessions(store_engine(), user.username, keep=browser_token())  # other browsers sign in again
    st.session_state[CHANGED_KEY] = True
    st.rerun()


def open_signed_view(title_key: str, roles: Sequence[Role], lang: str = "zh", *, series: bool = False
                     ) -> tuple[User, PlanData] | None:
    """The start every signed-in page shares: the heading and sign-in, then the account's right to the page (one of
    `roles`) and a store with a plan: the one chosen in the sidebar, or with `series` every series of every plan (what
    a department's file is checked against). None, with the reason shown, when any of these is missing."""
    signed = signed_in_page(title_key, lang, series=series)
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


def signed_in_page(title_key: str, lang: str = "zh", *, series: bool = False) -> tuple[User, PlanData | None] | None:
    """The heading every signed-in page shares: its title, the plan's name, then the way to sign in or who is signed in.

    None when nobody is signed in yet (the link to the sign-in page is shown), or while the account must change its
    password (only the 修改密码 form is shown)."""
    st.title(t(title_key, lang))
    plan = store_series() if series else store_plan()
    if plan is not None and not series:
        st.caption(plan.info.name_zh if lang == "zh" else plan.info.name_en)
    elif plan is not None:  # a department's file serves every plan that targets its series
        st.caption(t("submit.serves-plans", lang, plans="、".join(served_plans(lang))))
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

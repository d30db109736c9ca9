"""The dashboard's web server: Streamlit's own ASGI app (st.App) for the pages of app.py, with the two routes that
bind a sign-in to the browser — /api/signin (a small form; on success an HttpOnly, SameSite=Strict cookie holds the
session token) and /api/signout — and the security headers every answer carries.

Passwords are typed into a plain HTML form posted to this server, never into the Streamlit session: a sign-in lives in
the browser's cookie and in the store (pipelines.workflow.sessions), not in a session any client could attach to.
Started by scripts/run.sh as `streamlit run server.py`; Streamlit finds `app` and serves it.
"""
from __future__ import annotations

import html
import secrets
from functools import lru_cache
from urllib.parse import quote, urlsplit

import streamlit as st
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from models.db import create_schema, make_engine
from pipelines.core.catalog import LANGS, t
from pipelines.workflow.accounts import Refusal, User, authenticate, demo_sign_in_allowed, is_loopback
from pipelines.workflow.sessions import ABSOLUTE, COOKIE, end_session, proves_sign_out, start_session

CSRF_COOKIE = "kpi_signin_csrf"
HEADERS = {  # what a proxy in front should add as well (README, 部署): these hold without one
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=1)
def store() -> Engine:
    """The store the pages use (KPI_DB_URL, or the embedded SQLite file), its schema up to date."""
    engine = make_engine()
    create_schema(engine)
    return engine


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def _next(target: str | None) -> str:
    """Where to go after signing in or out: a path of this site only (never another site, never //host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_of(request: Request) -> str:
    """The browser's address, which sign-in failures are counted by. Behind the proxy the README sets up, the
    connection comes from loopback and the proxy's X-Real-IP names the browser; a direct loopback visitor is
    this machine's own user ('' : then only the account is throttled)."""
    host = request.client.host if request.client else ""
    if is_loopback(host):
        return request.headers.get("x-real-ip", "").strip()[:100]
    return host


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def _page(lang: str, target: str, csrf: str, message: str = "", username: str = "") -> str:
    e = html.escape
    error = f'<p class="error" role="alert">{e(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(t("signin.submit", lang))}</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:26rem;margin:4rem auto;
padding:0 1rem}}
label{{display:block;margin-top:1rem}}input{{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}}
button{{margin-top:1.5rem;padding:.6rem 1.5rem;font-size:1rem}}.error{{color:#a40000;font-weight:bold}}</style></head>
<body><h1>{e(t("ui.app-title", lang))}</h1><p>{e(t("signin.needed", lang))}</p>{error}
<form method="post" action="/api/signin?lang={lang}&amp;next={e(quote(target, safe="/"))}">
<input type="hidden" name="csrf" value="{e(csrf)}">
<label for="username">{e(t("signin.username", lang))}</label>
<input id="username" name="username" autocomplete="username" maxlength="100" value="{e(username)}" required autofocus>
<label for="password">{e(t("signin.password", lang))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="128" required>
<button type="submit">{e(t("signin.submit", lang))}</button></form>
<p><a href="{e(target)}">{e(t("signin.back", lang))}</a></p></body></html>"""


def _form(request: Request, message: str = "", username: str = "", status: int = 200) -> Response:
    """The sign-in form with a fresh anti-forgery token (also in a cookie: the post must carry both alike)."""
    csrf = secrets.token_urlsafe(24)
    response = HTMLResponse(_page(_lang(request), _next(request.query_params.get("next")), csrf, message, username),
                            status_code=status, headers={"Cache-Control": "no-store"})
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request), path="/api/")
    return response


async def signin(request: Request) -> Response:
    if request.method == "GET":
        return _form(request)
    lang = _lang(request)
    form = await request.form()
    sent, kept = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
    username, password = str(form.get("username", ""))[:100], str(form.get("password", ""))[:128]
    if not kept or not secrets.compare_digest(sent, kept):
        return _form(request, t("signin.expired", lang), username, status=403)
    outcome = await run_in_threadpool(authenticate, store(), username, password, client=client_of(request))
    if isinstance(outcome, Refusal):
        return _form(request, outcome.message(lang), username, status=429)
    if outcome is None:
        return _form(request, t("signin.failed", lang), username, status=401)
    if outcome.demo and not await run_in_threadpool(_demo_may_sign_in, request):
        return _form(request, t("signin.demo-refused", lang), username, status=403)
    return await run_in_threadpool(_signed_in, request, outcome)


def _demo_may_sign_in(request: Request) -> bool:
    """A demo account (published password) signs in only on a demo installation: a server that listens on loopback
    only, over a store that holds nothing but the shipped samples and what demo accounts sent."""
    server = request.scope.get("server") or ("", 0)
    return is_loopback(str(server[0])) and demo_sign_in_allowed(store())


def _signed_in(request: Request, user: User) -> Response:
    token = start_session(store(), user.username, client=client_of(request))
    response = RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(ABSOLUTE.total_seconds()), httponly=True, samesite="strict",
                        secure=_secure(request), path="/")
    response.delete_cookie(CSRF_COOKIE, path="/api/")
    return response


async def signout(request: Request) -> Response:
    """Sign-out from the page's link: ends the session in every tab (the link's proof is derived from the token, so
    another site cannot sign the reader out)."""
    token = request.cookies.get(COOKIE)
    response = RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    if proves_sign_out(token, request.query_params.get("proof", "")):
        await run_in_threadpool(end_session, store(), token)
        response.delete_cookie(COOKIE, path="/")
    return response


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


app = st.App("app.py", routes=[Route("/api/signin", signin, methods=["GET", "POST"]),
                               Route("/api/signout", signout, methods=["GET"])],
             middleware=[Middleware(SecurityHeaders)])

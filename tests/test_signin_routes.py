"""The sign-in that binds a session to a browser (server.py): the form posted to /api/signin with an anti-forgery
token, the throttle's lock said in Chinese, the HttpOnly SameSite cookie that names a session in the store, a safe way
back, demo accounts only on a loopback demo installation, and sign-out that needs its proof. The session rules
themselves (idle 30 minutes, absolute 12 hours, an account disabled, a password changed) are tested at the end."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import new_store
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.testclient import TestClient

import server
from pipelines.workflow.accounts import ACCOUNT_FAILURES, SUBMITTER, add_user, ensure_demo_accounts, set_active
from pipelines.workflow.sessions import (
    ABSOLUTE,
    COOKIE,
    IDLE,
    end_other_sessions,
    resume_session,
    sign_out_proof,
    start_session,
)

GOOD = "紫藤花开在华阳路17号"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    engine, _ = new_store(tmp_path)
    add_user(engine, "zhang", "张老师", GOOD, (SUBMITTER,), ("KW",))
    ensure_demo_accounts(engine)
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    server.store.cache_clear()
    app = Starlette(routes=[Route("/api/signin", server.signin, methods=["GET", "POST"]),
                            Route("/api/signout", server.signout)], middleware=[Middleware(server.SecurityHeaders)])
    with TestClient(app, base_url="https://kpi.example.gov.cn", follow_redirects=False) as test_client:
        yield test_client
    server.store.cache_clear()
    engine.dispose()


def post(client: TestClient, username: str, password: str, next_: str = "/submit") -> object:
    form = client.get(f"/api/signin?next={next_}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    return client.post(f"/api/signin?next={next_}", data={"csrf": csrf.group(1), "username": username,
                                                            "password": password})


def test_the_form_is_chinese_not_cached_and_carries_an_anti_forgery_token(client: TestClient) -> None:
    page = client.get("/api/signin?next=/submit")
    assert page.status_code == 200 and "账号" in page.text and "密码" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert "httponly" in page.headers["set-cookie"].lower()
    forged = client.post("/api/signin", data={"csrf": "made-up", "username": "zhang", "password": GOOD})
    assert forged.status_code == 403 and "已过期" in forged.text and COOKIE not in forged.cookies


def test_a_good_password_sets_an_httponly_samesite_cookie_naming_a_session(client: TestClient) -> None:
    answer = post(client, "zhang", GOOD)
    assert answer.status_code == 303 and answer.headers["location"] == "/submit"  # type: ignore[attr-defined]
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))  # type: ignore[attr-defined]
    assert {"httponly", "samesite=strict", "secure", "path=/"} <= {p.strip().lower() for p in cookie.split(";")}
    token = cookie.split(";")[0].split("=", 1)[1]
    user = resume_session(server.store(), token)
    assert user is not None and user.username == "zhang"


def test_wrong_passwords_are_refused_then_the_account_is_locked_with_the_wait_said(client: TestClient) -> None:
    for _ in range(ACCOUNT_FAILURES):
        wrong = post(client, "zhang", "not-the-password")
        assert wrong.status_code == 401 and "账号或密码不正确" in wrong.text  # type: ignore[attr-defined]
    locked = post(client, "zhang", GOOD)
    assert locked.status_code == 429 and "请 15 分钟后再试" in locked.text  # type: ignore[attr-defined]
    assert COOKIE not in locked.cookies  # type: ignore[attr-defined]


def test_the_way_back_stays_on_this_site_and_typed_text_is_drawn_as_text(client: TestClient) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert post(client, "zhang", GOOD, target).headers["location"] == "/"  # type: ignore[attr-defined]
    hostile = '"><script>alert(1)</script>'
    answer = post(client, hostile, "x")
    assert "<script>alert(1)</script>" not in answer.text and "&lt;script&gt;" in answer.text  # type: ignore[attr-defined]


def test_demo_accounts_sign_in_only_on_a_loopback_demo_installation(client: TestClient, tmp_path: Path) -> None:
    away = post(client, "demo-kw", "demo")  # this client's server is kpi.example.gov.cn, not loopback
    assert away.status_code == 403 and "演示账号只能" in away.text  # type: ignore[attr-defined]
    local = TestClient(client.app, base_url="http://127.0.0.1:8501", follow_redirects=False)
    assert post(local, "demo-kw", "demo").status_code == 303  # type: ignore[attr-defined]


def test_sign_out_needs_its_proof_and_ends_the_session_in_every_tab(client: TestClient) -> None:
    answer = post(client, "zhang", GOOD)
    token = answer.cookies[COOKIE]  # type: ignore[attr-defined]
    client.cookies.set(COOKIE, token)
    client.get("/api/signout?proof=forged-elsewhere")
    assert resume_session(server.store(), token) is not None  # another site cannot sign the reader out
    out = client.get(f"/api/signout?proof={sign_out_proof(token)}&next=/submit")
    assert out.status_code == 303 and out.headers["location"] == "/submit"
    assert resume_session(server.store(), token) is None


def test_a_session_ends_when_idle_or_old_or_its_account_is_disabled_or_elsewhere_on_a_new_password(
        client: TestClient) -> None:
    engine, start = server.store(), dt.datetime(2026, 3, 2, 9, 0)
    idle = start_session(engine, "zhang", now=start)
    assert resume_session(engine, idle, now=start + IDLE - dt.timedelta(seconds=1)) is not None
    assert resume_session(engine, idle, now=start + 2 * IDLE) is None  # 30 minutes after it was last seen
    busy = start_session(engine, "zhang", now=start)
    for minutes in range(0, int(ABSOLUTE.total_seconds() // 60), 20):  # a reader active all day
        assert resume_session(engine, busy, now=start + dt.timedelta(minutes=minutes)) is not None
    assert resume_session(engine, busy, now=start + ABSOLUTE + dt.timedelta(minutes=1)) is None
    here, there = start_session(engine, "zhang"), start_session(engine, "zhang")
    end_other_sessions(engine, "zhang", keep=here)  # after a password change in `here`
    assert resume_session(engine, here) is not None and resume_session(engine, there) is None
    assert set_active(engine, "zhang", False) is None
    assert resume_session(engine, here) is None
    assert resume_session(engine, None) is None and resume_session(engine, "not-a-token") is None

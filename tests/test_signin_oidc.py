"""Sign-in through the district's identity provider (st.login, OIDC) when secrets hold an [auth] section: the
password form gives way to the provider's button, a signed-in e-mail gets the rights of the local account of that
name, and an unknown or disabled e-mail gets none. The provider itself is simulated by AppTest's user."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from conftest import new_store
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from pipelines.core.config import ROOT
from pipelines.present.formatting import plain
from pipelines.workflow.accounts import SUBMITTER, add_user, set_active

SUBMIT = str(ROOT / "views" / "screens" / "submit.py")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only",
        "client_id": "kpi", "client_secret": "test-only",
        "server_metadata_url": "https://idp.example.invalid/.well-known/openid-configuration"}
EMAIL = "wang@kw.example.invalid"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine, _plan = new_store(tmp_path)
    made = add_user(engine, EMAIL, "王科员", "unused-with-oidc", (SUBMITTER,), ("KW",))
    assert not hasattr(made, "check"), made
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    st.cache_resource.clear()
    yield engine
    st.cache_resource.clear()
    engine.dispose()


def run_as(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(SUBMIT, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_signed_out_sees_the_identity_providers_button_and_no_password_form(engine: Engine) -> None:
    at = run_as({"is_logged_in": False})
    assert [b.key for b in at.button] == ["signin-oidc"]
    assert [b.label for b in at.button] == ["使用统一身份认证登录"]
    assert not at.text_input


def test_a_signed_in_email_gets_the_rights_of_its_local_account(engine: Engine) -> None:
    at = run_as({"is_logged_in": True, "email": EMAIL, "email_verified": True, "name": "王科员"})
    assert at.selectbox(key="dept").value == "KW"
    assert any(plain(EMAIL) in c.value and "王科员" in c.value for c in at.caption)  # drawn as text


@pytest.mark.parametrize("verified", [False, None, "false", 1])
def test_an_email_the_provider_has_not_verified_matches_no_local_account(engine: Engine, verified: object) -> None:
    claims = {"is_logged_in": True, "email": EMAIL, "name": "王科员"}
    at = run_as(claims if verified is None else {**claims, "email_verified": verified})
    assert not [s for s in at.selectbox if s.key == "dept"]
    assert [w.value for w in at.warning] == ["当前账号没有填报权限，请联系管理员开通"]


@pytest.mark.parametrize("case", ["unknown", "disabled"])
def test_an_unknown_or_disabled_email_gets_no_rights(engine: Engine, case: str) -> None:
    if case == "disabled":
        assert set_active(engine, EMAIL, False) is None
    email = EMAIL if case == "disabled" else "someone@elsewhere.example.invalid"
    at = run_as({"is_logged_in": True, "email": email, "email_verified": True, "name": "某人"})
    assert not [s for s in at.selectbox if s.key == "dept"]
    assert not at.get("file_uploader")
    assert [w.value for w in at.warning] == ["当前账号没有填报权限，请联系管理员开通"]

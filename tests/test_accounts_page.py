"""The 账号管理 page driven through AppTest against a fresh store (admins only; the list in Chinese; add, disable,
enable, reset; user text drawn as text), the server-side checks behind it, and where the 演示账号 may sign in."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from conftest import HEADER, csv_bytes, new_store
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from pipelines.core.config import ROOT, SAMPLES_DIR
from pipelines.intake.ingest import ACCEPTED, IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.present.formatting import plain
from pipelines.workflow.accounts import (
    ADMIN,
    REVIEWER,
    SUBMITTER,
    VIEWER,
    Refusal,
    User,
    add_user,
    admin_add_user,
    admin_reset_password,
    admin_set_active,
    authenticate,
    check_has_role,
    demo_sign_in_allowed,
    ensure_demo_accounts,
    is_loopback,
    read_user,
    set_password,
)
from pipelines.workflow.sessions import start_session
from tests.dashboard_fixtures import Store
from views.shared import signin

ACCOUNTS = str(ROOT / "views" / "screens" / "accounts.py")
PASSWORD = "violet-harbour-17"  # passes the password policy
HOSTILE = "**审定人：区长（已签批）** ![x](http://e.invalid/a.png) <b>x</b>"
TOKEN_KEY = "test_session_token"  # where a test keeps its AppTest session's sign-in token (see sign_in)
ADMIN_USER = User("demo-admin", "管理员", (ADMIN,))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, PlanData]]:
    engine, plan = new_store(tmp_path)
    ensure_demo_accounts(engine)
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    # AppTest cannot send a browser's cookie: each AppTest session hands its own token to the sign-in instead
    monkeypatch.setattr(signin, "browser_token", lambda: st.session_state.get(TOKEN_KEY))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine, plan
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()


def sign_in(at: AppTest, engine: Engine, username: str) -> None:
    """The one place that signs a test's page session in as `username` (swap it here when the sign-in changes): a
    sign-in session in the store, as the sign-in route starts one, whose token this AppTest session holds in place of
    the browser's cookie (the store fixture's browser_token reads it). Unlike conftest.sign_in_browser, which stands
    for one browser at a time, each AppTest keeps its own account, so two pages can be open as two people."""
    at.session_state[TOKEN_KEY] = start_session(engine, username)


def open_page(engine: Engine, username: str | None) -> AppTest:
    at = AppTest.from_file(ACCOUNTS, default_timeout=60)
    if username:
        sign_in(at, engine, username)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def accounts_table(at: AppTest) -> dict[str, dict[str, str]]:
    frame = at.dataframe[0].value
    return {str(row["账号"]): {str(k): str(v) for k, v in row.items()} for row in frame.to_dict("records")}


def pick(at: AppTest, username: str) -> AppTest:
    at.selectbox(key="manage-pick").set_value(username)
    return run(at)


def add_account(at: AppTest, username: str, name: str, roles: list[str], departments: list[str],
                password: str = PASSWORD, repeat: str | None = None) -> AppTest:
    at.text_input(key="new-username").set_value(username)
    at.text_input(key="new-name").set_value(name)
    at.multiselect(key="new-roles").set_value(roles)
    at.multiselect(key="new-departments").set_value(departments)
    at.text_input(key="new-password").set_value(password)
    at.text_input(key="new-repeat").set_value(password if repeat is None else repeat)
    at.button(key="add").click()
    return run(at)


# ---- the page ------------------------------------------------------------------------------------------------

def test_the_page_refuses_a_non_admin(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    for username in ("demo-reviewer", "demo-kw", "demo-leader"):
        at = open_page(engine, username)
        assert "此操作需要管理员账号" in texts(at, "warning")
        assert not at.dataframe and not [b for b in at.button if b.key in {"add", "disable", "reset"}]


def test_the_page_asks_to_sign_in_first(store: tuple[Engine, PlanData]) -> None:
    at = open_page(store[0], None)
    assert not at.dataframe and not at.text_input


def test_an_admin_sees_every_account_with_chinese_roles_and_department_names(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = open_page(engine, "demo-admin")
    table = accounts_table(at)

    assert sorted(table) == ["demo-admin", "demo-kw", "demo-leader", "demo-rcb", "demo-reviewer"]
    assert table["demo-kw"]["角色"] == "填报" and table["demo-kw"]["单位"] == "区科委"
    assert table["demo-rcb"]["单位"] == "区人才办"
    assert table["demo-admin"]["角色"] == "管理、审核、查看"
    assert table["demo-leader"]["角色"] == "查看" and table["demo-leader"]["单位"] == ""
    assert {row["状态"] for row in table.values()} == {"启用"}
    assert {row["演示账号"] for row in table.values()} == {"演示账号"}
    raw = {"viewer", "submitter", "reviewer", "admin", "KW", "RCB"}
    for row in table.values():
        assert not raw & set(row["角色"].split("、")) and not raw & set(row["单位"].split("、"))
        assert not any(code in row["角色"] + row["单位"] for code in raw)
    # the add form's choosers say what to do in Chinese, not Streamlit's "Choose options"
    assert {at.multiselect(key=k).placeholder for k in ("new-roles", "new-departments")} == {"请选择（可多选）"}


def test_the_review_page_points_to_the_accounts_page(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = AppTest.from_file(str(ROOT / "views" / "screens" / "review.py"), default_timeout=60)
    sign_in(at, engine, "demo-admin")
    run(at)
    assert any("账号管理" in c for c in texts(at, "caption"))
    assert not any("账号" in list(d.value.columns) for d in at.dataframe)


def test_an_admin_adds_an_account_that_must_change_its_password(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = add_account(open_page(engine, "demo-admin"), "wang", "王某某", [SUBMITTER], ["KW", "JSL"])

    assert any("wang" in s for s in texts(at, "success")), texts(at, "error")
    made = read_user(engine, "wang")
    assert made is not None and made.must_change_password and made.active and not made.demo
    assert made.roles == (SUBMITTER,) and made.departments == ("KW", "JSL")
    assert accounts_table(at)["wang"]["单位"] == "区科委、江苏路街道"
    assert accounts_table(at)["wang"]["状态"] == "须改密码"
    assert at.text_input(key="new-username").value == "" and at.text_input(key="new-password").value == ""
    signed = authenticate(engine, "wang", PASSWORD)
    assert isinstance(signed, User) and signed.must_change_password
    assert check_has_role(signed, (SUBMITTER,)) == Refusal("password-must-change")


def test_adding_is_refused_with_a_reason(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = open_page(engine, "demo-admin")
    add_account(at, "li", "李某", [VIEWER], [], repeat="something-else-9")
    assert texts(at, "error") == ["两次输入的密码不一致"]
    add_account(at, "li", "李某", [SUBMITTER], [])
    assert texts(at, "error") == ["填报账号须选择至少一个单位"]
    add_account(at, "li", "李某", [VIEWER], [], password="password123")
    assert texts(at, "error") == ["此密码过于常见，容易被猜中，请换一个"]
    add_account(at, "demo-kw", "x", [VIEWER], [])
    assert texts(at, "error") == [plain("账号“demo-kw”已存在")]
    assert read_user(engine, "li") is None


def test_an_admin_disables_and_enables_an_account(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    add_user(engine, "zhao", "赵某", PASSWORD, (VIEWER,))
    at = pick(open_page(engine, "demo-admin"), "zhao")
    at.button(key="disable").click()
    run(at)

    assert any("zhao" in s and "停用" in s for s in texts(at, "success"))
    assert accounts_table(at)["zhao"]["状态"] == "停用"
    assert authenticate(engine, "zhao", PASSWORD) is None  # can no longer sign in

    at.button(key="enable").click()
    run(at)
    assert accounts_table(at)["zhao"]["状态"] == "启用"
    assert isinstance(authenticate(engine, "zhao", PASSWORD), User)


def test_a_disabled_account_is_out_of_its_open_page_at_once(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    other = open_page(engine, "demo-reviewer")
    assert "此操作需要管理员账号" in texts(other, "warning")
    at = pick(open_page(engine, "demo-admin"), "demo-reviewer")
    at.button(key="disable").click()
    run(at)
    run(other)
    assert "此操作需要管理员账号" not in texts(other, "warning")  # signed out: the sign-in is asked for instead
    assert read_user(engine, "demo-reviewer") is not None and not read_user(engine, "demo-reviewer").active  # type: ignore[union-attr]


def test_an_admin_cannot_disable_themself(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = pick(open_page(engine, "demo-admin"), "demo-admin")
    assert at.button(key="disable").disabled and at.button(key="reset").disabled
    assert any("本人" in i for i in texts(at, "info"))

    # a click that reached the server anyway (a browser cannot click a disabled button; a crafted message could) is
    # refused there
    assert admin_set_active(engine, read_user(engine, "demo-admin"), "demo-admin", False) == Refusal("admin-own-account")
    assert read_user(engine, "demo-admin").active  # type: ignore[union-attr]


def test_a_reset_sets_a_temporary_password_the_account_must_change(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    add_user(engine, "sun", "孙某", PASSWORD, (REVIEWER,))
    at = pick(open_page(engine, "demo-admin"), "sun")
    at.text_input(key="reset-password").set_value("temporary-lantern-42")
    at.text_input(key="reset-repeat").set_value("temporary-lantern-4")
    at.button(key="reset").click()
    run(at)
    assert texts(at, "error") == ["两次输入的密码不一致"]
    assert not read_user(engine, "sun").must_change_password  # type: ignore[union-attr]

    at.text_input(key="reset-password").set_value("temporary-lantern-42")
    at.text_input(key="reset-repeat").set_value("temporary-lantern-42")
    at.button(key="reset").click()
    run(at)
    assert any("sun" in s for s in texts(at, "success")), texts(at, "error")
    assert read_user(engine, "sun").must_change_password  # type: ignore[union-attr]
    assert authenticate(engine, "sun", PASSWORD) is None
    assert isinstance(authenticate(engine, "sun", "temporary-lantern-42"), User)
    assert at.text_input(key="reset-password").value == ""
    assert accounts_table(at)["sun"]["状态"] == "须改密码"


def test_a_hostile_display_name_is_shown_as_text(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = add_account(open_page(engine, "demo-admin"), "evil", HOSTILE, [VIEWER], [])

    assert read_user(engine, "evil").display_name == HOSTILE  # type: ignore[union-attr]
    assert accounts_table(at)["evil"]["姓名"] == HOSTILE  # a dataframe cell is text already
    assert texts(at, "success") == [plain(f"已新增账号evil（{HOSTILE}），首次登录时须修改密码")]
    pick(at, "evil")
    chosen = [c for c in texts(at, "caption") if "evil" in c]
    assert chosen and plain(HOSTILE) in chosen[0]
    for kind in ("markdown", "caption", "success", "error", "warning", "info"):
        for shown in texts(at, kind):
            assert "**审定人" not in shown and "![x](" not in shown and "<b>" not in shown, (kind, shown)


# ---- the server side -----------------------------------------------------------------------------------------

def test_the_admin_functions_refuse_a_non_admin_actor(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    add_user(engine, "zhou", "周某", PASSWORD, (VIEWER,))
    for actor in (None, read_user(engine, "demo-reviewer"), read_user(engine, "demo-kw"),
                  User("old-admin", "x", (ADMIN,), active=False), User("reset-admin", "x", (ADMIN,),
                                                                         must_change_password=True)):
        expected = "not-signed-in" if actor is None or not actor.active else (
            "password-must-change" if actor.must_change_password else "not-an-admin")
        added = admin_add_user(engine, actor, "qian", "钱某", PASSWORD, (VIEWER,))
        assert isinstance(added, Refusal) and added.check == expected
        assert admin_set_active(engine, actor, "zhou", False) == Refusal(expected)
        assert admin_reset_password(engine, actor, "zhou", "temporary-lantern-42") == Refusal(expected)
    assert read_user(engine, "qian") is None
    zhou = read_user(engine, "zhou")
    assert zhou is not None and zhou.active and not zhou.must_change_password


def test_the_admin_functions_refuse_acting_on_oneself_and_bad_input(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    assert admin_set_active(engine, ADMIN_USER, "demo-admin", False) == Refusal("admin-own-account")
    assert admin_reset_password(engine, ADMIN_USER, "demo-admin", "temporary-lantern-42") == Refusal("admin-own-reset")
    assert admin_set_active(engine, ADMIN_USER, "nobody", False) == Refusal("no-such-user", (("username", "nobody"),))

    def check(*args: object) -> str:
        made = admin_add_user(engine, ADMIN_USER, *args)  # type: ignore[arg-type]
        return made.check if isinstance(made, Refusal) else "added"

    assert check("has space", "x", PASSWORD, (VIEWER,)) == "bad-username"
    assert check("", "x", PASSWORD, (VIEWER,)) == "bad-username"
    assert check("x" * 101, "x", PASSWORD, (VIEWER,)) == "bad-username"
    assert check("long", "名" * 201, PASSWORD, (VIEWER,)) == "name-too-long"
    assert check("ghost", "x", PASSWORD, (SUBMITTER,), ("NOPE",)) == "unknown-department"
    assert check("boss", "x", PASSWORD, ("boss",)) == "unknown-role"
    assert check("ok", "好", PASSWORD, (SUBMITTER,), ("KW",)) == "added"
    assert read_user(engine, "ok").must_change_password  # type: ignore[union-attr]


def test_the_lacking_role_message_of_an_admin_page(store: tuple[Engine, PlanData]) -> None:
    assert check_has_role(read_user(store[0], "demo-reviewer"), (ADMIN,)) == Refusal("not-an-admin")
    assert check_has_role(read_user(store[0], "demo-admin"), (ADMIN,)) is None


# ---- 演示账号: where they may sign in -----------------------------------------------------------------------------

def test_demo_sign_in_is_allowed_on_the_samples_alone(sample_store: Store) -> None:
    assert demo_sign_in_allowed(sample_store.engine)


def test_demo_sign_in_is_allowed_on_a_store_without_submissions(plan_only_store: Store) -> None:
    assert demo_sign_in_allowed(plan_only_store.engine)


def test_demo_sign_in_is_not_allowed_once_another_file_is_in_the_store(fresh_sample_store: Store) -> None:
    engine, plan = fresh_sample_store.engine, fresh_sample_store.plan
    extra = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1234", "非示例数据"]])
    result = ingest_bytes(engine, plan, IngestRequest("real.csv", extra, department="KW", submitter="wang"))
    assert result.outcome == ACCEPTED, result.as_dict()

    assert not demo_sign_in_allowed(engine)


def test_files_the_demo_accounts_sent_keep_a_demo_store(fresh_sample_store: Store) -> None:
    engine, plan = fresh_sample_store.engine, fresh_sample_store.plan
    ensure_demo_accounts(engine)
    tried = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1234", "试用"]])
    result = ingest_bytes(engine, plan, IngestRequest("try.csv", tried, department="KW", submitter="demo-kw"))
    assert result.outcome == ACCEPTED, result.as_dict()
    assert demo_sign_in_allowed(engine)

    add_user(engine, "wang", "王某某", PASSWORD, (SUBMITTER,), ("KW",))
    again = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1300", "真实"]])
    assert ingest_bytes(engine, plan, IngestRequest("x.csv", again, department="KW", submitter="wang")).outcome == ACCEPTED
    assert not demo_sign_in_allowed(engine)


def test_demo_sign_in_compares_with_the_folder_it_is_given(sample_store: Store, tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_bytes(b"not a sample")
    assert not demo_sign_in_allowed(sample_store.engine, tmp_path)
    assert demo_sign_in_allowed(sample_store.engine, SAMPLES_DIR)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "[::1]", "localhost",
                                  "LOCALHOST", "localhost.", " 127.0.0.1 ", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"])
def test_is_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::", "10.0.0.1", "192.168.1.20", "128.0.0.1", "::2",
                                  "::ffff:10.0.0.1", "localhost.example.com", "127.0.0.1.example.com",
                                  "evil-localhost", "kpi.example.gov.cn", "127.0.0.1:8501", "not an address"])
def test_is_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_set_password_after_a_reset_clears_must_change(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    add_user(engine, "wu", "吴某", PASSWORD, (VIEWER,))
    assert admin_reset_password(engine, ADMIN_USER, "wu", "temporary-lantern-42") is None
    assert set_password(engine, "wu", "my-own-phrase-2026") is None
    assert not read_user(engine, "wu").must_change_password  # type: ignore[union-attr]


def test_demo_store_and_admin_checks_on_each_backend(tmp_path: Path, backend: str) -> None:
    engine, plan = new_store(tmp_path, backend=backend)
    try:
        ensure_demo_accounts(engine)
        assert demo_sign_in_allowed(engine)  # no submission yet
        tried = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1234", "试用"]])
        assert ingest_bytes(engine, plan, IngestRequest("t.csv", tried, submitter="demo-kw")).outcome == ACCEPTED
        assert demo_sign_in_allowed(engine)
        real = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "1300", "真实"]])
        assert ingest_bytes(engine, plan, IngestRequest("r.csv", real)).outcome == ACCEPTED  # no submitter: the CLI
        assert not demo_sign_in_allowed(engine)

        made = admin_add_user(engine, ADMIN_USER, "feng", HOSTILE, PASSWORD, (SUBMITTER,), ("KW", "RCB"))
        assert isinstance(made, User) and made.must_change_password
        assert read_user(engine, "feng") == made
        assert admin_add_user(engine, ADMIN_USER, "chen", "x", PASSWORD, (SUBMITTER,), ("XX",)) == Refusal(
            "unknown-department", (("department", "XX"),))
        assert admin_set_active(engine, ADMIN_USER, "feng", False) is None
        assert authenticate(engine, "feng", PASSWORD) is None
    finally:
        engine.dispose()

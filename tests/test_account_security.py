"""Accounts to OWASP ASVS level 2: the password policy (length, not the account's name, not a common password; the
演示账号 exempt), sign-in throttling (an account after 5 failures, a client after 20, for 15 minutes, without running
argon2 while locked), an administrator's reset that the account must replace before anything else, the CLI's
passwd and reset, the sign-in page's lock message and 修改密码 forms, and migration 0006 on a store made before it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
import streamlit as st
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from conftest import empty_store_url, new_store, sign_in_browser, sign_out_browser
from sqlalchemy import Engine, func, inspect, select, text
from streamlit.testing.v1 import AppTest

import pipelines.workflow.accounts as accounts
from models.db import alembic_config, create_schema, current_revision, head_revision, make_engine, writing
from models.schema import Base, SigninFailure
from pipelines.cli import run
from pipelines.core.config import ROOT
from pipelines.workflow.accounts import (
    ACCOUNT_FAILURES,
    CLIENT_FAILURES,
    DEMO_PASSWORD,
    SUBMITTER,
    VIEWER,
    Refusal,
    User,
    add_user,
    authenticate,
    change_password,
    check_can_submit,
    check_has_role,
    check_password,
    common_passwords,
    ensure_demo_accounts,
    hash_password,
    read_user,
    set_password,
)

GOOD = "violet-harbour-17"  # passes the policy
NEWER = "奶茶配油条也很好吃"  # nine Chinese characters: one short of the minimum
BETTER = "奶茶配油条也很好吃吧!"  # eleven: fine, no composition rules
T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
LOCKED_15 = "登录失败次数过多，请 15 分钟后再试"
SUBMIT = str(ROOT / "views" / "screens" / "submit.py")


class CountingHasher(PasswordHasher):
    """A cheap argon2 that counts its work: a locked sign-in must not verify (nor hash) anything."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = self.hashed = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_HASHER", counting)
    return counting


@pytest.fixture
def zhang(engine: Engine, hasher: CountingHasher) -> Engine:
    """The store with one submitter, zhang, whose password is GOOD."""
    assert isinstance(add_user(engine, "zhang", "张老师", GOOD, (SUBMITTER,), ("KW",)), User)
    return engine


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def failures(engine: Engine, username: str | None = None) -> int:
    query = select(func.count()).select_from(SigninFailure)
    if username is not None:
        query = query.where(SigninFailure.username == username)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def locked_message(outcome: object) -> str:
    assert isinstance(outcome, Refusal) and outcome.check == "signin-locked", outcome
    return outcome.message("zh")


# ---- the policy ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "password", "check"), [
    ("zhang", "", "empty-password"),
    ("zhang", "short-pw1", "password-too-short"),
    ("zhang", NEWER, "password-too-short"),
    ("zhang", "ab" + " " * 10 + "cd", "password-too-short"),  # runs of spaces count as one
    ("zhang", "x" * 129, "password-too-long"),
    ("zhangsan", "ZhangSan2025", "password-has-username"),  # any case
    ("zhangsan", "my-zhangsan-password", "password-has-username"),
    ("wang@kw.example.invalid", "wang-likes-tea", "password-has-username"),  # an e-mail's name before the @
    ("zhang", "Password123", "password-common"),  # compared in lower case
    *[("zhang", common, "password-common") for common in (
        "123456789a", "1234567890", "qwertyuiop", "password123", "a123456789", "woaini1314", "5201314520",
        "admin12345", "1qaz2wsx3edc", "qwe123456789")],
])
def test_the_policy_refuses_short_long_named_and_common_passwords(username: str, password: str, check: str) -> None:
    refused = check_password(username, password)

    assert isinstance(refused, Refusal) and refused.check == check
    assert refused.message("zh") and refused.message("en")


@pytest.mark.parametrize(("username", "password"), [
    ("zhang", GOOD), ("zhang", BETTER), ("li", "reliable lion at dawn"), ("zhang", "x" * 128),
    ("wang@kw.example.invalid", "tea-with-kw-colleagues")])
def test_the_policy_accepts_a_long_uncommon_password_with_no_composition_rules(username: str, password: str) -> None:
    assert check_password(username, password) is None


def test_the_shipped_list_holds_well_known_and_chinese_users_common_passwords() -> None:
    shipped = common_passwords()

    assert 500 <= len(shipped) <= 5000
    assert {"123456789", "1234567890", "qwertyuiop", "password123", "a123456789", "woaini1314", "5201314520",
            "iloveyou", "admin12345"} <= shipped
    assert all(p == p.lower() and not p.startswith("#") for p in shipped)
    assert "siliconalley2025" in shipped and GOOD not in shipped
    assert check_password("zhang", "short").message("zh") == "密码至少需要10个字符（可以是一句好记的话，空格也算）"  # type: ignore[union-attr]
    assert check_password("zhang", "woaini1314").message("zh") == "此密码过于常见，容易被猜中，请换一个"  # type: ignore[union-attr]


def test_add_user_refuses_a_weak_password_and_creates_nothing(engine: Engine) -> None:
    refused = add_user(engine, "li", "李老师", "password123", (VIEWER,))

    assert isinstance(refused, Refusal) and refused.check == "password-common"
    assert isinstance(add_user(engine, "lihua", "李华", "LiHua-1990-08", (VIEWER,)), Refusal)
    assert read_user(engine, "li") is None and read_user(engine, "lihua") is None


def test_the_demo_accounts_keep_their_published_password(engine: Engine) -> None:
    assert check_password("demo-kw", DEMO_PASSWORD) is not None  # it would fail the policy ...
    assert len(ensure_demo_accounts(engine)) == 5  # ... but the 演示账号 are made all the same

    user = authenticate(engine, "demo-kw", DEMO_PASSWORD)
    assert isinstance(user, User) and user.demo and not user.must_change_password


# ---- throttling ----------------------------------------------------------------------------------------------

def test_five_failures_lock_the_account_even_for_the_right_password_without_running_argon2(
        zhang: Engine, hasher: CountingHasher) -> None:
    for i in range(ACCOUNT_FAILURES):
        assert authenticate(zhang, "zhang", f"guess-{i}", now=at(i)) is None
    verified, hashed = hasher.verified, hasher.hashed

    last = ACCOUNT_FAILURES - 1
    assert locked_message(authenticate(zhang, "zhang", GOOD, now=at(ACCOUNT_FAILURES))) == LOCKED_15
    assert locked_message(authenticate(zhang, " zhang ", "guess-again", now=at(last + 10 * 60))) == (
        "登录失败次数过多，请 5 分钟后再试")
    assert (hasher.verified, hasher.hashed) == (verified, hashed)  # no argon2 at all while locked
    assert failures(zhang, "zhang") == ACCOUNT_FAILURES  # a locked attempt is not counted: the lock never stretches


def test_the_lock_ends_after_fifteen_minutes_and_a_success_forgets_the_failures(zhang: Engine) -> None:
    for i in range(ACCOUNT_FAILURES):
        authenticate(zhang, "zhang", "wrong-password", now=at(i))
    last = ACCOUNT_FAILURES - 1

    assert locked_message(authenticate(zhang, "zhang", GOOD, now=at(last + 15 * 60 - 1))).endswith("请 1 分钟后再试")
    user = authenticate(zhang, "zhang", GOOD, now=at(last + 15 * 60))
    assert user == User("zhang", "张老师", (SUBMITTER,), ("KW",))
    assert failures(zhang, "zhang") == 0
    for i in range(ACCOUNT_FAILURES - 1):  # four more: not yet locked, the success cleared the earlier ones
        authenticate(zhang, "zhang", "wrong-password", now=at(2000 + i))
    assert isinstance(authenticate(zhang, "zhang", GOOD, now=at(2010)), User)


def test_failures_spread_wider_than_the_window_do_not_lock(zhang: Engine) -> None:
    for minute in (0, 4, 8, 12, 16, 20):  # never five within fifteen minutes
        assert authenticate(zhang, "zhang", "wrong-password", now=at(minute * 60)) is None

    assert isinstance(authenticate(zhang, "zhang", GOOD, now=at(21 * 60)), User)


def test_an_unknown_name_locks_alike_so_locks_tell_nothing_about_which_names_exist(zhang: Engine) -> None:
    for i in range(ACCOUNT_FAILURES):
        assert authenticate(zhang, "nobody", GOOD, now=at(i)) is None

    assert locked_message(authenticate(zhang, "nobody", GOOD, now=at(10))) == LOCKED_15
    assert isinstance(authenticate(zhang, "zhang", GOOD, now=at(10)), User)  # another name is not locked


def test_twenty_failures_from_one_client_lock_that_client_whatever_the_names(
        zhang: Engine, hasher: CountingHasher) -> None:
    client = "203.0.113.7"
    for i in range(CLIENT_FAILURES):  # one failure for each of twenty names: no account reaches its limit
        assert authenticate(zhang, f"user{i}", "spray-password", client=client, now=at(i)) is None
    verified, hashed = hasher.verified, hasher.hashed

    assert locked_message(authenticate(zhang, "zhang", GOOD, client=client, now=at(30))) == LOCKED_15
    assert (hasher.verified, hasher.hashed) == (verified, hashed)
    assert isinstance(authenticate(zhang, "zhang", GOOD, client="198.51.100.2", now=at(31)), User)
    assert isinstance(authenticate(zhang, "zhang", GOOD, now=at(32)), User)  # an unknown client: the account only
    assert isinstance(authenticate(zhang, "zhang", GOOD, client=client, now=at(CLIENT_FAILURES - 1 + 15 * 60)),
                      User)


def test_old_failures_are_deleted_as_new_ones_are_written(zhang: Engine) -> None:
    for i in range(3):
        authenticate(zhang, f"user{i}", "wrong-password", now=at(i))
    authenticate(zhang, "someone", "wrong-password", now=at(31 * 60))  # past the 30 minutes the throttle looks at

    assert failures(zhang) == 1


# ---- change, reset, must change ------------------------------------------------------------------------------

def test_set_password_applies_the_policy_and_names_a_missing_account(zhang: Engine) -> None:
    assert set_password(zhang, "zhang", "zhang12345").check == "password-has-username"  # type: ignore[union-attr]
    assert set_password(zhang, "nobody", BETTER).check == "no-such-user"  # type: ignore[union-attr]
    assert set_password(zhang, "zhang", BETTER) is None

    assert authenticate(zhang, "zhang", GOOD) is None
    assert isinstance(authenticate(zhang, "zhang", BETTER), User)


def test_a_reset_account_must_change_its_password_before_it_may_do_anything(zhang: Engine) -> None:
    assert set_password(zhang, "zhang", "temporary-by-admin", must_change=True) is None
    user = authenticate(zhang, "zhang", "temporary-by-admin")

    assert isinstance(user, User) and user.must_change_password  # signed in, to change the password
    assert read_user(zhang, "zhang").must_change_password  # type: ignore[union-attr]
    assert check_can_submit(user, "KW").check == "password-must-change"  # type: ignore[union-attr]
    assert check_has_role(user, (SUBMITTER,)).check == "password-must-change"  # type: ignore[union-attr]
    assert not user.has(SUBMITTER)

    assert change_password(zhang, "zhang", "wrong-old-one", BETTER).check == "password-wrong-old"  # type: ignore[union-attr]
    assert change_password(zhang, "zhang", "temporary-by-admin", "temporary-by-admin").check == (  # type: ignore[union-attr]
        "password-unchanged")
    assert change_password(zhang, "zhang", "temporary-by-admin", "qwertyuiop").check == "password-common"  # type: ignore[union-attr]
    assert change_password(zhang, "zhang", "temporary-by-admin", BETTER) is None

    changed = read_user(zhang, "zhang")
    assert changed is not None and not changed.must_change_password and check_can_submit(changed, "KW") is None
    assert isinstance(authenticate(zhang, "zhang", BETTER), User) and authenticate(zhang, "zhang", GOOD) is None


def test_changing_a_password_is_throttled_like_signing_in(zhang: Engine, hasher: CountingHasher) -> None:
    for i in range(ACCOUNT_FAILURES):
        assert change_password(zhang, "zhang", f"guess-{i}", BETTER, now=at(i)).check == "password-wrong-old"  # type: ignore[union-attr]
    verified = hasher.verified

    assert locked_message(change_password(zhang, "zhang", GOOD, BETTER, now=at(10))) == LOCKED_15
    assert hasher.verified == verified


def test_a_reset_lifts_the_lock(zhang: Engine) -> None:
    for i in range(ACCOUNT_FAILURES):
        authenticate(zhang, "zhang", "wrong-password", now=at(i))
    assert set_password(zhang, "zhang", "temporary-by-admin", must_change=True) is None

    assert isinstance(authenticate(zhang, "zhang", "temporary-by-admin", now=at(10)), User)


# ---- the command line ----------------------------------------------------------------------------------------

def test_cli_passwd_and_reset_exit_0_done_1_refused_2_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'u.sqlite3'}"
    monkeypatch.setenv("KPI_NEW_PASSWORD", "password123")
    assert run(["users", "add", "li", "--roles", "viewer", "--db", db]) == 1
    assert "此密码过于常见" in capsys.readouterr().out
    monkeypatch.setenv("KPI_NEW_PASSWORD", GOOD)
    assert run(["users", "add", "li", "--roles", "viewer", "--db", db]) == 0

    monkeypatch.setenv("KPI_NEW_PASSWORD", "short")
    assert run(["users", "passwd", "li", "--db", db]) == 1
    assert "密码至少需要10个字符" in capsys.readouterr().out
    monkeypatch.delenv("KPI_NEW_PASSWORD")
    monkeypatch.setattr("getpass.getpass", lambda prompt: BETTER)  # no KPI_NEW_PASSWORD: the prompt
    assert run(["users", "passwd", "li", "--db", db]) == 0
    assert "已为账号li设置新密码" in capsys.readouterr().out

    engine = make_engine(db)
    assert isinstance(authenticate(engine, "li", BETTER), User)
    monkeypatch.setenv("KPI_NEW_PASSWORD", "temporary-by-admin")
    assert run(["users", "reset", "li", "--db", db]) == 0
    assert "下次登录时须修改密码" in capsys.readouterr().out
    assert read_user(engine, "li").must_change_password  # type: ignore[union-attr]
    assert run(["users", "list", "--db", db]) == 0
    assert "[须改密码/must change password]" in capsys.readouterr().out
    assert run(["users", "reset", "nobody", "--db", db]) == 1
    assert "账号“nobody”不存在" in capsys.readouterr().out

    assert run(["users", "passwd", "--db", db]) == 2
    assert run(["users", "reset"]) == 2
    engine.dispose()


# ---- the sign-in page ----------------------------------------------------------------------------------------

@pytest.fixture
def page_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hasher: CountingHasher) -> Iterator[Engine]:
    engine, _plan = new_store(tmp_path)
    assert isinstance(add_user(engine, "zhang", "张老师", GOOD, (SUBMITTER,), ("KW",)), User)
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()


def submit_page(username: str | None = None) -> AppTest:
    at = AppTest.from_file(SUBMIT, default_timeout=60)
    if username:
        sign_in_browser(username)
    else:
        sign_out_browser()
    return checked(at.run())


def checked(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def change(at: AppTest, old: str, new: str, repeat: str | None = None) -> AppTest:
    at.text_input(key="change-old").set_value(old)
    at.text_input(key="change-new").set_value(new)
    at.text_input(key="change-repeat").set_value(new if repeat is None else repeat)
    button = next(b for b in at.button if b.label == "确认修改")
    return checked(button.click().run())


def test_a_reset_account_sees_only_the_change_form_until_it_has_changed(page_store: Engine) -> None:
    assert set_password(page_store, "zhang", "temporary-by-admin", must_change=True) is None
    at = submit_page("zhang")  # signed in with the temporary password (tests/test_signin_routes.py)

    assert [w.value for w in at.warning] == ["管理员已重置您的密码，请先设置自己的新密码，然后才能继续使用"]
    assert not [s for s in at.selectbox if s.key == "dept"] and not at.get("file_uploader")
    assert not at.expander  # the form itself, not the expander

    at = change(at, "temporary-by-admin", BETTER, repeat=BETTER + "x")
    assert [e.value for e in at.error] == ["两次输入的新密码不一致"]
    at = change(at, "temporary-by-admin", "qwertyuiop")
    assert [e.value for e in at.error] == ["此密码过于常见，容易被猜中，请换一个"]
    at = change(at, "temporary-by-admin", BETTER)
    assert [s.value for s in at.success] == ["密码已修改"]
    assert at.selectbox(key="dept").value == "KW"  # the page itself now
    assert not read_user(page_store, "zhang").must_change_password  # type: ignore[union-attr]


def test_any_signed_in_account_may_change_its_password_under_the_expander(page_store: Engine) -> None:
    at = submit_page("zhang")
    assert [e.label for e in at.expander] == ["修改密码"]
    assert at.selectbox(key="dept").value == "KW"

    at = change(at, "wrong-old-one", BETTER)
    assert [e.value for e in at.error] == ["原密码不正确"]
    at = change(at, GOOD, BETTER)
    assert [s.value for s in at.success] == ["密码已修改"]
    assert isinstance(authenticate(page_store, "zhang", BETTER), User)


# ---- migration 0006 ------------------------------------------------------------------------------------------

def _migrate(engine: Engine, verb: str, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with writing(engine) as conn, conn.begin():
        config.attributes["connection"] = conn
        try:
            getattr(command, verb)(config, revision)
        finally:
            config.attributes.pop("connection", None)


def test_a_store_at_0005_keeps_its_accounts_and_gains_the_new_column_and_table(tmp_path: Path, backend: str) -> None:
    engine = make_engine(empty_store_url(tmp_path, backend))
    _migrate(engine, "upgrade", "0005")
    with writing(engine) as conn, conn.begin():
        conn.execute(text("INSERT INTO app_user (username, display_name, password_hash, roles, departments, active, "
                          "demo) VALUES ('old', '老账号', :h, 'viewer', '', :yes, :no)"),
                     {"h": hash_password(GOOD), "yes": True, "no": False})

    create_schema(engine)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    old = read_user(engine, "old")
    assert old is not None and not old.must_change_password
    assert isinstance(authenticate(engine, "old", GOOD), User)
    assert authenticate(engine, "old", "wrong-password") is None and failures(engine, "old") == 1

    _migrate(engine, "downgrade", "0005")
    with engine.connect() as conn:
        assert not inspect(conn).has_table("signin_failure")
        assert "must_change_password" not in {c["name"] for c in inspect(conn).get_columns("app_user")}
        assert conn.execute(text("SELECT username FROM app_user")).scalars().all() == ["old"]
    engine.dispose()

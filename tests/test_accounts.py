"""Local accounts: passwords stored only as argon2 hashes, sign-in, disabling, demo accounts, and the rights checks."""
from __future__ import annotations

from sqlalchemy import Engine, text

from pipelines.workflow.accounts import (
    ADMIN,
    DEMO_PASSWORD,
    REVIEWER,
    SUBMITTER,
    VIEWER,
    Refusal,
    User,
    add_user,
    authenticate,
    check_can_review,
    check_can_submit,
    check_is_admin,
    ensure_demo_accounts,
    list_users,
    set_active,
)

PASSWORD = "violet-harbour-17"  # passes the password policy (tests/test_account_security.py)


def test_add_user_stores_an_argon2_hash_never_the_password(engine: Engine) -> None:
    add_user(engine, "zhang", "张老师", "s3cret-pass", (SUBMITTER,), ("KW",))

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username = 'zhang'")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "s3cret-pass" not in stored


def test_authenticate_accepts_the_right_password_only(engine: Engine) -> None:
    add_user(engine, "zhang", "张老师", "s3cret-pass", (SUBMITTER,), ("KW",))

    user = authenticate(engine, "zhang", "s3cret-pass")
    assert user == User("zhang", "张老师", (SUBMITTER,), ("KW",))
    assert authenticate(engine, "zhang", "wrong") is None
    assert authenticate(engine, "nobody", "s3cret-pass") is None


def test_a_disabled_account_cannot_sign_in(engine: Engine) -> None:
    add_user(engine, "zhang", "张老师", PASSWORD, (VIEWER,))

    assert set_active(engine, "zhang", False) is None
    assert authenticate(engine, "zhang", PASSWORD) is None
    assert isinstance(set_active(engine, "nobody", False), Refusal)


def test_add_user_refuses_a_taken_name_an_unknown_role_and_a_submitter_without_department(engine: Engine) -> None:
    add_user(engine, "zhang", "张老师", PASSWORD, (VIEWER,))

    assert add_user(engine, "zhang", "x", PASSWORD, (VIEWER,)).check == "user-exists"  # type: ignore[union-attr]
    assert add_user(engine, "li", "x", PASSWORD, ("boss",)).check == "unknown-role"  # type: ignore[union-attr]
    assert add_user(engine, "li", "x", PASSWORD, (SUBMITTER,)).check == "submitter-needs-department"  # type: ignore[union-attr]


def test_demo_accounts_are_labelled_and_created_once(engine: Engine) -> None:
    made = ensure_demo_accounts(engine)

    assert made == ["demo-kw", "demo-rcb", "demo-reviewer", "demo-admin", "demo-leader"]
    assert ensure_demo_accounts(engine) == []
    assert all(u.demo and "演示账号" in u.display_name for u in list_users(engine))
    assert authenticate(engine, "demo-kw", DEMO_PASSWORD) is not None


def test_rights_submitter_only_for_bound_departments_reviewer_and_admin() -> None:
    kw = User("kw", "kw", (SUBMITTER,), ("KW",))
    reviewer = User("r", "r", (REVIEWER,))
    admin = User("a", "a", (ADMIN,))
    leader = User("l", "l", (VIEWER,))

    assert check_can_submit(kw, "KW") is None
    assert check_can_submit(kw, "RCB").check == "not-your-department"  # type: ignore[union-attr]
    assert check_can_submit(leader, "KW").check == "not-a-submitter"  # type: ignore[union-attr]
    assert check_can_submit(None, "KW").check == "not-signed-in"  # type: ignore[union-attr]
    assert check_can_review(reviewer) is None and check_can_review(admin) is None
    assert check_can_review(kw).check == "not-a-reviewer"  # type: ignore[union-attr]
    assert check_is_admin(admin) is None and check_is_admin(reviewer).check == "not-an-admin"  # type: ignore[union-attr]


def test_cli_users_add_list_disable_and_demo(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipelines.cli import run

    db = f"sqlite:///{tmp_path / 'u.sqlite3'}"
    monkeypatch.setenv("KPI_NEW_PASSWORD", "long-password")
    assert run(["users", "add", "li", "--name", "李老师", "--roles", "submitter", "--departments", "KW", "--db", db]) == 0
    assert run(["users", "add", "li", "--roles", "viewer", "--db", db]) == 1
    assert run(["users", "demo", "--db", db]) == 0
    assert run(["users", "disable", "li", "--db", db]) == 0
    capsys.readouterr()
    assert run(["users", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "li\t李老师\tsubmitter\tKW [停用/disabled]" in listed and "demo-reviewer" in listed
    assert "long-password" not in listed


def test_check_has_role_admits_any_of_the_roles_and_names_what_is_missing() -> None:
    from pipelines.workflow.accounts import VIEWER, User, check_has_role

    leader, clerk = User("leader", "区领导", (VIEWER,)), User("kw", "填报员", (SUBMITTER,), ("KW",))
    admin, gone = User("admin", "管理员", (ADMIN,)), User("old", "停用", (VIEWER,), active=False)

    assert check_has_role(leader, (VIEWER, REVIEWER)) is None and check_has_role(admin, (SUBMITTER,)) is None
    assert [check_has_role(clerk, roles).check for roles in ((VIEWER, REVIEWER), (REVIEWER,))] == [  # type: ignore[union-attr]
        "not-a-viewer", "not-a-reviewer"]
    assert check_has_role(leader, (SUBMITTER,)).check == "not-a-submitter"  # type: ignore[union-attr]
    assert check_has_role(gone, (VIEWER,)).check == "not-signed-in"  # type: ignore[union-attr]
    assert check_has_role(None, (VIEWER,)).check == "not-signed-in"  # type: ignore[union-attr]
    assert check_has_role(clerk, (VIEWER, REVIEWER)).message("zh") == "报送情况供区领导和审核人员查看，当前账号没有查看权限"  # type: ignore[union-attr]

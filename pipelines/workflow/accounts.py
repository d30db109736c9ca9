"""Local accounts and rights: argon2 password hashes in the store, roles, and the checks every write goes through.

Rights are checked here, on the server side, whatever the page shows: a page that hides a button is a convenience,
the refusal returned by these checks is the rule.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, insert, select, update

from models.db import writing
from models.schema import User as UserRow
from pipelines.core.catalog import t
from pipelines.core.periods import period_of_code

Role = Literal["viewer", "submitter", "reviewer", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
VIEWER, SUBMITTER, REVIEWER, ADMIN = ROLES
DEMO_PASSWORD = "demo"
# 演示账号 (demo only): created by `python -m pipelines users demo` for the sample data, never for real use.
DEMO_ACCOUNTS = (
    ("demo-kw", "演示账号·区科委填报员", (SUBMITTER,), ("KW",)),
    ("demo-rcb", "演示账号·区人才办填报员", (SUBMITTER,), ("RCB",)),
    ("demo-reviewer", "演示账号·区科委审核员", (REVIEWER, VIEWER), ()),
    ("demo-admin", "演示账号·管理员", (ADMIN, REVIEWER, VIEWER), ()),
    ("demo-leader", "演示账号·区领导", (VIEWER,), ()),
)
_HASHER = PasswordHasher()
_TABLE = UserRow.__table__


@dataclass(frozen=True)
class User:
    """A signed-in person: roles and the departments a submitter may send for."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...] = ()
    active: bool = True
    demo: bool = False

    def has(self, role: str) -> bool:
        return self.active and (role in self.roles or ADMIN in self.roles)


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed, in the catalog's words (key submit.<check>). Parameters named `<name>_key` (a
    catalog key, e.g. a submission's state) and `<name>_period` (a period code) are filled in as `<name>` in the
    reader's language."""

    check: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "zh") -> str:
        return t(f"submit.{self.check}", lang, **dict(_worded(k, v, lang) for k, v in self.params))


def _worded(name: str, value: str, lang: str) -> tuple[str, str]:
    if name.endswith("_key"):
        return name.removesuffix("_key"), t(value, lang)
    if name.endswith("_period"):
        return name.removesuffix("_period"), period_of_code(value).label(lang)
    return name, value


def refusal(check: str, **params: object) -> Refusal:
    return Refusal(check, tuple(sorted((k, str(v)) for k, v in params.items())))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


def _user(row: Row[Any]) -> User:
    return User(row.username, row.display_name, _split(row.roles), _split(row.departments), bool(row.active),
                bool(row.demo))


def add_user(engine: Engine, username: str, display_name: str, password: str, roles: tuple[str, ...],
             departments: tuple[str, ...] = (), *, demo: bool = False) -> Refusal | User:
    """Create an account (refused when the name is taken, a role is unknown or a submitter has no department)."""
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        return refusal("unknown-role", role=",".join(bad), roles="/".join(ROLES))
    if SUBMITTER in roles and not departments:
        return refusal("submitter-needs-department")
    if not password:
        return refusal("empty-password")
    with writing(engine) as conn, conn.begin():
        if conn.execute(select(UserRow.username).where(UserRow.username == username)).first():
            return refusal("user-exists", username=username)
        conn.execute(insert(UserRow).values(
            username=username, display_name=display_name or username, password_hash=hash_password(password),
            roles=",".join(roles), departments=",".join(departments), active=True, demo=demo))
    return User(username, display_name or username, tuple(roles), tuple(departments), True, demo)


def read_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.username == username)).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(_TABLE).order_by(_TABLE.c.username))]


def set_active(engine: Engine, username: str, active: bool) -> Refusal | None:
    with writing(engine) as conn, conn.begin():
        done = conn.execute(update(UserRow).where(UserRow.username == username).values(active=active))
    return None if done.rowcount else refusal("no-such-user", username=username)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The account when the name and password match an active account; None otherwise (no hint which was wrong)."""
    with engine.connect() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.username == username.strip())).first()
    if row is None or not row.active or not row.password_hash:
        _HASHER.hash(password or "-")  # about the same time whether or not the name exists
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row)


def ensure_demo_accounts(engine: Engine) -> list[str]:
    """Create the clearly labelled 演示账号 (password 'demo') that do not exist yet; returns the names created."""
    made = []
    for username, name, roles, departments in DEMO_ACCOUNTS:
        if read_user(engine, username) is None:
            add_user(engine, username, name, DEMO_PASSWORD, roles, departments, demo=True)
            made.append(username)
    return made


# ---- rights ------------------------------------------------------------------------------------------------

def check_can_submit(user: User | None, department: str | None) -> Refusal | None:
    """A submitter sends only for the departments the account is bound to (an admin for any)."""
    if user is None or not user.active:
        return refusal("not-signed-in")
    if ADMIN in user.roles:
        return None
    if SUBMITTER not in user.roles:
        return refusal("not-a-submitter")
    if department is None or department not in user.departments:
        return refusal("not-your-department", department=department or "")
    return None


# What a page says to someone signed in without any of the roles it asks for.
_LACKING = {(SUBMITTER,): "not-a-submitter", (REVIEWER,): "not-a-reviewer", (VIEWER, REVIEWER): "not-a-viewer"}


def check_has_role(user: User | None, roles: Sequence[Role]) -> Refusal | None:
    """The account holds one of the roles (an admin holds them all)."""
    if user is None or not user.active:
        return refusal("not-signed-in")
    if any(user.has(role) for role in roles):
        return None
    return refusal(_LACKING.get(tuple(roles), "not-allowed"))


def check_can_review(user: User | None) -> Refusal | None:
    if user is None or not user.active:
        return refusal("not-signed-in")
    return None if user.has(REVIEWER) else refusal("not-a-reviewer")


def check_is_admin(user: User | None) -> Refusal | None:
    if user is None or not user.active:
        return refusal("not-signed-in")
    return None if ADMIN in user.roles else refusal("not-an-admin")

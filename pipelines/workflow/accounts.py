"""Local accounts and rights: argon2 password hashes in the store, roles, and the checks every write goes through.

Rights are checked here, on the server side, whatever the page shows: a page that hides a button is a convenience,
the refusal returned by these checks is the rule. So are the account rules of OWASP ASVS level 2 (V2.1, V2.2): a
password policy for every password set here, sign-in throttling that locks an account or a client after repeated
failures, and an administrator's reset that the account must replace with its own password before anything else.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, delete, insert, or_, select, update

from models.db import writing
from models.schema import Department, SigninFailure, Submission
from models.schema import User as UserRow
from pipelines.core.catalog import t
from pipelines.core.config import SAMPLES_DIR
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
_FAILURES = SigninFailure.__table__


@dataclass(frozen=True)
class User:
    """A signed-in person: roles and the departments a submitter may send for."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...] = ()
    active: bool = True
    demo: bool = False
    must_change_password: bool = False  # an administrator reset it: no rights until the account sets its own

    def has(self, role: str) -> bool:
        return self.active and not self.must_change_password and (role in self.roles or ADMIN in self.roles)


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed, in the catalog's words (key submit.<check>). Parameters named `<name>_key` (a
    catalog key, e.g. a submission's state), `<name>_period` (a period code) and `<name>_periods` (codes, comma-
    separated) are filled in as `<name>` in the reader's language."""

    check: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "zh") -> str:
        return t(f"submit.{self.check}", lang, **dict(_worded(k, v, lang) for k, v in self.params))


def _worded(name: str, value: str, lang: str) -> tuple[str, str]:
    if name.endswith("_key"):
        return name.removesuffix("_key"), t(value, lang)
    if name.endswith("_period"):
        return name.removesuffix("_period"), period_of_code(value).label(lang)
    if name.endswith("_periods"):  # several period codes, comma-separated
        sep = ", " if lang == "en" else "、"
        return name.removesuffix("_periods"), sep.join(period_of_code(p).label(lang) for p in value.split(",") if p)
    return name, value


def refusal(check: str, **params: object) -> Refusal:
    return Refusal(check, tuple(sorted((k, str(v)) for k, v in params.items())))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


def _user(row: Row[Any]) -> User:
    return User(row.username, row.display_name, _split(row.roles), _split(row.departments), bool(row.active),
                bool(row.demo), bool(row.must_change_password))


# ---- passwords -----------------------------------------------------------------------------------------------
# ASVS V2.1: a minimum length and a list of common passwords, no composition rules (no "one digit, one capital"),
# any characters; up to 128 of them, as ASVS asks (a longer one is a paste gone wrong more often than a passphrase).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, in lower case (its lines starting with # are comments)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password(username: str, password: str) -> Refusal | None:
    """Why `password` may not become the password of the account `username`, or None when it may: too short (runs
    of spaces count as one, as ASVS says) or too long, the account's name (or, for an e-mail, the part before the
    @) inside it in any case, or one of the common passwords, compared in lower case."""
    if not password:
        return refusal("empty-password")
    if len(re.sub(" {2,}", " ", password)) < MIN_PASSWORD_LENGTH:
        return refusal("password-too-short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return refusal("password-too-long", max=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    name = username.strip().lower()
    # A name of one or two letters ("li") is inside too many good passwords to refuse them, and can never equal one.
    if any(len(part) >= 3 and part in lowered for part in {name, name.split("@", 1)[0]}):
        return refusal("password-has-username")
    if lowered.strip() in common_passwords():
        return refusal("password-common")
    return None


def add_user(engine: Engine, username: str, display_name: str, password: str, roles: tuple[str, ...],
             departments: tuple[str, ...] = (), *, demo: bool = False, must_change: bool = False) -> Refusal | User:
    """Create an account (refused when the name is taken, a role is unknown, a submitter has no department or the
    password fails the policy; the 演示账号, demo=True, are exempt from the policy). must_change=True (an initial
    password an administrator chose) makes the account replace the password at its first sign-in."""
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        return refusal("unknown-role", role=",".join(bad), roles="/".join(ROLES))
    if SUBMITTER in roles and not departments:
        return refusal("submitter-needs-department")
    if not password:
        return refusal("empty-password")
    # the 演示账号 keep their published password "demo": they exist for anyone to sign in to the sample data
    if not demo and (weak := check_password(username, password)):
        return weak
    with writing(engine) as conn, conn.begin():
        if conn.execute(select(UserRow.username).where(UserRow.username == username)).first():
            return refusal("user-exists", username=username)
        conn.execute(insert(UserRow).values(
            username=username, display_name=display_name or username, password_hash=hash_password(password),
            roles=",".join(roles), departments=",".join(departments), active=True, demo=demo,
            must_change_password=must_change))
    return User(username, display_name or username, tuple(roles), tuple(departments), True, demo, must_change)


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


def set_password(engine: Engine, username: str, new_password: str, *, must_change: bool = False) -> Refusal | None:
    """Give an account a new password that passes the policy; must_change=True (an administrator's reset) makes the
    account replace it at its next sign-in. The account's failed sign-ins are forgotten, so a reset also lifts a
    lock."""
    weak = check_password(username, new_password)
    if weak:
        return weak
    hashed = hash_password(new_password)  # before the write lock is taken: hashing takes a while on purpose
    with writing(engine) as conn, conn.begin():
        done = conn.execute(update(UserRow).where(UserRow.username == username)
                            .values(password_hash=hashed, must_change_password=must_change))
        conn.execute(delete(SigninFailure).where(SigninFailure.username == username))
    return None if done.rowcount else refusal("no-such-user", username=username)


def change_password(engine: Engine, username: str, old: str, new: str, *, client: str = "",
                    now: dt.datetime | None = None) -> Refusal | None:
    """An account changes its own password: the old one is checked as a sign-in is (throttled alike, so this form
    cannot be used to guess it), then the new one must pass the policy and differ from it. Clears must-change."""
    checked = authenticate(engine, username, old, client=client, now=now)
    if isinstance(checked, Refusal):
        return checked
    if checked is None:
        return refusal("password-wrong-old")
    if new == old:
        return refusal("password-unchanged")
    return set_password(engine, username, new)


# ---- sign-in and its throttling ------------------------------------------------------------------------------
# ASVS V2.2.1: ACCOUNT_FAILURES failed sign-ins to one account name, or CLIENT_FAILURES from one client whatever
# the names tried, within FAILURE_WINDOW lock that account (or client) for LOCK_TIME. A locked attempt is neither
# checked nor counted, so guessing learns nothing and cannot stretch the lock; failures older than the throttle
# looks back (FAILURE_WINDOW + LOCK_TIME) are deleted as new ones are written.
ACCOUNT_FAILURES = 5
CLIENT_FAILURES = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_TIME = dt.timedelta(minutes=15)
_NAME_LENGTH = 100  # signin_failure's username and client columns


def authenticate(engine: Engine, username: str, password: str, *, client: str = "",
                 now: dt.datetime | None = None) -> User | Refusal | None:
    """The account when the name and password match an active account; None otherwise (no hint which was wrong);
    the refusal signin-locked, saying how many minutes to wait, while the account or the client is locked.

    `client` is the client's IP address ('' when unknown: then only the account is throttled); `now` is the clock,
    a parameter so that tests need not wait a quarter of an hour. A success forgets the account's failures."""
    now = now or dt.datetime.now()
    name, client = username.strip()[:_NAME_LENGTH], client.strip()[:_NAME_LENGTH]
    by_account, by_client = _recent_failures(engine, name, client, now)
    ends = [end for end in (_lock_end(by_account, ACCOUNT_FAILURES), _lock_end(by_client, CLIENT_FAILURES))
            if end is not None and end > now]
    if ends:
        return refusal("signin-locked", minutes=math.ceil((max(ends) - now).total_seconds() / 60))
    user = _check_password(engine, name, password)
    if user is None:
        with writing(engine) as conn, conn.begin():
            conn.execute(delete(SigninFailure).where(SigninFailure.at < now - FAILURE_WINDOW - LOCK_TIME))
            conn.execute(insert(SigninFailure).values(at=now, username=name, client=client))
    elif by_account:  # only then: a sign-in after no failure writes nothing
        with writing(engine) as conn, conn.begin():
            conn.execute(delete(SigninFailure).where(SigninFailure.username == name))
    return user


def _check_password(engine: Engine, username: str, password: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.username == username)).first()
    if row is None or not row.active or not row.password_hash:
        _HASHER.hash(password or "-")  # about the same time whether or not the name exists
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row)


def _recent_failures(engine: Engine, username: str, client: str,
                     now: dt.datetime) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """The times of the failures the throttle looks at, oldest first: the account name's, and the client's (none
    for an unknown client)."""
    since = now - FAILURE_WINDOW - LOCK_TIME
    recent = select(_FAILURES.c.at).where(_FAILURES.c.at > since).order_by(_FAILURES.c.at)
    with engine.connect() as conn:
        by_account = list(conn.execute(recent.where(_FAILURES.c.username == username)).scalars())
        by_client = list(conn.execute(recent.where(_FAILURES.c.client == client)).scalars()) if client else []
    return by_account, by_client


def _lock_end(times: Sequence[dt.datetime], limit: int) -> dt.datetime | None:
    """When the latest lock these failures earned ends: a lock starts at each failure that is the `limit`-th within
    FAILURE_WINDOW, and lasts LOCK_TIME. None when they earned none."""
    starts = [times[i] for i in range(limit - 1, len(times)) if times[i] - times[i - limit + 1] < FAILURE_WINDOW]
    return starts[-1] + LOCK_TIME if starts else None


def ensure_demo_accounts(engine: Engine) -> list[str]:
    """Create the clearly labelled 演示账号 (password 'demo') that do not exist yet; returns the names created."""
    made = []
    for username, name, roles, departments in DEMO_ACCOUNTS:
        if read_user(engine, username) is None:
            add_user(engine, username, name, DEMO_PASSWORD, roles, departments, demo=True)
            made.append(username)
    return made


# ---- rights ------------------------------------------------------------------------------------------------

# Every check refuses nobody signed in, a disabled account, and one that must first replace the password an
# administrator set (password-must-change): until then it may do nothing but change it.

def check_can_submit(user: User | None, department: str | None) -> Refusal | None:
    """A submitter sends only for the departments the account is bound to (an admin for any)."""
    if user is None or not user.active:
        return refusal("not-signed-in")
    if user.must_change_password:
        return refusal("password-must-change")
    if ADMIN in user.roles:
        return None
    if SUBMITTER not in user.roles:
        return refusal("not-a-submitter")
    if department is None or department not in user.departments:
        return refusal("not-your-department", department=department or "")
    return None


# What a page says to someone signed in without any of the roles it asks for.
_LACKING = {(SUBMITTER,): "not-a-submitter", (REVIEWER,): "not-a-reviewer", (VIEWER, REVIEWER): "not-a-viewer",
            (ADMIN,): "not-an-admin"}


def check_has_role(user: User | None, roles: Sequence[Role]) -> Refusal | None:
    """The account holds one of the roles (an admin holds them all)."""
    if user is None or not user.active:
        return refusal("not-signed-in")
    if user.must_change_password:
        return refusal("password-must-change")
    if any(user.has(role) for role in roles):
        return None
    return refusal(_LACKING.get(tuple(roles), "not-allowed"))


def check_can_review(user: User | None) -> Refusal | None:
    if user is None or not user.active:
        return refusal("not-signed-in")
    if user.must_change_password:
        return refusal("password-must-change")
    return None if user.has(REVIEWER) else refusal("not-a-reviewer")


def check_is_admin(user: User | None) -> Refusal | None:
    if user is None or not user.active:
        return refusal("not-signed-in")
    if user.must_change_password:
        return refusal("password-must-change")
    return None if ADMIN in user.roles else refusal("not-an-admin")


# ---- account management by an administrator (the 账号管理 page) ----------------------------------------------
# Each of these checks the acting account first: the page shows them to administrators only, but the refusal here is
# the rule. An administrator neither disables their own account (the last one could lock everybody out) nor resets
# their own password (修改密码 is for that; a reset would leave them nothing but the change form).
_NAME_CHARS = re.compile(r"[^\s\x00-\x1f\x7f]+")  # an account name: no spaces, no control characters
_DISPLAY_NAME_LENGTH = 200  # app_user.display_name


def admin_add_user(engine: Engine, actor: User | None, username: str, display_name: str, password: str,
                   roles: Sequence[str], departments: Sequence[str] = ()) -> Refusal | User:
    """An administrator creates an account with an initial password the account must replace at its first sign-in.
    Refused besides what add_user refuses: an account name empty, over 100 characters or with spaces, a 姓名 over
    200 characters, a submitter without a department, a department code the stored plan does not have."""
    denied = check_is_admin(actor)
    if denied:
        return denied
    username, display_name = username.strip(), display_name.strip()
    if not _NAME_CHARS.fullmatch(username) or len(username) > _NAME_LENGTH:
        return refusal("bad-username", max=_NAME_LENGTH)
    if len(display_name) > _DISPLAY_NAME_LENGTH:
        return refusal("name-too-long", max=_DISPLAY_NAME_LENGTH)
    if SUBMITTER in roles and not departments:
        return refusal("account-needs-department")
    with engine.connect() as conn:
        known = set(conn.execute(select(Department.code)).scalars())
    unknown = [code for code in departments if code not in known]
    if unknown:
        return refusal("unknown-department", department=",".join(unknown))
    return add_user(engine, username, display_name, password, tuple(roles), tuple(departments), must_change=True)


def admin_set_active(engine: Engine, actor: User | None, username: str, active: bool) -> Refusal | None:
    """An administrator disables (active=False) or enables an account other than their own."""
    denied = check_is_admin(actor)
    if denied:
        return denied
    assert actor is not None
    if username == actor.username:
        return refusal("admin-own-account")
    return set_active(engine, username, active)


def admin_reset_password(engine: Engine, actor: User | None, username: str, password: str) -> Refusal | None:
    """An administrator gives another account a temporary password (it must pass the policy), which the account must
    replace at its next sign-in; the reset also lifts a sign-in lock."""
    denied = check_is_admin(actor)
    if denied:
        return denied
    assert actor is not None
    if username == actor.username:
        return refusal("admin-own-reset")
    return set_password(engine, username, password, must_change=True)


# ---- where the 演示账号 may sign in -------------------------------------------------------------------------------
# The demo accounts have a published password. They are for trying the shipped samples on one's own machine: the
# sign-in lets them in only while the server listens on loopback and the store holds nothing but those samples (and
# what the demo accounts themselves sent).

def demo_sign_in_allowed(engine: Engine, samples_dir: Path = SAMPLES_DIR) -> bool:
    """True when the store holds no submission, or every submission it holds (of any status) is one of the shipped
    sample files byte for byte (by SHA-256) or was sent by a 演示账号 (trying the submission and review pages on the
    samples is what they are for); False as soon as one other file is in the store."""
    shipped = _sample_hashes(str(samples_dir))
    demo_names = select(UserRow.username).where(UserRow.demo.is_(True))
    others = select(Submission.sha256).distinct().where(
        or_(Submission.submitter.is_(None), Submission.submitter.not_in(demo_names)))
    with engine.connect() as conn:
        stored = set(conn.execute(others).scalars())
    return stored <= shipped


@lru_cache(maxsize=4)
def _sample_hashes(folder: str) -> frozenset[str]:
    return frozenset(hashlib.sha256(path.read_bytes()).hexdigest()
                     for path in Path(folder).iterdir() if path.is_file())


def is_loopback(host: str) -> bool:
    """The address (or host name) is this machine's own: 127.0.0.0/8, ::1 (also as an IPv4-mapped 127.x address, or
    in brackets as in a URL) or localhost. Anything else, an empty or unparsable text, 0.0.0.0 and :: included, is
    not."""
    name = host.strip().lower().removesuffix(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))

"""Sign-in sessions bound to the browser that made them (OWASP ASVS V3).

A sign-in creates a random token that only the browser holds, in an HttpOnly, SameSite=Strict cookie set by the
server's sign-in route (server.py); the store keeps its SHA-256. Every run of a page looks the cookie's token up: a
reload or a second tab sends the cookie and stays signed in, while another client that attaches to the same Streamlit
session by its id sends no cookie and is nobody. The session ends after IDLE minutes without a page run, after
ABSOLUTE hours whatever happens, on sign-out (in every tab at once, since they share the token), when the account is
disabled, and — for the account's other browsers — when its password changes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import Engine, delete, insert, select, update

from models.db import writing
from models.schema import SigninSession
from pipelines.workflow.accounts import User, read_user

COOKIE = "kpi_session"
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often: a page run is not a write


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, username: str, *, client: str = "", now: dt.datetime | None = None) -> str:
    """A new session for an account that has just proved who it is; returns the token for the browser's cookie."""
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn, conn.begin():
        conn.execute(delete(SigninSession).where(SigninSession.created_at < now - ABSOLUTE))  # long over
        conn.execute(insert(SigninSession).values(token_hash=_hash(token), username=username, created_at=now,
                                                  last_seen=now, client=client[:100]))
    return token


def resume_session(engine: Engine, token: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The active account whose live session the token names, None otherwise; seeing it keeps the session alive."""
    if not token:
        return None
    now = now or dt.datetime.now()
    key = _hash(token)
    with engine.connect() as conn:
        row = conn.execute(select(SigninSession).where(SigninSession.token_hash == key)).first()
    if row is None:
        return None
    if now - row.last_seen > IDLE or now - row.created_at > ABSOLUTE:
        end_session(engine, token)
        return None
    user = read_user(engine, row.username)
    if user is None or not user.active:
        end_session(engine, token)
        return None
    if now - row.last_seen >= TOUCH_EVERY:
        with writing(engine) as conn, conn.begin():
            conn.execute(update(SigninSession).where(SigninSession.token_hash == key).values(last_seen=now))
    return user


def end_session(engine: Engine, token: str | None) -> None:
    """Sign-out: the token names nothing any more, in every tab of the browser."""
    if token:
        with writing(engine) as conn, conn.begin():
            conn.execute(delete(SigninSession).where(SigninSession.token_hash == _hash(token)))


def end_other_sessions(engine: Engine, username: str, keep: str | None = None) -> None:
    """Every session of the account but the one `keep` names (after a password change, a reset or disabling)."""
    with writing(engine) as conn, conn.begin():
        statement = delete(SigninSession).where(SigninSession.username == username)
        if keep:
            statement = statement.where(SigninSession.token_hash != _hash(keep))
        conn.execute(statement)


def sign_out_proof(token: str) -> str:
    """What the sign-out link carries: derived from the token, so a page elsewhere cannot sign the reader out."""
    return hmac.new(token.encode("utf-8"), b"sign-out", hashlib.sha256).hexdigest()[:32]


def proves_sign_out(token: str | None, proof: str) -> bool:
    return bool(token) and hmac.compare_digest(sign_out_proof(token or ""), proof)

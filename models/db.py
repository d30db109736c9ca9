"""Where the store lives and how to open it: the database URL, the engine with each back end's safety settings
(SQLite or PostgreSQL), write transactions that never interleave, and the schema kept current by Alembic migrations."""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect

ROOT = Path(__file__).resolve().parent.parent
ENV_DB_URL = "KPI_DB_URL"
# A writer waits this long for another's write to finish (readers never wait: WAL). Long enough for the largest file
# on a busy machine; an ingest that still finds the store busy says so and changes nothing.
SQLITE_BUSY_TIMEOUT_MS = 600_000


def default_db_path() -> Path:
    return ROOT / "data" / "kpi.sqlite3"


def database_url(cli_url: str | None = None) -> str:
    """The store to use: --db first, then KPI_DB_URL, then the embedded SQLite file under data/."""
    return cli_url or os.environ.get(ENV_DB_URL) or f"sqlite:///{default_db_path()}"


def _configure_sqlite(engine: Engine) -> None:
    """WAL so readers never block an ingest; foreign keys on; a busy timeout; BEGIN IMMEDIATE for writes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # the sqlite3 connection and its pool record
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write transaction takes the lock at its start, so the values it checks are the values it replaces.
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


# Every writer takes this transaction-scoped advisory lock first on PostgreSQL, as BEGIN IMMEDIATE does on SQLite:
# the values a write checks are the values it replaces, and revisions are numbered without gaps or twins.
PG_WRITE_LOCK = 0x4B5049  # "KPI"


def _configure_postgresql(engine: Engine) -> None:
    """Readers see one snapshot for their whole transaction (REPEATABLE READ, the engine's default); writers run
    READ COMMITTED behind the write lock, so each statement sees everything committed before they got the lock."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("write"):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def make_engine(url: str | None = None) -> Engine:
    """An engine for the store; creates the SQLite file's folder when needed."""
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        path = resolved.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if resolved.startswith("postgresql"):
        engine = create_engine(resolved, pool_pre_ping=True, isolation_level="REPEATABLE READ")
        _configure_postgresql(engine)
        return engine
    return create_engine(resolved, pool_pre_ping=True)


def is_busy_error(error: BaseException) -> bool:
    """The store stayed busy with another write for longer than a writer waits (SQLite's "database is locked")."""
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text or "lock timeout" in text


def writing(engine: Engine) -> Connection:
    """A connection for one write transaction (`with writing(engine) as conn, conn.begin(): ...`): it holds the
    store's write lock from its first statement, so concurrent writers queue instead of failing or interleaving."""
    options: dict[str, object] = {"write": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "READ COMMITTED"
    return engine.connect().execution_options(**options)


# --- schema: Alembic migrations ---------------------------------------------------------------------------------

MIGRATIONS = ROOT / "migrations"
FIRST_REVISION = "0001"
_migrated: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines already checked in this process
_migrate_lock = threading.Lock()


@lru_cache(maxsize=1)
def alembic_config() -> Config:

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def create_schema(engine: Engine) -> None:
    """Bring the store's schema to the newest migration: a new store gets every table; an existing one is upgraded
    in place. A store made before migrations existed (tables but no version) is recognised as the first revision."""
    if engine in _migrated:
        return
    with _migrate_lock, writing(engine) as conn, _foreign_keys_checked_at_the_end(conn):
        with conn.begin():
            at = current_revision(conn)
            if at != head_revision():
                _upgrade(conn, at)
                _check_foreign_keys(conn)
        _migrated.add(engine)


@contextmanager
def _foreign_keys_checked_at_the_end(conn: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while the schema changes: a migration rebuilds tables that values point at (copy,
    drop, rename, as SQLite alters tables), and a DROP TABLE with foreign keys on deletes the rows it holds, which the
    values still reference. The pragma works only outside a transaction, so it is set on the driver's connection
    before the migration's transaction begins; every key is checked before that transaction commits
    (_check_foreign_keys), and foreign keys are on again afterwards."""
    sqlite = conn.dialect.name == "sqlite"
    raw = conn.connection.dbapi_connection if sqlite else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    """Every row's references hold after a migration (SQLite's foreign_key_check); a dangling one rolls it back."""
    if conn.dialect.name != "sqlite":
        return  # PostgreSQL checks every key as the migration goes
    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise RuntimeError(f"the migration leaves {len(dangling)} rows pointing at nothing, e.g. {tuple(dangling[0])}")


def _upgrade(conn: Connection, at: str | None) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    try:
        if at is None and inspect(conn).has_table("observation"):
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, "head")
    finally:
        config.attributes.pop("connection", None)

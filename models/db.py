"""Where the store lives and how to open it: the database URL, the engine with each back end's safety settings
(SQLite or PostgreSQL), write transactions that never interleave, and the schema kept current by Alembic migrations."""
from __future__ import annotations

import gc
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

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
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # writing() checkpoints, out of the writers' way
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


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection for one write transaction (`with writing(engine) as conn, conn.begin(): ...`): it holds the
    store's write lock from its first statement, so concurrent writers queue instead of failing or interleaving.

    On SQLite the writers of a store file also queue on a lock file beside it before they begin: SQLite's own wait
    for its lock polls at growing intervals (up to 100 ms), so a queue of writers would sit idle between turns, while
    the lock file hands the turn on within milliseconds. SQLite's lock stays the guard: a writer that waits longer
    than SQLITE_BUSY_TIMEOUT_MS for the lock file goes on to SQLite's."""
    options: dict[str, object] = {"write": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "READ COMMITTED"
    with engine.connect().execution_options(**options) as conn:
        with _writers_turn(engine):
            yield conn
        _checkpoint(engine, conn)


# SQLite's write-ahead log is copied back into the store's file by the writer whose commit takes it past this size,
# as SQLite would by itself at every commit (wal_autocheckpoint, off here), but after the writer has let the next
# one in: copying and syncing megabytes is not done while writers wait.
WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024


def _checkpoint(engine: Engine, conn: Connection) -> None:
    path = _store_file(engine)
    if path is None or conn.in_transaction():
        return
    try:
        size = os.path.getsize(f"{path}-wal")
    except OSError:
        return
    if size >= WAL_CHECKPOINT_BYTES:  # on the driver's connection, outside any transaction (it is in autocommit)
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()  # type: ignore[union-attr]


class _Collector:
    """Python's cyclic garbage collector held off while this process holds the store's write lock: a full pass
    over a process holding a plan's thousands of records takes a tenth of a second or more, and writers queued
    behind the lock would wait for it. It runs when the last write of the process ends; reference counting frees
    everything else meanwhile."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._writes = 0
        self._was_on = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._guard:
            if self._writes == 0:
                self._was_on = gc.isenabled()
                gc.disable()
            self._writes += 1
        try:
            yield
        finally:
            with self._guard:
                self._writes -= 1
                if self._writes == 0 and self._was_on:
                    gc.enable()


_COLLECTOR = _Collector()
_settling = threading.Lock()
_settled = False


def settle() -> None:
    """For a long-running process (the dashboard's server), once what it holds for its lifetime is loaded: its
    libraries, its pages' modules, the plans it has read. One last full collection, then gc.freeze(), so that the
    collector's later passes leave all of that out: the full pass a write leaves behind (see _Collector), which would
    otherwise walk the libraries' hundreds of thousands of objects (0.1 s or more) before the department is told its
    file is stored, walks only what the process made since. Once per process: what is frozen is never collected as
    a cycle (everything else is still freed by its reference count)."""
    global _settled
    with _settling:
        if _settled:
            return
        _settled = True
    gc.collect()
    gc.freeze()


@contextmanager
def _writers_turn(engine: Engine) -> Iterator[None]:
    """This writer's turn: on SQLite its place in the queue of the store's writers; the collector held off from
    the moment it has the turn until just after it has let the next writer in."""
    path = _store_file(engine)
    turn = (FileLock(f"{path}-writer.lock", timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, poll_interval=0.002,
                     preserve_lock_file=True) if path is not None else None)
    try:
        if turn is not None:
            turn.acquire()
    except Timeout:
        turn = None  # SQLite's own lock decides
    with _COLLECTOR.paused():
        try:
            yield
        finally:
            if turn is not None:
                turn.release()


def _store_file(engine: Engine) -> str | None:
    """The SQLite store's file, None for a store in memory or of another back end."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    return database if database and database != ":memory:" and not database.startswith("file:") else None


# The keeper's lock on PostgreSQL (see keeper_lock), beside the write lock.
PG_KEEPER_LOCK = 0x4B504B  # "KPK"
_local_keepers: dict[str, threading.Lock] = {}  # stores in memory: one per database URL in this process
_local_keepers_guard = threading.Lock()


@contextmanager
def keeper_lock(engine: Engine) -> Iterator[bool]:
    """Whether this caller holds the store's keeper lock, taken without waiting: work that one caller does for all
    (keeping the standings after a change) is done by whoever holds it, and the others leave it to them. It never
    holds up a reader or a writer. On SQLite a lock file beside the store's file (released by the system when a
    process dies); on PostgreSQL a transaction-scoped advisory lock on a connection of its own; for a store in memory,
    a lock of this process."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            yield bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PG_KEEPER_LOCK}).scalar())
        return
    database = _store_file(engine)
    if database is not None:
        lock = FileLock(f"{database}-keeper.lock", blocking=False, preserve_lock_file=True)
        try:
            lock.acquire()
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    with _local_keepers_guard:
        local = _local_keepers.setdefault(str(engine.url), threading.Lock())
    if not local.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        local.release()


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

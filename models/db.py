"""Where the store lives and how to open it: the database URL, the engine with SQLite's safety settings, the schema."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from models.schema import Base

ROOT = Path(__file__).resolve().parent.parent
ENV_DB_URL = "KPI_DB_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    return ROOT / "data" / "kpi.sqlite3"


def database_url(cli_url: str | None = None) -> str:
    """The store to use: --db first, then KPI_DB_URL, then the embedded SQLite file under data/."""
    return cli_url or os.environ.get(ENV_DB_URL) or f"sqlite:///{default_db_path()}"


def _configure_sqlite(engine: Engine) -> None:
    """WAL so readers never block an ingest; foreign keys on; a busy timeout; BEGIN IMMEDIATE for writes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A write transaction takes the lock at its start, so the values it checks are the values it replaces.
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


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
    return create_engine(resolved, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    Base.metadata.create_all(engine)

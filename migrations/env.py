"""Alembic's entry point: migrate the store on the connection handed over by models.db (or the configured URL)."""
from __future__ import annotations

from alembic import context

from models.db import make_engine
from models.schema import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        _migrate(conn)
        conn.commit()
    engine.dispose()


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    # render_as_batch: SQLite alters a table by copying it, which Alembic's batch mode does for us.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()

"""Copy a whole store to another database (SQLite → PostgreSQL, or any back end to any other) and prove the copy.

What is copied: every table of the schema (`Base.metadata`): the plan, every revision of every value, the submissions
with their original file bytes, narratives, evidence files, review decisions, locks, snapshots, upload attempts and
the accounts. Ids are kept as they are; Alembic's own `alembic_version` is not copied (the target gets its schema from
the migrations, at the same revision).

How:
- The source is only read, in ONE read transaction (one consistent snapshot: WAL on SQLite, REPEATABLE READ on
  PostgreSQL). It must already be at the newest migration; a store that is behind is refused, not upgraded, so the
  source is never written. Running any command of this version on it (`python -m pipelines users list --db URL`)
  upgrades it in place first.
- The target gets the schema (`create_schema`) and must hold no data: it is checked before anything is created and
  again under the store's write lock. Every table is copied in foreign-key order inside ONE write transaction, in
  chunks (`yield_per`: the source is streamed, never held in memory whole). On PostgreSQL each serial id's sequence is
  then set past the largest copied id, so the next submission gets the next number.
- Before the transaction commits, both sides are compared table by table: row counts and a SHA-256 checksum over the
  rows in primary-key order (byte order of the key, the same on both back ends), each value in a canonical form that
  does not depend on the back end (see `_encoder`). Any difference rolls the whole copy back: the target stays empty.
- `verify_stores` compares two stores the same way on their own, e.g. to check a copy again later.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    Row,
    String,
    Table,
    insert,
    inspect,
    select,
    text,
)

from models.db import MIGRATIONS, create_schema, current_revision, head_revision, writing
from models.schema import Base
from pipelines.core.catalog import t

CHUNK_ROWS = 5_000  # rows per round trip for ordinary tables
BLOB_CHUNK_ROWS = 20  # rows per round trip for tables holding files (a submission may be 10 MB)
NULL_MARK = "~"  # a None; every other value is written <length>:<text>, which never starts with "~"
ALEMBIC_TABLE = "alembic_version"

Progress = Callable[[str, int], None]  # (table, rows copied so far)


class MigrationRefused(Exception):
    """The copy was not started and nothing was changed: the message says why and what to do."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class TableCheck:
    """One table on both sides: how many rows, and the checksum of all of them."""

    table: str
    rows: int
    checksum: str
    target_rows: int
    target_checksum: str

    @property
    def ok(self) -> bool:
        return self.rows == self.target_rows and self.checksum == self.target_checksum

    def as_dict(self) -> dict[str, object]:
        return {"table": self.table, "rows": self.rows, "checksum": self.checksum, "target_rows": self.target_rows,
                "target_checksum": self.target_checksum, "ok": self.ok}


@dataclass(frozen=True)
class MigrationReport:
    """The comparison of every table; `copied` says whether the copy was committed (False when verification failed
    and the copy was rolled back, and for `verify_stores`, which copies nothing)."""

    source: str
    target: str
    tables: tuple[TableCheck, ...]
    copied: bool

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)

    @property
    def failed(self) -> list[str]:
        return [check.table for check in self.tables if not check.ok]

    @property
    def rows(self) -> int:
        return sum(check.rows for check in self.tables)

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "target": self.target, "ok": self.ok, "copied": self.copied,
                "rows": self.rows, "failed": self.failed, "tables": [check.as_dict() for check in self.tables]}


def safe_url(engine: Engine) -> str:
    """The engine's URL without its password."""
    return engine.url.render_as_string(hide_password=True)


def store_tables() -> list[Table]:
    """The store's tables, parents before children."""
    return list(Base.metadata.sorted_tables)


# ---- copy ----------------------------------------------------------------------------------------------------

def migrate_store(source: Engine, target: Engine, *, progress: Progress | None = None,
                  chunk_rows: int = CHUNK_ROWS) -> MigrationReport:
    """Copy every table of `source` into the empty store `target` and verify the copy (see the module's docstring).

    Raises MigrationRefused (nothing changed) when the source is not a store at the newest migration, the target
    holds data, or both are the same database. A database error during the copy rolls it back and propagates.
    """
    if _same_database(source, target):
        raise MigrationRefused("cli.migrate-same-store", url=safe_url(source))
    tables = store_tables()
    with source.connect() as src, src.begin():  # one snapshot of the source for the whole copy; never written
        _check_source(src, safe_url(source))
        with target.connect() as probe:  # before the schema is created: a store in use is refused untouched
            _check_target_empty(probe, safe_url(target))
        _create_target_schema(target)
        with writing(target) as dst, dst.begin() as transaction:
            _check_target_empty(dst, safe_url(target))  # again, under the write lock: the check that counts
            copied = {}
            for table in tables:
                copied[table.name] = _scan(src, table, chunk_rows, partial(_insert_rows, dst, table,
                                                                           progress=progress))
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst, tables)
            checks = tuple(TableCheck(table.name, *copied[table.name], *_scan(dst, table, chunk_rows))
                           for table in tables)
            if not all(check.ok for check in checks):
                transaction.rollback()
                return MigrationReport(safe_url(source), safe_url(target), checks, copied=False)
    return MigrationReport(safe_url(source), safe_url(target), checks, copied=True)


def verify_stores(source: Engine, target: Engine, *, chunk_rows: int = CHUNK_ROWS) -> MigrationReport:
    """Compare two stores table by table (row counts and checksums), each read in one transaction; writes nothing."""
    with source.connect() as src, src.begin():
        sums = {table.name: _scan(src, table, chunk_rows) for table in store_tables()}
    with target.connect() as dst, dst.begin():
        checks = tuple(TableCheck(table.name, *sums[table.name], *_scan(dst, table, chunk_rows))
                       for table in store_tables())
    return MigrationReport(safe_url(source), safe_url(target), checks, copied=False)


def _insert_rows(conn: Connection, table: Table, rows: Sequence[Row], progress: Progress | None) -> None:
    keys = table.columns.keys()
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_rows(conn, table, rows)
    else:
        conn.execute(insert(table), [dict(zip(keys, row)) for row in rows])
    if progress is not None:
        progress(table.name, len(rows))


def _copy_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """PostgreSQL's COPY on the connection's own transaction (several times faster than INSERTs); psycopg writes each
    Python value (datetime, bool, bytes, float) in PostgreSQL's own text form."""
    columns = ", ".join(f'"{column.name}"' for column in table.columns)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(tuple(row))
    finally:
        cursor.close()


def _reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: each serial id's next value becomes max(id) + 1 (1 for an empty table), as if the rows had been
    inserted there. SQLite needs nothing: an INTEGER PRIMARY KEY continues from the largest id present."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(text(
            f'SELECT setval(pg_get_serial_sequence(:table, :column), '
            f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
            {"table": f'"{table.name}"', "column": column.name})


# ---- checks before copying ---------------------------------------------------------------------------------------

def _same_database(source: Engine, target: Engine) -> bool:
    a, b = source.url, target.url
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        first, second = a.database, b.database
        return bool(first) and bool(second) and first != ":memory:" and (
            Path(first or "").resolve() == Path(second or "").resolve())
    return (a.host or "", a.port or 5432, a.database) == (b.host or "", b.port or 5432, b.database)


def _check_source(conn: Connection, url: str) -> None:
    at = current_revision(conn)
    if at is None and not inspect(conn).has_table("observation"):
        raise MigrationRefused("cli.migrate-source-not-store", url=url)
    if at != head_revision():
        key = "cli.migrate-source-behind" if at is None or _known_revision(at) else "cli.migrate-source-newer"
        raise MigrationRefused(key, url=url, at=at or "-", head=head_revision())


def _known_revision(revision: str) -> bool:
    """Whether this program's migrations know the revision (an unknown one was made by a newer program)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False


def _check_target_empty(conn: Connection, url: str) -> None:
    """Refuse a target where any table (of the store or not) holds a row; Alembic's version table aside."""
    names = [name for name in inspect(conn).get_table_names() if name != ALEMBIC_TABLE]
    full = [name for name in sorted(names)
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None]
    if full:
        raise MigrationRefused("cli.migrate-target-not-empty", url=url, tables="、".join(full))


def _create_target_schema(target: Engine) -> None:
    from alembic.util import CommandError

    try:
        create_schema(target)
    except CommandError as error:  # e.g. a target made by a newer version of the program
        raise MigrationRefused("cli.migrate-target-schema", url=safe_url(target), reason=str(error)) from None


# ---- checksums ---------------------------------------------------------------------------------------------------

def _scan(conn: Connection, table: Table, chunk_rows: int,
          each_chunk: Callable[[Sequence[Row]], None] | None = None) -> tuple[int, str]:
    """Stream a table in primary-key order: (row count, SHA-256 of the canonical rows); each chunk of rows also goes
    to `each_chunk` (the copy), so the source is read once for copying and checking."""
    encoders = [_encoder(column) for column in table.columns]
    digest = hashlib.sha256(_line([table.name, *(column.name for column in table.columns)]))
    size = BLOB_CHUNK_ROWS if any(isinstance(c.type, LargeBinary) for c in table.columns) else chunk_rows
    statement = select(table).order_by(*(_in_byte_order(column, conn) for column in table.primary_key.columns))
    count = 0
    result = conn.execute(statement, execution_options={"yield_per": size})
    for rows in result.partitions():
        if each_chunk is not None:
            each_chunk(rows)
        for row in rows:
            digest.update(_line([None if value is None else encode(value) for encode, value in zip(encoders, row)]))
        count += len(rows)
    return count, digest.hexdigest()


def _line(values: list[str | None]) -> bytes:
    """One row's bytes: each value as <length>:<text> (length in characters), None as "~" — unambiguous whatever the
    text holds, so two different rows never give the same bytes."""
    return ("".join(NULL_MARK if value is None else f"{len(value)}:{value}" for value in values) + "\n").encode()


def _in_byte_order(column: Column[Any], conn: Connection) -> ColumnElement[Any]:
    """Text keys sorted by their bytes (code points) on both back ends: SQLite's default BINARY collation; on
    PostgreSQL the "C" collation, whatever the database's locale."""
    if conn.dialect.name == "postgresql" and isinstance(column.type, String):
        return column.collate("C")
    return column


def _encoder(column: Column) -> Callable[[object], str]:
    """A value's canonical text, the same whichever back end it was read from: booleans 0/1, integers in decimal,
    floats via repr (exact round trip), datetimes ISO 8601 with microseconds and no time zone, bytes as hex, text as
    itself. (None becomes NULL_MARK in `_line`.)"""
    kind = column.type
    if isinstance(kind, Boolean):
        return lambda value: "1" if value else "0"
    if isinstance(kind, Integer):
        return lambda value: str(int(value))  # type: ignore[call-overload]
    if isinstance(kind, (Float, Numeric)):
        return lambda value: repr(float(value))  # type: ignore[arg-type]
    if isinstance(kind, DateTime):
        return _datetime_text
    if isinstance(kind, Date):
        return lambda value: value.isoformat()  # type: ignore[attr-defined]
    if isinstance(kind, LargeBinary):
        return lambda value: bytes(value).hex()  # type: ignore[call-overload]
    return str


def _datetime_text(value: object) -> str:
    assert isinstance(value, dt.datetime), value
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

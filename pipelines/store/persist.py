"""Write to the store: one accepted submission with its values (the plans: pipelines.store.plans)."""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, text

from models.columns import CODE, NOTE, PERIOD, REVISION, ROW, VALUE
from models.queries import max_revisions
from models.schema import Submission
from pipelines.core.columns import fit_name


def save_submission(
    conn: Connection, *, file_name: str, sha256: str, content: bytes, department: str | None,
    submitter: str | None, channel: str, status: str, submitted_at: dt.datetime, rows: pd.DataFrame,
    counts: dict[str, int], reporter: str = "", reporter_phone: str = "",
) -> int:
    """Record an accepted file and append its new and revised values as new revisions; returns the submission id.

    A name longer than the column is stored shortened, with the whole name beside it; 填报人 and 联系电话 from the
    file's header are cut to their columns."""
    short = fit_name(file_name)
    result = conn.execute(insert(Submission).values(
        file_name=short, original_name=file_name if short != file_name else "", reporter=reporter[:100],
        reporter_phone=reporter_phone[:40], sha256=sha256, content=content, department=department, submitter=submitter,
        channel=channel, status=status, submitted_at=submitted_at, n_new=counts["new"],
        n_revised=counts["revised"], n_unchanged=counts["unchanged"], n_rejected=counts.get("rejected", 0)))
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    submission_id = int(key[0])
    _append_values(conn, submission_id, rows)
    return submission_id


def _append_values(conn: Connection, submission_id: int, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    top = max_revisions(conn, sorted(rows[CODE].unique()), sorted(rows[PERIOD].unique()))
    if top.empty:  # values never sent before (a new quarter, a first load): each is revision 1
        revisions = [1] * len(rows)
    else:
        frame = rows[[CODE, PERIOD]].merge(top, on=[CODE, PERIOD], how="left")  # a left merge keeps the rows' order
        revisions = (frame[REVISION].fillna(0).astype(int) + 1).tolist()
    columns: list[list[Any]] = [_texts(rows[CODE]), _texts(rows[PERIOD]), rows[VALUE].astype(float).tolist(),
                                _texts(rows[NOTE].astype(str)), revisions, rows[ROW].astype(int).tolist()]
    if conn.dialect.name == "postgresql":
        records = zip(*columns[:5], itertools.repeat(submission_id, len(rows)), columns[5])
        _copy_rows(conn, f"COPY observation ({OBSERVATION_COLUMNS}) FROM STDIN", records)
        return
    _insert_rows(conn, submission_id, columns)


OBSERVATION_COLUMNS = "indicator_code, period, value, note, revision, submission_id, source_row"
# SQLite: values go in this many rows to a statement (6 parameters each, under the 999 of SQLite's oldest limit).
# One statement per row spends as long running the statement as storing the row: a million rows take 1.3 s this
# way against 2.1 s. The table, its key, its index and its foreign keys are the same either way.
ROWS_PER_INSERT = 128


def _insert_rows(conn: Connection, submission_id: int, columns: list[list[Any]]) -> None:
    """The rows (code, period, value, note, revision, source row: one list per column) into the observation table
    on SQLite, in the connection's own transaction: the DB-API cursor fed one statement's rows at a time, with no
    list of a million rows first; the last statement takes the rows left over."""
    per = ROWS_PER_INSERT
    total = len(columns[0])
    whole = total - total % per

    def statements() -> Iterator[list[object]]:
        for start in range(0, whole, per):
            yield list(itertools.chain.from_iterable(zip(*(c[start:start + per] for c in columns))))

    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(_insert_sql(submission_id, per), statements())  # type: ignore[arg-type]  # any iterable
        if whole < total:
            cursor.execute(_insert_sql(submission_id, total - whole),
                           list(itertools.chain.from_iterable(zip(*(c[whole:] for c in columns)))))
    finally:
        cursor.close()


def _insert_sql(submission_id: int, rows: int) -> str:
    """INSERT of `rows` rows of one submission, whose id (an integer of the store's own) is written into the SQL."""
    one = f"(?, ?, ?, ?, ?, {int(submission_id)}, ?)"
    return f"INSERT INTO observation ({OBSERVATION_COLUMNS}) VALUES {', '.join([one] * rows)}"


def _texts(column: pd.Series) -> list[str]:
    """A text column as Python strings, each distinct one made once: codes, periods and notes repeat down a file
    (twice as fast as converting a million cells one by one)."""
    ids, distinct = pd.factorize(column, use_na_sentinel=False)
    return cast(list[str], np.asarray(distinct, dtype=object)[ids].tolist())


def _copy_rows(conn: Connection, sql: str, records: Iterable[tuple[object, ...]]) -> None:
    """PostgreSQL's COPY, in the connection's own transaction: several times faster than INSERTs for big files."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for record in records:
                copy.write_row(record)
    finally:
        cursor.close()


def count_rows(conn: Connection) -> dict[str, int]:
    """How many rows each table holds (used to show that a refused file changed nothing)."""
    return {table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("plan", "department", "indicator", "plan_indicator", "submission", "observation")}

"""Read queries on the store, returning DataFrames with the column names of models.columns."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd
from pandas._libs import lib
from sqlalchemy import Connection, inspect, text

from models.columns import CODE, DEPARTMENT, FILE, NOTE, PERIOD, REVISION, SUBMISSION, SUBMITTED_AT, SUBMITTER, VALUE
from models.states import APPROVED

# Every approved revision in key order (the table's clustered key on SQLite, its primary key index on PostgreSQL), so
# the newest one of each indicator and period is the last of its run; provenance is joined per submission afterwards.
_APPROVED_REVISIONS = """
SELECT {columns}
FROM observation o
WHERE o.submission_id IN (SELECT s.id FROM submission s WHERE s.status = :approved){codes}
ORDER BY o.indicator_code, o.period, o.revision
"""
_WITH_SOURCES = "o.indicator_code, o.period, o.value, o.note, o.revision, o.submission_id"
_VALUES_ONLY = "o.indicator_code, o.period, o.value"
_REVISION_COLUMNS = [CODE, PERIOD, VALUE, NOTE, REVISION, SUBMISSION]

_PROVENANCE = f"""
SELECT id AS {SUBMISSION}, file_name AS {FILE}, department AS {DEPARTMENT}, submitter AS {SUBMITTER},
       submitted_at AS {SUBMITTED_AT}
FROM submission WHERE status = :approved
"""

_HISTORY = f"""
SELECT o.indicator_code AS {CODE}, o.period AS {PERIOD}, o.value AS {VALUE}, o.note AS {NOTE},
       o.revision AS {REVISION}, o.submission_id AS {SUBMISSION}, o.source_row AS source_row,
       s.file_name AS {FILE}, s.department AS {DEPARTMENT}, s.submitter AS {SUBMITTER},
       s.submitted_at AS {SUBMITTED_AT}, s.status AS status
FROM observation o JOIN submission s ON s.id = o.submission_id
WHERE o.indicator_code = :code AND s.status = :approved
ORDER BY o.period, o.revision
"""


def read_current_values(conn: Connection, codes: Collection[str] | None = None,
                        periods: Collection[str] | None = None) -> pd.DataFrame:
    """The current (newest approved) value of every indicator and period, with where it came from; of some indicators
    only, or of some periods only (a `final` baseline wants one period of each series, not its whole history)."""
    current = read_current_revisions(conn, codes, periods)
    provenance = pd.read_sql_query(text(_PROVENANCE), conn, params={"approved": APPROVED}, index_col=SUBMISSION)
    provenance[SUBMITTED_AT] = pd.to_datetime(provenance[SUBMITTED_AT])  # per submission, not per value
    sources = provenance.take(provenance.index.get_indexer(pd.Index(current[SUBMISSION])))
    return _typed(pd.concat([current, sources.reset_index(drop=True)], axis=1))


def read_current_revisions(conn: Connection, codes: Collection[str] | None = None,
                           periods: Collection[str] | None = None) -> pd.DataFrame:
    """The current (newest approved) value of every indicator and period (or of some) with its note, revision and
    submission, without the submissions' provenance: what a file's checks compare it with, read in the store's key
    order (of a few series, whatever the number of submissions in the store)."""
    clause, params = _among(codes, periods)
    current = _newest_revisions(driver_rows(conn, _APPROVED_REVISIONS.format(columns=_WITH_SOURCES, codes=clause),
                                            params))
    current[NOTE] = current[NOTE].fillna("")
    return current


def read_current_series(conn: Connection, codes: Collection[str] | None = None) -> pd.DataFrame:
    """The current values (CODE, PERIOD, VALUE) of every indicator or of some, without where they came from: what
    assessing them reads."""
    if codes is not None and not codes:
        return pd.DataFrame({CODE: pd.array([], dtype="str"), PERIOD: pd.array([], dtype="str"),
                             VALUE: np.array([], dtype=float)})
    clause, params = _among(codes, None)
    rows = driver_rows(conn, _APPROVED_REVISIONS.format(columns=_VALUES_ONLY, codes=clause), params)
    table = lib.to_object_array_tuples(rows) if rows else np.empty((0, 3), dtype=object)  # type: ignore[attr-defined]
    kept = table[_last_of_runs(table)]
    return pd.DataFrame({CODE: _strings(kept[:, 0]), PERIOD: _strings(kept[:, 1]), VALUE: kept[:, 2].astype(float)})


def _among(codes: Collection[str] | None, periods: Collection[str] | None) -> tuple[str, dict[str, object]]:
    """The clause and parameters that keep the approved revisions of some indicators and of some periods (all of
    them where None; none of them where empty)."""
    params: dict[str, object] = {"approved": APPROVED}
    clause = ""
    for column, prefix, wanted in (("indicator_code", "c", codes), ("period", "p", periods)):
        if wanted is None:
            continue
        names = [f"{prefix}{i}" for i in range(len(wanted))]
        params.update(dict(zip(names, wanted)))
        clause += f" AND o.{column} IN ({', '.join(':' + n for n in names)})" if names else " AND 1 = 0"
    return clause, params


def driver_rows(conn: Connection, sql: str, params: dict[str, object]) -> list[tuple[Any, ...]]:
    """Rows of any query straight from the DB-API cursor, in the driver's parameter style: no Row objects for a
    million values (nor for derived tables read whole)."""
    compiled = text(sql).compile(dialect=conn.dialect)
    bound = compiled.construct_params(params)
    args = tuple(bound[name] for name in compiled.positiontup or ()) if compiled.positional else bound
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, args)
        return cast(list[tuple[Any, ...]], cursor.fetchall())
    finally:
        cursor.close()


def _newest_revisions(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The last row of each (indicator, period) run of rows in key order: its newest revision."""
    # pandas' own tuple-to-array routine (what DataFrame.from_records uses), untyped in pandas-stubs
    empty = np.empty((0, len(_REVISION_COLUMNS)), dtype=object)
    table = lib.to_object_array_tuples(rows) if rows else empty  # type: ignore[attr-defined]
    kept = table[_last_of_runs(table)]
    return pd.DataFrame({
        CODE: _strings(kept[:, 0]), PERIOD: _strings(kept[:, 1]), VALUE: kept[:, 2].astype(float),
        NOTE: _strings(kept[:, 3]), REVISION: kept[:, 4].astype(np.int64),
        SUBMISSION: kept[:, 5].astype(np.int64),
    })


def _last_of_runs(table: np.ndarray) -> np.ndarray:
    """Rows in key order (indicator, period, revision): which is the last of its indicator and period, its newest."""
    codes, periods = table[:, 0], table[:, 1]
    last = np.ones(len(table), dtype=bool)
    last[:-1] = (codes[1:] != codes[:-1]) | (periods[1:] != periods[:-1])
    return last


def _strings(objects: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string column built from its distinct values: codes, periods and notes repeat, so few strings are copied."""
    ids, distinct = pd.factorize(objects)
    return pd.array(distinct, dtype="str").take(ids, allow_fill=True)


def read_history(conn: Connection, code: str) -> pd.DataFrame:
    """Every approved revision of every period of one indicator, oldest first, with the submission each came from:
    the public history (a file waiting for review, or returned, is shown to nobody here)."""
    return _typed(pd.read_sql_query(text(_HISTORY), conn, params={"code": code, "approved": APPROVED}))


_FIRST_REPORTS = f"""
SELECT o.indicator_code AS {CODE}, o.period AS {PERIOD}, MIN(s.submitted_at) AS {SUBMITTED_AT}
FROM observation o JOIN submission s ON s.id = o.submission_id
WHERE s.status = :approved
GROUP BY o.indicator_code, o.period
ORDER BY o.indicator_code, o.period
"""


def read_first_reports(conn: Connection) -> pd.DataFrame:
    """When a value of each indicator and period first arrived (approved): what a report's timeliness is judged on.
    Rows come straight from the driver, and each distinct time is parsed once (a submission sends many values)."""
    frame = pd.DataFrame(driver_rows(conn, _FIRST_REPORTS, {"approved": APPROVED}),
                         columns=[CODE, PERIOD, SUBMITTED_AT])
    positions, times = pd.factorize(frame[SUBMITTED_AT])
    frame[SUBMITTED_AT] = pd.to_datetime(times).to_numpy()[positions]
    return frame


NARRATIVE_COLUMNS = [CODE, PERIOD, SUBMISSION, "progress", "problems", "next_steps"]


def read_value_narratives(conn: Connection) -> pd.DataFrame:
    """进展情况 / 存在问题 / 下步措施 written with each value of each submission (empty for a store without them)."""
    if "value_narrative" not in inspect(conn).get_table_names():
        return pd.DataFrame(columns=NARRATIVE_COLUMNS)
    sql = f"""SELECT indicator_code AS {CODE}, period AS {PERIOD}, submission_id AS {SUBMISSION},
                     progress, problems, next_steps FROM value_narrative"""
    return pd.read_sql_query(text(sql), conn)


_NARRATIVES_OF = """
SELECT indicator_code, period, submission_id, progress, problems, next_steps
FROM value_narrative WHERE indicator_code IN ({codes})
"""
# the newest approved revision's submission of each value of the few indicators that have narratives
_NEWEST_APPROVED = """
SELECT o.indicator_code, o.period, o.revision, o.submission_id
FROM observation o JOIN submission s ON s.id = o.submission_id AND s.status = :approved
WHERE o.indicator_code IN ({codes})
"""


def read_current_narratives(conn: Connection, keys: Collection[tuple[str, str]]
                            ) -> dict[tuple[str, str], tuple[str, str, str]]:
    """进展情况 / 存在问题 / 下步措施 sent with the current (newest approved) value of each (indicator, period)
    asked for, read for those few values only (the overview asks for its red flags' without reading every value)."""
    wanted = set(keys)
    codes = sorted({code for code, _ in wanted})
    if not codes or "value_narrative" not in inspect(conn).get_table_names():
        return {}
    # narratives first (few), then the currency of just those values: never a scan of every value of every code
    held = set(conn.execute(text("SELECT DISTINCT indicator_code FROM value_narrative")).scalars())
    codes = [c for c in codes if c in held]  # a plan of thousands of red indicators asks for few with narratives
    if not codes:
        return {}
    written = [r for r in _rows_for_codes(conn, _NARRATIVES_OF, codes, {}) if (r[0], r[1]) in wanted]
    if not written:
        return {}
    newest: dict[tuple[str, str], tuple[int, int]] = {}
    for code, period, revision, submission in _rows_for_codes(conn, _NEWEST_APPROVED, sorted({r[0] for r in written}),
                                                              {"approved": APPROVED}):
        if (code, period) in wanted and revision > newest.get((code, period), (-1, 0))[0]:
            newest[(code, period)] = (revision, submission)
    return {(c, p): tuple("" if x is None else str(x).strip() for x in (progress, problems, steps))  # type: ignore[misc]
            for c, p, submission, progress, problems, steps in written
            if newest.get((c, p), (0, None))[1] == submission}


def _rows_for_codes(conn: Connection, sql: str, codes: Sequence[str], params: dict[str, object]
                    ) -> list[tuple[Any, ...]]:
    names = [f"c{i}" for i in range(len(codes))]
    query = text(sql.format(codes=", ".join(":" + n for n in names)))
    return [tuple(r) for r in conn.execute(query, {**params, **dict(zip(names, codes))}).all()]


class DataVersion(NamedTuple):
    """A cheap fingerprint of the store's contents: any ingest, plan update or new snapshot changes it."""

    submissions: int
    last_submission_id: int
    last_submitted_at: str  # when the newest file of any state was sent; '' while nothing has been submitted
    plan_loaded_at: str
    snapshots: int
    last_snapshot_at: str
    review_decisions: int = 0  # approving or returning a submission changes what is current
    last_approved_at: str = ""  # when the newest approved file was sent: the 数据时间 pages and the pack print


def read_data_version(conn: Connection) -> DataVersion | None:
    """The store's fingerprint in a few small queries, None when it has no schema yet (caches are keyed on it)."""
    tables = set(inspect(conn).get_table_names())
    if not {"plan", "submission"} <= tables:
        return None
    count, top, latest = conn.execute(text("SELECT COUNT(*), MAX(id), MAX(submitted_at) FROM submission")).one()
    loaded = conn.execute(text("SELECT MAX(loaded_at) FROM plan")).scalar()
    snapshots, snapped = (conn.execute(text("SELECT COUNT(*), MAX(created_at) FROM snapshot")).one()
                          if "snapshot" in tables else (0, None))
    reviews = (conn.execute(text("SELECT COUNT(*) FROM review_event")).scalar() if "review_event" in tables else 0)
    approved = conn.execute(text("SELECT MAX(submitted_at) FROM submission WHERE status = :approved"),
                            {"approved": APPROVED}).scalar()
    return DataVersion(int(count), int(top or 0), str(latest or ""), str(loaded or ""), int(snapshots),
                       str(snapped or ""), int(reviews or 0), str(approved or ""))


def read_submissions(conn: Connection) -> pd.DataFrame:
    """Every recorded submission, newest first, without the file bytes."""
    sql = """SELECT id, file_name, sha256, department, submitter, channel, status, submitted_at,
                    n_new, n_revised, n_unchanged, n_rejected FROM submission ORDER BY id DESC"""
    frame = pd.read_sql_query(text(sql), conn)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return frame


def read_submission_file(conn: Connection, submission_id: int) -> tuple[str, bytes] | None:
    """The original file of a submission, byte for byte."""
    row = conn.execute(text("SELECT file_name, content FROM submission WHERE id = :i"), {"i": submission_id}).first()
    return (row[0], bytes(row[1])) if row else None


def find_submission_by_hash(conn: Connection, sha256: str, statuses: Collection[str] = (APPROVED,)
                            ) -> tuple[int, object, str] | None:
    """The earliest submission of the same bytes in one of the states: its id, when it was sent and its state."""
    names = [f"s{i}" for i in range(len(statuses))]
    sql = (f"SELECT id, submitted_at, status FROM submission WHERE sha256 = :h "
           f"AND status IN ({', '.join(':' + n for n in names)}) ORDER BY id")
    row = conn.execute(text(sql), {"h": sha256, **dict(zip(names, statuses))}).first()
    return (row[0], row[1], row[2]) if row else None


def max_revisions(conn: Connection, codes: Collection[str], periods: Collection[str] | None = None) -> pd.DataFrame:
    """The highest revision so far (approved or not) of each indicator and period among some indicators (and some
    periods). A big file names thousands of indicators: the query goes to the driver with its own placeholders, not
    through a statement of thousands of named parameters compiled first."""
    if not codes or (periods is not None and not periods):
        return pd.DataFrame(columns=[CODE, PERIOD, REVISION])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    wanted = f" AND period IN ({', '.join([mark] * len(periods))})" if periods is not None else ""
    sql = (f"SELECT indicator_code, period, MAX(revision) FROM observation "
           f"WHERE indicator_code IN ({', '.join([mark] * len(codes))}){wanted} GROUP BY indicator_code, period")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, (*codes, *(periods or ())))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=[CODE, PERIOD, REVISION])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame[VALUE] = frame[VALUE].astype(float)
    frame[NOTE] = frame[NOTE].fillna("").astype(str)
    frame[SUBMITTED_AT] = pd.to_datetime(frame[SUBMITTED_AT])
    return frame

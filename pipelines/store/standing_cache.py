"""Standings kept in the store, so that a dashboard's first render after a change does not assess every value.

Computing a standing reads and assesses every current value: about 4 s for a million. After each change of the values
or the plan (an ingest, a review decision, a plan load) `refresh` computes the standings of the latest quarter with
data and of the quarter before it, which the overview opens on and compares, and keeps their assessments and roll-ups,
with what changed from the one to the other, under a key of the data's version and of the release. A reader uses them
only when that key is the store's version at the moment it reads, so a kept standing is never stale; when there is
none (another quarter, a store changed by an older release) the dashboard computes the standing as before. The table
holds derived data only: emptying it loses nothing. `python -m pipelines keep` keeps them on demand.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection, Engine, delete, inspect, insert, select
from sqlalchemy.exc import SQLAlchemyError

from models.db import writing
from models.queries import DataVersion, read_current_values, read_data_version
from models.schema import StandingCache
from pipelines.periods import Period, periods_between, period_of_code
from pipelines.persist import plan_from_store
from pipelines.progress import Assessment, Change, RollUp, diff_assessments
from pipelines.series import histories_from
from pipelines.snapshot import assessment_to_dict
from pipelines.standing import Standing, as_of_after, compute_standing, latest_reported

KEPT_QUARTERS = 2  # the latest quarter with data and the one before: the overview's standing and its comparison
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def release_fingerprint() -> str:
    """The pipelines' code and message catalog as installed: standings kept by another release are never used."""
    return fingerprint_of(Path(__file__).resolve().parent)


def fingerprint_of(root: Path) -> str:
    """A digest of every .py and .csv file under a folder, names and contents (compiled caches left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".csv") and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_key(version: DataVersion) -> str:
    """What assessments depend on: the submissions, the review decisions, the plan's load (a snapshot does not), and
    the release that computes them."""
    return json.dumps([version.submissions, version.last_submission_id, version.last_submitted_at,
                       version.plan_loaded_at, version.review_decisions, release_fingerprint()])


@dataclass(frozen=True)
class Kept:
    """What the store keeps for one version of its data."""

    latest: Period | None  # the period with data that ends last; None while nothing has been reported
    quarters: frozenset[str]  # the as-of quarters whose assessments are kept


def _has_table(conn: Connection) -> bool:
    return inspect(conn).has_table(StandingCache.__tablename__)  # a store not yet upgraded keeps nothing


def read_kept(conn: Connection, version: DataVersion) -> Kept | None:
    """What is kept for this version of the data; None when nothing is (the caller computes instead)."""
    if not _has_table(conn):
        return None
    rows = conn.execute(select(StandingCache.as_of, StandingCache.latest_period)
                        .where(StandingCache.data_key == data_key(version))).all()
    if not rows:
        return None
    latest = rows[0].latest_period
    return Kept(period_of_code(latest) if latest else None, frozenset(r.as_of for r in rows))


class KeptChanges(NamedTuple):
    since: str  # the quarter compared with, by its code
    changes: list[Change]  # pipelines.progress.diff_assessments of its assessments and this quarter's


class KeptStanding(NamedTuple):
    assessments: dict[str, Assessment]
    rollups: dict[str, RollUp]
    changes: KeptChanges | None = None  # kept with the latest quarter: what changed since the quarter before


def read_kept_standing(conn: Connection, version: DataVersion, as_of: Period) -> KeptStanding | None:
    """The kept assessments and roll-ups of one quarter for this version of the data; None when they are not kept."""
    if not _has_table(conn):
        return None
    payload = conn.execute(select(StandingCache.payload_json).where(
        StandingCache.data_key == data_key(version), StandingCache.as_of == as_of.code)).scalar()
    if payload is None:
        return None
    try:
        return decode_standing(payload)
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # damaged derived data: compute instead
        log.warning("kept standing of %s not readable: %s", as_of.code, error)
        return None


# One row of values per assessment in the dataclass's field order (no key names repeated 2,500 times), and the
# roll-ups as they are: a large plan's quarter reads back in about a third of the time that snapshot's form and
# rolling up again take.
_FIELDS = tuple(f.name for f in dataclasses.fields(Assessment))
_PERIODS = tuple(i for i, name in enumerate(_FIELDS) if name in {"as_of", "latest_period", "due_period"})
_CODE, _THRESHOLDS = _FIELDS.index("code"), _FIELDS.index("thresholds")


def encode_standing(standing: Standing, since: Standing | None = None) -> str:
    """One quarter's assessments and roll-ups; with `since`, also what changed from that standing to this one (the
    overview's "what changed since last quarter" then needs no second quarter read back)."""
    rows = [list(assessment_to_dict(a).values()) for a in standing.assessments.values()]  # asdict keeps field order
    rollups = [dataclasses.asdict(r) for r in standing.rollups.values()]
    payload: dict[str, object] = {"fields": _FIELDS, "rows": rows, "rollups": rollups}
    if since is not None:
        changes = diff_assessments(since.assessments, standing.assessments)
        payload["changes"] = {"since": since.as_of.code, "rows": [list(dataclasses.astuple(c)) for c in changes]}
    return json.dumps(payload, ensure_ascii=False)


def decode_standing(payload: str) -> KeptStanding:
    data = json.loads(payload)
    if tuple(data["fields"]) != _FIELDS:
        raise ValueError("kept by a release with other assessment fields")
    assessments = {}
    for row in data["rows"]:
        for i in _PERIODS:
            row[i] = period_of_code(row[i]) if row[i] else None
        row[_THRESHOLDS] = tuple(tuple(pair) for pair in row[_THRESHOLDS])
        assessments[row[_CODE]] = Assessment(*row)
    rollups = {r["code"]: RollUp(**(r | {"children": tuple(r["children"])})) for r in data["rollups"]}
    changes = data.get("changes")
    if changes is not None:
        changes = KeptChanges(changes["since"], [Change(*row) for row in changes["rows"]])
    return KeptStanding(assessments, rollups, changes)


def refresh(engine: Engine, now: dt.datetime | None = None) -> list[Period]:
    """Compute and keep the standings of the latest quarter with data and the quarter before; the quarters kept.

    Called after a change has committed, and never undoes or fails it: when the store changed again meanwhile nothing
    is written (the newer change keeps its own), and a store error leaves nothing kept ([]), which readers survive.
    """
    try:
        return _refresh(engine, now or dt.datetime.now())
    except SQLAlchemyError as error:
        log.warning("standings not kept: %s", str(error).splitlines()[0])
        return []


def _refresh(engine: Engine, now: dt.datetime) -> list[Period]:
    with engine.connect() as conn:  # one read transaction: the values and the version they belong to
        if not _has_table(conn):
            return []
        version, plan = read_data_version(conn), plan_from_store(conn)
        if version is None or plan is None:
            return []
        current = read_current_values(conn)
    latest = latest_reported(current)
    quarters = periods_between(plan.info.start_period, as_of_after(plan, latest), "quarterly")[-KEPT_QUARTERS:]
    histories = histories_from(current)
    standings = [compute_standing(plan, current, quarter, histories) for quarter in quarters]
    rows = [{
        "data_key": data_key(version), "as_of": quarter.code, "latest_period": latest.code if latest else "",
        "created_at": now,
        "payload_json": encode_standing(standing, standings[i - 1] if i else None),
    } for i, (quarter, standing) in enumerate(zip(quarters, standings))]
    with writing(engine) as conn, conn.begin():
        now_at = read_data_version(conn)
        if now_at is None or data_key(now_at) != data_key(version):
            return []
        conn.execute(delete(StandingCache))
        conn.execute(insert(StandingCache), rows)
    return quarters

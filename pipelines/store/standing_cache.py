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

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from models.db import writing
from models.queries import DataVersion, read_current_values, read_data_version
from models.schema import StandingCache
from pipelines.core.periods import Period, period_of_code, periods_between
from pipelines.engine.series import histories_from
from pipelines.plan.standing import as_of_after, compute_standing, latest_reported
from pipelines.store.codec import KeptStanding, decode_standing, encode_standing
from pipelines.store.plans import default_code, plan_from_store, plans_in_store
from pipelines.store.standings import plan_values

KEPT_QUARTERS = 2  # the latest quarter with data and the one before: the overview's standing and its comparison
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def release_fingerprint() -> str:
    """The pipelines' code and message catalog as installed: standings kept by another release are never used."""
    return fingerprint_of(Path(__file__).resolve().parents[1])  # the whole pipelines package


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


def read_kept(conn: Connection, version: DataVersion, plan: str | None = None) -> Kept | None:
    """What is kept of one plan (the store's default plan when none is named) for this version of the data; None when
    nothing is (the caller computes instead)."""
    if not _has_table(conn):
        return None
    rows = conn.execute(select(StandingCache.as_of, StandingCache.latest_period)
                        .where(StandingCache.data_key == data_key(version),
                               StandingCache.plan_code == _code(conn, plan))).all()
    if not rows:
        return None
    latest = rows[0].latest_period
    return Kept(period_of_code(latest) if latest else None, frozenset(r.as_of for r in rows))


def _code(conn: Connection, plan: str | None) -> str:
    return plan if plan is not None else default_code(conn)


def read_kept_standing(conn: Connection, version: DataVersion, as_of: Period, plan: str | None = None
                       ) -> KeptStanding | None:
    """The kept assessments and roll-ups of one plan's quarter for this version of the data; None when not kept."""
    if not _has_table(conn):
        return None
    payload = conn.execute(select(StandingCache.payload_json).where(
        StandingCache.data_key == data_key(version), StandingCache.plan_code == _code(conn, plan),
        StandingCache.as_of == as_of.code)).scalar()
    if payload is None:
        return None
    try:
        return decode_standing(payload)
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # damaged derived data: compute instead
        log.warning("kept standing of %s not readable: %s", as_of.code, error)
        return None


def forget(engine: Engine) -> None:
    """Empty what is kept (derived data only): readers then compute, and the next change keeps afresh."""
    with writing(engine) as conn, conn.begin():
        if _has_table(conn):
            conn.execute(delete(StandingCache))


def refresh(engine: Engine, now: dt.datetime | None = None) -> list[Period]:
    """Compute and keep, for every plan, the standings of its latest quarter with data and the quarter before; the
    quarters kept of the store's default plan.

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
        version = read_data_version(conn)
        plans = [plan_from_store(conn, p.code) for p in plans_in_store(conn)] if version is not None else []
        if version is None or not plans:
            return []
        every = read_current_values(conn)
        default = default_code(conn)
    rows, kept = [], []
    for plan in (p for p in plans if p is not None):
        current = plan_values(every, plan)
        latest = latest_reported(current)
        quarters = periods_between(plan.info.start_period, as_of_after(plan, latest), "quarterly")[-KEPT_QUARTERS:]
        histories = histories_from(current)
        standings = [compute_standing(plan, current, quarter, histories) for quarter in quarters]
        rows += [{
            "data_key": data_key(version), "plan_code": plan.info.code, "as_of": quarter.code,
            "latest_period": latest.code if latest else "", "created_at": now,
            "payload_json": encode_standing(standing, standings[i - 1] if i else None),
        } for i, (quarter, standing) in enumerate(zip(quarters, standings))]
        kept += quarters if plan.info.code == default else []
    with writing(engine) as conn, conn.begin():
        now_at = read_data_version(conn)
        if now_at is None or data_key(now_at) != data_key(version):
            return []
        conn.execute(delete(StandingCache))
        conn.execute(insert(StandingCache), rows)
    return kept

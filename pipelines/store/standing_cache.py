"""Standings kept in the store, so that a dashboard's first render does not assess every value, and so that a change
costs what it touched rather than what the store holds.

After each change of the values or the plan (an ingest, a review decision, a plan load) `refresh` keeps, for every
plan, the standings of its latest quarter with data and of the quarter before (which the overview opens on and
compares): every indicator's assessment, the roll-ups, and what changed from the one quarter to the other, under a key
of the data's version and of the release. A reader uses them only when that key is the store's version at the moment
it reads, so a kept standing is never stale; when there is none (another quarter, a store changed by an older
release) the dashboard computes the standing as before.

A refresh starts from what is kept for the version before. The approved submissions counted then and now differ by
the submissions the change made count; `submission_series` names the series they sent values of, and only the
indicators drawing on those series (their own code, or the code they continue, which may give them their `final`
baseline) are assessed again, in every plan that targets them; their sub-items are rolled up again from the exact
tallies kept with them (the re-assessed indicators' kept figures taken out, their new ones put in: no other
indicator's row is read), then their actions and plans, and every other assessment and roll-up is carried over. It
computes from scratch when nothing usable is kept (a new store, a plan loaded again, another release, a submission
no longer counted, damaged rows) and for a quarter not kept before: the first value of a new quarter moves the
quarters kept, and every indicator is judged as of the new one. The tables hold derived data only: emptying them
loses nothing. `python -m pipelines keep` keeps them on demand.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from models.columns import CODE, PERIOD
from models.db import keeper_lock, writing
from models.queries import DataVersion, driver_rows, read_current_series, read_data_version
from models.schema import KeptAssessment, StandingCache, Submission, SubmissionSeries
from models.states import APPROVED
from pipelines.core.periods import Period, period_of_code, periods_between
from pipelines.engine.assessment import Assessment, Change
from pipelines.engine.progress import IndicatorSpec, assess_all, diff_assessments
from pipelines.engine.rollup import LeafFigures, RollUp, Tally, leaf_figures, roll_up_tallied, tallies_of
from pipelines.engine.series import History, histories_from
from pipelines.plan.records import PlanInfo
from pipelines.plan.standing import as_of_after, latest_reported, rule_of, spec_of
from pipelines.store.codec import (
    KeptHeader,
    KeptStanding,
    decode_assessment,
    decode_header,
    decode_kept,
    decode_leaves,
    encode_assessment,
    encode_changes,
    encode_header,
    encode_leaf,
)
from pipelines.store.plans import (
    PlanOutline,
    default_code,
    plan_from_store,
    plan_indicators,
    plan_outline,
    plans_in_store,
)
from pipelines.store.standings import plan_values

KEPT_QUARTERS = 2  # the latest quarter with data and the one before: the overview's standing and its comparison
log = logging.getLogger(__name__)
_DAMAGED = (ValueError, TypeError, KeyError, AttributeError, IndexError)  # what reading damaged derived rows raises


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


def _key_of(version: DataVersion | None) -> str | None:
    return data_key(version) if version is not None else None


def _base_of(key: str) -> tuple[str, str] | None:
    """The plan load and the release a key was made under: what kept rows may be carried over from."""
    try:
        fields = json.loads(key)
        return str(fields[3]), str(fields[5])
    except (ValueError, TypeError, IndexError):
        return None


@dataclass(frozen=True)
class Kept:
    """What the store keeps for one version of its data."""

    latest: Period | None  # the period with data that ends last; None while nothing has been reported
    quarters: frozenset[str]  # the as-of quarters whose assessments are kept


def _has_table(conn: Connection) -> bool:
    tables = set(inspect(conn).get_table_names())  # a store not yet upgraded keeps nothing
    return {StandingCache.__tablename__, KeptAssessment.__tablename__} <= tables


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
    """The kept assessments, roll-ups and changes of one plan's quarter for this version of the data; None when not
    kept. The header is read again after the rows: rows rewritten meanwhile by a newer change are not mixed in."""
    if not _has_table(conn):
        return None
    code, key = _code(conn, plan), data_key(version)
    header = select(StandingCache.payload_json).where(StandingCache.data_key == key, StandingCache.plan_code == code,
                                                      StandingCache.as_of == as_of.code)
    payload = conn.execute(header).scalar()
    if payload is None:
        return None
    rows = conn.execute(select(KeptAssessment.code, KeptAssessment.row_json, KeptAssessment.changes_json)
                        .where(KeptAssessment.plan_code == code, KeptAssessment.as_of == as_of.code)
                        .order_by(KeptAssessment.position)).all()
    if conn.execute(header).scalar() != payload:
        return None
    try:
        return decode_kept(payload, rows)
    except _DAMAGED as error:  # damaged derived data: compute instead
        log.warning("kept standing of %s not readable: %s", as_of.code, error)
        return None


def record_series(conn: Connection, submission_id: int, codes: Iterable[str]) -> None:
    """Note which series a submission sends values of, in its own transaction: what its approval will touch."""
    rows = [{"submission_id": submission_id, "indicator_code": code} for code in sorted(set(codes))]
    if rows:
        conn.execute(insert(SubmissionSeries), rows)


def forget(engine: Engine) -> None:
    """Empty what is kept (derived data only): readers then compute, and the next change keeps afresh."""
    with writing(engine) as conn, conn.begin():
        if _has_table(conn):
            conn.execute(delete(KeptAssessment))
            conn.execute(delete(StandingCache))


KEEPING_ROUNDS = 5  # a keeper keeps again while changes land as it works; beyond this, readers compute


def refresh(engine: Engine, now: dt.datetime | None = None) -> list[Period]:
    """Keep, for every plan, the standings of its latest quarter with data and the quarter before, re-assessing
    only what changed since the version kept before; the quarters kept of the store's default plan ([] when this
    call kept nothing).

    Called after a change has committed, and never undoes or fails it. One caller keeps for all: when another is
    keeping at that moment (departments sending at once), this one leaves it to that keeper, which looks at the
    store's version again once it is done and keeps again when the version moved, so the changes committed meanwhile
    are kept together, from the same kept rows. A store error leaves nothing new kept ([]), which readers survive.
    """
    quarters: list[Period] = []
    try:
        for _round in range(KEEPING_ROUNDS):
            with keeper_lock(engine) as alone:
                if not alone:
                    return quarters
                done, version = _refresh(engine, now or dt.datetime.now())
            quarters = done or quarters
            with engine.connect() as conn:  # after the lock is let go: a change that found it held is seen here
                if version is None or _key_of(read_data_version(conn)) == data_key(version):
                    return done
        return quarters
    except SQLAlchemyError as error:
        log.warning("standings not kept: %s", str(error).splitlines()[0])
        return []


# ---- what was kept ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Prior:
    """What is kept of one plan, usable as the start of the next refresh."""

    latest: Period | None
    headers: Mapping[str, KeptHeader]  # as-of quarter → its roll-ups, changes counted since, sub-items' tallies
    basis: frozenset[int]  # the approved submissions the kept standings count


def _priors(conn: Connection, version: DataVersion) -> dict[str, _Prior]:
    """The kept standings of each plan that were made under the same plan load and release, and are readable."""
    base = (str(version.plan_loaded_at), release_fingerprint())
    rows = conn.execute(select(StandingCache.plan_code, StandingCache.as_of, StandingCache.data_key,
                               StandingCache.latest_period, StandingCache.basis_json,
                               StandingCache.payload_json)).all()
    by_plan: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for plan_code, as_of, key, latest, counted, payload in rows:
        by_plan[plan_code].append((as_of, key, latest, counted, payload))
    out = {}
    for plan_code, held in by_plan.items():
        _as_of, key, latest, counted, _payload = held[0]
        if _base_of(key) != base or any(row[1] != key for row in held):
            continue
        try:
            basis = frozenset(int(i) for i in json.loads(counted))
            headers = {quarter: decode_header(text) for quarter, _k, _l, _c, text in held}
        except _DAMAGED:
            continue
        out[plan_code] = _Prior(period_of_code(latest) if latest else None, headers, basis)
    return out


def _series_of(conn: Connection, submissions: Iterable[int]) -> set[str]:
    """The series some submissions sent values of."""
    ids = sorted(submissions)
    if not ids:
        return set()
    return set(conn.execute(select(SubmissionSeries.indicator_code).distinct()
                            .where(SubmissionSeries.submission_id.in_(ids))).scalars())


def _kept_leaves(conn: Connection, plan: str, as_of: str, codes: Collection[str]) -> dict[str, LeafFigures]:
    """Some indicators' kept leaf figures of a quarter, read from the cursor and decoded in one go: every row when
    they are many."""
    query = "SELECT code, leaf_json FROM kept_assessment WHERE plan_code = :plan AND as_of = :as_of"
    wanted = sorted(codes)
    params: dict[str, object] = {"plan": plan, "as_of": as_of}
    if len(wanted) <= NAMED_AT_MOST:
        query += " AND code IN (" + ", ".join(f":c{i}" for i in range(len(wanted))) + ")"
        params |= {f"c{i}": code for i, code in enumerate(wanted)}
    rows = [r for r in driver_rows(conn, query, params) if r[0] in codes]
    return dict(zip((r[0] for r in rows), decode_leaves([r[1] for r in rows])))


NAMED_AT_MOST = 500  # codes a query names at most (well under every backend's limit of parameters); beyond that,
# every row is read and the wanted ones kept


def _kept_assessments(conn: Connection, plan: str, as_of: str) -> dict[str, Assessment]:
    rows = conn.execute(select(KeptAssessment.code, KeptAssessment.row_json)
                        .where(KeptAssessment.plan_code == plan, KeptAssessment.as_of == as_of)
                        .order_by(KeptAssessment.position)).all()
    return {code: decode_assessment(row) for code, row in rows}


# ---- what to keep -----------------------------------------------------------------------------------------------

@dataclass
class _Quarter:
    """What to write of one kept quarter: every indicator's row (`full`) or the re-assessed ones'."""

    as_of: Period
    assessments: dict[str, Assessment]  # every indicator's (full) or those assessed again
    rollups: dict[str, RollUp]
    tallies: dict[str, Tally]  # every sub-item's
    full: bool
    since: str | None = None  # the quarter before, when this is the latest kept quarter and has one
    changes: dict[str, list[Change]] | None = None  # per indicator written, when `since`


@dataclass
class _Fresh:
    outline: PlanOutline
    latest: Period | None
    quarters: list[_Quarter]


class _Values:
    """The current values a refresh reads, in its one read transaction: those of some series, and every value only
    when a plan is computed from scratch. A change that touched many series (a first load, a bulk file) has every
    value read once and its series' taken from them: it is likely to start a new quarter, which wants every value."""

    def __init__(self, conn: Connection, few: Iterable[str]) -> None:
        self._conn = conn
        codes = sorted(set(few))
        self._every: pd.DataFrame | None = None
        self._histories: dict[str, History] | None = None
        if len(codes) > NAMED_AT_MOST:
            self._every = read_current_series(conn)
            self.few: pd.DataFrame | None = self._every[self._every[CODE].isin(codes)]
            wanted = set(codes)
            self.few_histories = {c: h for c, h in self.histories().items() if c in wanted}
        else:
            self.few = read_current_series(conn, codes) if codes else None
            self.few_histories = histories_from(self.few) if self.few is not None else {}
        self.latest: dict[str, Period] = {}  # of each of those series, its latest period with data
        if self.few is not None and not self.few.empty:
            periods = {code: period_of_code(code) for code in self.few[PERIOD].unique()}
            ends = pd.DataFrame({CODE: self.few[CODE], PERIOD: self.few[PERIOD],
                                 "end": self.few[PERIOD].map({code: p.end_time for code, p in periods.items()})})
            last = ends.sort_values(["end", PERIOD]).groupby(CODE, sort=False).tail(1)
            self.latest = {code: periods[period] for code, period in zip(last[CODE], last[PERIOD])}

    def every(self) -> pd.DataFrame:
        if self._every is None:
            self._every = read_current_series(self._conn)
        return self._every

    def histories(self) -> dict[str, History]:
        """Every series' history, made once for all the plans computed from scratch (each reads its own series)."""
        if self._histories is None:
            self._histories = histories_from(self.every())
        return self._histories


def _refresh(engine: Engine, now: dt.datetime) -> tuple[list[Period], DataVersion | None]:
    """The quarters kept of the default plan ([] when the store changed before they were written: they are kept
    for the version they were computed for, as a start for the next round), and that version (None: nothing to
    keep)."""
    with engine.connect() as conn:  # one read transaction: the values, what was kept, and the version of both
        if not _has_table(conn):
            return [], None
        version = read_data_version(conn)
        outlines = ([o for o in (plan_outline(conn, info.code) for info in plans_in_store(conn)) if o is not None]
                    if version is not None else [])
        if version is None or not outlines:
            return [], None
        default = default_code(conn)
        basis = frozenset(int(i) for i in conn.execute(select(Submission.id).where(Submission.status == APPROVED))
                          .scalars())
        priors = {code: prior for code, prior in _priors(conn, version).items() if prior.basis <= basis}
        touched = {code: _series_of(conn, basis - prior.basis) for code, prior in priors.items()}
        affected = {o.info.code: [c for c, series in o.series.items() if not touched[o.info.code].isdisjoint(series)]
                    for o in outlines if o.info.code in priors}
        drawn = ({s for c in codes for s in o.series[c]} for o in outlines for codes in [affected.get(o.info.code, [])])
        values = _Values(conn, set().union(*touched.values(), *drawn))
        fresh = []
        for outline in outlines:
            code = outline.info.code
            done = None
            if code in priors:
                try:
                    done = _carried(conn, outline, priors[code], affected[code], values)
                except _DAMAGED as error:
                    log.warning("kept standings of %s not readable, computed afresh: %s", code, error)
            fresh.append(done or _from_scratch(conn, outline, values))
    with writing(engine) as conn, conn.begin():
        # Kept under the version they were computed for, even when the store has moved on meanwhile: no reader
        # takes them for the standings of another version, and the next round starts from them.
        now_at = read_data_version(conn)
        if now_at is None:
            return [], version
        _write(conn, fresh, data_key(version), basis, now)
    if data_key(now_at) != data_key(version):
        return [], version
    return [q.as_of for f in fresh if f.outline.info.code == default for q in f.quarters], version


def _quarters_of(info: PlanInfo, latest: Period | None) -> list[Period]:
    return periods_between(info.start_period, as_of_after(info, latest), "quarterly")[-KEPT_QUARTERS:]


def _from_scratch(conn: Connection, outline: PlanOutline, values: _Values) -> _Fresh:
    """Every indicator of the plan assessed as of each kept quarter."""
    plan = plan_from_store(conn, outline.info.code)
    assert plan is not None  # the outline was read in the same transaction
    latest = latest_reported(plan_values(values.every(), plan))
    histories = values.histories()
    specs, rule = [spec_of(i) for i in plan.indicators], rule_of(plan.info)
    quarters: list[_Quarter] = []
    for quarter in _quarters_of(plan.info, latest):
        assessments = assess_all(specs, histories, quarter, rule)
        tallies = tallies_of({c: leaf_figures(a) for c, a in assessments.items()}, outline.tree)
        rollups = roll_up_tallied(tallies, outline.tree, plan.info.code, rule)
        quarters.append(_Quarter(quarter, assessments, rollups, tallies, full=True))
    _count_changes(quarters, None)
    return _Fresh(outline, latest, quarters)


def _carried(conn: Connection, outline: PlanOutline, prior: _Prior, affected: list[str],
             values: _Values) -> _Fresh | None:
    """The kept standings carried over, with the indicators drawing on a touched series assessed again; None when a
    quarter to keep was not kept (the plan is then computed from scratch)."""
    info = outline.info
    mine = [values.latest[c] for c in outline.series_codes() & values.latest.keys()]
    latest = max((p for p in (prior.latest, *mine) if p is not None), key=lambda p: (p.end_time, p.code), default=None)
    wanted = _quarters_of(info, latest)
    specs, rule = [spec_of(i) for i in plan_indicators(conn, info.code, affected)], rule_of(info)
    if any(q.code not in prior.headers for q in wanted):
        if wanted[-1].code in prior.headers:
            return None
        return _moved_on(conn, outline, prior, specs, values, wanted)
    quarters = []
    for quarter in wanted:
        kept = prior.headers[quarter.code]
        assessments = assess_all(specs, values.few_histories, quarter, rule)
        tallies, rollups = kept.tallies, kept.rollups
        if assessments:
            before = _kept_leaves(conn, info.code, quarter.code, assessments.keys())
            if before.keys() != assessments.keys():
                raise KeyError(f"kept leaves of {quarter.code} missing")
            tallies, moved = _retallied(outline, kept.tallies, before,
                                        {c: leaf_figures(a) for c, a in assessments.items()})
            rollups = roll_up_tallied(tallies, outline.tree, info.code, rule, kept.rollups, moved)
        quarters.append(_Quarter(quarter, assessments, rollups, tallies, full=False))
    _count_changes(quarters, None)
    return _Fresh(outline, latest, quarters)


def _moved_on(conn: Connection, outline: PlanOutline, prior: _Prior, specs: list[IndicatorSpec], values: _Values,
              wanted: list[Period]) -> _Fresh:
    """A new latest quarter: every indicator is assessed as of it; the quarter kept before it, now the one before
    the latest, is carried over with its touched indicators assessed again (the changes its rows hold are no longer
    read: its header counts none)."""
    fresh = _from_scratch(conn, outline, values)
    before = [q for q in wanted if q.code in prior.headers]
    if not before:
        return fresh
    quarter, info = before[0], outline.info
    kept = prior.headers[quarter.code]
    rule = rule_of(info)
    again = assess_all(specs, values.few_histories, quarter, rule)
    kept_whole = _kept_assessments(conn, info.code, quarter.code)
    tallies, moved = _retallied(outline, kept.tallies, {c: leaf_figures(kept_whole[c]) for c in again},
                                {c: leaf_figures(a) for c, a in again.items()})
    rollups = roll_up_tallied(tallies, outline.tree, info.code, rule, kept.rollups, moved)
    whole = kept_whole | again
    carried = _Quarter(quarter, again, rollups, tallies, full=False)
    quarters = [carried if q.as_of == quarter else q for q in fresh.quarters]
    _count_changes(quarters, whole)
    return _Fresh(outline, fresh.latest, quarters)


def _retallied(outline: PlanOutline, tallies: Mapping[str, Tally], before: Mapping[str, LeafFigures],
               after: Mapping[str, LeafFigures]) -> tuple[dict[str, Tally], set[str]]:
    """The sub-items' tallies with some indicators' kept figures replaced by new ones, and the sub-items that hold
    them."""
    holding: dict[str, list[str]] = defaultdict(list)
    for sub_items in outline.tree.values():
        for sub_item, codes in sub_items.items():
            holding[sub_item] += [c for c in codes if c in after]
    out = dict(tallies)
    for sub_item, codes in holding.items():
        if codes:
            out[sub_item] = tallies[sub_item].retallied([before[c] for c in codes], [after[c] for c in codes])
    return out, {s for s, codes in holding.items() if codes}


def _count_changes(quarters: list[_Quarter], before_whole: Mapping[str, Assessment] | None) -> None:
    """What changed from the quarter before to the latest kept quarter, for the indicators the latest is written
    for: all of them when it is written whole (from every assessment of the quarter before), else those assessed
    again (assessed again in the quarter before too)."""
    if len(quarters) < 2:
        return
    before, latest = quarters[-2], quarters[-1]
    latest.since = before.as_of.code
    earlier = before.assessments if before_whole is None else before_whole
    grouped: dict[str, list[Change]] = {code: [] for code in latest.assessments}
    for change in diff_assessments({c: earlier[c] for c in latest.assessments if c in earlier}
                                   if not latest.full else earlier, latest.assessments):
        grouped[change.code].append(change)
    latest.changes = grouped


# ---- writing ----------------------------------------------------------------------------------------------------

def _write(conn: Connection, fresh: list[_Fresh], key: str, basis: frozenset[int], now: dt.datetime) -> None:
    plans = [f.outline.info.code for f in fresh]
    conn.execute(delete(KeptAssessment).where(KeptAssessment.plan_code.not_in(plans)))
    conn.execute(delete(StandingCache).where(StandingCache.plan_code.not_in(plans)))
    counted = json.dumps(sorted(basis))
    for plan in fresh:
        code, quarters = plan.outline.info.code, [q.as_of.code for q in plan.quarters]
        positions = plan.outline.positions
        conn.execute(delete(KeptAssessment).where(KeptAssessment.plan_code == code,
                                                  KeptAssessment.as_of.not_in(quarters)))
        conn.execute(delete(StandingCache).where(StandingCache.plan_code == code))
        for quarter in plan.quarters:
            where = (KeptAssessment.plan_code == code, KeptAssessment.as_of == quarter.as_of.code)
            if quarter.full:
                conn.execute(delete(KeptAssessment).where(*where))
            elif quarter.assessments:
                conn.execute(delete(KeptAssessment).where(*where, KeptAssessment.code.in_(list(quarter.assessments))))
            rows = _rows(code, quarter, positions)
            if rows:
                conn.execute(insert(KeptAssessment), rows)
        conn.execute(insert(StandingCache), [{
            "plan_code": code, "as_of": quarter.as_of.code, "data_key": key,
            "latest_period": plan.latest.code if plan.latest else "", "created_at": now, "basis_json": counted,
            "payload_json": encode_header(quarter.rollups, quarter.since, quarter.tallies),
        } for quarter in plan.quarters])


def _rows(plan: str, quarter: _Quarter, positions: Mapping[str, int]) -> list[dict[str, object]]:
    counted = quarter.changes or {}
    return [{"plan_code": plan, "as_of": quarter.as_of.code, "code": code, "position": positions[code],
             "leaf_json": encode_leaf(leaf_figures(assessment)), "row_json": encode_assessment(assessment),
             "changes_json": encode_changes(counted.get(code, []))}
            for code, assessment in quarter.assessments.items()]

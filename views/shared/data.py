"""Cached reads of the store for every page: the engine per database URL, results keyed on the store's data version.

The version (pipelines' cheap fingerprint of submissions, plan load and snapshots) is part of every cache key, so an
ingest, a plan update or a new snapshot invalidates what was cached without anyone clearing it by hand. The plan
with its current values and the standings are shared objects (st.cache_resource: a large store's values are not
copied on every read); smaller query results are st.cache_data. The standings the overview opens on are kept in
the store by every change (pipelines.store.standing_cache), so a first render reads them instead of every value.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from models.columns import CODE
from models.db import database_url, make_engine
from models.queries import (
    DataVersion,
    read_current_narratives,
    read_current_values,
    read_data_version,
    read_first_reports,
    read_history,
    read_submissions,
    read_value_narratives,
)
from pipelines.core.periods import Period, period_of_code, periods_between
from pipelines.engine.progress import Change, History, diff_assessments
from pipelines.engine.series import histories_from
from pipelines.plan.evaluation import Evaluation, compute_evaluation
from pipelines.plan.records import PlanData, PlanInfo
from pipelines.plan.standing import Standing, as_of_after, compute_standing, latest_reported, standing_of
from pipelines.present.tables import changes_rows, red_flags, red_keys
from pipelines.present.timeliness import compute_report_states
from pipelines.store.codec import KeptStanding
from pipelines.store.plans import plan_from_store, plans_in_store, series_codes
from pipelines.store.snapshot import read_revisions_since, read_snapshot
from pipelines.store.standing_cache import Kept, read_kept, read_kept_standing
from pipelines.store.standings import plan_values
from pipelines.store.tasks import read_task_reports

Version = DataVersion


class Loaded(NamedTuple):
    plan: PlanData
    current: pd.DataFrame
    observations: dict[str, History]  # grouped once, shared by the standings of every quarter


def db_url() -> str:
    """Read when used, not at import: tests and the benchmark point KPI_DB_URL at their own stores."""
    return database_url()


@st.cache_resource(max_entries=4, show_spinner=False)
def engine(url: str) -> Engine:
    return make_engine(url)


def data_version(url: str) -> Version | None:
    """The store's fingerprint (one cheap query per run); None for a store without tables."""
    with engine(url).connect() as conn:
        return read_data_version(conn)


@st.cache_data(max_entries=8, show_spinner=False)
def plans(url: str, version: Version) -> list[PlanInfo]:
    """Every plan in the store by start, drafts included (the shell shows those to admins only)."""
    with engine(url).connect() as conn:
        return plans_in_store(conn)


@st.cache_resource(max_entries=8, show_spinner=False)
def plan(url: str, version: Version, code: str) -> PlanData | None:
    """One plan alone (a few hundred rows; `final` baselines resolved); None when the store holds no such plan."""
    with engine(url).connect() as conn:
        return plan_from_store(conn, code)


@st.cache_resource(max_entries=8, show_spinner=False)
def kept(url: str, version: Version, code: str) -> Kept | None:
    """What the store keeps of one plan for this version of its data (pipelines.store.standing_cache): the standings
    a first render draws without reading every value. None when nothing is kept."""
    with engine(url).connect() as conn:
        return read_kept(conn, version, code)


@st.cache_resource(max_entries=4, show_spinner=False)
def _values(url: str, version: Version) -> pd.DataFrame:
    """Every current value of every series, read once for all the plans that draw on them."""
    with engine(url).connect() as conn:
        return read_current_values(conn)


@st.cache_resource(max_entries=8, show_spinner=False)
def store(url: str, version: Version, code: str) -> Loaded | None:
    """One plan, the current values of its series and those values grouped for the engine; None when the store holds
    no such plan."""
    stored = plan(url, version, code)
    if stored is None:
        return None
    current = plan_values(_values(url, version), stored)
    return Loaded(stored, current, histories_from(current))


@st.cache_resource(max_entries=8, show_spinner=False)
def latest(url: str, version: Version, code: str) -> Period | None:
    """The period with data of the plan's series that ends last; None while nothing has been reported."""
    known = kept(url, version, code)
    if known is not None:
        return known.latest
    loaded = store(url, version, code)
    return latest_reported(loaded.current) if loaded else None


@st.cache_data(max_entries=8, show_spinner=False)
def quarters(url: str, version: Version, code: str) -> list[str]:
    """The quarters one may look at: from the plan's start to its latest quarter with data (the default, last)."""
    stored = plan(url, version, code)
    if stored is None:
        return []
    return [p.code for p in periods_between(stored.info.start_period,
                                            as_of_after(stored, latest(url, version, code)), "quarterly")]


@st.cache_resource(max_entries=16, show_spinner=False)
def _kept_standing(url: str, version: Version, as_of: str, code: str) -> KeptStanding | None:
    """A quarter's assessments, roll-ups and changes as kept for this version of the data; None when not kept."""
    known = kept(url, version, code)
    if known is None or as_of not in known.quarters:
        return None
    with engine(url).connect() as conn:
        return read_kept_standing(conn, version, period_of_code(as_of), code)


@st.cache_resource(max_entries=16, show_spinner=False)
def standing(url: str, version: Version, as_of: str, code: str) -> Standing:
    """One plan's standing as of a quarter: kept in the store when it is one of the quarters kept for this version of
    the data (its values are read only when a view asks for them), computed from the current values otherwise."""
    period, found = period_of_code(as_of), _kept_standing(url, version, as_of, code)
    stored = plan(url, version, code) if found is not None else None
    if found is not None and stored is not None:
        return standing_of(stored, period, found.assessments, lambda: _loaded(url, version, code).current,
                           found.rollups)
    loaded = _loaded(url, version, code)
    return compute_standing(loaded.plan, loaded.current, period, loaded.observations)


def _loaded(url: str, version: Version, code: str) -> Loaded:
    loaded = store(url, version, code)
    assert loaded is not None, "a standing is asked for only after plan() found one"
    return loaded


@st.cache_resource(max_entries=8, show_spinner=False)
def evaluation(url: str, version: Version, code: str, kind: str, as_of: str) -> Evaluation | None:
    """One plan's 总结评估 (kind 'final': at each indicator's target period, as_of aside) or 中期评估 as of a quarter;
    None when the store holds no such plan."""
    loaded = store(url, version, code)
    if loaded is None:
        return None
    when = None if kind == "final" else period_of_code(as_of)
    return compute_evaluation(loaded.plan, loaded.current, "final" if kind == "final" else "midterm", when,
                              loaded.observations)


@st.cache_resource(max_entries=8, show_spinner=False)
def changes(url: str, version: Version, before: str, after: str, code: str) -> tuple[list[Change], pd.DataFrame]:
    """What changed in one plan from `before` (its frozen briefing when there is one) to `after`, and the revised past
    values. Shared, not copied per run (a large plan's thousands of changes): callers only read them."""
    previous = period_of_code(before)
    with engine(url).connect() as conn:
        frozen = read_snapshot(conn, previous, code)
        now = standing(url, version, after, code)
        revisions = read_revisions_since(conn, previous, frozen, now.plan.info.due_days)
    revisions = revisions[revisions[CODE].isin(series_codes(now.plan))].reset_index(drop=True)
    if frozen is None:  # compared with the computed standing of `before`: kept with `after` when both are kept
        found = _kept_standing(url, version, after, code)
        if found is not None and found.changes is not None and found.changes.since == before:
            return found.changes.changes, revisions
    old = frozen.assessments if frozen else standing(url, version, before, code).assessments
    return diff_assessments(old, now.assessments), revisions


@st.cache_data(max_entries=16, show_spinner=False)
def change_rows(url: str, version: Version, before: str, after: str, code: str, lang: str) -> pd.DataFrame:
    """The overview's changes table, built once per version of the data (a large plan's thousands of rows)."""
    found, _revisions = changes(url, version, before, after, code)
    return changes_rows(found, standing(url, version, after, code), lang)


@st.cache_data(max_entries=16, show_spinner=False)
def red_flag_rows(url: str, version: Version, as_of: str, code: str, lang: str) -> pd.DataFrame:
    """The overview's red flags with what their departments wrote, built once per version of the data."""
    now = standing(url, version, as_of, code)
    return red_flags(now, lang, current_narratives(url, version, tuple(red_keys(now))))


@st.cache_data(max_entries=8, show_spinner=False)
def narratives(url: str, version: Version) -> pd.DataFrame:
    with engine(url).connect() as conn:
        return read_value_narratives(conn)


@st.cache_data(max_entries=8, show_spinner=False)
def current_narratives(url: str, version: Version, keys: tuple[tuple[str, str], ...]
                       ) -> dict[tuple[str, str], tuple[str, str, str]]:
    """The narratives of a few current values (the overview's red flags), without reading every value."""
    with engine(url).connect() as conn:
        return read_current_narratives(conn, keys)


@st.cache_data(max_entries=8, show_spinner=False)
def submissions(url: str, version: Version) -> pd.DataFrame:
    with engine(url).connect() as conn:
        return read_submissions(conn)


@st.cache_data(max_entries=64, show_spinner=False)
def history(url: str, version: Version, code: str) -> pd.DataFrame:
    with engine(url).connect() as conn:
        return read_history(conn, code)


@st.cache_data(max_entries=8, show_spinner=False)
def report_states(url: str, version: Version, as_of: str, today: dt.date, code: str) -> pd.DataFrame:
    """Every report one plan is owed up to as_of with its state (on time, late, missing, not yet due)."""
    with engine(url).connect() as conn:
        first = read_first_reports(conn)
    return compute_report_states(standing(url, version, as_of, code).plan, first, period_of_code(as_of), today)


@st.cache_data(max_entries=16, show_spinner=False)
def task_reports(url: str, version: Version, codes: tuple[str, ...]) -> pd.DataFrame:
    """The reports of some 重点任务 as they stand (per task and quarter the newest approved one and a newer one
    awaiting review): what a plan's ledger is judged on."""
    with engine(url).connect() as conn:
        return read_task_reports(conn, codes)


def clear() -> None:
    """Forget everything cached (tests call this between runs; new data needs no call, the version changes)."""
    st.cache_data.clear()
    st.cache_resource.clear()

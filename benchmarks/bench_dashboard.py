"""Benchmark: server-side render time of the overview page (an AppTest run), sample store against a generated store of
1,000,000 observations, measured side by side in one run.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--rows N] [--repeats N]
For each store it prints the first render after an ingest (cold: empty caches, as a new server process; the standings
the ingest kept are read from the store; median of N) and the best of N later renders (warm: what every further
reader gets until the next ingest), and the ratios large ÷ sample. Then the everyday case: a department corrects a few
values (a 16-row file of revised latest values, through the same ingest, into each store) and the first render after
that small change is measured on both stores, alternately, with its ratio. Then, for the large store: the first
render when nothing is kept (a store last changed by an earlier release: every value read and assessed), the time the
ingest spent keeping the standings, and where the first render's reads go. Goal on 2 cores: under 1 s for the sample
store, the large store no more than 2× the sample, and after a small change no more than 1.5×.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from bench_ingest import QUARTERS, large_store, sample_store  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from models.db import make_engine  # noqa: E402
from models.queries import read_current_values, read_data_version  # noqa: E402
from pipelines.core.periods import period_of_code  # noqa: E402
from pipelines.intake.ingest import IngestRequest, ingest_bytes  # noqa: E402
from pipelines.plan.standing import standing_of  # noqa: E402
from pipelines.store.plans import plan_from_store, series_view  # noqa: E402
from pipelines.store.standing_cache import forget, read_kept, read_kept_standing, refresh  # noqa: E402

APP = str(ROOT / "app.py")
SAMPLE_PLAN, LARGE_PLAN = "SHGX-2023", "BENCH"  # the overview drawn: the plan holding every value of its store
GOAL_SECONDS, GOAL_RATIO, GOAL_CHANGED = 1.0, 2.0, 1.5
# The small change: the sample plan's quarterly stocks that the commission's own departments report, corrected for its
# last two quarters (8 indicators × 2 quarters = 16 rows), and as many of the large store's indicators.
SAMPLE_CHANGED = ("A03", "A06", "B06", "B07", "A13", "A10", "C05", "C06")
SAMPLE_QUARTERS, LARGE_QUARTERS = ("2025Q3", "2025Q4"), ("2024Q3", "2024Q4")
CHANGED_ON = dt.date(2026, 12, 1)  # the day the benchmark takes as today (KPI_TODAY)


def small_change(url: str, codes: tuple[str, ...], periods: tuple[str, ...], name: str) -> int:
    """A correction of a few values already reported, sent as a department sends one (the series view, the real
    ingest, the standings kept after its commit): each value 1 % further in its indicator's direction, with a 备注
    saying why. Returns the rows sent."""
    engine = make_engine(url)
    with engine.connect() as conn:
        series = series_view(conn)
        current = read_current_values(conn, codes)
    assert series is not None
    direction = {i.code: i.direction for i in series.indicators}
    wanted = current[current["period"].isin(periods)]
    lines = ["指标编码,统计期,数值,备注"]
    for code, period, value in zip(wanted["indicator_code"], wanted["period"], wanted["value"]):
        revised = float(value) * (1.01 if direction[code] == "increase" else 0.99)
        lines.append(f"{code},{period},{revised:.2f},补录一家迁入企业后按统计口径核实修订")
    data = ("\n".join(lines) + "\n").encode("utf-8-sig")
    result = ingest_bytes(engine, series, IngestRequest(name, data, today=CHANGED_ON))
    assert result.outcome == "accepted", result.as_dict()
    engine.dispose()
    return len(lines) - 1


def time_pair(stores: tuple[tuple[str, str], tuple[str, str]], repeats: int) -> tuple[float, float]:
    """Median first render (empty caches) of each of two stores, taken in turn, so that both meet the same load."""
    colds: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for (url, plan), times in zip(stores, colds):
            os.environ["KPI_DB_URL"] = url
            st.cache_data.clear()
            st.cache_resource.clear()
            times.append(render_overview(plan))
    return statistics.median(colds[0]), statistics.median(colds[1])


def render_overview(plan: str) -> float:
    start = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params["plan"] = plan  # the plan with the values, of the three in the store
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric, "the overview drew no numbers"
    return elapsed


def time_store(url: str, plan: str, repeats: int) -> tuple[float, float]:
    """(median cold, best warm) render of the overview over one store: `repeats` times, a render from empty caches
    followed by a render from the caches it filled (one cold render alone varies by ±50 % on a shared machine)."""
    os.environ["KPI_DB_URL"] = url
    colds, warms = [], []
    for _ in range(repeats):
        st.cache_data.clear()
        st.cache_resource.clear()
        colds.append(render_overview(plan))
        warms.append(render_overview(plan))
    return statistics.median(colds), min(warms)


def time_kept_stages(url: str) -> dict[str, float]:
    """Seconds of each read a first render makes when the standings are kept: the plan, what is kept, and the latest
    kept quarter's assessments, roll-ups and changes since the quarter before (which is not read back)."""
    engine = make_engine(url)
    stages, start = {}, time.perf_counter()
    with engine.connect() as conn:
        version = read_data_version(conn)
        plan = plan_from_store(conn, LARGE_PLAN)
        assert version is not None and plan is not None
        stages["plan"], start = time.perf_counter() - start, time.perf_counter()
        kept = read_kept(conn, version, LARGE_PLAN)
        assert kept is not None, "the ingest kept no standings"
        stages["kept"] = time.perf_counter() - start
        as_of = max(kept.quarters)
        start = time.perf_counter()
        found = read_kept_standing(conn, version, period_of_code(as_of), LARGE_PLAN)
        assert found is not None and found.changes is not None
        standing_of(plan, period_of_code(as_of), found.assessments, pd.DataFrame(), found.rollups)
        stages[f"standing {as_of} with its changes"] = time.perf_counter() - start
    engine.dispose()
    return stages


def without_kept(url: str) -> tuple[float, float]:
    """The time keeping takes (what every change does after its commit), then the first render when nothing is kept."""
    engine = make_engine(url)
    st.cache_data.clear()
    st.cache_resource.clear()
    forget(engine)
    start = time.perf_counter()
    assert refresh(engine), "nothing kept"
    keeping = time.perf_counter() - start
    forget(engine)
    engine.dispose()
    cold, _warm = time_store(url, LARGE_PLAN, repeats=1)
    return cold, keeping


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ["KPI_TODAY"] = "2026-12-01"  # the plans' states and the pages' today do not follow the calendar
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = sample_store(folder)
        started = time.perf_counter()
        large, indicators, rows = large_store(folder, args.rows)
        built = time.perf_counter() - started
        time_store(small, SAMPLE_PLAN, 1)  # warm up: imports and Streamlit's first run count for neither
        sample_cold, sample_warm = time_store(small, SAMPLE_PLAN, args.repeats)
        large_cold, large_warm = time_store(large, LARGE_PLAN, args.repeats)
        sent = (small_change(small, SAMPLE_CHANGED, SAMPLE_QUARTERS, "sample-correction.csv"),
                small_change(large, tuple(f"K{n:04d}" for n in range(len(SAMPLE_CHANGED))), LARGE_QUARTERS,
                             "large-correction.csv"))
        changed = time_pair(((small, SAMPLE_PLAN), (large, LARGE_PLAN)), args.repeats)
        stages = time_kept_stages(large)
        uncached, keeping = without_kept(large)
    print(f"large store: {rows:,} observations ({indicators:,} indicators × {QUARTERS} quarters), three plans "
          f"targeting them, built through the ingest in {built:.1f} s; sample store: the three shipped plans")
    print(f"overview, sample store (55 indicators): first render {sample_cold:.3f} s (median of {args.repeats}), "
          f"later renders {sample_warm:.3f} s (best of {args.repeats})")
    print(f"overview, large store: first render {large_cold:.3f} s, later renders {large_warm:.3f} s")
    print(f"ratio large ÷ sample: later renders {large_warm / sample_warm:.2f}, first render "
          f"{large_cold / sample_cold:.2f}   (goal: sample under {GOAL_SECONDS:.0f} s, ratio at most {GOAL_RATIO:.0f})")
    print(f"after a small change ({sent[0]} and {sent[1]} revised values sent to the sample and the large store): "
          f"first render sample {changed[0]:.3f} s, large {changed[1]:.3f} s (medians of {args.repeats}, taken in "
          f"turn), ratio {changed[1] / changed[0]:.2f}   (goal: at most {GOAL_CHANGED})")
    print("large store's first render, its reads: " + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items()))
    print(f"large store with nothing kept: first render {uncached:.2f} s ({uncached / sample_cold:.1f}× the sample's); "
          f"keeping the standings, as the ingest does after its commit: {keeping:.2f} s")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Benchmark: what a department's small file costs in a big store against a small one, side by side in one run.

Run: .venv/bin/python benchmarks/bench_changes.py [--rows N] [--repeats N] [--departments N]
- small into big: a 16-row file (revised values of the latest quarter) into a store of 1,000,000 values targeted by
  three plans (the ingest benchmark's synthetic plan, a bridge plan beside it and a successor whose baselines are
  `final`), against a 16-row file into the sample store (the three shipped plans and every sample file): the ingest
  with the standings it keeps after its commit, median of N, alternating between the stores. Goal: at most 1.5×.
  Then where the big store's time goes: the ingest alone, and keeping the standings after it.
- departments at once: eight processes, each a department sending 16 rows of its own indicators into the big store at
  the same moment, against one of them alone, from a barrier: until every file is committed (goal: within 3× one
  alone), and until every send has returned with the standings kept (one process keeps them for all: the others
  leave it to the one keeping at that moment), median of N.
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

from bench_ingest import QUARTERS, large_store, sample_store  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from start_line import from_the_start_line  # noqa: E402

from models.db import make_engine, settle  # noqa: E402
from models.queries import read_current_values, read_data_version  # noqa: E402
from pipelines.intake.ingest import IngestRequest, ingest_bytes  # noqa: E402
from pipelines.plan.records import PlanData  # noqa: E402
from pipelines.store.plans import series_view  # noqa: E402
from pipelines.store.standing_cache import read_kept, refresh  # noqa: E402

TODAY = dt.date(2026, 12, 1)
FILE_ROWS = 16
WHY = "经与统计部门核实，本期数据修订口径一致、数值无误"  # answers any 核实性 question a revised value raises
GOAL_SMALL, GOAL_CONCURRENT = 1.5, 3.0


def series(engine: Engine) -> PlanData:
    with engine.connect() as conn:
        view = series_view(conn)
    assert view is not None
    return view


def revisions(engine: Engine, codes: list[str] | None, run: int) -> bytes:
    """16 rows revising current values slightly (a different file on every run): of the given indicators, else of
    the sample's latest quarterly values."""
    with engine.connect() as conn:
        current = read_current_values(conn, codes)
    indicators = series(engine).indicators
    percent = {i.code for i in indicators if i.unit == "%"}  # kept within 0–100 by going down
    numbers = {i.code for i in indicators if i.kind != "milestone"}  # a milestone is 0 or 1
    quarterly = current[current["period"].str.contains("Q") & current["indicator_code"].isin(numbers)]
    latest = quarterly.sort_values(["period", "indicator_code"]).groupby("indicator_code").tail(1)
    picked = latest.tail(FILE_ROWS)
    step = 0.01 * (run + 1)
    rows = [f"{code},{period},{value - step if code in percent else value + step:.4f},\n"
            for code, period, value in picked[["indicator_code", "period", "value"]].itertuples(index=False)]
    assert len(rows) == FILE_ROWS, len(rows)
    return ("指标编码,统计期,数值,备注\n" + "".join(rows)).encode("utf-8-sig")


def send(engine: Engine, data: bytes, name: str, keep: bool = True) -> float:
    start = time.perf_counter()
    result = ingest_bytes(engine, series(engine), IngestRequest(name, data, today=TODAY, keep_standings=keep,
                          explanations={row: WHY for row in range(2, FILE_ROWS + 2)}))
    elapsed = time.perf_counter() - start
    assert result.outcome == "accepted", result.as_dict()
    return elapsed


def department(url: str, codes: list[str], run: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One department's send as the ingest makes it: its file committed, then the standings kept (by this process,
    or left to the one keeping them at that moment, which keeps this change too)."""
    engine = make_engine(url)
    data = revisions(engine, codes, run)  # read before the start line, as a department's page has its file
    settle()  # as the dashboard's server process is once its first page has loaded
    barrier.wait()
    try:
        cpu = time.process_time()
        result = ingest_bytes(engine, series(engine), IngestRequest(
            f"{codes[0]}.csv", data, today=TODAY, keep_standings=False,
            explanations={row: WHY for row in range(2, FILE_ROWS + 2)}))
        committed, cpu = time.time(), time.process_time() - cpu
        assert result.outcome == "accepted", result.as_dict()
        refresh(engine)
        results.put((committed, time.time(), "", cpu))
    except Exception as error:  # reported, never lost
        results.put((time.time(), time.time(), repr(error), 0.0))
    engine.dispose()


def at_once(url: str, groups: list[list[str]], run: int) -> tuple[float, float, float]:
    """Seconds from the start line until every department's file is committed, and until the last send has
    returned (every change committed and its standings kept, the store's standings those of the last version);
    and the processor seconds the sends took until their commits, all together."""
    start, finished = from_the_start_line(department, [(url, codes, run) for codes in groups], timeout=900)
    errors = [error for _, _, error, _ in finished if error]
    assert not errors, errors
    engine = make_engine(url)
    with engine.connect() as conn:  # the standings kept are those of the store as the last change left it
        version = read_data_version(conn)
        assert version is not None and read_kept(conn, version) is not None, "the last version's standings not kept"
    engine.dispose()
    return max(c for c, _, _, _ in finished) - start, max(k for _, k, _, _ in finished) - start, \
        sum(cpu for _, _, _, cpu in finished)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--departments", type=int, default=8)
    args = parser.parse_args()
    os.environ["KPI_TODAY"] = TODAY.isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_url = sample_store(folder)
        started = time.perf_counter()
        # every department's indicators of its own: a store of at least as many as the departments need
        needed = FILE_ROWS * (args.departments + 2) * QUARTERS
        large_url, indicators, _values = large_store(folder, max(args.rows, needed))
        built = time.perf_counter() - started
        small, large = make_engine(small_url), make_engine(large_url)
        with large.connect() as conn:
            values = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
        codes = [f"K{n:04d}" for n in range(indicators)]
        send(small, revisions(small, None, 100), "warm.csv")  # imports and first queries count for neither
        send(large, revisions(large, codes[:FILE_ROWS], 100), "warm.csv")
        settle()  # as the dashboard's server process is once its first page has loaded
        small_times, large_times = [], []
        for run in range(args.repeats):
            large_times.append(send(large, revisions(large, codes[:FILE_ROWS], run), f"big{run}.csv"))
            small_times.append(send(small, revisions(small, None, run), f"small{run}.csv"))
        alone_ingest = send(large, revisions(large, codes[:FILE_ROWS], 200), "alone.csv", keep=False)
        start = time.perf_counter()
        assert refresh(large)
        alone_keep = time.perf_counter() - start
        groups = [codes[FILE_ROWS * (d + 1):FILE_ROWS * (d + 2)] for d in range(args.departments)]
        ones, alls = [], []
        for run in range(args.repeats):
            ones.append(at_once(large_url, groups[:1], 300 + run))
            alls.append(at_once(large_url, groups, 400 + run))
        one, every = [statistics.median(t[i] for t in ones) for i in range(3)], \
            [statistics.median(t[i] for t in alls) for i in range(3)]
        small.dispose()
        large.dispose()
    big, sample = statistics.median(large_times), statistics.median(small_times)
    print(f"large store: {values:,} values ({indicators:,} indicators × {QUARTERS} quarters), three plans targeting "
          f"them, built through the ingest in {built:.1f} s; sample store: the three shipped plans and every sample")
    print(f"a {FILE_ROWS}-row file with its standings kept (median of {args.repeats}): sample store {sample:.3f} s, "
          f"large store {big:.3f} s; ratio large ÷ sample {big / sample:.2f}   (goal: at most {GOAL_SMALL})")
    print(f"  large store, one file: the ingest alone {alone_ingest:.3f} s, keeping the standings after it "
          f"{alone_keep:.3f} s")
    print(f"{args.departments} departments sending {FILE_ROWS} rows each at the same moment into the large store "
          f"(median of {args.repeats}):")
    print(f"  all committed after {every[0]:.2f} s, one alone {one[0]:.2f} s; ratio {every[0] / one[0]:.2f}   "
          f"(goal: at most {GOAL_CONCURRENT})")
    cores = os.cpu_count() or 1
    floor = max(one[0], every[2] / cores)
    print(f"  the floor of that ratio on this machine: the sends' processor time until their commits, "
          f"{every[2]:.2f} s all together (one alone {one[2]:.3f} s), spread over {cores} cores, is {floor:.2f} s, "
          f"{floor / one[0]:.2f}× one alone; measured {every[0] / floor:.2f}× that floor")
    print(f"  every send returned, the standings of the last change kept, after {every[1]:.2f} s, one alone "
          f"{one[1]:.2f} s; ratio {every[1] / one[1]:.2f}; all committed against one alone's whole send "
          f"{every[0] / one[1]:.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

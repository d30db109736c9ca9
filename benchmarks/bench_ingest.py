"""Benchmark: ingest 1,000,000 generated observation rows, against the floor of one executemany into SQLite.

Run: .venv/bin/python benchmarks/bench_ingest.py [--rows N] [--repeats N]
Prints both times and the ratio, measured side by side in one run (the floor and the ingest taken in turn, each into a
fresh store, N times; medians and the range), the store's own floor (the same rows by one executemany into the
store's observation table, whose key, index and foreign keys every ingest maintains: one row to a statement, and as
many as the store writes to one), then the time the ingest spends
after its commit keeping the dashboard's standings (pipelines.store.standing_cache: every series is new, so every
indicator is assessed for two quarters), which a department waits for too. Goal on 2 cores: ratio under 3, the ingest
with its standings under 10 s.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from models.db import make_engine  # noqa: E402
from pipelines.core.config import PLANS_DIR, SAMPLES_DIR, Limits  # noqa: E402
from pipelines.core.periods import Period  # noqa: E402
from pipelines.intake.build import build_store, build_stores, load_samples, plan_folders  # noqa: E402
from pipelines.intake.ingest import IngestRequest, ingest_bytes  # noqa: E402
from pipelines.store.persist import ROWS_PER_INSERT, save_submission  # noqa: E402
from pipelines.store.plans import series_view  # noqa: E402
from pipelines.store.standing_cache import refresh as refresh_standings  # noqa: E402

QUARTERS = 400  # 1925Q1 … 2024Q4
GOAL_RATIO, GOAL_TOTAL = 3.0, 10.0


def write_plan(folder: Path, indicators: int, code: str = "BENCH", span: tuple[str, str] = ("1925Q1", "2025Q4"),
               baseline: str = "100", baseline_period: str = "1924", target_period: str = "2025") -> None:
    """A synthetic plan of many quarterly indicators over a long span, in the shipped plan's shape; other codes and
    spans make further plans targeting the same series (a bridge plan, a successor whose baseline is `final`)."""
    def put(name: str, header: list[str], rows: list[list[object]]) -> None:
        with (folder / name).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    put("plan.csv", ["code", "name_zh", "name_en", "start_period", "end_period"],
        [[code, f"基准测试方案{code}", f"Benchmark plan {code}", *span]])
    put("departments.csv", ["code", "name_zh", "name_en"], [["D1", "测试部门", "Test department"]])
    put("goals.csv", ["code", "name_zh", "name_en"], [])
    put("actions.csv", ["code", "name_zh", "name_en", "description_zh"], [["X1", "行动", "Action", ""]])
    put("sub_items.csv", ["code", "action_code", "name_zh", "name_en", "lead_department"],
        [["X1.1", "X1", "子项", "Sub-item", "D1"]])
    header = ["code", "sub_item_code", "goal_code", "name_zh", "name_en", "unit", "direction", "kind", "baseline",
              "baseline_period", "target", "target_period", "department", "supporting_departments", "frequency",
              "definition_zh", "source"]
    put("indicators.csv", header, [[f"K{n:04d}", "X1.1", "", f"指标{n}", f"Indicator {n}", "家", "increase", "level",
                                    baseline, baseline_period, 100_000, target_period, "D1", "", "quarterly", "示例",
                                    "示例"]
                                   for n in range(indicators)])


def make_rows(indicators: int, quarters: int) -> list[tuple[str, str, float]]:
    periods = [Period(1925 + q // 4, "Q", q % 4 + 1).code for q in range(quarters)]
    return [(f"K{n:04d}", period, 100.0 + q + n % 7) for n in range(indicators) for q, period in enumerate(periods)]


def as_csv(rows: list[tuple[str, str, float]]) -> bytes:
    buffer = io.StringIO()
    buffer.write("指标编码,统计期,数值,备注\n")
    buffer.writelines(f"{code},{period},{value:g},\n" for code, period, value in rows)
    return buffer.getvalue().encode("utf-8-sig")


def sample_store(folder: Path) -> str:
    """The three shipped plans and every sample file, through the real load."""
    url = f"sqlite:///{folder / 'sample.sqlite3'}"
    engine = make_engine(url)
    loaded = build_stores(engine, plan_folders(PLANS_DIR))
    assert all(not isinstance(plan, list) for _, plan in loaded), loaded
    load_samples(engine, SAMPLES_DIR)
    engine.dispose()
    return url


def large_store(folder: Path, rows: int) -> tuple[str, int, int]:
    """This benchmark's synthetic plan and values, loaded through the real ingest, with two further plans that
    target the same series: a bridge plan overlapping it and a successor whose baselines are `final`."""
    indicators = max(1, rows // QUARTERS)
    folders = [folder / "plan", folder / "bridge", folder / "next"]
    for path in folders:
        path.mkdir()
    write_plan(folders[0], indicators)
    write_plan(folders[1], indicators, "BENCH-BRIDGE", ("2020Q1", "2026Q4"), "100", "2019", "2026")
    write_plan(folders[2], indicators, "BENCH-NEXT", ("2026Q1", "2028Q4"), "final", "2024", "2028")
    url = f"sqlite:///{folder / 'large.sqlite3'}"
    engine = make_engine(url)
    loaded = build_stores(engine, folders)
    assert all(not isinstance(plan, list) for _, plan in loaded), loaded
    values = make_rows(indicators, QUARTERS)
    data = as_csv(values)
    with engine.connect() as conn:
        series = series_view(conn)
    assert series is not None
    result = ingest_bytes(engine, series, IngestRequest("bench.csv", data, today=dt.date(2026, 1, 31),
                          limits=Limits(max_file_bytes=len(data) + 1)))
    assert result.outcome == "accepted", result.as_dict()
    engine.dispose()
    return url, indicators, len(values)


def time_floor(path: Path, rows: list[tuple[str, str, float]]) -> float:
    """The same rows into a fresh SQLite table by one executemany in one transaction."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE observation (indicator_code TEXT, period TEXT, value REAL)")
    start = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO observation VALUES (?, ?, ?)", rows)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def time_schema_floor(folder: Path, indicators: int, rows: list[tuple[str, str, float]],
                      per_statement: int = 1) -> float:
    """The same rows by one executemany into a fresh store's own observation table (its clustered key, its index of
    revised values, its foreign keys, the connection's settings), with none of the ingest's reading, checking or
    numbering: the part of the floor that the store's constraints set. One row to a statement, or as many as the
    store writes to one (ROWS_PER_INSERT)."""
    plan_folder = folder / f"schema{per_statement}"
    plan_folder.mkdir()
    write_plan(plan_folder, indicators)
    engine = make_engine(f"sqlite:///{folder}/schema{per_statement}.sqlite3")
    assert not isinstance(build_store(engine, plan_folder), list)
    with engine.begin() as conn:
        submission = save_submission(conn, file_name="floor.csv", sha256="0" * 64, content=b"", department=None,
                                     submitter=None, channel="cli", status="approved",
                                     submitted_at=dt.datetime(2026, 1, 31), rows=pd.DataFrame(),
                                     counts={"new": len(rows), "revised": 0, "unchanged": 0})
    if per_statement == 1:
        statements = [(code, period, value, "", 1, submission, n + 2) for n, (code, period, value) in enumerate(rows)]
        rest: list[object] = []
    else:  # as the store writes them: many rows to a statement, the submission written into it
        cells = [cell for n, (code, period, value) in enumerate(rows) for cell in (code, period, value, "", 1, n + 2)]
        width = 6 * per_statement
        whole = len(cells) - len(cells) % width
        statements, rest = [cells[at:at + width] for at in range(0, whole, width)], cells[whole:]

    def sql(count: int) -> str:
        one = f"(?, ?, ?, ?, ?, {submission}, ?)" if per_statement > 1 else "(?, ?, ?, ?, ?, ?, ?)"
        return (f"INSERT INTO observation (indicator_code, period, value, note, revision, submission_id, "
                f"source_row) VALUES {', '.join([one] * count)}")
    raw = engine.raw_connection()  # the store's own connection settings (WAL, foreign keys on)
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(sql(per_statement), statements)
        if rest:  # the rows left over, in one last statement
            cursor.execute(sql(len(rest) // 6), rest)
        cursor.execute("COMMIT")
        elapsed = time.perf_counter() - start
    finally:
        raw.close()
    engine.dispose()
    return elapsed


def time_ours(folder: Path, indicators: int, data: bytes) -> tuple[float, float, str]:
    """One ingest of the whole file into a fresh store of the plan, then the standings it keeps: both times, and the
    quarters kept."""
    plan_folder = folder / "plan"
    plan_folder.mkdir()
    write_plan(plan_folder, indicators)
    engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
    plan = build_store(engine, plan_folder)
    assert not isinstance(plan, list), plan
    start = time.perf_counter()
    result = ingest_bytes(engine, plan, IngestRequest("bench.csv", data, today=dt.date(2026, 1, 31),
                          limits=Limits(max_file_bytes=len(data) + 1), keep_standings=False))
    ours = time.perf_counter() - start
    kept = refresh_standings(engine)
    keeping = time.perf_counter() - start - ours
    engine.dispose()
    assert result.outcome == "accepted", result.as_dict()
    assert kept, "the standings were not kept"
    return ours, keeping, ", ".join(q.code for q in kept)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    indicators = max(1, args.rows // QUARTERS)
    rows = make_rows(indicators, QUARTERS)
    data = as_csv(rows)
    floors, schema_floors, store_floors, ours, keeping, quarters = [], [], [], [], [], ""
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            floors.append(time_floor(Path(tmp) / "floor.sqlite3", rows))
            schema_floors.append(time_schema_floor(Path(tmp), indicators, rows))
            store_floors.append(time_schema_floor(Path(tmp), indicators, rows, ROWS_PER_INSERT))
            ingest, kept, quarters = time_ours(Path(tmp), indicators, data)
            ours.append(ingest)
            keeping.append(kept)
    floor, mine, keep = statistics.median(floors), statistics.median(ours), statistics.median(keeping)
    total = statistics.median(a + b for a, b in zip(ours, keeping))
    print(f"rows: {len(rows):,} ({indicators} indicators × {QUARTERS} quarters), file {len(data) / 2**20:.1f} MB; "
          f"medians of {args.repeats} runs, floor and ingest in turn")
    print(f"ingest (read + check + store, one transaction): {mine:.2f} s ({min(ours):.2f}–{max(ours):.2f})")
    print(f"floor (one executemany into a fresh SQLite table): {floor:.2f} s ({min(floors):.2f}–{max(floors):.2f})")
    schema, store = statistics.median(schema_floors), statistics.median(store_floors)
    print(f"the store's own floor (the same rows by one executemany into its observation table: key, index, foreign "
          f"keys): {schema:.2f} s one row to a statement, {schema / floor:.2f}× the floor; {store:.2f} s "
          f"{ROWS_PER_INSERT} rows to a statement as the store writes them, {store / floor:.2f}× the floor; the "
          f"ingest is {mine / store:.2f}× that")
    each = ", ".join(f"{a / b:.2f}" for a, b in zip(ours, floors))
    print(f"ratio ours ÷ floor: {mine / floor:.2f}, run by run {each}   (goal: under {GOAL_RATIO:g})")
    print(f"then keeping the dashboard's standings ({quarters}): {keep:.2f} s; the ingest in all: {total:.2f} s   "
          f"(goal: under {GOAL_TOTAL:g} s)")


if __name__ == "__main__":
    main()

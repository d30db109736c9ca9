"""Benchmark: the same ingest on SQLite and on PostgreSQL, side by side in one run, and eight departments submitting
at the same moment on each back end (time until all are committed, and a count that none was lost).

Run: .venv/bin/python benchmarks/bench_backends.py [--rows N] [--submitters 8] [--pg-url URL]
The PostgreSQL URL comes from --pg-url, else KPI_TEST_PG_URL, else `scripts/postgres_test_server.sh` is asked for
its throw-away server. Without PostgreSQL only the SQLite figures are printed, and the script says so.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_ingest import QUARTERS, as_csv, make_rows, write_plan  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402
from start_line import from_the_start_line  # noqa: E402

from models.db import make_engine  # noqa: E402
from pipelines.core.config import Limits  # noqa: E402
from pipelines.intake.build import build_store  # noqa: E402
from pipelines.intake.ingest import IngestRequest, ingest_bytes  # noqa: E402
from pipelines.plan.folder import read_plan_folder  # noqa: E402
from pipelines.plan.records import PlanData  # noqa: E402

TODAY = dt.date(2026, 1, 31)
DB_NAME = "kpi_bench"


def pg_url(explicit: str | None) -> str | None:
    """A PostgreSQL server's URL for the benchmark's own database, or None when there is none."""
    url = explicit or os.environ.get("KPI_TEST_PG_URL")
    if not url:
        started = subprocess.run(["bash", str(ROOT / "scripts" / "postgres_test_server.sh")], capture_output=True,
                                 text=True, check=False)
        url = (started.stdout.strip().splitlines() or [""])[-1]
    if not url.startswith("postgresql"):
        return None
    base = make_url(url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    except Exception as error:
        print(f"PostgreSQL not available ({str(error).splitlines()[0]})")
        return None
    finally:
        admin.dispose()
    return base.set(database=DB_NAME).render_as_string(hide_password=False)


def reset(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def time_ingest(url: str, plan_dir: Path, data: bytes) -> float:
    reset(url)
    engine = make_engine(url)
    plan = build_store(engine, plan_dir)
    assert isinstance(plan, PlanData), plan
    start = time.perf_counter()
    request = IngestRequest("bench.csv", data, today=TODAY, limits=Limits(max_file_bytes=len(data) + 1))
    result = ingest_bytes(engine, plan, request)
    elapsed = time.perf_counter() - start
    assert result.outcome == "accepted", result.as_dict()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
    engine.dispose()
    assert stored == result.counts["new"], (stored, result.counts)
    return elapsed


# --- eight departments at the same moment ----------------------------------------------------------------------

def write_department_plan(folder: Path, departments: int, per_department: int) -> None:
    """A plan whose indicators are split between several departments, each sending its own file."""
    write_plan(folder, departments * per_department)
    path = folder / "indicators.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for n, row in enumerate(rows[1:]):
        row[12] = f"D{n // per_department + 1}"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with (folder / "departments.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["code", "name_zh", "name_en"]]
                                     + [[f"D{d}", f"部门{d}", f"Department {d}"] for d in range(1, departments + 1)])


def submitter(url: str, plan_dir: str, department: str, data: bytes, barrier, results) -> None:  # type: ignore[no-untyped-def]
    plan = read_plan_folder(Path(plan_dir))
    assert isinstance(plan, PlanData), plan
    engine = make_engine(url)
    with engine.connect():
        pass  # connect before the start line, as a running dashboard process would be
    barrier.wait()
    try:
        result = ingest_bytes(engine, plan, IngestRequest(f"{department}.csv", data, department=department, today=TODAY,
                              limits=Limits(max_file_bytes=len(data) + 1)))
        results.put((department, result.outcome, result.counts.get("new", 0), time.time(), ""))
    except Exception as error:
        results.put((department, "error", 0, time.time(), repr(error)))
    engine.dispose()


def time_concurrent(url: str, plan_dir: Path, files: dict[str, bytes]) -> tuple[float, int, int, list[str]]:
    reset(url)
    engine = make_engine(url)
    assert isinstance(build_store(engine, plan_dir), PlanData)
    start, outcomes = from_the_start_line(submitter, [(url, str(plan_dir), dept, data) for dept, data in files.items()],
                                          timeout=600)
    elapsed = max(done for *_, done, _ in outcomes) - start
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
        submissions = conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one()
    engine.dispose()
    errors = [f"{dept}: {outcome} {error}" for dept, outcome, _, _, error in outcomes if outcome != "accepted"]
    return elapsed, stored, submissions, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--submitters", type=int, default=8)
    parser.add_argument("--per-department", type=int, default=40, help="indicators per department (× 400 quarters)")
    parser.add_argument("--pg-url")
    args = parser.parse_args()
    postgres = pg_url(args.pg_url)
    if postgres is None:
        print("PostgreSQL not available: only SQLite is measured")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        indicators = max(1, args.rows // QUARTERS)
        big_plan = folder / "plan-big"
        big_plan.mkdir()
        write_plan(big_plan, indicators)
        data = as_csv(make_rows(indicators, QUARTERS))
        backends = {"SQLite": f"sqlite:///{folder / 'bench.sqlite3'}"} | ({"PostgreSQL": postgres} if postgres else {})
        print(f"1. one file of {indicators * QUARTERS:,} rows ({len(data) / 2**20:.1f} MB), read + check + store")
        ingest_times = {name: time_ingest(url, big_plan, data) for name, url in backends.items()}
        for name, seconds in ingest_times.items():
            print(f"   {name:<10} {seconds:6.2f} s   {indicators * QUARTERS / seconds:10,.0f} rows/s")
        if postgres:
            print(f"   PostgreSQL ÷ SQLite: {ingest_times['PostgreSQL'] / ingest_times['SQLite']:.2f}")

        departments = args.submitters
        split_plan = folder / "plan-departments"
        split_plan.mkdir()
        write_department_plan(split_plan, departments, args.per_department)
        all_rows = make_rows(departments * args.per_department, QUARTERS)
        per_file = args.per_department * QUARTERS
        files = {f"D{d + 1}": as_csv(all_rows[d * per_file:(d + 1) * per_file]) for d in range(departments)}
        expected = len(all_rows)
        print(f"2. {departments} departments submit at the same moment, {args.per_department * QUARTERS:,} rows each "
              f"(separate processes)")
        for name, url in backends.items():
            elapsed, stored, submissions, errors = time_concurrent(url, split_plan, files)
            lost = expected - stored
            print(f"   {name:<10} all committed after {elapsed:6.2f} s; submissions {submissions}/{departments}; "
                  f"values {stored:,}/{expected:,}; lost {lost}; errors {len(errors)}")
            for error in errors:
                print(f"      {error}")


if __name__ == "__main__":
    main()

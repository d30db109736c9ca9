"""Fault tests, each on SQLite and on PostgreSQL: an ingest killed at any moment leaves all of its file or none of it
(and every earlier value as it was); departments submitting at the same moment lose nothing and number revisions
without gaps or twins, and no "database is locked" reaches anyone; a reader during an ingest sees the state before it
or after it, never half of it.

Large files are generated over a synthetic plan of many quarterly indicators (the approach of
benchmarks/bench_ingest.py). Ingests that are killed run in a separate process (tests/fault_worker.py), which prints a
marker at each step (READY, BEGIN, SAVED, RESULT), so that the test knows where a kill landed and can hold the worker
inside its open write transaction, every row inserted and nothing committed. Random moments come from a seeded RNG.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import HEADER, TODAY, csv_bytes, new_store
from filelock import FileLock
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy import event as sa_event

from benchmarks.bench_ingest import write_plan
from models.queries import read_current_values, read_data_version
from pipelines.core.config import Limits
from pipelines.core.periods import Period
from pipelines.intake.ingest import ACCEPTED, UNCHANGED, IngestRequest, IngestResult, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.store.standing_cache import read_kept

pytestmark = pytest.mark.slow  # killed processes, concurrent writers and large files

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "fault_worker.py"
WORKER_APP = "kpi_fault_worker"  # application_name of a worker's PostgreSQL connections, to see them go away

BIG_INDICATORS = 300  # × 400 quarters = 120,000 rows (about 2.2 MB), seconds to ingest on either back end
QUARTERS = 400  # 1925Q1 … 2024Q4 (the synthetic plan runs 1925Q1–2025Q4)
EARLIER_INDICATORS, EARLIER_QUARTERS = 50, 8  # the earlier file: 400 values the large files then revise
PROBE_CODES = ["K0000", "K0001", "K0150", f"K{BIG_INDICATORS - 1:04d}"]  # a reader's sample of current values

SEED = 20260120
# How long a second writer, once at its BEGIN, is seen still waiting while the first holds the lock: one row of
# ingest takes milliseconds past its BEGIN, so a writer that did not wait would have finished long before.
LOCK_WAIT_SHOWN = 0.5
STEP_TIMEOUT = 120.0  # generous bound for any one step on a loaded 2-core machine
LOCKED = "database is locked"


# --- files ------------------------------------------------------------------------------------------------------

def synthetic_store(tmp_path: Path, backend: str, indicators: int = BIG_INDICATORS) -> tuple[Engine, PlanData]:
    folder = tmp_path / "synthetic-plan"
    folder.mkdir()
    write_plan(folder, indicators)
    return new_store(tmp_path, folder, backend)


Row = tuple[str, str, float]


def synthetic_rows(indicators: int, quarters: int, shift: float) -> list[Row]:
    """Values rising period by period (no 核实性 finding), shifted so that each file differs from every other."""
    periods = [Period(1925 + q // 4, "Q", q % 4 + 1).code for q in range(quarters)]
    return [(f"K{n:04d}", period, 100.0 + q + n % 7 + shift)
            for n in range(indicators) for q, period in enumerate(periods)]


def rows_csv(rows: Sequence[Row]) -> bytes:
    lines = ["指标编码,统计期,数值,备注\n"] + [f"{code},{period},{value:g},\n" for code, period, value in rows]
    return "".join(lines).encode("utf-8-sig")


def big_limits(data: bytes) -> Limits:
    return Limits(max_file_bytes=len(data) + 1)


def department_file(plan: PlanData, codes: Sequence[str], base: float) -> bytes:
    """A department's quarterly file over the shipped plan: 2023Q1–2025Q4 for each of its 'annual' indicators."""
    rows: list[list[object]] = [HEADER]
    for code in codes:
        for year in (2023, 2024, 2025):
            rows += [[code, plan.indicator(code).name_zh, f"{year}Q{q}", base + q, ""] for q in range(1, 5)]
    return csv_bytes(rows)


KW_CODES, RCB_CODES = ["A10", "A13"], ["C05", "C06"]  # quarterly 'annual' indicators of 区科委 and 区人才办
ONE_CELL = ("A10", "2024Q2")  # the indicator and period that concurrent writers all revise


def one_cell_file(plan: PlanData, value: float, writer: int) -> bytes:
    code, period = ONE_CELL
    return csv_bytes([HEADER, [code, plan.indicator(code).name_zh, period, value, f"第{writer}次填报"]])


# --- the store ----------------------------------------------------------------------------------------------------

def url_of(engine: Engine, app: str | None = None) -> str:
    url = engine.url
    if app and engine.dialect.name == "postgresql":
        url = url.update_query_dict({"application_name": app})
    return url.render_as_string(hide_password=False)


class State(dict):  # type: ignore[type-arg]
    """table → rows (tuples ordered by primary key); `columns[table]` names the tuple fields."""

    columns: dict[str, list[str]]

    def pick(self, table: str, row: tuple[Any, ...], names: Sequence[str]) -> tuple[Any, ...]:
        return tuple(row[self.columns[table].index(name)] for name in names)


# Derived rows every change rewrites after its commit (pipelines.store.standing_cache): left out of the all-or-nothing
# comparisons; after each killed ingest the next one must have kept the standings of the store it left.
DERIVED_TABLES = {"standing_cache", "kept_assessment"}


def store_state(engine: Engine) -> State:
    """Every row of every table (file bytes included) ordered by primary key, read in one transaction; derived tables
    left out."""
    state = State()
    state.columns = {}
    with engine.connect() as conn:
        found = inspect(conn)
        for table in sorted(set(found.get_table_names()) - DERIVED_TABLES):
            columns = [c["name"] for c in found.get_columns(table)]
            key = found.get_pk_constraint(table)["constrained_columns"] or columns
            order = ", ".join(f'"{c}"' for c in key)
            state.columns[table] = columns
            state[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}'))]
    return state


def observations(conn: Connection, where: str = "", **params: object) -> list[tuple[Any, ...]]:
    sql = ("SELECT indicator_code, period, revision, value, submission_id FROM observation "
           f"{where} ORDER BY indicator_code, period, revision")
    return [tuple(r) for r in conn.execute(text(sql), params)]


def assert_revisions_contiguous(engine: Engine) -> None:
    """No twin (indicator, period, revision) and, for every indicator and period, revisions exactly 1..n."""
    with engine.connect() as conn:
        twins = conn.execute(text("SELECT indicator_code, period, revision, COUNT(*) FROM observation "
                                  "GROUP BY indicator_code, period, revision HAVING COUNT(*) > 1")).all()
        gaps = conn.execute(text("SELECT indicator_code, period, COUNT(*), MIN(revision), MAX(revision) "
                                 "FROM observation GROUP BY indicator_code, period "
                                 "HAVING MIN(revision) <> 1 OR MAX(revision) <> COUNT(*)")).all()
    assert not twins, f"duplicate revisions: {twins[:5]}"
    assert not gaps, f"revisions not 1..n: {gaps[:5]}"


def assert_store_sound(engine: Engine) -> None:
    """SQLite: the file passes PRAGMA integrity_check. PostgreSQL: no killed client's session or lock is left."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
        return
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            sessions = conn.execute(text("SELECT pid, state FROM pg_stat_activity WHERE application_name = :app"),
                                    {"app": WORKER_APP}).all()
            locks = conn.execute(text("SELECT pid, mode, granted FROM pg_locks WHERE locktype = 'advisory' "
                                      "AND pid <> pg_backend_pid()")).all()
        if not sessions and not locks:
            return
        assert time.monotonic() < deadline, f"a killed client is still there: sessions {sessions}, locks {locks}"
        time.sleep(0.1)


class WriteBegun:
    """Set when another thread of this process asks for the store's write lock, before it has it: on SQLite as it
    joins the writers' queue (the lock file beside the store, taken before BEGIN IMMEDIATE), on PostgreSQL as it
    sends the advisory lock's statement (models.db sends it as a write transaction begins)."""

    LOCKING = ("BEGIN IMMEDIATE", "SELECT pg_advisory_xact_lock")
    QUEUE = "-writer.lock"

    def __init__(self, engine: Engine) -> None:
        self.engine, self.event, self.main = engine, threading.Event(), threading.get_ident()
        sa_event.listen(engine, "before_cursor_execute", self._before)
        self._own = "acquire" in FileLock.__dict__
        acquire = self._acquire = FileLock.acquire

        def asking(lock: FileLock, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != self.main and str(lock.lock_file).endswith(self.QUEUE):
                self.event.set()
            return acquire(lock, *args, **kwargs)

        FileLock.acquire = asking  # type: ignore[method-assign]

    def _before(self, _conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if threading.get_ident() != self.main and statement.startswith(self.LOCKING):
            self.event.set()

    def remove(self) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._before)
        if self._own:
            FileLock.acquire = self._acquire  # type: ignore[method-assign]
        else:
            del FileLock.acquire


def waiting_for_the_write_lock(engine: Engine) -> int | None:
    """On PostgreSQL, how many sessions wait for the advisory write lock (pg_locks); None on SQLite, which has no
    view of who waits."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
                   .scalar_one())


class Background:
    """An action running in a thread of this process; `outcome` fails (instead of hanging) when it does not finish in
    time, as a writer would behind a lock that a killed client left behind."""

    def __init__(self, action: Callable[[], Any]) -> None:
        self.box: dict[str, Any] = {}

        def target() -> None:
            try:
                self.box["value"] = action()
            except BaseException as error:
                self.box["error"] = error

        def timed() -> None:
            target()
            self.finished_at = time.monotonic()

        self.finished_at: float | None = None
        self.thread = threading.Thread(target=timed, daemon=True)
        self.thread.start()

    def done(self) -> bool:
        return not self.thread.is_alive()

    def outcome(self, timeout: float = STEP_TIMEOUT) -> Any:
        self.thread.join(timeout)
        assert self.done(), f"did not finish within {timeout:.0f} s: the store stays locked"
        if "error" in self.box:
            assert_nothing_locked(self.box["error"])
            raise self.box["error"]
        return self.box["value"]


def assert_nothing_locked(*texts: object) -> None:
    for item in texts:
        assert LOCKED not in str(item).lower(), f"'{LOCKED}' reached the user: {item}"


# --- a worker process ---------------------------------------------------------------------------------------------

class Worker:
    """tests/fault_worker.py in a subprocess; its marker lines are collected with the moment they arrived."""

    def __init__(self, engine: Engine, file: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), url_of(engine, WORKER_APP), str(file), *extra], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.stderr: list[str] = []
        self.changed = threading.Condition()
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self.changed.notify_all()
        with self.changed:
            self.lines.append((time.monotonic(), "EOF"))
            self.changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr.extend(self.proc.stderr)

    def seen(self, marker: str) -> float | None:
        """When the marker line arrived (monotonic clock), None while it has not."""
        with self.changed:
            return next((at for at, line in self.lines if line.split(" ", 1)[0] == marker), None)

    def line(self, marker: str) -> str:
        with self.changed:
            return next(line for _, line in self.lines if line.split(" ", 1)[0] == marker)

    def wait_for(self, marker: str, timeout: float = STEP_TIMEOUT) -> float:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                if (at := self.seen(marker)) is not None:
                    return at
                if any(line in ("EOF",) or line.startswith("ERROR") for _, line in self.lines):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
        self.proc.poll()
        raise AssertionError(f"worker never said {marker}: {self.describe()}")

    def send(self, line: str = "go") -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(STEP_TIMEOUT)
        self._join()

    def result(self, timeout: float = STEP_TIMEOUT) -> dict[str, Any]:
        """The worker's IngestResult (as a dict) once it has exited cleanly."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"worker did not finish in {timeout:.0f} s: {self.describe()}") from None
        self._join()
        assert_nothing_locked(self.describe())
        assert code == 0 and self.seen("RESULT") is not None, self.describe()
        return dict(json.loads(self.line("RESULT").split(" ", 1)[1]))

    def _join(self) -> None:
        for thread in self._threads:
            thread.join(10)

    def describe(self) -> str:
        return (f"exit {self.proc.returncode}; stdout {[line[:300] for _, line in self.lines]}; "
                f"stderr {''.join(self.stderr)[-3000:]}")


def assert_standings_kept(engine: Engine) -> None:
    """The standings kept are those of the store as it is (test_standing_cache checks they equal the engine's)."""
    with engine.connect() as conn:
        version = read_data_version(conn)
        assert version is not None and read_kept(conn, version) is not None, "no standings kept for the store as it is"


# --- 1. SIGKILL at a random point of a large ingest -------------------------------------------------------------

def without_submission(state: State, submission_id: int) -> State:
    """The state less one submission and its values (the small ingest that followed a killed one)."""
    out = State(state)
    out.columns = state.columns
    sid, oid = state.columns["submission"].index("id"), state.columns["observation"].index("submission_id")
    out["submission"] = [r for r in state["submission"] if r[sid] != submission_id]
    out["observation"] = [r for r in state["observation"] if r[oid] != submission_id]
    named = state.columns["submission_series"].index("submission_id")
    out["submission_series"] = [r for r in state["submission_series"] if r[named] != submission_id]
    return out


def check_all_or_none(before: State, after: State, sha: str, rows: Sequence[Row]) -> str:
    """The store after a killed ingest of `rows` is the store before it ('none'), or that plus exactly one submission
    holding every row of the file as the next revision ('all'); every earlier row is kept as it was."""
    if after == before:
        return "none"
    tables = set(before) | set(after)
    changed = sorted(t for t in tables if before.get(t) != after.get(t))
    assert changed == ["observation", "submission", "submission_series"], f"killed ingest changed {changed}"
    old_subs, new_subs = before["submission"], after["submission"]
    assert new_subs[:len(old_subs)] == old_subs, "an earlier submission changed"
    added = new_subs[len(old_subs):]
    assert len(added) == 1, f"{len(added)} submissions appeared for one file"
    sub = dict(zip(("id", "sha256", "n_new", "n_revised"),
                   after.pick("submission", added[0], ("id", "sha256", "n_new", "n_revised"))))
    assert sub["sha256"] == sha
    assert sub["n_new"] + sub["n_revised"] == len(rows), sub
    old_obs, new_obs = set(before["observation"]), set(after["observation"])
    assert old_obs <= new_obs, "an earlier value was changed or lost"
    names = ("indicator_code", "period", "revision", "value", "submission_id")
    top: dict[tuple[str, str], int] = {}
    for code, period, revision, *_ in (before.pick("observation", r, names) for r in before["observation"]):
        top[(code, period)] = max(top.get((code, period), 0), revision)
    got = sorted(after.pick("observation", r, names) for r in new_obs - old_obs)
    want = sorted((code, period, top.get((code, period), 0) + 1, value, sub["id"]) for code, period, value in rows)
    assert len(got) == len(want), f"the store holds {len(got)} of the file's {len(want)} rows"
    assert got == want, "the file's rows are not stored as their next revisions"
    series = {after.pick("submission_series", r, ("submission_id", "indicator_code"))
              for r in after["submission_series"]} - {before.pick("submission_series", r, ("submission_id",
                                                                                            "indicator_code"))
                                                       for r in before["submission_series"]}
    assert series == {(sub["id"], code) for code, _, _ in rows}, "the submission does not name the series it holds"
    return "all"


def test_sigkill_during_large_ingest_leaves_all_or_nothing(tmp_path: Path, backend: str) -> None:
    engine, plan = synthetic_store(tmp_path, backend)
    try:
        earlier = rows_csv(synthetic_rows(EARLIER_INDICATORS, EARLIER_QUARTERS, 0.25))
        first = ingest_bytes(engine, plan, IngestRequest("earlier.csv", earlier, today=TODAY))
        assert first.outcome == ACCEPTED, first.as_dict("en")
        rng = random.Random(SEED)
        outcomes: list[tuple[str, float | None, str, str]] = []  # (round, delay, where the kill landed, all/none)
        # Round 0 holds the worker inside its open write transaction, every row inserted: the kill surely lands
        # mid-write, and the time it took to get there scales the random delays of the following rounds.
        # Rounds 1–3 kill after a random delay, one drawn in each third of [0, 1.2 × that time].
        write_time = 0.0
        for round_no, window in enumerate([None, (0.0, 0.4), (0.4, 0.8), (0.8, 1.2)]):
            rows = synthetic_rows(BIG_INDICATORS, QUARTERS, 1.0 + round_no)
            data = rows_csv(rows)
            path = tmp_path / f"big-{round_no}.csv"
            path.write_bytes(data)
            small = rows_csv([("K0003", "1925Q2", 120.5 + round_no)])

            def next_ingest(name: str = f"next-{round_no}.csv", small: bytes = small) -> IngestResult:
                return ingest_bytes(engine, plan, IngestRequest(name, small, today=TODAY))

            before = store_state(engine)
            worker = Worker(engine, path, *(["--hold"] if window is None else []))
            queued = None
            try:
                ready = worker.wait_for("READY")
                if window is None:
                    worker.wait_for("SAVED")
                    write_time = time.monotonic() - ready
                    delay = None
                    # Another department submits now: it reaches its BEGIN and waits there behind the held lock…
                    began = WriteBegun(engine)
                    queued = Background(next_ingest)
                    assert began.event.wait(STEP_TIMEOUT), "the second writer never began its write"
                    began.remove()
                    time.sleep(LOCK_WAIT_SHOWN)
                    assert not queued.done(), "a second writer did not wait for the first one's write lock"
                    assert waiting_for_the_write_lock(engine) in (None, 1)
                else:
                    delay = rng.uniform(*window) * write_time
                    time.sleep(max(0.0, ready + delay - time.monotonic()))
            finally:
                worker.kill()
                killed_at = time.monotonic()
            # …and goes through once the writer is killed (not before: it finishes after the kill); otherwise the store takes the next ingest at once: no
            # lock of the dead writer is left behind.
            nxt = (queued or Background(next_ingest)).outcome()
            assert nxt.outcome == ACCEPTED, nxt.as_dict("en")
            if queued is not None:
                assert queued.finished_at is not None and queued.finished_at > killed_at
            landed = ("after commit" if worker.seen("RESULT") else "mid-write, all rows in" if worker.seen("SAVED")
                      else "mid-write" if worker.seen("BEGIN") else "before the write")
            assert worker.seen("ERROR") is None, worker.describe()
            assert_store_sound(engine)
            assert_standings_kept(engine)
            after = store_state(engine)
            assert ("K0003", "1925Q2", 120.5 + round_no, nxt.submission_id) in {
                after.pick("observation", r, ("indicator_code", "period", "value", "submission_id"))
                for r in after["observation"]}
            kept = check_all_or_none(before, without_submission(after, nxt.submission_id),
                                     hashlib.sha256(data).hexdigest(), rows)
            outcomes.append((f"round {round_no}", delay, landed, kept))
            if kept == "all":  # committed: the kill came after every row was in (maybe before RESULT was printed)
                assert worker.seen("SAVED") is not None, (landed, kept)
            if landed != "after commit" and not worker.seen("SAVED"):
                assert kept == "none", (landed, kept)
        assert outcomes[0][2] == "mid-write, all rows in" and outcomes[0][3] == "none", outcomes
        print(f"\n[{backend}] write took {write_time:.2f} s; kills: {outcomes}")
        # Finally the command line ingests a file to its end: the store works, and holds every row of it.
        rows = synthetic_rows(BIG_INDICATORS // 4, QUARTERS, 9.0)
        data = rows_csv(rows)
        path = tmp_path / "big-final.csv"
        path.write_bytes(data)
        before = store_state(engine)
        done = subprocess.run([sys.executable, "-m", "pipelines", "ingest", str(path), "--db", url_of(engine),
                               "--json"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                              timeout=STEP_TIMEOUT)
        assert done.returncode == 0, done.stderr[-3000:]
        assert_nothing_locked(done.stdout, done.stderr)
        assert json.loads(done.stdout)[0]["outcome"] == ACCEPTED
        assert check_all_or_none(before, store_state(engine), hashlib.sha256(data).hexdigest(), rows) == "all"
        assert_store_sound(engine)
        assert_revisions_contiguous(engine)
    finally:
        engine.dispose()


# --- 2. submitting at the same moment ---------------------------------------------------------------------------

LINGER = 0.5  # seconds each writer stays in its write transaction, so that writers released together surely queue
Job = tuple[str, bytes, str]  # file name, bytes, department


def ingest_together(engine: Engine, plan: PlanData, jobs: Sequence[Job], mode: str,
                    folder: Path) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """Start every job at the same moment and return their results (IngestResult.as_dict) and (start, end) times.

    threads: one thread per job behind a Barrier, sharing one engine as the app's sessions do; processes: one worker
    per job with its own engine, all loaded first and then released together. Any exception fails the test."""
    if mode == "threads":
        barrier = threading.Barrier(len(jobs))
        results: list[dict[str, Any]] = [{} for _ in jobs]
        spans = [(0.0, 0.0)] * len(jobs)
        errors: list[str] = []

        def run(number: int) -> None:
            name, data, department = jobs[number]
            barrier.wait(STEP_TIMEOUT)
            start = time.monotonic()
            try:
                result = ingest_bytes(engine, plan, IngestRequest(name, data, department=department, today=TODAY,
                                      after_save=lambda *_: time.sleep(LINGER)))
                results[number] = result.as_dict("en")
            except Exception as error:
                errors.append(f"{name}: {type(error).__name__}: {error}")
            spans[number] = (start, time.monotonic())

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(STEP_TIMEOUT)
        assert not any(thread.is_alive() for thread in threads), "a writer hung"
        assert_nothing_locked(*errors)
        assert not errors, errors
        return results, spans
    workers = []
    try:
        for number, (name, data, department) in enumerate(jobs):
            path = folder / f"job-{number}" / name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            workers.append(Worker(engine, path, "--wait-go", "--department", department, "--linger", str(LINGER)))
        for worker in workers:
            worker.wait_for("LOADED")
        for worker in workers:
            worker.send()
        results = [worker.result() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    return results, [(w.wait_for("READY"), w.wait_for("RESULT")) for w in workers]


def assert_overlapped(spans: Sequence[tuple[float, float]]) -> None:
    """Every writer had started before the first one finished: they really submitted at the same moment."""
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans


def current_cells(engine: Engine) -> set[tuple[str, str, float]]:
    with engine.connect() as conn:
        frame = read_current_values(conn)
    return {(str(c), str(p), float(v)) for c, p, v in zip(frame["indicator_code"], frame["period"], frame["value"])}


def file_cells(codes: Sequence[str], base: float) -> set[tuple[str, str, float]]:
    return {(code, f"{year}Q{q}", base + q) for code in codes for year in (2023, 2024, 2025) for q in range(1, 5)}


MODES = ["threads", "processes"]


@pytest.mark.parametrize("mode", MODES)
def test_two_departments_at_the_same_moment(store: tuple[Engine, PlanData], tmp_path: Path, mode: str) -> None:
    engine, plan = store
    jobs = [("kw.csv", department_file(plan, KW_CODES, 10.0), "KW"),
            ("rcb.csv", department_file(plan, RCB_CODES, 30.0), "RCB")]
    results, spans = ingest_together(engine, plan, jobs, mode, tmp_path)
    assert_nothing_locked(results)
    assert [r["outcome"] for r in results] == [ACCEPTED, ACCEPTED], results
    assert [r["counts"]["new"] for r in results] == [24, 24], results
    assert len({r["submission_id"] for r in results}) == 2
    assert_overlapped(spans)
    assert current_cells(engine) == file_cells(KW_CODES, 10.0) | file_cells(RCB_CODES, 30.0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one() == 48
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 2
    assert_revisions_contiguous(engine)


@pytest.mark.parametrize("mode", MODES)
def test_same_file_twice_at_the_same_moment(store: tuple[Engine, PlanData], tmp_path: Path, mode: str) -> None:
    engine, plan = store
    data = department_file(plan, KW_CODES, 10.0)
    results, spans = ingest_together(engine, plan, [("kw.csv", data, "KW")] * 2, mode, tmp_path)
    assert_nothing_locked(results)
    assert sorted(r["outcome"] for r in results) == [ACCEPTED, UNCHANGED], results
    accepted = next(r for r in results if r["outcome"] == ACCEPTED)
    unchanged = next(r for r in results if r["outcome"] == UNCHANGED)
    assert unchanged["submission_id"] == accepted["submission_id"]  # "identical to submission N"
    assert accepted["counts"]["new"] == 24
    assert_overlapped(spans)
    assert current_cells(engine) == file_cells(KW_CODES, 10.0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 1
        assert observations(conn, "WHERE revision <> 1") == []
        assert conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one() == 24
    assert_revisions_contiguous(engine)


WRITERS = {"threads": 8, "processes": 4}  # each process imports pandas first: 4 keep the test to seconds


@pytest.mark.parametrize("mode", MODES)
def test_many_writers_revise_one_value_at_the_same_moment(store: tuple[Engine, PlanData], tmp_path: Path,
                                                          mode: str) -> None:
    engine, plan = store
    writers = WRITERS[mode]
    values = [11.0 + n for n in range(writers)]
    jobs = [(f"writer-{n}.csv", one_cell_file(plan, value, n), "KW") for n, value in enumerate(values)]
    results, spans = ingest_together(engine, plan, jobs, mode, tmp_path)
    assert_nothing_locked(results)
    assert [r["outcome"] for r in results] == [ACCEPTED] * writers, results
    assert sorted((r["counts"]["new"], r["counts"]["revised"]) for r in results) == [(0, 1)] * (writers - 1) + [(1, 0)]
    assert_overlapped(spans)
    code, period = ONE_CELL
    with engine.connect() as conn:
        history = observations(conn, "WHERE indicator_code = :code AND period = :period", code=code, period=period)
        current = read_current_values(conn, [code])
    assert [revision for _, _, revision, _, _ in history] == list(range(1, writers + 1))  # no gap, no twin
    assert sorted(value for *_, value, _ in history) == values  # no lost update: every writer's value is kept
    submissions = [submission for *_, submission in history]
    assert submissions == sorted(submissions)  # revisions numbered in the order the writers committed
    assert {r["submission_id"] for r in results} == set(submissions)
    now = current[(current["indicator_code"] == code) & (current["period"] == period)]
    assert now["revision"].tolist() == [writers] and now["value"].tolist() == [history[-1][3]]
    assert_revisions_contiguous(engine)


# --- 3. a reader during an ingest ---------------------------------------------------------------------------------

View = tuple[Any, ...]


def read_view(engine: Engine) -> View:
    """What a dashboard page reads in one connection: observation count, current values of a few indicators, and
    the submissions' counts — separate statements that must all come from one state of the store."""
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
        frame = read_current_values(conn, PROBE_CODES)
        values = tuple(zip(frame["indicator_code"], frame["period"], frame["value"].astype(float), frame["revision"]))
        submissions, changed = conn.execute(
            text("SELECT COUNT(*), COALESCE(SUM(n_new + n_revised), 0) FROM submission")).one()
    return int(count), values, int(submissions), int(changed)


def expected_new_view(old: View, rows: Sequence[Row]) -> View:
    count, values, submissions, changed = old
    current = {(code, period): (value, revision) for code, period, value, revision in values}
    for code, period, value in rows:
        if code in PROBE_CODES:
            current[(code, period)] = (value, current.get((code, period), (0.0, 0))[1] + 1)
    new_values = tuple((code, period, value, revision) for (code, period), (value, revision) in sorted(current.items()))
    return count + len(rows), new_values, submissions + 1, changed + len(rows)


class Writer:
    """The large ingest, in a thread of this process (sharing the reader's engine) or in a worker process; it stops
    after inserting every row, inside its open transaction, until released."""

    def __init__(self, mode: str, engine: Engine, plan: PlanData, path: Path) -> None:
        self.mode = mode
        self.begun: float | None = None
        if mode == "process":
            self.worker = Worker(engine, path, "--hold")
            return
        self.saved, self.go, self.box = threading.Event(), threading.Event(), {}

        def after_save(*_: object) -> None:
            self.saved_at = time.monotonic()
            self.saved.set()
            self.go.wait(STEP_TIMEOUT)

        def run() -> None:
            try:
                data = path.read_bytes()
                self.box["result"] = ingest_bytes(engine, plan, IngestRequest(path.name, data, today=TODAY,
                                                  limits=big_limits(data), after_save=after_save)).as_dict("en")
            except Exception as error:
                self.box["error"] = f"{type(error).__name__}: {error}"
                self.saved.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_saved(self) -> float:
        if self.mode == "process":
            return self.worker.wait_for("SAVED")
        assert self.saved.wait(STEP_TIMEOUT) and "error" not in self.box, self.box
        return self.saved_at

    def release(self) -> None:
        if self.mode == "process":
            self.worker.send()
        else:
            self.go.set()

    def result(self) -> dict[str, Any]:
        if self.mode == "process":
            return self.worker.result()
        self.thread.join(STEP_TIMEOUT)
        assert not self.thread.is_alive() and "error" not in self.box, self.box
        return dict(self.box["result"])

    def stop(self) -> None:
        if self.mode == "process":
            self.worker.kill()
        else:
            self.go.set()


@pytest.mark.parametrize("writer_mode", ["thread", "process"])
def test_reader_during_ingest_sees_old_or_new_state(tmp_path: Path, backend: str, writer_mode: str) -> None:
    engine, plan = synthetic_store(tmp_path, backend)
    writer = None
    try:
        earlier = rows_csv(synthetic_rows(EARLIER_INDICATORS, EARLIER_QUARTERS, 0.25))
        assert ingest_bytes(engine, plan, IngestRequest("earlier.csv", earlier, today=TODAY)).outcome == ACCEPTED
        rows = synthetic_rows(BIG_INDICATORS, QUARTERS, 1.0)
        path = tmp_path / "big.csv"
        path.write_bytes(rows_csv(rows))
        old = read_view(engine)
        new = expected_new_view(old, rows)
        reads: list[tuple[float, float, View]] = []
        stop = threading.Event()
        reader_errors: list[str] = []

        def reader() -> None:  # the dashboard, refreshing as fast as it can all along
            while not stop.is_set():
                start = time.monotonic()
                try:
                    view = read_view(engine)
                except Exception as error:
                    reader_errors.append(f"{type(error).__name__}: {error}")
                    return
                reads.append((start, time.monotonic(), view))

        loop = threading.Thread(target=reader, daemon=True)
        loop.start()
        writer = Writer(writer_mode, engine, plan, path)
        saved = writer.wait_saved()
        # The writer now holds its open transaction with every row inserted. Reads here surely overlap the write.
        held = [read_view(engine) for _ in range(3)]
        # A reader whose transaction began before the commit keeps seeing the old state after it, in every statement.
        with engine.connect() as conn:
            count_before = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
            released = time.monotonic()
            writer.release()
            result = writer.result()
            committed = time.monotonic()
            count_after = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
            submissions_after = conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one()
        assert result["outcome"] == ACCEPTED, result
        while sum(start > committed for start, _, _ in reads) < 3 and loop.is_alive():
            time.sleep(0.01)
        stop.set()
        loop.join(STEP_TIMEOUT)
        assert not reader_errors, reader_errors
        assert_nothing_locked(reader_errors, result)

        assert held == [old] * 3, "a reader saw rows of an uncommitted ingest"
        assert (count_before, count_after, submissions_after) == (old[0], old[0], old[2]), \
            "a reader's transaction saw a commit that happened after it began (half of two states)"
        assert read_view(engine) == new
        views = [view for _, _, view in reads]
        assert all(view in (old, new) for view in views), \
            f"a reader saw a state between old and new: {[v[0::2] for v in views if v not in (old, new)][:3]}"
        during = [r for r in reads if r[0] >= saved and r[1] <= released]
        writing_phase = (writer.worker.seen("BEGIN") if writer_mode == "process" else None)
        assert views[0] == old and views[-1] == new, "the reader loop did not span the ingest"
        assert len(during) + len(held) >= 3
        print(f"\n[{backend}/{writer_mode}] {len(reads)} reads ({sum(v == old for v in views)} old, "
              f"{sum(v == new for v in views)} new); {len(during) + len(held)} while every row was inserted and not "
              f"committed" + (f"; {sum(writing_phase <= r[0] and r[1] <= saved for r in reads)} while inserting"
                               if writing_phase else ""))
    finally:
        if writer is not None:
            writer.stop()
        engine.dispose()


def test_a_writer_that_waits_too_long_is_told_the_store_is_busy_and_nothing_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: a writer waits (10 minutes by default) for another's write; if the store is still busy after that, the
    department reads a message to send again, never "database is locked", and nothing of the file is stored."""
    import models.db

    monkeypatch.setattr(models.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    engine, plan = new_store(tmp_path)
    data = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""]])
    holder = sqlite3.connect(tmp_path / "store.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the store
    try:
        busy = ingest_bytes(engine, plan, IngestRequest("kw.csv", data, department="KW", today=TODAY))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.outcome == "rejected" and [i.check for i in busy.hard] == ["store-busy"]
    assert "请稍后重新提交" in busy.hard[0].message("zh")
    assert_nothing_locked(json.dumps(busy.as_dict("zh"), ensure_ascii=False), json.dumps(busy.as_dict("en")))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 0
    assert ingest_bytes(engine, plan, IngestRequest("kw.csv", data, department="KW", today=TODAY)).outcome == ACCEPTED
    engine.dispose()

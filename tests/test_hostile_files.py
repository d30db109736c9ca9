"""Hostile files through the whole ingest pipeline, on SQLite and on PostgreSQL: every file is refused with a message
or loaded exactly; nothing crashes or hangs; a refusal leaves the store as it was.

The corpus (tests/hostile.py, generated in code) covers: workbooks cut at several points or with damaged data, CSV
cut in the middle of a UTF-8 character, wrong encodings (GB18030 that is not UTF-8, UTF-16 without BOM, Latin-1,
Shift-JIS, mojibake), enormous cells (a 50 MB cell is over the 10 MB file limit; a 5 MB note is under it and is
refused as longer than the 2,000 characters a note may hold), a million columns (CSV commas, an XLSX dimension of
XFD1048576, cells in column XFD, row numbers far beyond Excel's last row), formula injection (kept as text in the
store, neutralised by the export), zip bombs disguised as XLSX (1 GB of zeros, a size that lies, thousands of
members, zips nested in an embedded object, a .csv that is a zip), an XML entity bomb, NUL bytes, random bytes,
HTML named .xls/.xlsx/.csv, a file that is only a BOM, millions of junk or blank lines, a 9 MB line without newline,
mixed line endings, deeply quoted fields and unterminated quotes.

Each file is ingested in a forked child process (the parent has everything imported, so a fork costs milliseconds)
under hard bounds: the child's address space may grow by at most MEMORY_BOUND beyond what it had at the fork
(RLIMIT_AS: an allocation past it raises MemoryError in the child, which fails the test), and it must answer within
TIME_BOUND seconds of wall time or it is killed and the test fails as a hang. The child's peak resident memory
(getrusage) is also checked against the same bound. The bounds are generous for a loaded 2-core machine; a file
that trips them is a defect in the reader, not in the bound.
"""
from __future__ import annotations

import io
import os
import pickle
import resource
import select
import signal
import time
import traceback
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from models.db import make_engine
from models.queries import read_current_values
from pipelines.export import build_export, to_csv_bytes, to_xlsx_bytes
from pipelines.ingest import ingest_bytes
from pipelines.plan import PlanData
from tests.conftest import TODAY, snapshot_store
from tests.hostile import CORPUS, Hostile

TIME_BOUND = 20.0  # seconds of wall time per file
MEMORY_BOUND = 300 * 2**20  # bytes of address space a file may add (and of peak resident memory it may add)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Outcome:
    """What the child reports about one ingest."""

    outcome: str
    hard: tuple[tuple[str, str], ...]  # (check, Chinese message)
    soft: tuple[str, ...]  # the 核实性 checks that spoke
    seconds: float


@dataclass(frozen=True)
class Bounded:
    outcome: Outcome | None
    error: str  # the traceback of an exception that escaped, or why the child died
    seconds: float
    peak_growth: int  # bytes of resident memory beyond the parent's at the fork


def _memory_status(field: str) -> int:
    """VmSize / VmRSS of this process in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _child(url: str, name: str, data: bytes, out: int) -> None:
    """In the forked child: bound memory and time, ingest, report through the pipe, never return."""
    try:
        signal.alarm(int(TIME_BOUND) + 10)  # a last resort should the parent be gone
        limit = _memory_status("VmSize") + MEMORY_BOUND
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        engine = make_engine(url)
        start = time.perf_counter()
        result = ingest_bytes(engine, _plan_cache[url], name, data, today=TODAY)
        seconds = time.perf_counter() - start
        report: object = Outcome(result.outcome, tuple((i.check, i.message("zh")) for i in result.hard),
                                  tuple(i.check for i in result.soft), seconds)
    except BaseException:  # noqa: BLE001 — whatever escapes is the finding
        report = traceback.format_exc()
    try:
        _write_all(out, pickle.dumps(report))
    finally:
        os._exit(0)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


_plan_cache: dict[str, PlanData] = {}


def ingest_bounded(engine: Engine, plan: PlanData, name: str, data: bytes) -> Bounded:
    """Ingest one file in a forked child under TIME_BOUND and MEMORY_BOUND; what came back, or why nothing did."""
    url = engine.url.render_as_string(hide_password=False)
    _plan_cache[url] = plan
    engine.dispose()  # the child opens its own connections; none of the parent's cross the fork
    read_end, write_end = os.pipe()
    rss_at_fork = _memory_status("VmRSS")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(url, name, data, write_end)
    os.close(write_end)
    chunks: list[bytes] = []
    hung = False
    while True:
        left = TIME_BOUND - (time.monotonic() - start)
        if left <= 0:
            hung = True
            break
        ready, _, _ = select.select([read_end], [], [], left)
        if ready:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    seconds = time.monotonic() - start
    if hung:
        os.kill(pid, signal.SIGKILL)
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    growth = usage.ru_maxrss * 1024 - rss_at_fork
    if hung:
        return Bounded(None, f"no answer within {TIME_BOUND:g} s: killed", seconds, growth)
    if not chunks:
        return Bounded(None, f"the child died without answering (wait status {status})", seconds, growth)
    report = pickle.loads(b"".join(chunks))
    if isinstance(report, str):
        return Bounded(None, report, seconds, growth)
    return Bounded(report, "", seconds, growth)


def stored_rows(engine: Engine) -> set[tuple[str, str, float, str]]:
    with engine.connect() as conn:
        current = read_current_values(conn)
    return {(r.indicator_code, r.period, float(r.value), r.note or "") for r in current.itertuples()}


@pytest.mark.parametrize("hostile", CORPUS, ids=str)
def test_hostile_file_is_refused_with_a_message_or_loaded_exactly(store: tuple[Engine, PlanData],
                                                                   hostile: Hostile) -> None:
    engine, plan = store
    data = hostile.build()
    before = snapshot_store(engine)
    bounded = ingest_bounded(engine, plan, hostile.name, data)
    assert bounded.error == "", bounded.error
    assert bounded.seconds < TIME_BOUND
    assert bounded.peak_growth < MEMORY_BOUND, f"peak resident memory grew by {bounded.peak_growth / 2**20:.0f} MB"
    result = bounded.outcome
    assert result is not None
    if hostile.refused:
        assert result.outcome == "rejected", result
        checks = {check for check, _ in result.hard}
        assert checks and checks <= hostile.refused, checks
        assert all(message.strip() and "{" not in message for _, message in result.hard), result.hard
        assert snapshot_store(engine) == before
    else:
        assert result.outcome == "accepted", result
        assert stored_rows(engine) == set(hostile.loaded)


INJECTION_CASES = [h for h in CORPUS if any(note.startswith(_FORMULA_START) for *_, note in h.loaded)]


@pytest.mark.parametrize("hostile", INJECTION_CASES, ids=str)
def test_formula_text_loaded_from_a_file_is_neutralised_in_the_export(store: tuple[Engine, PlanData],
                                                                      hostile: Hostile) -> None:
    engine, plan = store
    result = ingest_bytes(engine, plan, hostile.name, hostile.build(), today=TODAY)
    assert result.outcome == "accepted", result.hard
    with engine.connect() as conn:
        export = build_export(read_current_values(conn), plan)
    notes = set(export["note"])
    assert {note for *_, note in hostile.loaded} <= notes  # the store holds the text exactly as written
    exported_csv = pd.read_csv(io.BytesIO(to_csv_bytes(export)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    risky = [v for column in exported_csv.columns for v in exported_csv[column] if v.lstrip("'").startswith(_FORMULA_START)]
    assert risky and all(v.startswith("'") for v in risky), risky
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(export)))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {"'" + note for *_, note in hostile.loaded if note.startswith(_FORMULA_START)} <= {c.value for c in cells}

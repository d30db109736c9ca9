"""Hostile files through the whole ingest pipeline, on SQLite and on PostgreSQL: every file is refused with a message
or loaded exactly; nothing crashes or hangs; a refusal leaves the store as it was.

The corpus (tests/hostile.py, generated in code; nothing large is committed) covers:
- truncated and damaged workbooks: cut at 10/50/90 %, inside the end record, by one byte, after the first local
  header; overwritten sheet data (CRC); a shared-string index out of range; a workbook part that is not XML;
- truncated CSV: UTF-8 (with and without BOM) and GB18030 cut in the middle of a character;
- wrong encodings: GB18030 (tried as UTF-8 first: must load exactly, four-byte characters too), UTF-16 without BOM,
  UTF-16 of odd length, UTF-8 read as Latin-1 and saved again (mojibake), Latin-1 and Shift-JIS files with an
  English header (the bytes happen to be valid GB18030: they must not be stored as garbage Chinese), a stray
  Latin-1 byte in a UTF-8 file;
- enormous cells: 50 MB in one cell (over the 10 MB file limit: file-too-large); 5 MB of note in a CSV, in a
  ragged row, above the header (under the file limit, refused: a note holds at most 2,000 characters); 5 MB and
  1 MB notes in a workbook (over / under the 2 MB bound on a workbook's XML);
- a million columns: a header or a title row with 1,000,000 commas, a data row with 1,000,000 commas (extra cells
  ignored, loads exactly), a sheet dimension of A1:XFD1048576, a header cell in column XFD, 5,000 rows with a cell
  in XFD, row numbers that jump to Excel's last row (loads) or to 100,000,000 (forged);
- formula injection (=HYPERLINK, +cmd|' /C calc'!A0, @SUM(1), -2+3, =1+1, tab then =) in notes of CSV and XLSX:
  stored exactly as text, and the export (CSV and XLSX) puts an apostrophe before each and writes no formula cell;
  real formula cells load as their cached result; in the value or code column they are refused;
- zip bombs disguised as XLSX: 1 GB of zeros in one member, the same declaring 1,000 bytes, 2,000 members of 1 MB,
  zips nested three deep inside an embedded object (loads: embedded objects are not opened), 20,000 tiny members,
  5,000,000 shared strings, a sheet of the densest cells just under and over the XML bound, a sheet part named
  .png, an XML entity bomb, a .csv that is a zip bomb or a plain zip;
- NUL bytes in a UTF-8 CSV (early, and after the first 64 KB); random bytes as .csv/.xlsx and after a zip magic;
  HTML named .xls/.xlsx/.csv; only a UTF-8 or UTF-16 BOM (with or without blank lines);
- many rows: the row limit of a department's file (50,000 lines) exactly (loads) and one over; 5,000,000 blank
  lines, 1,000,000 and 4,000,000 junk lines (over it); 49,999 junk and all-distinct lines and 9,999 conflicting
  duplicates (under it: read and checked in full); 49,999 conflicting duplicates (a known defect of the checks,
  below); 50,001 rows in a workbook; a 9 MB line without newline (one cell, or 4 million cells); mixed CR/LF/CRLF
  line endings with blank lines between; a field of 1,000 doubled quotes; unterminated quotes in a data row, in the
  header, before 5 MB.

The reader's limits that these files meet (pipelines/core/config.py): 10 MB per file, 100 MB unpacked per workbook, 2 MB
of XML per workbook (openpyxl parses every cell in Python, tens of microseconds each), 50,000 rows per file, 1,000
columns, 2,000 characters per note.

A file of 49,999 conflicting duplicates is held to 8 s: the duplicate check pairs every repeat with the first row
of its indicator and period in one merge (it once took ~15 s, row by row).

Each file is ingested in a forked child process (the parent has everything imported, so a fork costs milliseconds)
under hard bounds: the child's address space may grow by at most MEMORY_BOUND (300 MB) beyond what it had at the
fork (RLIMIT_AS: an allocation past it raises MemoryError, which the reader lets through and the test reports), and
it must answer within TIME_BOUND (20 s) of wall time or it is killed and the test fails as a hang. The child's peak
resident memory (VmHWM) beyond its resident memory at the fork is checked against the same bound. On the shared
2-core machine the slowest file takes about 4 s and the largest peak is about 100 MB (the seconds and
peak_growth_mb of each file: pytest --junitxml=FILE -o junit_family=legacy); a file that trips a bound is a defect
in the pipeline, not in the bound.
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
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.present.export import build_export, to_csv_bytes, to_xlsx_bytes
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
    seconds: float  # wall time from the fork to the answer
    peak_growth: int  # the child's peak resident memory (VmHWM) beyond its resident memory at the fork


def _memory_status(field: str) -> int:
    """VmSize / VmRSS of this process in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _child(url: str, name: str, data: bytes, out: int) -> None:
    """In the forked child: bound memory and time, ingest, report through the pipe, never return."""
    resident = _memory_status("VmRSS")
    try:
        signal.alarm(int(TIME_BOUND) + 10)  # a last resort should the parent be gone
        limit = _memory_status("VmSize") + MEMORY_BOUND
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        engine = make_engine(url)
        start = time.perf_counter()
        result = ingest_bytes(engine, _plan_cache[url], IngestRequest(name, data, today=TODAY))
        seconds = time.perf_counter() - start
        report: object = Outcome(result.outcome, tuple((i.check, i.message("zh")) for i in result.hard),
                                  tuple(i.check for i in result.soft), seconds)
    except BaseException:
        report = traceback.format_exc()
    try:
        _write_all(out, pickle.dumps((report, _memory_status("VmHWM") - resident)))
    finally:
        os._exit(0)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


_plan_cache: dict[str, PlanData] = {}


def ingest_bounded(engine: Engine, plan: PlanData, name: str, data: bytes, bound: float = TIME_BOUND) -> Bounded:
    """Ingest one file in a forked child within `bound` seconds and MEMORY_BOUND; what came back, or why nothing did."""
    url = engine.url.render_as_string(hide_password=False)
    _plan_cache[url] = plan
    engine.dispose()  # the child opens its own connections; none of the parent's cross the fork
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(url, name, data, write_end)
    os.close(write_end)
    chunks: list[bytes] = []
    hung = False
    while True:
        left = bound - (time.monotonic() - start)
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
    _, status = os.waitpid(pid, 0)
    if hung:
        return Bounded(None, f"no answer within {bound:g} s: killed", seconds, 0)
    if not chunks:
        return Bounded(None, f"the child died without answering (wait status {status})", seconds, 0)
    report, growth = pickle.loads(b"".join(chunks))
    if isinstance(report, str):
        return Bounded(None, report, seconds, growth)
    return Bounded(report, "", seconds, growth)


def stored_rows(engine: Engine) -> set[tuple[str, str, float, str]]:
    with engine.connect() as conn:
        current = read_current_values(conn)
    return {(r.indicator_code, r.period, float(r.value), r.note or "") for r in current.itertuples()}


def _cases(corpus: list[Hostile]) -> list[object]:
    """Each file, a known defect outside the reader marked as a strict xfail (it must fail until it is mended)."""
    return [pytest.param(h, id=h.id, marks=pytest.mark.xfail(strict=True, reason=h.defect)) if h.defect else
            pytest.param(h, id=h.id) for h in corpus]


@pytest.mark.parametrize("hostile", _cases(CORPUS))
def test_hostile_file_is_refused_with_a_message_or_loaded_exactly(store: tuple[Engine, PlanData], hostile: Hostile,
                                                                   request: pytest.FixtureRequest) -> None:
    engine, plan = store
    data = hostile.build()
    before = snapshot_store(engine)
    bounded = ingest_bounded(engine, plan, hostile.name, data, hostile.seconds or TIME_BOUND)
    request.node.user_properties += [("seconds", round(bounded.seconds, 2)),
                                     ("peak_growth_mb", round(bounded.peak_growth / 2**20, 1))]
    assert bounded.error == "", bounded.error
    assert bounded.seconds < (hostile.seconds or TIME_BOUND)
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
    result = ingest_bytes(engine, plan, IngestRequest(hostile.name, hostile.build(), today=TODAY))
    assert result.outcome == "accepted", result.hard
    with engine.connect() as conn:
        export = build_export(read_current_values(conn), plan)
    notes = set(export["note"])
    assert {note for *_, note in hostile.loaded} <= notes  # the store holds the text exactly as written
    exported_csv = pd.read_csv(io.BytesIO(to_csv_bytes(export)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells_csv = [v for column in exported_csv.columns for v in exported_csv[column]]
    risky = [v for v in cells_csv if v.lstrip("'").startswith(_FORMULA_START)]
    assert risky and all(v.startswith("'") for v in risky), risky
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(export)))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {"'" + note for *_, note in hostile.loaded if note.startswith(_FORMULA_START)} <= {c.value for c in cells}

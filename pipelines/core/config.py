"""Settings in one place: paths from the project root and the limits and thresholds of the checks."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLANS_DIR = ROOT / "data" / "plans"  # one folder per plan (cycle), each of the same shape
PLAN_DIR = PLANS_DIR / "SHGX-2023"  # the 2023–2025 plan: tests and benchmarks build on it
SAMPLES_DIR = ROOT / "data" / "samples"

MAX_FILE_BYTES = 10 * 1024 * 1024  # a department's file; configurable per call
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024  # bound on what an XLSX may unpack to (zip bombs)
MAX_XLSX_XML_BYTES = 2 * 1024 * 1024  # bound on the XML of an XLSX (sheets, shared strings, styles): parse time
MAX_ROWS = 50_000  # rows (CSV lines) of a department's file, which has hundreds: bounds one file's time and memory
BYTES_PER_ROW = 16  # a caller that sets its own file limit (bulk loads, benchmarks) gets one row per 16 bytes of it
MAX_CELL_CHARS = 2_000  # a note longer than this is not a note
HEADER_SEARCH_ROWS = 50  # how far down a file the column header may sit below a title or form block
LARGE_CHANGE_SHARE = 0.5  # 核实性: more than 50 % change from the previous period
BEYOND_TARGET_FACTOR = 2.0  # 核实性: a value beyond twice the target
MIN_EXPLANATION_CHARS = 6
TODAY_ENV = "KPI_TODAY"  # YYYY-MM-DD: the day the command line, the dashboard, tests and demos take as today


def today() -> dt.date:
    """Today as the product sees it: KPI_TODAY when set (read when asked, not at import), else the calendar's."""
    given = os.environ.get(TODAY_ENV, "").strip()
    if not given:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"{TODAY_ENV}={given!r} is not a date of the form YYYY-MM-DD") from None


@dataclass(frozen=True)
class Limits:
    """What a single ingest accepts; the defaults suit department files, benchmarks raise them."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_unpacked_bytes: int = MAX_XLSX_UNPACKED_BYTES
    max_xml_bytes: int = MAX_XLSX_XML_BYTES
    large_change_share: float = LARGE_CHANGE_SHARE
    beyond_target_factor: float = BEYOND_TARGET_FACTOR
    max_rows: int | None = None  # None: see row_limit

    @property
    def row_limit(self) -> int:
        """How many rows (lines of a CSV, non-blank rows of a sheet) a file may have, which bounds the time and
        memory one file takes: MAX_ROWS under the default file limit; a caller that sets its own file limit (a bulk
        load or a benchmark sized to its file) gets one row per BYTES_PER_ROW of it."""
        if self.max_rows is not None:
            return self.max_rows
        return MAX_ROWS if self.max_file_bytes == MAX_FILE_BYTES else self.max_file_bytes // BYTES_PER_ROW

"""Export the current values with their provenance as CSV or XLSX, safe to open in Excel."""
from __future__ import annotations

import io
from typing import Any

import pandas as pd

from models.columns import CODE, DEPARTMENT, FILE, NOTE, PERIOD, SUBMISSION, SUBMITTED_AT, SUBMITTER, VALUE
from pipelines.core.periods import Period, period_of_code
from pipelines.plan.records import PlanData

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(value: object) -> object:
    """A text Excel would run as a formula, with an apostrophe before it; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


EXPORT_COLUMNS = [CODE, "name_zh", PERIOD, VALUE, "unit", DEPARTMENT, NOTE, FILE, SUBMISSION, SUBMITTER,
                  SUBMITTED_AT, "illustrative"]


def build_export(current: pd.DataFrame, plan: PlanData, as_of: Period | None = None) -> pd.DataFrame:
    """The current values up to a period, joined with the plan's names and units, in plan order."""
    frame = current.copy()
    if as_of is not None:
        ends = {p: period_of_code(p).end_time for p in frame[PERIOD].unique()}
        frame = frame[frame[PERIOD].map(ends) <= as_of.end_time + 1e-9]
    meta = pd.DataFrame([{CODE: i.code, "name_zh": i.name_zh, "unit": i.unit, "owner": i.department,
                          "illustrative": "示例" if i.illustrative else "", "position": n}
                         for n, i in enumerate(plan.indicators)])
    frame = frame.merge(meta, on=CODE, how="left")
    frame[DEPARTMENT] = frame[DEPARTMENT].fillna(frame["owner"])
    frame[SUBMITTED_AT] = pd.to_datetime(frame[SUBMITTED_AT]).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame = frame.sort_values(["position", PERIOD])
    return frame[EXPORT_COLUMNS].reset_index(drop=True)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (= + - @) get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_defused)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM, which Excel on Chinese Windows opens correctly."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


SHEET_CHARS = 31  # Excel's limit on a sheet's name
_SHEET_UNSAFE = str.maketrans({c: " " for c in "[]:*?/\\"})
MAX_COLUMN_WIDTH = 60  # characters of width; longer texts wrap inside the cell instead of hiding under the next one


def text_width(text: object) -> int:
    """How wide a text shows in a spreadsheet cell, in Latin character widths: a 汉字 counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def sheet_name(name: str) -> str:
    """A sheet name Excel accepts: none of [ ] : * ? / \\, at most 31 characters."""
    return " ".join(name.translate(_SHEET_UNSAFE).split())[:SHEET_CHARS] or "Sheet1"


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    """The table as a workbook a leader can read as opened: every row and every whole text (never cut), headers
    bold and frozen, each column as wide as its contents up to MAX_COLUMN_WIDTH, longer texts wrapped."""
    return to_xlsx_sheets({sheet: frame})


def to_xlsx_sheets(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as one workbook, one sheet each in order, every sheet formatted as to_xlsx_bytes does."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            name = sheet_name(sheet)
            neutralise(frame).to_excel(writer, index=False, sheet_name=name)
            _format_sheet(writer.sheets[name], frame)
    return buffer.getvalue()


def _format_sheet(ws: Any, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, column in enumerate(frame.columns, start=1):
        widths = [text_width(column), *(text_width(v) for v in frame[column] if v is not None and v == v)]
        ws.column_dimensions[get_column_letter(n)].width = min(MAX_COLUMN_WIDTH, max(widths) + 2)
        ws.cell(row=1, column=n).font = Font(bold=True)
        if max(widths) > MAX_COLUMN_WIDTH:
            for row in range(2, len(frame) + 2):
                ws.cell(row=row, column=n).alignment = wrap

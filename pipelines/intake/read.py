"""Read a department's CSV or XLSX as it comes from Excel or WPS on Chinese Windows into tidy tables of strings:
the indicator values (指标编码 / 统计期 / 数值 …) and the quarterly 重点任务 reports (任务编码 / 统计期 / 进展情况 /
完成状态 …); a CSV holds one of them, a workbook either or both (the 一表通's 填报表 and 重点任务进展 sheets).

Finds each column header below titles, form header blocks (表名 / 报告期 / 填报单位 …) and blank rows, keeps every
data row's Excel row number, and turns unreadable files into Issues instead of exceptions. Hostile files (zip bombs,
forged row numbers and widths, millions of lines, text in an encoding other than the one it seems) are refused before
they can take unbounded time or memory, or be read as something other than what they say.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import pandas as pd

if TYPE_CHECKING:  # openpyxl loads only for XLSX files; its read-only sheets and cells read as these do
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

from pipelines.core.columns import CODE, NOTE, PERIOD, REQUIRED, ROW, VALUE, canonical_column
from pipelines.core.config import HEADER_SEARCH_ROWS, Limits
from pipelines.core.issue import Issue, make_issue

MAX_COLUMNS = 1_000
EXCEL_MAX_ROW = 1_048_576  # a row number beyond Excel's last row is forged
UTF8_EVIDENCE = 4  # this many non-ASCII characters read as UTF-8 before a bad byte: the file is damaged UTF-8
FORM_FIELDS = ("表名", "报告期", "填报单位", "填报人", "联系电话", "审核人")
VALUES: Final = "values"  # the kinds of table a file holds
TASKS: Final = "tasks"
TASK_SHEET = "重点任务进展"  # the 一表通's second sheet
# The task table's columns (PERIOD and NOTE are the value table's names too).
TASK_CODE, PROGRESS, STATE, DONE_ON, NEW_DUE = "task_code", "progress", "state", "done_on", "new_due"
TASK_ALIASES: dict[str, tuple[str, ...]] = {
    TASK_CODE: ("任务编码", "任务代码", "任务编号", "task_code", "taskcode"),
    PERIOD: ("统计期", "统计期间", "报告期", "期别", "period"),
    PROGRESS: ("进展情况", "工作进展", "推进情况", "进展", "progress"),
    STATE: ("完成状态", "任务状态", "状态", "state"),
    DONE_ON: ("完成时间", "完成日期", "实际完成时间", "done_on", "doneon"),
    NEW_DUE: ("延期至", "申请延期至", "延期时间", "new_due", "newdue"),
    NOTE: ("备注", "说明", "备注说明", "情况说明", "note", "notes"),
}
_TASK_LOOKUP = {alias: canonical for canonical, names in TASK_ALIASES.items() for alias in names}
_TASK_ONLY = frozenset({TASK_CODE, PROGRESS, STATE, DONE_ON, NEW_DUE})
_DECOR = re.compile(r"[\s*＊:：]|（[^）]*）|\([^)]*\)")  # as core.columns folds a header: 完成时间（必填） is 完成时间
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def canonical_task_column(header: object) -> str | None:
    """The task column a header cell stands for, or None (任务名称, 完成时限（只读） and others are ignored)."""
    if header is None:
        return None
    return _TASK_LOOKUP.get(_DECOR.sub("", unicodedata.normalize("NFKC", str(header)).strip().lower()))


@dataclass(frozen=True)
class TableKind:
    """One kind of table a file may hold: how its headers are read, which columns it needs, how they are named."""

    name: str
    canonical: Callable[[object], str | None]
    columns: tuple[str, ...]
    required: tuple[str, ...]
    wanted: Mapping[str, str]  # canonical → the Chinese header a message names


VALUE_TABLE = TableKind(VALUES, canonical_column, (CODE, PERIOD, VALUE, NOTE), REQUIRED,
                        {CODE: "指标编码", PERIOD: "统计期", VALUE: "数值", NOTE: "备注"})
TASK_TABLE = TableKind(TASKS, canonical_task_column, (TASK_CODE, PERIOD, PROGRESS, STATE, DONE_ON, NEW_DUE, NOTE),
                       (TASK_CODE, PERIOD, PROGRESS, STATE),
                       {TASK_CODE: "任务编码", PERIOD: "统计期", PROGRESS: "进展情况", STATE: "完成状态",
                        DONE_ON: "完成时间", NEW_DUE: "延期至", NOTE: "备注"})


@dataclass(frozen=True)
class RawTable:
    """The data rows of a table as text: ROW (as Excel numbers it) and the kind's columns (for values CODE, PERIOD,
    VALUE, NOTE; for tasks TASK_CODE, PERIOD, PROGRESS, STATE, DONE_ON, NEW_DUE, NOTE), plus where they came from."""

    file: str
    rows: pd.DataFrame
    headers: dict[str, str]  # canonical name → the header as written in the file
    form: dict[str, str] = field(default_factory=dict)  # the form header block above the table, if any
    encoding: str = ""
    kind: str = VALUES
    sheet: str = ""  # the workbook sheet it was read from ('' for a CSV)


@dataclass(frozen=True)
class Upload:
    """What a file holds: its value table, its task table, or both (a 一表通 workbook)."""

    file: str
    values: RawTable | None = None
    tasks: RawTable | None = None

    @property
    def form(self) -> dict[str, str]:
        """The form header block: the value table's, completed by the task table's."""
        found: dict[str, str] = {}
        for table in (self.tasks, self.values):
            if table is not None:
                found.update(table.form)
        return found


def read_upload(file_name: str, data: bytes, limits: Limits = Limits()) -> Upload | list[Issue]:
    """The file's tables, or every reason it cannot be read."""
    problem = _check_envelope(file_name, data, limits)
    if problem:
        return [problem]
    if data.startswith(_XLSX_MAGIC):
        tables, problems = _read_xlsx(file_name, data, limits)
        if problems:
            return problems
    else:
        table = _read_csv(file_name, data, limits)
        if not isinstance(table, RawTable):
            return table
        tables = [table]
    kinds = {t.kind: t for t in tables}
    return Upload(file_name, kinds.get(VALUES), kinds.get(TASKS))


def read_submission(file_name: str, data: bytes, limits: Limits = Limits()) -> RawTable | list[Issue]:
    """The file's value table, or every reason it cannot be read (a file of task reports alone has none)."""
    upload = read_upload(file_name, data, limits)
    if isinstance(upload, list):
        return upload
    return upload.values if upload.values is not None else [make_issue(file_name, None, "", "no-header")]


def _check_envelope(file_name: str, data: bytes, limits: Limits) -> Issue | None:
    lowered = file_name.lower()
    if len(data) > limits.max_file_bytes:
        limit_mb = f"{limits.max_file_bytes / 2**20:g}"
        return make_issue(file_name, None, "", "file-too-large", len(data), limit_mb=limit_mb)
    if not data.strip():
        return make_issue(file_name, None, "", "empty-file")
    if lowered.endswith(".xlsm") or lowered.endswith(".xltm"):
        return make_issue(file_name, None, "", "macro-workbook")
    if data.startswith(_OLE_MAGIC) or lowered.endswith(".xls"):
        return make_issue(file_name, None, "", "old-excel-format")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text" holds NUL bytes
    binary = b"\x00" in data[:65536] and not utf16
    if not data.startswith(_XLSX_MAGIC) and (binary or lowered.endswith((".xlsx", ".zip"))):
        return make_issue(file_name, None, "", "binary-file")
    return None


# ---- CSV ---------------------------------------------------------------------------------------------------

def _decode(file_name: str, data: bytes) -> tuple[str, str] | Issue:
    """UTF-8 (with or without BOM), Excel's "Unicode text" (UTF-16 with BOM), then GBK/GB18030.

    A file that is mostly UTF-8 but has a bad byte (cut short, or text pasted in another encoding) is damaged UTF-8,
    not GB18030; and bytes that only decode as GB18030 into rare characters (Latin-1, Shift-JIS) are not Chinese text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return make_issue(file_name, None, "", "bad-encoding")
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), "utf-8-sig"
    except UnicodeDecodeError as error:
        if _is_utf8(data[:error.start]):
            return make_issue(file_name, data.count(b"\n", 0, error.start) + 1, "", "damaged-utf8")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return make_issue(file_name, None, "", "bad-encoding")
    return (text, "gb18030") if _reads_as_chinese(text) else make_issue(file_name, None, "", "bad-encoding")


def _is_utf8(good: bytes) -> bool:
    """The bytes before the first bad one hold several non-ASCII characters, which only UTF-8 reads so (GB18030
    text fails as UTF-8 at its first or second Chinese character)."""
    text = good.decode("utf-8").removeprefix("\ufeff")
    return len(text) - len(text.encode("ascii", "ignore")) >= UTF8_EVIDENCE


def _reads_as_chinese(text: str) -> bool:
    """At least half of the non-ASCII characters are common Chinese (GB2312); GB18030 read from Latin-1 or
    Shift-JIS bytes gives mostly rare ones."""
    foreign = len(text) - len(text.encode("ascii", "ignore"))
    rare = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return rare * 2 <= foreign


def _line_count(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _read_csv(file_name: str, data: bytes, limits: Limits) -> RawTable | list[Issue]:
    decoded = _decode(file_name, data)
    if isinstance(decoded, Issue):
        return [decoded]
    text, encoding = decoded
    if "\x00" in text:
        return [make_issue(file_name, None, "", "binary-file")]
    if not text or text.isspace():  # only a BOM, blank lines or spaces
        return [make_issue(file_name, None, "", "empty-file")]
    # a long file's text is counted and read as UTF-8 bytes (counting a million lines of Chinese text is slower)
    encoded = None if len(text) < ARROW_READ_MIN_CHARS else (
        data.removeprefix(codecs.BOM_UTF8) if encoding == "utf-8-sig" else text.encode("utf-8"))  # as decoded
    if encoded is not None:
        returns, pairs = encoded.count(b"\r"), encoded.count(b"\r\n")
        lines = encoded.count(b"\n") + returns - pairs
        if returns != pairs:  # a lone carriage return ends a line too: not a plain grid for Arrow
            encoded = None
    else:
        lines = _line_count(text)
    if lines > limits.row_limit:
        return [make_issue(file_name, None, "", "too-many-rows", limit=limits.row_limit)]
    if "\r" in text and "\n" not in text:  # old Mac line endings
        text, encoded = text.replace("\r", "\n"), None
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    top: list[list[str]] = []
    try:
        for record in itertools.islice(reader, HEADER_SEARCH_ROWS):
            top.append(record)
            detected = _detect_header(record)
            if detected is not None:
                kind, found = detected
                return _csv_body(file_name, text, reader.line_num, top, found, encoding, delimiter, kind, encoded)
    except csv.Error:
        return [make_issue(file_name, None, "", "unreadable-csv")]
    return [make_issue(file_name, None, "", "no-header")]


def _delimiter(text: str) -> str:
    """Comma, or tab for Excel's "Unicode text" / "Text (tab delimited)" exports."""
    head = text[:20_000].splitlines()[:HEADER_SEARCH_ROWS]
    tabs = sum("\t" in line for line in head)
    commas = sum("," in line for line in head)
    return "\t" if tabs > commas else ","


def _csv_body(
    file_name: str, text: str, lines_used: int, top: list[list[str]], found: dict[str, int], encoding: str,
    delimiter: str = ",", kind: TableKind = VALUE_TABLE, encoded: bytes | None = None,
) -> RawTable | list[Issue]:
    header = top[-1]
    problems = _column_problems(file_name, len(top), header, kind)
    if problems:
        return problems
    if len(header) > MAX_COLUMNS:
        return [make_issue(file_name, len(top), "", "too-many-columns", len(header), limit=MAX_COLUMNS)]
    wanted = sorted(found.values())
    body = _plain_grid(encoded, lines_used, len(header), wanted, delimiter) if encoded is not None else None
    if body is not None:
        return _finish(file_name, body, len(top), found, header, top[:-1], encoding, kind=kind)
    try:
        body = pd.read_csv(
            io.StringIO(text), header=None, skiprows=lines_used, dtype=str, keep_default_na=False,
            skip_blank_lines=False, names=list(range(len(header))), usecols=wanted, engine="c", sep=delimiter,
        )
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=wanted)
    except ValueError:  # ParserError, or a first data row wider than the header
        body = _csv_body_ragged(text, lines_used, wanted, delimiter)
    return _finish(file_name, body.fillna(""), len(top), found, header, top[:-1], encoding, kind=kind)


# A file at least this long whose body is a plain grid is read by Arrow's CSV reader (several times faster on a
# bulk file, in threads); anything else by pandas' parser, which the checks' row numbers were made with.
ARROW_READ_MIN_CHARS = 1_000_000


def _plain_grid(text: bytes, lines_used: int, width: int, wanted: list[int], delimiter: str) -> pd.DataFrame | None:
    """The body of a file (its text as UTF-8, each line ended by LF or CR LF) read by Arrow when it is a plain
    grid: no quotes, no blank line, every row as wide as the header, so that Arrow's rows are the file's lines one by
    one, as pandas reads them; None for any other file (pandas' parser reads it)."""
    if b'"' in text or b"\n\n" in text or b"\n\r\n" in text:
        return None
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [str(index) for index in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=lines_used, block_size=1 << 22),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={names[index]: pa.large_string() for index in wanted},  # as pandas holds text
                include_columns=[names[index] for index in wanted], strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):  # a row narrower or wider than the header: pandas' parser decides
        return None
    return pd.DataFrame({index: pd.Series(pd.array(table.column(names[index]), dtype="str"), copy=False)
                         for index in wanted})


def _csv_body_ragged(text: str, lines_used: int, wanted: list[int], delimiter: str = ",") -> pd.DataFrame:
    """Slow path for files whose rows have more or fewer cells than the header (extra cells are ignored)."""
    source = io.StringIO(text)
    for _ in range(lines_used):
        source.readline()
    records = [[r[i] if i < len(r) else "" for i in wanted]
               for r in csv.reader(source, strict=True, delimiter=delimiter)]  # strict: an unclosed quote is an error
    return pd.DataFrame(records, columns=wanted) if records else pd.DataFrame(columns=wanted)


# ---- XLSX --------------------------------------------------------------------------------------------------

def _read_xlsx(file_name: str, data: bytes, limits: Limits) -> tuple[list[RawTable], list[Issue]]:
    """The workbook's first value table and first task table (each on the first sheet that has its header), or every
    problem of them; a sheet named 重点任务进展 without a task header is a problem too (its reports would be lost)."""
    problem = _check_zip(file_name, data, limits)
    if problem:
        return [], [problem]
    import openpyxl  # imported here: only XLSX files need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:  # not a damaged file: the bounds above failed, which must be seen
        raise
    except Exception:  # openpyxl raises many kinds for a damaged workbook; all mean the same to the user
        return [], [make_issue(file_name, None, "", "corrupt-file")]
    try:
        tables, problems = _read_sheets(file_name, book.worksheets, limits)
    except MemoryError:
        raise
    except Exception:  # a damaged sheet part surfaces only while iterating
        return [], [make_issue(file_name, None, "", "corrupt-file")]
    finally:
        book.close()
    if not tables and not problems:
        problems = [make_issue(file_name, None, "", "no-header")]
    return tables, problems


def _read_sheets(file_name: str, sheets: list[Worksheet], limits: Limits) -> tuple[list[RawTable], list[Issue]]:
    tables: list[RawTable] = []
    problems: list[Issue] = []
    done: set[str] = set()
    for sheet in sheets:
        if done >= {VALUES, TASKS}:
            break
        result = _read_sheet(file_name, sheet, limits, done)
        if result is None:
            if sheet.title == TASK_SHEET and TASKS not in done:
                problems.append(make_issue(file_name, None, "", "task-no-header", sheet=sheet.title))
            continue
        kind, found = result
        done.add(kind)
        if isinstance(found, RawTable):
            tables.append(found)
        else:
            problems += found
    return tables, problems


def _check_zip(file_name: str, data: bytes, limits: Limits) -> Issue | None:
    """Refuse a workbook before openpyxl opens it: not a zip, macros, no workbook part, a zip bomb, or more XML than
    can be parsed in bounded time (openpyxl parses each cell in Python: tens of microseconds each)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename.lower() for m in members}
            if any(n.endswith("vbaproject.bin") for n in names):
                return make_issue(file_name, None, "", "macro-workbook")
            if "xl/workbook.xml" not in names:
                return make_issue(file_name, None, "", "corrupt-file")
            if sum(m.file_size for m in members) > limits.max_unpacked_bytes:
                return make_issue(file_name, None, "", "unpacked-too-large",
                                  limit_mb=f"{limits.max_unpacked_bytes / 2**20:g}")
            if sum(m.file_size for m in members if _is_xml(archive, m)) > limits.max_xml_bytes:
                return make_issue(file_name, None, "", "xml-too-large", limit_mb=f"{limits.max_xml_bytes / 2**20:g}")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError):
        return make_issue(file_name, None, "", "corrupt-file")
    return None


def _is_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A part that openpyxl may parse: it begins with "<" (after a BOM or blanks), whatever its name says."""
    if member.is_dir() or not member.file_size:
        return False
    with archive.open(member) as part:
        head = part.read(64)
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<")


def _read_sheet(file_name: str, sheet: Worksheet, limits: Limits,
                done: set[str]) -> tuple[str, RawTable | list[Issue]] | None:
    """The sheet's table (or its problems) with its kind, or None when the sheet has no column header of a kind not
    read yet."""
    if (sheet.max_column or 0) > MAX_COLUMNS:
        return VALUES, [make_issue(file_name, None, "", "sheet-too-many-columns", sheet.max_column, limit=MAX_COLUMNS)]
    top: list[list[str]] = []
    for record in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS):
        top.append([_shown_text(c) for c in record])
        detected = _detect_header(top[-1])
        if detected is None or detected[0].name in done:
            continue
        kind, found = detected
        header = top[-1]
        if len(header) > MAX_COLUMNS and any(header[MAX_COLUMNS:]):
            return kind.name, [make_issue(file_name, len(top), "", "too-many-columns", len(header), limit=MAX_COLUMNS)]
        problems = _column_problems(file_name, len(top), header, kind)
        if problems:
            return kind.name, problems
        body = _sheet_body(file_name, sheet, len(top), sorted(found.values()), limits)
        if isinstance(body, Issue):
            return kind.name, [body]
        return kind.name, _finish(file_name, body[0], len(top), found, header, top[:-1], "xlsx", body[1], kind,
                                  sheet.title)
    return None


def _sheet_body(file_name: str, sheet: Worksheet, header_row: int, wanted: list[int],
                limits: Limits) -> tuple[pd.DataFrame, list[int]] | Issue:
    """The non-blank rows below the header and their Excel row numbers, reading only the columns wanted (a cell in
    column XFD widens no row); a row number beyond Excel's last row means a forged file, and more rows than the
    limit are refused before they fill the memory."""
    records: list[list[str]] = []
    numbers: list[int] = []
    blank = None  # openpyxl fills a jump in row numbers with one and the same empty row: seen once, skipped fast
    rows = sheet.iter_rows(min_row=header_row + 1, max_col=wanted[-1] + 1)
    for number, record in enumerate(rows, start=header_row + 1):
        if number > EXCEL_MAX_ROW:
            return make_issue(file_name, None, "", "corrupt-file")
        if record is blank:
            continue
        cells = [_shown_text(record[i]) if i < len(record) else "" for i in wanted]
        if not any(cells):
            blank = record
        elif len(records) >= limits.row_limit:
            return make_issue(file_name, None, "", "too-many-rows", limit=limits.row_limit)
        else:
            records.append(cells)
            numbers.append(number)
    return pd.DataFrame(records, columns=wanted) if records else pd.DataFrame(columns=wanted), numbers


def _shown_text(cell: Cell) -> str:
    """A cell as the department sees it: a percentage-formatted 0.85 is 85%."""
    value = getattr(cell, "value", None)
    percent_format = "%" in str(getattr(cell, "number_format", ""))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and percent_format:
        return _cell_text(round(value * 100, 10)) + "%"
    return _cell_text(value)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


# ---- shared ------------------------------------------------------------------------------------------------

def _header_map(record: list[str], canonical: Callable[[object], str | None] = canonical_column
                ) -> dict[str, int] | None:
    """canonical → column index when the record looks like the column header (two or more known names)."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(record[:MAX_COLUMNS]):
        name = canonical(cell)
        if name:
            found.setdefault(name, []).append(index)
    if len(found) < 2:
        return None
    return {name: positions[0] for name, positions in found.items()}


def _detect_header(record: list[str]) -> tuple[TableKind, dict[str, int]] | None:
    """The kind of table whose column header the record is, with its columns. A task header names 任务编码, or a task
    column (进展情况, 完成状态 …) without the value table's own 指标编码 or 数值 (统计期 and 备注 head both kinds)."""
    tasks = _header_map(record, canonical_task_column)
    values = _header_map(record)
    if tasks is not None and (TASK_CODE in tasks or (_TASK_ONLY & set(tasks)
                                                      and not {CODE, VALUE} & set(values or {}))):
        return TASK_TABLE, tasks
    return (VALUE_TABLE, values) if values is not None else None


def _column_problems(file_name: str, header_row: int, header: list[str], kind: TableKind = VALUE_TABLE
                     ) -> list[Issue]:
    """A required column missing, or any known column given twice (强制性)."""
    seen: dict[str, list[str]] = {}
    for cell in header:
        name = kind.canonical(cell)
        if name:
            seen.setdefault(name, []).append(str(cell).strip())
    issues = [make_issue(file_name, header_row, "", "missing-column", "", wanted=kind.wanted[c])
              for c in kind.required if c not in seen]
    issues += [make_issue(file_name, header_row, names[1], "doubled-column", "、".join(names))
               for names in seen.values() if len(names) > 1]
    return issues


def _finish(
    file_name: str, body: pd.DataFrame, header_row: int, found: dict[str, int], header: list[str],
    above: list[list[str]], encoding: str, numbers: list[int] | None = None, kind: TableKind = VALUE_TABLE,
    sheet: str = "",
) -> RawTable:
    """The table with each row's Excel row number: counted down from the header, or as given (blank rows skipped)."""
    rows = pd.DataFrame({ROW: range(header_row + 1, header_row + 1 + len(body)) if numbers is None else numbers})
    for name in kind.columns:
        # the column's own text array, by position: not through a million Python strings and back
        rows[name] = body[found[name]].astype(str).array if name in found else ""
    headers = {name: str(header[index]).strip() for name, index in found.items()}
    return RawTable(file_name, rows, headers, _form_block(above), encoding, kind.name, sheet)


def _form_block(above: list[list[str]]) -> dict[str, str]:
    """表名 / 报告期 / 填报单位 / 填报人 / 联系电话 from the rows above the header:
    「填报单位：X」 or 「填报单位 | X」."""
    form: dict[str, str] = {}
    for record in above:
        cells = [unicodedata.normalize("NFKC", c).strip() for c in record]
        for index, cell in enumerate(cells):
            for key in FORM_FIELDS:
                if not cell.startswith(key):
                    continue
                rest = cell[len(key):].lstrip(":： ").strip()
                if not rest:
                    rest = next((c for c in cells[index + 1:] if c), "")
                if rest and key not in form:
                    form[key] = rest
    return form

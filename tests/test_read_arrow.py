"""A long CSV file that is a plain grid is read by Arrow's reader, anything else by pandas' parser: both read every
file the same way (the same rows, row numbers, cells, headers and form block, or the same problems)."""
from __future__ import annotations

import pyarrow.csv as pa_csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipelines.intake.read as read
from pipelines.core.config import Limits
from pipelines.intake.read import Upload, read_upload

HEADER = ["指标编码", "统计期", "数值", "备注"]
CELL = st.text(alphabet=st.sampled_from(list("A03Q2024.-% 一季度说明,\t\"")), max_size=6)


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A CSV file's bytes, and whether it is a plain grid (no quote, no blank line, every row as wide as the
    header): rows of any width, blank lines, quotes, either line ending, with or without a title and form block."""
    delimiter = draw(st.sampled_from([",", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    width = len(HEADER) + draw(st.integers(0, 1))  # a column the table does not use, sometimes
    lines = draw(st.sampled_from([[], [""], ["上海硅巷指标季报"], ["", "上海硅巷指标季报", ""],
                                  ["表名：指标季报", "填报单位：区人才办"]]))
    lines = [*lines, delimiter.join(HEADER + ["其他"] * (width - len(HEADER)))]
    body = draw(st.lists(st.one_of(
        st.lists(CELL, min_size=width, max_size=width),  # a row as wide as the header
        st.lists(CELL, min_size=0, max_size=width + 1)), min_size=1, max_size=12))  # ragged or blank
    cells = [[cell.replace(delimiter, "") for cell in row] for row in body]
    lines += [delimiter.join(row) for row in cells]
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    plain = '"' not in text and all(len(row) == width for row in cells) and all(line for line in lines)
    return text.encode(draw(st.sampled_from(["utf-8-sig", "gb18030", "utf-16"]))), plain


def read_with(threshold: int, data: bytes, limits: Limits = Limits()) -> tuple[Upload | list[object], int]:
    """The file as read when files from `threshold` characters on go to Arrow, and how often Arrow read one."""
    arrow = pa_csv.read_csv
    reads = []

    def counted(*args: object, **kwargs: object) -> object:
        table = arrow(*args, **kwargs)  # type: ignore[arg-type]
        reads.append(1)
        return table

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read, "ARROW_READ_MIN_CHARS", threshold)
        patch.setattr(pa_csv, "read_csv", counted)
        return read_upload("季报.csv", data, limits), len(reads)


def same(one: Upload | list[object], other: Upload | list[object]) -> None:
    if isinstance(one, list) or isinstance(other, list):
        assert isinstance(one, list) and isinstance(other, list), (one, other)
        assert [i.as_dict() for i in one] == [i.as_dict() for i in other]  # type: ignore[attr-defined]
        return
    for left, right in ((one.values, other.values), (one.tasks, other.tasks)):
        assert (left is None) == (right is None)
        if left is not None and right is not None:
            assert left.rows.equals(right.rows), (left.rows, right.rows)
            assert [str(dtype) for dtype in left.rows.dtypes] == [str(dtype) for dtype in right.rows.dtypes]
            assert (left.headers, left.form, left.encoding, left.kind) == \
                (right.headers, right.form, right.encoding, right.kind)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=files())
def test_arrow_and_pandas_read_every_file_alike(file: tuple[bytes, bool]) -> None:
    data, plain = file
    by_arrow, arrow_reads = read_with(0, data)
    by_pandas, pandas_reads = read_with(10**12, data)
    same(by_arrow, by_pandas)
    assert pandas_reads == 0
    if plain:  # a plain grid is read by Arrow, not left to pandas
        assert arrow_reads == 1


def test_a_bulk_file_is_read_by_arrow_with_its_excel_rows() -> None:
    rows = [f"K{n % 2500:04d},{1925 + n // 10_000}Q{n % 4 + 1},{n},\r\n" for n in range(200_000)]
    data = ("填报单位：区人才办\r\n指标编码,统计期,数值,备注\r\n" + "".join(rows)).encode("utf-8-sig")
    upload, reads = read_with(read.ARROW_READ_MIN_CHARS, data, Limits(max_file_bytes=len(data) + 1))
    assert reads == 1 and isinstance(upload, Upload) and upload.values is not None
    table = upload.values.rows
    assert len(table) == 200_000 and upload.form == {"填报单位": "区人才办"}
    assert table.iloc[-1].tolist() == [200_002, "K2499", "1944Q4", "199999", ""]

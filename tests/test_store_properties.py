"""Properties of the store over generated department files: a refused file changes nothing, a re-sent file changes
nothing, every accepted value comes back out of the export, revisions are kept, and the original bytes are kept.

Each example gets a fresh store. Generated values stay clear of the 核实性 checks (annual-sum and milestone
indicators, values up to twice the target), so that a generated file is accepted exactly when it should be.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import pytest
from conftest import BACKENDS, HEADER, TODAY, csv_bytes, new_store, require_backend, snapshot_store, xlsx_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from models.queries import read_current_values, read_history, read_submission_file
from pipelines.core.config import PLAN_DIR
from pipelines.core.periods import Period, periods_between
from pipelines.intake.ingest import ACCEPTED, REJECTED, UNCHANGED, IngestRequest, IngestResult, ingest_bytes
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData
from pipelines.present.export import build_export, to_csv_bytes

pytestmark = pytest.mark.slow  # property tests that build and ingest into many stores

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PLAN = read_plan_folder(PLAN_DIR)
assert isinstance(_PLAN, PlanData), _PLAN
PLAN: PlanData = _PLAN
QUIET = [i.code for i in PLAN.indicators if i.kind in ("annual", "milestone")]  # no level checks apply to these
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Value:
    """One value as a department writes it, and what the store must hold for it."""

    code: str
    period: Period
    value: float
    note: str
    period_text: object  # as written in the file
    value_text: object

    def cells(self) -> list[object]:
        return [self.code, PLAN.indicator(self.code).name_zh, self.period_text, self.value_text, self.note]

    def stored(self) -> tuple[str, str, float, str]:
        return (self.code, self.period.code, self.value, self.note.strip())


def spellings(period: Period) -> list[str]:
    out = [period.code, period.code.lower(), period.label("zh")]
    if period.kind == "Q":
        out += [f"{period.year}-Q{period.index}", f"{period.year}年{period.index}季度", f"{period.year} Q{period.index}"]
    if period.kind == "Y":
        out += [f"{period.year}年"]
    return out


def number_text(cents: int) -> str:
    whole = f"{cents // 100:,}" if cents >= 100_000 else str(cents // 100)
    return f"{whole}.{cents % 100:02d}" if cents % 100 else whole


NOTE_TEXT = st.text(alphabet=st.sampled_from(list("硅巷企业迁出数据说明“”，。abcXY 09,.;\"'=+-@（）：\n")), max_size=16)


@st.composite
def values(draw: st.DrawFn, as_xlsx: bool = False) -> Value:
    indicator = PLAN.indicator(draw(st.sampled_from(QUIET)))
    period = draw(st.sampled_from(periods_between(PLAN.info.start_period, PLAN.info.end_period, indicator.frequency)))
    if indicator.kind == "milestone":
        value = float(draw(st.sampled_from([0, 1])))
        value_text: object = draw(st.sampled_from({0.0: ["0", "否", "未完成"], 1.0: ["1", "是", "已完成"]}[value]))
    else:
        cents = draw(st.integers(0, int(indicator.target * 200)))
        value = cents / 100
        value_text = draw(st.sampled_from([number_text(cents), value] if as_xlsx else [number_text(cents)]))
    numeric_year = [period.year] if as_xlsx and period.kind == "Y" else []  # Excel keeps a typed 2025 as a number
    period_text: object = draw(st.sampled_from(spellings(period) + numeric_year))
    note = draw(NOTE_TEXT.filter(lambda n: not (as_xlsx and n.startswith("="))))  # '=' makes a formula in Excel
    return Value(indicator.code, period, value, note, period_text, value_text)


@dataclass(frozen=True)
class File:
    name: str
    data: bytes
    values: tuple[Value, ...]

    def stored(self) -> set[tuple[str, str, float, str]]:
        return {v.stored() for v in self.values}


def render(rows: list[list[object]], kind: str, titles: int) -> tuple[str, bytes]:
    above: list[list[object]] = [["上海硅巷重点指标填报表"], [], ["报告期：2025年第三季度"]][:titles]
    if kind == "xlsx":
        return "填报.xlsx", xlsx_bytes(above + rows)
    return "填报.csv", csv_bytes(above + rows, encoding=kind)


@st.composite
def files(draw: st.DrawFn, min_size: int = 1) -> File:
    kind = draw(st.sampled_from(["utf-8-sig", "gb18030", "xlsx"]))
    rows = draw(st.lists(values(as_xlsx=kind == "xlsx"), min_size=min_size, max_size=8,
                         unique_by=lambda v: (v.code, v.period.code)))
    name, data = render([HEADER] + [v.cells() for v in rows], kind, draw(st.integers(0, 3)))
    return File(name, data, tuple(rows))


BROKEN_ROWS = [
    ["Z99", "", "2025Q3", "1", ""],
    ["", "", "2025Q3", "1", "编码漏填"],
    ["A10", "", "2025Q5", "1", ""],
    ["A10", "", "2022Q4", "1", ""],
    ["A10", "", "2025", "1", ""],
    ["A10", "", "", "1", ""],  # no period (a blank 数值 is not a broken row: it is "not reported", left out)
    ["A10", "", "2025Q3", "约20", ""],
    ["A10", "", "2025Q3", "5%", ""],
    ["D02", "", "2025Q3", "-1", ""],
    ["B06", "", "2025Q3", "101", ""],
    ["A18", "", "2025Q3", "2", ""],
    ["A07", "", "2025", "999", "已核实"],  # 核实性: beyond twice the target, with boilerplate only
]


@st.composite
def broken_files(draw: st.DrawFn) -> File:
    good = draw(files(min_size=0))
    kind = "xlsx" if good.name.endswith(".xlsx") else draw(st.sampled_from(["utf-8-sig", "gb18030"]))
    rows = [v.cells() for v in good.values]
    rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from(BROKEN_ROWS)))
    name, data = render([HEADER, *rows], kind, draw(st.integers(0, 3)))
    return File(name, data, good.values)


Stores = Callable[[], AbstractContextManager[tuple[Engine, PlanData]]]


@pytest.fixture(scope="module", params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stores:
    """A maker of fresh stores: Hypothesis runs many examples per test, and each example needs its own store."""
    require_backend(request.param)

    @contextmanager
    def fresh() -> Iterator[tuple[Engine, PlanData]]:
        engine, plan = new_store(tmp_path_factory.mktemp("store"), backend=request.param)
        try:
            yield engine, plan
        finally:
            engine.dispose()
    return fresh


def ingest(engine: Engine, plan: PlanData, file: File, today: dt.date = TODAY) -> IngestResult:
    return ingest_bytes(engine, plan, IngestRequest(file.name, file.data, today=today))


def current(engine: Engine) -> set[tuple[str, str, float, str]]:
    with engine.connect() as conn:
        frame = read_current_values(conn)
    return {(r.indicator_code, r.period, r.value, r.note) for r in frame.itertuples()}


@PROPERTY
@given(first=files(), broken=broken_files())
def test_ingest_a_rejected_file_leaves_the_store_as_it_was(stores: Stores, first: File, broken: File) -> None:
    with stores() as (engine, plan):
        assert ingest(engine, plan, first).outcome == ACCEPTED
        before = snapshot_store(engine)

        result = ingest(engine, plan, broken)

        assert result.outcome == REJECTED
        assert result.hard or result.soft
        assert snapshot_store(engine) == before


@PROPERTY
@given(data=st.one_of(st.binary(max_size=400),
                      st.text(max_size=200).map(lambda s: ("指标编码,统计期,数值,备注\r\n" + s).encode("utf-8"))),
       name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_ingest_any_bytes_never_raise_and_a_refusal_changes_nothing(stores: Stores, data: bytes, name: str) -> None:
    with stores() as (engine, plan):
        before = snapshot_store(engine)

        result = ingest_bytes(engine, plan, IngestRequest(name, data, today=TODAY))

        assert result.outcome in (ACCEPTED, REJECTED, UNCHANGED)
        if result.outcome == REJECTED:
            assert snapshot_store(engine) == before
            assert all(issue.message("zh") and issue.message("en") for issue in result.hard + result.soft)


@PROPERTY
@given(file=files())
def test_ingest_the_same_file_again_is_a_no_op_that_says_so(stores: Stores, file: File) -> None:
    with stores() as (engine, plan):
        first = ingest(engine, plan, file)
        before = snapshot_store(engine)

        again = ingest(engine, plan, file)

        assert first.outcome == ACCEPTED
        assert (again.outcome, again.submission_id) == (UNCHANGED, first.submission_id)
        assert again.note is not None and again.note.check == "identical-file"
        assert f"文件与第{first.submission_id}号报送" in again.note.message("zh")
        assert snapshot_store(engine) == before


@PROPERTY
@given(file=files(), kind=st.sampled_from(["utf-8-sig", "gb18030"]))
def test_ingest_the_same_values_in_another_file_change_nothing(stores: Stores, file: File, kind: str) -> None:
    with stores() as (engine, plan):
        ingest(engine, plan, file)
        before = snapshot_store(engine)
        rows = [[v.code, "", v.period.code, repr(v.value), v.note] for v in file.values]
        name, data = render([HEADER, *rows], kind, 0)

        again = ingest_bytes(engine, plan, IngestRequest("重报" + name, data, today=TODAY))

        assert again.outcome == UNCHANGED
        assert again.counts == {"new": 0, "revised": 0, "unchanged": len(file.values), "rejected": 0, "skipped": 0}
        assert snapshot_store(engine) == before


@PROPERTY
@given(file=files())
def test_ingest_then_export_gives_back_every_value(stores: Stores, file: File) -> None:
    with stores() as (engine, plan):
        assert ingest(engine, plan, file).outcome == ACCEPTED
        with engine.connect() as conn:
            exported = to_csv_bytes(build_export(read_current_values(conn), plan))

        rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))

        assert current(engine) == file.stored()
        neutral = {(c, p, v, "'" + n if n.startswith(FORMULA_START) else n) for c, p, v, n in file.stored()}
        assert {(r["indicator_code"], r["period"], float(r["value"]), r["note"]) for r in rows} == neutral


@PROPERTY
@given(file=files(), data=st.data())
def test_ingest_a_changed_value_adds_a_revision_and_keeps_the_old_one(
    stores: Stores, file: File, data: st.DataObject
) -> None:
    old = file.values[0]
    indicator = PLAN.indicator(old.code)
    if indicator.kind == "milestone":
        changed = 1.0 - old.value
    else:
        cents = st.integers(0, int(indicator.target * 200))
        changed = data.draw(cents.map(lambda c: c / 100).filter(lambda v: v != old.value))
    with stores() as (engine, plan):
        ingest(engine, plan, file)
        revised = csv_bytes([HEADER, [old.code, "", old.period.code, repr(changed), old.note]])

        result = ingest_bytes(engine, plan, IngestRequest("修订.csv", revised, today=TODAY))

        assert result.outcome == ACCEPTED
        assert result.counts == {"new": 0, "revised": 1, "unchanged": 0, "rejected": 0, "skipped": 0}
        with engine.connect() as conn:
            history = read_history(conn, old.code)
            now = read_current_values(conn, [old.code])
        kept = history[history["period"] == old.period.code]
        assert kept[["revision", "value", "file_name"]].values.tolist() == [
            [1, old.value, file.name], [2, changed, "修订.csv"]]
        assert now.loc[now["period"] == old.period.code, "value"].tolist() == [changed]


@PROPERTY
@given(file=files())
def test_read_submission_file_gives_back_the_original_bytes(stores: Stores, file: File) -> None:
    with stores() as (engine, plan):
        result = ingest(engine, plan, file)

        with engine.connect() as conn:
            original = read_submission_file(conn, result.submission_id)

        assert original == (file.name, file.data)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_read_submission_file_keeps_the_encoding_as_sent(engine: Engine, plan: PlanData, encoding: str) -> None:
    data = csv_bytes([HEADER, ["A10", "技术合同成交额", "2025Q3", "8", "较上季度增加：新登记合同"]], encoding=encoding)

    result = ingest_bytes(engine, plan, IngestRequest("技术合同.csv", data, today=TODAY))

    with engine.connect() as conn:
        assert read_submission_file(conn, result.submission_id) == ("技术合同.csv", data)

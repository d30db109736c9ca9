"""Check a department's table against the plan and the store: 强制性审核 (hard) and 核实性审核 (soft) checks.

Works on whole columns at once so that a million rows check in seconds; each failing row becomes an Issue.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.core.catalog import t
from pipelines.core.columns import CHANGE, CODE, NOTE, PERIOD, PREVIOUS, ROW, VALUE
from pipelines.core.config import MAX_CELL_CHARS, MIN_EXPLANATION_CHARS, Limits
from pipelines.core.config import today as config_today
from pipelines.core.issue import HARD, SOFT, Issue, make_issue
from pipelines.core.periods import Period, kind_of_frequency, normalise_text, parse_period, period_of_code
from pipelines.intake.read import RawTable
from pipelines.plan.records import IndicatorDef, PlanData

COUNT_UNITS = frozenset(["个", "家", "人", "项", "次", "场", "件", "篇", "栋", "支", "次/年", "人次", "户", "所"])
MILESTONE_WORDS = {"是": 1.0, "否": 0.0, "已完成": 1.0, "未完成": 0.0, "完成": 1.0, "已达成": 1.0, "未达成": 0.0}
BOILERPLATE = ("经核实无误", "核实无误", "确认无误", "数据无误", "情况属实", "已核实", "已确认", "无误", "属实",
               "正常", "同上", "没问题", "无异常", "正确", "无", "ok", "确认", "核实")
# 进展情况 of a 重点任务 that says nothing of what was done: refused as BOILERPLATE is for an explanation.
TASK_BOILERPLATE = ("正在推进", "按计划推进", "按计划进行", "稳步推进", "有序推进", "持续推进", "积极推进", "加快推进",
                    "全力推进", "扎实推进", "正常推进", "正在进行", "正在开展", "有序开展", "稳步开展", "进展顺利",
                    "按期推进", "按时推进", "推进中", "进行中", "实施中", "已完成", "按期完成", "未启动", "暂无进展",
                    "暂无", "同上期", "同上", "无", "inprogress", "ongoing", "ontrack", "asplanned", "done")
MIN_PROGRESS_LEFT = 4  # what is left of 进展情况 once the boilerplate is taken out: a few words of substance
MAX_ISSUES = 2_000  # beyond this a hostile file's problems are summarised, not listed one by one
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# Reads the store's current values of some indicators (codes) and periods: read_current_revisions, on the caller's
# connection. Given one, the checks read only what they compare with.
CurrentValues = Callable[[list[str], list[str]], pd.DataFrame]
_EXAMPLE = {"quarterly": "2025Q3／2025年第三季度", "half-yearly": "2025H1／2025年上半年", "annual": "2025／2025年"}

@dataclass(frozen=True)
class Checked:
    """The outcome of the checks: the clean rows (when there is no hard problem) and every problem found."""

    rows: pd.DataFrame  # ROW, CODE, PERIOD (canonical), VALUE (float), NOTE, CHANGE, PREVIOUS
    hard: list[Issue]
    soft: list[Issue]  # 核实性 problems without a real explanation: these also reject the file
    explained: list[Issue]  # 核实性 problems answered by a real explanation: accepted, shown to reviewers
    skipped: int = 0  # rows whose 数值 is blank: not reported this time, left out
    # What the checks read of the store, when they read it themselves: (codes, periods) asked, and the values found.
    read: tuple[list[str], list[str]] | None = None
    against: pd.DataFrame | None = None

    @property
    def accepted(self) -> bool:
        return not self.hard and not self.soft


def check_submission(
    raw: RawTable,
    plan: PlanData,
    current: pd.DataFrame | CurrentValues,
    *,
    department: str | None = None,
    today: dt.date | None = None,
    limits: Limits = Limits(),
    explanations: Mapping[int, str] | None = None,
) -> Checked:
    """Run every check on a table read from a file. `current` holds the store's current values (CODE, PERIOD, VALUE,
    NOTE), or reads them: then only the values the checks compare with are read (of the rows that pass the hard
    checks, each one's own period and the period before), and the result says what was read (`read`, `against`)."""
    today = today or config_today()
    frame = _drop_blank(raw.rows)
    if frame.empty:
        return Checked(frame, [make_issue(raw.file, None, "", "no-data-rows")], [], [])
    unreported = frame[VALUE] == ""  # a blank 数值 means "not reported this time", not a mistake in the row
    if unreported.all():
        return Checked(frame, [make_issue(raw.file, None, "", "no-values", "", rows=len(frame))], [], [])
    skipped = int(unreported.sum())
    frame = frame[~unreported].reset_index(drop=True)
    ctx = _Context(raw, plan, department, today, limits)
    frame = _attach_indicators(frame, ctx)
    frame = _parse_periods(frame, ctx)
    frame = _parse_values(frame, ctx)
    _check_notes(frame, ctx)
    frame = _check_duplicates(frame, ctx)
    ok = _with_explanations(frame[~frame["bad"]], explanations or {})
    read: tuple[list[str], list[str]] | None = None
    if callable(current):
        read = compared_with(ok)
        against = current(*read)
    else:
        against = current
    soft, explained = _soft_checks(ok, against, ctx, explanations or {})
    rows = _classify(ok, against)
    return Checked(rows, ctx.finish(), soft, explained, skipped, read, against if read is not None else None)


def compared_with(ok: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The indicators and periods of the store's values that checked rows are compared with: the rows' own periods
    (new, revised or unchanged) and the periods before them (a surprising change)."""
    periods = set(ok[PERIOD].unique())
    return sorted(set(ok[CODE].unique())), sorted(periods | {_previous_code(p) for p in periods})


def _with_explanations(ok: pd.DataFrame, explanations: Mapping[int, str]) -> pd.DataFrame:
    """Explanations given in the page (by Excel row) join the row's note, so they are stored with the value."""
    given = {row: text.strip() for row, text in explanations.items() if text and text.strip()}
    if not given:
        return ok
    ok = ok.copy()
    hit = ok[ROW].isin(list(given))
    ok.loc[hit, NOTE] = [f"{note}；{given[row]}" if note else given[row]
                         for row, note in zip(ok.loc[hit, ROW], ok.loc[hit, NOTE])]
    return ok


class _Context:
    """What every check needs: the file, the plan, who sends, today, limits, and the problems found so far."""

    def __init__(self, raw: RawTable, plan: PlanData, department: str | None, today: dt.date, limits: Limits):
        self.raw, self.plan, self.department, self.today, self.limits = raw, plan, department, today, limits
        self.file = raw.file
        self.issues: list[Issue] = []
        self.overflow = 0
        self.indicators = plan.indicator_map()
        self.departments = {d.code: d for d in plan.departments}

    def of_indicator(self, read: Callable[[IndicatorDef], object],
                     default: object = None) -> Callable[[object], object]:
        """What `read` gives of the indicator a code names (`default` for a code the plan does not know), for
        lookup: asked once per distinct code of the file, never for every indicator of the plan."""
        indicators = self.indicators

        def get(code: object) -> object:
            indicator = indicators.get(code) if isinstance(code, str) else None
            return default if indicator is None else read(indicator)
        return get

    def column(self, canonical: str) -> str:
        return self.raw.headers.get(canonical, canonical)

    def add(self, row: int, canonical: str, check: str, value: object, code: str = "", **params: object) -> None:
        if len(self.issues) >= MAX_ISSUES:
            self.overflow += 1
            return
        indicator = self.indicators.get(code)
        if indicator is not None:
            params.setdefault("name", indicator.name_zh)
            params.setdefault("name_en", indicator.name_en)
        params.setdefault("name", code)
        self.issues.append(make_issue(self.file, row, self.column(canonical), check, value, HARD, **params))

    def finish(self) -> list[Issue]:
        if self.overflow:
            self.issues.append(make_issue(self.file, None, "", "more-problems", self.overflow))
        return self.issues


def _drop_blank(rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows.copy()
    for column in (CODE, PERIOD, VALUE, NOTE):
        frame[column] = frame[column].astype(str).str.strip()
    blank = (frame[CODE] == "") & (frame[PERIOD] == "") & (frame[VALUE] == "") & (frame[NOTE] == "")
    frame = frame[~blank].reset_index(drop=True)
    frame["bad"] = False
    return frame


@dataclass(frozen=True)
class Keyed:
    """A column's distinct values and each row's place among them, found once for several lookups of it (each
    factorization of a million codes costs as much as the lookup itself)."""

    index: pd.Index
    codes: np.ndarray  # row → its value's place in uniques
    uniques: pd.Index | np.ndarray

    @classmethod
    def of(cls, series: pd.Series) -> Keyed:
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        return cls(series.index, codes, uniques)


def lookup(series: pd.Series | Keyed, mapping: Mapping[object, object] | object, default: object = None,
           dtype: npt.DTypeLike = object) -> pd.Series:
    """series.map(mapping) computed once per distinct value (codes and periods repeat: fast on a million rows)."""
    keyed = series if isinstance(series, Keyed) else Keyed.of(series)
    codes, uniques = keyed.codes, keyed.uniques
    get = mapping if callable(mapping) else (lambda key: mapping.get(key, default))  # type: ignore[union-attr]
    values = np.empty(len(uniques), dtype=dtype)
    for index, key in enumerate(uniques):  # element-wise, so that tuples stay single objects
        values[index] = get(key)
    if len(codes) and values.dtype == object and all(isinstance(v, str) for v in values):
        # text: the few distinct results become a text array first, then are taken row by row (a million Python
        # strings made into pandas' text column one by one cost several times as much)
        return pd.Series(pd.array(values, dtype="str").take(codes), index=keyed.index)
    return pd.Series(values[codes] if len(codes) else np.array([], dtype=dtype), index=keyed.index)


def _mark(frame: pd.DataFrame, mask: pd.Series) -> None:
    frame.loc[mask, "bad"] = True


# ---- indicator codes ---------------------------------------------------------------------------------------

def _attach_indicators(frame: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    codes = {raw: ctx.plan.code_typed(normalise_text(raw).upper().replace(" ", "")) for raw in frame[CODE].unique()}
    frame[CODE + "_raw"] = frame[CODE]
    frame[CODE] = lookup(frame[CODE], codes).astype(str)
    missing = frame[CODE + "_raw"] == ""
    if missing.any():
        for row in frame.loc[missing, ROW]:
            ctx.add(row, CODE, "missing-code", "")
    unknown = (frame[CODE] == "") & ~missing
    if unknown.any():
        for row, value in frame.loc[unknown, [ROW, CODE + "_raw"]].itertuples(index=False):
            ctx.add(row, CODE, "unknown-indicator", value)
    _mark(frame, frame[CODE] == "")
    if ctx.department:
        _check_owner(frame, ctx)
    return frame


def _check_owner(frame: pd.DataFrame, ctx: _Context) -> None:
    owner = lookup(frame[CODE], ctx.of_indicator(lambda i: i.department))
    wrong = (frame[CODE] != "") & (owner != ctx.department)
    if not wrong.any():
        return
    sender = ctx.departments.get(ctx.department or "")
    for row, code in frame.loc[wrong, [ROW, CODE]].itertuples(index=False):
        holder = ctx.departments[ctx.indicators[code].department]
        ctx.add(row, CODE, "wrong-department", code, code, owner=holder.name_zh, owner_en=holder.name_en,
                department=sender.name_zh if sender else ctx.department,
                department_en=sender.name_en if sender else ctx.department)
    _mark(frame, wrong)


# ---- periods -----------------------------------------------------------------------------------------------

def _parse_periods(frame: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    raws = Keyed.of(frame[PERIOD])  # the periods as written, factorized once for every lookup below
    parsed = {raw: parse_period(raw) for raw in raws.uniques}
    frame[PERIOD + "_raw"] = frame[PERIOD]
    frame[PERIOD] = lookup(raws, {raw: (p.code if p else "") for raw, p in parsed.items()}).astype(str)
    problems = {raw: _period_problem(period, raw, ctx) for raw, period in parsed.items()}
    problem = lookup(raws, problems)
    wanted = lookup(frame[CODE], ctx.of_indicator(lambda i: kind_of_frequency(i.frequency), ""))
    kind = lookup(raws, {raw: (p.kind if p else "") for raw, p in parsed.items()})
    live = ~frame["bad"]
    hit = live & problem.notna()
    wrong_kind = live & ~hit & (kind != wanted)
    for row, code, raw, (check, params) in frame.loc[hit, [ROW, CODE, PERIOD + "_raw"]].assign(
            p=problem[hit]).itertuples(index=False):
        ctx.add(row, PERIOD, check, raw, code, **params)
    for row, code, raw in frame.loc[wrong_kind, [ROW, CODE, PERIOD + "_raw"]].itertuples(index=False):
        frequency = ctx.indicators[code].frequency
        ctx.add(row, PERIOD, "wrong-frequency", raw, code, frequency=t(f"word.{frequency}", "zh"),
                frequency_en=t(f"word.{frequency}", "en"), example=_EXAMPLE[frequency])
    outside = _outside_windows(frame, ctx, live & ~hit & ~wrong_kind)
    _mark(frame, hit | wrong_kind | outside)
    return frame


def _outside_windows(frame: pd.DataFrame, ctx: _Context, live: pd.Series) -> pd.Series:
    """Rows whose period lies in no span of a plan that targets their series (the series view of several plans:
    a series dropped at one plan's end takes no values after it)."""
    outside = pd.Series(False, index=frame.index)
    if not ctx.plan.windows or not live.any():
        return outside
    codes = frame.loc[live, CODE].unique()
    periods = {code: period_of_code(code) for code in frame.loc[live, PERIOD].unique()}
    by_spans: dict[tuple[tuple[Period, Period], ...], list[str]] = {}  # series sharing their plans' spans
    for code in codes:
        by_spans.setdefault(tuple(ctx.plan.windows_of(code)), []).append(code)
    for spans, sharing in by_spans.items():
        beyond = [code for code, period in periods.items()
                  if not any(start.start_time - 1e-9 <= period.start_time and period.end_time <= end.end_time + 1e-9
                             for start, end in spans)]
        if beyond:
            outside |= live & frame[CODE].isin(sharing) & frame[PERIOD].isin(beyond)
    if not outside.any():
        return outside
    for row, code, raw in frame.loc[outside, [ROW, CODE, PERIOD + "_raw"]].itertuples(index=False):
        spans = ctx.plan.windows_of(code)
        ctx.add(row, PERIOD, "period-outside-plans", raw, code,
                spans="、".join(f"{a.label()}至{b.label()}" for a, b in spans),
                spans_en="; ".join(f"{a.label('en')} to {b.label('en')}" for a, b in spans))
    return outside


def _period_problem(period: Period | None, raw: str, ctx: _Context) -> tuple[str, dict[str, str]] | None:
    """What is wrong with a period whatever the indicator (the frequency is checked per row)."""
    if not raw:
        return "missing-period", {}
    if period is None:
        return "bad-period", {}
    info = ctx.plan.info
    if period.start_time < info.start_period.start_time - 1e-9 or period.end_time > info.end_period.end_time + 1e-9:
        return "period-outside-plan", {"start": info.start_period.label(), "end": info.end_period.label(),
                                       "start_en": info.start_period.label("en"), "end_en": info.end_period.label("en")}
    if period.end_date > ctx.today:
        return "future-period", {"end_date": period.end_date.isoformat()}
    return None


# ---- values ------------------------------------------------------------------------------------------------

def _parse_values(frame: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    codes = Keyed.of(frame[CODE])
    units = lookup(codes, ctx.of_indicator(lambda i: i.unit, ""))
    kinds = lookup(codes, ctx.of_indicator(lambda i: i.kind, ""))
    text = frame[VALUE]
    numbers = plain_numbers(text)  # the fast path: plain digits
    slow = numbers.isna() & (text != "")
    if slow.any():
        numbers[slow] = [_slow_number(v, k) for v, k in zip(text[slow], kinds[slow])]
    frame[VALUE + "_raw"] = text
    frame[VALUE] = numbers.astype(float)
    percent = slow & text.map(lambda v: normalise_text(v).endswith("%") if v else False) if slow.any() else slow
    _value_issues(frame, ctx, units, kinds, percent)
    return frame


def plain_numbers(text: pd.Series) -> pd.Series:
    """Each cell as a number where it is a plain one, NaN elsewhere. A column of plain numbers only (a department's
    usual file) is cast by Arrow in one go; any other cell (blank, 1,234, 85%) and pandas parses the column, leaving
    NaN where it cannot, for the slow path."""
    try:
        cast = pc.cast(pa.array(text.array), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce")
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype=float)


def _slow_number(text: str, kind: str) -> float:
    """A value as departments type it: 1,234 · １２３ · 85% · 是/否 (milestones); NaN when it is no number."""
    folded = normalise_text(text).replace(",", "").replace(" ", "")
    if kind == "milestone" and folded in MILESTONE_WORDS:
        return MILESTONE_WORDS[folded]
    folded = folded.removesuffix("%")
    try:
        return float(folded)
    except ValueError:
        return math.nan


def _value_issues(frame: pd.DataFrame, ctx: _Context, units: pd.Series, kinds: pd.Series, percent: pd.Series) -> None:
    live = ~frame["bad"]
    numbers = frame[VALUE]
    finite = np.isfinite(numbers.to_numpy())
    checks = (
        ("not-a-number", live & numbers.isna()),
        ("not-finite", live & numbers.notna() & ~finite),
        ("percent-for-non-percent", live & finite & percent & (units != "%")),
        ("negative-count", live & finite & units.isin(COUNT_UNITS) & (numbers < 0)),
        ("percent-out-of-range", live & finite & (units == "%") & ((numbers < 0) | (numbers > 100))),
        ("milestone-not-binary", live & finite & (kinds == "milestone") & ~numbers.isin([0.0, 1.0])),
    )
    flagged = pd.Series(False, index=frame.index)
    for check, mask in checks:
        mask = mask & ~flagged  # one value problem per row is enough to act on
        if not mask.any():
            continue
        found = frame.loc[mask, [ROW, CODE, VALUE + "_raw"]].assign(u=units[mask])
        for row, code, raw, unit in found.itertuples(index=False):
            ctx.add(row, VALUE, check, raw, code, unit=unit)
        flagged |= mask
    _mark(frame, flagged)


def _check_notes(frame: pd.DataFrame, ctx: _Context) -> None:
    long = frame[NOTE].str.len() > MAX_CELL_CHARS
    if not long.any():
        return
    for row, code in frame.loc[long, [ROW, CODE]].itertuples(index=False):
        ctx.add(row, NOTE, "note-too-long", "", code, limit=MAX_CELL_CHARS)
    _mark(frame, long)


# ---- duplicates --------------------------------------------------------------------------------------------

def _check_duplicates(frame: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """The same indicator and period twice: with different values a hard problem, with the same value kept once."""
    live = frame[~frame["bad"]]
    repeated = live[live.duplicated([CODE, PERIOD], keep=False)]
    if repeated.empty:
        return frame
    later = repeated[repeated.duplicated([CODE, PERIOD], keep="first")]
    first = repeated.drop_duplicates([CODE, PERIOD])[[CODE, PERIOD, ROW, VALUE]]
    paired = later[[ROW, CODE, PERIOD, VALUE]].reset_index().merge(
        first, on=[CODE, PERIOD], suffixes=("", "_first")).set_index("index")
    same = paired[VALUE] == paired[f"{VALUE}_first"]
    conflicts = paired[~same]
    for row, code, period, value, other_row, other_value in conflicts[
            [ROW, CODE, PERIOD, VALUE, f"{ROW}_first", f"{VALUE}_first"]].itertuples(index=False):
        ctx.add(row, VALUE, "duplicate-conflict", _fmt(value), code, period=period, other_row=other_row,
                other_value=_fmt(other_value))
    frame.loc[conflicts.index, "bad"] = True
    return frame.drop(index=paired.index[same])


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


# ---- 核实性审核 --------------------------------------------------------------------------------------------

def is_real_explanation(note: str) -> bool:
    """A note explains a surprising value only if it says something: ≥ 6 characters and not boilerplate."""
    return _says_something(note, BOILERPLATE, 2)


def is_real_progress(text: str) -> bool:
    """A task's 进展情况 is a real sentence: ≥ 6 characters, and what was done once 正在推进, 按计划推进 and the like
    (and the explanations' boilerplate) are taken out."""
    phrases = tuple(sorted(TASK_BOILERPLATE + BOILERPLATE, key=len, reverse=True))  # 按计划推进 before 推进中
    return _says_something(text, phrases, MIN_PROGRESS_LEFT)


def _says_something(text: str, phrases: tuple[str, ...], left: int) -> bool:
    folded = _PUNCT.sub("", normalise_text(text).lower())
    if len(folded) < MIN_EXPLANATION_CHARS:
        return False
    for phrase in phrases:
        folded = folded.replace(phrase, "")
    return len(folded) >= left


def _soft_checks(
    ok: pd.DataFrame, current: pd.DataFrame, ctx: _Context, explanations: Mapping[int, str]
) -> tuple[list[Issue], list[Issue]]:
    """Surprising values: each needs a real explanation, from the file's note or given in the page."""
    frame = _with_previous(ok, current, ctx)
    findings = _soft_findings(frame, ctx)
    rows = {f[0] for f in findings}
    flagged = ok[ok[ROW].isin(rows)] if rows else ok.iloc[0:0]
    notes = dict(zip(flagged[ROW], flagged[NOTE]))
    soft, explained = [], []
    for row, code, check, params in findings:
        note = explanations.get(row) or notes.get(row, "")
        if is_real_explanation(note):
            explained.append(_soft_issue(ctx, row, code, check, params))
        else:
            soft.append(_soft_issue(ctx, row, code, check, params, **({"note": note} if note else {})))
    return soft, explained


def _soft_issue(ctx: _Context, row: int, code: str, check: str, params: dict[str, object], **extra: object) -> Issue:
    indicator = ctx.indicators[code]
    values = {"name": indicator.name_zh, "name_en": indicator.name_en, **params, **extra}
    shown = values.pop("value", "")
    return make_issue(ctx.file, row, ctx.column(VALUE), check, shown, SOFT, **values)


def _with_previous(ok: pd.DataFrame, current: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Each numeric row with the previous period's value: from this file, else the store, else the baseline."""
    frame = ok[[ROW, CODE, PERIOD, VALUE]].copy()
    codes = Keyed.of(frame[CODE])
    for name in ("kind", "direction", "target", "baseline"):
        frame[name] = lookup(codes, ctx.of_indicator(attrgetter(name)),
                             dtype=float if name in ("target", "baseline") else object)
    frame["base_end"] = lookup(codes, ctx.of_indicator(lambda i: i.baseline_period.end_time), dtype=float)
    frame = frame.astype({VALUE: float})
    milestone = frame["kind"] == "milestone"
    code_ids = codes.codes
    if milestone.any():
        frame, code_ids = frame[~milestone], code_ids[~milestone.to_numpy()]
    periods = Keyed.of(frame[PERIOD])
    previous = {p: _previous_code(str(p)) for p in periods.uniques}
    frame["prev_period"] = lookup(periods, previous)
    this_end = lookup(periods, {p: period_of_code(str(p)).end_time for p in periods.uniques}, dtype=float)
    frame["prev_value"] = _previous_in_file(frame, code_ids, periods, this_end, previous)
    frame = _previous_in_store(frame, current)
    base_end = frame.pop("base_end")
    prev_end = lookup(periods, {p: period_of_code(code).end_time for p, code in previous.items()}, dtype=float)
    first = (prev_end <= base_end + 1e-9) & (this_end > base_end + 1e-9)
    frame["from_baseline"] = frame["prev_value"].isna() & first  # the first report after the baseline
    frame.loc[frame["from_baseline"], "prev_value"] = frame.loc[frame["from_baseline"], "baseline"]
    return frame


def _previous_in_file(frame: pd.DataFrame, code_ids: np.ndarray, periods: Keyed, end_time: pd.Series,
                      before: Mapping[object, str]) -> pd.Series:
    """The value the same file gives for each row's previous period (rows sorted by indicator, then time); indicators
    compared by their places among the file's codes (`code_ids`, row by row), periods by their places among the
    file's periods (`before`: each one's previous period)."""
    place = {p: i for i, p in enumerate(periods.uniques)}
    previous_place = np.array([place.get(before[p], -1) for p in periods.uniques], dtype=np.int64)
    order = np.lexsort((end_time.to_numpy(), code_ids))
    codes, period_ids = code_ids[order], periods.codes[order]
    values, wanted = frame[VALUE].to_numpy()[order], previous_place[periods.codes][order]
    previous = np.full(len(order), np.nan)
    if len(order) > 1:
        hit = (codes[1:] == codes[:-1]) & (period_ids[:-1] == wanted[1:])
        previous[1:][hit] = values[:-1][hit]
    out = np.empty(len(order))
    out[order] = previous
    return pd.Series(out, index=frame.index)


def _previous_in_store(frame: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Fill the previous values the file lacks from the store's current values."""
    missing = frame["prev_value"].isna()
    if current.empty or not missing.any():
        return frame
    known = current[[CODE, PERIOD, VALUE]].rename(columns={PERIOD: "prev_period", VALUE: "stored"})
    found = frame.loc[missing, [CODE, "prev_period"]].reset_index().merge(known, on=[CODE, "prev_period"], how="left")
    frame.loc[found["index"].to_numpy(), "prev_value"] = found["stored"].astype(float).to_numpy()
    return frame


def _previous_code(code: str) -> str:
    period = period_of_code(code)
    parts = {"Q": 4, "H": 2, "Y": 1}[period.kind]
    index, year = period.index - 1, period.year
    if index == 0:
        index, year = parts, year - 1
    return Period(year, period.kind, index).code


def _soft_findings(frame: pd.DataFrame, ctx: _Context) -> list[tuple[int, str, str, dict[str, object]]]:
    """(row, code, check, message values) for every surprising value, found column-wise."""
    value, prev = frame[VALUE], frame["prev_value"]
    level = (frame["kind"] == "level") & prev.notna()
    rising = frame["direction"] == "increase"
    against = level & ((rising & (value < prev)) | (~rising & (value > prev)))
    change = (value - prev) / prev.abs().where(prev != 0)
    large = level & (change.abs() > ctx.limits.large_change_share)
    # For a "smaller is better" indicator the scale is its baseline: a value beyond twice that is a unit slip.
    scale = frame["target"].where(rising, np.maximum(frame["target"], frame["baseline"]))
    beyond = (scale > 0) & (value > ctx.limits.beyond_target_factor * scale)
    out: list[tuple[int, str, str, dict[str, object]]] = []
    for check, mask in (("against-direction", against), ("large-change", large), ("beyond-twice-target", beyond)):
        if mask.any():
            found: Iterable[Any] = frame[mask].assign(change=change[mask]).itertuples(index=False)
            out += [(int(r.row), r.indicator_code, check, _soft_values(check, r, ctx)) for r in found]
    return sorted(out, key=lambda f: (f[0], f[2]))


def _soft_values(check: str, r: Any, ctx: _Context) -> dict[str, object]:  # r: a row of itertuples
    base: dict[str, object] = {"value": _fmt(r.value)}
    if check == "beyond-twice-target":
        scale = r.target if r.direction == "increase" else max(r.target, r.baseline)
        return {**base, "target": _fmt(scale)}
    indicator = ctx.indicators[r.indicator_code]
    prev_period = indicator.baseline_period if r.from_baseline else period_of_code(r.prev_period)
    labels = {f"previous_period{sfx}": (t("word.baseline", lang, period=prev_period.label(lang)) if r.from_baseline
                                        else prev_period.label(lang)) for sfx, lang in (("", "zh"), ("_en", "en"))}
    base |= {"previous": _fmt(r.prev_value), **labels}
    if check == "large-change":
        return {**base, "change": f"{r.change:+.1%}", "limit": f"{ctx.limits.large_change_share:.0%}"}
    word = "increased" if r.value > r.prev_value else "decreased"
    return {**base, "movement": t(f"word.{word}", "zh"), "movement_en": t(f"word.{word}", "en")}


# ---- what the file changes ---------------------------------------------------------------------------------

def _classify(ok: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """new / revised / unchanged against the store's current values. The same value with the 备注 left blank (or the
    same 备注) is unchanged: a routine resend keeps the earlier note and narrative; a new 备注 on it is a revision."""
    given = ok[[ROW, CODE, PERIOD, VALUE, NOTE]]
    if current.empty:  # nothing stored of these series and periods (a first load): every row new, no merge
        rows = given.copy()
        rows[PREVIOUS], rows[CHANGE] = np.nan, "new"
    else:
        rows = given.merge(
            current[[CODE, PERIOD, VALUE, NOTE]].rename(columns={VALUE: PREVIOUS, NOTE: "previous_note"}),
            on=[CODE, PERIOD], how="left")
        same = (rows[PREVIOUS] == rows[VALUE]) & ((rows[NOTE] == "")
                                                  | (rows["previous_note"].fillna("") == rows[NOTE]))
        rows[CHANGE] = np.where(rows[PREVIOUS].isna(), "new", np.where(same, "unchanged", "revised"))
        rows = rows.drop(columns=["previous_note"])
    if not rows[ROW].is_monotonic_increasing:  # in the file's order (most files are already)
        rows = rows.sort_values(ROW)
    return rows.reset_index(drop=True)

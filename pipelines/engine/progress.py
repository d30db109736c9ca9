"""The progress engine: judge each indicator's progress toward its target as of a period, arithmetic in words."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import repeat

import numpy as np

from pipelines.core.periods import FREQUENCIES, Period, kind_of_frequency, latest_period_ending_by
from pipelines.engine.assessment import Assessment, Change
from pipelines.engine.rollup import RollUp, roll_up
from pipelines.engine.series import History, Observation, history_of
from pipelines.engine.status_rule import (
    EPS,
    GROUP_COLOR,
    POINTS,
    RATIO,
    STATUS_COLOR,
    STATUS_GROUP,
    STATUS_ICON,
    STATUSES,
    Cutoff,
    Phrase,
    Status,
    StatusRule,
    amount,
    at_least,
    legend,
    pace_phrase,
    percent,
    status_name,
    status_phrase,
    status_rule_from,
)

__all__ = [
    "DIRECTIONS",
    "GROUP_COLOR",
    "KINDS",
    "LIKELY_TO_MEET",
    "POINTS",
    "RATIO",
    "STATUSES",
    "STATUS_COLOR",
    "STATUS_GROUP",
    "STATUS_ICON",
    "Assessment",
    "Change",
    "History",
    "IndicatorSpec",
    "Observation",
    "RollUp",
    "StatusRule",
    "assess",
    "assess_all",
    "diff_assessments",
    "legend",
    "reached",
    "roll_up",
    "spec_problem",
    "status_name",
    "status_rule_from",
]

KINDS = ("level", "annual", "milestone")
DIRECTIONS = ("increase", "decrease")
LIKELY_TO_MEET = 0.95  # UNSD's cut-off: a projection covering ≥ 95 % of the way counts as on course to meet


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator's plain values from the plan: where it starts, what it must reach by when, how often reported."""

    code: str
    kind: str
    direction: str
    baseline: float
    baseline_period: Period
    target: float
    target_period: Period
    frequency: str
    unit: str = ""

    def __post_init__(self) -> None:
        problem = spec_problem(self)
        if problem:  # a plan row the engine cannot judge is broken setup, caught by the plan's own checks first
            raise ValueError(f"indicator {self.code}: {problem}")

    @property
    def t0(self) -> float:
        return self.baseline_period.end_time

    @property
    def t1(self) -> float:
        return self.target_period.end_time


def spec_problem(spec: IndicatorSpec) -> str | None:
    """Why the engine cannot judge a spec, or None; plan validation can call this to report the row."""
    if spec.kind not in KINDS or spec.direction not in DIRECTIONS or spec.frequency not in FREQUENCIES:
        return f"kind/direction/frequency must be in {KINDS}/{DIRECTIONS}/{FREQUENCIES}"
    if not math.isfinite(spec.target) or math.isinf(spec.baseline):  # NaN: a `final` baseline not yet known
        return "baseline and target must be numbers"
    if spec.t1 <= spec.t0 + EPS:
        return "the target period must end after the baseline period"
    if spec.kind == "annual" and (spec.direction != "increase" or spec.target <= 0):
        return "an annual target is a positive amount to reach each year (direction 'increase')"
    return None


@dataclass(frozen=True)
class _Finding:
    """What a kind's rule found, before the overdue check and the two languages are added."""

    status: Status = "no_data"  # until _settle fixes status, score and sentence together
    story: Phrase = Phrase("progress.no_data")
    latest: Observation | None = None
    expected: float | None = None
    completion: float | None = None
    time_share: float | None = None
    pace_ratio: float | None = None
    projected: float | None = None
    projection_ratio: float | None = None
    likely_to_meet: bool = False
    score: float | None = None


def assess(spec: IndicatorSpec, observations: Sequence[Observation] | History, as_of: Period,
           rule: StatusRule = RATIO) -> Assessment:
    """Judge one indicator as of a period under a status rule (its values as given, or already a History)."""
    current = history_of(observations)
    if not math.isfinite(spec.baseline):  # a `final` baseline whose value has not been approved yet
        known = current.count_ending_by(as_of.end_time + EPS)  # its latest value is shown, nothing judged
        found = _Finding(story=Phrase.of("progress.no_baseline", cutoff=Cutoff(as_of),
                                         baseline_period=spec.baseline_period, status=status_phrase("no_data")),
                         latest=current.observation(known - 1) if known else None)
    else:
        found = _ASSESSORS[spec.kind](spec, current, as_of, rule)
    due = _due_period(spec, as_of, found)
    overdue = due is not None and not current.holds(due)
    story = Phrase.of("progress.with_overdue", story=found.story, period=due) if overdue else found.story
    zh, en = story.both()
    latest = found.latest
    return Assessment(
        code=spec.code, as_of=as_of, status=found.status, rule=rule.name,
        latest_period=latest.period if latest else None, latest_value=latest.value if latest else None,
        baseline=spec.baseline, target=spec.target, expected=found.expected, completion=found.completion,
        time_share=found.time_share, pace_ratio=found.pace_ratio, gap_points=_gap_points(found),
        projected=found.projected, projection_ratio=found.projection_ratio, likely_to_meet=found.likely_to_meet,
        overdue=overdue, score=found.score, explanation_zh=zh, explanation_en=en,
        thresholds=rule.thresholds, due_period=due if overdue else None,
    )


def assess_all(specs: Iterable[IndicatorSpec],
               observations_by_code: Mapping[str, Sequence[Observation] | History],
               as_of: Period, rule: StatusRule = RATIO) -> dict[str, Assessment]:
    """Judge every indicator of a plan as of a period, keyed by indicator code."""
    return {spec.code: assess(spec, observations_by_code.get(spec.code, ()), as_of, rule) for spec in specs}


def _due_period(spec: IndicatorSpec, as_of: Period, found: _Finding) -> Period | None:
    """The latest report of the indicator's frequency due by the end of as_of, within the plan window."""
    if spec.kind == "milestone" and found.status == "achieved":
        return None  # a milestone once done has nothing more to report
    due = latest_period_ending_by(min(as_of.end_time, spec.t1), spec.frequency)
    return due if due.end_time > spec.t0 + EPS else None


def _gap_points(found: _Finding) -> float | None:
    if found.completion is None or found.time_share is None:
        return None
    return (found.completion - found.time_share) * 100


# ---- level: a value to reach (or get down to) by the target period -------------------------------------------

def _assess_level(spec: IndicatorSpec, current: History, as_of: Period, rule: StatusRule) -> _Finding:
    window = _after_baseline(spec, current, as_of)
    if not window:
        return _no_data(spec, as_of)
    latest = current.observation(window.stop - 1)
    c, f = _completion(spec, latest.value), _time_share(spec, latest.period.end_time)
    run = slice(window.start, window.stop)
    projected, ratio = _level_projection(spec, current.ends[run], current.values[run])
    found = _Finding(latest=latest, expected=_level_expected(spec, as_of),
                     completion=c, time_share=f, pace_ratio=c / f if c is not None and f > EPS else None,
                     projected=projected, projection_ratio=ratio, likely_to_meet=_likely(ratio))
    return _judge_level(spec, found, as_of, rule)


def _judge_level(spec: IndicatorSpec, found: _Finding, as_of: Period, rule: StatusRule) -> _Finding:
    """Achieved first (on the current latest value), then the final verdict, then pace."""
    c, f, words = found.completion, found.time_share or 0.0, _level_words(spec, found)
    if reached(spec, found.latest.value):  # type: ignore[union-attr]
        return _settle(found, "achieved", 1.0, Phrase.of("progress.level.achieved", **words), likely=True)
    if _is_final(spec, as_of):
        score = _clip(c) if c is not None else -1.0
        return _settle(found, "not_achieved", score, Phrase.of("progress.level.final", **words), likely=False)
    if c is None:  # target equals baseline: any value short of it is a move away from it
        return _settle(found, "regressing", -1.0, Phrase.of("progress.level.flat", **words))
    if f <= EPS:  # the value sits at the baseline's moment: no time has passed, so judge by direction alone
        status: Status = "regressing" if c < -EPS else "on_track"
        score = -1.0 if c < -EPS else 1.0
        return _settle(found, status, score, Phrase.of("progress.level.no_pace", **words))
    status = rule.classify(rule.measure_of(c, f), c < -EPS)
    return _settle(found, status, _clip(c / f), pace_phrase("progress.pace", rule, status, c, f, words))


def _level_words(spec: IndicatorSpec, found: _Finding) -> dict[str, object]:
    latest = found.latest
    assert latest is not None
    return {"cutoff": Cutoff(latest.period), "value": amount(latest.value, spec.unit),
            "target": amount(spec.target, spec.unit), "target_period": spec.target_period,
            "completion": percent(found.completion)}


def _level_expected(spec: IndicatorSpec, as_of: Period) -> float:
    """The straight path from baseline to target, read at as_of: what leaders see drawn on the chart."""
    return spec.baseline + (spec.target - spec.baseline) * _time_share(spec, as_of.end_time)


def _level_projection(spec: IndicatorSpec, ends: np.ndarray, values: np.ndarray) -> tuple[float | None, float | None]:
    """Least-squares line through the baseline and every value so far (their periods' ends), read at the target."""
    projected = _line_at(np.concatenate(([spec.t0], ends)), np.concatenate(([spec.baseline], values)), spec.t1)
    if projected is None or spec.target == spec.baseline:
        return projected, None
    return projected, (projected - spec.baseline) / (spec.target - spec.baseline)


def _line_at(times: np.ndarray, values: np.ndarray, time: float) -> float | None:
    """The fitted line at a time. Sums run left to right with Python's sum and squares use ** as ever (numpy's
    pairwise sums and x*x can differ in the last bit), so every projection is the same to the bit."""
    n = len(times)
    mean_t, mean_v = sum(times.tolist()) / n, sum(values.tolist()) / n
    dt = times - mean_t
    sxx = sum(map(pow, dt.tolist(), repeat(2)))
    if sxx <= EPS:
        return None
    slope = sum((dt * (values - mean_v)).tolist()) / sxx
    return mean_v + slope * (time - mean_t)


# ---- annual: an amount to deliver within each year up to the target year -------------------------------------

def _assess_annual(spec: IndicatorSpec, current: History, as_of: Period, rule: StatusRule) -> _Finding:
    kind = kind_of_frequency(spec.frequency)  # sums only add periods of one kind, so a year is never counted twice
    window = np.flatnonzero((current.kinds == kind) & (current.ends <= as_of.end_time + EPS)
                            & (current.years > spec.baseline_period.year) & (current.years <= spec.target_period.year))
    if not len(window):
        return _no_data(spec, as_of)
    last = current.observation(window[-1])
    if _is_final(spec, as_of):
        in_target_year = window[current.years[window] == spec.target_period.year]
        return _annual_final(spec, current.observations(in_target_year), last, as_of)
    in_year = window[current.years[window] == last.period.year]
    return _annual_year(spec, current.observations(in_year), as_of, rule)


def _annual_year(spec: IndicatorSpec, in_year: list[Observation], as_of: Period, rule: StatusRule) -> _Finding:
    """Pace within the year of the latest report: the year's sum against the target's share for the time covered."""
    latest, total = in_year[-1], sum(o.value for o in in_year)
    q, c = latest.period.year_share, total / spec.target
    words = {"cutoff": Cutoff(latest.period), "year": latest.period.year, "sum": amount(total, spec.unit),
             "target": amount(spec.target, spec.unit), "completion": percent(c)}
    found = _Finding(latest=latest, completion=c, time_share=q, pace_ratio=c / q,
                     expected=spec.target * _clamp01(as_of.end_time - latest.period.year),
                     projected=total / q, projection_ratio=c / q, likely_to_meet=_likely(c / q))
    if reached(spec, total):
        return _settle(found, "achieved", 1.0, Phrase.of("progress.annual.achieved", **words), likely=True)
    status = rule.classify(rule.measure_of(c, q), c < -EPS)
    return _settle(found, status, _clip(c / q), pace_phrase("progress.annual.pace", rule, status, c, q, words))


def _annual_final(spec: IndicatorSpec, in_year: list[Observation], last: Observation, as_of: Period) -> _Finding:
    """At or after the target period only the target year's total counts (`last`: the latest value in the window)."""
    total = sum(o.value for o in in_year)
    q, c = (in_year[-1].period.year_share if in_year else None), total / spec.target
    met = reached(spec, total)
    words = {"cutoff": Cutoff(as_of), "year": spec.target_period.year, "sum": amount(total, spec.unit),
             "target": amount(spec.target, spec.unit), "completion": percent(c)}
    found = _Finding(latest=last, expected=spec.target, completion=c,
                     time_share=q, pace_ratio=c / q if q else None, projected=total / q if q else None,
                     projection_ratio=c / q if q else None)
    status: Status = "achieved" if met else "not_achieved"
    return _settle(found, status, 1.0 if met else _clip(c), Phrase.of("progress.annual.final", **words),
                   likely=met)


# ---- milestone: done (1) or not yet (0) by the target period ---------------------------------------------------

def _assess_milestone(spec: IndicatorSpec, current: History, as_of: Period, rule: StatusRule) -> _Finding:
    window = _after_baseline(spec, current, as_of)
    if not window:
        return _no_data(spec, as_of)
    latest = current.observation(window.stop - 1)
    words = {"cutoff": Cutoff(latest.period), "target_period": spec.target_period}
    found = _Finding(latest=latest, completion=0.0)
    if latest.value >= 1 - EPS:
        done = replace(found, completion=1.0)
        return _settle(done, "achieved", 1.0, Phrase.of("progress.milestone.achieved", **words), likely=True)
    if _is_final(spec, as_of):
        return _settle(found, "not_achieved", 0.0, Phrase.of("progress.milestone.missed", **words))
    return _settle(found, "pending", None, Phrase.of("progress.milestone.pending", **words))


_ASSESSORS: Mapping[str, Callable[[IndicatorSpec, History, Period, StatusRule], _Finding]] = {
    "level": _assess_level, "annual": _assess_annual, "milestone": _assess_milestone,
}


# ---- shared pieces --------------------------------------------------------------------------------------------

def _no_data(spec: IndicatorSpec, as_of: Period) -> _Finding:
    """No value since the baseline: said as such, or, while the first period after the baseline has not ended, as
    not yet due (a yearly figure of the plan's first year before the year is over)."""
    step = {"quarterly": 0.25, "half-yearly": 0.5, "annual": 1.0}[spec.frequency]
    first = latest_period_ending_by(spec.t0 + step + EPS, spec.frequency)  # the first period ending after t0
    if first.end_time > as_of.end_time + EPS:
        return _Finding(story=Phrase.of("progress.not_due", cutoff=Cutoff(as_of), first=first,
                                        status=status_phrase("no_data")))
    story = Phrase.of("progress.no_data", cutoff=Cutoff(as_of), baseline_period=spec.baseline_period,
                      status=status_phrase("no_data"))
    return _Finding(story=story)


def _settle(found: _Finding, status: Status, score: float | None, story: Phrase,
            likely: bool | None = None) -> _Finding:
    """Fix a finding's status, score and sentence (the sentence always ends with the status name)."""
    story = Phrase(story.key, (*story.values, ("status", status_phrase(status))))
    return replace(found, status=status, score=score, story=story,
                   likely_to_meet=found.likely_to_meet if likely is None else likely)


def _after_baseline(spec: IndicatorSpec, current: History, as_of: Period) -> range:
    """Positions of the values of periods after the baseline period and ending by as_of: what a level or milestone
    reads (one run of the history, which is ordered by period end, then start)."""
    return range(current.first_after(spec.baseline_period), current.count_ending_by(as_of.end_time + EPS))


def _is_final(spec: IndicatorSpec, as_of: Period) -> bool:
    return as_of.end_time >= spec.t1 - EPS


def reached(spec: IndicatorSpec, value: float) -> bool:
    """At or beyond the target in the desired direction (a value exactly at the target counts)."""
    tolerance = EPS * max(1.0, abs(spec.target))
    if spec.direction == "decrease":
        return value <= spec.target + tolerance
    return value >= spec.target - tolerance


def _completion(spec: IndicatorSpec, value: float) -> float | None:
    """完成率: the share of the way from baseline to target; the signs make it work for decreases too."""
    if spec.target == spec.baseline:
        return None
    return (value - spec.baseline) / (spec.target - spec.baseline)


def _time_share(spec: IndicatorSpec, time: float) -> float:
    """序时进度: the share of the plan period elapsed by a time, within [0, 1]."""
    return _clamp01((time - spec.t0) / (spec.t1 - spec.t0))


def _likely(ratio: float | None) -> bool:
    return ratio is not None and at_least(ratio, LIKELY_TO_MEET)


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def _clip(x: float) -> float:
    return min(1.0, max(-1.0, x))


# ---- what changed between two runs ------------------------------------------------------------------------------

def diff_assessments(before: Mapping[str, Assessment], after: Mapping[str, Assessment]) -> list[Change]:
    """Changes from one run to the next, in the order of `after`; revised past values are the store's business."""
    return [change for code, new in after.items() for change in _changes(code, before.get(code), new)]


def _changes(code: str, old: Assessment | None, new: Assessment) -> list[Change]:
    if old is None:
        return [Change(code, "status", None, new.status)]
    out: list[Change] = []
    if old.status != new.status:
        out.append(Change(code, "status", old.status, new.status))
    if new.latest_period is not None and new.latest_period != old.latest_period:
        out.append(Change(code, "new_value", old.latest_value, new.latest_value,
                          old.latest_period.code if old.latest_period else None))
    if new.overdue and not old.overdue:
        out.append(Change(code, "became_overdue", False, True))
    return out

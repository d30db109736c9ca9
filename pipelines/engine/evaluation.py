"""A plan's evaluations as Chinese governments write them: the 总结评估 at its end (完成 / 提前完成 / 基本完成 / 未完成)
and the 中期评估 at its middle (已提前实现 / 快于预期 / 基本符合预期 / 滞后于预期), per indicator and counted upwards.

Both read the progress engine: the final evaluation is the engine's judgement at each indicator's target period, the
mid-term one its pace and projection as of a quarter. Pure: plain values in, verdicts out.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

from pipelines.core.periods import Period, kind_of_frequency, latest_period_ending_by
from pipelines.engine.assessment import Assessment
from pipelines.engine.progress import IndicatorSpec, assess, reached
from pipelines.engine.series import History, Observation, history_of
from pipelines.engine.status_rule import EPS, RATIO, Cutoff, Phrase, StatusRule, amount, at_least, percent

EvaluationKind = Literal["final", "midterm"]
FinalConclusion = Literal["early", "completed", "basically_completed", "not_completed", "no_data"]
MidtermConclusion = Literal["achieved", "ahead", "on_track", "behind", "no_data"]
KINDS: tuple[EvaluationKind, ...] = get_args(EvaluationKind)
FINAL_CONCLUSIONS: tuple[FinalConclusion, ...] = get_args(FinalConclusion)
MIDTERM_CONCLUSIONS: tuple[MidtermConclusion, ...] = get_args(MidtermConclusion)
CONCLUSIONS: Mapping[str, tuple[str, ...]] = {"final": FINAL_CONCLUSIONS, "midterm": MIDTERM_CONCLUSIONS}

BASIC_THRESHOLD = 0.90  # 基本完成: at least 90 % of the way (plan.csv basic_threshold overrides it)
AHEAD_PACE = 1.10  # 快于预期: completion at least 1.1 times 序时进度, and the projection reaches the target
ON_TRACK_PACE = 0.95  # 基本符合预期: pace ratio or projection ratio at least 0.95 (the engine's likely-to-meet cut-off)

# Colours follow the status lights' groups; a distinct shape per conclusion, so none depends on colour alone.
CONCLUSION_GROUP: Mapping[str, Mapping[str, str]] = {
    "final": {"early": "green", "completed": "green", "basically_completed": "amber", "not_completed": "red",
              "no_data": "grey"},
    "midterm": {"achieved": "green", "ahead": "green", "on_track": "green", "behind": "red", "no_data": "grey"},
}
CONCLUSION_ICON: Mapping[str, Mapping[str, str]] = {
    "final": {"early": "★", "completed": "✔", "basically_completed": "◐", "not_completed": "✖", "no_data": "○"},
    "midterm": {"achieved": "★", "ahead": "▲", "on_track": "●", "behind": "▼", "no_data": "○"},
}


@dataclass(frozen=True)
class Verdict:
    """One indicator's 评估结论 with the numbers behind it: the final (or projected) value, completion, and when the
    target was first met."""

    code: str
    kind: EvaluationKind
    conclusion: str
    as_of: Period
    value: float | None  # final evaluation: the final value; mid-term: the projected value at the target period
    value_period: Period | None  # the period of the value read (final), or the latest value's (mid-term)
    latest_value: float | None
    completion: float | None
    first_met: Period | None = None
    pace_ratio: float | None = None
    projection_ratio: float | None = None
    explanation_zh: str = ""
    explanation_en: str = ""
    not_yet_due: bool = False  # mid-term no data while the first period after the baseline has not ended

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh

    @property
    def group(self) -> str:
        return CONCLUSION_GROUP[self.kind][self.conclusion]


@dataclass(frozen=True)
class Tally:
    """A sub-item's, action's or the plan's conclusions counted (never a light): n indicators, counts per conclusion."""

    code: str
    level: str  # 'sub_item' | 'action' | 'plan'
    kind: EvaluationKind
    counts: Mapping[str, int]
    mean_completion: float | None

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def phrase(self) -> Phrase:
        """「55项指标中，提前完成8项、完成40项、基本完成3项、未完成4项」."""
        return Phrase.of("evaluation.tally", n=self.n, counts=_CountWords(self.kind, self.counts))


# ---- the final evaluation --------------------------------------------------------------------------------------

def evaluate_final(spec: IndicatorSpec, observations: Sequence[Observation] | History,
                   basic_threshold: float = BASIC_THRESHOLD) -> Verdict:
    """The 总结评估 of one indicator from its values up to its target period (values after it do not count)."""
    current = history_of(observations)
    a = assess(spec, current, spec.target_period, RATIO)
    if a.latest_period is None or a.status == "no_data":
        return _verdict(spec, "final", "no_data", a, None, None, None,
                        Phrase.of("evaluation.story.final.no_data", baseline_period=spec.baseline_period))
    value, period = _final_value(spec, a, current)
    if period is None:  # an annual kind with values of earlier years only: the target year's total is unknown
        return _verdict(spec, "final", "no_data", a, None, None, None,
                        Phrase.of("evaluation.story.final.annual.no_year", year=spec.target_period.year))
    met = a.status == "achieved"
    first = _first_met(spec, current) if met else None
    if met and first is not None and first.year < spec.target_period.year:
        conclusion = "early"
    elif met:
        conclusion = "completed"
    elif a.completion is not None and at_least(a.completion, basic_threshold) and spec.kind != "milestone":
        conclusion = "basically_completed"
    else:
        conclusion = "not_completed"
    words = _final_words(spec, a, value, period, first, basic_threshold)
    return _verdict(spec, "final", conclusion, a, value, period, first,
                    Phrase.of(f"evaluation.story.final.{spec.kind}.{conclusion}", **words))


def _final_value(spec: IndicatorSpec, a: Assessment, current: History) -> tuple[float | None, Period | None]:
    """完成值: the latest value by the target period; for an annual kind the target year's total (None when nothing
    of that year came in); for a milestone 1 or 0."""
    if spec.kind != "annual":
        return a.latest_value, a.latest_period
    kind = kind_of_frequency(spec.frequency)  # only periods of the indicator's own kind add up to the year
    year = spec.target_period.year
    picked = (current.kinds == kind) & (current.years == year) & (current.ends <= spec.t1 + EPS)
    return (float(sum(current.values[picked].tolist())), spec.target_period) if picked.any() else (None, None)


def _first_met(spec: IndicatorSpec, current: History) -> Period | None:
    """The first period after the baseline whose value met the target (a level or milestone); an annual kind's
    yearly amount is owed every year, so meeting it in an earlier year is not meeting the target early."""
    if spec.kind == "annual":
        return None
    stop = current.count_ending_by(spec.t1 + EPS)
    for i in range(current.first_after(spec.baseline_period), stop):
        o = current.observation(i)
        if (o.value >= 1 - EPS) if spec.kind == "milestone" else reached(spec, o.value):
            return o.period
    return None


def _final_words(spec: IndicatorSpec, a: Assessment, value: float | None, period: Period | None,
                 first: Period | None, basic: float) -> dict[str, object]:
    return {"target_period": spec.target_period, "year": spec.target_period.year,
            "value": amount(value or 0.0, spec.unit), "target": amount(spec.target, spec.unit),
            "baseline": amount(spec.baseline, spec.unit), "completion": percent(a.completion),
            "basic": percent(basic), "value_period": period or spec.target_period,
            "first_met": first or spec.target_period}


# ---- the mid-term evaluation -----------------------------------------------------------------------------------

def evaluate_midterm(spec: IndicatorSpec, observations: Sequence[Observation] | History, as_of: Period,
                     rule: StatusRule = RATIO) -> Verdict:
    """The 中期评估 of one indicator as of a quarter: will its target be met, judged on pace and projection."""
    a = assess(spec, observations, as_of, rule)
    words = {"cutoff": Cutoff(as_of), "target": amount(spec.target, spec.unit), "target_period": spec.target_period,
             "completion": percent(a.completion), "time_share": percent(a.time_share),
             "pace": "—" if a.pace_ratio is None else f"{a.pace_ratio:.2f}",
             "projected": "—" if a.projected is None else amount(a.projected, spec.unit),
             "projection": percent(a.projection_ratio), "ahead": f"{AHEAD_PACE:.2f}",
             "on_track": f"{ON_TRACK_PACE:.2f}",
             "value": amount(a.latest_value or 0.0, spec.unit), "baseline_period": spec.baseline_period}
    conclusion = _midterm_conclusion(spec, a)
    family = "milestone" if spec.kind == "milestone" else "value"
    key = f"evaluation.story.midterm.{family}.{'missed' if a.status == 'not_achieved' else conclusion}"
    first = first_due(spec)
    waiting = conclusion == "no_data" and first.end_time > as_of.end_time + EPS
    if conclusion == "no_data":
        key = "evaluation.story.midterm.not_due" if waiting else "evaluation.story.midterm.no_data"
    projected = None if spec.kind == "milestone" else a.projected
    verdict = _verdict(spec, "midterm", conclusion, a, projected, a.latest_period, None,
                       Phrase.of(key, **words, first=first))
    return replace(verdict, not_yet_due=waiting) if waiting else verdict


def first_due(spec: IndicatorSpec) -> Period:
    """The first period of the indicator's frequency that ends after its baseline: its first report."""
    step = {"quarterly": 0.25, "half-yearly": 0.5, "annual": 1.0}[spec.frequency]
    return latest_period_ending_by(spec.t0 + step + EPS, spec.frequency)


def _midterm_conclusion(spec: IndicatorSpec, a: Assessment) -> str:
    if a.latest_period is None or a.status == "no_data":
        return "no_data"
    if a.status == "achieved":
        return "achieved"
    if a.status in ("not_achieved", "regressing"):
        return "behind"
    if spec.kind == "milestone":  # not done yet, the target period still ahead: nothing says it will be late
        return "on_track"
    pace, projection = a.pace_ratio, a.projection_ratio
    if pace is None:  # the latest value sits at the baseline's moment: judged by direction alone
        return "on_track" if (a.completion or 0.0) >= -EPS else "behind"
    if at_least(pace, AHEAD_PACE) and (projection is None or at_least(projection, 1.0)):
        return "ahead"
    if at_least(pace, ON_TRACK_PACE) or (projection is not None and at_least(projection, ON_TRACK_PACE)):
        return "on_track"
    return "behind"


# ---- shared pieces ----------------------------------------------------------------------------------------------

def _verdict(spec: IndicatorSpec, kind: EvaluationKind, conclusion: str, a: Assessment, value: float | None,
             period: Period | None, first: Period | None, story: Phrase) -> Verdict:
    story = Phrase(story.key, (*story.values, ("conclusion", conclusion_phrase(kind, conclusion))))
    zh, en = story.both()
    return Verdict(spec.code, kind, conclusion, a.as_of, value, period, a.latest_value,
                   None if conclusion == "no_data" else a.completion, first, a.pace_ratio, a.projection_ratio, zh, en)


def conclusion_phrase(kind: str, conclusion: str) -> Phrase:
    return Phrase.of(f"evaluation.{kind}.{conclusion}")


def tally(verdicts: Mapping[str, Verdict], tree: Mapping[str, Mapping[str, Sequence[str]]], plan_code: str,
          kind: EvaluationKind) -> dict[str, Tally]:
    """Counts of conclusions for every sub-item, action and the plan, keyed by code; tree = {action: {sub: [codes]}}.
    An indicator without a verdict counts as no data rather than vanishing from the counts."""
    out: dict[str, Tally] = {}
    every: list[str] = []
    for action, subs in tree.items():
        codes_of_action: list[str] = []
        for sub, codes in subs.items():
            out[sub] = _tally(sub, "sub_item", kind, [verdicts.get(c) for c in codes])
            codes_of_action += codes
        out[action] = _tally(action, "action", kind, [verdicts.get(c) for c in codes_of_action])
        every += codes_of_action
    out[plan_code] = _tally(plan_code, "plan", kind, [verdicts.get(c) for c in every])
    return out


def _tally(code: str, level: str, kind: EvaluationKind, verdicts: Sequence[Verdict | None]) -> Tally:
    counts = dict.fromkeys(CONCLUSIONS[kind], 0)
    for v in verdicts:
        counts[v.conclusion if v is not None else "no_data"] += 1
    completions = [min(1.0, v.completion) for v in verdicts if v is not None and v.completion is not None]
    return Tally(code, level, kind, counts, sum(completions) / len(completions) if completions else None)


@dataclass(frozen=True)
class _CountWords:
    """提前完成8项、完成40项 — the non-zero counts in the conclusions' order, told in a language when printed."""

    kind: str
    counts: Mapping[str, int]

    def text(self, lang: str) -> str:
        parts = [Phrase.of("evaluation.count", conclusion=conclusion_phrase(self.kind, c), n=n).text(lang)
                 for c, n in self.counts.items() if n]
        return Phrase.of("evaluation.count-separator").text(lang).join(parts)

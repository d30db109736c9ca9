"""Roll indicator assessments up to sub-items, actions and the plan, each level weighing its children equally."""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pipelines.core.catalog import t
from pipelines.engine.assessment import Assessment
from pipelines.engine.status_rule import EPS, RATIO, STATUSES, Phrase, StatusRule, band, status_phrase


@dataclass(frozen=True)
class RollUp:
    """A sub-item's, action's or the plan's standing: mean score, status, indicator counts and mean completion."""

    code: str
    level: str  # 'sub_item' | 'action' | 'plan'
    score: float | None
    status: str
    counts: Mapping[str, int]  # indicators per status, all 8 keys
    mean_completion: float | None
    children: tuple[str, ...]
    explanation_zh: str
    explanation_en: str
    gap_points: float | None = None  # mean (completion − 序时进度) in points: what the 'points' rule classifies
    rule: str = "ratio"

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh


class _Standing(Protocol):
    """What a parent needs from a child, whether an indicator or a rolled-up level."""

    @property
    def score(self) -> float | None: ...
    @property
    def gap_points(self) -> float | None: ...
    @property
    def mean_completion(self) -> float | None: ...
    @property
    def status(self) -> str: ...
    @property
    def counts(self) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class _Leaf:
    """An indicator seen from its sub-item; only indicators that carry a score contribute numbers."""

    score: float | None
    gap_points: float | None
    mean_completion: float | None
    status: str
    counts: Mapping[str, int]


def roll_up(assessments: Mapping[str, Assessment], tree: Mapping[str, Mapping[str, Sequence[str]]],
            plan_code: str, rule: StatusRule = RATIO) -> dict[str, RollUp]:
    """Roll-ups for every sub-item, action and the plan, keyed by code; tree = {action: {sub_item: [indicators]}}."""
    return roll_up_from({code: leaf_figures(a) for code, a in assessments.items()}, tree, plan_code, rule)


# What a sub-item reads of one indicator: score, gap to 序时 in points, completion (capped at 1), status.
LeafFigures = tuple[float | None, float | None, float | None, str]


def leaf_figures(assessment: Assessment) -> LeafFigures:
    leaf = _leaf(assessment)
    return leaf.score, leaf.gap_points, leaf.mean_completion, leaf.status


def roll_up_from(figures: Mapping[str, LeafFigures], tree: Mapping[str, Mapping[str, Sequence[str]]],
                 plan_code: str, rule: StatusRule = RATIO) -> dict[str, RollUp]:
    """roll_up from each indicator's leaf figures."""
    return roll_up_tallied(tallies_of(figures, tree), tree, plan_code, rule)


def tallies_of(figures: Mapping[str, LeafFigures], tree: Mapping[str, Mapping[str, Sequence[str]]]
               ) -> dict[str, Tally]:
    """Each sub-item's tally of its indicators' leaf figures (an indicator missing from them counts as no data)."""
    return {sub_item: tally([figures.get(code, _NO_DATA) for code in indicators])
            for sub_items in tree.values() for sub_item, indicators in sub_items.items()}


def roll_up_tallied(tallies: Mapping[str, Tally], tree: Mapping[str, Mapping[str, Sequence[str]]], plan_code: str,
                    rule: StatusRule = RATIO, kept: Mapping[str, RollUp] | None = None,
                    changed: Collection[str] | None = None) -> dict[str, RollUp]:
    """Roll-ups for every sub-item, action and the plan from each sub-item's tally. With `kept` (the roll-ups before
    a change) and `changed` (the sub-items whose tallies it changed), only those sub-items are rolled up again, and
    the actions and the plan above them; every other roll-up is the kept one, which is what rolling it up again
    would give."""
    out: dict[str, RollUp] = {}
    again = set(changed) if changed is not None else None
    for action, sub_items in tree.items():
        action_changed = again is None
        for sub_item, indicators in sub_items.items():
            old = kept.get(sub_item) if kept is not None and again is not None else None
            if old is not None and again is not None and sub_item not in again:
                out[sub_item] = old
                continue
            action_changed = True
            out[sub_item] = _combine_tally(sub_item, tuple(indicators), tallies[sub_item], rule)
        old = kept.get(action) if kept is not None else None
        out[action] = (old if old is not None and not action_changed
                       else _combine(action, "action", tuple(sub_items), [out[s] for s in sub_items], rule))
    old = kept.get(plan_code) if kept is not None else None
    carried = old is not None and again is not None and all(out[a] is kept.get(a) for a in tree)  # type: ignore[union-attr]
    out[plan_code] = old if old is not None and carried else _combine(plan_code, "plan", tuple(tree),
                                                                       [out[a] for a in tree], rule)
    return out


_NO_DATA: LeafFigures = (None, None, None, "no_data")  # an indicator missing from the figures still counts
_STEP = 1074  # every finite float is a whole number of steps of 2**-1074, the smallest positive float
_STATUS_AT: dict[str, int] = {status: i for i, status in enumerate(STATUSES)}
Measure = tuple[int, int, int, int, int]  # exact sum of the finite values in steps, how many; how many +inf, -inf, NaN


@dataclass(frozen=True)
class Tally:
    """A sub-item's indicators added up exactly: its roll-up is made from this alone, and an indicator taken out
    and put back in with other figures gives the tally that adding them all up again would, with no rounding on
    the way (a sub-item may hold thousands of indicators; a change re-reads only its own)."""

    measures: tuple[Measure, Measure, Measure]  # score, gap to 序时 in points, completion
    counts: tuple[int, ...]  # indicators per status, in STATUSES order

    def retallied(self, out: Iterable[LeafFigures], into: Iterable[LeafFigures]) -> Tally:
        """The tally with some indicators' figures taken out and others put in."""
        measures = [list(m) for m in self.measures]
        counts = list(self.counts)
        _add(measures, counts, out, -1)
        _add(measures, counts, into, 1)
        return Tally(_frozen(measures), tuple(counts))

    def means(self) -> tuple[float | None, float | None, float | None]:
        """The mean score, gap and completion of the indicators that carry them (None where none does)."""
        score, gap, completion = (_mean_of(m) for m in self.measures)
        return score, gap, completion


def tally(figures: Iterable[LeafFigures]) -> Tally:
    """Some indicators' leaf figures added up exactly."""
    measures = [[0, 0, 0, 0, 0] for _ in range(3)]
    counts = [0] * len(STATUSES)
    _add(measures, counts, figures, 1)
    return Tally(_frozen(measures), tuple(counts))


def _frozen(measures: list[list[int]]) -> tuple[Measure, Measure, Measure]:
    a, b, c = ((m[0], m[1], m[2], m[3], m[4]) for m in measures)
    return a, b, c


def _add(measures: list[list[int]], counts: list[int], figures: Iterable[LeafFigures], sign: int) -> None:
    for figure in figures:
        for measure, value in zip(measures, figure[:3]):
            if value is None:
                continue
            if math.isfinite(value):
                numerator, denominator = value.as_integer_ratio()  # denominator 2**k, k ≤ 1074
                measure[0] += sign * (numerator << (_STEP + 1 - denominator.bit_length()))
                measure[1] += sign
            else:
                measure[2 if value > 0 else 3 if value < 0 else 4] += sign
        counts[_STATUS_AT[figure[3]]] += sign


def _mean_of(measure: Measure) -> float | None:
    """The mean of the values present, correctly rounded from their exact sum; None when none is."""
    steps, finite, plus, minus, nan = measure
    if not finite + plus + minus + nan:
        return None
    if nan or (plus and minus):
        return math.nan
    if plus or minus:
        return math.inf if plus else -math.inf
    return steps / (finite << _STEP)


def _combine_tally(code: str, names: tuple[str, ...], tallied: Tally, rule: StatusRule) -> RollUp:
    """A sub-item's roll-up from its indicators' tally: the mean score, gap and completion of those that carry
    them, the indicators per status."""
    score, gap, completion = tallied.means()
    counts: dict[str, int] = dict(zip(STATUSES, tallied.counts))
    achieved = sum(tallied.counts) > 0 and counts["achieved"] == sum(tallied.counts)
    status = _status(achieved, score, gap, completion, counts, rule)
    zh, en = _story(status, score, gap, completion, counts, rule).both()
    return RollUp(code, "sub_item", score, status, counts, completion, names, zh, en, gap, rule.name)


def _leaf(assessment: Assessment | None) -> _Leaf:
    """An indicator missing from the assessments counts as no data rather than vanishing from the counts."""
    if assessment is None:
        return _Leaf(None, None, None, "no_data", _count(["no_data"]))
    score = assessment.score
    completion = None if score is None or assessment.completion is None else min(1.0, assessment.completion)
    return _Leaf(score, _leaf_gap(assessment), completion, assessment.status, _count([assessment.status]))


def _leaf_gap(a: Assessment) -> float | None:
    """The indicator's gap to 序时 in points, with completion capped at 1 and the gap clipped to ±100."""
    if a.score is None:
        return None
    if a.completion is None or a.time_share is None:  # milestones and flat targets have no 序时: 1 ≙ 0 pp
        return 0.0 if a.status == "achieved" else max(-100.0, (a.score - 1.0) * 100)
    return max(-100.0, min(100.0, (min(a.completion, 1.0) - a.time_share) * 100))


def _combine(code: str, level: str, names: tuple[str, ...], children: Sequence[_Standing],
             rule: StatusRule) -> RollUp:
    score = _mean(c.score for c in children)
    gap = _mean(c.gap_points for c in children)
    completion = _mean(c.mean_completion for c in children)
    counts = _sum_counts(children)
    achieved = bool(children) and all(c.status == "achieved" for c in children)
    status = _status(achieved, score, gap, completion, counts, rule)
    zh, en = _story(status, score, gap, completion, counts, rule).both()
    return RollUp(code, level, score, status, counts, completion, names, zh, en, gap, rule.name)


def _status(achieved: bool, score: float | None, gap: float | None, completion: float | None,
            counts: Mapping[str, int], rule: StatusRule) -> str:
    """Achieved when every child is; otherwise the rule's thresholds on the mean score (or mean gap for 'points')."""
    if achieved:
        return "achieved"
    if score is None:
        return "pending" if counts["pending"] else "no_data"
    if rule.measure == "points" and gap is not None:
        return rule.classify(gap, (completion if completion is not None else score) < -EPS)
    return rule.classify(score, score < -EPS)


def _story(status: str, score: float | None, gap: float | None, completion: float | None,
           counts: Mapping[str, int], rule: StatusRule) -> Phrase:
    n, listed = sum(counts.values()), _CountList(counts)
    if n == 0:
        return Phrase.of("progress.rollup.empty", status=status_phrase(status))
    if status == "achieved":
        return Phrase.of("progress.rollup.achieved", n=n, status=status_phrase(status))
    if score is None:
        return Phrase.of("progress.rollup.unscored", n=n, counts=listed, status=status_phrase(status))
    measure = Phrase.of(f"rule.{rule.measure}.rollup_measure", score=f"{score:.2f}",
                        gap=f"{gap:.1f}" if gap is not None else "—")
    return Phrase.of("progress.rollup.scored", n=n, counts=listed, measure=measure, status=status_phrase(status),
                     band=band(rule, status), completion="—" if completion is None else f"{completion * 100:.1f}%")


@dataclass(frozen=True)
class _CountList:
    """已达成2个、需关注1个 — the non-zero counts in display order, told in a language when printed."""

    counts: Mapping[str, int]

    def text(self, lang: str) -> str:
        parts = [t("progress.rollup.count", lang, status=status_phrase(s).text(lang), n=n)
                 for s, n in self.counts.items() if n]
        return t("progress.rollup.separator", lang).join(parts)


def _count(statuses: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


def _sum_counts(children: Sequence[_Standing]) -> dict[str, int]:
    return {s: sum(c.counts[s] for c in children) for s in STATUSES}


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None

"""The status vocabulary and the 红黄绿灯 rule: which status a pace earns, and how statuses, rules and pace are
worded."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from pipelines.core.catalog import LANGS, t
from pipelines.core.periods import Period

Status = Literal[
    "achieved", "on_track", "needs_attention", "off_track", "regressing", "not_achieved", "pending", "no_data",
]
STATUSES: tuple[Status, ...] = get_args(Status)
STATUS_GROUP: Mapping[str, str] = {
    "achieved": "green", "on_track": "green",
    "needs_attention": "amber", "pending": "amber",
    "off_track": "red", "regressing": "red", "not_achieved": "red",
    "no_data": "grey",
}
# A distinct shape per status, so a status never depends on colour alone (colour-blind readers, grey print-outs).
STATUS_ICON: Mapping[str, str] = {
    "achieved": "✔", "on_track": "●", "needs_attention": "◐", "off_track": "▼",
    "regressing": "↓", "not_achieved": "✖", "pending": "◇", "no_data": "○",
}
# Okabe–Ito colours, which stay apart for the common colour-vision deficiencies.
GROUP_COLOR: Mapping[str, str] = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", "grey": "#999999"}
# Keyed by status code; the group names are keys too, so STATUS_COLOR[STATUS_GROUP[s]] works as well.
STATUS_COLOR: Mapping[str, str] = {**{s: GROUP_COLOR[g] for s, g in STATUS_GROUP.items()}, **GROUP_COLOR}

MEASURES = ("ratio", "points")
THRESHOLD_KEYS = ("on_track", "needs_attention")
# Pace ratios and gaps are quotients of floats: 0.95 can arrive as 0.9499999999999999 and must still count as 0.95.
EPS = 1e-9


def at_least(value: float, threshold: float) -> bool:
    """value ≥ threshold, forgiving floating-point noise at the boundary."""
    return value >= threshold - EPS


@dataclass(frozen=True)
class StatusRule:
    """Thresholds for the pace statuses: on the pace ratio c/f (measure 'ratio') or on (c − f) in points ('points')."""

    name: str
    on_track: float
    needs_attention: float
    measure: str = ""  # 'ratio' | 'points'; left empty, it follows the name ('points' → points, else ratio)

    RATIO: ClassVar[StatusRule]
    POINTS: ClassVar[StatusRule]

    def __post_init__(self) -> None:
        measure = self.measure or ("points" if self.name == "points" else "ratio")
        if measure not in MEASURES:
            raise ValueError(f"status rule {self.name!r}: measure must be one of {MEASURES}, not {measure!r}")
        if not self.on_track >= self.needs_attention:
            raise ValueError(f"status rule {self.name!r}: on_track ({self.on_track}) is below needs_attention")
        object.__setattr__(self, "measure", measure)

    @property
    def thresholds(self) -> tuple[tuple[str, float], ...]:
        return (("on_track", self.on_track), ("needs_attention", self.needs_attention))

    def measure_of(self, completion: float, time_share: float) -> float:
        """The number the thresholds apply to: the pace ratio c/f, or the gap (c − f) in percentage points."""
        if self.measure == "points":
            return (completion - time_share) * 100
        return completion / time_share

    def classify(self, value: float, moving_away: bool) -> Status:
        """The pace status of a measured value; moving away from the target (c < 0) is regressing under any rule."""
        if moving_away:
            return "regressing"
        if at_least(value, self.on_track):
            return "on_track"
        if at_least(value, self.needs_attention):
            return "needs_attention"
        return "off_track"


RATIO = StatusRule("ratio", on_track=0.95, needs_attention=0.60)  # Eurostat / Open SDG
POINTS = StatusRule("points", on_track=0.0, needs_attention=-10.0)  # 序时百分点: behind 序时 by at most 10 pp
StatusRule.RATIO = RATIO
StatusRule.POINTS = POINTS
PRESETS: Mapping[str, StatusRule] = {"ratio": RATIO, "points": POINTS}


def status_rule_from(name: str, overrides: Mapping[str, float] | None = None) -> StatusRule:
    """A preset rule by name, with thresholds a plan folder may override; unknown names or keys raise ValueError."""
    preset = PRESETS.get(str(name).strip().lower())
    if preset is None:
        raise ValueError(f"unknown status rule {name!r}; choose one of {', '.join(PRESETS)}")
    unknown = sorted(set(overrides or {}) - set(THRESHOLD_KEYS))
    if unknown:
        raise ValueError(f"unknown threshold(s) {', '.join(unknown)} for rule {preset.name!r}; use {THRESHOLD_KEYS}")
    values = {key: _finite(key, value) for key, value in (overrides or {}).items()}
    return StatusRule(preset.name, values.get("on_track", preset.on_track),
                      values.get("needs_attention", preset.needs_attention), preset.measure)


def _finite(key: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"threshold {key} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"threshold {key} must be finite, not {value!r}")
    return number


@dataclass(frozen=True)
class Phrase:
    """A catalog text not yet put into a language, so one judgement is told the same way in zh and en."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Phrase:
        return cls(key, tuple(values.items()))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **{name: _localise(value, lang) for name, value in self.values})

    def both(self) -> tuple[str, str]:
        return self.text(LANGS[0]), self.text(LANGS[1])


@dataclass(frozen=True)
class Cutoff:
    """The data cut-off of a period as a heading: 截至2023年底 / As of end of 2023."""

    period: Period

    def text(self, lang: str) -> str:
        return self.period.cutoff_label(lang)


def _localise(value: object, lang: str) -> object:
    """Render what differs by language; anything with a text(lang) method (Phrase, Cutoff, a count list) is told."""
    if isinstance(value, Period):
        return value.label(lang)
    text = getattr(value, "text", None)  # duck-typed: a runtime Protocol check costs 20 µs a call at scale
    return text(lang) if callable(text) else value


def status_name(status: str, lang: str) -> str:
    """The status as leaders read it: 需关注 / Needs attention."""
    return t(f"status.{status}", lang)


def status_phrase(status: str) -> Phrase:
    return Phrase.of(f"status.{status}")


def band(rule: StatusRule, status: str) -> Phrase:
    """The threshold band a pace status stands for under a rule, e.g. 0.60 ≤ 进度比 < 0.95."""
    return Phrase.of(f"rule.{rule.measure}.band.{status}", **_threshold_texts(rule))


def _threshold_texts(rule: StatusRule) -> dict[str, str]:
    if rule.measure == "points":
        return {key: f"{value:g}" for key, value in rule.thresholds}
    return {key: f"{value:.2f}" for key, value in rule.thresholds}


def rule_title(rule: StatusRule) -> Phrase:
    """The rule's name: the preset's own words, or the plan's custom name with the measure it uses."""
    if rule.name in PRESETS and PRESETS[rule.name].measure == rule.measure:
        return Phrase.of(f"rule.{rule.measure}.name")
    return Phrase.of("rule.custom.name", name=rule.name, measure=Phrase.of(f"rule.{rule.measure}.name"))


PACE_STATUSES = ("on_track", "needs_attention", "off_track", "regressing")
OTHER_STATUSES = ("achieved", "not_achieved", "pending", "no_data")


def legend(rule: StatusRule, lang: str) -> str:
    """The rule in force, in two lines, printed under every status view and in the briefing's 注 line."""
    first = Phrase.of("legend.line1", rule=rule_title(rule), definition=Phrase.of(f"rule.{rule.measure}.definition"),
                      items=_legend_items(PACE_STATUSES, rule, lang))
    second = Phrase.of("legend.line2", items=_legend_items(OTHER_STATUSES, rule, lang))
    return first.text(lang) + "\n" + second.text(lang)


def _legend_items(statuses: tuple[str, ...], rule: StatusRule, lang: str) -> str:
    """'● 进度正常：进度比 ≥ 0.95' for each status, the pace ones explained by the rule's band."""
    items = [Phrase.of("legend.item", icon=STATUS_ICON[s], status=status_phrase(s),
                       meaning=band(rule, s) if s in PACE_STATUSES else Phrase.of(f"legend.meaning.{s}"))
             for s in statuses]
    return t("legend.separator", lang).join(item.text(lang) for item in items)


def pace_phrase(key: str, rule: StatusRule, status: str, c: float, f: float, words: dict[str, object]) -> Phrase:
    """完成率, 序时进度, the gap in 个百分点, and the rule's verdict with the band that decided it."""
    verdict = Phrase.of(f"rule.{rule.measure}.verdict", ratio=f"{c / f:.2f}", status=status_phrase(status),
                        band=band(rule, status))
    return Phrase.of(key, **{**words, "time_share": percent(f), "gap": gap_phrase(c, f), "verdict": verdict})


def gap_phrase(c: float, f: float) -> Phrase:
    """超/低于序时进度X个百分点, judged on the rounded figure so a printed 0.0 always reads 与序时进度持平."""
    points = round((c - f) * 100, 1)
    if points > 0:
        return Phrase.of("progress.gap.ahead", points=f"{points:.1f}")
    if points < 0:
        return Phrase.of("progress.gap.behind", points=f"{-points:.1f}")
    return Phrase.of("progress.gap.level")


def percent(x: float | None) -> str:
    """A share as reports print it, one decimal: 0.4 → 40.0%."""
    return "—" if x is None else f"{x * 100:.1f}%"


def amount(value: float, unit: str) -> str:
    """A value as written in reports: no trailing zeros, at most two decimals (small values keep 4 figures)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 or value == 0 else f"{value:.4g}"
    return f"{text}{unit}"

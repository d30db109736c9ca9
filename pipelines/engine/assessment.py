"""The engine's records: one indicator's judgement as of a period, and one change between two judgements."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipelines.core.periods import Period
from pipelines.engine.status_rule import Status

StandingChange = Literal["status", "new_value", "became_overdue"]


@dataclass(frozen=True)
class Assessment:
    """One indicator's judgement as of a period: status, the numbers behind it, and the rule that was applied."""

    code: str
    as_of: Period
    status: Status
    rule: str
    latest_period: Period | None
    latest_value: float | None
    baseline: float
    target: float
    expected: float | None
    completion: float | None
    time_share: float | None
    pace_ratio: float | None
    gap_points: float | None
    projected: float | None
    projection_ratio: float | None
    likely_to_meet: bool
    overdue: bool
    score: float | None
    explanation_zh: str
    explanation_en: str
    thresholds: tuple[tuple[str, float], ...] = ()
    due_period: Period | None = None  # the period whose report is missing when overdue

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh


@dataclass(frozen=True)
class Change:
    """One change between two sets of assessments: a new status, a newer value, or a report that became overdue."""

    code: str
    kind: StandingChange
    before: str | float | bool | None
    after: str | float | bool | None
    before_period: str | None = None  # a new value: the period of the value it follows (None: the first value)

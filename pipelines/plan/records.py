"""The action plan as typed records: the plan, its departments, goals, actions, sub-items and indicators.

An indicator code names one series (values, unit, kind, direction, frequency, owner) shared by every plan that
targets it; an IndicatorDef is one plan's target of a series (its placement, baseline, target, source) together with
the series' attributes. A baseline may be `final`: the continued series' approved value at the baseline period,
resolved when the plan is read from the store (`baseline_from` says where it came from; NaN until it exists)."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from pipelines.core.periods import Period, period_containing

ILLUSTRATIVE_MARK = "示例"


@dataclass(frozen=True)
class PlanInfo:
    code: str
    name_zh: str
    name_en: str
    start_period: Period
    end_period: Period
    status_rule: str = "ratio"
    thresholds: tuple[tuple[str, float], ...] = ()
    due_days: int = 15
    draft: bool = False  # hidden from everyone but admins
    folder: str = ""  # the folder it was loaded from (named in refusals that compare two plans)
    basic_threshold: float = 0.90  # 总结评估: completion at which an unmet target counts as 基本完成

    def state(self, today: dt.date) -> str:
        """not_started, in_force or ended on a day (a plan is in force from its first period's first day to its
        last period's last day)."""
        quarter = period_containing(today)
        if quarter.end_time <= self.start_period.start_time + 1e-9:
            return "not_started"
        return "ended" if today > self.end_period.end_date else "in_force"


LINEAGES = ("continued", "adjusted", "new")  # as written in indicators.csv; "dropped" is derived


@dataclass(frozen=True)
class BaselineSource:
    """Where a `final` baseline came from: the plan whose series it is, the period and the submission(s)."""

    plan_code: str
    code: str
    period: Period
    submissions: tuple[int, ...]


@dataclass(frozen=True)
class Named:
    """A department, goal or special action: a code and its names."""

    code: str
    name_zh: str
    name_en: str
    description_zh: str = ""


@dataclass(frozen=True)
class SubItemDef:
    code: str
    action_code: str
    name_zh: str
    name_en: str
    lead_department: str


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    sub_item_code: str
    goal_code: str | None
    name_zh: str
    name_en: str
    unit: str
    direction: str
    kind: str
    baseline: float
    baseline_period: Period
    target: float
    target_period: Period
    department: str
    supporting_departments: tuple[str, ...]
    frequency: str
    definition_zh: str
    source: str
    baseline_final: bool = False  # the plan's baseline is the word `final` (resolved into baseline when read)
    lineage: str = ""  # continued | adjusted | new ('' when the plan has no previous plan)
    continues: str = ""  # the previous plan's code this indicator continues under a new code
    baseline_from: BaselineSource | None = None  # a resolved `final` baseline's origin
    row: int = field(default=0, compare=False)  # its row in indicators.csv as Excel numbers it (0: read from a store)

    @property
    def illustrative(self) -> bool:
        """True when any figure of the indicator is invented for illustration (source marked 示例)."""
        return ILLUSTRATIVE_MARK in self.source

    @property
    def has_baseline(self) -> bool:
        """False while a `final` baseline has no approved value yet (暂无基期值)."""
        return math.isfinite(self.baseline)

    @property
    def series_codes(self) -> tuple[str, ...]:
        """The codes whose values make this indicator's history: the series it continues, then its own."""
        return (self.continues, self.code) if self.continues else (self.code,)


@dataclass(frozen=True)
class TaskDef:
    """One 重点任务 of a plan: who owns it, by when, and its quarterly milestones (阶段性目标)."""

    code: str
    sub_item_code: str
    name_zh: str
    name_en: str
    department: str
    supporting_departments: tuple[str, ...]
    due: dt.date
    due_text: str  # as written in tasks.csv (2024Q4 or 2024-12-31)
    milestones: tuple[tuple[Period, str], ...]
    source: str
    row: int = field(default=0, compare=False)

    @property
    def illustrative(self) -> bool:
        return ILLUSTRATIVE_MARK in self.source

    def milestone_of(self, quarter: Period) -> str:
        """The milestones (阶段性目标) due in a quarter: those whose period ends within it ('' when none)."""
        return "；".join(what for period, what in self.milestones
                        if quarter.start_time + 1e-9 < period.end_time <= quarter.end_time + 1e-9)


@dataclass(frozen=True)
class PlanData:
    info: PlanInfo
    departments: tuple[Named, ...]
    goals: tuple[Named, ...]
    actions: tuple[Named, ...]
    sub_items: tuple[SubItemDef, ...]
    indicators: tuple[IndicatorDef, ...]
    # the series view (every series of every plan, for checking a department's file): per code, the spans of the
    # plans that target it; empty for one plan, whose span is its own
    windows: tuple[tuple[str, tuple[tuple[Period, Period], ...]], ...] = field(default=(), compare=False)
    # ... and per code each plan's (baseline period, target period): the periods a template asks for
    due: tuple[tuple[str, tuple[tuple[Period, Period], ...]], ...] = field(default=(), compare=False)
    plans: tuple[PlanInfo, ...] = field(default=(), compare=False)  # the plans the series view combines
    tasks: tuple[TaskDef, ...] = ()  # 重点任务 (tasks.csv), in plan order

    def due_of(self, indicator: IndicatorDef) -> tuple[tuple[Period, Period], ...]:
        """The (baseline, target] spans in which a series' periods are reported: its own, or every plan's."""
        found = self._due_map.get(indicator.code)
        return found if found is not None else ((indicator.baseline_period, indicator.target_period),)

    @cached_property
    def _due_map(self) -> dict[str, tuple[tuple[Period, Period], ...]]:
        return dict(self.due)

    def windows_of(self, code: str) -> tuple[tuple[Period, Period], ...]:
        """The spans in which a series' values are accepted."""
        found = self._window_map.get(code)
        return found if found is not None else ((self.info.start_period, self.info.end_period),)

    @cached_property
    def _window_map(self) -> dict[str, tuple[tuple[Period, Period], ...]]:
        return dict(self.windows)

    def indicator(self, code: str) -> IndicatorDef:
        return self.indicator_map()[code]

    def indicator_map(self) -> Mapping[str, IndicatorDef]:
        """Each indicator by its code, made once per plan (a department's file is checked against it every time);
        read-only to its callers (a plain dict underneath, so that the plan can still be pickled and copied)."""
        return self._indicator_map

    @cached_property
    def _indicator_map(self) -> dict[str, IndicatorDef]:
        return {i.code: i for i in self.indicators}

    def code_typed(self, typed: str) -> str:
        """The code of the indicator that a department's code, put in capitals without spaces, names ('' when it
        names none)."""
        return self._codes_by_upper.get(typed, "")

    @cached_property
    def _codes_by_upper(self) -> dict[str, str]:
        return {code.upper(): code for code in self._indicator_map}

    def tree(self) -> dict[str, dict[str, list[str]]]:
        """action → sub-item → indicator codes, in plan order."""
        out: dict[str, dict[str, list[str]]] = {a.code: {} for a in self.actions}
        for sub in self.sub_items:
            out[sub.action_code][sub.code] = [i.code for i in self.indicators if i.sub_item_code == sub.code]
        return out


def split_codes(text: str) -> tuple[str, ...]:
    """`;`-separated department codes (also ；, 、 and , as typed in Excel)."""
    if not text:
        return ()  # most indicators have no supporting department: a large plan splits thousands of empty cells
    for sep in ("；", "、", ",", "，"):
        text = text.replace(sep, ";")
    return tuple(code.strip() for code in text.split(";") if code.strip())

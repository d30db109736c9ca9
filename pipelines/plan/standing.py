"""Where the plan stands as of a period: plan rows and current values in, assessments and roll-ups out.

Pure: plain values in (the plan, a DataFrame of current values); pipelines.store.standings reads them from the store.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from pipelines.core.columns import PERIOD
from pipelines.core.periods import Period, latest_period_ending_by, period_of_code
from pipelines.engine.progress import (
    Assessment,
    History,
    IndicatorSpec,
    Observation,
    RollUp,
    StatusRule,
    assess_all,
    roll_up,
)
from pipelines.engine.series import histories_from
from pipelines.engine.status_rule import status_rule_from
from pipelines.plan.records import IndicatorDef, PlanData, PlanInfo


@dataclass(frozen=True)
class Standing:
    plan: PlanData
    as_of: Period
    rule: StatusRule
    assessments: dict[str, Assessment]
    rollups: dict[str, RollUp]
    # the current values with provenance (models.queries.read_current_values), or what reads them when first asked:
    # a standing kept in the store (pipelines.store.standing_cache) is drawn without reading every value
    values: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False, compare=False)

    @cached_property
    def current(self) -> pd.DataFrame:
        return self.values if isinstance(self.values, pd.DataFrame) else self.values()


def spec_of(indicator: IndicatorDef) -> IndicatorSpec:
    return IndicatorSpec(indicator.code, indicator.kind, indicator.direction, indicator.baseline,
                         indicator.baseline_period, indicator.target, indicator.target_period, indicator.frequency,
                         indicator.unit)


def rule_of(plan: PlanData | PlanInfo) -> StatusRule:
    info = plan.info if isinstance(plan, PlanData) else plan
    return status_rule_from(info.status_rule, dict(info.thresholds) or None)


def latest_reported(current: pd.DataFrame) -> Period | None:
    """The period with data that ends last (None while nothing has been reported); of periods ending together (2025
    and 2025年第四季度) the one whose code sorts last, so that every reader names the same one."""
    if current.empty:
        return None
    return max((period_of_code(p) for p in current[PERIOD].unique()), key=lambda p: (p.end_time, p.code))


def default_as_of(plan: PlanData, current: pd.DataFrame) -> Period:
    """The latest quarter with data, not past the plan's end (the plan's first quarter when there is none)."""
    return as_of_after(plan, latest_reported(current))


def as_of_after(plan: PlanData | PlanInfo, latest: Period | None) -> Period:
    """default_as_of from the latest period with data alone."""
    info = plan.info if isinstance(plan, PlanData) else plan
    first = info.start_period.end_time  # a plan's values may all precede it (a continued series' history)
    if latest is None:
        return latest_period_ending_by(first, "quarterly")
    return latest_period_ending_by(max(first, min(latest.end_time, info.end_period.end_time)), "quarterly")


def compute_standing(plan: PlanData, current: pd.DataFrame, as_of: Period | None = None,
                     observations: Mapping[str, Sequence[Observation] | History] | None = None) -> Standing:
    """Assess every indicator and roll up to sub-items, actions and the plan.

    `observations` is histories_from(current) when the caller already has it (the dashboard assesses several
    quarters of one store and groups its values once).
    """
    as_of = as_of or default_as_of(plan, current)
    rule = rule_of(plan)
    grouped = observations if observations is not None else histories_from(current)
    assessments = assess_all([spec_of(i) for i in plan.indicators], grouped, as_of, rule)
    return standing_of(plan, as_of, assessments, current)


def standing_of(plan: PlanData, as_of: Period, assessments: dict[str, Assessment],
                values: pd.DataFrame | Callable[[], pd.DataFrame],
                rollups: dict[str, RollUp] | None = None) -> Standing:
    """The standing from its assessments: roll-ups to sub-items, actions and the plan under the plan's rule (unless
    they are given, as kept with the assessments)."""
    rule = rule_of(plan)
    if rollups is None:
        rollups = roll_up(assessments, plan.tree(), plan.info.code, rule)
    return Standing(plan, as_of, rule, assessments, rollups, values)

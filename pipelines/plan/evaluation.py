"""A plan's 总结评估 or 中期评估: every indicator's verdict and the counts per sub-item, action and plan.

Pure: the plan and its current values in (as for a Standing), an Evaluation out.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from pipelines.core.periods import Period, latest_period_ending_by
from pipelines.engine.evaluation import (
    EvaluationKind,
    Tally,
    Verdict,
    evaluate_final,
    evaluate_midterm,
    tally,
)
from pipelines.engine.series import History, Observation, histories_from
from pipelines.plan.records import PlanData
from pipelines.plan.standing import default_as_of, rule_of, spec_of


@dataclass(frozen=True)
class Evaluation:
    plan: PlanData
    kind: EvaluationKind
    as_of: Period  # final: the plan's end; mid-term: the quarter judged
    verdicts: dict[str, Verdict]
    tallies: dict[str, Tally]
    values: pd.DataFrame = field(repr=False, compare=False)  # the current values with provenance

    @cached_property
    def plan_tally(self) -> Tally:
        return self.tallies[self.plan.info.code]


def default_kind(plan: PlanData, today: dt.date) -> EvaluationKind:
    """总结评估 once a plan has ended, 中期评估 while it is in force (or not started)."""
    return "final" if plan.info.state(today) == "ended" else "midterm"


def compute_evaluation(plan: PlanData, current: pd.DataFrame, kind: EvaluationKind, as_of: Period | None = None,
                       observations: Mapping[str, Sequence[Observation] | History] | None = None) -> Evaluation:
    """Every indicator's verdict: at its target period (final), or as of a quarter (mid-term; the latest quarter with
    data by default)."""
    grouped = observations if observations is not None else histories_from(current)
    specs = [spec_of(i) for i in plan.indicators]
    if kind == "final":
        when = latest_period_ending_by(plan.info.end_period.end_time, "quarterly")
        verdicts = {s.code: evaluate_final(s, grouped.get(s.code, ()), plan.info.basic_threshold) for s in specs}
    else:
        when = as_of or default_as_of(plan, current)
        rule = rule_of(plan)
        verdicts = {s.code: evaluate_midterm(s, grouped.get(s.code, ()), when, rule) for s in specs}
    return Evaluation(plan, kind, when, verdicts, tally(verdicts, plan.tree(), plan.info.code, kind), current)

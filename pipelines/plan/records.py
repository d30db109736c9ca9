"""The action plan as typed records: the plan, its departments, goals, actions, sub-items and indicators."""
from __future__ import annotations

from dataclasses import dataclass

from pipelines.core.periods import Period

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

    @property
    def illustrative(self) -> bool:
        """True when any figure of the indicator is invented for illustration (source marked 示例)."""
        return ILLUSTRATIVE_MARK in self.source


@dataclass(frozen=True)
class PlanData:
    info: PlanInfo
    departments: tuple[Named, ...]
    goals: tuple[Named, ...]
    actions: tuple[Named, ...]
    sub_items: tuple[SubItemDef, ...]
    indicators: tuple[IndicatorDef, ...]

    def indicator(self, code: str) -> IndicatorDef:
        return self.indicator_map()[code]

    def indicator_map(self) -> dict[str, IndicatorDef]:
        return {i.code: i for i in self.indicators}

    def tree(self) -> dict[str, dict[str, list[str]]]:
        """action → sub-item → indicator codes, in plan order."""
        out: dict[str, dict[str, list[str]]] = {a.code: {} for a in self.actions}
        for sub in self.sub_items:
            out[sub.action_code][sub.code] = [i.code for i in self.indicators if i.sub_item_code == sub.code]
        return out


def split_codes(text: str) -> tuple[str, ...]:
    """`;`-separated department codes (also ；, 、 and , as typed in Excel)."""
    for sep in ("；", "、", ",", "，"):
        text = text.replace(sep, ";")
    return tuple(code.strip() for code in text.split(";") if code.strip())

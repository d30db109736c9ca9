"""An evaluation as tables: the 主要指标完成情况 table, the counts per action and sub-item, and the conclusions' words,
shared by the 评估 page, the pages of an ended plan, the command line and the report files."""
from __future__ import annotations

import pandas as pd

from models.columns import CODE
from pipelines.core.catalog import t
from pipelines.core.periods import Period
from pipelines.engine.evaluation import CONCLUSION_GROUP, CONCLUSION_ICON, CONCLUSIONS, Tally, Verdict
from pipelines.engine.status_rule import GROUP_COLOR
from pipelines.plan.evaluation import Evaluation
from pipelines.plan.records import IndicatorDef, PlanData
from pipelines.present.formatting import MISSING, format_number, name_of, unit_word
from pipelines.present.tables import (
    COMPLETION,
    EXPLANATION,
    INDICATOR,
    LEAD,
    LEAD_CODE,
    SEQ,
    SUB_ITEM,
    UNIT,
    department_names,
)

BASELINE, FINAL_VALUE, PROJECTED_VALUE, CONCLUSION = "baseline", "final_value", "projected_value", "conclusion"
TARGET_VALUE = "target_value"
CONCLUSION_CODE, ACTION, COUNT = "conclusion_code", "action", "count"
# 序号 | 指标 | 单位 | 基期值 | 目标值 | 完成值 | 完成率 | 评估结论 | 主责部门: the report's table, in print order
REPORT_COLUMNS = {
    "final": (SEQ, INDICATOR, UNIT, BASELINE, TARGET_VALUE, FINAL_VALUE, COMPLETION, CONCLUSION, LEAD),
    "midterm": (SEQ, INDICATOR, UNIT, BASELINE, TARGET_VALUE, PROJECTED_VALUE, COMPLETION, CONCLUSION, LEAD),
}


def conclusion_name(kind: str, conclusion: str, lang: str) -> str:
    return t(f"evaluation.{kind}.{conclusion}", lang)


def conclusion_badge(kind: str, conclusion: str, lang: str) -> str:
    """A conclusion as shape and word, never colour alone: ★ 提前完成."""
    return f"{CONCLUSION_ICON[kind][conclusion]} {conclusion_name(kind, conclusion, lang)}"


def conclusion_color(kind: str, conclusion: str) -> str:
    return GROUP_COLOR[CONCLUSION_GROUP[kind][conclusion]]


def tally_text(tally: Tally, lang: str) -> str:
    """「55项指标中，提前完成8项、完成40项、基本完成3项、未完成4项」."""
    return tally.phrase().text(lang)


def kind_title(kind: str, lang: str) -> str:
    return t(f"method.evaluation.{kind}", lang)


def value_text(indicator: IndicatorDef, value: float | None, lang: str) -> str:
    """A value as the table prints it: a milestone as 已完成 / 未完成, a number with thousands separators."""
    if value is None or value != value:
        return MISSING
    if indicator.kind == "milestone":
        return t("ui.milestone.done" if value >= 1 else "ui.milestone.not-done", lang)
    return format_number(value)


def final_value_text(indicator: IndicatorDef, v: Verdict, lang: str) -> str:
    """完成值, with its period when it is not of the target period's year (a stale value is named as such)."""
    text = value_text(indicator, v.value, lang)
    period = v.value_period
    if v.kind == "final" and v.value is not None and period is not None \
            and period.year != indicator.target_period.year:
        return t("evaluation.value-of-period", lang, value=text, period=period.label(lang))
    return text


def _percent(share: float | None) -> float:
    return float("nan") if share is None else round(share * 100, 1)


def indicator_rows(evaluation: Evaluation, lang: str, action: str | None = None) -> pd.DataFrame:
    """One row per indicator (of one action, or all) in plan order: the report's columns, the conclusion's code and
    its explanation, the sub-item and the lead department's code."""
    plan, kind = evaluation.plan, evaluation.kind
    subs = {s.code: s for s in plan.sub_items if action is None or s.action_code == action}
    value_column = FINAL_VALUE if kind == "final" else PROJECTED_VALUE
    rows = []
    for number, indicator in enumerate((i for i in plan.indicators if i.sub_item_code in subs), start=1):
        v = evaluation.verdicts[indicator.code]
        rows.append({
            SEQ: number, CODE: indicator.code, INDICATOR: name_of(indicator, lang),
            UNIT: unit_word(indicator.unit, lang),
            BASELINE: value_text(indicator, indicator.baseline if indicator.has_baseline else None, lang),
            TARGET_VALUE: value_text(indicator, indicator.target, lang),
            value_column: final_value_text(indicator, v, lang), COMPLETION: _percent(v.completion),
            CONCLUSION: conclusion_badge(kind, v.conclusion, lang), LEAD: department_names(plan, [indicator.department],
                                                                                          lang),
            SUB_ITEM: name_of(subs[indicator.sub_item_code], lang), EXPLANATION: v.explanation(lang),
            CONCLUSION_CODE: v.conclusion, LEAD_CODE: indicator.department,
        })
    columns = [*REPORT_COLUMNS[kind], CODE, SUB_ITEM, EXPLANATION, CONCLUSION_CODE, LEAD_CODE]
    return pd.DataFrame(rows, columns=columns)


def report_table(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The printed table's columns only (序号 … 主责部门), completion as 100.0%."""
    table = rows[list(REPORT_COLUMNS[kind])].copy()
    table[COMPLETION] = [MISSING if c != c else f"{c:.1f}%" for c in table[COMPLETION]]
    return table


def tally_rows(evaluation: Evaluation, lang: str, level: str = "action") -> pd.DataFrame:
    """The counts per action (or sub-item) and for the plan: name, indicators, one column per conclusion, mean
    completion (%)."""
    plan, kind = evaluation.plan, evaluation.kind
    items: list[tuple[str, str]] = ([(a.code, name_of(a, lang)) for a in plan.actions] if level == "action" else
                                    [(s.code, name_of(s, lang)) for s in plan.sub_items])
    items.append((plan.info.code, t("evaluation.all-indicators", lang)))
    rows = []
    for code, name in items:
        found = evaluation.tallies[code]
        rows.append({CODE: code, ACTION: name, COUNT: found.n,
                     **{conclusion_name(kind, c, lang): found.counts[c] for c in CONCLUSIONS[kind]},
                     COMPLETION: _percent(found.mean_completion)})
    return pd.DataFrame(rows)


def evaluation_records(evaluation: Evaluation) -> list[dict[str, object]]:
    """The command line's JSON rows: code, conclusion, final_value (or projected_value), completion, target,
    department, and the period read."""
    value_key = "final_value" if evaluation.kind == "final" else "projected_value"
    out: list[dict[str, object]] = []
    for indicator in evaluation.plan.indicators:
        v = evaluation.verdicts[indicator.code]
        out.append({"code": indicator.code, "conclusion": v.conclusion, value_key: v.value,
                    "value_period": v.value_period.code if v.value_period else None,
                    "completion": v.completion, "target": indicator.target,
                    "baseline": indicator.baseline if indicator.has_baseline else None,
                    "department": indicator.department, "first_met": v.first_met.code if v.first_met else None})
    return out


def is_final_view(plan: PlanData, as_of: Period, state: str) -> bool:
    """A page of an ended plan at its last quarter shows the 总结评估, not pace lights (earlier quarters show the plan
    as it stood then)."""
    return state == "ended" and as_of.end_time >= plan.info.end_period.end_time - 1e-9

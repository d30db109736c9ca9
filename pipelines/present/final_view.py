"""An ended plan at its last quarter in the 总结评估's words, for the pages and the pack: counts per conclusion, each
action's and sub-item's tally, the completion table with 评估结论, the indicators not (or only basically) completed —
never a pace light, which means nothing once the time is up."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from models.columns import CODE
from pipelines.core.catalog import t
from pipelines.engine.evaluation import CONCLUSION_GROUP, CONCLUSIONS, EvaluationKind, Tally, Verdict
from pipelines.plan.evaluation import Evaluation
from pipelines.plan.records import IndicatorDef
from pipelines.plan.standing import Standing
from pipelines.present.evaluation import (
    BASELINE,
    CONCLUSION,
    CONCLUSION_CODE,
    FINAL_VALUE,
    TARGET_VALUE,
    conclusion_badge,
    conclusion_name,
    final_value_text,
    indicator_rows,
    tally_text,
)
from pipelines.present.formatting import MISSING, format_amount, format_rate, name_of
from pipelines.present.story import hover_html, wrap
from pipelines.present.tables import (
    COMPLETION,
    EXPLANATION,
    GROUP,
    INDICATOR,
    LEAD,
    LEAD_CODE,
    NEXT_STEPS,
    PROBLEMS,
    PROGRESS,
    SEQ,
    SUB_ITEM,
    SUPPORT,
    TREND,
    UNIT,
    completion_table,
    department_names,
    localise,
)

KIND: EvaluationKind = "final"
# The overview's four counts: what was done (early or on time), basically done, not done, and without figures.
CONCLUSION_GROUPS: Mapping[str, tuple[str, ...]] = {
    "done": ("early", "completed"), "basically_completed": ("basically_completed",),
    "not_completed": ("not_completed",), "no_data": ("no_data",)}
UNFINISHED = ("not_completed", "basically_completed")  # the final view's red-flag list, in this order
# The 通报 columns of an ended plan: 序号 | 子项 | 指标 | 单位 | 基期值 | 目标值 | 完成值 | 完成率 | 评估结论 …
FINAL_COLUMNS = (SEQ, SUB_ITEM, INDICATOR, UNIT, BASELINE, TARGET_VALUE, FINAL_VALUE, COMPLETION, CONCLUSION, LEAD,
                 SUPPORT, PROGRESS, PROBLEMS, NEXT_STEPS)
FINAL_SORT_KEYS = (SEQ, COMPLETION)


def conclusions() -> tuple[str, ...]:
    return CONCLUSIONS[KIND]


def group_label(group: str, lang: str) -> str:
    """A count's label as shapes and words: ★ 提前完成 / ✔ 完成."""
    return " / ".join(conclusion_badge(KIND, c, lang) for c in CONCLUSION_GROUPS[group])


def _share(value: float | None) -> float:
    return float("nan") if value is None else round(value * 100, 1)


@dataclass(frozen=True)
class FinalHeadline:
    """The overview's headline of an ended plan: the evaluation's mean completion, its tally and counts."""

    completion: float | None
    tally: str
    indicators: int
    overdue: int
    counts: dict[str, int]  # indicators per conclusion
    groups: dict[str, int]  # indicators per CONCLUSION_GROUPS entry


def final_headline(evaluation: Evaluation, standing: Standing, lang: str) -> FinalHeadline:
    found = evaluation.plan_tally
    counts = dict(found.counts)
    return FinalHeadline(found.mean_completion, tally_text(found, lang), found.n,
                         sum(a.overdue for a in standing.assessments.values()), counts,
                         {g: sum(counts[c] for c in members) for g, members in CONCLUSION_GROUPS.items()})


def conclusion_counts(codes: Sequence[str]) -> dict[str, int]:
    """How many indicators have each conclusion, from a column of conclusion codes, every conclusion present."""
    return {c: sum(1 for x in codes if x == c) for c in conclusions()}


def good_share(found: Tally) -> tuple[int, float | None]:
    """完成（含提前完成）: how many, and their share of all indicators."""
    good = found.counts.get("early", 0) + found.counts.get("completed", 0)
    return good, good / found.n if found.n else None


def legend_text(basic: float, lang: str) -> str:
    """The conclusions' shapes and words, then how each is decided: printed under every view of conclusions."""
    icons = " · ".join(conclusion_badge(KIND, c, lang) for c in conclusions())
    return icons + "\n" + t("evaluation.report.note.final", lang, basic=format_rate(basic))


# ---- tables ----------------------------------------------------------------------------------------------------

def final_table(standing: Standing, evaluation: Evaluation, lang: str, action: str | None = None,
                narratives: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator (of one action, or all): the 通报 columns with 基期值, 完成值 and 评估结论 in place of 序时
    进度, 差值 and 状态; the narratives and trend as completion_table gives them; the conclusion's code and group."""
    told = completion_table(standing, lang, action, narratives).set_index(CODE)
    rows = indicator_rows(evaluation, lang, action)
    for column in (SUPPORT, PROGRESS, PROBLEMS, NEXT_STEPS, TREND):
        rows[column] = told[column].reindex(rows[CODE]).to_numpy()
    rows[GROUP] = [CONCLUSION_GROUP[KIND][c] for c in rows[CONCLUSION_CODE]]
    return rows[[*FINAL_COLUMNS, CODE, TREND, CONCLUSION_CODE, GROUP, EXPLANATION, LEAD_CODE]]


def filter_final(frame: pd.DataFrame, chosen: Sequence[str] = (), sub_item: str | None = None) -> pd.DataFrame:
    """Rows whose conclusion is among `chosen` (all when empty), of one sub-item when given."""
    keep = pd.Series(True, index=frame.index)
    if chosen:
        keep &= frame[CONCLUSION_CODE].isin(chosen)
    if sub_item:
        keep &= frame[SUB_ITEM] == sub_item
    return frame[keep]


def conclusion_lists(frame: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """Each conclusion's indicators as 通报 attachments list them, 'name（完成率93.0%）', the furthest along first."""
    out: dict[str, list[str]] = {}
    for conclusion in conclusions():
        rows = frame[frame[CONCLUSION_CODE] == conclusion].sort_values(COMPLETION, ascending=False, kind="stable")
        out[conclusion] = [name if c != c else t("final_view.list-item", lang, name=name, completion=f"{c:.1f}%")
                           for name, c in zip(rows[INDICATOR], rows[COMPLETION])]
    return out


def export_final(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The final 通报 columns only, headed in the reader's language: what the XLSX download holds."""
    return localise(frame[list(FINAL_COLUMNS)], lang)


def sub_item_tallies(evaluation: Evaluation, lang: str, action: str) -> pd.DataFrame:
    """Each sub-item of an action with its lead department, its tally in words and its mean completion (%)."""
    plan, rows = evaluation.plan, []
    for sub in (s for s in plan.sub_items if s.action_code == action):
        found = evaluation.tallies[sub.code]
        rows.append({SUB_ITEM: name_of(sub, lang), LEAD: department_names(plan, [sub.lead_department], lang),
                     CONCLUSION: tally_text(found, lang), COMPLETION: _share(found.mean_completion)})
    return pd.DataFrame(rows, columns=[SUB_ITEM, LEAD, CONCLUSION, COMPLETION])


def action_tallies(evaluation: Evaluation, lang: str) -> pd.DataFrame:
    """The special actions in plan order: name, mean completion (%), tally in words and one count per conclusion."""
    rows = []
    for action in evaluation.plan.actions:
        found = evaluation.tallies[action.code]
        rows.append({"code": action.code, "name": name_of(action, lang), COMPLETION: _share(found.mean_completion),
                     CONCLUSION: tally_text(found, lang), **{c: found.counts[c] for c in conclusions()}})
    return pd.DataFrame(rows, columns=["code", "name", COMPLETION, CONCLUSION, *conclusions()])


def hierarchy_tallies(evaluation: Evaluation, lang: str) -> pd.DataFrame:
    """Plan → action → sub-item → indicator as (id, parent, label, conclusion, value, hover) rows: an indicator with
    its conclusion, a box above it with none (drawn neutral) and its tally and mean completion in the hover."""
    plan, rows = evaluation.plan, []

    def node(code: str, parent: str, label: str, conclusion: str, value: int, lines: Sequence[str]) -> None:
        rows.append({"id": code, "parent": parent, "label": label, "conclusion": conclusion, "value": value,
                     "hover": "<br>".join(wrap(hover_html(line)) for line in (label, *lines))})

    def boxed(code: str, parent: str, label: str) -> None:
        found = evaluation.tallies[code]
        node(code, parent, label, "", found.n, [tally_text(found, lang), t("ui.hierarchy.completion", lang,
                                                                           value=format_rate(found.mean_completion))])

    boxed(plan.info.code, "", t("ui.hierarchy.root", lang))
    for action in plan.actions:
        boxed(action.code, plan.info.code, name_of(action, lang))
    for sub in plan.sub_items:
        boxed(sub.code, sub.action_code, name_of(sub, lang))
    for indicator in plan.indicators:
        v = evaluation.verdicts[indicator.code]
        node(indicator.code, indicator.sub_item_code, name_of(indicator, lang), v.conclusion, 1,
             [conclusion_badge(KIND, v.conclusion, lang), v.explanation(lang)])
    return pd.DataFrame(rows, columns=["id", "parent", "label", "conclusion", "value", "hover"])


def unfinished_codes(evaluation: Evaluation) -> list[str]:
    """The indicators not completed, then those basically completed, the least complete first within each (one
    without a completion before any), plan order among equals: the final view's red-flag list in its order, sorted
    on plain columns before any row is built."""
    codes = [i.code for i in evaluation.plan.indicators]
    verdicts = [evaluation.verdicts[c] for c in codes]
    frame = pd.DataFrame({CODE: codes, "_rank": [UNFINISHED.index(v.conclusion) if v.conclusion in UNFINISHED else -1
                                                 for v in verdicts],
                          "_completion": pd.Series([v.completion for v in verdicts], dtype="float64").fillna(-9.0)})
    unfinished = frame[frame["_rank"] >= 0]
    by_completion = unfinished.sort_values("_completion", kind="stable")  # two stable sorts: plan order stays
    return by_completion.sort_values("_rank", kind="stable")[CODE].tolist()


def unfinished_keys(evaluation: Evaluation, standing: Standing,
                    codes: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(indicator, latest period) of every indicator not or only basically completed that has a value (or of those
    `codes`, the ones a short list shows): the values whose narratives (存在问题) the list shows."""
    if codes is not None:
        found = ((c, standing.assessments.get(c)) for c in codes)
        return [(c, a.latest_period.code) for c, a in found if a is not None and a.latest_period]
    return [(code, a.latest_period.code) for code, a in standing.assessments.items()
            if a.latest_period and code in evaluation.verdicts and evaluation.verdicts[code].conclusion in UNFINISHED]


def unfinished_rows(evaluation: Evaluation, standing: Standing, lang: str,
                    told: Mapping[tuple[str, str], tuple[str, str, str]] | None = None,
                    codes: Sequence[str] | None = None) -> pd.DataFrame:
    """The indicators not completed, then those basically completed (the least complete first): owner, 评估结论, its
    explanation and the 存在问题 the department sent with the value (`told`, per unfinished_keys), "—" when none;
    every one, or those `codes` (unfinished_codes cut short) in their order."""
    plan, told, rows = evaluation.plan, told or {}, []
    indicators = plan.indicator_map()
    for code in unfinished_codes(evaluation) if codes is None else codes:
        indicator, v, a = indicators[code], evaluation.verdicts[code], standing.assessments.get(code)
        key = (code, a.latest_period.code if a is not None and a.latest_period else "")
        rows.append({CODE: code, INDICATOR: name_of(indicator, lang),
                     LEAD: department_names(plan, [indicator.department], lang),
                     CONCLUSION: conclusion_badge(KIND, v.conclusion, lang), EXPLANATION: v.explanation(lang),
                     PROBLEMS: told.get(key, ("", "", ""))[1] or MISSING})
    return pd.DataFrame(rows, columns=[CODE, INDICATOR, LEAD, CONCLUSION, EXPLANATION, PROBLEMS])


def final_amount(indicator: IndicatorDef, verdict: Verdict, lang: str) -> str:
    """完成值 with its unit (1,003家), with its period when that is not of the target year (a stale value named as
    such); a milestone's as 已完成 / 未完成, "—" without one."""
    if indicator.kind == "milestone" or verdict.value is None:
        return final_value_text(indicator, verdict, lang)
    text, period = format_amount(verdict.value, indicator.unit, lang), verdict.value_period
    if period is not None and period.year != indicator.target_period.year:
        return t("evaluation.value-of-period", lang, value=text, period=period.label(lang))
    return text


def conclusion_words(conclusion: str, lang: str) -> str:
    """A conclusion in words alone (prose carries no shapes)."""
    return conclusion_name(KIND, conclusion, lang)

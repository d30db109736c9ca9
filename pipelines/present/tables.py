"""The completion table of Chinese progress reports (通报) and the overview's lists, as DataFrames from a Standing.

Columns are stable keys (the constants below); `localise` turns them into the catalog's headers for a language.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import pandas as pd

from models.columns import CODE, NOTE, PERIOD, SUBMISSION, SUBMITTED_AT, SUBMITTER, VALUE
from models.columns import DEPARTMENT as DEPARTMENT_CODE
from pipelines.core.catalog import messages, t
from pipelines.core.periods import Period, latest_period_ending_by, period_of_code
from pipelines.engine.progress import STATUS_GROUP, STATUSES, Assessment, Change
from pipelines.engine.status_rule import status_name
from pipelines.plan.records import IndicatorDef, PlanData
from pipelines.plan.standing import Standing
from pipelines.present.formatting import (
    MISSING,
    change_arrow,
    format_amount,
    format_number,
    format_points,
    format_rate,
    format_time,
    name_of,
    pace_class,
    status_badge,
    unit_word,
)

SEQ, SUB_ITEM, INDICATOR, UNIT, TARGET, ACTUAL = "seq", "sub_item", "indicator", "unit", "target", "actual"
COMPLETION, TIME_SHARE, GAP, STATUS, LEAD, SUPPORT = "completion", "time_share", "gap", "status", "lead", "support"
PROGRESS, PROBLEMS, NEXT_STEPS, TREND, PACE = "progress", "problems", "next_steps", "trend", "pace"
STATUS_CODE, GROUP, DEPARTMENT, EXPLANATION = "status_code", "group", "department", "explanation"
LEAD_CODE = "lead_code"
# The 通报 columns in the order reports print them (序号 | 子项 | 指标 | … | 下步措施).
REPORT_COLUMNS = (SEQ, SUB_ITEM, INDICATOR, UNIT, TARGET, ACTUAL, COMPLETION, TIME_SHARE, GAP, STATUS, LEAD, SUPPORT,
                  PROGRESS, PROBLEMS, NEXT_STEPS)
SORT_KEYS = (SEQ, COMPLETION, GAP)
PACES = ("ahead", "level", "behind")
GROUPS = ("green", "amber", "red", "grey")


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The same frame headed with the catalog's column names (序号, 完成率 …) for one language."""
    known = messages()
    return frame.rename(columns={c: t(f"ui.col.{c}", lang) for c in frame.columns if f"ui.col.{c}" in known})


def department_names(plan: PlanData, codes: Iterable[str], lang: str) -> str:
    names = {d.code: name_of(d, lang) for d in plan.departments}
    return ("、" if lang != "en" else "; ").join(names.get(code, code) for code in codes) or MISSING


def achieved_value(indicator: IndicatorDef, a: Assessment) -> float | None:
    """截至本期完成: the latest value, or for a yearly amount the year's running total (completion × target)."""
    if indicator.kind == "annual" and a.completion is not None:
        return a.completion * indicator.target
    return a.latest_value


def projected_value(indicator: IndicatorDef, a: Assessment) -> float | None:
    """目标期预测值: the trend's value at the target period, for an indicator still on its way; None once it has been
    achieved or its target period has come (a projection below a value already reached, or of a period that is
    already known, means nothing)."""
    if a.projected is None or a.status in ("achieved", "not_achieved"):
        return None
    if a.as_of.end_time >= indicator.target_period.end_time - 1e-9:
        return None
    return float(a.projected)


def _percent(share: float | None) -> float:
    return float("nan") if share is None else round(share * 100, 1)


def _values(indicator: IndicatorDef, value: float | None, lang: str) -> str:
    if indicator.kind == "milestone":
        return MISSING if value is None else t("ui.milestone.done" if value >= 1 else "ui.milestone.not-done", lang)
    return format_number(value)


def notes_of(current: pd.DataFrame, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The note (备注) sent with each (indicator, period) value asked for."""
    codes = {code for code, _ in keys}
    rows = current[current[CODE].isin(codes)]
    return {(c, p): n for c, p, n in zip(rows[CODE], rows[PERIOD], rows[NOTE]) if n}


def narratives_of(current: pd.DataFrame, narratives: pd.DataFrame,
                  keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """进展情况, 存在问题, 下步措施 written with the current value of each (indicator, period) asked for.

    A narrative belongs to the submission that sent the value: a later revision without one leaves the cells empty
    rather than showing words written about an older figure.
    """
    if narratives.empty:
        return {}
    wanted = set(keys)
    sent = {(c, p): s for c, p, s in zip(current[CODE], current[PERIOD], current[SUBMISSION]) if (c, p) in wanted}
    out = {}
    for c, p, s, progress, problems, steps in narratives[[CODE, PERIOD, SUBMISSION, "progress", "problems",
                                                          "next_steps"]].itertuples(index=False):
        if sent.get((c, p)) == s:
            out[(c, p)] = tuple("" if pd.isna(x) else str(x).strip() for x in (progress, problems, steps))
    return out  # type: ignore[return-value]


def trends_of(current: pd.DataFrame, codes: Sequence[str], as_of_end: float) -> dict[str, list[float]]:
    """Each indicator's reported values up to the cut-off, oldest first: what a sparkline draws."""
    rows = current[current[CODE].isin(set(codes))]
    ends = rows[PERIOD].map({p: period_of_code(p).end_time for p in rows[PERIOD].unique()})
    rows = rows.assign(_end=ends)[ends <= as_of_end + 1e-9].sort_values([CODE, "_end"])
    return {str(code): list(map(float, group[VALUE])) for code, group in rows.groupby(CODE, sort=False)}


def completion_table(standing: Standing, lang: str, action: str | None = None,
                     narratives: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator (of one action, or all) with the 通报 columns, the status code and the trend values.

    进展情况 / 存在问题 / 下步措施 come from the narratives sent with the current value (models.queries.
    read_value_narratives); without one, 进展情况 is the value's note (备注) and the other two are "—".
    """
    plan = standing.plan
    subs = {s.code: s for s in plan.sub_items if action is None or s.action_code == action}
    indicators = [i for i in plan.indicators if i.sub_item_code in subs]
    assessments = [standing.assessments[i.code] for i in indicators]
    keys = [(a.code, a.latest_period.code) for a in assessments if a.latest_period]
    notes = notes_of(standing.current, keys)
    told = narratives_of(standing.current, narratives, keys) if narratives is not None else {}
    trends = trends_of(standing.current, [i.code for i in indicators], standing.as_of.end_time)
    rows = []
    for number, (indicator, a) in enumerate(zip(indicators, assessments), start=1):
        key = (a.code, a.latest_period.code) if a.latest_period else None
        note = notes.get(key, "") if key else ""
        progress, problems, steps = told.get(key, ("", "", "")) if key else ("", "", "")
        rows.append({
            SEQ: number, CODE: indicator.code, SUB_ITEM: name_of(subs[indicator.sub_item_code], lang),
            INDICATOR: name_of(indicator, lang), UNIT: unit_word(indicator.unit, lang),
            TARGET: _values(indicator, indicator.target, lang),
            ACTUAL: _values(indicator, achieved_value(indicator, a), lang),
            COMPLETION: _percent(a.completion), TIME_SHARE: _percent(a.time_share),
            GAP: float("nan") if a.gap_points is None else round(a.gap_points, 1),
            STATUS: status_badge(a.status, lang), TREND: trends.get(indicator.code, []),
            LEAD: department_names(plan, [indicator.department], lang),
            SUPPORT: department_names(plan, indicator.supporting_departments, lang),
            PROGRESS: progress or note or MISSING, PROBLEMS: problems or MISSING, NEXT_STEPS: steps or MISSING,
            STATUS_CODE: a.status, GROUP: STATUS_GROUP[a.status], PACE: pace_class(a.gap_points),
            LEAD_CODE: indicator.department,
        })
    return pd.DataFrame(rows, columns=[*REPORT_COLUMNS, CODE, TREND, STATUS_CODE, GROUP, PACE, LEAD_CODE])


def filter_completion(frame: pd.DataFrame, groups: Sequence[str] = (), sub_item: str | None = None,
                      pace: str | None = None) -> pd.DataFrame:
    """Rows whose status group is among `groups` (all when empty), of one sub-item and one 序时 class when given."""
    keep = pd.Series(True, index=frame.index)
    if groups:
        keep &= frame[GROUP].isin(groups)
    if sub_item:
        keep &= frame[SUB_ITEM] == sub_item
    if pace:
        keep &= frame[PACE] == pace
    return frame[keep]


def sort_completion(frame: pd.DataFrame, by: str = SEQ, descending: bool = False) -> pd.DataFrame:
    """Sorted by 序号, 完成率 or 差值; rows without a number (milestones, no data) always last."""
    if by not in SORT_KEYS:
        raise ValueError(f"sort key must be one of {SORT_KEYS}, not {by!r}")
    return frame.sort_values(by, ascending=not descending, na_position="last", kind="stable")


def pace_lists(frame: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """超序时 / 按序时 / 滞后序时 items as 通报 attachments list them: 'name（+2.3个百分点）', most ahead first."""
    out: dict[str, list[str]] = {}
    for pace in PACES:
        rows = frame[frame[PACE] == pace].sort_values(GAP, ascending=False, kind="stable")
        out[pace] = [f"{name}（{format_points(gap, lang)}）" for name, gap in zip(rows[INDICATOR], rows[GAP])]
    return out


def export_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 通报 columns only, headed in the reader's language: what the XLSX download holds."""
    return localise(frame[list(REPORT_COLUMNS)], lang)


def sub_item_rows(standing: Standing, lang: str, action: str) -> pd.DataFrame:
    """Each sub-item of an action with its lead department, status, mean completion and roll-up explanation."""
    rows = []
    for sub in (s for s in standing.plan.sub_items if s.action_code == action):
        r = standing.rollups[sub.code]
        rows.append({"code": sub.code, SUB_ITEM: name_of(sub, lang),
                     LEAD: department_names(standing.plan, [sub.lead_department], lang),
                     STATUS: status_badge(r.status, lang), COMPLETION: _percent(r.mean_completion),
                     EXPLANATION: r.explanation(lang), STATUS_CODE: r.status})
    return pd.DataFrame(rows, columns=["code", SUB_ITEM, LEAD, STATUS, COMPLETION, EXPLANATION, STATUS_CODE])


def action_rows(standing: Standing, lang: str) -> pd.DataFrame:
    """The special actions with mean completion (%), status and roll-up explanation, in plan order."""
    rows = []
    for action in standing.plan.actions:
        r = standing.rollups[action.code]
        rows.append({"code": action.code, "name": name_of(action, lang), COMPLETION: _percent(r.mean_completion),
                     STATUS: status_badge(r.status, lang), STATUS_CODE: r.status, EXPLANATION: r.explanation(lang)})
    return pd.DataFrame(rows, columns=["code", "name", COMPLETION, STATUS, STATUS_CODE, EXPLANATION])


def status_counts(statuses: pd.Series) -> dict[str, int]:
    """How many indicators have each status, from a column of status codes."""
    return {str(status): int(n) for status, n in statuses.value_counts().items()}


def group_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Indicators per colour group (green, amber, red, grey) from counts per status."""
    out = dict.fromkeys(GROUPS, 0)
    for status, n in counts.items():
        out[STATUS_GROUP[status]] += n
    return out


def hierarchy_nodes(standing: Standing, lang: str) -> pd.DataFrame:
    """Plan → action → sub-item → indicator as (id, parent, label, status, value, hover) rows for a treemap/sunburst.

    Every indicator is a box of the picture, so a large plan's thousands are all built: each status's badge and the
    completion line's wording are looked up once, not once per box."""
    plan, rows = standing.plan, []
    root = plan.info.code
    badges: dict[str, str] = {s: status_badge(s, lang) for s in STATUSES}
    completion_line = t("ui.hierarchy.completion", lang, value="{value}")

    def node(code: str, parent: str, label: str, status: str, value: int, share: float | None) -> None:
        detail = completion_line.replace("{value}", format_rate(share))
        rows.append({"id": code, "parent": parent, "label": label, STATUS_CODE: status, "value": value,
                     "hover": f"{label}<br>{badges[status]}<br>{detail}"})

    node(root, "", t("ui.hierarchy.root", lang), standing.rollups[root].status, len(plan.indicators),
         standing.rollups[root].mean_completion)
    subs_of = plan.tree()
    for action in plan.actions:
        r = standing.rollups[action.code]
        size = sum(len(codes) for codes in subs_of[action.code].values())
        node(action.code, root, name_of(action, lang), r.status, size, r.mean_completion)
        for sub in (s for s in plan.sub_items if s.action_code == action.code):
            rs = standing.rollups[sub.code]
            node(sub.code, action.code, name_of(sub, lang), rs.status, len(subs_of[action.code][sub.code]),
                 rs.mean_completion)
    for indicator in plan.indicators:
        a = standing.assessments[indicator.code]
        node(indicator.code, indicator.sub_item_code, name_of(indicator, lang), a.status, 1, a.completion)
    return pd.DataFrame(rows)


def red_codes(standing: Standing) -> list[str]:
    """The red indicators' codes in the red-flag list's order: the furthest behind first (the lowest score; an
    indicator without one before any), plan order among equals. Sorted on plain columns before any row is built, so
    that a list drawn short (the overview's first rows) builds the rows it shows and no others."""
    codes = [i.code for i in standing.plan.indicators]
    found = [standing.assessments[c] for c in codes]
    frame = pd.DataFrame({CODE: codes, "_score": pd.Series([a.score for a in found], dtype="float64").fillna(-2.0)})
    red = frame[[STATUS_GROUP[a.status] == "red" for a in found]]
    return red.sort_values("_score", kind="stable")[CODE].tolist()


def red_keys(standing: Standing, codes: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(indicator, latest period) of every red indicator with a value (or of the red indicators `codes`, those a
    short list shows): the values whose narratives a red flag shows."""
    if codes is None:
        return [(c, a.latest_period.code) for c, a in standing.assessments.items()
                if STATUS_GROUP[a.status] == "red" and a.latest_period]
    found = ((c, standing.assessments[c]) for c in codes)
    return [(c, a.latest_period.code) for c, a in found if a.latest_period]


def red_flags(standing: Standing, lang: str, told: Mapping[tuple[str, str], tuple[str, str, str]] | None = None,
              codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicators in a red status with their owner and the engine's explanation, the furthest behind first (every
    one, or the red indicators `codes` in their order: red_codes cut short); with the 存在问题 and 下步措施 the
    department sent with the current value (`told`, per red_keys: models.queries.read_current_narratives, or
    narratives_of), "—" when it sent none."""
    plan, rows, told = standing.plan, [], told or {}
    indicators = plan.indicator_map()
    for code in red_codes(standing) if codes is None else codes:
        indicator, a = indicators[code], standing.assessments[code]
        _, problems, steps = told.get((code, a.latest_period.code if a.latest_period else ""), ("", "", ""))
        rows.append({CODE: code, INDICATOR: name_of(indicator, lang),
                     LEAD: department_names(plan, [indicator.department], lang), STATUS: status_badge(a.status, lang),
                     EXPLANATION: a.explanation(lang), PROBLEMS: problems or MISSING, NEXT_STEPS: steps or MISSING})
    return pd.DataFrame(rows, columns=[CODE, INDICATOR, LEAD, STATUS, EXPLANATION, PROBLEMS, NEXT_STEPS])


def red_flags_heading(standing: Standing, lang: str) -> str:
    """The red-flag list's heading as what it holds: 未达成指标 when every red indicator missed its target (a plan at
    its end), else 红灯指标： and the red statuses present (进度滞后、倒退); 红灯指标 alone for an empty list."""
    present = [s for s in STATUSES if STATUS_GROUP[s] == "red"
               and any(a.status == s for a in standing.assessments.values())]
    if present == ["not_achieved"]:
        return t("ui.red-flags.not-achieved", lang)
    if not present:
        return t("ui.red-flags.none", lang)
    sep = "、" if lang != "en" else ", "
    return t("ui.red-flags.heading", lang, statuses=sep.join(status_name(s, lang) for s in present))


def likely_codes(standing: Standing) -> list[str]:
    """The indicators the engine judges likely to meet their target (projection ≥ 95 % of the way, or achieved), in
    plan order."""
    return [i.code for i in standing.plan.indicators if standing.assessments[i.code].likely_to_meet]


def likely_rows(standing: Standing, lang: str, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicators likely to meet their target (every one, or those of likely_codes a short list shows) with their
    projection and target."""
    indicators, rows = standing.plan.indicator_map(), []
    for code in likely_codes(standing) if codes is None else codes:
        indicator, a = indicators[code], standing.assessments[code]
        rows.append({CODE: code, INDICATOR: name_of(indicator, lang), STATUS: status_badge(a.status, lang),
                     "projected": format_amount(projected_value(indicator, a), indicator.unit, lang),
                     TARGET: format_amount(indicator.target, indicator.unit, lang)})
    return pd.DataFrame(rows, columns=[CODE, INDICATOR, STATUS, "projected", TARGET])


def overdue_by_department(standing: Standing, lang: str) -> pd.DataFrame:
    """Departments with overdue reports: how many, which indicators, for which periods; the most overdue first."""
    plan, found = standing.plan, dict[str, list[tuple[IndicatorDef, Assessment]]]()
    for indicator in plan.indicators:
        a = standing.assessments[indicator.code]
        if a.overdue:
            found.setdefault(indicator.department, []).append((indicator, a))
    rows = [{DEPARTMENT: department_names(plan, [dept], lang), "count": len(items),
             INDICATOR: "、".join(f"{name_of(i, lang)}（{a.due_period.label(lang) if a.due_period else MISSING}）"
                                 for i, a in items)} for dept, items in found.items()]
    frame = pd.DataFrame(rows, columns=[DEPARTMENT, "count", INDICATOR])
    return frame.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


_GROUP_RANK = {"green": 0, "amber": 1, "red": 2}  # grey (no data) is neither better nor worse than anything
_CHANGE_ORDER = {"status": 0, "became_overdue": 1, "revision": 2, "new_value": 3}


def _status_arrow(before: str | None, after: str) -> str:
    """▲ moved to a better colour group, ▼ to a worse one; neutral ink, so red keeps meaning 'behind' only."""
    if before is None:
        return ""
    old, new = _GROUP_RANK.get(STATUS_GROUP[before]), _GROUP_RANK.get(STATUS_GROUP[after])
    if old is None or new is None or old == new:
        return ""
    return "▲" if new < old else "▼"


def _new_value_text(change: Change, indicator: IndicatorDef, after: Assessment, as_of: Period, lang: str) -> str:
    """A new value beside the one it follows, each with its period, so it never reads as a revision:
    较上季度（2025年第三季度）930家 → 本季度1,015家; 2024年为3个，2025年为5个; 2025年第四季度首次报送：1,015家."""
    new = format_amount(cast(float, change.after), indicator.unit, lang)
    period = after.latest_period
    if change.before is None or change.before_period is None:
        if change.before is None:
            return t("ui.change.first-value", lang, period=period.label(lang) if period else MISSING, after=new)
        return t("ui.change.new-value-plain", lang, before=format_amount(cast(float, change.before), indicator.unit,
                                                                           lang), after=new)
    before_period, old = period_of_code(change.before_period), format_amount(cast(float, change.before),
                                                                              indicator.unit, lang)
    previous_quarter = latest_period_ending_by(as_of.end_time - 0.25, "quarterly")
    if period == as_of and before_period == previous_quarter:
        return t("ui.change.new-value-quarter", lang, period=before_period.label(lang), before=old, after=new)
    return t("ui.change.new-value-text", lang, before_period=before_period.label(lang), before=old,
             period=period.label(lang) if period else MISSING, after=new)


def _change_row(change: Change, indicator: IndicatorDef, after: Assessment, as_of: Period,
                lang: str) -> dict[str, object]:
    if change.kind == "status":
        before = status_badge(str(change.before), lang) if change.before else MISSING
        text, arrow = f"{before} → {status_badge(str(change.after), lang)}", _status_arrow(
            str(change.before) if change.before else None, str(change.after))
    elif change.kind == "new_value":
        old, new = cast(float | None, change.before), cast(float, change.after)  # a new value's numbers
        text, arrow = _new_value_text(change, indicator, after, as_of, lang), change_arrow(old, new)
    else:
        due = after.due_period.label(lang) if after.due_period else MISSING
        text, arrow = t("ui.change.overdue-text", lang, period=due), ""
    return {"kind": t(f"ui.change.{change.kind}", lang), INDICATOR: name_of(indicator, lang), "arrow": arrow,
            "change": text}


def _text(value: object) -> str:
    """A cell read from the store as text: "" for an empty one (None, or NaN where pandas read a column of them)."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _revision_row(row: pd.Series, plan_map: Mapping[str, IndicatorDef], names: dict[str, str],
                  lang: str) -> dict[str, object]:
    indicator = plan_map[row[CODE]]
    department = _text(row[DEPARTMENT_CODE])
    who = " ".join(x for x in (names.get(department, department), _text(row[SUBMITTER])) if x)
    text = t("ui.change.revision-text", lang, period=period_of_code(row[PERIOD]).label(lang),
             before=format_amount(row["previous"], indicator.unit, lang),
             after=format_amount(row[VALUE], indicator.unit, lang), who=who or MISSING,
             when=format_time(row[SUBMITTED_AT], lang))
    return {"kind": t("ui.change.revision", lang), INDICATOR: name_of(indicator, lang),
            "arrow": change_arrow(row["previous"], row[VALUE]), "change": text}


CHANGE_COLUMNS = ("kind", INDICATOR, "arrow", "change")


def change_order(changes: Sequence[Change], standing: Standing) -> list[int]:
    """The positions in `changes` of those the changes table shows, in its order: status moves, reports now overdue,
    then new values, each kind in the order the engine lists them; a change of an indicator the plan does not hold
    is left out. Sorted on plain columns before any row is built (a large plan's quarter brings thousands)."""
    known = set(standing.plan.indicator_map()) & set(standing.assessments)
    frame = pd.DataFrame({"_order": [_CHANGE_ORDER[c.kind] for c in changes]})
    held = frame[[c.code in known for c in changes]]  # a set lookup each: cheaper than isin on a column of codes
    return held.sort_values("_order", kind="stable").index.tolist()


def changes_rows(changes: Sequence[Change], standing: Standing, lang: str,
                 picked: Sequence[int] | None = None) -> pd.DataFrame:
    """What changed since the previous quarter: status moves, reports now overdue, new values (each beside the value
    it follows); every change, or those at the positions `picked` (change_order cut short) in their order. Revised
    past values are a list of their own (revision_rows)."""
    plan_map = standing.plan.indicator_map()
    rows = [_change_row(changes[i], plan_map[changes[i].code], standing.assessments[changes[i].code], standing.as_of,
                        lang) for i in (change_order(changes, standing) if picked is None else picked)]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def revision_order(revisions: pd.DataFrame, standing: Standing) -> list[int]:
    """The positions (0, 1, …) in `revisions` of the plan's indicators' revised values, in the order they were read."""
    known = standing.plan.indicator_map()
    return [n for n, code in enumerate(revisions[CODE].tolist()) if code in known]


def revision_rows(revisions: pd.DataFrame, standing: Standing, lang: str,
                  picked: Sequence[int] | None = None) -> pd.DataFrame:
    """Past values revised since the previous quarter was briefed: period, old → new, who and when; every one, or
    those at the positions `picked` (revision_order cut short)."""
    plan_map = standing.plan.indicator_map()
    names = {d.code: name_of(d, lang) for d in standing.plan.departments}
    chosen = revisions.iloc[list(revision_order(revisions, standing) if picked is None else picked)]
    rows = [_revision_row(r, plan_map, names, lang) for _, r in chosen.iterrows()]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def shows_illustrative(plan: PlanData, submissions: pd.DataFrame) -> bool:
    """True when any plan figure is marked 示例 or any value came from the shipped sample submissions."""
    if any(i.illustrative for i in plan.indicators):
        return True
    if submissions.empty:
        return False
    by_sample = (submissions["channel"] == "sample").any()
    return bool(by_sample or submissions["submitter"].fillna("").str.contains("示例").any())


@dataclass(frozen=True)
class Headline:
    """The overview's headline numbers, all straight from the engine's plan roll-up and assessments."""

    completion: float | None  # the plan's mean completion (capped at 1 per indicator)
    status: str
    indicators: int
    likely: int  # indicators judged likely to meet their target (achieved ones included)
    overdue: int  # indicators with an overdue report
    counts: dict[str, int]  # indicators per status
    groups: dict[str, int]  # indicators per colour group


def headline(standing: Standing) -> Headline:
    plan = standing.rollups[standing.plan.info.code]
    assessments = standing.assessments.values()
    return Headline(plan.mean_completion, plan.status, len(standing.plan.indicators),
                    sum(a.likely_to_meet for a in assessments), sum(a.overdue for a in assessments),
                    dict(plan.counts), group_counts(plan.counts))

"""The plans in the store: load one (replacing its own rows, leaving every other plan as it was), read one back with
its `final` baselines resolved from the approved values, list them, and the series view a department's file is
checked against (every series any plan targets, with the spans in which its values are accepted).

An indicator code names one series shared by every plan that targets it: two plans may not give it a different unit,
kind, direction or frequency. Names, owner and 口径 are the series' too; the latest load sets them.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Table, delete, func, insert, select, text

from models.columns import CODE, PERIOD, SUBMISSION, VALUE
from models.queries import read_current_values
from models.schema import (
    Action,
    Department,
    Evidence,
    Goal,
    Indicator,
    Observation,
    Plan,
    PlanDepartment,
    PlanIndicator,
    SubItem,
    Submission,
    ValueNarrative,
)
from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import Period, period_of_code, periods_between
from pipelines.plan.records import BaselineSource, IndicatorDef, Named, PlanData, PlanInfo, SubItemDef, split_codes
from pipelines.store.tasks import delete_tasks, insert_tasks, read_tasks, task_code_conflicts

SERIES_ATTRIBUTES = ("unit", "kind", "direction", "frequency")  # one series, one meaning: refused when plans differ
DROPPED = "dropped"


# ---- load ------------------------------------------------------------------------------------------------------

def save_plan(conn: Connection, plan: PlanData, now: dt.datetime) -> list[Issue]:
    """Store one plan's rows (a new plan, or the same plan updated); refuse, changing nothing, a series that another
    plan gives another unit, kind, direction or frequency, and a `final` baseline or `continues` code with no series
    of the previous plan behind it."""
    others = [p for p in plans_in_store(conn) if p.code != plan.info.code]
    problems = (_series_conflicts(conn, plan) + _lineage_problems(conn, plan, others) + _dropped_in_use(conn, plan)
                + task_code_conflicts(conn, plan))
    if problems:
        return problems
    _replace_plan_rows(conn, plan, now)
    return []


def _series_conflicts(conn: Connection, plan: PlanData) -> list[Issue]:
    codes = [i.code for i in plan.indicators]
    if not codes:
        return []
    rows = conn.execute(
        select(Indicator.code, Indicator.unit, Indicator.kind, Indicator.direction, Indicator.frequency,
               PlanIndicator.plan_code, Plan.folder)
        .join(PlanIndicator, PlanIndicator.code == Indicator.code).join(Plan, Plan.code == PlanIndicator.plan_code)
        .where(Indicator.code.in_(codes), PlanIndicator.plan_code != plan.info.code)).all()
    mine = plan.indicator_map()
    file = _file_of(plan.info, "indicators.csv")
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        indicator = mine[row.code]
        for column in SERIES_ATTRIBUTES:
            theirs, ours = getattr(row, column), getattr(indicator, column)
            if theirs != ours and (row.code, column) not in seen:
                seen.add((row.code, column))
                issues.append(make_issue(file, _row_of(plan, row.code), column, "plan-series-conflict", ours,
                                         code=row.code, other_plan=row.plan_code, other_value=theirs,
                                         other_file=_file_of_folder(row.folder, row.plan_code, "indicators.csv")))
    return issues


def _dropped_in_use(conn: Connection, plan: PlanData) -> list[Issue]:
    """An indicator this plan already targets and that holds values may not vanish from it on a reload (its values
    would drop out of the plan's standing unseen); a plan that ends its target is a new plan without it."""
    kept = {i.code for i in plan.indicators}
    gone = [c for c in _plan_codes(conn, plan.info.code) if c not in kept]
    if not gone:
        return []
    used = conn.execute(select(Observation.indicator_code, func.count()).where(Observation.indicator_code.in_(gone))
                        .group_by(Observation.indicator_code)).all()
    return [make_issue("indicators.csv", None, "code", "plan-indicator-in-use", n, code=code) for code, n in used]


def _lineage_problems(conn: Connection, plan: PlanData, others: Sequence[PlanInfo]) -> list[Issue]:
    """A `final` baseline or a `continues` code needs a series of the previous plan to come from."""
    previous = previous_plan(others, plan.info)
    theirs = set(_plan_codes(conn, previous.code)) if previous else set()
    file = _file_of(plan.info, "indicators.csv")
    issues = []
    for indicator in plan.indicators:
        source = indicator.continues or indicator.code
        if (indicator.baseline_final or indicator.continues) and source not in theirs:
            column = "continues" if indicator.continues else "baseline"
            issues.append(make_issue(file, _row_of(plan, indicator.code), column, "plan-no-previous-series",
                                     indicator.continues or "final", code=indicator.code, source=source,
                                     previous=previous.code if previous else "—"))
    return issues


def _row_of(plan: PlanData, code: str) -> int | None:
    """The indicator's row in indicators.csv as Excel numbers it (None for a plan not read from a folder)."""
    return plan.indicator(code).row or None


def _file_of(info: PlanInfo, name: str) -> str:
    return _file_of_folder(info.folder, info.code, name)


def _file_of_folder(folder: str, code: str, name: str) -> str:
    return f"{folder or code}/{name}"


def _replace_plan_rows(conn: Connection, plan: PlanData, now: dt.datetime) -> None:
    info, code = plan.info, plan.info.code
    row = {"code": code, "name_zh": info.name_zh, "name_en": info.name_en, "start_period": info.start_period.code,
           "end_period": info.end_period.code, "status_rule": info.status_rule,
           "thresholds_json": json.dumps(dict(info.thresholds)), "due_days": info.due_days, "loaded_at": now,
           "draft": info.draft, "folder": info.folder, "basic_threshold": info.basic_threshold}
    _upsert(conn, Plan, [row])
    delete_tasks(conn, code)  # they point at the plan's sub-items
    for model in (PlanIndicator, SubItem, Action, Goal, PlanDepartment):  # children first
        conn.execute(delete(model).where(model.plan_code == code))
    _upsert(conn, Department, [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en, "position": n}
                               for n, d in enumerate(plan.departments)], keep_position=True)
    _insert(conn, PlanDepartment, [{"plan_code": code, "department_code": d.code, "position": n}
                                   for n, d in enumerate(plan.departments)])
    _insert(conn, Goal, [{"plan_code": code, "code": g.code, "name_zh": g.name_zh, "name_en": g.name_en,
                          "position": n} for n, g in enumerate(plan.goals)])
    _insert(conn, Action, [{"plan_code": code, "code": a.code, "name_zh": a.name_zh, "name_en": a.name_en,
                            "description_zh": a.description_zh, "position": n} for n, a in enumerate(plan.actions)])
    _insert(conn, SubItem, [{"plan_code": code, "code": s.code, "action_code": s.action_code, "name_zh": s.name_zh,
                             "name_en": s.name_en, "lead_department": s.lead_department, "position": n}
                            for n, s in enumerate(plan.sub_items)])
    _upsert(conn, Indicator, [_series_row(i) for i in plan.indicators])
    _insert(conn, PlanIndicator, [_target_row(code, i, n) for n, i in enumerate(plan.indicators)])
    insert_tasks(conn, plan)
    _delete_unused(conn)


def _series_row(i: IndicatorDef) -> dict[str, object]:
    return {"code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "unit": i.unit, "direction": i.direction,
            "kind": i.kind, "department": i.department, "supporting_departments": ";".join(i.supporting_departments),
            "frequency": i.frequency, "definition_zh": i.definition_zh}


def _target_row(plan_code: str, i: IndicatorDef, position: int) -> dict[str, object]:
    return {
        "plan_code": plan_code, "code": i.code, "sub_item_code": i.sub_item_code, "goal_code": i.goal_code,
        "name_zh": i.name_zh, "name_en": i.name_en, "definition_zh": i.definition_zh,
        "baseline": None if i.baseline_final else i.baseline, "baseline_final": i.baseline_final,
        "baseline_period": i.baseline_period.code, "target": i.target, "target_period": i.target_period.code,
        "source": i.source, "illustrative": i.illustrative, "lineage": i.lineage, "continues": i.continues,
        "position": position,
    }


def _insert(conn: Connection, model: type[Any], rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(insert(model), rows)


def _upsert(conn: Connection, model: type[Plan | Department | Indicator], rows: list[dict[str, object]],
            keep_position: bool = False) -> None:
    """Update rows that exist and insert the others, keyed by code (values keep pointing at the same rows). A
    department shared by several plans keeps the place it was first given."""
    have = set(conn.execute(select(model.code)).scalars())
    table: Table = model.__table__  # type: ignore[assignment]  # Core: a plain UPDATE of the named columns
    for row in (r for r in rows if r["code"] in have):
        values = {k: v for k, v in row.items() if not (keep_position and k == "position")}
        conn.execute(table.update().where(table.c.code == row["code"]).values(**values))
    fresh = [r for r in rows if r["code"] not in have]
    if fresh:
        start = len(have) if keep_position else 0
        conn.execute(insert(model), [{**r, "position": start + n} if keep_position else r
                                     for n, r in enumerate(fresh)])


def _delete_unused(conn: Connection) -> None:
    """Series no plan targets any more and that hold nothing; departments nothing names."""
    targeted = select(PlanIndicator.code)
    held = [select(Observation.indicator_code), select(ValueNarrative.indicator_code), select(Evidence.indicator_code)]
    conn.execute(delete(Indicator).where(Indicator.code.not_in(targeted), *[Indicator.code.not_in(h) for h in held]))
    named = [select(PlanDepartment.department_code), select(Indicator.department), select(SubItem.lead_department),
             select(Submission.department).where(Submission.department.is_not(None))]
    conn.execute(delete(Department).where(*[Department.code.not_in(n) for n in named]))


# ---- read ------------------------------------------------------------------------------------------------------

def plans_in_store(conn: Connection) -> list[PlanInfo]:
    """Every plan in the store, by start (then code); drafts included (callers hide them from all but admins)."""
    return [_info(r) for r in conn.execute(text("SELECT * FROM plan ORDER BY start_period, code")).all()]


def _info(p: Any) -> PlanInfo:
    return PlanInfo(str(p.code), str(p.name_zh), str(p.name_en), period_of_code(str(p.start_period)),
                    period_of_code(str(p.end_period)), str(p.status_rule),
                    tuple(sorted(json.loads(p.thresholds_json or "{}").items())), int(p.due_days),
                    bool(p.draft), str(p.folder or ""), float(p.basic_threshold))


def previous_plan(plans: Iterable[PlanInfo], plan: PlanInfo) -> PlanInfo | None:
    """The latest-ending plan that ends before `plan` starts (an overlapping bridge plan is not one); drafts aside."""
    before = [p for p in plans if p.code != plan.code and not p.draft
              and p.end_period.end_time <= plan.start_period.start_time + 1e-9]
    return max(before, key=lambda p: (p.end_period.end_time, p.start_period.start_time, p.code), default=None)


def default_plan(plans: Sequence[PlanInfo], today: dt.date, admin: bool = False) -> PlanInfo | None:
    """What the dashboard opens on: the plan in force today with the latest start; if none is, the latest ended plan;
    else the first to start. Drafts only for admins."""
    seen = [p for p in plans if admin or not p.draft]
    in_force = [p for p in seen if p.state(today) == "in_force"]
    if in_force:
        return max(in_force, key=lambda p: (p.start_period.start_time, p.code))
    ended = [p for p in seen if p.state(today) == "ended"]
    if ended:
        return max(ended, key=lambda p: (p.end_period.end_time, p.code))
    return min(seen, key=lambda p: (p.start_period.start_time, p.code), default=None)


def plan_from_store(conn: Connection, code: str | None = None) -> PlanData | None:
    """One plan as stored (its `final` baselines resolved from the approved values as they are now); without a code
    the store's only plan, or of several the latest to start that is not a draft. None when there is no such plan."""
    plans = plans_in_store(conn)
    info = _choose(plans, code)
    if info is None:
        return None
    departments = tuple(Named(r.code, r.name_zh, r.name_en) for r in conn.execute(text(
        "SELECT d.code, d.name_zh, d.name_en FROM plan_department p JOIN department d ON d.code = p.department_code "
        "WHERE p.plan_code = :plan ORDER BY p.position"), {"plan": info.code}))
    goals = tuple(Named(r.code, r.name_zh, r.name_en) for r in _plan_rows(conn, "plan_goal", info.code))
    actions = tuple(Named(r.code, r.name_zh, r.name_en, r.description_zh or "")
                    for r in _plan_rows(conn, "plan_action", info.code))
    subs = tuple(SubItemDef(r.code, r.action_code, r.name_zh, r.name_en, r.lead_department)
                 for r in _plan_rows(conn, "plan_sub_item", info.code))
    previous = previous_plan(plans, info)
    indicators = cast("tuple[IndicatorDef, ...]", _shaped(conn, "targets", info.code, lambda: _with_lineage(
        _targets(conn, info.code), set(_plan_codes(conn, previous.code)) if previous else None)))
    if any(i.baseline_final for i in indicators):
        indicators = resolve_baselines(indicators, _source_values(conn, indicators), previous)
    return PlanData(info, departments, goals, actions, subs, indicators, tasks=read_tasks(conn, info.code))


@dataclass(frozen=True)
class PlanOutline:
    """What keeping a plan's standings after a small change needs of it, read without building every indicator: the
    plan's row, its tree (action → sub-item → indicators, in plan order, as PlanData.tree gives it), each indicator's
    place and the series it draws on."""

    info: PlanInfo
    tree: dict[str, dict[str, list[str]]]
    positions: dict[str, int]
    series: dict[str, tuple[str, ...]]

    def series_codes(self) -> set[str]:
        return {c for codes in self.series.values() for c in codes}


def plan_outline(conn: Connection, code: str) -> PlanOutline | None:
    """The plan's outline, read once per load of the plans (callers never change it)."""
    return cast("PlanOutline | None", _shaped(conn, "outline", code, lambda: _plan_outline(conn, code)))


def _plan_outline(conn: Connection, code: str) -> PlanOutline | None:
    info = _choose(plans_in_store(conn), code)
    if info is None:
        return None
    tree: dict[str, dict[str, list[str]]] = {r.code: {} for r in _plan_rows(conn, "plan_action", info.code)}
    for sub in _plan_rows(conn, "plan_sub_item", info.code):
        tree[sub.action_code][sub.code] = []
    owner = {sub: action for action, subs in tree.items() for sub in subs}
    positions: dict[str, int] = {}
    series: dict[str, tuple[str, ...]] = {}
    for n, (indicator, sub_item, continues) in enumerate(conn.execute(text(
            "SELECT code, sub_item_code, continues FROM plan_indicator WHERE plan_code = :plan ORDER BY position"),
            {"plan": info.code})):
        tree[owner[sub_item]][sub_item].append(indicator)
        positions[indicator] = n
        series[indicator] = (continues, indicator) if continues else (indicator,)
    return PlanOutline(info, tree, positions, series)


def plan_indicators(conn: Connection, code: str, codes: Sequence[str]) -> tuple[IndicatorDef, ...]:
    """Some of a plan's indicators, read alone, to be assessed as plan_from_store's would be: their `final`
    baselines resolved from the approved values now (an empty lineage is left empty: it is not assessed)."""
    plans = plans_in_store(conn)
    info = _choose(plans, code)
    if info is None or not codes:
        return ()
    previous = previous_plan(plans, info)
    indicators = _targets(conn, info.code, codes)
    if any(i.baseline_final for i in indicators):
        indicators = resolve_baselines(indicators, _source_values(conn, indicators), previous)
    return indicators


# What is read of the plans alone (no values) is kept per process, for a few stores and loads: a change of the values
# then costs no re-reading of thousands of plan rows. It is keyed on the store and on when each plan was last loaded
# (save_plan stamps every load), so that a plan loaded again is read again.
_SHAPES: OrderedDict[tuple[object, ...], object] = OrderedDict()
_SHAPES_KEPT = 32
_SHAPES_LOCK = threading.Lock()


def _shaped(conn: Connection, kind: str, code: str, read: Callable[[], object]) -> object:
    loads = tuple(tuple(r) for r in conn.execute(text("SELECT code, loaded_at FROM plan ORDER BY code")))
    key = (conn.engine.url.render_as_string(hide_password=True), loads, kind, code)  # no password kept in a key
    with _SHAPES_LOCK:
        if key in _SHAPES:
            _SHAPES.move_to_end(key)
            return _SHAPES[key]
    found = read()
    with _SHAPES_LOCK:
        _SHAPES[key] = found
        while len(_SHAPES) > _SHAPES_KEPT:
            _SHAPES.popitem(last=False)
    return found


def default_code(conn: Connection) -> str:
    """The plan code plan_from_store reads when none is named ('' for a store without plans)."""
    chosen = _choose(plans_in_store(conn), None)
    return chosen.code if chosen else ""


def series_codes(plan: PlanData) -> set[str]:
    """Every series a plan's indicators draw on: their own codes and the codes they continue."""
    return {c for i in plan.indicators for c in i.series_codes}


def _choose(plans: Sequence[PlanInfo], code: str | None) -> PlanInfo | None:
    if code is not None:
        return next((p for p in plans if p.code == code), None)
    if len(plans) <= 1:
        return plans[0] if plans else None
    shown = [p for p in plans if not p.draft] or list(plans)
    return max(shown, key=lambda p: (p.start_period.start_time, p.code))


def _plan_rows(conn: Connection, table: str, plan: str) -> Sequence[Any]:
    """A plan table's rows of one plan in plan order."""
    assert table in {"plan_goal", "plan_action", "plan_sub_item"}, table
    return conn.execute(text(f"SELECT * FROM {table} WHERE plan_code = :plan ORDER BY position"),
                        {"plan": plan}).all()


def _plan_codes(conn: Connection, plan: str) -> list[str]:
    return list(conn.execute(select(PlanIndicator.code).where(PlanIndicator.plan_code == plan)
                             .order_by(PlanIndicator.position)).scalars())


_TARGETS = """
SELECT t.code, t.sub_item_code, t.goal_code, t.name_zh, t.name_en, s.unit, s.direction, s.kind, t.baseline,
       t.baseline_period, t.target, t.target_period, s.department, s.supporting_departments, s.frequency,
       t.definition_zh, t.source, t.baseline_final, t.lineage, t.continues
FROM plan_indicator t JOIN indicator s ON s.code = t.code
WHERE t.plan_code = :plan ORDER BY t.position
"""


def _targets(conn: Connection, plan: str, codes: Sequence[str] | None = None) -> tuple[IndicatorDef, ...]:
    """The plan's indicators (or some of them), rows as plain tuples (a large plan has thousands)."""
    sql, params = _TARGETS, {"plan": plan}
    if codes is not None:
        names = [f"c{i}" for i in range(len(codes))]
        params |= dict(zip(names, codes))
        sql = sql.replace("ORDER BY", f"AND t.code IN ({', '.join(':' + n for n in names) or 'NULL'}) ORDER BY")
    return tuple(IndicatorDef(
        code, sub_item, goal or None, name_zh, name_en, unit, direction, kind,
        math.nan if final or baseline is None else float(baseline), period_of_code(baseline_period), float(target),
        period_of_code(target_period), department, split_codes(supporting or ""), frequency, definition or "",
        source or "", bool(final), lineage or "", continues or "",
    ) for (code, sub_item, goal, name_zh, name_en, unit, direction, kind, baseline, baseline_period, target,
           target_period, department, supporting, frequency, definition, source, final, lineage, continues)
        in conn.execute(text(sql), params))


def _with_lineage(indicators: tuple[IndicatorDef, ...], previous: set[str] | None) -> tuple[IndicatorDef, ...]:
    """Empty lineage filled in: `continued` when it continues a code or the previous plan targets its own code, else
    `new`; left empty for a plan with no previous plan."""
    if previous is None:
        return indicators
    return tuple(i if i.lineage else replace(i, lineage="continued" if i.continues or i.code in previous else "new")
                 for i in indicators)


def _source_values(conn: Connection, indicators: Iterable[IndicatorDef]) -> pd.DataFrame:
    """The approved values `final` baselines are made of: the baseline periods of the series they come from."""
    finals = [i for i in indicators if i.baseline_final]
    codes = sorted({i.continues or i.code for i in finals})
    periods = sorted({p.code for i in finals for p in baseline_periods(i)})
    return read_current_values(conn, codes, periods)


def baseline_periods(indicator: IndicatorDef) -> list[Period]:
    """The periods whose values make a `final` baseline: the baseline period in the series' frequency (a year means
    its last period, e.g. 2025Q4) — or, for an `annual` kind, every period of the year (their sum: the year's
    total)."""
    period, frequency = indicator.baseline_period, indicator.frequency
    if period.kind != "Y" or frequency == "annual":
        return [period]
    parts = periods_between(period_of_code(f"{period.year}Q1" if frequency == "quarterly" else f"{period.year}H1"),
                            period_of_code(f"{period.year}Q4" if frequency == "quarterly" else f"{period.year}H2"),
                            frequency)
    return parts if indicator.kind == "annual" else parts[-1:]


def resolve_baselines(indicators: tuple[IndicatorDef, ...], values: pd.DataFrame, previous: PlanInfo | None
                      ) -> tuple[IndicatorDef, ...]:
    """Each `final` baseline as the approved value(s) of its series now (NaN, 暂无基期值, until they exist)."""
    found = {(c, p): (float(v), int(s)) for c, p, v, s in
             values[[CODE, PERIOD, VALUE, SUBMISSION]].itertuples(index=False, name=None)}
    out = []
    for indicator in indicators:
        if not indicator.baseline_final:
            out.append(indicator)
            continue
        source, periods = indicator.continues or indicator.code, baseline_periods(indicator)
        hits = [found.get((source, p.code)) for p in periods]
        if any(h is None for h in hits):
            out.append(replace(indicator, baseline=math.nan, baseline_from=None))
            continue
        total = sum(h[0] for h in hits if h is not None)
        origin = BaselineSource(previous.code if previous else "", source, indicator.baseline_period,
                                tuple(sorted({h[1] for h in hits if h is not None})))
        out.append(replace(indicator, baseline=total, baseline_from=origin))
    return tuple(out)


# ---- the series view ---------------------------------------------------------------------------------------------

SERIES_VIEW = "*"  # the series view's plan code


def series_view(conn: Connection) -> PlanData | None:
    """Every series any plan (not a draft) targets (see _series_view), built once per load of the plans."""
    return cast("PlanData | None", _shaped(conn, "series", "", lambda: _series_view(conn)))


def _series_view(conn: Connection) -> PlanData | None:
    """Every series any plan (not a draft) targets, for checking a department's file: each as its latest-starting plan
    words it, accepted in the spans of the plans that target it. None for a store without plans."""
    plans = [p for p in plans_in_store(conn) if not p.draft]
    if not plans:
        return None
    spans: dict[str, list[tuple[Period, Period]]] = {}
    due: dict[str, list[tuple[Period, Period]]] = {}
    chosen: dict[str, IndicatorDef] = {}
    order: list[str] = []
    for info in plans:  # by start: a later plan's wording replaces an earlier one's
        for indicator in _targets(conn, info.code):
            if indicator.code not in chosen:
                order.append(indicator.code)
            chosen[indicator.code] = indicator
            spans.setdefault(indicator.code, []).append((info.start_period, info.end_period))
            due.setdefault(indicator.code, []).append((indicator.baseline_period, indicator.target_period))
    departments = tuple(Named(r.code, r.name_zh, r.name_en) for r in conn.execute(
        text("SELECT code, name_zh, name_en FROM department ORDER BY position")))
    first, last = min(plans, key=lambda p: p.start_period), max(plans, key=lambda p: p.end_period)
    newest = max(plans, key=lambda p: (p.start_period.start_time, p.code))  # names the 一表通 template
    info = PlanInfo(SERIES_VIEW, newest.name_zh, newest.name_en, first.start_period, last.end_period,
                    due_days=max(p.due_days for p in plans))
    windows = tuple((code, tuple(spans[code])) for code in order)
    return PlanData(info, departments, (), (), (), tuple(chosen[c] for c in order), windows,
                    tuple((code, tuple(due[code])) for code in order), tuple(plans),
                    tuple(task for p in plans for task in read_tasks(conn, p.code)))  # their 重点任务 too


# ---- lineage -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineageRow:
    """One indicator of a plan beside its previous plan: continued, adjusted, new — or dropped (the previous plan's
    indicator this plan does not carry on)."""

    code: str
    lineage: str
    previous_code: str
    previous_plan: str
    baseline: float | None
    baseline_source: BaselineSource | None
    name_zh: str
    name_en: str


def lineage_rows(conn: Connection, plan: PlanData) -> list[LineageRow]:
    """The plan's indicators in order with their lineage, then the previous plan's dropped ones."""
    previous = previous_plan(plans_in_store(conn), plan.info)
    before = plan_from_store(conn, previous.code) if previous else None
    rows = []
    carried: set[str] = set()
    theirs = before.indicator_map() if before is not None else {}
    for i in plan.indicators:
        source = i.continues or (i.code if i.code in theirs else "")
        carried.add(source)
        rows.append(LineageRow(i.code, i.lineage or "new", source, previous.code if previous and source else "",
                               i.baseline if i.has_baseline else None, i.baseline_from, i.name_zh, i.name_en))
    if before is not None:
        rows += [LineageRow(i.code, DROPPED, i.code, before.info.code, None, None, i.name_zh, i.name_en)
                 for i in before.indicators if i.code not in carried]
    return rows

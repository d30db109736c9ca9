"""The plan's checks: every problem of a plan read as tables, each an Issue naming its file, row and column."""
from __future__ import annotations

import math

from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import FREQUENCIES, Period, parse_period
from pipelines.engine.progress import DIRECTIONS, KINDS
from pipelines.engine.status_rule import status_rule_from
from pipelines.plan.records import LINEAGES, split_codes
from pipelines.plan.task_checks import TASK_REQUIRED, TASKS, check_tasks

FINAL = "final"  # a baseline written as this word: the continued series' approved value at the baseline period

FILES: dict[str, tuple[str, ...]] = {
    "plan.csv": ("code", "name_zh", "name_en", "start_period", "end_period"),
    "departments.csv": ("code", "name_zh", "name_en"),
    "goals.csv": ("code", "name_zh", "name_en"),
    "actions.csv": ("code", "name_zh", "name_en", "description_zh"),
    "sub_items.csv": ("code", "action_code", "name_zh", "name_en", "lead_department"),
    "indicators.csv": (
        "code", "sub_item_code", "goal_code", "name_zh", "name_en", "unit", "direction", "kind", "baseline",
        "baseline_period", "target", "target_period", "department", "supporting_departments", "frequency",
        "definition_zh", "source",
    ),
}
_REQUIRED_VALUES = {"code", "name_zh", "name_en", "start_period", "end_period", "action_code", "lead_department",
                    "sub_item_code", "unit", "department", "direction", "kind", "frequency", "baseline", "target",
                    "baseline_period", "target_period"}

Rows = list[tuple[int, dict[str, str]]]  # (row as in Excel, cells)


def check_plan_tables(tables: dict[str, Rows]) -> list[Issue]:
    """Every problem of a plan read as tables: empty cells, duplicates, unknown references, values, logic."""
    issues: list[Issue] = []
    for name, rows in tables.items():
        issues += _check_empty(name, rows) + _check_duplicates(name, rows)
    issues += _check_plan_row(tables["plan.csv"])
    issues += _check_references(tables)
    plan_end = _plan_end(tables["plan.csv"])
    for row, cells in tables["indicators.csv"]:
        issues += _check_indicator(row, cells, plan_end)
    if TASKS in tables:
        known = {name: {cells.get("code", "") for _, cells in tables[name]} for name in ("sub_items.csv",
                                                                                          "departments.csv")}
        (_, plan), = tables["plan.csv"] if len(tables["plan.csv"]) == 1 else ((0, {}),)
        issues += check_tasks(tables[TASKS], known["sub_items.csv"], known["departments.csv"],
                              parse_period(plan.get("start_period")), parse_period(plan.get("end_period")))
    return issues


def _check_empty(name: str, rows: Rows) -> list[Issue]:
    if name == TASKS:
        return [make_issue(name, row, column, "plan-empty", "")
                for row, cells in rows for column in TASK_REQUIRED if not cells.get(column)]
    return [make_issue(name, row, column, "plan-empty", "")
            for row, cells in rows for column in FILES[name]
            if column in _REQUIRED_VALUES and not cells.get(column)]


def _check_duplicates(name: str, rows: Rows) -> list[Issue]:
    first: dict[str, int] = {}
    issues = []
    for row, cells in rows:
        code = cells.get("code", "")
        if code and code in first:
            issues.append(make_issue(name, row, "code", "plan-duplicate-code", code, other_row=first[code]))
        first.setdefault(code, row)
    return issues


def _check_plan_row(rows: Rows) -> list[Issue]:
    if len(rows) != 1:
        return [make_issue("plan.csv", None, "", "plan-one-row", len(rows))]
    row, cells = rows[0]
    issues = [make_issue("plan.csv", row, c, "plan-bad-period", cells[c])
              for c in ("start_period", "end_period") if cells.get(c) and parse_period(cells[c]) is None]
    start, end = parse_period(cells.get("start_period")), parse_period(cells.get("end_period"))
    if start and end and not start < end:
        issues.append(_order_issue("plan.csv", row, "end_period", end, "start_period", start))
    issues += _check_status_rule(row, cells)
    due = cells.get("due_days", "") or "15"
    if not due.isdigit():
        issues.append(make_issue("plan.csv", row, "due_days", "plan-bad-number", due))
    basic = parse_number(cells.get("basic_threshold", "") or "0.9")
    if basic is None or not 0 < basic <= 1:
        issues.append(make_issue("plan.csv", row, "basic_threshold", "plan-bad-share", cells["basic_threshold"]))
    if cells.get("draft", "") not in DRAFT_WORDS:
        issues.append(make_issue("plan.csv", row, "draft", "plan-bad-choice", cells["draft"], allowed="1 / 0"))
    return issues


DRAFT_WORDS = {"": False, "0": False, "1": True, "是": True, "否": False, "true": True, "false": False}


def _check_status_rule(row: int, cells: dict[str, str]) -> list[Issue]:
    bad = [make_issue("plan.csv", row, key, "plan-bad-number", value)
           for key, value in cells.items() if key.startswith("threshold_") and value and parse_number(value) is None]
    if bad:
        return bad
    name = cells.get("status_rule") or "ratio"
    try:
        status_rule_from(name, thresholds_of(cells))
    except ValueError as error:
        return [make_issue("plan.csv", row, "status_rule", "plan-bad-status-rule", name,
                           reason=str(error))]
    return []


def thresholds_of(cells: dict[str, str]) -> dict[str, float] | None:
    """Optional columns threshold_<name> in plan.csv override the preset's thresholds (checked numbers only)."""
    out = {key.removeprefix("threshold_"): parse_number(value) for key, value in cells.items()
           if key.startswith("threshold_") and value}
    return {k: v for k, v in out.items() if v is not None} or None


_REFERENCES = (
    ("sub_items.csv", "action_code", "actions.csv"),
    ("sub_items.csv", "lead_department", "departments.csv"),
    ("indicators.csv", "sub_item_code", "sub_items.csv"),
    ("indicators.csv", "goal_code", "goals.csv"),
    ("indicators.csv", "department", "departments.csv"),
)


def _check_references(tables: dict[str, Rows]) -> list[Issue]:
    known = {name: {cells.get("code", "") for _, cells in rows} for name, rows in tables.items()}
    issues = []
    for name, column, target in _REFERENCES:
        for row, cells in tables[name]:
            value = cells.get(column, "")
            if value and value not in known[target]:
                issues.append(make_issue(name, row, column, "plan-unknown-reference", value,
                                         target_file=target))
    for row, cells in tables["indicators.csv"]:
        for code in split_codes(cells.get("supporting_departments", "")):
            if code not in known["departments.csv"]:
                issues.append(make_issue("indicators.csv", row, "supporting_departments", "plan-unknown-reference",
                                         code, target_file="departments.csv"))
    return issues


def _check_indicator(row: int, cells: dict[str, str], plan_end: Period | None) -> list[Issue]:
    issues = _check_choices(row, cells) + _check_lineage(row, cells)
    final = cells.get("baseline", "").strip().lower() == FINAL
    numbers = {c: parse_number(cells.get(c, "")) for c in ("baseline", "target")}
    issues += [make_issue("indicators.csv", row, c, "plan-bad-number", cells[c])
               for c, v in numbers.items() if cells.get(c) and v is None and not (c == "baseline" and final)]
    if final and cells.get("kind") == "milestone":
        issues.append(make_issue("indicators.csv", row, "baseline", "plan-final-milestone", cells["baseline"],
                                 code=cells.get("code", "")))
    periods = {c: parse_period(cells.get(c, "")) for c in ("baseline_period", "target_period")}
    issues += [make_issue("indicators.csv", row, c, "plan-bad-period", cells[c])
               for c, p in periods.items() if cells.get(c) and p is None]
    if issues:
        return issues
    if final:  # the baseline is known only when read: the periods can be checked now, the figures then
        return _check_indicator_periods(row, cells, periods, plan_end)
    return _check_indicator_logic(row, cells, numbers["baseline"], numbers["target"], periods, plan_end)


def _check_lineage(row: int, cells: dict[str, str]) -> list[Issue]:
    """lineage is empty or one of LINEAGES; an indicator that continues another code is not `new`, nor itself."""
    lineage, continues = cells.get("lineage", ""), cells.get("continues", "")
    if lineage and lineage not in LINEAGES:
        return [make_issue("indicators.csv", row, "lineage", "plan-bad-choice", lineage, allowed=" / ".join(LINEAGES))]
    if continues and (lineage == "new" or continues == cells.get("code")):
        return [make_issue("indicators.csv", row, "continues", "plan-bad-continues", continues,
                           code=cells.get("code", ""))]
    return []


def _check_choices(row: int, cells: dict[str, str]) -> list[Issue]:
    allowed = {"direction": DIRECTIONS, "kind": KINDS, "frequency": FREQUENCIES}
    return [make_issue("indicators.csv", row, column, "plan-bad-choice", cells[column],
                       allowed=" / ".join(choices))
            for column, choices in allowed.items() if cells.get(column) and cells[column] not in choices]


def _check_indicator_logic(
    row: int, cells: dict[str, str], baseline: float | None, target: float | None,
    periods: dict[str, Period | None], plan_end: Period | None,
) -> list[Issue]:
    if baseline is None or target is None:
        return []
    code, file = cells["code"], "indicators.csv"
    issues: list[Issue] = []
    if target == baseline:
        issues.append(make_issue(file, row, "target", "plan-target-equals-baseline", cells["target"], code=code))
    if cells["kind"] == "annual" and cells["direction"] == "decrease":
        issues.append(make_issue(file, row, "direction", "plan-annual-decrease", "decrease", code=code))
    if cells["kind"] == "milestone" and (baseline, target) != (0, 1):
        issues.append(make_issue(file, row, "target", "plan-milestone-values", cells["target"], code=code))
    wrong_way = (target < baseline) if cells["direction"] == "increase" else (target > baseline)
    if target != baseline and cells["kind"] != "annual" and wrong_way:
        issues.append(make_issue(file, row, "direction", "plan-direction-mismatch", cells["direction"],
                                 code=code, direction=cells["direction"], target=cells["target"],
                                 baseline=cells["baseline"]))
    issues += _check_indicator_periods(row, cells, periods, plan_end)
    return issues


def _check_indicator_periods(
    row: int, cells: dict[str, str], periods: dict[str, Period | None], plan_end: Period | None
) -> list[Issue]:
    base, target = periods["baseline_period"], periods["target_period"]
    if base is None or target is None:
        return []
    if not base < target:
        return [_order_issue("indicators.csv", row, "target_period", target, "baseline_period", base)]
    if plan_end is not None and target.end_time > plan_end.end_time:
        return [make_issue("indicators.csv", row, "target_period", "plan-target-after-end", target.code,
                           code=cells["code"], end=plan_end.code)]
    return []


def _order_issue(file: str, row: int, column: str, value: Period, other: str, other_value: Period) -> Issue:
    return make_issue(file, row, column, "plan-period-order", value.code, other_column=other,
                      other_value=other_value.code)


def _plan_end(rows: Rows) -> Period | None:
    return parse_period(rows[0][1].get("end_period")) if len(rows) == 1 else None


def parse_number(text: str) -> float | None:
    """A number as typed in a plan's CSV (thousands separators allowed); None when it is not a finite number."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None

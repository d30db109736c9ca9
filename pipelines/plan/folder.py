"""The action plan as data: read a plan folder of CSV files, check it, and hold it as typed records."""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from pipelines.issue import Issue, make_issue
from pipelines.periods import FREQUENCIES, Period, parse_period, period_of_code

KINDS = ("level", "annual", "milestone")
DIRECTIONS = ("increase", "decrease")
ILLUSTRATIVE_MARK = "示例"

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


Rows = list[tuple[int, dict[str, str]]]  # (row as in Excel, cells)


def read_plan_folder(folder: Path) -> PlanData | list[Issue]:
    """The plan in a folder, or every problem with it (nothing partial)."""
    tables: dict[str, Rows] = {}
    issues: list[Issue] = []
    for name, columns in FILES.items():
        result = _read_table(folder / name, columns)
        if isinstance(result, list) and result and isinstance(result[0], Issue):
            issues += result  # type: ignore[arg-type]
        else:
            tables[name] = result  # type: ignore[assignment]
    if issues:
        return issues
    issues = check_plan_tables(tables)
    return issues if issues else _build(tables)


def _read_table(path: Path, columns: tuple[str, ...]) -> Rows | list[Issue]:
    if not path.is_file():
        return [make_issue(path.name, None, "", "plan-missing-file", "")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="strict")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        return [make_issue(path.name, 1, c, "plan-missing-column", "") for c in missing]
    rows: Rows = []
    for number, record in enumerate(reader, start=2):
        cells = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
        if any(cells.values()):
            rows.append((number, cells))
    return rows


# ---- checks ------------------------------------------------------------------------------------------------

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
    return issues


def _check_empty(name: str, rows: Rows) -> list[Issue]:
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
    return issues


def _check_status_rule(row: int, cells: dict[str, str]) -> list[Issue]:
    from pipelines.progress import status_rule_from  # the engine owns the presets

    bad = [make_issue("plan.csv", row, key, "plan-bad-number", value)
           for key, value in cells.items() if key.startswith("threshold_") and value and _number(value) is None]
    if bad:
        return bad
    name = cells.get("status_rule") or "ratio"
    try:
        status_rule_from(name, _thresholds(cells))
    except ValueError as error:
        return [make_issue("plan.csv", row, "status_rule", "plan-bad-status-rule", name,
                           reason=str(error))]
    return []


def _thresholds(cells: dict[str, str]) -> dict[str, float] | None:
    """Optional columns threshold_<name> in plan.csv override the preset's thresholds (checked numbers only)."""
    out = {key.removeprefix("threshold_"): _number(value) for key, value in cells.items()
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
    issues = _check_choices(row, cells)
    numbers = {c: _number(cells.get(c, "")) for c in ("baseline", "target")}
    issues += [make_issue("indicators.csv", row, c, "plan-bad-number", cells[c])
               for c, v in numbers.items() if cells.get(c) and v is None]
    periods = {c: parse_period(cells.get(c, "")) for c in ("baseline_period", "target_period")}
    issues += [make_issue("indicators.csv", row, c, "plan-bad-period", cells[c])
               for c, p in periods.items() if cells.get(c) and p is None]
    if issues:
        return issues
    return _check_indicator_logic(row, cells, numbers["baseline"], numbers["target"], periods, plan_end)


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


# ---- building typed records ----------------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def split_codes(text: str) -> tuple[str, ...]:
    """`;`-separated department codes (also ；, 、 and , as typed in Excel)."""
    for sep in ("；", "、", ",", "，"):
        text = text.replace(sep, ";")
    return tuple(code.strip() for code in text.split(";") if code.strip())


def _build(tables: dict[str, Rows]) -> PlanData:
    (_, p), = tables["plan.csv"]
    info = PlanInfo(
        p["code"], p["name_zh"], p["name_en"], period_of_code(p["start_period"]), period_of_code(p["end_period"]),
        p.get("status_rule") or "ratio", tuple(sorted((_thresholds(p) or {}).items())), int(p.get("due_days") or 15),
    )
    named = {name: tuple(Named(c["code"], c["name_zh"], c["name_en"], c.get("description_zh", ""))
                         for _, c in tables[name]) for name in ("departments.csv", "goals.csv", "actions.csv")}
    subs = tuple(SubItemDef(c["code"], c["action_code"], c["name_zh"], c["name_en"], c["lead_department"])
                 for _, c in tables["sub_items.csv"])
    return PlanData(info, named["departments.csv"], named["goals.csv"], named["actions.csv"], subs,
                    tuple(_indicator(c) for _, c in tables["indicators.csv"]))


def _indicator(c: dict[str, str]) -> IndicatorDef:
    return IndicatorDef(
        code=c["code"], sub_item_code=c["sub_item_code"], goal_code=c.get("goal_code") or None,
        name_zh=c["name_zh"], name_en=c["name_en"], unit=c["unit"], direction=c["direction"], kind=c["kind"],
        baseline=float(c["baseline"].replace(",", "")), baseline_period=period_of_code(c["baseline_period"]),
        target=float(c["target"].replace(",", "")), target_period=period_of_code(c["target_period"]),
        department=c["department"], supporting_departments=split_codes(c.get("supporting_departments", "")),
        frequency=c["frequency"], definition_zh=c.get("definition_zh", ""), source=c.get("source", ""),
    )

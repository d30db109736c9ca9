"""Read a plan folder of CSV files (as saved from Excel or WPS), check it, and build the plan's records."""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import period_of_code
from pipelines.plan.checks import DRAFT_WORDS, FILES, FINAL, Rows, check_plan_tables, thresholds_of
from pipelines.plan.records import IndicatorDef, Named, PlanData, PlanInfo, SubItemDef, TaskDef, split_codes
from pipelines.plan.task_checks import TASK_REQUIRED, TASKS, parse_due, parse_milestones


def read_plan_folder(folder: Path) -> PlanData | list[Issue]:
    """The plan in a folder, or every problem with it (nothing partial)."""
    tables: dict[str, Rows] = {}
    issues: list[Issue] = []
    for name, columns in FILES.items():
        rows, problems = _read_table(folder / name, columns)
        issues += problems
        if not problems:
            tables[name] = rows
    if (folder / TASKS).is_file():  # a plan may have no 重点任务
        rows, problems = _read_table(folder / TASKS, TASK_REQUIRED)
        issues += problems
        if not problems:
            tables[TASKS] = rows
    if issues:
        return issues
    issues = check_plan_tables(tables)
    return issues if issues else _build(tables, folder.name)


def _read_table(path: Path, columns: tuple[str, ...]) -> tuple[Rows, list[Issue]]:
    """The table's rows with their Excel row numbers, or the problems that keep it from being read."""
    if not path.is_file():
        return [], [make_issue(path.name, None, "", "plan-missing-file", "")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="strict")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        return [], [make_issue(path.name, 1, c, "plan-missing-column", "") for c in missing]
    rows: Rows = []
    for number, record in enumerate(reader, start=2):
        cells = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
        if any(cells.values()):
            rows.append((number, cells))
    return rows, []


def _build(tables: dict[str, Rows], folder: str) -> PlanData:
    (_, p), = tables["plan.csv"]
    info = PlanInfo(
        p["code"], p["name_zh"], p["name_en"], period_of_code(p["start_period"]), period_of_code(p["end_period"]),
        p.get("status_rule") or "ratio", tuple(sorted((thresholds_of(p) or {}).items())), int(p.get("due_days") or 15),
        draft=DRAFT_WORDS[p.get("draft", "")], folder=folder,
        basic_threshold=float(p.get("basic_threshold") or 0.90),
    )
    named = {name: tuple(Named(c["code"], c["name_zh"], c["name_en"], c.get("description_zh", ""))
                         for _, c in tables[name]) for name in ("departments.csv", "goals.csv", "actions.csv")}
    subs = tuple(SubItemDef(c["code"], c["action_code"], c["name_zh"], c["name_en"], c["lead_department"])
                 for _, c in tables["sub_items.csv"])
    return PlanData(info, named["departments.csv"], named["goals.csv"], named["actions.csv"], subs,
                    tuple(_indicator(c, row) for row, c in tables["indicators.csv"]),
                    tasks=tuple(_task(c, row) for row, c in tables.get(TASKS, [])))


def _task(c: dict[str, str], row: int) -> TaskDef:
    due = parse_due(c["due"])
    assert due is not None, "checked by check_tasks"
    return TaskDef(c["code"], c["sub_item_code"], c["name_zh"], c["name_en"], c["department"],
                   split_codes(c.get("supporting_departments", "")), due, c["due"], tuple(
                       parse_milestones(c.get("milestones", "")) or ()), c.get("source", ""), row)


def _indicator(c: dict[str, str], row: int) -> IndicatorDef:
    final = c["baseline"].strip().lower() == FINAL
    return IndicatorDef(
        code=c["code"], sub_item_code=c["sub_item_code"], goal_code=c.get("goal_code") or None,
        name_zh=c["name_zh"], name_en=c["name_en"], unit=c["unit"], direction=c["direction"], kind=c["kind"],
        baseline=math.nan if final else float(c["baseline"].replace(",", "")), baseline_final=final,
        lineage=c.get("lineage", ""), continues=c.get("continues", ""),
        baseline_period=period_of_code(c["baseline_period"]),
        target=float(c["target"].replace(",", "")), target_period=period_of_code(c["target_period"]),
        department=c["department"], supporting_departments=split_codes(c.get("supporting_departments", "")),
        frequency=c["frequency"], definition_zh=c.get("definition_zh", ""), source=c.get("source", ""), row=row,
    )

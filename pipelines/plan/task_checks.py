"""The checks of a plan's 重点任务 (tasks.csv): deadlines and quarterly milestones as they are written in Excel, each
problem an Issue naming its row and column. Also how a deadline and a milestone list are read."""
from __future__ import annotations

import datetime as dt
import re

from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import Period, parse_period
from pipelines.plan.records import split_codes

TASKS = "tasks.csv"
TASK_COLUMNS = ("code", "sub_item_code", "name_zh", "name_en", "department", "supporting_departments", "due",
                "milestones", "source")
TASK_REQUIRED = ("code", "sub_item_code", "name_zh", "name_en", "department", "due")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date | None:
    """2024-12-31, 2024/12/31, 2024.12.31 or 2024年12月31日; None when it is not a real day."""
    found = _DATE.match(text or "")
    if not found:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def parse_due(text: str) -> dt.date | None:
    """A deadline: a day, or a period (2024Q4, 2024年第四季度, 2024) meaning its last day."""
    day = parse_date(text)
    if day is not None:
        return day
    period = parse_period(text)
    return period.end_date if period is not None else None


def parse_milestones(text: str) -> list[tuple[Period, str]] | None:
    """`2024Q2:方案印发;2024Q4:挂牌运行` (also ； and ：) as (quarter, what) pairs in order; None when an item cannot
    be read; [] for an empty cell."""
    items = [item.strip() for item in re.split(r"[;；]", text or "") if item.strip()]
    out = []
    for item in items:
        period_text, sep, what = _split_item(item)
        period = parse_period(period_text)
        if period is None or not sep or not what.strip():
            return None
        out.append((period, what.strip()))
    return out


def _split_item(item: str) -> tuple[str, str, str]:
    for sep in (":", "："):
        if sep in item:
            head, _, tail = item.partition(sep)
            return head.strip(), sep, tail
    return item, "", ""


def check_tasks(rows: list[tuple[int, dict[str, str]]], sub_items: set[str], departments: set[str],
                start: Period | None, end: Period | None) -> list[Issue]:
    """Every problem of tasks.csv beyond empty cells and duplicate codes (checked as for every table)."""
    issues: list[Issue] = []
    for row, cells in rows:
        issues += _references(row, cells, sub_items, departments)
        due = parse_due(cells.get("due", ""))
        if cells.get("due") and due is None:
            issues.append(make_issue(TASKS, row, "due", "plan-bad-due", cells["due"]))
        elif due is not None and start is not None and end is not None and start < end \
                and not start.start_date <= due <= end.end_date:  # a broken plan span is told once, in plan.csv
            issues.append(make_issue(TASKS, row, "due", "plan-due-outside-plan", cells["due"],
                                     start=start.label(), end=end.label()))
        issues += _milestones(row, cells, due)
    return issues


def _references(row: int, cells: dict[str, str], sub_items: set[str], departments: set[str]) -> list[Issue]:
    issues = []
    if cells.get("sub_item_code") and cells["sub_item_code"] not in sub_items:
        issues.append(make_issue(TASKS, row, "sub_item_code", "plan-unknown-reference", cells["sub_item_code"],
                                 target_file="sub_items.csv"))
    for column, codes in (("department", [cells.get("department", "")]),
                          ("supporting_departments", list(split_codes(cells.get("supporting_departments", ""))))):
        issues += [make_issue(TASKS, row, column, "plan-unknown-reference", code, target_file="departments.csv")
                   for code in codes if code and code not in departments]
    return issues


def _milestones(row: int, cells: dict[str, str], due: dt.date | None) -> list[Issue]:
    text = cells.get("milestones", "")
    found = parse_milestones(text)
    if found is None:
        return [make_issue(TASKS, row, "milestones", "plan-bad-milestones", text)]
    if due is not None:
        late = [p for p, _ in found if p.start_date > due]
        if late:
            return [make_issue(TASKS, row, "milestones", "plan-milestone-after-due", late[0].code, due=due.isoformat())]
    return []

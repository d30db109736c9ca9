"""A department's 一表通 template for one quarter: XLSX with the form header block, locked codes, names and units,
last period's values read-only, dropdowns, a second sheet 重点任务进展 listing the department's 重点任务 still due
(name, deadline and the quarter's milestone read-only; 进展情况, 完成状态, 完成时间, 延期至, 备注 to fill in) and a
填表说明 sheet; or the value table as CSV (UTF-8 with BOM).

The template is the file the ingest reads: filled in and sent back, it goes through read → validate unchanged.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # openpyxl loads only when a workbook template is asked for
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

from models.columns import CODE, PERIOD, VALUE
from pipelines.core.config import MAX_CELL_CHARS
from pipelines.core.periods import Period, latest_period_ending_by, period_of_code
from pipelines.intake.read import TASK_SHEET
from pipelines.intake.task_reports import STATE_CHOICES
from pipelines.plan.records import IndicatorDef, PlanData
from pipelines.store.task_reports import TaskBook, book_of

HEADER = ("指标编码", "指标名称", "计量单位", "统计期", "上期数值（只读）", "数值", "备注")
SHEET, GUIDE = "填报表", "填表说明"
MILESTONE_CHOICES = "是,否"
PERCENT_UNIT = "%"
FREQUENCY_ZH = {"quarterly": "季度", "half-yearly": "半年", "annual": "年度"}
GUIDE_LINES = (
    "1. 只填写“数值”和“备注”两列及表头的填报人、联系电话；指标编码、名称、计量单位、统计期已锁定，请勿改动。",
    "2. “上期数值”为已审核通过的上期数据，仅供参照。",
    "3. 数值按“计量单位”填写纯数字；百分比指标填0–100之间的数（如85表示85%）；里程碑类指标在下拉框中选“是”或“否”。",
    "4. 与上期相比变动较大、与方向相反或超过目标两倍的数值为核实性问题：请在“备注”中写明具体原因，"
    "“核实无误”“无”之类的说明不被接受。",
    "5. 请勿另存为含宏的工作簿（.xlsm）或旧版.xls；可另存为“CSV UTF-8（逗号分隔）”。",
)
TASK_HEADER = ("任务编码", "任务名称（只读）", "完成时限（只读）", "本季度阶段性目标（只读）", "统计期", "进展情况",
               "完成状态", "完成时间", "延期至", "备注")
TASK_EDITABLE = (6, 7, 8, 9, 10)  # 进展情况 … 备注 (1-based columns)
TASK_GUIDE_LINES = (
    "6. “重点任务进展”表：每项任务写明本季度的具体进展（做了哪些工作、到了哪一步），“正在推进”“按计划推进”之类的表述"
    "不被接受；本季度不报送的任务整行留空即可。",
    "7. 完成状态在下拉框中选择：未启动、推进中、已完成、申请延期。已完成须填写完成时间（不晚于填报当天），"
    "经审核通过后销号，请在上报页面附上佐证材料。",
    "8. 申请延期须填写“延期至”日期（晚于现行完成时限），且须在现行完成时限届满前提出；经审核通过后按新时限执行。",
)


@dataclass(frozen=True)
class TaskTemplateRow:
    code: str
    name: str
    due: dt.date  # the deadline in force
    milestone: str
    period: Period


@dataclass(frozen=True)
class TemplateRow:
    code: str
    name: str
    unit: str
    period: Period
    previous: float | None
    kind: str
    definition: str
    frequency: str


def periods_due_in(indicator: IndicatorDef, quarter: Period,
                   spans: tuple[tuple[Period, Period], ...] | None = None) -> list[Period]:
    """The indicator's periods that end in this quarter and lie after its baseline, up to its target period (of
    some plan that targets the series, when `spans` lists each plan's (baseline, target))."""
    period = latest_period_ending_by(quarter.end_time, indicator.frequency)
    ends_here = abs(period.end_time - quarter.end_time) < 1e-9
    spans = spans or ((indicator.baseline_period, indicator.target_period),)
    in_plan = any(base.end_time < period.end_time <= target.end_time + 1e-9 for base, target in spans)
    return [period] if ends_here and in_plan else []


def build_template_rows(plan: PlanData, department: str, quarter: Period, current: pd.DataFrame) -> list[TemplateRow]:
    """One row per indicator of the department due in the quarter, with its last approved value before it."""
    rows = []
    for indicator in plan.indicators:
        if indicator.department != department:
            continue
        for period in periods_due_in(indicator, quarter, plan.due_of(indicator)):
            rows.append(TemplateRow(indicator.code, indicator.name_zh, indicator.unit, period,
                                    _previous(current, indicator.code, period), indicator.kind,
                                    indicator.definition_zh, indicator.frequency))
    return rows


def _previous(current: pd.DataFrame, code: str, period: Period) -> float | None:
    mine = current[current[CODE] == code]
    if mine.empty:
        return None

    earlier = [(period_of_code(p).end_time, v) for p, v in zip(mine[PERIOD], mine[VALUE])
               if period_of_code(p).end_time < period.end_time]
    return max(earlier)[1] if earlier else None


def build_task_template_rows(plan: PlanData, department: str, quarter: Period,
                             book: TaskBook | None = None) -> list[TaskTemplateRow]:
    """One row per 重点任务 of the department whose plan spans the quarter and whose deadline in force falls in the
    quarter or later (a task closed already is listed too, for now)."""
    book = book or book_of(plan, {}, pd.DataFrame(), quarter.end_date)
    rows = []
    for task in plan.tasks:
        entry = book.entries.get(task.code)
        if entry is None or task.department != department or entry.due < quarter.start_date:
            continue
        span = entry.plan.start_period.start_date, entry.plan.end_period.end_date
        if span[0] <= quarter.start_date and quarter.end_date <= span[1]:
            rows.append(TaskTemplateRow(task.code, task.name_zh, entry.due, task.milestone_of(quarter), quarter))
    return rows


def form_block(plan: PlanData, department: str, quarter: Period) -> list[tuple[str, str]]:
    """表名 / 报告期 / 填报单位 / 填报人 / 联系电话: the label cell and its value ('' where the department fills in)."""
    name = next(d.name_zh for d in plan.departments if d.code == department)
    return [("表名：", f"{'、'.join(plan_names(plan, quarter))}指标季度填报表"), ("报告期：", quarter.label("zh")),
            ("填报单位：", name), ("填报人：", ""), ("联系电话：", "")]


def plan_names(plan: PlanData, quarter: Period) -> list[str]:
    """The plans a quarter's report serves (their spans hold the quarter), or the one plan."""
    inside = [p.name_zh for p in plan.plans
              if p.start_period.start_time - 1e-9 <= quarter.start_time
              and quarter.end_time <= p.end_period.end_time + 1e-9]
    return inside or [plan.info.name_zh]


def build_csv_template(plan: PlanData, department: str, quarter: Period, current: pd.DataFrame) -> bytes:
    """The template as CSV in UTF-8 with BOM, which Excel on Chinese Windows opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for label, value in form_block(plan, department, quarter):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(HEADER)
    for row in build_template_rows(plan, department, quarter, current):
        writer.writerow([row.code, row.name, row.unit, row.period.code, _number(row.previous), "", ""])
    return buffer.getvalue().encode("utf-8-sig")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def build_xlsx_template(plan: PlanData, department: str, quarter: Period, current: pd.DataFrame,
                        book: TaskBook | None = None) -> bytes:
    """The template as a protected workbook: only 数值, 备注, 填报人 and 联系电话 can be edited, and on the 重点任务进展
    sheet (when the department has tasks due) the report's own columns. `book` gives each task's plan and deadline in
    force (read_task_book); without it the plan's deadlines."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    rows = build_template_rows(plan, department, quarter, current)
    block = form_block(plan, department, quarter)
    for label, value in block:
        sheet.append([label, value])
        if not value:
            sheet.cell(sheet.max_row, 2).protection = Protection(locked=False)
    sheet.append([])
    sheet.append(list(HEADER))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    editable = PatternFill("solid", fgColor="FFF2CC")
    for row in rows:
        sheet.append([row.code, row.name, row.unit, row.period.code, row.previous, None, None])
        for column in (6, 7):
            cell = sheet.cell(sheet.max_row, column)
            cell.protection = Protection(locked=False)
            cell.fill = editable
    _add_validations(sheet, rows, header_row)
    for letter, width in zip("ABCDEFG", (12, 36, 10, 10, 16, 12, 40)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True  # no password: it guards against slips, not against the department
    tasks = build_task_template_rows(plan, department, quarter, book)
    if tasks:
        title = f"{'、'.join(plan_names(plan, quarter))}重点任务季度进展表"
        _add_task_sheet(workbook, tasks, [("表名：", title), *block[1:3]])
    _add_guide(workbook, rows, bool(tasks))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_task_sheet(workbook: Workbook, rows: list[TaskTemplateRow], block: list[tuple[str, str]]) -> None:
    """The 重点任务进展 sheet: 表名 / 报告期 / 填报单位, then a locked row per task with its report to fill in."""
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(TASK_SHEET, 1)
    for label, value in block:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(list(TASK_HEADER))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    editable = PatternFill("solid", fgColor="FFF2CC")
    for row in rows:
        sheet.append([row.code, row.name, row.due.isoformat(), row.milestone or "—", row.period.code])
        for column in TASK_EDITABLE:
            cell = sheet.cell(sheet.max_row, column)
            cell.protection = Protection(locked=False)
            cell.fill = editable
    states = DataValidation(type="list", formula1=f'"{",".join(STATE_CHOICES)}"', allow_blank=True,
                            error="请在下拉框中选择完成状态", errorTitle="完成状态", showErrorMessage=True)
    states.add(f"G{header_row + 1}:G{header_row + len(rows)}")
    sheet.add_data_validation(states)
    for letter, width in zip("ABCDEFGHIJ", (10, 40, 14, 30, 10, 60, 12, 14, 14, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


def _add_validations(sheet: Worksheet, rows: list[TemplateRow], header_row: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    choice = DataValidation(type="list", formula1=f'"{MILESTONE_CHOICES}"', allow_blank=True,
                            error="请在下拉框中选择“是”或“否”", errorTitle="里程碑指标", showErrorMessage=True)
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                             error="百分比指标请填0–100之间的数（85表示85%）", showErrorMessage=True)
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            error="请填写不小于0的数字", showErrorMessage=True)
    note = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_CELL_CHARS),
                          allow_blank=True, error=f"备注不超过{MAX_CELL_CHARS}字", showErrorMessage=True)
    for offset, row in enumerate(rows, start=header_row + 1):
        rule = choice if row.kind == "milestone" else percent if row.unit == PERCENT_UNIT else number
        rule.add(f"F{offset}")
        note.add(f"G{offset}")
    for rule in (choice, percent, number, note):
        if rule.sqref:
            sheet.add_data_validation(rule)


def _add_guide(book: Workbook, rows: list[TemplateRow], tasks: bool = False) -> None:
    guide = book.create_sheet(GUIDE)
    for line in GUIDE_LINES + (TASK_GUIDE_LINES if tasks else ()):
        guide.append([line])
    guide.append([])
    guide.append(["编码", "名称", "计量单位", "报送频次", "口径"])
    seen: set[str] = set()
    for row in rows:
        if row.code not in seen:
            seen.add(row.code)
            guide.append([row.code, row.name, row.unit, FREQUENCY_ZH.get(row.frequency, row.frequency),
                          row.definition])
    guide.column_dimensions["A"].width = 10
    guide.column_dimensions["B"].width = 36
    guide.column_dimensions["E"].width = 100
    guide.protection.sheet = True

"""Each rule of the plan folder, shown by the shipped plan with one cell broken, and loading another plan folder."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HEADER, csv_bytes, new_store, snapshot_store
from sqlalchemy import Engine

from models.db import make_engine
from pipelines.cli import run
from pipelines.core.config import PLAN_DIR
from pipelines.core.issue import Issue
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store
from pipelines.intake.ingest import ACCEPTED, REJECTED, IngestRequest, ingest_bytes
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData
from pipelines.store.plans import plan_from_store, plans_in_store
from pipelines.store.standings import read_standing

PlanProblem = tuple[str, int | None, str, str]  # (file, row as in Excel, column, check)


def copy_plan(folder: Path) -> Path:
    target = folder / "plan"
    shutil.copytree(PLAN_DIR, target)
    return target


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(file: str, code: str, column: str, value: str) -> Callable[[Path], None]:
    """An edit of the plan copy: in `file`, the row whose code is `code` gets `value` in `column`."""
    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        [row] = [r for r in rows if r["code"] == code]
        row[column] = value
        write_rows(folder / file, rows)
    return edit


def drop_column(file: str, column: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        write_rows(folder / file, rows, [c for c in rows[0] if c != column])
    return edit


def add_row(file: str, **cells: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        write_rows(folder / file, [*rows, {c: cells.get(c, "") for c in rows[0]}])
    return edit


def delete_file(file: str) -> Callable[[Path], None]:
    return lambda folder: (folder / file).unlink()


def add_column(file: str, column: str, value: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        write_rows(folder / file, [r | {column: value} for r in rows], [*list(rows[0]), column])
    return edit


PLAN_CASES: list[tuple[str, Callable[[Path], None], set[PlanProblem]]] = [
    ("plan-missing-file", delete_file("goals.csv"), {("goals.csv", None, "", "plan-missing-file")}),
    ("plan-missing-column", drop_column("indicators.csv", "unit"),
     {("indicators.csv", 1, "unit", "plan-missing-column")}),
    ("plan-one-row", add_row("plan.csv", code="SHGX-2026", name_zh="下一轮", name_en="Next", start_period="2026Q1",
                             end_period="2028Q4"),
     {("plan.csv", None, "", "plan-one-row")}),
    ("plan-empty", set_cell("indicators.csv", "A03", "unit", ""), {("indicators.csv", 2, "unit", "plan-empty")}),
    ("plan-duplicate-code", set_cell("indicators.csv", "A05", "code", "A03"),
     {("indicators.csv", 3, "code", "plan-duplicate-code")}),
    ("plan-unknown-reference", set_cell("indicators.csv", "A03", "department", "XX"),
     {("indicators.csv", 2, "department", "plan-unknown-reference")}),
    ("plan-unknown-reference--supporting", set_cell("indicators.csv", "A03", "supporting_departments", "SWW；XX"),
     {("indicators.csv", 2, "supporting_departments", "plan-unknown-reference")}),
    ("plan-bad-choice", set_cell("indicators.csv", "A03", "kind", "stock"),
     {("indicators.csv", 2, "kind", "plan-bad-choice")}),
    ("plan-bad-number", set_cell("indicators.csv", "A03", "target", "一千"),
     {("indicators.csv", 2, "target", "plan-bad-number")}),
    ("plan-bad-number--due-days", set_cell("plan.csv", "SHGX-2023", "due_days", "十五"),
     {("plan.csv", 2, "due_days", "plan-bad-number")}),
    ("plan-bad-number--threshold", add_column("plan.csv", "threshold_on_track", "九成"),
     {("plan.csv", 2, "threshold_on_track", "plan-bad-number")}),
    ("plan-bad-due", set_cell("tasks.csv", "T01", "due", "明年六月"),
     {("tasks.csv", 2, "due", "plan-bad-due")}),
    ("plan-bad-due--day", set_cell("tasks.csv", "T01", "due", "2024-02-30"),
     {("tasks.csv", 2, "due", "plan-bad-due")}),
    ("plan-due-outside-plan", set_cell("tasks.csv", "T01", "due", "2026Q2"),
     {("tasks.csv", 2, "due", "plan-due-outside-plan")}),
    ("plan-bad-milestones", set_cell("tasks.csv", "T01", "milestones", "2024Q2 挂牌"),
     {("tasks.csv", 2, "milestones", "plan-bad-milestones")}),
    ("plan-milestone-after-due", set_cell("tasks.csv", "T01", "milestones", "2024Q3:挂牌"),
     {("tasks.csv", 2, "milestones", "plan-milestone-after-due")}),
    ("plan-unknown-reference--task", set_cell("tasks.csv", "T01", "department", "XX"),
     {("tasks.csv", 2, "department", "plan-unknown-reference")}),
    ("plan-unknown-reference--task-sub-item", set_cell("tasks.csv", "T01", "sub_item_code", "ZX9.9"),
     {("tasks.csv", 2, "sub_item_code", "plan-unknown-reference")}),
    ("plan-empty--task", set_cell("tasks.csv", "T01", "due", ""), {("tasks.csv", 2, "due", "plan-empty")}),
    ("plan-duplicate-code--task", set_cell("tasks.csv", "T02", "code", "T01"),
     {("tasks.csv", 3, "code", "plan-duplicate-code")}),
    ("plan-bad-share", add_column("plan.csv", "basic_threshold", "90"),
     {("plan.csv", 2, "basic_threshold", "plan-bad-share")}),
    ("plan-bad-share--words", add_column("plan.csv", "basic_threshold", "九成"),
     {("plan.csv", 2, "basic_threshold", "plan-bad-share")}),
    ("plan-bad-period", set_cell("indicators.csv", "A03", "target_period", "2025Q5"),
     {("indicators.csv", 2, "target_period", "plan-bad-period")}),
    ("plan-bad-period--plan", set_cell("plan.csv", "SHGX-2023", "start_period", "二〇二三年"),
     {("plan.csv", 2, "start_period", "plan-bad-period")}),
    ("plan-target-equals-baseline", set_cell("indicators.csv", "A03", "target", "500"),
     {("indicators.csv", 2, "target", "plan-target-equals-baseline")}),
    ("plan-annual-decrease", set_cell("indicators.csv", "A10", "direction", "decrease"),
     {("indicators.csv", 20, "direction", "plan-annual-decrease")}),
    ("plan-direction-mismatch", set_cell("indicators.csv", "A03", "direction", "decrease"),
     {("indicators.csv", 2, "direction", "plan-direction-mismatch")}),
    ("plan-milestone-values", set_cell("indicators.csv", "A18", "target", "2"),
     {("indicators.csv", 11, "target", "plan-milestone-values")}),
    ("plan-period-order", set_cell("indicators.csv", "A03", "target_period", "2023Q2"),
     {("indicators.csv", 2, "target_period", "plan-period-order")}),
    ("plan-period-order--plan", set_cell("plan.csv", "SHGX-2023", "start_period", "2025Q4"),
     {("plan.csv", 2, "end_period", "plan-period-order")}),
    ("plan-target-after-end", set_cell("indicators.csv", "A03", "target_period", "2026"),
     {("indicators.csv", 2, "target_period", "plan-target-after-end")}),
    ("plan-bad-status-rule", set_cell("plan.csv", "SHGX-2023", "status_rule", "traffic-light"),
     {("plan.csv", 2, "status_rule", "plan-bad-status-rule")}),
    ("plan-bad-status-rule--threshold", add_column("plan.csv", "threshold_green", "0.9"),
     {("plan.csv", 2, "status_rule", "plan-bad-status-rule")}),
]


def flatten(issues: list[Issue]) -> set[PlanProblem]:
    return {(i.file, i.row, i.column, i.check) for i in issues}


def test_read_plan_folder_reads_the_shipped_plan() -> None:
    plan = read_plan_folder(PLAN_DIR)

    assert isinstance(plan, PlanData)
    assert (plan.info.code, plan.info.start_period.code, plan.info.end_period.code) == ("SHGX-2023", "2023Q1", "2025Q4")
    assert (len(plan.actions), len(plan.sub_items), len(plan.indicators)) == (6, 12, 55)
    a03 = plan.indicator("A03")
    assert (a03.name_zh, a03.unit, a03.kind, a03.frequency, a03.department) == (
        "高成长性科技企业数", "家", "level", "quarterly", "KW")
    assert (a03.baseline, a03.baseline_period.code, a03.target, a03.target_period.code) == (
        500.0, "2023Q3", 1000.0, "2025")
    assert plan.indicator("A04").supporting_departments == ("HYL", "JSL")


@pytest.mark.parametrize(("name", "edit", "problems"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_read_plan_folder_reports_each_broken_cell(
    name: str, edit: Callable[[Path], None], problems: set[PlanProblem], tmp_path: Path
) -> None:
    folder = copy_plan(tmp_path)
    edit(folder)

    issues = read_plan_folder(folder)

    assert isinstance(issues, list)
    assert flatten(issues) == problems
    for issue in issues:
        zh = issue.message("zh")
        assert issue.file in zh and "{" not in zh + issue.message("en"), zh
        if issue.row is not None:
            assert f"第{issue.row}行" in zh, zh


@pytest.mark.parametrize(("name", "edit", "problems"), PLAN_CASES[:6], ids=[c[0] for c in PLAN_CASES[:6]])
def test_build_store_leaves_the_store_unchanged_for_a_broken_plan(
    name: str, edit: Callable[[Path], None], problems: set[PlanProblem], engine: Engine, tmp_path: Path
) -> None:
    folder = copy_plan(tmp_path)
    edit(folder)
    before = snapshot_store(engine)

    issues = build_store(engine, folder)

    assert isinstance(issues, list) and flatten(issues) == problems
    assert snapshot_store(engine) == before


def test_plan_from_store_gives_back_the_plan_as_read(engine: Engine, plan: PlanData) -> None:
    with engine.connect() as conn:
        assert plan_from_store(conn) == plan


def test_build_store_again_with_the_same_plan_changes_nothing(engine: Engine, today: dt.date, plan: PlanData) -> None:
    ingest_bytes(engine, plan, IngestRequest("a.csv", csv_bytes([HEADER, ["A03", "", "2025Q3", "520", ""]]), today=today))
    before = snapshot_store(engine)

    again = build_store(engine, PLAN_DIR, now=dt.datetime(2026, 1, 1))

    assert isinstance(again, PlanData)
    after = snapshot_store(engine)
    del after["plan"], before["plan"]  # only its loaded_at moves
    del after["standing_cache"], before["standing_cache"]  # kept again under the new loaded_at (derived rows)
    assert after == before


def test_build_store_refuses_to_drop_an_indicator_that_has_data(
    engine: Engine, plan: PlanData, today: dt.date, tmp_path: Path
) -> None:
    ingest_bytes(engine, plan, IngestRequest("a.csv", csv_bytes([HEADER, ["A05", "", "2025", "3", ""]]), today=today))
    folder = copy_plan(tmp_path)
    rows = read_rows(folder / "indicators.csv")
    write_rows(folder / "indicators.csv", [r for r in rows if r["code"] != "A05"])
    before = snapshot_store(engine)

    issues = build_store(engine, folder)

    assert isinstance(issues, list)
    assert {(i.file, i.column, i.check, i.value) for i in issues} == {
        ("indicators.csv", "code", "plan-indicator-in-use", "1")}
    assert "指标“A05”已有1条报送数据" in issues[0].message("zh")
    assert snapshot_store(engine) == before


def test_build_store_drops_an_indicator_without_data(engine: Engine, tmp_path: Path) -> None:
    folder = copy_plan(tmp_path)
    rows = read_rows(folder / "indicators.csv")
    write_rows(folder / "indicators.csv", [r for r in rows if r["code"] != "A05"])

    plan = build_store(engine, folder)

    assert isinstance(plan, PlanData)
    with engine.connect() as conn:
        stored = plan_from_store(conn)
    assert stored is not None and "A05" not in stored.indicator_map() and len(stored.indicators) == 54


# ---- another plan cycle: --plan DIR -----------------------------------------------------------------------

TINY_PLAN = {
    "plan.csv": [["code", "name_zh", "name_en", "start_period", "end_period", "status_rule", "due_days"],
                 ["TEST-2026", "测试方案（2026—2028年）", "Test plan 2026-2028", "2026Q1", "2028Q4", "ratio", "10"]],
    "departments.csv": [["code", "name_zh", "name_en"], ["KW", "区科委", "District Science and Technology Commission"]],
    "goals.csv": [["code", "name_zh", "name_en"], ["G1", "目标一", "Goal one"]],
    "actions.csv": [["code", "name_zh", "name_en", "description_zh"], ["X1", "行动一", "Action one", "说明"]],
    "sub_items.csv": [["code", "action_code", "name_zh", "name_en", "lead_department"],
                      ["X1.1", "X1", "子项一", "Sub-item one", "KW"]],
    "indicators.csv": [
        ["code", "sub_item_code", "goal_code", "name_zh", "name_en", "unit", "direction", "kind", "baseline",
         "baseline_period", "target", "target_period", "department", "supporting_departments", "frequency",
         "definition_zh", "source"],
        ["T01", "X1.1", "G1", "测试企业数", "Test enterprises", "家", "increase", "level", "100", "2025", "200", "2028",
         "KW", "", "quarterly", "期末存量", "示例"],
        ["T02", "X1.1", "", "测试平台建成", "Test platform completed", "项", "increase", "milestone", "0", "2025", "1",
         "2027", "KW", "", "half-yearly", "建成记为1", "示例"],
    ],
}


def write_tiny_plan(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, rows in TINY_PLAN.items():
        (folder / name).write_bytes(csv_bytes(rows))
    return folder


def test_cli_build_loads_another_plan_folder_into_a_fresh_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_tiny_plan(tmp_path / "plan-2026")
    url = f"sqlite:///{tmp_path / 'next.sqlite3'}"

    code = run(["build", "--plan", str(folder), "--db", url])

    assert code == 0
    assert "TEST-2026" in capsys.readouterr().out
    engine = make_engine(url)
    with engine.connect() as conn:
        plan = plan_from_store(conn)
    assert plan is not None
    assert (plan.info.code, plan.info.start_period.code, plan.info.end_period.code, plan.info.due_days) == (
        "TEST-2026", "2026Q1", "2028Q4", 10)
    assert [i.code for i in plan.indicators] == ["T01", "T02"]


def test_ingest_checks_periods_against_the_plan_in_the_store(tmp_path: Path) -> None:
    engine, plan = new_store(tmp_path, write_tiny_plan(tmp_path / "plan-2026"))
    rows = [["T01", "", "2026Q1", "110", ""], ["T02", "", "2026H1", "否", ""]]

    accepted = ingest_bytes(engine, plan, IngestRequest("a.csv", csv_bytes([HEADER, *rows]), today=dt.date(2026, 7, 10)))
    refused = ingest_bytes(engine, plan, IngestRequest("b.csv", csv_bytes([HEADER, ["T01", "", "2025Q4", "105", ""]]),
                           today=dt.date(2026, 7, 10)))

    assert accepted.outcome == ACCEPTED and accepted.counts["new"] == 2
    assert refused.outcome == REJECTED
    assert {(i.row, i.check) for i in refused.hard} == {(2, "period-outside-plan")}
    assert "不在本方案期限（2026年第一季度至2028年第四季度）内" in refused.hard[0].message("zh")


def test_cli_build_loads_a_second_plan_beside_the_first_changing_none_of_its_figures(
    engine: Engine, plan: PlanData, today: dt.date, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_bytes(engine, plan, IngestRequest("a.csv", csv_bytes([HEADER, ["A03", "", "2025Q3", "930", ""]]),
                                             today=today))
    folder = write_tiny_plan(tmp_path / "plan-2026")
    with engine.connect() as conn:
        first_before = plan_from_store(conn, "SHGX-2023")
    standing_before = read_standing(engine, period_of_code("2025Q3"), "SHGX-2023")

    code = run(["build", "--plan", str(folder), "--db", str(engine.url)])

    assert code == 0, capsys.readouterr().out
    with engine.connect() as conn:
        assert [p.code for p in plans_in_store(conn)] == ["SHGX-2023", "TEST-2026"]
        assert plan_from_store(conn, "SHGX-2023") == first_before
        second = plan_from_store(conn, "TEST-2026")
    assert second is not None and [i.code for i in second.indicators] == ["T01", "T02"]
    after = read_standing(engine, period_of_code("2025Q3"), "SHGX-2023")
    assert standing_before is not None and after is not None
    assert after.assessments == standing_before.assessments and after.rollups == standing_before.rollups


def test_read_plan_folder_accepts_gb18030_as_saved_by_excel(tmp_path: Path) -> None:
    folder = write_tiny_plan(tmp_path / "plan-2026")
    text = (folder / "indicators.csv").read_text(encoding="utf-8-sig")
    (folder / "indicators.csv").write_bytes(text.encode("gb18030"))

    plan = read_plan_folder(folder)

    assert isinstance(plan, PlanData) and plan.indicator("T01").name_zh == "测试企业数"


def test_read_plan_folder_ignores_blank_rows_and_counts_them_in_row_numbers(tmp_path: Path) -> None:
    folder = write_tiny_plan(tmp_path / "plan-2026")
    rows = TINY_PLAN["indicators.csv"]
    broken = [rows[0], rows[1], [""] * len(rows[0]), [c if c != "quarterly" else "monthly" for c in rows[1]]]
    broken[3][0] = "T03"
    (folder / "indicators.csv").write_bytes(csv_bytes(broken))

    issues = read_plan_folder(folder)

    assert isinstance(issues, list)
    assert flatten(issues) == {("indicators.csv", 4, "frequency", "plan-bad-choice")}
    assert "只能填写：quarterly / half-yearly / annual" in issues[0].message("zh")



def test_a_plans_code_maps_are_made_once_and_leave_it_picklable() -> None:
    """The maps a file's checks look indicators up in are made once per plan, and a plan that has made them can
    still be pickled and copied (as caches and worker processes do)."""
    plan = read_plan_folder(PLAN_DIR)
    assert isinstance(plan, PlanData)
    assert plan.indicator_map() is plan.indicator_map()
    assert list(plan.indicator_map()) == [i.code for i in plan.indicators]
    first = plan.indicators[0].code
    assert plan.code_typed(first.upper()) == first and plan.code_typed("没有这个指标") == ""
    for again in (pickle.loads(pickle.dumps(plan)), copy.deepcopy(plan)):
        assert again == plan and again.indicator_map() == plan.indicator_map()

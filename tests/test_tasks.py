"""重点任务 states as 督查督办 follows them: each state on a worked example (临近到期 against 逾期 at the boundary day,
an extension asked and granted, 已完成 before and after 销号), the order of urgency, and tasks as plan data."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from models.db import make_engine
from pipelines.cli import run
from pipelines.core.config import PLAN_DIR, PLANS_DIR
from pipelines.core.periods import period_of_code as P
from pipelines.engine.tasks import DUE_SOON_DAYS, TaskReport, count_states, task_state
from pipelines.intake.build import build_store
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData
from pipelines.present.tasks import counts_line, ledger_counts, ledger_rows
from pipelines.store.plans import plan_from_store
from pipelines.store.tasks import REPORT_COLUMNS
from tests.test_plan_rules import set_cell

DUE = dt.date(2024, 6, 30)
D = dt.date
APRIL_10 = D(2024, 4, 10)


def report(state: str, period: str = "2024Q1", sent: dt.date = APRIL_10, approved: bool = True,
           approved_on: dt.date | None = None, new_due: dt.date | None = None) -> TaskReport:
    return TaskReport(P(period).end_date, state, sent, approved,  # type: ignore[arg-type]
                      approved_on or (sent if approved else None), None, new_due)


def test_no_report_is_not_started_and_a_report_in_progress() -> None:
    assert task_state(DUE, [], D(2024, 1, 15)).state == "not_started"
    assert task_state(DUE, [report("in_progress")], D(2024, 4, 20)).state == "in_progress"


@pytest.mark.parametrize(("day", "state"), [
    (DUE - dt.timedelta(days=DUE_SOON_DAYS + 1), "in_progress"),
    (DUE - dt.timedelta(days=DUE_SOON_DAYS), "due_soon"),  # within 30 days, the boundary day included
    (DUE, "due_soon"),  # the deadline itself is still in time
    (DUE + dt.timedelta(days=1), "overdue"),
])
def test_due_soon_and_overdue_at_the_boundary_days(day: dt.date, state: str) -> None:
    found = task_state(DUE, [report("in_progress")], day)
    assert found.state == state
    assert found.days_left == (DUE - day).days


def test_an_extension_asked_waits_and_once_granted_moves_the_deadline() -> None:
    asked = report("extension", "2024Q1", D(2024, 4, 10), approved=False, new_due=D(2024, 12, 31))
    waiting = task_state(DUE, [asked], D(2024, 4, 20))
    assert (waiting.state, waiting.due, waiting.requested_due) == ("extension_requested", DUE, D(2024, 12, 31))
    late = task_state(DUE, [asked], D(2024, 7, 5))
    assert late.state == "overdue"  # not granted by the deadline: overdue comes first
    granted = report("extension", "2024Q1", D(2024, 4, 10), approved=True, approved_on=D(2024, 4, 15),
                     new_due=D(2024, 12, 31))
    found = task_state(DUE, [granted], D(2024, 7, 5))
    assert (found.state, found.due, found.original_due) == ("extended", D(2024, 12, 31), DUE)
    assert task_state(DUE, [granted], D(2024, 12, 10)).state == "due_soon"  # the new deadline's reminder


def test_done_awaits_the_closing_and_is_closed_once_approved() -> None:
    done = report("done", "2024Q2", D(2024, 7, 5), approved=False)
    assert task_state(DUE, [report("in_progress"), done], D(2024, 7, 8)).state == "completed"  # not overdue
    closed = report("done", "2024Q2", D(2024, 7, 5), approved=True, approved_on=D(2024, 7, 9))
    found = task_state(DUE, [report("in_progress"), closed], D(2024, 7, 20))
    assert (found.state, found.closed_on) == ("closed", D(2024, 7, 9))
    assert task_state(DUE, [report("in_progress"), closed], D(2024, 7, 8)).state == "completed"  # before the 销号


def test_reports_sent_after_the_day_are_not_seen() -> None:
    assert task_state(DUE, [report("done", sent=D(2024, 7, 5))], D(2024, 5, 1)).state == "not_started"


def test_count_states_lists_every_state() -> None:
    counts = count_states(["overdue", "closed", "closed"])
    assert counts["closed"] == 2 and counts["overdue"] == 1 and sum(counts.values()) == 3
    assert list(counts)[:3] == ["overdue", "due_soon", "extension_requested"]


def test_the_shipped_plan_has_its_tasks_with_owners_deadlines_and_milestones() -> None:
    plan = read_plan_folder(PLAN_DIR)
    assert isinstance(plan, PlanData)
    tasks = {t.code: t for t in plan.tasks}
    assert len(tasks) >= 10
    academy = tasks["T01"]
    assert "上海青少年创新学院长宁分院" in academy.name_zh and academy.department == "TQW"
    assert academy.due == D(2024, 6, 30) and academy.milestone_of(P("2024Q2")) == "正式挂牌成立"
    assert "第136号提案的答复" in academy.source and academy.illustrative  # its deadline is invented: 示例
    assert all(t.sub_item_code in {s.code for s in plan.sub_items} for t in tasks.values())


# ---- the ledger -------------------------------------------------------------------------------------------------

def reports_frame(*rows: tuple[str, str, str, str, str, dt.date | None, dt.date | None, str]) -> pd.DataFrame:
    """read_task_reports' rows: (task, period, state, progress, status, done_on, new_due, submitted on)."""
    return pd.DataFrame([
        {"task_code": code, "period": period, "revision": 1, "submission_id": n, "state": state, "progress": words,
         "done_on": done, "new_due": new_due, "note": "", "status": status,
         "submitted_at": pd.Timestamp(sent), "approved_at": pd.Timestamp(sent) if status == "approved" else pd.NaT,
         "department": "TQW", "file_name": "f.csv"}
        for n, (code, period, state, words, status, done, new_due, sent) in enumerate(rows, start=1)],
        columns=REPORT_COLUMNS)


@pytest.fixture(scope="module")
def plan() -> PlanData:
    found = read_plan_folder(PLAN_DIR)
    assert isinstance(found, PlanData)
    return found


def test_the_ledger_shows_the_latest_approved_progress_and_the_state(plan: PlanData) -> None:
    reports = reports_frame(
        ("T01", "2024Q1", "in_progress", "完成分院场地改造和导师遴选", "approved", None, None, "2024-04-10"),
        ("T01", "2024Q2", "done", "分院于6月18日正式挂牌成立", "pending", D(2024, 6, 18), None, "2024-07-05"),
        ("T03", "2024Q1", "done", "游学地图及6条线路已发布", "approved", D(2024, 3, 20), None, "2024-04-08"))
    rows = ledger_rows(plan, reports, P("2024Q2"), D(2024, 7, 8), "zh").set_index("code")
    assert rows.loc["T01", "state_code"] == "completed"  # done, awaiting the 销号
    assert rows.loc["T01", "progress"] == "完成分院场地改造和导师遴选"  # the pending words are not shown yet
    assert rows.loc["T01", "milestone"] == "正式挂牌成立"
    assert rows.loc["T01", "state"] == "◆ 已完成待销号"
    assert rows.loc["T03", "state_code"] == "closed"
    assert rows.loc["T02", "state_code"] == "overdue"  # due 2023Q4, nothing reported
    counts = ledger_counts(rows.reset_index())
    assert counts_line(counts, "zh").startswith(f"重点任务{len(plan.tasks)}项：逾期")
    assert sum(counts.values()) == len(plan.tasks)


def test_a_past_quarters_ledger_is_judged_on_its_reporting_deadline(plan: PlanData) -> None:
    reports = reports_frame(
        ("T03", "2024Q1", "done", "游学地图及6条线路已发布", "approved", D(2024, 3, 20), None, "2024-04-08"),
        ("T10", "2024Q1", "in_progress", "导师遴选完成，服务手册在印制", "approved", None, None, "2024-04-20"))
    rows = ledger_rows(plan, reports, P("2024Q1"), D(2026, 12, 1), "zh").set_index("code")
    assert rows.loc["T01", "days_left"] == (D(2024, 6, 30) - D(2024, 4, 15)).days  # 15 days after the quarter
    assert rows.loc["T03", "state_code"] == "closed"  # its Q1 report came on 8 April, within the window
    assert rows.loc["T10", "state_code"] == "overdue"  # due 2024-03-31; the report of 20 April came after the window


# ---- the store and the command line ---------------------------------------------------------------------------

def test_tasks_are_stored_with_the_plan_and_read_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    loaded = build_store(engine, PLAN_DIR)
    assert isinstance(loaded, PlanData)
    with engine.connect() as conn:
        stored = plan_from_store(conn, "SHGX-2023")
    assert stored is not None
    assert [dataclasses.replace(t, row=0) for t in loaded.tasks] == list(stored.tasks)


def test_a_task_code_another_plan_uses_is_refused_naming_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    assert isinstance(build_store(engine, PLAN_DIR), PlanData)
    other = tmp_path / "SHGX-2026"
    shutil.copytree(PLANS_DIR / "SHGX-2026", other)
    set_cell("tasks.csv", "T21", "code", "T01")(other)
    refused = build_store(engine, other)
    assert isinstance(refused, list)
    assert [(i.file, i.row, i.column, i.check) for i in refused] == [
        ("SHGX-2026/tasks.csv", 2, "code", "plan-task-code-taken")]
    assert "已被方案“SHGX-2023”使用" in refused[0].message("zh")


def test_the_command_line_lists_the_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    assert isinstance(build_store(make_engine(url), PLAN_DIR), PlanData)
    monkeypatch.setenv("KPI_TODAY", "2024-06-10")
    assert run(["tasks", "--db", url, "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["as_of"], found["day"]) == ("2024Q2", "2024-06-10")
    first = found["rows"][0]
    assert {k: first[k] for k in ("code", "state", "due", "department", "progress", "period")} == {
        "code": "T01", "state": "due_soon", "due": "2024-06-30", "department": "TQW", "progress": None,
        "period": None}
    assert run(["tasks", "--db", url]) == 0
    assert capsys.readouterr().out.startswith("重点任务14项：")

"""The 重点任务 on the dashboard, through AppTest on the three-plan store of test_plan_cycles on its DAY (2026-12-01):
the 重点任务 page lists every task of the chosen plan with its state, filters by action, state and lead department and
exports what it shows; the overview's and each action's task line count the ledger's tasks; the 催办 lists name each
overdue task's owner; 报送情况 shows the task reports the open quarter is owed with those received; a department's
words show as typed.

The reports are written straight into the store (submission + task_report, as the intake stores them), on a copy of
the shared store. The 2026–2028 plan's tasks: T21 区科委 ZX1.1 due 2026-12-31, T22 区科委 ZX3.1 due 2027Q1, T23 区人才办
ZX5.1 due 2026-12-20, T24 华阳路街道 ZX2.2 due 2026-09-30. Its latest quarter with data is 2026Q3, so the dashboard
judges its ledger on that quarter's reporting deadline, 2026-10-15.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from conftest import sign_in_browser
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from models.states import APPROVED, PENDING
from pipelines.core.catalog import t
from pipelines.core.config import ROOT
from pipelines.core.periods import period_of_code
from pipelines.present.task_board import owed_task_reports
from pipelines.present.tasks import counts_line, ledger_counts, ledger_rows
from pipelines.store.plans import plan_from_store
from pipelines.store.tasks import read_task_reports
from pipelines.workflow.accounts import VIEWER, User, add_user
from tests.test_pages import Open, open_app  # noqa: F401  (the pages' fixture, used by name below)
from tests.test_plan_cycles import DAY, cycles  # noqa: F401  (the three-plan store, used by name below)

TASKS_PAGE = "views/screens/tasks.py"
BOARD = str(ROOT / "views" / "screens" / "board.py")
OLD, NEW, BRIDGE = "SHGX-2023", "SHGX-2026", "ZJCN-2025"
HOSTILE = "<img src=x onerror=alert(1)>**粗体**"
NEW_TASKS = {"T21", "T22", "T23", "T24"}
# The 2026–2028 plan's ledger as of 2026Q3 with the reports of `reported` (judged on 2026-10-15)
NEW_STATES = {"T21": "▶ 推进中", "T22": "✔ 已销号", "T23": "▶ 推进中", "T24": "✖ 逾期"}
NEW_LINE = "重点任务4项：逾期1项、已销号1项、推进中2项"


def copy_of(engine: Engine, folder: Path) -> Engine:
    """A copy of the shared SQLite store (its write-ahead log included), to write reports into."""
    target = folder / "tasks.sqlite3"
    with sqlite3.connect(engine.url.database or "") as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return make_engine(f"sqlite:///{target}")


def add_report(engine: Engine, department: str, task: str, period: str, state: str, progress: str,
               sent: dt.datetime, status: str = APPROVED, done_on: dt.date | None = None) -> int:
    """One quarter's report of a task in a submission of its own, as the intake stores it."""
    content = f"{task},{period},{progress},{sent}".encode()
    with engine.begin() as conn:
        submission = conn.execute(text(
            "INSERT INTO submission (file_name, sha256, content, department, submitter, channel, status, submitted_at,"
            " n_new, n_revised, n_unchanged, n_rejected) VALUES (:name, :sha, :content, :department, 'test', 'web',"
            " :status, :sent, 1, 0, 0, 0)"),
            {"name": f"{department}-{task}.csv", "sha": hashlib.sha256(content).hexdigest(), "content": content,
             "department": department, "status": status,
             "sent": f"{sent:%Y-%m-%d %H:%M:%S.%f}"}).lastrowid  # as SQLAlchemy writes a DateTime
        conn.execute(text(
            "INSERT INTO task_report (task_code, period, revision, submission_id, state, progress, done_on, new_due,"
            " note, source_row) VALUES (:task, :period, 1, :submission, :state, :progress, :done_on, NULL, '', 2)"),
            {"task": task, "period": period, "submission": submission, "state": state, "progress": progress,
             "done_on": done_on})
    return int(submission or 0)


@pytest.fixture
def bare(cycles: Engine, tmp_path: Path) -> Iterator[Engine]:  # noqa: F811
    """The three-plan store without any task report (whatever sample reports the shared store holds)."""
    engine = copy_of(cycles, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM task_report"))
    yield engine
    engine.dispose()


@pytest.fixture
def reported(bare: Engine) -> Engine:
    """The store without sample task reports, then 2026Q3 reports of three of the 2026–2028 plan's tasks: T21 推进中
    (approved, in a hostile text), T22 已完成 (approved: its 销号), T23 推进中 (awaiting review); T24 nothing."""
    add_report(bare, "KW", "T21", "2026Q3", "in_progress", HOSTILE, dt.datetime(2026, 10, 9, 10))
    add_report(bare, "KW", "T22", "2026Q3", "done", "概念验证中心年度服务项目评估报告已完成并通过评审",
               dt.datetime(2026, 10, 10, 10), done_on=dt.date(2026, 9, 25))
    add_report(bare, "RCB", "T23", "2026Q3", "in_progress", "已完成政策实施评估，修订稿征求意见中",
               dt.datetime(2026, 10, 12, 10), status=PENDING)
    return bare


@pytest.fixture
def on_day(open_app: Callable[[str], Open], monkeypatch: pytest.MonkeyPatch  # noqa: F811
           ) -> Callable[[Engine], Open]:
    """Pages of a store on DAY, opened through the app with URL parameters."""
    def opener(engine: Engine) -> Open:
        monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
        return open_app(str(engine.url))
    return opener


def tasks_page(opened: Open, **params: str) -> AppTest:
    at = opened("overview", **params)
    at.switch_page(TASKS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ledger_frame(at: AppTest) -> pd.DataFrame:
    """The ledger as the page shows it: its tables of each action, one after the other."""
    tables = [d.value for d in at.dataframe if t("ui.col.milestone") in d.value.columns]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def states_of(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame[t("ui.col.code")], frame[t("ui.col.state")]))


def bold_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**重点任务") or m.value.startswith("**本专项行动")]


def engine_line(engine: Engine, code: str, as_of: str, action: str | None = None) -> str:
    """The line the ledger itself gives: counts_line(ledger_counts(ledger_rows(...)))."""
    with engine.connect() as conn:
        plan = plan_from_store(conn, code)
        assert plan is not None
        reports = read_task_reports(conn, [task.code for task in plan.tasks])
    return counts_line(ledger_counts(ledger_rows(plan, reports, period_of_code(as_of), DAY, "zh"), action), "zh")


# ---- the 重点任务 page ----------------------------------------------------------------------------------------------

def test_tasks_page_lists_every_task_of_the_plan_with_its_state(on_day: Callable[[Engine], Open],
                                                                 reported: Engine) -> None:
    at = tasks_page(on_day(reported), plan=NEW)
    frame = ledger_frame(at)

    assert at.title[0].value == "重点任务"
    assert states_of(frame) == NEW_STATES
    assert [m.value for m in at.markdown if m.value.endswith("专项行动**")] == [
        "**科创企业集聚壮大专项行动**", "**科创街区品质提升专项行动**", "**科技成果转化提速专项行动**",
        "**科创人才引育留用专项行动**"]  # a table per action, in the plan's order
    assert list(frame[t("ui.col.code")]) == ["T21", "T24", "T22", "T23"]
    assert list(frame.columns[:4]) == ["编码", "子项", "重点任务", "状态"]
    row = frame.set_index(t("ui.col.code")).loc["T23"]
    assert (row[t("ui.col.lead")], row[t("ui.col.support")], row[t("ui.col.due")]) == ("区人才办", "区人社局",
                                                                                       "2026-12-20")
    assert row[t("ui.col.progress")] == "—"  # awaiting review: not shown as the progress yet
    assert frame.set_index(t("ui.col.code")).loc["T21", t("ui.col.period")] == "2026年第三季度"
    assert f"**{NEW_LINE}**" in bold_lines(at)


def test_tasks_page_of_an_ended_plan_without_reports_lists_its_fourteen_tasks_overdue(
        on_day: Callable[[Engine], Open], bare: Engine) -> None:
    frame = ledger_frame(tasks_page(on_day(bare), plan=OLD))

    assert set(frame[t("ui.col.code")]) == {f"T{n:02d}" for n in range(1, 15)}
    assert set(frame[t("ui.col.state")]) == {"✖ 逾期"}


def test_tasks_page_filters_by_action_state_and_lead_department(on_day: Callable[[Engine], Open],
                                                                reported: Engine) -> None:
    at = tasks_page(on_day(reported), plan=NEW)

    at.multiselect(key="tasks-state").set_value(["in_progress"]).run()
    assert set(ledger_frame(at)[t("ui.col.code")]) == {"T21", "T23"}
    at.multiselect(key="tasks-state").set_value([]).run()
    at.selectbox(key="tasks-lead").set_value("KW").run()
    assert set(ledger_frame(at)[t("ui.col.code")]) == {"T21", "T22"}
    at.selectbox(key="tasks-action").set_value("ZX3").run()
    assert set(ledger_frame(at)[t("ui.col.code")]) == {"T22"}
    at.multiselect(key="tasks-state").set_value(["overdue"]).run()
    assert ledger_frame(at).empty
    assert t("task_pages.no-match") in [i.value for i in at.info]


def test_tasks_page_exports_every_shown_row_named_as_the_office_names_it(
        on_day: Callable[[Engine], Open], reported: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    offered: list[dict[str, Any]] = []
    button = st.download_button

    def recording(label: str, data: bytes, **kwargs: Any) -> Any:
        offered.append({"data": data, **kwargs})
        return button(label, data, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    at = tasks_page(on_day(reported), plan=NEW)
    at.selectbox(key="tasks-lead").set_value("KW").run()
    shown = ledger_frame(at)
    workbook = pd.read_excel(io.BytesIO(offered[-1]["data"]), dtype=str)

    assert offered[-1]["file_name"] == "重点任务推进情况表（2026年第三季度）.xlsx"
    assert list(workbook.columns) == ["编码", "专项行动", "子项", "重点任务", "主责部门", "配合部门", "完成时限",
                                      "本季度阶段性目标", "进展情况", "进展所属期", "状态"]
    assert workbook[list(shown.columns)].fillna("").to_numpy().tolist() == shown.astype(str).to_numpy().tolist()
    assert list(workbook["编码"]) == ["T21", "T22"] and list(workbook["专项行动"]) == ["科创企业集聚壮大专项行动",
                                                                                   "科技成果转化提速专项行动"]


def test_tasks_page_shows_a_departments_hostile_words_as_typed(on_day: Callable[[Engine], Open],
                                                               reported: Engine) -> None:
    at = tasks_page(on_day(reported), plan=NEW)
    printed = "".join(h.proto.body for h in at.get("html"))

    assert ledger_frame(at).set_index(t("ui.col.code")).loc["T21", t("ui.col.progress")] == HOSTILE
    assert "&lt;img src=x onerror=alert(1)&gt;**粗体**" in printed and "<img src=x" not in printed
    assert not any("<img" in m.value or "粗体" in m.value for m in at.markdown)


def test_tasks_page_of_a_plan_without_tasks_is_a_calm_message(on_day: Callable[[Engine], Open],
                                                              cycles: Engine) -> None:  # noqa: F811
    at = tasks_page(on_day(cycles), plan=BRIDGE)

    assert t("task_pages.no-tasks") in [i.value for i in at.info]
    assert not at.dataframe and not at.get("download_button")


# ---- the task lines ------------------------------------------------------------------------------------------------

def test_overview_task_line_is_the_ledgers_count(on_day: Callable[[Engine], Open], reported: Engine) -> None:
    at = on_day(reported)("overview", plan=NEW)

    assert engine_line(reported, NEW, "2026Q3") == NEW_LINE
    assert bold_lines(at) == [f"**{NEW_LINE}**"]


def test_overview_of_an_ended_plan_keeps_its_tally_and_gains_the_task_line(on_day: Callable[[Engine], Open],
                                                                           bare: Engine) -> None:
    at = on_day(bare)("overview", plan=OLD)
    lines = [m.value for m in at.markdown]

    assert bold_lines(at) == [f"**{engine_line(bare, OLD, '2025Q4')}**"] == ["**重点任务14项：逾期14项**"]
    assert lines.index("**重点任务14项：逾期14项**") == 1 + next(n for n, m in enumerate(lines) if "55项指标中" in m)


@pytest.mark.parametrize("plan", [OLD, NEW])
def test_overview_task_line_of_the_sample_store_is_the_ledgers_count(on_day: Callable[[Engine], Open],
                                                                      cycles: Engine, plan: str) -> None:  # noqa: F811
    at = on_day(cycles)("overview", plan=plan)

    assert bold_lines(at) == [f"**{engine_line(cycles, plan, str(at.query_params['as_of']))}**"]


@pytest.mark.parametrize(("action", "line"), [("ZX1", "重点任务1项：推进中1项"), ("ZX2", "重点任务1项：逾期1项"),
                                              ("ZX4", "本专项行动未列重点任务")])
def test_action_page_line_counts_only_that_actions_tasks(on_day: Callable[[Engine], Open], reported: Engine,
                                                         action: str, line: str) -> None:
    at = on_day(reported)("actions", plan=NEW, action=action)

    assert bold_lines(at) == [f"**{line}**"]
    if action != "ZX4":
        assert engine_line(reported, NEW, "2026Q3", action) == line


def test_final_action_page_gains_the_line_of_its_tasks(on_day: Callable[[Engine], Open], bare: Engine) -> None:
    at = on_day(bare)("actions", plan=OLD, action="ZX5")

    assert bold_lines(at) == ["**重点任务9项：逾期9项**"]
    assert at.subheader[0].value == "科创人才服务完善专项行动"


# ---- 催办 and 报送情况 ----------------------------------------------------------------------------------------------

def test_overview_chase_list_names_each_overdue_tasks_owner_and_days(on_day: Callable[[Engine], Open],
                                                                     reported: Engine) -> None:
    at = on_day(reported)("overview", plan=NEW)
    late = next(d.value for d in at.dataframe if t("ui.col.overdue_days") in d.value.columns)

    assert t("task_pages.overdue.heading") in [s.value for s in at.subheader]
    assert late.to_dict("records") == [{"编码": "T24", "重点任务": "完成硅巷15分钟生活圈配套设施补短板项目",
                                        "主责部门": "华阳路街道", "配合部门": "江苏路街道、区规划资源局",
                                        "完成时限": "2026-09-30", "逾期天数": "15天"}]
    assert any(c.value.startswith("逾期天数计至2026-10-15") for c in at.caption)


def open_board(engine: Engine, monkeypatch: pytest.MonkeyPatch, plan: str | None = None) -> AppTest:
    """报送情况 as a leader (a viewer account of the store) sees it on DAY, of the plan chosen (else the default)."""
    added = add_user(engine, "leader-wang", "王某某", "Changning-leader-2026", (VIEWER,))
    assert isinstance(added, User), added
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    st.cache_data.clear()
    st.cache_resource.clear()
    sign_in_browser("leader-wang", str(engine.url))
    at = AppTest.from_file(BOARD, default_timeout=60)
    if plan:
        at.session_state["plan"] = plan
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def board(reported: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield open_board(reported, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_board_chase_list_names_overdue_tasks_with_owners_as_of_today(board: AppTest) -> None:
    late = next(d.value for d in board.dataframe if t("ui.col.overdue_days") in d.value.columns)

    assert late[["编码", "主责部门", "逾期天数"]].to_numpy().tolist() == [["T24", "华阳路街道", "62天"]]
    assert "**催办名单：逾期重点任务（截至2026-12-01）**" in [m.value for m in board.markdown]


def test_board_chase_list_of_an_ended_plan_counts_to_its_last_reporting_deadline(
        bare: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_board(bare, monkeypatch, OLD)
    late = next(d.value for d in at.dataframe if t("ui.col.overdue_days") in d.value.columns).set_index("编码")

    assert "**催办名单：逾期重点任务（截至2026-01-15）**" in [m.value for m in at.markdown]
    assert len(late) == 14 and (late.loc["T02", "主责部门"], late.loc["T02", "逾期天数"]) == ("区人社局", "746天")
    st.cache_data.clear()
    st.cache_resource.clear()


def test_board_shows_the_task_reports_the_open_quarter_owes_with_those_received(board: AppTest) -> None:
    owed = next(d.value for d in board.dataframe if t("task_pages.col.report") in d.value.columns)
    by_task = owed.set_index("编码")

    assert list(owed["填报单位"]) == ["区科委", "区科委", "区人才办", "华阳路街道"]  # the plan's order of departments
    assert by_task["报送情况"].to_dict() == {"T21": "审核通过", "T22": "审核通过", "T23": "已上报",
                                             "T24": "未填报·已逾期"}
    assert by_task.loc["T23", "报送时间"] == "2026-10-12" and by_task.loc["T24", "报送时间"] == "—"
    assert any(c.value.startswith("2026年第三季度应报重点任务进展4项，已收到3项（其中待审核1项），未报送1项")
               for c in board.caption)
    assert len([d for d in board.dataframe if t("board.rate") in d.value.columns]) == 1  # 及时率 kept as it was


def test_board_owes_no_report_after_a_tasks_closure(reported: Engine) -> None:
    with reported.connect() as conn:
        plan = plan_from_store(conn, NEW)
        assert plan is not None
        reports = read_task_reports(conn, [task.code for task in plan.tasks])

    assert set(owed_task_reports(plan, reports, period_of_code("2026Q3"), DAY)["task_code"]) == NEW_TASKS
    assert set(owed_task_reports(plan, reports, period_of_code("2026Q4"), DAY)["task_code"]) == NEW_TASKS - {"T22"}

"""The leaders' reporting board: 未填报 / 已上报 / 退回修改 / 审核通过 per department and quarter, on time or late
against quarter end + due days, returns counted, 及时率, and the 催报 list of the open quarter."""
from __future__ import annotations

import datetime as dt

from conftest import HEADER, csv_bytes, snapshot_store
from sqlalchemy import Engine

from models.states import APPROVED, RETURNED
from models.submissions import read_submission_periods
from pipelines.intake.ingest import IngestResult
from pipelines.plan.records import PlanData
from pipelines.present.submission_board import (
    NOT_SENT,
    SENT,
    board_grid,
    chase_list,
    compute_board,
    compute_rates,
    open_quarter,
)
from pipelines.workflow.accounts import REVIEWER, SUBMITTER, User
from pipelines.workflow.attempts import read_attempts, record_attempt
from pipelines.workflow.review import approve, preview_file, return_submission, submit_file

TODAY = dt.date(2024, 5, 1)  # 2024Q1 is the open quarter, due 2024-04-15
REV = User("rev", "审核员", (REVIEWER,))


def send(engine: Engine, plan: PlanData, department: str, row: list[str], when: dt.datetime) -> int:
    user = User(department.lower(), department, (SUBMITTER,), (department,))
    result = submit_file(engine, plan, user, f"{department}-{when:%m%d}.csv", csv_bytes([HEADER, row]),
                         department=department, today=when.date(), now=when)
    assert isinstance(result, IngestResult), result
    return int(result.submission_id)  # type: ignore[arg-type]


def board(engine: Engine, plan: PlanData):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return compute_board(plan, read_submission_periods(conn), TODAY)


def test_board_states_timeliness_returns_and_chase_list(engine: Engine, plan: PlanData) -> None:
    kw = send(engine, plan, "KW", ["A03", "x", "2024Q1", "700", ""], dt.datetime(2024, 4, 10, 9))
    approve(engine, REV, kw)
    rcb = send(engine, plan, "RCB", ["C05", "x", "2024Q1", "20", ""], dt.datetime(2024, 4, 20, 9))
    return_submission(engine, REV, rcb, "数值口径与上期不一致，请核对")
    send(engine, plan, "KW", ["A03", "x", "2023Q4", "600", ""], dt.datetime(2024, 4, 12, 9))

    frame = board(engine, plan).set_index(["department", "quarter"])
    assert open_quarter(plan, TODAY).code == "2024Q1"
    assert frame.loc[("KW", "2024Q1"), ["state", "on_time"]].tolist() == [APPROVED, True]
    assert frame.loc[("KW", "2023Q4"), ["state", "on_time"]].tolist() == [SENT, False]  # due 2024-01-15
    assert frame.loc[("RCB", "2024Q1"), ["state", "on_time", "returned_count"]].tolist() == [RETURNED, False, 1]
    assert frame.loc[("HYL", "2024Q1"), "state"] == NOT_SENT
    chase = chase_list(board(engine, plan), plan, TODAY)
    assert "RCB" in set(chase["department"]) and "HYL" in set(chase["department"]) and "KW" not in set(chase["department"])
    rates = compute_rates(board(engine, plan), TODAY).set_index("department")
    assert rates.loc["KW", "on_time"] == 1 and rates.loc["KW", "quarters_due"] >= 2
    grid = board_grid(board(engine, plan), plan, TODAY)
    kw_row = grid[grid["填报单位"] == "区科委"].iloc[0]
    assert kw_row["2024年第一季度"] == "审核通过·按时" and kw_row["2023年第四季度"] == "已上报·逾期"


def test_refused_uploads_are_counted_in_the_quarter_being_reported(engine: Engine, plan: PlanData) -> None:
    kw = User("kw", "区科委填报员", (SUBMITTER,), ("KW",))
    broken = csv_bytes([HEADER, ["A03", "x", "2024Q1", "很多", ""]])
    for when in (dt.datetime(2024, 4, 8, 9), dt.datetime(2024, 4, 9, 9), dt.datetime(2024, 2, 1, 9)):
        check = preview_file(engine, plan, kw, "kw.csv", broken, department="KW", today=when.date())
        record_attempt(engine, kw, "KW", "kw.csv", broken, check, now=when)
    good = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""]])
    record_attempt(engine, kw, "KW", "kw.csv", good, preview_file(engine, plan, kw, "kw.csv", good, department="KW",
                                                                   today=TODAY), now=dt.datetime(2024, 4, 10, 9))
    with engine.connect() as conn:
        attempts = read_attempts(conn)
        computed = compute_board(plan, read_submission_periods(conn), TODAY, attempts)
    frame = computed.set_index(["department", "quarter"])
    assert attempts["outcome"].tolist() == ["rejected", "rejected", "rejected", "checked"]
    assert frame.loc[("KW", "2024Q1"), ["state", "refused_count"]].tolist() == [NOT_SENT, 2]
    assert frame.loc[("KW", "2023Q4"), "refused_count"] == 1  # tried on 1 February, while 2023Q4 was being reported
    assert frame.loc[("RCB", "2024Q1"), "refused_count"] == 0
    grid = board_grid(computed, plan, TODAY)
    assert grid[grid["填报单位"] == "区科委"].iloc[0]["2024年第一季度"] == "未填报·已逾期·上传被拒2次"


def test_logging_an_attempt_changes_no_data_table(engine: Engine, plan: PlanData) -> None:
    kw = User("kw", "区科委填报员", (SUBMITTER,), ("KW",))
    before = {k: v for k, v in snapshot_store(engine).items() if k != "upload_attempt"}
    broken = b"\x00\x01 not a table"
    record_attempt(engine, kw, "KW", "x.xlsx", broken, preview_file(engine, plan, kw, "x.xlsx", broken, department="KW"))
    after = snapshot_store(engine)
    assert {k: v for k, v in after.items() if k != "upload_attempt"} == before
    assert len(after["upload_attempt"]) == 1

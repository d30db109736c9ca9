"""The leaders' reporting board: 未填报 / 已上报 / 退回修改 / 审核通过 per department and quarter, on time or late
against quarter end + due days, returns counted, 及时率, and the 催报 list of the open quarter."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from conftest import HEADER, csv_bytes
from models.submissions import read_submission_periods
from pipelines.accounts import REVIEWER, SUBMITTER, User
from pipelines.ingest import IngestResult
from pipelines.plan import PlanData
from pipelines.review import approve, return_submission, submit_file
from pipelines.submission_board import (
    APPROVED, NOT_SENT, RETURNED, SENT, board_grid, chase_list, compute_board, compute_rates, open_quarter,
)

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

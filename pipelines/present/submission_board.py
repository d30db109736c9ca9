"""The leaders' board of the reporting cycle: per department and quarter 未填报 / 已上报 / 退回修改 / 审核通过, on time
or late against the due date (quarter end + the plan's due days, default 15), returns, uploads refused by the checks,
及时率, and the 催报 list of departments that have not yet sent the open quarter. Pure: plan, submissions, upload
attempts and today in, frames out."""
from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd

from models.states import APPROVED, PENDING, RETURNED
from pipelines.core.catalog import t
from pipelines.core.periods import Period, latest_period_ending_by, period_containing, period_of_code
from pipelines.plan.records import PlanData
from pipelines.present.timeliness import owed_reports, quarter_of

NOT_SENT, SENT = "not_sent", "sent"  # a board cell's own states; the other two are the review's (models.states)
_RANK = {"approved": 3, "pending": 2, "returned": 1}
_STATE_OF = {APPROVED: APPROVED, PENDING: SENT, RETURNED: RETURNED}
BOARD_COLUMNS = ["department", "quarter", "due", "state", "first_sent", "on_time", "returned_count",
                 "refused_count"]


def open_quarter(plan: PlanData, today: dt.date) -> Period:
    """The quarter being reported now (the last that has ended), not past the plan's end."""
    ended = latest_period_ending_by(period_containing(today).start_time, "quarterly")
    return min(ended, latest_period_ending_by(plan.info.end_period.end_time, "quarterly"))


def compute_board(plan: PlanData, sent: pd.DataFrame, today: dt.date,
                  attempts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per department and quarter it owes reports for, up to the open quarter.

    `sent` is models.submissions.read_submission_periods: submission_id, department, status, submitted_at, period.
    `attempts` is pipelines.workflow.attempts.read_attempts: a refused upload counts for the quarter being reported
    when it was tried (its file may name no readable period at all).
    """
    owed = owed_reports(plan, open_quarter(plan, today))
    slots = owed.groupby(["department", "quarter"], as_index=False)["due"].max()
    quarters = sent.assign(quarter=[quarter_of(period_of_code(p)).code for p in sent["period"]]) if not sent.empty \
        else sent.assign(quarter=[])
    rows = []
    for department, quarter, due in slots[["department", "quarter", "due"]].itertuples(index=False):
        mine = quarters[(quarters["department"] == department) & (quarters["quarter"] == quarter)]
        mine = mine.drop_duplicates("submission_id")
        rows.append(_slot(department, quarter, due, mine))
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS[:-1])
    refused = _refused_by_slot(plan, attempts)
    board["refused_count"] = [refused.get((d, q), 0) for d, q in zip(board["department"], board["quarter"])]
    return board


def _refused_by_slot(plan: PlanData, attempts: pd.DataFrame | None) -> dict[tuple[str, str], int]:
    if attempts is None or attempts.empty:
        return {}
    refused = attempts[(attempts["outcome"] == "rejected") & attempts["department"].notna()]
    quarters = [open_quarter(plan, at.date()).code for at in refused["at"]]
    sizes = refused.assign(quarter=quarters).groupby(["department", "quarter"]).size()
    return cast(dict[tuple[str, str], int], sizes.to_dict())  # keyed by (department, quarter)


def _slot(department: str, quarter: str, due: dt.date, mine: pd.DataFrame) -> dict[str, object]:
    if mine.empty:
        return {"department": department, "quarter": quarter, "due": due, "state": NOT_SENT, "first_sent": None,
                "on_time": None, "returned_count": 0}
    best = max(mine["status"], key=lambda s: _RANK.get(s, 0))
    first = mine["submitted_at"].min()
    return {"department": department, "quarter": quarter, "due": due, "state": _STATE_OF.get(best, SENT),
            "first_sent": first, "on_time": bool(first.date() <= due),
            "returned_count": int((mine["status"] == "returned").sum())}


def compute_rates(board: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """及时率 per department: quarters first sent by their due date ÷ quarters whose due date has passed."""
    due = board[board["due"] < today]
    rates = due.groupby("department").agg(quarters_due=("quarter", "size"),
                                          on_time=("on_time", lambda s: int((s == True).sum())))  # noqa: E712
    rates["rate"] = rates["on_time"] / rates["quarters_due"]
    return rates.reset_index().sort_values(["rate", "department"], ascending=[False, True]).reset_index(drop=True)


def chase_list(board: pd.DataFrame, plan: PlanData, today: dt.date) -> pd.DataFrame:
    """催报: departments that owe the open quarter and have not sent it (or whose file was returned)."""
    quarter = open_quarter(plan, today).code
    waiting = board[(board["quarter"] == quarter) & board["state"].isin([NOT_SENT, RETURNED])]
    return waiting[["department", "quarter", "due", "state"]].reset_index(drop=True)


# ---- as the page shows them --------------------------------------------------------------------------------

def cell_text(state: str, on_time: bool | None, returned: int, today: dt.date, due: dt.date, lang: str = "zh",
              refused: int = 0) -> str:
    """审核通过·按时 / 已上报·逾期 / 未填报 / 退回修改 (退回1次) / … ·上传被拒2次"""
    words = [t(f"board.state.{state}", lang)]
    if on_time is not None and not pd.isna(on_time):
        words.append(t("board.on-time" if on_time else "board.late", lang))
    elif state == NOT_SENT and today > due:
        words.append(t("board.overdue", lang))
    if returned:
        words.append(t("board.returned-n", lang, n=returned))
    if refused:
        words.append(t("board.refused-n", lang, n=refused))
    return "·".join(words)


def board_grid(board: pd.DataFrame, plan: PlanData, today: dt.date, lang: str = "zh") -> pd.DataFrame:
    """Departments (plan order) × quarters (oldest first), each cell the state in words."""
    names = {d.code: d.name_zh if lang == "zh" else d.name_en for d in plan.departments}
    order = [names[d.code] for d in plan.departments if d.code in set(board["department"])]
    cells = board.assign(text=[cell_text(s, o, r, today, d, lang, x) for s, o, r, d, x in
                               board[["state", "on_time", "returned_count", "due", "refused_count"]]
                               .itertuples(index=False)],
                         name=board["department"].map(names),
                         label=[period_of_code(q).label(lang) for q in board["quarter"]])
    in_time = sorted(set(board["quarter"]), key=lambda q: period_of_code(q).end_time)
    quarters = [period_of_code(q).label(lang) for q in in_time]
    grid = cells.pivot(index="name", columns="label", values="text").reindex(index=order, columns=quarters)
    return grid.fillna("").rename_axis(index=t("submit.col.department", lang), columns=None).reset_index()


def rates_rows(rates: pd.DataFrame, plan: PlanData, lang: str = "zh") -> pd.DataFrame:
    names = {d.code: d.name_zh if lang == "zh" else d.name_en for d in plan.departments}
    return pd.DataFrame({t("submit.col.department", lang): rates["department"].map(names),
                         t("board.rate", lang): [f"{r:.0%}" for r in rates["rate"]],
                         t("board.on-time-due", lang): [f"{a}/{b}" for a, b in zip(rates["on_time"],
                                                                                   rates["quarters_due"])]})


def chase_rows(chase: pd.DataFrame, plan: PlanData, lang: str = "zh") -> pd.DataFrame:
    names = {d.code: d.name_zh if lang == "zh" else d.name_en for d in plan.departments}
    return pd.DataFrame({t("submit.col.department", lang): chase["department"].map(names),
                         t("submit.quarter", lang): [period_of_code(q).label(lang) for q in chase["quarter"]],
                         t("board.due", lang): [d.isoformat() for d in chase["due"]],
                         t("submit.col.status", lang): [t(f"board.state.{s}", lang) for s in chase["state"]]})

"""The overview's long lists (views.shared.lists): a plan with more red flags or changes than LIMIT shows the most
urgent LIMIT, states the total in words (共37项，显示前20项), builds the whole list only when 「查看全部」 is opened and
offers it as XLSX; a list within the limit is drawn whole with nothing added. The lists are sorted before any row is
built, so the page asks the store for the narratives of the rows it draws alone. Pure halves: the present functions
that sort and cut (pipelines.present.tables, final_view)."""
# ruff: noqa: F811  (the tests take the imported fixtures as their arguments, as pytest passes them)
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from models.columns import CODE, DEPARTMENT, PERIOD, SUBMITTED_AT, SUBMITTER, VALUE
from models.db import make_engine
from pipelines.core.catalog import t
from pipelines.core.config import PLAN_DIR, SAMPLES_DIR
from pipelines.engine.progress import STATUS_GROUP, Change
from pipelines.intake.build import build_store, load_samples
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.plan.evaluation import compute_evaluation
from pipelines.plan.records import PlanData
from pipelines.present.final_view import unfinished_codes, unfinished_rows
from pipelines.present.tables import (
    change_order,
    changes_rows,
    likely_codes,
    likely_rows,
    red_codes,
    red_flags,
    red_keys,
    revision_order,
    revision_rows,
)
from tests.conftest import HEADER, csv_bytes
from tests.dashboard_fixtures import Store
from tests.test_pages import open_app  # noqa: F401
from views.shared import data
from views.shared.lists import LIMIT
from views.shared.printable import FULL_LIST, PRINT_CSS, PRINT_SCRIPT

EXTRA = 30  # indicators added to the shipped plan, all far behind: with its own red flags, more than LIMIT
SENT_ON = dt.date(2026, 1, 10)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def crowded_plan(folder: Path) -> Path:
    """The shipped plan with a seventh action of EXTRA quarterly stocks led by 区科委 (KW)."""
    shutil.copytree(PLAN_DIR, folder)
    actions = _rows(folder / "actions.csv")
    _write(folder / "actions.csv", [*actions, {**actions[0], "code": "ZX7", "name_zh": "试点观测专项行动",
                                                "name_en": "Pilot action", "description_zh": "试点"}])
    subs = _rows(folder / "sub_items.csv")
    _write(folder / "sub_items.csv", [*subs, {**subs[0], "code": "ZX7.1", "action_code": "ZX7", "name_zh": "试点观测",
                                              "name_en": "Pilot", "lead_department": "KW"}])
    indicators = _rows(folder / "indicators.csv")
    template = next(i for i in indicators if i["code"] == "A03")  # 500 → 1,000 家 by 2025, quarterly
    _write(folder / "indicators.csv", [*indicators, *({**template, "code": f"X{n:02d}", "sub_item_code": "ZX7.1",
                                                       "goal_code": "", "name_zh": f"试点观测指标{n:02d}号",
                                                       "name_en": f"Pilot indicator {n}", "department": "KW",
                                                       "supporting_departments": "", "source": "示例"}
                                                      for n in range(1, EXTRA + 1))])
    return folder


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The crowded plan, every sample file, and two quarters of the new indicators a little above their baseline
    (each further behind than the one before it): 37 red flags and more than 30 changes. Read only."""
    root = tmp_path_factory.mktemp("crowded")
    engine = make_engine(f"sqlite:///{root / 'kpi.sqlite3'}")
    plan = build_store(engine, crowded_plan(root / "plan"))
    assert isinstance(plan, PlanData), plan
    assert all(r.outcome != "rejected" for r in load_samples(engine, SAMPLES_DIR))
    rows = [[f"X{n:02d}", "", period, 560 - 2 * n + step, ""] for n in range(1, EXTRA + 1)
            for period, step in (("2025Q3", 0), ("2025Q4", 1))]
    result = ingest_bytes(engine, plan, IngestRequest("试点观测.csv", csv_bytes([HEADER, *rows]), department="KW",
                                                      submitter="测试", today=SENT_ON))
    assert result.outcome == "accepted", result.as_dict()
    yield Store(f"sqlite:///{root / 'kpi.sqlite3'}", engine, plan)
    engine.dispose()


def frames_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if t(column) in d.value.columns]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def printed(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))  # type: ignore[attr-defined]


def print_tables(at: AppTest, header: str) -> list[int]:
    """The number of body rows of each print copy whose header names `header`."""
    return [body.count("<tr>") for head, body in re.findall(r"<thead>(.*?)</thead><tbody>(.*?)</tbody>", printed(at))
            if f"<th>{header}</th>" in head]


# ---- the page ------------------------------------------------------------------------------------------------------

def test_more_red_flags_than_the_limit_shows_the_most_urgent_and_states_the_total(open_app, crowded: Store) -> None:
    red = red_codes(crowded.standing())
    at = open_app(crowded)()

    flags = frames_with(at, "ui.col.explanation")
    assert len(red) == 7 + EXTRA > LIMIT
    assert [list(f[t("ui.col.code")]) for f in flags] == [red[:LIMIT]]  # the furthest behind, nothing else built
    assert f"共{len(red)}项，显示前{LIMIT}项（落后最多的在前）。" in captions(at)
    assert f"查看全部{len(red)}项红灯指标" in [e.label for e in at.expander]
    assert print_tables(at, t("ui.col.explanation")) == [LIMIT]  # the print copy: the same rows, and where the rest is
    assert t("ui.list.print-note", shown=LIMIT, total=len(red), what=t("ui.list.what.red-flags")) in printed(at)


def test_the_whole_red_flag_list_is_built_when_opened_and_offered_as_xlsx(open_app, crowded: Store) -> None:
    red = red_codes(crowded.standing())
    at = open_app(crowded)()
    assert not at.get("download_button")

    at.session_state[f"{FULL_LIST}red-flags"] = True  # what opening 「查看全部37项红灯指标」 does
    at.run()

    assert not at.exception
    assert [len(f) for f in frames_with(at, "ui.col.explanation")] == [LIMIT, len(red)]
    assert list(frames_with(at, "ui.col.explanation")[1][t("ui.col.code")]) == red
    assert [b.label for b in at.get("download_button")] == [t("ui.list.download")]  # type: ignore[attr-defined]
    assert sorted(print_tables(at, t("ui.col.explanation"))) == [LIMIT, len(red)]  # opened, it prints whole


def test_the_changes_show_the_first_rows_with_the_total(open_app, crowded: Store) -> None:
    at = open_app(crowded)()

    changes = frames_with(at, "ui.col.change")[0]
    total = next(int(m.group(1)) for c in captions(at) if (m := re.match(r"共(\d+)项，显示前20项（状态变化在前", c)))
    kinds = [t(f"ui.change.{kind}") for kind in ("status", "became_overdue", "new_value")]
    assert len(changes) == LIMIT < total
    assert [kinds.index(k) for k in changes[t("ui.col.kind")]] == sorted(kinds.index(k) for k in changes[t("ui.col.kind")])
    assert f"查看全部{total}项变化" in [e.label for e in at.expander]


def test_only_the_drawn_red_flags_narratives_are_read(open_app, crowded: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    read = data.read_current_narratives
    monkeypatch.setattr(data, "read_current_narratives", lambda conn, keys: asked.append(len(keys)) or read(conn, keys))

    open_app(crowded)()

    assert asked and max(asked) <= LIMIT


def test_the_lists_speak_the_readers_language_without_leaking_keys(open_app, crowded: Store) -> None:
    red = len(red_codes(crowded.standing()))
    zh, en = open_app(crowded)(), open_app(crowded)(lang="en")

    words = [*captions(zh), *(e.label for e in zh.expander)]
    lists = [w for w in words if w.startswith(("共", "查看全部"))]
    assert lists and not [w for w in lists if re.search(r"[A-Za-z]|ui\.", w)]
    assert f"{red} in all; the first {LIMIT} are shown (furthest behind first)." in captions(en)
    assert f"Show all {red} red flags" in [e.label for e in en.expander]


def test_a_list_within_the_limit_is_drawn_whole_with_nothing_added(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    red = [c for c, a in standing.assessments.items() if STATUS_GROUP[a.status] == "red"]
    at = open_app(sample_store)()

    assert 0 < len(red) <= LIMIT
    assert set(frames_with(at, "ui.col.explanation")[0][t("ui.col.code")]) == set(red)
    assert not [e.label for e in at.expander if "红灯" in e.label]
    assert not [c for c in captions(at) if "落后最多的在前" in c]
    assert t("ui.list.what.red-flags") not in printed(at)  # no note: the print copy holds every row


def test_print_leaves_a_closed_whole_list_out_and_does_not_open_it() -> None:
    printing = PRINT_CSS[PRINT_CSS.index("@media print"):]

    assert f'[class*="st-key-{FULL_LIST}"]:has(details:not([open])) {{display: none' in printing
    assert f"details.closest('[class*=\"st-key-{FULL_LIST}\"]')" in PRINT_SCRIPT


# ---- sorting and cutting, before any row is built ------------------------------------------------------------------

@pytest.fixture(scope="module")
def crowded_standing(crowded: Store):  # type: ignore[no-untyped-def]
    return crowded.standing()


def test_red_codes_are_the_red_flag_lists_order_and_cut_rows_are_its_first(crowded_standing) -> None:
    every = red_flags(crowded_standing, "zh")
    order = red_codes(crowded_standing)
    scores = [crowded_standing.assessments[c].score for c in order]

    assert list(every[CODE]) == order
    assert scores == sorted(scores)
    pd.testing.assert_frame_equal(red_flags(crowded_standing, "zh", codes=order[:5]), every.head(5))
    assert [code for code, _ in red_keys(crowded_standing, order[:5])] == order[:5]


def test_change_order_puts_status_moves_first_and_cut_rows_are_its_first(crowded_standing) -> None:
    changes = [Change("X01", "new_value", 500.0, 510.0, "2025Q3"), Change("A05", "status", "off_track", "on_track"),
               Change("ZZ9", "status", "off_track", "on_track"), Change("A06", "became_overdue", None, None),
               Change("A03", "status", "on_track", "off_track")]

    order = change_order(changes, crowded_standing)

    assert order == [1, 4, 3, 0]  # an indicator the plan does not hold (ZZ9) is left out
    pd.testing.assert_frame_equal(changes_rows(changes, crowded_standing, "zh", order[:2]),
                                  changes_rows(changes, crowded_standing, "zh").head(2))


def test_revision_rows_name_no_one_as_a_dash_never_nan(crowded_standing) -> None:
    revisions = pd.DataFrame({CODE: ["A03", "ZZ9", "A06"], PERIOD: ["2024Q3"] * 3, VALUE: [715.0, 1.0, 250.0],
                              "previous": [712.0, 2.0, 240.0], DEPARTMENT: [float("nan"), "KW", "SWW"],
                              SUBMITTER: [float("nan"), "x", "周老师"],
                              SUBMITTED_AT: pd.to_datetime(["2025-01-20 09:30"] * 3)})

    order = revision_order(revisions, crowded_standing)
    rows = revision_rows(revisions, crowded_standing, "zh", order)

    assert order == [0, 2]
    assert rows["change"][0] == "2024年第三季度：712家 → 715家（—，2025-01-20 09:30）"
    assert "nan" not in "".join(rows["change"]) and "区商务委 周老师" in rows["change"][1]


def test_likely_and_unfinished_orders_are_their_lists(crowded_standing) -> None:
    likely = likely_codes(crowded_standing)
    evaluation = compute_evaluation(crowded_standing.plan, crowded_standing.current, "final")
    unfinished = unfinished_codes(evaluation)

    assert list(likely_rows(crowded_standing, "zh")[CODE]) == likely
    assert list(likely_rows(crowded_standing, "zh", likely[:2])[CODE]) == likely[:2]
    assert list(unfinished_rows(evaluation, crowded_standing, "zh")[CODE]) == unfinished
    assert len(unfinished) > LIMIT and set(unfinished) >= {f"X{n:02d}" for n in range(1, EXTRA + 1)}
    pd.testing.assert_frame_equal(unfinished_rows(evaluation, crowded_standing, "zh", codes=unfinished[:3]),
                                  unfinished_rows(evaluation, crowded_standing, "zh").head(3))

"""The 通报 completion table and the overview's lists, built from the engine's standing of the sample store."""
from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from models.columns import CODE, DEPARTMENT, PERIOD, SUBMITTED_AT, SUBMITTER, VALUE
from pipelines.core.periods import period_of_code
from pipelines.engine.progress import STATUS_GROUP, Change
from pipelines.plan.standing import compute_standing
from pipelines.present.formatting import format_number, status_badge
from pipelines.present.tables import (
    ACTUAL,
    COMPLETION,
    GAP,
    INDICATOR,
    LEAD,
    PACE,
    PROBLEMS,
    PROGRESS,
    REPORT_COLUMNS,
    STATUS,
    SUB_ITEM,
    SUPPORT,
    TARGET,
    TREND,
    changes_rows,
    completion_table,
    export_frame,
    filter_completion,
    headline,
    hierarchy_nodes,
    likely_rows,
    localise,
    overdue_by_department,
    pace_lists,
    red_flags,
    red_flags_heading,
    revision_rows,
    shows_illustrative,
    sort_completion,
)
from tests.dashboard_fixtures import Store


@pytest.fixture(scope="module")
def standing(sample_store: Store):  # type: ignore[no-untyped-def]
    return sample_store.standing()


def codes_of(plan, action: str) -> list[str]:  # type: ignore[no-untyped-def]
    subs = {s.code for s in plan.sub_items if s.action_code == action}
    return [i.code for i in plan.indicators if i.sub_item_code in subs]


def test_completion_table_one_row_per_indicator_of_the_action_with_the_engines_numbers(standing) -> None:
    table = completion_table(standing, "zh", "ZX1")
    codes = codes_of(standing.plan, "ZX1")
    a = standing.assessments

    assert list(table[CODE]) == codes
    assert list(table["seq"]) == list(range(1, len(codes) + 1))
    assert list(table[COMPLETION]) == [round(a[c].completion * 100, 1) for c in codes]
    assert list(table[GAP].fillna(999)) == [999 if a[c].gap_points is None else round(a[c].gap_points, 1) for c in codes]
    assert list(table[STATUS]) == [status_badge(a[c].status, "zh") for c in codes]


def test_completion_table_names_owners_and_fills_the_narrative_columns(standing) -> None:
    row = completion_table(standing, "zh", "ZX1").set_index(CODE).loc["A03"]

    assert (row[SUB_ITEM], row[INDICATOR], row["unit"], row[TARGET], row[ACTUAL]) == (
        "助力重点产业创新", "高成长性科技企业数", "家", "1,000", "1,012")
    assert (row[LEAD], row[SUPPORT]) == ("区科委", "区商务委")
    assert row[PROGRESS] == standing.current.query("indicator_code == 'A03' and period == '2025Q4'")["note"].iloc[0]
    assert row[PROBLEMS] == row["next_steps"] == "—"


def narratives_for(standing, code: str, period: str, **texts: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    sent = standing.current.query("indicator_code == @code and period == @period")["submission_id"].item()
    return pd.DataFrame([{CODE: code, PERIOD: period, "submission_id": sent, "progress": "", "problems": "",
                          "next_steps": "", **texts}])


def test_completion_table_takes_the_narrative_sent_with_the_current_value(standing) -> None:
    told = narratives_for(standing, "A03", "2025Q4", progress="新认定企业12家", problems="载体偏紧", next_steps="加快腾挪")

    row = completion_table(standing, "zh", "ZX1", told).set_index(CODE).loc["A03"]

    assert (row[PROGRESS], row[PROBLEMS], row["next_steps"]) == ("新认定企业12家", "载体偏紧", "加快腾挪")


def test_completion_table_ignores_a_narrative_about_an_older_revision(standing) -> None:
    told = narratives_for(standing, "A03", "2025Q4", problems="旧的问题").assign(submission_id=-1)

    row = completion_table(standing, "zh", "ZX1", told).set_index(CODE).loc["A03"]

    assert row[PROBLEMS] == "—"


def test_completion_table_without_a_written_progress_falls_back_to_the_note(standing) -> None:
    told = narratives_for(standing, "A03", "2025Q4", problems="载体偏紧")
    note = standing.current.query("indicator_code == 'A03' and period == '2025Q4'")["note"].item()

    row = completion_table(standing, "zh", "ZX1", told).set_index(CODE).loc["A03"]

    assert (row[PROGRESS], row[PROBLEMS], row["next_steps"]) == (note or "—", "载体偏紧", "—")


def test_completion_table_yearly_amount_shows_the_years_running_total(standing) -> None:
    plan = standing.plan
    annual = next(i for i in plan.indicators if i.kind == "annual" and i.frequency == "quarterly")
    a = standing.assessments[annual.code]
    row = completion_table(standing, "zh").set_index(CODE).loc[annual.code]

    assert row[ACTUAL] == format_number(a.completion * annual.target)
    assert a.latest_value is not None and row[ACTUAL] != format_number(a.latest_value)  # not just the last quarter


def test_completion_table_milestone_reads_done_or_not_done(standing) -> None:
    milestone = next(i for i in standing.plan.indicators if i.kind == "milestone")
    row = completion_table(standing, "en").set_index(CODE).loc[milestone.code]

    assert row[TARGET] == "Done"
    assert row[ACTUAL] == ("Done" if standing.assessments[milestone.code].latest_value == 1 else "Not done")
    assert math.isnan(row[GAP]) and pd.isna(row[PACE])


def test_completion_table_trend_stops_at_the_cutoff(sample_store: Store) -> None:
    earlier = sample_store.standing("2024Q2")
    trend = completion_table(earlier, "zh", "ZX1").set_index(CODE).loc["A03", TREND]
    values = earlier.current.query("indicator_code == 'A03'")
    kept = values[values[PERIOD].map(lambda p: period_of_code(p).end_time <= 2024.5)].sort_values(PERIOD)

    assert trend == list(kept[VALUE]) and trend[-1] == 660.0


def test_filter_completion_by_colour_group_sub_item_and_pace(standing) -> None:
    table = completion_table(standing, "zh", "ZX1")

    assert set(filter_completion(table, ["red"])[STATUS]) == {status_badge("not_achieved", "zh")}
    assert set(filter_completion(table, sub_item="挖掘空间载体动能")[SUB_ITEM]) == {"挖掘空间载体动能"}
    assert (filter_completion(table, pace="behind")[GAP] < 0).all()
    assert len(filter_completion(table)) == len(table)


def test_sort_completion_descending_keeps_rows_without_numbers_last(standing) -> None:
    ordered = sort_completion(completion_table(standing, "zh", "ZX1"), GAP, descending=True)
    gaps = list(ordered[GAP])
    numbers = [g for g in gaps if not math.isnan(g)]

    assert numbers == sorted(numbers, reverse=True)
    assert all(math.isnan(g) for g in gaps[len(numbers):])
    with pytest.raises(ValueError):
        sort_completion(ordered, "status")


def test_pace_lists_name_ahead_level_and_behind_items_with_their_gap(standing) -> None:
    lists = pace_lists(completion_table(standing, "zh", "ZX1"), "zh")

    assert lists["behind"] == ["专精特新企业数（-7.7个百分点）", "创新产业集群数（-25.0个百分点）", "科创载体空置率（-36.3个百分点）"]
    assert len(lists["ahead"]) == 4 and lists["ahead"][0].startswith("科创载体面积（+3.3")
    assert all("0.0个百分点" in item for item in lists["level"])


def test_export_frame_has_the_tongbao_columns_in_order(standing) -> None:
    frame = export_frame(completion_table(standing, "zh", "ZX1"), "zh")

    assert list(frame.columns) == ["序号", "子项", "指标", "计量单位", "目标", "截至本期完成", "完成率", "序时进度",
                                   "差值（个百分点）", "状态", "主责部门", "配合部门", "进展情况", "存在问题", "下步措施"]
    assert len(REPORT_COLUMNS) == 15
    assert list(localise(frame.rename(columns=dict(zip(frame.columns, REPORT_COLUMNS))), "en").columns)[:3] == [
        "No.", "Sub-item", "Indicator"]


def test_headline_is_the_plan_roll_up_and_the_assessments(standing) -> None:
    head = headline(standing)
    plan = standing.rollups[standing.plan.info.code]

    assert (head.completion, head.status, head.indicators) == (plan.mean_completion, plan.status, 55)
    assert head.likely == sum(a.likely_to_meet for a in standing.assessments.values())
    assert head.groups == {g: sum(STATUS_GROUP[a.status] == g for a in standing.assessments.values())
                           for g in ("green", "amber", "red", "grey")}
    assert sum(head.counts.values()) == 55


def test_hierarchy_nodes_each_parent_is_the_sum_of_its_children(standing) -> None:
    nodes = hierarchy_nodes(standing, "zh")
    value = dict(zip(nodes["id"], nodes["value"]))

    for parent, children in nodes.groupby("parent"):
        if parent:
            assert value[parent] == children["value"].sum(), parent
    assert nodes.loc[nodes["parent"] == "", "value"].item() == 55
    assert set(nodes["parent"]) - set(nodes["id"]) == {""}
    status = dict(zip(nodes["id"], nodes["status_code"]))
    assert status["ZX3"] == standing.rollups["ZX3"].status and status["A03"] == standing.assessments["A03"].status


def test_red_flags_are_exactly_the_red_indicators_furthest_behind_first(standing) -> None:
    flags = red_flags(standing, "zh")
    a = standing.assessments

    assert set(flags[CODE]) == {c for c, x in a.items() if STATUS_GROUP[x.status] == "red"}
    assert [a[c].score for c in flags[CODE]] == sorted(a[c].score for c in flags[CODE])
    assert all(e == a[c].explanation_zh for c, e in zip(flags[CODE], flags["explanation"]))


def test_likely_rows_are_the_engines_likely_to_meet(standing) -> None:
    assert len(likely_rows(standing, "zh")) == sum(a.likely_to_meet for a in standing.assessments.values())


def test_overdue_by_department_counts_each_departments_overdue_indicators(standing) -> None:
    nothing = compute_standing(standing.plan, standing.current.iloc[0:0], period_of_code("2025Q4"))
    overdue = overdue_by_department(nothing, "zh")

    assert overdue["count"].sum() == sum(a.overdue for a in nothing.assessments.values()) > 0
    assert overdue.iloc[0][DEPARTMENT] == "区科委" and overdue.iloc[0]["count"] == 16
    assert list(overdue["count"]) == sorted(overdue["count"], reverse=True)
    assert overdue_by_department(standing, "zh").empty


def test_changes_rows_status_moves_have_neutral_arrows_and_come_first(standing) -> None:
    changes = [Change("A03", "new_value", 930.0, 1012.0, "2025Q3"), Change("A05", "status", "off_track", "not_achieved"),
               Change("A06", "status", "needs_attention", "on_track"), Change("A07", "status", None, "on_track")]

    rows = changes_rows(changes, standing, "zh")

    assert list(rows["kind"]) == ["状态变化", "状态变化", "状态变化", "新报送"]
    assert list(rows["arrow"]) == ["", "▲", "", "▲"]  # off track → not achieved stays red: no arrow
    assert rows["change"][1] == "◐ 需关注 → ● 进度正常"
    # the value it follows is named as last quarter's, so a new value never reads like a revision
    assert rows["change"][3] == "较上季度（2025年第三季度）930家 → 本季度1,012家"


def test_a_new_value_names_both_periods_when_they_are_not_the_last_two_quarters(standing) -> None:
    older = changes_rows([Change("A03", "new_value", 900.0, 1012.0, "2024Q4")], standing, "zh")
    first = changes_rows([Change("A03", "new_value", None, 1012.0)], standing, "zh")

    assert older["change"][0] == "2024年第四季度为900家，2025年第四季度为1,012家"
    assert first["change"][0] == "2025年第四季度首次报送：1,012家"


def test_revised_past_values_are_their_own_list_with_who_and_when(standing) -> None:
    revisions = pd.DataFrame([{CODE: "A03", PERIOD: "2024Q3", VALUE: 715.0, "previous": 712.0,
                               DEPARTMENT: "KW", SUBMITTER: "张老师", SUBMITTED_AT: pd.Timestamp("2025-01-20 09:30")}])

    rows = revision_rows(revisions, standing, "zh")

    assert rows.to_dict("list") == {"kind": ["修订往期数据"], "indicator": ["高成长性科技企业数"], "arrow": ["▲"],
                                    "change": ["2024年第三季度：712家 → 715家（区科委 张老师，2025-01-20 09:30）"]}


def test_the_red_flag_heading_names_what_the_list_holds(standing) -> None:
    statuses = {a.status for a in standing.assessments.values() if a.status in ("off_track", "regressing",
                                                                                "not_achieved")}
    ended = dataclasses.replace(standing, assessments={
        c: dataclasses.replace(a, status="not_achieved") if a.status in statuses else a
        for c, a in standing.assessments.items()})
    cleared = dataclasses.replace(standing, assessments={
        c: dataclasses.replace(a, status="on_track") if a.status in statuses else a
        for c, a in standing.assessments.items()})

    assert red_flags_heading(ended, "zh") == "未达成指标"  # a plan at its end: every red row missed its target
    assert red_flags_heading(cleared, "zh") == "红灯指标"
    mixed = dataclasses.replace(standing, assessments={**standing.assessments, "A03": dataclasses.replace(
        standing.assessments["A03"], status="off_track"), "A05": dataclasses.replace(
        standing.assessments["A05"], status="not_achieved")})
    assert red_flags_heading(mixed, "zh").startswith("红灯指标：进度滞后")
    assert "未达成" in red_flags_heading(mixed, "zh")


def test_changes_rows_newly_overdue_names_the_period() -> None:
    from tests.dashboard_fixtures import small_plan

    plan = small_plan()
    empty = pd.DataFrame(columns=[CODE, PERIOD, VALUE, "note", "revision", "submission_id", "file_name", DEPARTMENT,
                                  SUBMITTER, SUBMITTED_AT])
    standing = compute_standing(plan, empty, period_of_code("2024Q4"))

    rows = changes_rows([Change("Q1", "became_overdue", False, True)], standing, "en")

    assert rows.to_dict("list") == {"kind": ["Newly overdue"], "indicator": ["Indicator Q1"], "arrow": [""],
                                    "change": ["the 2024 Q4 report is overdue"]}


def test_shows_illustrative_from_plan_marks_or_sample_submissions(standing) -> None:
    from tests.dashboard_fixtures import small_plan

    none = pd.DataFrame({"channel": ["upload"], "submitter": ["王老师"]})
    assert shows_illustrative(standing.plan, none)  # the shipped plan marks figures 示例
    assert not shows_illustrative(small_plan(), none)
    assert shows_illustrative(small_plan(), pd.DataFrame({"channel": ["sample"], "submitter": ["王老师"]}))
    assert shows_illustrative(small_plan(), pd.DataFrame({"channel": ["cli"], "submitter": ["李老师(示例)"]}))

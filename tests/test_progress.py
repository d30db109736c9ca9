"""Specification of the progress engine: level, annual and milestone rules, overdue, projections and changes."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.periods import period_of_code as P
from pipelines.engine.progress import (
    POINTS,
    RATIO,
    STATUSES,
    Assessment,
    Change,
    IndicatorSpec,
    Observation,
    assess,
    assess_all,
    diff_assessments,
    status_rule_from,
)


def level(**changes: object) -> IndicatorSpec:
    """The worked example's indicator: 40 in 2021 → 60 in 2025, reported yearly."""
    base: dict[str, object] = dict(code="I1", kind="level", direction="increase", baseline=40.0,
                                   baseline_period=P("2021"), target=60.0, target_period=P("2025"), frequency="annual")
    return IndicatorSpec(**{**base, **changes})  # type: ignore[arg-type]


def annual(**changes: object) -> IndicatorSpec:
    """200 a year for 2023–2025 (baseline year 2022), reported quarterly."""
    base: dict[str, object] = dict(code="A1", kind="annual", direction="increase", baseline=180.0,
                                   baseline_period=P("2022"), target=200.0, target_period=P("2025"),
                                   frequency="quarterly")
    return IndicatorSpec(**{**base, **changes})  # type: ignore[arg-type]


def milestone(**changes: object) -> IndicatorSpec:
    """A milestone due by 2024 Q4, reported quarterly."""
    base: dict[str, object] = dict(code="M1", kind="milestone", direction="increase", baseline=0.0,
                                   baseline_period=P("2022Q4"), target=1.0, target_period=P("2024Q4"),
                                   frequency="quarterly")
    return IndicatorSpec(**{**base, **changes})  # type: ignore[arg-type]


def obs(values: dict[str, float]) -> list[Observation]:
    return [Observation(P(code), value) for code, value in values.items()]


# ---- level ---------------------------------------------------------------------------------------------------

def test_assess_worked_example_is_needs_attention() -> None:
    a = assess(level(), obs({"2023": 48}), P("2023"))
    assert a.status == "needs_attention"
    assert (a.completion, a.time_share, a.pace_ratio) == pytest.approx((0.40, 0.50, 0.80))
    assert a.gap_points == pytest.approx(-10.0)
    assert a.expected == pytest.approx(50.0)
    assert a.score == pytest.approx(0.80)
    assert (a.latest_period, a.latest_value, a.rule, a.overdue) == (P("2023"), 48, "ratio", False)


def test_assess_worked_example_explains_in_the_words_of_progress_reports() -> None:
    a = assess(level(), obs({"2023": 48}), P("2023"))
    assert a.explanation_zh == ("截至2023年底，完成目标的40.0%，序时进度50.0%，低于序时进度10.0个百分点；"
                                "进度比0.80 → 需关注（0.60 ≤ 进度比 < 0.95）")
    for part in ("40.0% of the target", "50.0% of the time elapsed", "10.0 points behind schedule",
                 "pace ratio 0.80", "Needs attention"):
        assert part in a.explanation("en")
    assert a.explanation("zh") == a.explanation_zh


def test_assess_worked_example_projects_the_least_squares_line() -> None:
    # line through (2022.0, 40) and (2024.0, 48): 4 a year, so 56 at 2026.0 → (56 − 40)/20 = 0.80
    a = assess(level(), obs({"2023": 48}), P("2023"))
    assert (a.projected, a.projection_ratio, a.likely_to_meet) == (pytest.approx(56.0), pytest.approx(0.8), False)


def test_assess_projection_uses_every_value_up_to_as_of() -> None:
    # points (2022,40) (2023,44) (2024,52): slope 6, mean (2023, 45.33) → 2026: 63.33; ratio 1.167 → likely
    a = assess(level(), obs({"2022": 44, "2023": 52, "2024": 70}), P("2023"))
    assert a.projected == pytest.approx(45.0 + 1 / 3 + 6 * 3)
    assert a.likely_to_meet is True


def test_assess_zero_baseline() -> None:
    spec = level(baseline=0.0, baseline_period=P("2022"), target=10.0, target_period=P("2025"))
    a = assess(spec, obs({"2024": 5}), P("2024"))
    # c = 5/10 = 0.5; f = (2025 − 2023)/(2026 − 2023) = 2/3; R = 0.75
    assert (a.completion, a.time_share, a.pace_ratio) == pytest.approx((0.5, 2 / 3, 0.75))
    assert a.status == "needs_attention"


def test_assess_decrease_flips_completion() -> None:
    spec = level(direction="decrease", baseline=20.0, baseline_period=P("2022"), target=12.0,
                 target_period=P("2025"), frequency="quarterly")
    a = assess(spec, obs({"2024Q1": 16, "2024Q2": 15}), P("2024Q2"))
    # c = (15 − 20)/(12 − 20) = 0.625; f = 1.5/3 = 0.5; R = 1.25
    assert (a.completion, a.time_share, a.pace_ratio) == pytest.approx((0.625, 0.5, 1.25))
    assert a.status == "on_track"
    assert "超序时进度12.5个百分点" in a.explanation_zh


def test_assess_decrease_at_or_below_target_is_achieved() -> None:
    spec = level(direction="decrease", baseline=20.0, target=12.0)
    assert assess(spec, obs({"2023": 11}), P("2023")).status == "achieved"
    assert assess(spec, obs({"2023": 12}), P("2023")).status == "achieved"
    assert assess(spec, obs({"2023": 13}), P("2023")).status != "achieved"


def test_assess_decrease_moving_up_is_regressing() -> None:
    spec = level(direction="decrease", baseline=20.0, target=12.0)
    a = assess(spec, obs({"2023": 22}), P("2023"))
    assert a.completion == pytest.approx(-0.25)
    assert (a.status, a.score) == ("regressing", pytest.approx(-0.5))


def test_assess_increase_beyond_target_is_achieved_with_score_one() -> None:
    a = assess(level(), obs({"2023": 65}), P("2023"))
    assert (a.status, a.score, a.likely_to_meet) == ("achieved", 1.0, True)
    assert a.completion == pytest.approx(1.25)
    assert "已达到目标值60" in a.explanation_zh


def test_assess_value_exactly_at_target_is_achieved() -> None:
    assert assess(level(), obs({"2023": 60}), P("2023")).status == "achieved"
    # 0.1 + 0.2 is 0.30000000000000004 in floating point: still exactly at a target of 0.3
    spec = level(direction="decrease", baseline=1.0, target=0.3)
    assert assess(spec, obs({"2023": 0.1 + 0.2}), P("2023")).status == "achieved"


def test_assess_overshoot_then_falling_back_is_rejudged_on_the_latest_value() -> None:
    spec = level(frequency="quarterly")
    values = obs({"2023Q3": 62, "2023Q4": 50})
    assert assess(spec, values, P("2023Q3")).status == "achieved"
    a = assess(spec, values, P("2023Q4"))
    # c = 10/20 = 0.5 at f = 0.5 → R = 1.0: back on the path, no longer achieved
    assert (a.status, a.latest_value, a.pace_ratio) == ("on_track", 50, pytest.approx(1.0))


def test_assess_ignores_values_before_or_at_the_baseline_period() -> None:
    a = assess(level(), obs({"2020": 100, "2021": 99}), P("2023"))
    assert (a.status, a.latest_value, a.score) == ("no_data", None, None)
    assert "基期（2021年）之后尚无数据" in a.explanation_zh


def test_assess_ignores_values_after_as_of() -> None:
    a = assess(level(), obs({"2022": 45, "2024": 70}), P("2023"))
    assert (a.latest_period, a.status) == (P("2022"), "on_track")


def test_assess_no_observations_is_no_data() -> None:
    a = assess(level(), [], P("2023"))
    assert (a.status, a.score, a.completion, a.likely_to_meet) == ("no_data", None, None, False)
    assert a.explanation_en.endswith("→ No data; the 2023 report is overdue")


def test_assess_uses_the_last_value_given_per_period_and_skips_non_numbers() -> None:
    values = [Observation(P("2023"), 44), Observation(P("2022"), 50), Observation(P("2023"), 48),
              Observation(P("2023"), math.nan)]
    a = assess(level(), values, P("2023"))
    assert (a.latest_period, a.latest_value) == (P("2023"), 48)


def test_assess_late_report_is_overdue_but_judged_at_its_own_time() -> None:
    a = assess(level(frequency="quarterly"), obs({"2023Q2": 48}), P("2023Q4"))
    # t_v = 2023.5 → f = 1.5/4 = 0.375; c = 0.4; R = 1.067
    assert (a.overdue, a.due_period) == (True, P("2023Q4"))
    assert (a.time_share, a.pace_ratio, a.status) == (pytest.approx(0.375), pytest.approx(0.4 / 0.375), "on_track")
    assert a.expected == pytest.approx(50.0)  # the path is read at as_of, not at the late value
    assert a.explanation_zh.startswith("截至2023年第二季度末")
    assert a.explanation_zh.endswith("；2023年第四季度数据逾期未报")


def test_assess_not_overdue_when_the_due_quarter_is_reported() -> None:
    a = assess(level(frequency="quarterly"), obs({"2023Q4": 48}), P("2023Q4"))
    assert (a.overdue, a.due_period) == (False, None)


def test_assess_overdue_half_yearly_looks_at_the_latest_half() -> None:
    spec = level(frequency="half-yearly")
    assert assess(spec, obs({"2024H1": 50}), P("2024Q3")).overdue is False
    assert assess(spec, obs({"2024H1": 50}), P("2024Q4")).due_period == P("2024H2")


def test_assess_overdue_annual_looks_at_the_latest_whole_year() -> None:
    assert assess(level(), obs({"2023": 48}), P("2024Q3")).overdue is False
    assert assess(level(), obs({"2022": 45}), P("2024Q3")).due_period == P("2023")


def test_assess_nothing_is_due_before_the_first_period_after_baseline() -> None:
    assert assess(level(), [], P("2021Q4")).overdue is False


def test_assess_time_share_zero_is_judged_by_the_sign_of_completion() -> None:
    # 2021Q4 sorts after the baseline year 2021 but ends at the same moment, so no time has elapsed (f = 0)
    up = assess(level(frequency="quarterly"), obs({"2021Q4": 45}), P("2021Q4"))
    assert (up.time_share, up.pace_ratio, up.status, up.score) == (0.0, None, "on_track", 1.0)
    assert "序时进度为0" in up.explanation_zh
    down = assess(level(frequency="quarterly"), obs({"2021Q4": 35}), P("2021Q4"))
    assert (down.status, down.score) == ("regressing", -1.0)


def test_assess_target_equal_to_baseline_short_of_it_is_regressing() -> None:
    spec = level(baseline=60.0)
    assert assess(spec, obs({"2023": 61}), P("2023")).status == "achieved"
    a = assess(spec, obs({"2023": 59}), P("2023"))
    assert (a.status, a.score, a.completion) == ("regressing", -1.0, None)


@pytest.mark.parametrize(("value", "status"), [(47.5, "on_track"), (47.49, "needs_attention")])
def test_assess_pace_ratio_of_exactly_095_is_on_track(value: float, status: str) -> None:
    # baseline 0, target 100, f = 0.5: 0.475/0.5 is 0.9499999999999999 in floating point and must count as 0.95
    spec = level(baseline=0.0, target=100.0)
    assert assess(spec, obs({"2023": value}), P("2023")).status == status


def test_assess_ratio_of_exactly_060_is_needs_attention_and_below_is_off_track() -> None:
    spec = level(baseline=0.0, target=100.0)
    assert assess(spec, obs({"2023": 30}), P("2023")).status == "needs_attention"  # 0.3/0.5 = 0.6
    assert assess(spec, obs({"2023": 29.9}), P("2023")).status == "off_track"
    assert assess(spec, obs({"2023": 0}), P("2023")).status == "off_track"  # R = 0 is limited, not regressing


def test_assess_after_the_target_period_is_a_final_verdict() -> None:
    spec = level(frequency="quarterly")
    missed = assess(spec, obs({"2025Q4": 58}), P("2025Q4"))
    assert (missed.status, missed.completion, missed.score, missed.likely_to_meet) == (
        "not_achieved", pytest.approx(0.9), pytest.approx(0.9), False)
    assert "目标期2025年已到" in missed.explanation_zh
    met = assess(spec, obs({"2025Q3": 61}), P("2026Q1"))
    assert (met.status, met.score) == ("achieved", 1.0)


def test_assess_after_the_target_period_clips_the_score() -> None:
    a = assess(level(), obs({"2025": 10}), P("2025"))
    assert (a.status, a.completion, a.score) == ("not_achieved", pytest.approx(-1.5), -1.0)


def test_assess_time_share_is_capped_at_one_for_values_after_the_target() -> None:
    a = assess(level(frequency="quarterly"), obs({"2025Q4": 57, "2026Q1": 58}), P("2026Q1"))
    # the latest value counts even after the target period; no report is due after it (2025Q4 was the last)
    assert (a.time_share, a.latest_value, a.status, a.overdue) == (1.0, 58, "not_achieved", False)


def test_assess_points_rule() -> None:
    worked = assess(level(), obs({"2023": 48}), P("2023"), POINTS)
    # behind by exactly 10 points is "at most 10": needs attention
    assert (worked.status, worked.rule) == ("needs_attention", "points")
    assert worked.explanation_zh.endswith("低于序时进度10.0个百分点 → 需关注（-10 ≤ 差值 < 0个百分点）")
    assert assess(level(), obs({"2023": 46}), P("2023"), POINTS).status == "off_track"  # 30 % vs 50 %: −20 pp
    assert assess(level(), obs({"2023": 50}), P("2023"), POINTS).status == "on_track"  # 50 % vs 50 %
    assert assess(level(), obs({"2023": 38}), P("2023"), POINTS).status == "regressing"


def test_assess_points_rule_with_edited_thresholds() -> None:
    rule = status_rule_from("points", {"needs_attention": -30})
    a = assess(level(), obs({"2023": 46}), P("2023"), rule)
    assert (a.status, a.rule, a.thresholds) == ("needs_attention", "points",
                                               (("on_track", 0.0), ("needs_attention", -30.0)))


def test_assess_records_the_ratio_rule_thresholds() -> None:
    assert assess(level(), [], P("2023")).thresholds == (("on_track", 0.95), ("needs_attention", 0.6))


# ---- annual --------------------------------------------------------------------------------------------------

def test_assess_annual_paces_the_year_by_quarters() -> None:
    a = assess(annual(), obs({"2024Q1": 40, "2024Q2": 50, "2024Q3": 30}), P("2024Q3"))
    # s = 120, q = 0.75, R = 120/(200 × 0.75) = 0.8
    assert (a.completion, a.time_share, a.pace_ratio) == pytest.approx((0.6, 0.75, 0.8))
    assert (a.status, a.expected, a.projected) == ("needs_attention", pytest.approx(150), pytest.approx(160))
    assert a.explanation_zh == ("截至2024年第三季度末，2024年累计完成120，完成年度目标的60.0%，序时进度75.0%，"
                                "低于序时进度15.0个百分点；进度比0.80 → 需关注（0.60 ≤ 进度比 < 0.95）")


def test_assess_annual_with_only_q1_reported_in_the_current_year() -> None:
    values = obs({"2023Q1": 50, "2023Q2": 50, "2023Q3": 50, "2023Q4": 50, "2024Q1": 60})
    a = assess(annual(), values, P("2024Q3"))
    # Y = 2024: s = 60, q = 0.25 → R = 60/50 = 1.2; the Q3 report is missing
    assert (a.status, a.pace_ratio, a.time_share) == ("on_track", pytest.approx(1.2), 0.25)
    assert (a.overdue, a.due_period) == (True, P("2024Q3"))
    assert a.expected == pytest.approx(150)  # 200 × 0.75: the path is read at as_of


def test_assess_annual_year_target_met_early_is_achieved() -> None:
    a = assess(annual(), obs({"2024Q1": 100, "2024Q2": 100}), P("2024Q2"))
    assert (a.status, a.score, a.completion) == ("achieved", 1.0, pytest.approx(1.0))


def test_assess_annual_final_uses_the_target_year_total() -> None:
    missed = obs({"2024Q4": 900, "2025Q1": 50, "2025Q2": 50, "2025Q3": 50, "2025Q4": 40})
    a = assess(annual(), missed, P("2025Q4"))
    assert (a.status, a.completion, a.score) == ("not_achieved", pytest.approx(0.95), pytest.approx(0.95))
    assert "目标年2025年合计完成190" in a.explanation_zh
    met = obs({"2025Q1": 50, "2025Q2": 50, "2025Q3": 50, "2025Q4": 60})
    assert assess(annual(), met, P("2026Q2")).status == "achieved"


def test_assess_annual_ignores_the_baseline_year_and_other_period_kinds() -> None:
    values = obs({"2022Q4": 500, "2023": 500, "2023Q1": 20})
    a = assess(annual(), values, P("2023Q1"))
    assert (a.completion, a.status) == (pytest.approx(0.1), "off_track")  # 20/(200 × 0.25) = 0.4


def test_assess_annual_yearly_reports() -> None:
    a = assess(annual(frequency="annual"), obs({"2023": 190}), P("2023Q4"))
    assert (a.time_share, a.pace_ratio, a.status) == (1.0, pytest.approx(0.95), "on_track")


# ---- milestone -----------------------------------------------------------------------------------------------

def test_assess_milestone_done_is_achieved_and_no_longer_due() -> None:
    a = assess(milestone(), obs({"2023Q2": 0, "2023Q3": 1}), P("2024Q2"))
    assert (a.status, a.score, a.completion, a.overdue) == ("achieved", 1.0, 1.0, False)


def test_assess_milestone_not_done_before_the_target_is_pending() -> None:
    a = assess(milestone(), obs({"2024Q2": 0}), P("2024Q2"))
    assert (a.status, a.score) == ("pending", None)
    assert "目标期为2024年第四季度" in a.explanation_zh


def test_assess_milestone_not_done_at_the_target_is_not_achieved() -> None:
    a = assess(milestone(), obs({"2024Q4": 0}), P("2024Q4"))
    assert (a.status, a.score, a.completion) == ("not_achieved", 0.0, 0.0)


def test_assess_milestone_nothing_reported_is_no_data() -> None:
    a = assess(milestone(), [], P("2024Q4"))
    assert (a.status, a.overdue) == ("no_data", True)


# ---- plumbing ------------------------------------------------------------------------------------------------

def test_assess_all_keys_by_code_and_missing_series_are_no_data() -> None:
    result = assess_all([level(), annual()], {"I1": obs({"2023": 48})}, P("2023Q4"))
    assert {code: a.status for code, a in result.items()} == {"I1": "needs_attention", "A1": "no_data"}


def test_indicator_spec_rejects_rows_the_engine_cannot_judge() -> None:
    with pytest.raises(ValueError, match="target period must end after"):
        level(target_period=P("2021"))
    with pytest.raises(ValueError, match="kind"):
        level(kind="ratio")
    with pytest.raises(ValueError, match="annual target"):
        annual(direction="decrease")


def test_diff_assessments_reports_status_new_value_and_overdue() -> None:
    before = assess_all([level(frequency="quarterly")], {"I1": obs({"2023Q3": 48})}, P("2023Q3"))
    after = assess_all([level(frequency="quarterly"), annual()], {"I1": obs({"2023Q3": 48, "2023Q4": 52})},
                       P("2024Q1"))
    assert diff_assessments(before, after) == [
        Change("I1", "status", "needs_attention", "on_track"),  # R 0.4/0.4375 = 0.91 → 0.6/0.5 = 1.2
        Change("I1", "new_value", 48, 52, before_period="2023Q3"),  # the value it follows, and when
        Change("I1", "became_overdue", False, True),
        Change("A1", "status", None, "no_data"),
    ]


def test_diff_assessments_is_empty_when_nothing_changed() -> None:
    same = assess_all([level()], {"I1": obs({"2023": 48})}, P("2023"))
    assert diff_assessments(same, same) == []


# ---- properties ----------------------------------------------------------------------------------------------

QUARTERS = [P(f"{y}Q{q}") for y in range(2021, 2028) for q in range(1, 5)]


@st.composite
def cases(draw: st.DrawFn) -> tuple[IndicatorSpec, list[Observation], object]:
    kind = draw(st.sampled_from(["level", "annual", "milestone"]))
    start = draw(st.integers(2020, 2023))
    spec = IndicatorSpec(
        code="X", kind=kind,
        direction="increase" if kind == "annual" else draw(st.sampled_from(["increase", "decrease"])),
        baseline=draw(st.floats(-1e6, 1e6)), baseline_period=P(str(start)),
        target=draw(st.floats(0.001, 1e6)) if kind == "annual" else draw(st.floats(-1e6, 1e6)),
        target_period=P(str(start + draw(st.integers(1, 5)))), frequency="quarterly")
    periods = draw(st.lists(st.sampled_from(QUARTERS), max_size=12, unique=True))
    values = [Observation(p, draw(st.sampled_from([0.0, 1.0])) if kind == "milestone" else draw(st.floats(-1e6, 1e6)))
              for p in periods]
    return spec, values, draw(st.sampled_from(QUARTERS))


@settings(max_examples=300, deadline=None)
@given(cases(), st.sampled_from([RATIO, POINTS]))
def test_assess_status_is_always_a_known_status_and_score_within_one(case: tuple, rule: object) -> None:
    spec, values, as_of = case
    a = assess(spec, values, as_of, rule)  # type: ignore[arg-type]
    assert a.status in STATUSES
    assert a.score is None or -1.0 <= a.score <= 1.0
    assert (a.score is None) == (a.status in ("pending", "no_data"))
    assert a.explanation_zh and a.explanation_en


@settings(max_examples=300, deadline=None)
@given(st.integers(-1000, 1000), st.integers(1, 1000), st.lists(st.integers(-3000, 3000), min_size=0, max_size=6),
       st.sampled_from(QUARTERS), st.sampled_from([RATIO, POINTS]))
def test_assess_decrease_mirrored_around_the_baseline_has_the_same_status(
        baseline: int, distance: int, values: list[int], as_of: object, rule: object) -> None:
    quarters = QUARTERS[4:4 + len(values)]
    up = level(baseline=float(baseline), target=float(baseline + distance), frequency="quarterly")
    down = level(direction="decrease", baseline=float(baseline), target=float(baseline - distance),
                 frequency="quarterly")
    a = assess(up, [Observation(p, float(v)) for p, v in zip(quarters, values)], as_of, rule)  # type: ignore[arg-type]
    mirrored = [Observation(p, float(2 * baseline - v)) for p, v in zip(quarters, values)]
    b = assess(down, mirrored, as_of, rule)  # type: ignore[arg-type]
    assert (a.status, a.score, a.completion) == (b.status, b.score, b.completion)


def test_assessment_is_a_frozen_record() -> None:
    a = assess(level(), [], P("2023"))
    assert isinstance(a, Assessment)
    with pytest.raises(AttributeError):
        a.status = "achieved"  # type: ignore[misc]


def test_no_value_yet_says_whether_the_first_one_is_due() -> None:
    """A yearly indicator of a plan's first year has nothing due before the year is over: said so, not 尚无数据."""
    early = assess(level(baseline_period=P("2025"), target_period=P("2028"), frequency="annual"), [], P("2026Q3"))
    assert early.status == "no_data"
    assert "基期后的首期数据（2026年）尚未到报送期" in early.explanation("zh")
    late = assess(level(baseline_period=P("2025"), target_period=P("2028"), frequency="annual"), [], P("2027Q1"))
    assert late.status == "no_data" and "之后尚无数据" in late.explanation("zh") and late.overdue
    half = assess(level(baseline_period=P("2025"), target_period=P("2028"), frequency="half-yearly"), [],
                  P("2026Q1"))
    assert "基期后的首期数据（2026年上半年）尚未到报送期" in half.explanation("zh")

"""The 总结评估 and 中期评估 of indicators and their counts: every conclusion on a worked example, the methodology's
evaluation examples recomputed, and the counts per sub-item, action and plan."""
from __future__ import annotations

import pytest

from pipelines.core.catalog import t
from pipelines.core.periods import period_of_code as P
from pipelines.engine.evaluation import (
    AHEAD_PACE,
    ON_TRACK_PACE,
    Verdict,
    evaluate_final,
    evaluate_midterm,
    tally,
)
from pipelines.engine.progress import IndicatorSpec, Observation
from tests.test_methodology_examples import blocks, fields, spec_of, values_of


def spec(kind: str = "level", direction: str = "increase", baseline: float = 100, target: float = 200,
         frequency: str = "annual", start: str = "2022", end: str = "2025") -> IndicatorSpec:
    return IndicatorSpec("X", kind, direction, baseline, P(start), target, P(end), frequency, "家")


def obs(**values: float) -> list[Observation]:
    return [Observation(P(code.lstrip("_")), value) for code, value in values.items()]


# ---- the final evaluation ------------------------------------------------------------------------------------------

def test_final_met_in_a_year_before_the_target_year_is_early() -> None:
    v = evaluate_final(spec(), obs(_2023=150, _2024=200, _2025=210))
    assert (v.conclusion, v.value, v.first_met) == ("early", 210, P("2024"))
    assert v.completion == pytest.approx(1.1)
    assert v.explanation_zh.endswith("→ 提前完成")


def test_final_first_met_in_the_target_year_is_completed_not_early() -> None:
    v = evaluate_final(spec(), obs(_2023=150, _2024=199.9, _2025=200))
    assert (v.conclusion, v.first_met) == ("completed", P("2025"))


def test_final_met_early_then_fallen_back_is_judged_on_the_end() -> None:
    v = evaluate_final(spec(), obs(_2024=230, _2025=185))
    assert v.conclusion == "not_completed"  # 85 % of the way at the end: a past peak does not count
    assert v.first_met is None


def test_final_quarterly_level_met_in_an_earlier_quarter_of_the_target_year_is_completed() -> None:
    v = evaluate_final(spec(frequency="quarterly"), obs(_2024Q4=190, _2025Q1=200, _2025Q4=205))
    assert (v.conclusion, v.first_met, v.value_period) == ("completed", P("2025Q1"), P("2025Q4"))


def test_final_completion_of_exactly_the_basic_threshold_is_basically_completed() -> None:
    assert evaluate_final(spec(), obs(_2025=190)).conclusion == "basically_completed"
    assert evaluate_final(spec(), obs(_2025=189.99)).conclusion == "not_completed"


def test_final_basic_threshold_comes_from_the_plan() -> None:
    assert evaluate_final(spec(), obs(_2025=185), basic_threshold=0.85).conclusion == "basically_completed"
    assert evaluate_final(spec(), obs(_2025=185)).conclusion == "not_completed"


def test_final_decrease_indicator_uses_the_signed_way() -> None:
    down = spec(direction="decrease", baseline=20, target=12, frequency="quarterly")
    assert evaluate_final(down, obs(_2025Q4=12)).conclusion == "completed"
    v = evaluate_final(down, obs(_2025Q4=12.8))
    assert (v.conclusion, round(v.completion or 0, 3)) == ("basically_completed", 0.9)
    assert evaluate_final(down, obs(_2025Q4=13)).conclusion == "not_completed"
    assert evaluate_final(down, obs(_2024Q2=11, _2025Q4=11.5)).conclusion == "early"


def test_final_annual_kind_is_the_target_years_total_and_never_early() -> None:
    yearly = spec(kind="annual", baseline=180, target=200, frequency="quarterly")
    v = evaluate_final(yearly, obs(_2023Q4=260, _2024Q4=250, _2025Q1=60, _2025Q2=60, _2025Q3=60, _2025Q4=40))
    assert (v.conclusion, v.value, v.first_met) == ("completed", 220, None)
    short = evaluate_final(yearly, obs(_2024Q4=250, _2025Q1=50, _2025Q2=50, _2025Q3=50, _2025Q4=20))
    assert (short.conclusion, short.value) == ("not_completed", 170)
    assert short.completion == pytest.approx(0.85)


def test_final_annual_kind_without_a_value_of_the_target_year_has_no_data() -> None:
    yearly = spec(kind="annual", baseline=180, target=200, frequency="quarterly")
    v = evaluate_final(yearly, obs(_2024Q4=250))
    assert (v.conclusion, v.value, v.completion) == ("no_data", None, None)
    assert "2025年暂无统计数据" in v.explanation_zh


def test_final_milestone_done_in_the_target_year_is_completed_and_before_it_early() -> None:
    milestone = spec(kind="milestone", baseline=0, target=1, frequency="quarterly")
    assert evaluate_final(milestone, obs(_2024Q4=0, _2025Q2=1)).conclusion == "completed"
    assert evaluate_final(milestone, obs(_2024Q3=1)).conclusion == "early"
    v = evaluate_final(milestone, obs(_2025Q4=0))
    assert (v.conclusion, v.completion) == ("not_completed", 0.0)


def test_final_without_a_value_after_the_baseline_has_no_data() -> None:
    v = evaluate_final(spec(), obs(_2022=100))
    assert (v.conclusion, v.value, v.completion) == ("no_data", None, None)
    assert v.explanation_zh == "基期（2022年）后暂无统计数据 → 暂无数据"


def test_final_ignores_values_after_the_target_period() -> None:
    v = evaluate_final(spec(), obs(_2025=150, _2026=260))
    assert (v.conclusion, v.value, v.value_period) == ("not_completed", 150, P("2025"))


def test_final_stale_value_is_read_with_its_period() -> None:
    v = evaluate_final(spec(frequency="quarterly"), obs(_2024Q2=195))
    assert (v.conclusion, v.value_period) == ("basically_completed", P("2024Q2"))
    assert "期末（2024年第二季度）完成值195家" in v.explanation_zh


# ---- the mid-term evaluation ---------------------------------------------------------------------------------------

def midterm(value: float, **kw: object) -> Verdict:
    s = spec(baseline=100, target=200, start="2025", end="2028", **kw)  # type: ignore[arg-type]
    return evaluate_midterm(s, obs(_2026=value), P("2026"))


def test_midterm_thresholds() -> None:
    # time share 1/3 at the end of 2026: pace ratio = completion × 3
    assert midterm(205).conclusion == "achieved"
    assert midterm(100 + 100 * AHEAD_PACE / 3 + 0.01).conclusion == "ahead"
    assert midterm(137).conclusion == "ahead"  # pace 1.11
    assert midterm(136).conclusion == "on_track"  # pace 1.08
    assert midterm(100 + 100 * ON_TRACK_PACE / 3 + 0.01).conclusion == "on_track"
    assert midterm(131).conclusion == "behind"  # pace 0.93, projection 0.93
    assert midterm(95).conclusion == "behind"  # moving away from the target


def test_midterm_projection_can_carry_an_indicator_whose_pace_lags() -> None:
    s = spec(baseline=100, target=200, start="2025", end="2028", frequency="quarterly")
    values = obs(_2026Q1=120, _2026Q2=130, _2026Q3=140, _2026Q4=131)  # the last quarter dipped to pace 0.93
    v = evaluate_midterm(s, values, P("2026Q4"))
    assert v.pace_ratio is not None and v.pace_ratio < ON_TRACK_PACE
    assert v.projection_ratio is not None and v.projection_ratio >= ON_TRACK_PACE
    assert v.conclusion == "on_track"
    assert v.value == pytest.approx(v.projection_ratio * 100 + 100)


def test_midterm_milestone_not_yet_due_is_as_expected_and_done_is_achieved() -> None:
    milestone = spec(kind="milestone", baseline=0, target=1, start="2025", end="2028", frequency="quarterly")
    assert evaluate_midterm(milestone, obs(_2026Q4=0), P("2026Q4")).conclusion == "on_track"
    assert evaluate_midterm(milestone, obs(_2026Q4=1), P("2026Q4")).conclusion == "achieved"
    assert evaluate_midterm(milestone, [], P("2026Q4")).conclusion == "no_data"


def test_midterm_past_an_indicators_target_period_unmet_is_behind() -> None:
    s = spec(baseline=100, target=200, start="2025", end="2026")
    v = evaluate_midterm(s, obs(_2026=180), P("2027Q2"))
    assert v.conclusion == "behind"
    assert "已过目标期" in v.explanation_zh


# ---- counts --------------------------------------------------------------------------------------------------------

def test_tally_counts_conclusions_per_sub_item_action_and_plan() -> None:
    values = {"A": obs(_2024=200, _2025=210), "B": obs(_2025=200), "C": obs(_2025=190), "D": obs(_2025=120)}
    verdicts = {code: evaluate_final(spec(), v) for code, v in values.items()}
    tree = {"ZX1": {"S1": ["A", "B"], "S2": ["C"]}, "ZX2": {"S3": ["D", "E"]}}  # E has no verdict: no data
    counts = tally(verdicts, tree, "PLAN", "final")
    assert dict(counts["S1"].counts) == {"early": 1, "completed": 1, "basically_completed": 0, "not_completed": 0,
                                        "no_data": 0}
    assert counts["ZX1"].n == 3 and counts["ZX2"].counts["no_data"] == 1
    assert dict(counts["PLAN"].counts) == {"early": 1, "completed": 1, "basically_completed": 1, "not_completed": 1,
                                          "no_data": 1}
    assert counts["PLAN"].phrase().text("zh") == "5项指标中，提前完成1项、完成1项、基本完成1项、未完成1项、暂无数据1项"
    assert counts["S2"].mean_completion == pytest.approx(0.9)
    assert counts["S1"].mean_completion == pytest.approx(1.0)  # completion capped at 1


def test_conclusion_words_in_both_languages() -> None:
    assert [t(f"evaluation.final.{c}") for c in ("early", "completed", "basically_completed", "not_completed",
                                                  "no_data")] == ["提前完成", "完成", "基本完成", "未完成", "暂无数据"]
    assert [t(f"evaluation.midterm.{c}") for c in ("achieved", "ahead", "on_track", "behind")] == [
        "已提前实现", "快于预期", "基本符合预期", "滞后于预期"]
    assert t("evaluation.final.basically_completed", "en") == "Basically completed"


# ---- the methodology's evaluation examples ------------------------------------------------------------------------

EXAMPLES = [fields(b) for b in blocks("evaluation")]
NUMBERS = {"completion": "completion", "final_value": "value", "projected_value": "value",
           "pace_ratio": "pace_ratio", "projection_ratio": "projection_ratio"}


def test_methodology_has_every_final_and_midterm_conclusion() -> None:
    found = {(e["evaluation"], e["conclusion"]) for e in EXAMPLES}
    assert {c for k, c in found if k == "final"} == {"early", "completed", "basically_completed", "not_completed",
                                                     "no_data"}
    assert {c for k, c in found if k == "midterm"} >= {"achieved", "ahead", "on_track", "behind"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"] for e in EXAMPLES])
def test_methodology_evaluation_example_matches_the_engine(example: dict[str, str]) -> None:
    s, values = spec_of(example), values_of(example["values"])
    v = (evaluate_final(s, values) if example["evaluation"] == "final"
         else evaluate_midterm(s, values, P(example["as_of"])))
    assert v.conclusion == example["conclusion"]
    for name, attribute in NUMBERS.items():
        if name in example:
            assert getattr(v, attribute) == pytest.approx(float(example[name]), abs=0.005), name
    if "first_met" in example:
        assert v.first_met == P(example["first_met"])


def test_midterm_without_a_figure_due_yet_says_so_apart_from_missing_figures() -> None:
    yearly = spec(baseline=100, target=200, start="2025", end="2028")  # the first yearly figure: 2026
    waiting = evaluate_midterm(yearly, [], P("2026Q3"))
    assert (waiting.conclusion, waiting.not_yet_due) == ("no_data", True)
    assert "基期后的首期数据（2026年）尚未到报送期" in waiting.explanation_zh
    missing = evaluate_midterm(yearly, [], P("2027Q1"))
    assert (missing.conclusion, missing.not_yet_due) == ("no_data", False)

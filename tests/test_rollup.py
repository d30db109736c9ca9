"""Specification of the roll-up: sub-item = mean of indicators, action = mean of sub-items, plan = mean of actions."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.periods import period_of_code as P
from pipelines.engine.progress import POINTS, STATUSES, Assessment, IndicatorSpec, Observation, assess_all, roll_up
from pipelines.engine.rollup import leaf_figures, roll_up_tallied, tallies_of, tally


def judged(code: str, status: str, score: float | None = None, completion: float | None = None,
           time_share: float | None = None) -> Assessment:
    """An assessment carrying only what the roll-up reads."""
    return Assessment(code=code, as_of=P("2024Q4"), status=status, rule="ratio", latest_period=None,
                      latest_value=None, baseline=0.0, target=1.0, expected=None, completion=completion,
                      time_share=time_share, pace_ratio=None, gap_points=None, projected=None,
                      projection_ratio=None, likely_to_meet=False, overdue=False, score=score,
                      explanation_zh="", explanation_en="")


ASSESSMENTS = {
    "I1": judged("I1", "achieved", 1.0, completion=1.2, time_share=0.5),
    "I2": judged("I2", "needs_attention", 0.8, completion=0.4, time_share=0.5),
    "I3": judged("I3", "off_track", 0.3, completion=0.15, time_share=0.5),
    "I4": judged("I4", "pending", None, completion=0.0),
    "I5": judged("I5", "regressing", -0.2, completion=-0.1, time_share=0.5),
    "I6": judged("I6", "no_data"),
}
TREE = {"A1": {"S1": ["I1", "I2"], "S2": ["I3", "I4"]}, "A2": {"S3": ["I5", "I6"]}}


def test_roll_up_weighs_children_equally_at_each_level() -> None:
    result = roll_up(ASSESSMENTS, TREE, "PLAN")
    scores = {code: r.score for code, r in result.items()}
    # S1 = (1 + 0.8)/2, S2 = 0.3 (pending carries no score), S3 = −0.2 (no data carries none),
    # A1 = (0.9 + 0.3)/2, plan = (0.6 − 0.2)/2 — not the flat mean of the four scores (0.475)
    assert scores == pytest.approx({"S1": 0.9, "S2": 0.3, "S3": -0.2, "A1": 0.6, "A2": -0.2, "PLAN": 0.2})
    assert {code: r.status for code, r in result.items()} == {
        "S1": "needs_attention", "S2": "off_track", "S3": "regressing", "A1": "needs_attention",
        "A2": "regressing", "PLAN": "off_track"}
    assert {code: r.level for code, r in result.items()} == {
        "S1": "sub_item", "S2": "sub_item", "S3": "sub_item", "A1": "action", "A2": "action", "PLAN": "plan"}
    assert (result["A1"].children, result["PLAN"].children) == (("S1", "S2"), ("A1", "A2"))


def test_roll_up_counts_indicators_per_status_with_all_eight_keys() -> None:
    result = roll_up(ASSESSMENTS, TREE, "PLAN")
    assert result["PLAN"].counts == {"achieved": 1, "on_track": 0, "needs_attention": 1, "off_track": 1,
                                     "regressing": 1, "not_achieved": 0, "pending": 1, "no_data": 1}
    assert list(result["S3"].counts) == list(STATUSES)
    assert result["S3"].counts["no_data"] == 1


def test_roll_up_mean_completion_caps_at_one_and_skips_unscored() -> None:
    result = roll_up(ASSESSMENTS, TREE, "PLAN")
    # S1: (min(1.2, 1) + 0.4)/2 = 0.7; S2: 0.15 (the pending 0 is left out)
    assert (result["S1"].mean_completion, result["S2"].mean_completion) == pytest.approx((0.7, 0.15))
    assert result["A1"].mean_completion == pytest.approx(0.425)


def test_roll_up_explains_counts_score_and_band() -> None:
    s1 = roll_up(ASSESSMENTS, TREE, "PLAN")["S1"]
    assert s1.explanation_zh == ("2个指标（已达成1个、需关注1个）；平均进度比0.90 → 需关注（0.60 ≤ 进度比 < 0.95）；"
                                 "平均完成率70.0%")
    assert s1.explanation("en") == ("2 indicators (1 Achieved, 1 Needs attention); mean pace ratio 0.90 → "
                                    "Needs attention (0.60 ≤ pace ratio < 0.95); mean completion 70.0%")


def test_roll_up_empty_child_has_no_score_and_no_data() -> None:
    result = roll_up(ASSESSMENTS, {"A1": {"S1": ["I1"], "S9": []}}, "PLAN")
    assert (result["S9"].score, result["S9"].status, result["S9"].mean_completion) == (None, "no_data", None)
    assert sum(result["S9"].counts.values()) == 0
    assert result["S9"].explanation_zh == "下设无指标 → 无数据"
    assert (result["A1"].score, result["A1"].status) == (1.0, "on_track")  # not every child achieved


def test_roll_up_plan_without_actions_is_no_data() -> None:
    assert roll_up({}, {}, "PLAN")["PLAN"].status == "no_data"


def test_roll_up_only_pending_children_is_pending() -> None:
    result = roll_up(ASSESSMENTS, {"A1": {"S1": ["I4"]}}, "PLAN")
    assert (result["S1"].score, result["S1"].status) == (None, "pending")
    assert "尚无可计分的进度" in result["S1"].explanation_zh


def test_roll_up_is_achieved_only_when_every_child_is() -> None:
    done = {"J1": judged("J1", "achieved", 1.0, 1.0, 0.5), "J2": judged("J2", "achieved", 1.0, 1.1, 0.5)}
    result = roll_up(done, {"A1": {"S1": ["J1", "J2"]}}, "PLAN")
    assert [result[c].status for c in ("S1", "A1", "PLAN")] == ["achieved", "achieved", "achieved"]
    assert result["S1"].explanation_zh == "2个指标全部已达成 → 已达成"
    with_gap = roll_up({**done, "J3": judged("J3", "no_data")}, {"A1": {"S1": ["J1", "J2", "J3"]}}, "PLAN")
    assert (with_gap["S1"].score, with_gap["S1"].status) == (1.0, "on_track")


def test_roll_up_missing_assessment_counts_as_no_data() -> None:
    result = roll_up(ASSESSMENTS, {"A1": {"S1": ["I2", "GHOST"]}}, "PLAN")
    assert result["S1"].counts["no_data"] == 1
    assert result["S1"].score == pytest.approx(0.8)


def test_roll_up_points_rule_classifies_the_mean_gap() -> None:
    pair = {"K1": judged("K1", "off_track", 0.2, completion=0.1, time_share=0.5),
            "K2": judged("K2", "on_track", 1.0, completion=0.9, time_share=0.5)}
    tree = {"A1": {"S1": ["K1", "K2"]}}
    # ratio: mean score (0.2 + 1)/2 = 0.6 → needs attention; points: mean gap (−40 + 40)/2 = 0 → on track
    assert roll_up(pair, tree, "PLAN")["S1"].status == "needs_attention"
    by_points = roll_up(pair, tree, "PLAN", POINTS)["S1"]
    assert (by_points.status, by_points.gap_points, by_points.rule) == ("on_track", pytest.approx(0.0), "points")
    assert "平均差值0.0个百分点" in by_points.explanation_zh


def test_roll_up_of_real_assessments() -> None:
    spec = dict(kind="level", direction="increase", baseline=40.0, baseline_period=P("2021"), target=60.0,
                target_period=P("2025"), frequency="annual")
    specs = [IndicatorSpec(code=c, **spec) for c in ("R1", "R2")]  # type: ignore[arg-type]
    judged_ = assess_all(specs, {"R1": [Observation(P("2023"), 48)], "R2": [Observation(P("2023"), 62)]}, P("2023"))
    result = roll_up(judged_, {"A": {"S": ["R1", "R2"]}}, "P")
    assert (result["P"].score, result["P"].status) == (pytest.approx(0.9), "needs_attention")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.lists(st.one_of(st.none(), st.floats(-1, 1)), max_size=4), max_size=3), max_size=3))
def test_roll_up_scores_stay_within_one(shape: list[list[list[float | None]]]) -> None:
    assessments: dict[str, Assessment] = {}
    tree: dict[str, dict[str, list[str]]] = {}
    for a, subs in enumerate(shape):
        tree[f"A{a}"] = {}
        for s, scores in enumerate(subs):
            codes = [f"I{a}.{s}.{i}" for i in range(len(scores))]
            tree[f"A{a}"][f"S{a}.{s}"] = codes
            for code, score in zip(codes, scores):
                status = "no_data" if score is None else ("regressing" if score < 0 else "off_track")
                assessments[code] = judged(code, status, score, completion=score, time_share=0.5)
    for r in roll_up(assessments, tree, "PLAN").values():
        assert r.score is None or -1.0 <= r.score <= 1.0
        assert r.status in STATUSES


_FIGURE = st.tuples(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)),
                    st.one_of(st.none(), st.floats(-100, 100)), st.one_of(st.none(), st.floats(-1e300, 1)),
                    st.sampled_from(STATUSES))


@settings(max_examples=300, deadline=None)
@given(st.lists(_FIGURE, max_size=12), st.lists(_FIGURE, max_size=6), st.data())
def test_a_tally_is_exact_whatever_is_taken_out_and_put_back(kept: list, others: list, data: st.DataObject) -> None:
    """A sub-item's tally is the exact sum of its indicators' figures: the means are the exact means rounded once
    (whatever the order and size of the values), and replacing some indicators' figures gives the very tally of
    adding the new set up from scratch, so a change's roll-up equals the one computed from every indicator."""
    whole = tally(kept + others)
    for at, measure in enumerate(whole.means()):
        present = [f[at] for f in kept + others if f[at] is not None]
        assert measure == (float(sum(map(Fraction, present), Fraction(0)) / len(present)) if present else None)
    assert whole.counts == tuple(sum(f[3] == s for f in kept + others) for s in STATUSES)
    replaced = data.draw(st.lists(_FIGURE, min_size=len(others), max_size=len(others)))
    assert whole.retallied(others, replaced) == tally(replaced + kept)


def test_a_tally_follows_ieee_for_values_that_are_not_finite() -> None:
    def score_of(*scores: float) -> float | None:
        return tally([(s, None, None, "off_track") for s in scores]).means()[0]

    assert score_of(math.inf, 1.0) == math.inf and score_of(-math.inf) == -math.inf
    assert math.isnan(score_of(math.inf, -math.inf)) and math.isnan(score_of(math.nan, 0.5))  # type: ignore[arg-type]
    assert tally([(math.inf, None, None, "achieved")]).retallied([(math.inf, None, None, "achieved")],
                                                                 [(0.25, None, None, "achieved")]).means()[0] == 0.25
    assert score_of() is None


def test_sub_items_roll_up_from_their_tallies_as_from_their_indicators() -> None:
    figures = {code: leaf_figures(a) for code, a in ASSESSMENTS.items()}
    assert roll_up_tallied(tallies_of(figures, TREE), TREE, "PLAN") == roll_up(ASSESSMENTS, TREE, "PLAN")
    s1 = roll_up(ASSESSMENTS, TREE, "PLAN")["S1"]
    assert (s1.score, s1.mean_completion) == (0.9, 0.7)  # (1 + 0.8)/2 and (min(1, 1.2) + 0.4)/2, rounded once

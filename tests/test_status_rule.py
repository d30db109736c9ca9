"""Specification of the status vocabulary, the 红黄绿灯 presets and the printed legend."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.engine.progress import (
    POINTS,
    RATIO,
    STATUS_COLOR,
    STATUS_GROUP,
    STATUS_ICON,
    STATUSES,
    StatusRule,
    legend,
    status_name,
    status_rule_from,
)

CATALOG = Path(__file__).resolve().parents[1] / "pipelines" / "core" / "catalog" / "progress.csv"


def test_statuses_are_the_eight_codes_in_display_order() -> None:
    assert STATUSES == ("achieved", "on_track", "needs_attention", "off_track", "regressing", "not_achieved",
                        "pending", "no_data")


def test_status_name_reads_the_catalog() -> None:
    assert [status_name(s, "zh") for s in STATUSES] == ["已达成", "进度正常", "需关注", "进度滞后", "倒退", "未达成",
                                                        "待完成", "无数据"]
    assert status_name("needs_attention", "en") == "Needs attention"


def test_status_group_colours_and_icons_cover_every_status() -> None:
    assert {s: STATUS_GROUP[s] for s in STATUSES} == {
        "achieved": "green", "on_track": "green", "needs_attention": "amber", "pending": "amber",
        "off_track": "red", "regressing": "red", "not_achieved": "red", "no_data": "grey"}
    assert len({STATUS_ICON[s] for s in STATUSES}) == 8  # never status by colour alone
    assert (STATUS_COLOR["on_track"], STATUS_COLOR["needs_attention"], STATUS_COLOR["regressing"],
            STATUS_COLOR["no_data"]) == ("#009E73", "#E69F00", "#D55E00", "#999999")
    assert STATUS_COLOR["red"] == STATUS_COLOR["not_achieved"]


def test_status_rule_presets() -> None:
    assert (RATIO.name, RATIO.measure, RATIO.on_track, RATIO.needs_attention) == ("ratio", "ratio", 0.95, 0.60)
    assert (POINTS.name, POINTS.measure, POINTS.on_track, POINTS.needs_attention) == ("points", "points", 0.0, -10.0)
    assert StatusRule.RATIO is RATIO and StatusRule.POINTS is POINTS
    assert status_rule_from(" Points ") == POINTS


def test_status_rule_from_applies_overrides() -> None:
    rule = status_rule_from("ratio", {"on_track": 1.0, "needs_attention": "0.8"})  # type: ignore[dict-item]
    assert (rule.name, rule.measure, rule.on_track, rule.needs_attention) == ("ratio", "ratio", 1.0, 0.8)


@pytest.mark.parametrize(("name", "overrides", "message"), [
    ("traffic", None, "unknown status rule 'traffic'"),
    ("ratio", {"red": 0.5}, "unknown threshold"),
    ("points", {"on_track": "ahead"}, "must be a number"),
    ("points", {"on_track": float("nan")}, "must be finite"),
    ("ratio", {"on_track": 0.5}, "below needs_attention"),
])
def test_status_rule_from_rejects_what_it_cannot_use(name: str, overrides: dict | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        status_rule_from(name, overrides)


def test_status_rule_custom_name_defaults_to_the_ratio_measure() -> None:
    assert StatusRule("strict", 1.0, 0.9).measure == "ratio"
    with pytest.raises(ValueError, match="measure"):
        StatusRule("odd", 1.0, 0.9, "percent")


@pytest.mark.parametrize(("value", "moving_away", "status"), [
    (0.95, False, "on_track"), (0.9499999999999999, False, "on_track"), (0.9499, False, "needs_attention"),
    (0.6, False, "needs_attention"), (0.5999, False, "off_track"), (0.0, False, "off_track"),
    (5.0, True, "regressing"),
])
def test_status_rule_classify_ratio_boundaries(value: float, moving_away: bool, status: str) -> None:
    assert RATIO.classify(value, moving_away) == status


@pytest.mark.parametrize(("c", "f", "status"), [(0.5, 0.5, "on_track"), (0.4, 0.5, "needs_attention"),
                                                (0.39, 0.5, "off_track"), (0.7, 0.5, "on_track")])
def test_status_rule_points_measures_the_gap_in_points(c: float, f: float, status: str) -> None:
    assert POINTS.classify(POINTS.measure_of(c, f), c < 0) == status


def test_legend_ratio_zh_states_the_rule_and_every_status() -> None:
    text = legend(RATIO, "zh")
    lines = text.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("红黄绿灯规则：进度比规则（参照Eurostat、Open SDG），进度比 = 完成率 ÷ 序时进度。")
    assert "◐ 需关注：0.60 ≤ 进度比 < 0.95" in lines[0]
    assert "● 进度正常：进度比 ≥ 0.95" in lines[0]
    for status in STATUSES:
        assert f"{STATUS_ICON[status]} {status_name(status, 'zh')}" in text


def test_legend_points_en_prints_the_thresholds_in_force() -> None:
    text = legend(status_rule_from("points", {"needs_attention": -30}), "en")
    assert "Needs attention: -30 ≤ gap < 0 points" in text
    assert "Off track: gap < -30 points" in text
    assert "schedule-points rule" in text


def test_legend_names_a_custom_rule() -> None:
    assert "自定义规则「strict」" in legend(StatusRule("strict", 1.0, 0.9), "zh")


def test_catalog_progress_file_is_utf8_with_bom_and_owned_prefixes() -> None:
    raw = CATALOG.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with CATALOG.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["key"].split(".")[0] in ("status", "progress", "legend", "rule") for row in rows)
    assert all(row["zh"] and row["en"] for row in rows)

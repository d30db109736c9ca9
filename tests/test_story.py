"""An indicator's story: the verdict at each reported period, its metadata card, and every revision newest first."""
from __future__ import annotations

import pandas as pd

from models.columns import DEPARTMENT, FILE, NOTE, PERIOD, REVISION, SUBMITTED_AT, SUBMITTER, VALUE
from models.queries import read_history
from pipelines.present.story import build_story, metadata_rows, revision_rows, wrap
from tests.dashboard_fixtures import Store


def test_story_verdict_at_each_period_is_the_engines_as_of_that_period(sample_store: Store) -> None:
    standing = sample_store.standing()
    story = build_story(standing.plan, standing.plan.indicator("A03"), standing.current, standing.assessments["A03"],
                        standing.rule, "zh")

    row = story.points.set_index("period").loc["2024Q2"]
    assert row["explanation"] == sample_store.standing("2024Q2").assessments["A03"].explanation_zh
    assert list(story.points["period"]) == sorted(story.points["period"])
    assert story.illustrative is False and story.baseline[:2] == ("2023-09-30", 500.0)


def test_metadata_rows_give_definition_owners_frequency_rule_and_sources(sample_store: Store) -> None:
    standing = sample_store.standing()
    card = dict(metadata_rows(standing.plan, standing.plan.indicator("A03"), standing.assessments["A03"],
                              standing.rule, "zh"))

    assert card["口径"].startswith("统计1.48平方公里硅巷范围内")
    assert (card["主责部门"], card["配合部门"], card["更新频率"]) == ("区科委", "区商务委", "季度")
    assert card["基期值"] == "500家（2023年第三季度）" and card["目标值"] == "1,000家（2025年）"
    assert card["状态规则"].startswith("进度比规则")
    # sources by their titles, never internal references or bare addresses
    assert card["基期值与目标值来源"] == ("目标：方案发布会报道（2023-11-23）、元力社报道（2023-12-14）；"
                                   "基线：文汇报报道（2023-09-01，转载）")


def test_revision_rows_every_revision_newest_period_first(sample_store: Store) -> None:
    history = pd.DataFrame([
        {PERIOD: "2024Q1", VALUE: 10.0, REVISION: 1, DEPARTMENT: "KW", SUBMITTER: "张", FILE: "a.csv",
         SUBMITTED_AT: pd.Timestamp("2024-04-09 10:30"), NOTE: ""},
        {PERIOD: "2024Q1", VALUE: 11.0, REVISION: 2, DEPARTMENT: "KW", SUBMITTER: "张", FILE: "b.csv",
         SUBMITTED_AT: pd.Timestamp("2024-05-01 09:00"), NOTE: "更正"},
        {PERIOD: "2024Q2", VALUE: 12.0, REVISION: 1, DEPARTMENT: None, SUBMITTER: None, FILE: "c.csv",
         SUBMITTED_AT: pd.Timestamp("2024-07-09 10:30"), NOTE: ""},
    ])

    rows = revision_rows(history, sample_store.plan, "zh")

    assert list(zip(rows["period_label"], rows[REVISION], rows[FILE])) == [
        ("2024年第二季度", 1, "c.csv"), ("2024年第一季度", 2, "b.csv"), ("2024年第一季度", 1, "a.csv")]
    assert list(rows["department_name"]) == ["—", "区科委", "区科委"]
    assert rows[SUBMITTED_AT][1] == "2024-05-01 09:00"


def test_revision_rows_of_the_store_match_its_history(sample_store: Store) -> None:
    with sample_store.engine.connect() as conn:
        history = read_history(conn, "A03")

    assert len(revision_rows(history, sample_store.plan, "en")) == len(history) > 0


def test_wrap_breaks_long_chinese_sentences_after_punctuation() -> None:
    text = "截至2025年第三季度末，完成目标的86.0%，序时进度88.9%，低于序时进度2.9个百分点；进度比0.97 → 进度正常"

    lines = wrap(text, 20).split("<br>")

    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert len(lines) > 1 and all(line[-1] in "，；,; →）)" for line in lines[:-1])

"""Indicator sources as readers see them: titles (linked on pages), never internal references or bare addresses."""
from __future__ import annotations

from pipelines.core.config import PLAN_DIR
from pipelines.plan.folder import read_plan_folder
from pipelines.present.sources import Part, source_markdown, source_parts, source_words

SOURCE = "目标：[方案发布会报道（2023-11-23）](http://www.example.cn/a?id=1)、[报道 *二*](https://b.example.cn/x)；基线：示例"


def test_links_split_into_titles_and_addresses_in_order() -> None:
    assert source_parts(SOURCE) == [Part("目标：", None), Part("方案发布会报道（2023-11-23）", "http://www.example.cn/a?id=1"),
                                    Part("、", None), Part("报道 *二*", "https://b.example.cn/x"), Part("；基线：示例", None)]
    assert source_words(SOURCE) == "目标：方案发布会报道（2023-11-23）、报道 *二*；基线：示例"
    assert source_words("示例（目标值与基线值为示意）") == "示例（目标值与基线值为示意）"


def test_a_page_draws_each_title_as_a_link_and_escapes_every_word() -> None:
    drawn = source_markdown(SOURCE)

    assert r"[方案发布会报道（2023\-11\-23）](http://www.example.cn/a?id=1)" in drawn
    assert r"[报道 \*二\*](https://b.example.cn/x)" in drawn  # a title's own markup shows as typed
    assert source_markdown("[点此](javascript:alert(1))") == r"\[点此\]\(javascript\:alert\(1\)\)"  # not a link


def test_the_shipped_plan_names_its_sources_by_title() -> None:
    plan = read_plan_folder(PLAN_DIR)
    assert not isinstance(plan, list), plan
    for indicator in plan.indicators:
        words = source_words(indicator.source)
        assert "plan_facts" not in words and "http" not in words, (indicator.code, words)
    assert sum(any(p.url for p in source_parts(i.source)) for i in plan.indicators) >= 13

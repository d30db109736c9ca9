"""An ended plan at its last quarter is told in its 总结评估, not in pace lights (#18): the overview, the special
actions and the indicator page of the 2023–2025 plan on 2026-12-01 show conclusions and tallies and no 进度正常 /
需关注 / 进度滞后 / 倒退, the quarterly pack of its 2025Q4 speaks in conclusions, while the plan in force (and the
ended plan's earlier quarters) keep their lights; and no chart projects an indicator already achieved or past its
target period, in any view.

The stores are test_plan_cycles' (every shipped plan and sample, never written to) and, for user text, one with a
hostile narrative; pages are opened with test_pages' opener."""
# ruff: noqa: F811  (the tests take the imported fixtures as their arguments, as pytest passes them)
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from PIL import Image
from pptx import Presentation
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from pipelines.briefing import read_content
from pipelines.briefing.content import BriefingContent
from pipelines.briefing.docx_writer import write_docx
from pipelines.briefing.pdf_writer import build_html
from pipelines.briefing.pptx_writer import write_pptx
from pipelines.core.catalog import t
from pipelines.core.periods import period_of_code
from pipelines.engine.status_rule import PACE_STATUSES, STATUS_ICON, status_name
from pipelines.intake.ingest import IngestResult
from pipelines.plan.standing import Standing
from pipelines.present.charts import build_indicator_chart
from pipelines.present.sources import source_parts
from pipelines.present.story import build_story
from pipelines.present.tables import projected_value
from pipelines.store.standings import read_standing
from pipelines.workflow.review import Narrative, approve, submit_file
from tests.conftest import HEADER, csv_bytes
from tests.dashboard_fixtures import Store
from tests.test_escaping import HOSTILE, KW, REVIEWER_, assert_nothing_raw
from tests.test_pages import Open, figures, metrics, open_app, status_bars, texts  # noqa: F401
from tests.test_plan_cycles import DAY, cycles  # noqa: F401  (every shipped plan and sample, read only)

OLD, NEW = "SHGX-2023", "SHGX-2026"
PACE_WORDS = tuple(status_name(s, "zh") for s in PACE_STATUSES)  # 进度正常、需关注、进度滞后、倒退
# The pace lights' shapes ● ▼ ↓; ◐ (需关注) is also the shape of 基本完成 (and of 逾期报送), so it is found by its word.
PACE_GLYPHS = tuple(STATUS_ICON[s] for s in PACE_STATUSES if STATUS_ICON[s] != "◐")
TALLY = "55项指标中，提前完成4项、完成44项、基本完成2项、未完成5项"  # the samples' 总结评估 of the 2023–2025 plan
UNFINISHED = {"A05", "A08", "A15", "B09", "C03", "C05", "D06"}  # its indicators 未完成 or 基本完成
ZX1_TALLY = "10项指标中，提前完成1项、完成6项、基本完成1项、未完成2项"


def pace_lights_in(words: str) -> list[str]:
    """Every pace light's word or shape in a text."""
    return [w for w in (*PACE_WORDS, *PACE_GLYPHS) if w in words]


def figure_words(figure: dict) -> list[str]:  # type: ignore[type-arg]
    """What a chart writes: trace names, labels, bar texts, hover texts and templates, annotations, the title (the
    indicator chart's per-value hover, the rule's verdict as of each quarter, is the history and left out)."""
    out = [str(figure["layout"].get("title", {}).get("text", ""))]
    out += [str(a.get("text", "")) for a in figure["layout"].get("annotations", [])]
    for trace in figure["data"]:
        for key in ("name", "text", "labels", "hovertext", "hovertemplate", "y"):
            value = trace.get(key)
            out += [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    return out


def page_words(at: AppTest) -> str:
    """Every word a page shows: its texts, metrics, expanders, the cells of its tables but the changes since last
    quarter (a status's move is news, kept as it was), and its charts' words."""
    frames = [d.value for d in at.dataframe if t("ui.col.change") not in d.value.columns]
    cells = [" ".join(map(str, [*f.columns, *f.astype(str).to_numpy().ravel()])) for f in frames]
    return "\n".join([texts(at), *(f"{m.label} {m.value}" for m in at.metric), *(e.label for e in at.expander),
                      *(s.value for s in at.success), *cells, *(w for f in figures(at) for w in figure_words(f))])


@pytest.fixture
def on_day(cycles: Engine, open_app: Callable[[str], Open],
           monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """A page of the three-plan store on DAY (the 2023–2025 plan ended, the 2026–2028 plan in force)."""
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    opened = open_app(str(cycles.url))
    return lambda page, **params: opened(page, **params)


@pytest.fixture(scope="module")
def old_standing(cycles: Engine) -> Standing:
    standing = read_standing(cycles, period_of_code("2025Q4"), OLD)
    assert standing is not None
    return standing


# ---- overview ----------------------------------------------------------------------------------------------------

def test_final_overview_heads_with_the_tally_and_counts_per_conclusion(on_day: Callable[..., AppTest]) -> None:
    at = on_day("overview", plan=OLD)

    assert f"**总结评估：{TALLY}。**" in [m.value for m in at.markdown]
    assert metrics(at) == {"方案总体完成率": "96.5%", "指标数": "55项", "逾期未报": "0项",
                           "★ 提前完成 / ✔ 完成": "48项", "◐ 基本完成": "2项", "✖ 未完成": "5项", "○ 暂无数据": "0项"}
    assert not pace_lights_in(page_words(at)), pace_lights_in(page_words(at))


def test_final_overview_draws_conclusions_not_statuses(on_day: Callable[..., AppTest]) -> None:
    at = on_day("overview", plan=OLD)
    bars = [m.value for m in at.markdown if "data-conclusion=" in m.value]
    actions, hierarchy = figures(at)

    assert len(bars) == 1 and not any("data-status=" in m.value for m in at.markdown)
    assert dict(re.findall(r'data-conclusion="(\w+)" data-count="(\d+)"', bars[0])) == {
        "early": "4", "completed": "44", "basically_completed": "2", "not_completed": "5", "no_data": "0"}
    assert [trace["name"] for trace in actions["data"]] == ["★ 提前完成", "✔ 完成", "◐ 基本完成", "✖ 未完成"]
    assert [sum(n) for n in zip(*(trace["x"] for trace in actions["data"]))] == [10, 6, 9, 9, 13, 8]
    assert actions["layout"]["barmode"] == "stack" and actions["layout"]["showlegend"] is True
    boxes = hierarchy["data"][0]
    kinds = dict(zip(boxes["ids"], boxes["customdata"]))
    assert {code for code, c in kinds.items() if c in ("not_completed", "basically_completed")} == UNFINISHED
    assert kinds[OLD] == kinds["ZX1"] == "" and boxes["marker"]["colors"][0] == "#EEEEEE"  # neutral above
    assert TALLY in boxes["hovertext"][0]


def test_final_overview_lists_the_unfinished_not_completed_first(on_day: Callable[..., AppTest]) -> None:
    at = on_day("overview", plan=OLD)
    flags = next(d.value for d in at.dataframe if t("ui.col.conclusion") in d.value.columns)

    assert set(flags[t("ui.col.code")]) == UNFINISHED
    assert list(flags[t("ui.col.conclusion")]) == ["✖ 未完成"] * 5 + ["◐ 基本完成"] * 2  # not completed first
    assert "未完成和基本完成的指标" in [s.value for s in at.subheader]
    assert set(flags[t("ui.col.problems")]) == {"—"}  # the samples send 备注, no 存在问题 (one that does: below)
    assert not any(t("ui.section.likely", n=0)[:6] in e.label for e in at.expander)  # nothing projected any more


def test_an_ended_plans_earlier_quarter_and_the_plan_in_force_keep_their_lights(
        on_day: Callable[..., AppTest]) -> None:
    for at in (on_day("overview", plan=OLD, as_of="2025Q3"), on_day("overview", plan=NEW)):
        assert t("ui.plan-status") in metrics(at)
        assert status_bars(at) and all(status_bars(at))  # the bar of statuses, data-status per row
        assert pace_lights_in(page_words(at))
        assert not any("data-conclusion=" in m.value for m in at.markdown)


# ---- special actions ---------------------------------------------------------------------------------------------

def test_final_actions_page_tells_tallies_and_conclusions(on_day: Callable[..., AppTest],
                                                          old_standing: Standing) -> None:
    at = on_day("actions", plan=OLD, action="ZX1")
    table = next(d.value for d in at.dataframe if t("ui.col.final_value") in d.value.columns)
    subs = next(d.value for d in at.dataframe if t("ui.col.sub_item") in d.value.columns
                and t("ui.col.final_value") not in d.value.columns)

    assert f"**{ZX1_TALLY}**" in [m.value for m in at.markdown]
    assert at.subheader[0].value == "科创企业吸引集聚专项行动"
    assert not {t("ui.col.status"), t("ui.col.time_share"), t("ui.col.gap")} & set(table.columns)
    assert list(table[t("ui.col.conclusion")][:2]) == ["✔ 完成", "✖ 未完成"]  # A03, A05
    assert list(subs[t("ui.col.conclusion")]) == ["5项指标中，完成3项、基本完成1项、未完成1项",
                                                  "5项指标中，提前完成1项、完成3项、未完成1项"]
    assert "**未完成（2）**" in [m.value for m in at.markdown]
    assert "超序时" not in page_words(at) and not pace_lights_in(page_words(at)), pace_lights_in(page_words(at))


def test_final_actions_page_filters_by_conclusion(on_day: Callable[..., AppTest]) -> None:
    at = on_day("actions", plan=OLD, action="ZX1")

    at.multiselect[0].set_value(["not_completed"]).run()

    table = next(d.value for d in at.dataframe if t("ui.col.final_value") in d.value.columns)
    assert list(table[t("ui.col.indicator")]) == ["创新产业集群数", "科创载体空置率"]
    assert set(table[t("ui.col.conclusion")]) == {"✖ 未完成"}


def test_the_plan_in_force_keeps_its_pace_table(on_day: Callable[..., AppTest]) -> None:
    at = on_day("actions", plan=NEW)

    assert any(t("ui.col.time_share") in d.value.columns for d in at.dataframe)
    assert " · " in at.subheader[0].value and pace_lights_in(at.subheader[0].value)


# ---- indicator ---------------------------------------------------------------------------------------------------

def test_final_indicator_page_shows_the_conclusion_and_its_explanation(on_day: Callable[..., AppTest]) -> None:
    at = on_day("indicator", plan=OLD, code="A03")
    (chart,) = figures(at)

    assert at.subheader[0].value == "A03 高成长性科技企业数 · ✔ 完成"
    assert "期末（2025年第四季度）完成值1003家，目标值1000家，完成率100.6% → 完成" in [c.value for c in at.caption]
    assert metrics(at) == {"基期值": "500家", "目标值": "1,000家", "完成值": "1,003家", "完成率": "100.6%",
                           "评估结论": "✔ 完成", "首次达到目标": "2025年第四季度"}
    assert chart["layout"]["annotations"][0]["text"] == "✔ 完成"
    assert t("ui.chart.projection") not in [trace.get("name") for trace in chart["data"]]
    assert any(m.value.startswith("- **评估结论**：✔ 完成") or "**评估结论**：✔ 完成" in m.value for m in at.markdown)
    assert not pace_lights_in(page_words(at)), pace_lights_in(page_words(at))


def test_an_achieved_indicator_has_no_projection_in_the_pace_view(open_app: Callable[[str], Open],
                                                                   cycles: Engine) -> None:
    """The 2023–2025 plan still in force on its last day: A03 has reached its target, so neither the chart nor the
    目标期预测值 projects it (the trend's 988 would read as falling short of the 1,003 reached)."""
    at = open_app(str(cycles.url))("indicator", plan=OLD, code="A03")
    (chart,) = figures(at)

    assert at.subheader[0].value == "A03 高成长性科技企业数 · ✔ 已达成"
    assert metrics(at)[t("ui.col.projected")] == "—"
    assert t("ui.chart.projection") not in [trace.get("name") for trace in chart["data"]]


def test_no_projection_once_achieved_or_the_target_period_has_come(cycles: Engine) -> None:
    standing = read_standing(cycles, period_of_code("2026Q3"), NEW)
    assert standing is not None
    indicator, a = standing.plan.indicator("A03"), standing.assessments["A03"]
    assert a.status == "on_track" and a.projected is not None

    def projection(assessment: object) -> tuple[object, ...]:
        story = build_story(standing.plan, indicator, standing.current, assessment, standing.rule, "zh")  # type: ignore[arg-type]
        return story.projection

    late = dataclasses.replace(a, as_of=indicator.target_period)  # still on track, but the target period has come
    achieved = dataclasses.replace(a, status="achieved")
    assert projected_value(indicator, a) == a.projected and projection(a)[-1][1] == pytest.approx(a.projected)
    assert projected_value(indicator, late) is None and projection(late) == ()
    assert projected_value(indicator, achieved) is None and projection(achieved) == ()
    assert "趋势预测" not in [trace.name for trace in build_indicator_chart(build_story(
        standing.plan, indicator, standing.current, late, standing.rule, "zh"), "zh").data]


# ---- departments -------------------------------------------------------------------------------------------------

def test_final_departments_page_shows_each_departments_conclusions(on_day: Callable[..., AppTest]) -> None:
    at = on_day("departments", plan=OLD, department="FGW")
    own = next(d.value for d in at.dataframe if t("ui.col.conclusion") in d.value.columns)
    (bar,) = [m.value for m in at.markdown if "data-conclusion=" in m.value]

    assert t("ui.col.status") not in own.columns and "✖ 未完成" in set(own[t("ui.col.conclusion")])
    assert 'data-conclusion="not_completed" data-count="1"' in bar


# ---- user text in the final view ---------------------------------------------------------------------------------

@pytest.fixture
def hostile_final_store(plan_only_store: Store) -> Iterator[Store]:
    """The 2023–2025 plan with one approved value at its last quarter, short of the target (未完成), whose 备注 and
    narratives are the hostile text of test_escaping."""
    data = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "505", HOSTILE]])
    sent = submit_file(plan_only_store.engine, plan_only_store.plan, KW, "A03.csv", data, department="KW",
                       narratives={"A03": Narrative(HOSTILE, HOSTILE, HOSTILE)}, today=dt.date(2026, 1, 10),
                       now=dt.datetime(2026, 1, 10, 9, 0))
    assert isinstance(sent, IngestResult) and sent.submission_id is not None, sent
    assert approve(plan_only_store.engine, REVIEWER_, sent.submission_id, now=dt.datetime(2026, 1, 11)) is None
    yield plan_only_store


@pytest.mark.parametrize("page", ["overview", "actions", "indicator"])
def test_final_pages_draw_the_narratives_as_text(open_app: Callable[[Store], Open], hostile_final_store: Store,
                                                 monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    at = open_app(hostile_final_store)(page, action="ZX1", code="A03")

    assert "✖ 未完成" in page_words(at)  # the final view indeed
    sources = source_parts(hostile_final_store.plan.indicator("A03").source)
    assert_nothing_raw(at, [f"]({part.url})" for part in sources if part.url])  # the card's own links
    if page == "overview":
        flags = next(d.value for d in at.dataframe if t("ui.col.problems") in d.value.columns)
        assert list(flags[t("ui.col.problems")]) == [HOSTILE]  # as typed, in a table cell


# ---- the quarterly pack --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def final_pack(cycles: Engine) -> BriefingContent:
    content = read_content(cycles, period_of_code("2025Q4"), "zh", DAY, OLD)
    assert content is not None
    return content


def _pngs(content: BriefingContent, folder: Path) -> dict[str, Path]:
    """A blank picture for every chart: the writers' layout without drawing them (no chromium needed)."""
    png = folder / "blank.png"
    Image.new("RGB", (160, 90), "white").save(png)
    return {chart.name: png for chart in content.charts}


def _frames_text(*frames: pd.DataFrame) -> str:
    return "\n".join(" ".join(map(str, [*f.columns, *f.astype(str).to_numpy().ravel()])) for f in frames)


def test_final_pack_speaks_in_conclusions_and_tallies(final_pack: BriefingContent) -> None:
    c = final_pack
    said = "\n".join([*c.summary, *(p.headline for p in c.actions), *c.problems, *c.next_steps, *c.methodology,
                      c.flags_heading, c.source_note, c.overall])

    assert c.final and c.summary[0] == f"方案已于2025年第四季度期满。总结评估：{TALLY}。"
    assert c.actions[0].headline == f"{ZX1_TALLY}；平均完成率93.1%。"
    assert c.flags_heading == "未完成和基本完成的指标" and len(c.flags) == len(UNFINISHED)
    assert list(c.flags[t("ui.col.conclusion")]) == ["✖ 未完成"] * 5 + ["◐ 基本完成"] * 2
    assert t("ui.col.conclusion") in c.actions[0].indicators.columns
    assert t("ui.col.status") not in c.actions[0].indicators.columns
    assert {"conclusion", "final_value"} <= set(c.completion.columns) and "time_share" not in c.completion.columns
    assert c.tasks is not None  # the plan's 重点任务 close 存在问题 (tests/test_task_briefing.py); the indicators before
    indicators = c.problems[:len(c.problems) - len(c.tasks.problems)]
    assert indicators[-1].endswith("评估结论为“基本完成”；部门说明：3家企业专精特新资质到期未复核，当年净增5家。")
    tables = _frames_text(*(p.sub_items for p in c.actions), *(p.indicators for p in c.actions), c.flags,
                          c.rule_table)
    assert "超序时" not in said + tables and "序时进度" not in said.replace("不再与序时进度比较", "")
    assert not pace_lights_in(said + tables), pace_lights_in(said + tables)
    assert [chart.name for chart in c.charts][:3] == ["conclusion_counts", "actions", "hierarchy"]


def test_final_pack_files_show_no_pace_light(final_pack: BriefingContent, tmp_path: Path) -> None:
    pngs = _pngs(final_pack, tmp_path)
    deck = Presentation(str(write_pptx(final_pack, pngs, tmp_path / "pack.pptx")))
    document = Document(str(write_docx(final_pack, tmp_path / "tongbao.docx")))
    changes = t("briefing.slide.changes", "zh", period="2025年第三季度")
    slides = ["\n".join([*(s.text_frame.text for s in slide.shapes if s.has_text_frame),
                         *(cell.text for s in slide.shapes if s.has_table for row in s.table.rows for cell in row.cells)])
              for slide in deck.slides if not slide.shapes.title.text_frame.text.startswith(changes)]
    tongbao = "\n".join([*(p.text for p in document.paragraphs),
                         *(cell.text for table in document.tables for row in table.rows for cell in row.cells)])

    assert TALLY in slides[1] and "评估结论" in tongbao and "三、评估结论分类" in tongbao
    assert "（四）未完成指标（5项）" in tongbao and "超序时" not in tongbao
    assert not pace_lights_in("\n".join(slides)), pace_lights_in("\n".join(slides))
    assert not pace_lights_in(tongbao), pace_lights_in(tongbao)
    assert TALLY in build_html(final_pack, pngs)


def test_the_pack_of_the_plan_in_force_and_of_its_last_day_keep_their_lights(cycles: Engine) -> None:
    for plan, quarter, day in ((NEW, "2026Q3", DAY), (OLD, "2025Q4", dt.date(2025, 12, 31))):
        content = read_content(cycles, period_of_code(quarter), "zh", day, plan)
        assert content is not None and not content.final
        assert "超序时" in content.summary[2] and content.summary_chart == "status_counts"
        assert t("ui.col.status") in content.actions[0].indicators.columns


def test_final_footer_and_briefing_preview_name_no_pace_rule(on_day: Callable[..., AppTest], cycles: Engine) -> None:
    from pipelines.workflow.accounts import ensure_demo_accounts
    from tests.conftest import sign_in_browser

    at = on_day("overview", plan=OLD)
    footer = [c.value for c in at.caption if c.value.startswith("数据来源")]
    assert footer and "总结评估规则" in footer[-1] and "状态规则" not in footer[-1]
    ensure_demo_accounts(cycles)
    sign_in_browser("demo-leader", str(cycles.url))
    at.switch_page("views/screens/briefing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert "方案总体状态" not in shown and "预计可达成目标" not in shown
    assert any(s.value == t("final_view.unfinished.heading") for s in at.subheader)

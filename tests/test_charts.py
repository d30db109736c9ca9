"""Chart builders: the figure's data is the engine's, every status has its colour and its icon/word, changes are
neutral, texts follow the language, and the 示例 notice travels with the picture."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from pipelines.core.catalog import t
from pipelines.core.periods import period_of_code
from pipelines.engine.progress import STATUS_COLOR, STATUS_ICON, STATUSES
from pipelines.present.charts import (
    FONT_FAMILY,
    INK,
    STATUS_BAR_CLASS,
    TIMELINESS_COLOR,
    TIMELINESS_ICON,
    build_action_chart,
    build_hierarchy_chart,
    build_indicator_chart,
    build_sparkline,
    build_status_bar,
    build_timeliness_grid,
    completion_step,
    status_bar_html,
    timeliness_legend,
    wrap_label,
)
from pipelines.present.formatting import status_badge
from pipelines.present.story import build_story
from pipelines.present.tables import action_rows, hierarchy_nodes
from tests.dashboard_fixtures import Store, status_bar_counts


def story_of(store: Store, code: str, as_of: str | None = None, lang: str = "zh"):  # type: ignore[no-untyped-def]
    standing = store.standing(as_of)
    indicator = standing.plan.indicator(code)
    return build_story(standing.plan, indicator, standing.current, standing.assessments[code], standing.rule, lang)


def trace(fig: go.Figure, name: str) -> go.Scatter:
    return next(t for t in fig.data if t.name == name)


def test_build_status_bar_one_bar_per_status_in_its_colour_and_named() -> None:
    counts = {"achieved": 3, "off_track": 2, "no_data": 1}

    fig = build_status_bar(counts, "zh")

    bar = fig.data[0]
    assert list(bar.x) == [counts.get(s, 0) for s in STATUSES]
    assert list(bar.marker.color) == [STATUS_COLOR[s] for s in STATUSES]
    assert list(bar.y) == [status_badge(s, "zh") for s in STATUSES]
    assert fig.layout.font.family == FONT_FAMILY


def test_build_status_bar_speaks_english_when_asked() -> None:
    fig = build_status_bar({"achieved": 1}, "en")

    assert fig.data[0].y[0] == "✔ Achieved"
    assert fig.layout.xaxis.title.text == "Indicators"


def test_charts_carry_the_illustrative_notice_only_when_told() -> None:
    marked = build_status_bar({}, "zh", illustrative=True)
    plain = build_status_bar({}, "zh")

    assert [a.text for a in marked.layout.annotations] == ["示例数据，非官方统计"]
    assert plain.layout.annotations == ()


def test_status_bar_html_draws_the_plotly_bars_rows_colours_and_words() -> None:
    counts = {"achieved": 3, "off_track": 6, "no_data": 1}

    html = status_bar_html(counts, "zh", title="各状态指标数")
    figure = build_status_bar(counts, "zh").data[0]

    assert status_bar_counts(html) == dict(zip(STATUSES, figure.x))
    rows = html.split('data-status="')[1:]
    for status, label, row in zip(STATUSES, figure.y, rows):
        assert row.startswith(status) and f">{label}</span>" in row and STATUS_COLOR[status] in row
        assert f'title="{label}：{counts.get(status, 0)}"' in row  # the hover text of the Plotly bar
    assert "width:100.00%" in rows[STATUSES.index("off_track")] and "width:50.00%" in rows[0]
    assert "width:0.00%" in rows[STATUSES.index("pending")]
    assert "各状态指标数" in html and "指标数（个）" in html and FONT_FAMILY in html


def test_status_bar_html_speaks_english_carries_the_notice_when_told_and_escapes_its_texts() -> None:
    english = status_bar_html({"achieved": 1}, "en", title="<Status & count>", illustrative=True)
    chinese = status_bar_html({}, "zh")

    assert ">✔ Achieved</span>" in english and ">Indicators</div>" in english
    assert "&lt;Status &amp; count&gt;" in english and "<Status" not in english
    assert t("ui.illustrative-badge", "en") in english and t("ui.illustrative-badge", "zh") not in chinese
    assert status_bar_counts(chinese) == dict.fromkeys(STATUSES, 0)
    assert "width:0.00%" in chinese  # nothing to draw is no division by zero


def test_status_bar_html_is_one_raw_html_block_for_markdown() -> None:
    """Markdown passes HTML through only as one block: no blank line inside, no indented line (a code block)."""
    html = status_bar_html({"on_track": 2}, "zh", title="标题", height=300)

    assert html.startswith(f'<figure class="{STATUS_BAR_CLASS}"') and html.endswith("</figure>")
    assert "\n" not in html and "height:300px" in html


def test_build_action_chart_bars_are_mean_completion_in_the_status_colour(sample_store: Store) -> None:
    standing = sample_store.standing()
    rows = action_rows(standing, "zh")

    fig = build_action_chart(rows, "zh")

    bar = fig.data[0]
    expected = [round(standing.rollups[a.code].mean_completion * 100, 1) for a in standing.plan.actions]
    assert list(bar.x) == expected
    assert list(bar.marker.color) == [STATUS_COLOR[standing.rollups[a.code].status] for a in standing.plan.actions]
    assert all(status_badge(standing.rollups[a.code].status, "zh") in text
               for a, text in zip(standing.plan.actions, bar.text))


@pytest.mark.parametrize(("right", "step"), [(150.0, 50.0), (200.0, 50.0), (201.0, 100.0), (450.0, 200.0),
                                             (1500.0, 400.0)])
def test_the_completion_axis_ticks_do_not_depend_on_the_charts_width(right: float, step: float) -> None:
    """Ticks every 50 points, doubled until at most four steps span the axis: the axis's labels the same on screen,
    on paper and in the pack, where Plotly's own choice follows the pixels."""
    assert completion_step(right) == step
    assert right / step <= 4


def test_the_action_chart_sets_its_completion_ticks() -> None:
    rows = pd.DataFrame({"name": ["行动一", "行动二"], "completion": [64.5, 120.0], "status_code": ["on_track",
                                                                                             "achieved"]})
    axis = build_action_chart(rows, "zh").layout.xaxis
    assert (tuple(axis.range), axis.tick0, axis.dtick) == ((0, 180.0), 0, 50.0)


@pytest.mark.parametrize("kind", ["treemap", "sunburst"])
def test_build_hierarchy_chart_colours_every_node_by_its_status(sample_store: Store, kind: str) -> None:
    nodes = hierarchy_nodes(sample_store.standing(), "zh")

    fig = build_hierarchy_chart(nodes, "zh", kind=kind)

    chart = fig.data[0]
    assert chart.type == kind
    assert list(chart.ids) == list(nodes["id"]) and list(chart.parents) == list(nodes["parent"])
    assert list(chart.marker.colors) == [STATUS_COLOR[s] for s in nodes["status_code"]]
    assert all(label.startswith(STATUS_ICON[s]) for label, s in zip(chart.labels, nodes["status_code"]))
    assert chart.branchvalues == "total"


def test_wrap_label_breaks_long_english_names_only() -> None:
    name = "Special Action on Attracting and Clustering Sci-Tech Enterprises"

    assert wrap_label(name) == "Special Action on Attracting<br>and Clustering Sci-Tech<br>Enterprises"
    assert wrap_label("科创企业吸引集聚专项行动") == "科创企业吸引集聚专项行动"


def test_build_sparkline_draws_the_values_and_marks_the_last_in_the_status_colour() -> None:
    fig = build_sparkline([1.0, 3.0, 2.0], "off_track")

    assert list(fig.data[0].y) == [1.0, 3.0, 2.0]
    assert fig.data[1].marker.color == STATUS_COLOR["off_track"]
    assert fig.data[0].line.color == INK
    assert len(build_sparkline([]).data) == 1


def test_build_indicator_chart_level_values_path_baseline_target_projection(sample_store: Store) -> None:
    story = story_of(sample_store, "A03", "2024Q2")
    a = sample_store.standing("2024Q2").assessments["A03"]

    fig = build_indicator_chart(story, "zh")

    reported = trace(fig, "报送值")
    assert list(reported.y) == [556.0, 608.0, 660.0]  # 2023Q4 … 2024Q2, after the 2023Q3 baseline
    assert list(trace(fig, "序时路径（基期→目标）").y) == [500.0, 1000.0]
    assert list(trace(fig, "序时路径（基期→目标）").x) == ["2023-09-30", "2025-12-31"]
    projection = trace(fig, "趋势预测")
    assert list(projection.x) == ["2024-06-30", "2025-12-31"] and projection.y[-1] == pytest.approx(a.projected)
    assert list(trace(fig, "基期值").y) == [500.0] and list(trace(fig, "目标值").y) == [1000.0]
    assert fig.layout.annotations[0].text == status_badge(a.status, "zh")


def test_build_indicator_chart_hover_tells_value_reporter_time_and_the_rules_arithmetic(sample_store: Store) -> None:
    story = story_of(sample_store, "A03", "2024Q2")

    hover = trace(build_indicator_chart(story, "zh"), "报送值").customdata[-1]

    assert "2024年第二季度" in hover and "数值：660家" in hover
    assert "区科委 · 张老师(示例)" in hover and "时间：2024-07-09 10:30" in hover
    assert "进度比" in hover and "序时进度" in hover  # the rule and its arithmetic as of that quarter


def test_build_indicator_chart_no_projection_once_achieved(sample_store: Store) -> None:
    fig = build_indicator_chart(story_of(sample_store, "A03"), "zh")

    assert "趋势预测" not in [t.name for t in fig.data]


def test_build_indicator_chart_yearly_amount_restarts_each_year(sample_store: Store) -> None:
    plan = sample_store.plan
    annual = next(i for i in plan.indicators if i.kind == "annual" and i.frequency == "quarterly")
    story = story_of(sample_store, annual.code)

    fig = build_indicator_chart(story, "zh")

    points = story.points
    for year, rows in points.groupby(points["period"].str[:4]):
        assert list(rows["y"]) == list(rows["value"].cumsum()), year
    path = trace(fig, "序时路径（基期→目标）")
    assert sum(x is None for x in path.x) == annual.target_period.year - annual.baseline_period.year - 1
    reported = trace(fig, "报送值")
    years = points["period"].str[:4].nunique()
    assert sum(y is None for y in reported.y) == years - 1  # the line breaks where a new year starts


def test_build_indicator_chart_milestone_axis_reads_done_or_not(sample_store: Store) -> None:
    milestone = next(i for i in sample_store.plan.indicators if i.kind == "milestone")

    fig = build_indicator_chart(story_of(sample_store, milestone.code, lang="en"), "en")

    assert list(fig.layout.yaxis.ticktext) == ["Not done", "Done"]
    assert "Reported" in [t.name for t in fig.data]


def test_build_timeliness_grid_cells_carry_colour_symbol_and_word() -> None:
    grid = pd.DataFrame({"department": ["一部", "一部", "二部"], "quarter": ["Q1", "Q2", "Q2"],
                         "state": ["on_time", "missing", "late"]})

    fig = build_timeliness_grid(grid, "zh")

    heat = fig.data[0]
    assert list(heat.y) == ["一部", "二部"] and list(heat.x) == ["Q1", "Q2"]
    assert [list(row) for row in heat.text] == [["✔", "✖"], ["", "◐"]]
    assert math.isnan(heat.z[1][0])  # nothing owed: no colour
    assert "未报送" in heat.hovertext[0][1]
    colours = {c for _, c in heat.colorscale}
    assert colours == set(TIMELINESS_COLOR.values()) and TIMELINESS_COLOR["missing"] == STATUS_COLOR["red"]


def test_timeliness_legend_names_every_state() -> None:
    legend = timeliness_legend("zh")

    assert all(icon in legend for icon in TIMELINESS_ICON.values())
    assert "按时报送" in legend and "未报送" in legend


def test_build_indicator_chart_story_for_an_indicator_without_values(sample_store: Store) -> None:
    standing = sample_store.standing("2023Q1")
    code = standing.plan.indicators[0].code

    story = build_story(standing.plan, standing.plan.indicator(code), standing.current.iloc[0:0],
                        standing.assessments[code], standing.rule, "zh")
    fig = build_indicator_chart(story, "zh")

    assert story.points.empty and len(trace(fig, "报送值").y) == 0
    assert period_of_code("2023Q1") == standing.as_of

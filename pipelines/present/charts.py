"""Plotly figure builders shared by the dashboard and the briefing pack: plain values in, go.Figure out; and the
status bar (or, for an evaluation, the conclusion bar) also as plain HTML (status_bar_html, conclusion_bar_html),
which the dashboard draws without waiting for the chart library.

Every status is drawn in its STATUS_COLOR and also named (icon + word), every 评估结论 in its colour with its shape
and word, so no chart depends on colour alone; changes use neutral ink. Texts come from the catalog or the plan in
the language asked for; text from the store (a 备注, who reported) reaches a figure only through IndicatorStory's
hover, escaped there (pipelines.present.story.hover_html).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pipelines.core.catalog import t
from pipelines.engine.evaluation import CONCLUSION_ICON, CONCLUSIONS
from pipelines.engine.progress import STATUS_COLOR, STATUS_ICON, STATUSES
from pipelines.present.evaluation import conclusion_badge, conclusion_color
from pipelines.present.formatting import format_rate, status_badge, unit_word
from pipelines.present.story import IndicatorStory, Line
from pipelines.present.timeliness import LATE, MISSING, NOT_DUE, ON_TIME

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
INK = "#222222"  # values and changes: neutral, never a status colour
PATH = "#0072B2"  # the expected path (Okabe–Ito blue, apart from every status colour)
PROJECTION = "#56B4E9"
EARLIER = "#8C8C8C"  # a continuing series' earlier cycle: grey, apart from this plan's values
NEUTRAL_BOX = "#EEEEEE"  # a box of an evaluation's hierarchy above the indicators: no conclusion, no colour
TIMELINESS_COLOR = {ON_TIME: STATUS_COLOR["green"], NOT_DUE: "#DDDDDD", LATE: STATUS_COLOR["amber"],
                    MISSING: STATUS_COLOR["red"]}
TIMELINESS_ICON = {ON_TIME: "✔", NOT_DUE: "…", LATE: "◐", MISSING: "✖"}
TIMELINESS_ORDER = (ON_TIME, NOT_DUE, LATE, MISSING)
STATUS_BAR_CLASS = "kpi-status-bar"  # the HTML status bar's class: pages' tests and the browser benchmark find it by it


def _layout(fig: go.Figure, *, lang: str, title: str | None = None, height: int | None = None,
            illustrative: bool = False, badge_below: bool = False) -> go.Figure:
    """The shared look; with `illustrative`, the 示例数据 badge over the plot's top right corner, or under the plot
    (`badge_below`) for a chart whose axis labels are at the top, which the badge would cover."""
    fig.update_layout(template="plotly_white", font={"family": FONT_FAMILY, "size": 13, "color": INK},
                      hoverlabel={"font": {"family": FONT_FAMILY}}, height=height, showlegend=False,
                      margin={"l": 10, "r": 20, "t": 48 if title else 16,
                              "b": 34 if illustrative and badge_below else 10},
                      title={"text": title, "x": 0, "xanchor": "left"} if title else None)
    if illustrative:  # the briefing pack reuses these figures: the notice travels with the picture
        fig.add_annotation(text=t("ui.illustrative-badge", lang), xref="paper", yref="paper", x=1,
                           y=0.0 if badge_below else 1.0, yshift=-6 if badge_below else 0,
                           xanchor="right", yanchor="top" if badge_below else "bottom", showarrow=False,
                           font={"size": 12, "color": "#7A4A00"}, bgcolor="#FFF4D6", bordercolor="#E69F00")
    return fig


def wrap_label(text: str, width: int = 28) -> str:
    """Break a long axis label at spaces (English action names run to 70 characters); Chinese labels stay whole."""
    lines: list[str] = []
    for word in str(text).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _status_bars(counts: Mapping[str, int], lang: str) -> tuple[list[str], list[int]]:
    """The status bar's labels (icon and word) and counts, one per status in STATUSES order, absent statuses 0."""
    return [status_badge(s, lang) for s in STATUSES], [int(counts.get(s, 0)) for s in STATUSES]


def _conclusion_bars(counts: Mapping[str, int], kind: str, lang: str) -> tuple[list[str], list[int]]:
    """The conclusion bar's labels (shape and word) and counts, one per conclusion of the kind, absent ones 0."""
    order = CONCLUSIONS[kind]
    return [conclusion_badge(kind, c, lang) for c in order], [int(counts.get(c, 0)) for c in order]


def _count_bars(codes: Sequence[str], labels: Sequence[str], values: Sequence[int], colors: Sequence[str], lang: str,
                *, title: str | None, height: int | None, illustrative: bool) -> go.Figure:
    """Indicators per category, one bar each in its colour and labelled with its shape and word."""
    fig = go.Figure(go.Bar(x=list(values), y=list(labels), orientation="h", marker_color=list(colors),
                           text=[str(v) for v in values], textposition="outside", customdata=list(codes),
                           hovertemplate="%{y}：%{x}<extra></extra>", cliponaxis=False))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("ui.chart.indicator-count", lang), rangemode="tozero")
    return _layout(fig, lang=lang, title=title, height=height, illustrative=illustrative)


def build_status_bar(counts: Mapping[str, int], lang: str, *, title: str | None = None, height: int | None = None,
                     illustrative: bool = False) -> go.Figure:
    """Indicators per status, one bar each in the status colour and labelled with icon and word."""
    labels, values = _status_bars(counts, lang)
    return _count_bars(STATUSES, labels, values, [STATUS_COLOR[s] for s in STATUSES], lang, title=title,
                       height=height, illustrative=illustrative)


def build_conclusion_bar(counts: Mapping[str, int], kind: str, lang: str, *, title: str | None = None,
                         height: int | None = None, illustrative: bool = False) -> go.Figure:
    """Indicators per 评估结论 (build_status_bar's chart for an evaluation): the conclusion's colour, shape and word."""
    labels, values = _conclusion_bars(counts, kind, lang)
    order = CONCLUSIONS[kind]
    return _count_bars(order, labels, values, [conclusion_color(kind, c) for c in order], lang, title=title,
                       height=height, illustrative=illustrative)


def status_bar_html(counts: Mapping[str, int], lang: str, *, title: str | None = None, height: int | None = None,
                    illustrative: bool = False) -> str:
    """build_status_bar's chart as one self-contained HTML block: the same bars, colours, icons, words and counts.

    A page shows it as soon as its text arrives: it needs no chart code, which a new visitor's browser first fetches
    and compiles (Streamlit's Plotly chunk, 4.7 MB: two seconds on 2 cores). Each row carries its status and count as
    data-status / data-count, and the Plotly bar's hover text as its title. One line, no blank line and no indent,
    so Markdown passes it through as raw HTML.
    """
    labels, values = _status_bars(counts, lang)
    bars = [(s, label, value, STATUS_COLOR[s]) for s, label, value in zip(STATUSES, labels, values)]
    return _bars_html("status", bars, lang, title=title, height=height, illustrative=illustrative)


def conclusion_bar_html(counts: Mapping[str, int], kind: str, lang: str, *, title: str | None = None,
                        height: int | None = None, illustrative: bool = False) -> str:
    """build_conclusion_bar's chart as HTML, as status_bar_html draws the statuses: each row carries its conclusion
    and count as data-conclusion / data-count."""
    labels, values = _conclusion_bars(counts, kind, lang)
    bars = [(c, label, value, conclusion_color(kind, c)) for c, label, value in zip(CONCLUSIONS[kind], labels, values)]
    return _bars_html("conclusion", bars, lang, title=title, height=height, illustrative=illustrative)


def _bars_html(attribute: str, bars: Sequence[tuple[str, str, int, str]], lang: str, *, title: str | None,
               height: int | None, illustrative: bool) -> str:
    """Bars (code, label, count, colour) as one line of HTML; each row names its code as data-<attribute>."""
    scale = max((value for _, _, value, _ in bars), default=0) or 1
    rows = []
    for code, label, value, color in ((c, escape(lb), v, col) for c, lb, v, col in bars):
        width = 100 * value / scale
        rows.append(
            f'<div data-{attribute}="{code}" data-count="{value}" style="display:contents">'
            f'<span title="{label}：{value}" style="white-space:nowrap;padding-right:10px">{label}</span>'
            f'<span title="{label}：{value}" style="position:relative;align-self:stretch;margin-right:3.2em">'
            f'<span style="position:absolute;left:0;top:12%;bottom:12%;width:{width:.2f}%;'
            f'background:{color}"></span>'
            f'<span style="position:absolute;left:calc({width:.2f}% + 6px);top:50%;transform:translateY(-50%)">'
            f'{value}</span></span></div>')
    badge = (f'<span style="font-size:12px;font-weight:normal;color:#7A4A00;background:#FFF4D6;'
             f'border:1px solid #E69F00;padding:0 4px">{escape(t("ui.illustrative-badge", lang))}</span>'
             if illustrative else "")
    # title left, 示例 notice right; in a narrow column the notice goes below the title rather than over it
    heading = (f'<figcaption style="display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;'
               f'gap:4px 12px;font-size:17px;font-weight:600;margin:0 0 10px"><span>{escape(title or "")}</span>'
               f'{badge}</figcaption>' if title or badge else "")
    box = (f"height:{height or 450}px;box-sizing:border-box;display:flex;flex-direction:column;margin:0;"
           f"padding:{'6px' if heading else '16px'} 20px 10px 10px;font-family:{FONT_FAMILY};font-size:13px;"
           f"color:inherit;background:transparent")  # the page's ink and ground, in a light or a dark theme
    grid = "flex:1;display:grid;grid-template-columns:max-content 1fr;grid-auto-rows:1fr;align-items:center"
    return (f'<figure class="{STATUS_BAR_CLASS}" style="{box}">{heading}<div style="{grid}">{"".join(rows)}</div>'
            f'<div style="text-align:center;font-size:12px;margin-top:6px">'
            f'{escape(t("ui.chart.indicator-count", lang))}</div></figure>')


def build_action_chart(rows: pd.DataFrame, lang: str, *, title: str | None = None, height: int | None = None,
                       illustrative: bool = False) -> go.Figure:
    """Each special action's mean completion (%) in its status colour, with the status named beside the bar.

    rows: columns name, completion (percent, may be NaN) and status_code, as pipelines.present.tables.action_rows gives.
    """
    completion = rows["completion"].fillna(0.0)
    text = [f"{format_rate(c / 100 if pd.notna(c) else None)} {status_badge(s, lang)}"
            for c, s in zip(rows["completion"], rows["status_code"])]
    names = [wrap_label(name) for name in rows["name"]]
    fig = go.Figure(go.Bar(x=completion, y=names, orientation="h", text=text, textposition="outside",
                           marker_color=[STATUS_COLOR[s] for s in rows["status_code"]], cliponaxis=False,
                           customdata=rows["status_code"], hovertemplate="%{y}<br>%{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    right = max(100.0, float(completion.max())) * 1.5
    fig.update_xaxes(title=t("ui.chart.completion", lang), range=[0, right], ticksuffix="%", tick0=0,
                     dtick=completion_step(right))
    fig.add_vline(x=100, line_dash="dot", line_color=INK, line_width=1)
    return _layout(fig, lang=lang, title=title, height=height, illustrative=illustrative)


def completion_step(right: float) -> float:
    """The completion axis's tick step for an axis ending at `right` (%): 50 points, doubled until at most four steps
    span it, so that the ticks are the same however wide the chart is drawn (on screen, on paper, in the pack), where
    Plotly's own choice follows the pixels (100% is marked up to an axis of 400%, and by its dotted line always)."""
    step = 50.0
    while right / step > 4 + 1e-9:
        step *= 2
    return step


def build_action_tally_chart(rows: pd.DataFrame, kind: str, lang: str, *, title: str | None = None,
                             height: int | None = None, illustrative: bool = False) -> go.Figure:
    """Each special action's indicators stacked by 评估结论 (each part in the conclusion's colour, with its shape and
    count, the legend naming every colour), the action's mean completion under its name; no status colour.

    rows: columns name, completion (percent, may be NaN) and one count column per conclusion
    (pipelines.present.final_view.action_tallies).
    """
    names = [f"{wrap_label(name)}<br>{t('final_view.chart.mean', lang, value=format_rate(None if c != c else c / 100))}"
             for name, c in zip(rows["name"], rows["completion"])]
    fig = go.Figure()
    for conclusion in CONCLUSIONS[kind]:
        counts = [int(n) for n in rows[conclusion]]
        if not any(counts):
            continue
        badge = conclusion_badge(kind, conclusion, lang)
        fig.add_trace(go.Bar(x=counts, y=names, orientation="h", name=badge, customdata=[conclusion] * len(counts),
                             marker={"color": conclusion_color(kind, conclusion), "line": {"color": "#FFFFFF",
                                                                                           "width": 1}},
                             text=[f"{CONCLUSION_ICON[kind][conclusion]}{n}" if n else "" for n in counts],
                             textposition="inside", insidetextanchor="middle", textangle=0, constraintext="none",
                             textfont={"color": "#111111"},
                             hovertemplate="%{y}<br>" + t("final_view.hover.count", lang, conclusion=badge, n="%{x}")
                             + "<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("ui.chart.indicator-count", lang), rangemode="tozero")
    fig = _layout(fig, lang=lang, title=title, height=height, illustrative=illustrative)
    return fig.update_layout(barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.18, "x": 0})


def build_hierarchy_chart(nodes: pd.DataFrame, lang: str, *, kind: str = "treemap", title: str | None = None,
                          height: int | None = None, illustrative: bool = False) -> go.Figure:
    """Action → sub-item → indicator as one picture, each box in its status colour and labelled with its icon.

    nodes: columns id, parent, label, status_code, value, hover (pipelines.present.tables.hierarchy_nodes).
    """
    status = nodes["status_code"]
    labels = np.array([f"{STATUS_ICON[s]} {label}" for s, label in zip(status, nodes["label"])], dtype=object)
    colors = np.array([STATUS_COLOR[s] for s in status], dtype=object)
    return _hierarchy(nodes, labels, colors, status.to_numpy(object), kind, lang, title, height, illustrative)


def build_conclusion_hierarchy_chart(nodes: pd.DataFrame, evaluation_kind: str, lang: str, *, kind: str = "treemap",
                                     title: str | None = None, height: int | None = None,
                                     illustrative: bool = False) -> go.Figure:
    """The hierarchy of an evaluation: each indicator in its conclusion's colour with its shape, the boxes above it
    neutral (their tallies are in the hover), so no colour stands for a light.

    nodes: columns id, parent, label, conclusion ("" above the indicators), value, hover
    (pipelines.present.final_view.hierarchy_tallies).
    """
    icons, found = CONCLUSION_ICON[evaluation_kind], nodes["conclusion"]
    labels = np.array([f"{icons[c]} {label}" if c else label for c, label in zip(found, nodes["label"])],
                      dtype=object)
    colors = np.array([conclusion_color(evaluation_kind, c) if c else NEUTRAL_BOX for c in found], dtype=object)
    return _hierarchy(nodes, labels, colors, found.to_numpy(object), kind, lang, title, height, illustrative)


def _hierarchy(nodes: pd.DataFrame, labels: np.ndarray, colors: np.ndarray, codes: np.ndarray, kind: str, lang: str,
               title: str | None, height: int | None, illustrative: bool) -> go.Figure:
    trace = go.Treemap if kind == "treemap" else go.Sunburst
    # numpy arrays, not lists or Series: Plotly then neither walks nor deep-copies a large plan's thousands of boxes
    # element by element (a 2,500-indicator plan's treemap builds in 31 ms instead of 73 ms)
    fig = go.Figure(trace(ids=nodes["id"].to_numpy(object), parents=nodes["parent"].to_numpy(object), labels=labels,
                          values=nodes["value"].to_numpy(), branchvalues="total", marker={"colors": colors},
                          hovertext=nodes["hover"].to_numpy(object), hoverinfo="text", textfont={"color": "#111111"},
                          customdata=codes))
    return _layout(fig, lang=lang, title=title, height=height, illustrative=illustrative)


def build_sparkline(values: Sequence[float], status: str | None = None, *, height: int = 60,
                    width: int | None = None) -> go.Figure:
    """A small trend line without axes; the last point carries the status colour when a status is given."""
    xs = list(range(len(values)))
    fig = go.Figure(go.Scatter(x=xs, y=list(values), mode="lines", line={"color": INK, "width": 1.5},
                               hoverinfo="skip"))
    if values:
        fig.add_trace(go.Scatter(x=[xs[-1]], y=[values[-1]], mode="markers", hoverinfo="skip",
                                 marker={"size": 6, "color": STATUS_COLOR[status] if status else INK}))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=height, width=width, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
                      template="plotly_white")
    return fig


def _line(points: Sequence[Line]) -> tuple[list[str | None], list[float | None]]:
    """Several segments as one trace, separated by gaps."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    for segment in points:
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [x for x, _ in segment]
        ys += [y for _, y in segment]
    return xs, ys


def _reported(points: pd.DataFrame, yearly: bool) -> tuple[list[Any], list[Any], list[Any]]:
    """The reported points; a yearly amount's running total starts again each year, so its line breaks between years."""
    xs, ys, hovers = list(points["x"]), list(points["y"]), list(points["hover"])
    if not yearly:
        return xs, ys, hovers
    out: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    previous = None
    for x, y, hover in zip(xs, ys, hovers):
        if previous is not None and str(x)[:4] != previous:
            for column in out:
                column.append(None)
        previous = str(x)[:4]
        for column, value in zip(out, (x, y, hover)):
            column.append(value)
    return out


def build_indicator_chart(story: IndicatorStory, lang: str, *, title: str | None = None,
                          height: int | None = None) -> go.Figure:
    """The indicator in one chart: reported values, baseline, target, the expected path and the projection.

    Hovering a value shows who reported it, when, its note, and the verdict of the status rule with its arithmetic
    (story.points["hover"]: Plotly's HTML, with every text from the store already escaped by build_story).
    """
    fig = go.Figure()
    if story.expected:
        xs, ys = _line(story.expected)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=t("ui.chart.expected", lang), hoverinfo="skip",
                                 line={"color": PATH, "dash": "dash", "width": 1.5}))
    if story.projection:
        xs, ys = _line([story.projection])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=t("ui.chart.projection", lang),
                                 line={"color": PROJECTION, "dash": "dot", "width": 2}, marker={"size": [0, 8]},
                                 hovertemplate=t("ui.hover.projection", lang, value="%{y:,.2f}") + "<extra></extra>"))
    for (x, y, text), name, symbol in ((story.baseline, "ui.chart.baseline", "square"),
                                       (story.target, "ui.chart.target", "star")):
        fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", name=t(name, lang), hovertext=[text],
                                 hoverinfo="text", marker={"symbol": symbol, "size": 13, "color": INK}))
    _earlier_cycle(fig, story, lang)
    points = story.points
    xs, ys, hovers = _reported(points, yearly=story.kind == "annual")
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=t("ui.chart.reported", lang),
                             line={"color": INK, "width": 2}, marker={"size": 8, "color": INK},
                             customdata=hovers, hovertemplate="%{customdata}<extra></extra>"))
    if not points.empty:
        last = points.iloc[-1]
        fig.add_annotation(x=last["x"], y=last["y"], text=story.badge or status_badge(story.status, lang),
                           showarrow=True, arrowhead=0, ay=-32, bgcolor=story.badge_color or STATUS_COLOR[story.status],
                           font={"color": "#111111"})
    _cycle_boundary(fig, story, lang)  # after the status badge: the badge stays the chart's first annotation
    if story.kind == "milestone":
        fig.update_yaxes(tickvals=[0, 1], ticktext=[t("ui.milestone.not-done", lang), t("ui.milestone.done", lang)],
                         range=[-0.2, 1.3])
    else:
        fig.update_yaxes(title=unit_word(story.unit, lang), rangemode="tozero" if story.kind == "annual" else "normal")
    fig = _layout(fig, lang=lang, title=title, height=height, illustrative=story.illustrative)
    fig.update_xaxes(tickformat=t("screens.chart.date-ticks", lang))  # 2024年1月, not Plotly's English "Jan 2024"
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.15}, hovermode="closest")
    return fig


def _earlier_cycle(fig: go.Figure, story: IndicatorStory, lang: str) -> None:
    """A continuing series' earlier cycle in grey and the other plans' baselines and targets as hollow marks."""
    if not story.earlier.empty:
        fig.add_trace(go.Scatter(x=list(story.earlier["x"]), y=list(story.earlier["y"]), mode="lines+markers",
                                 name=t("ui.chart.earlier", lang), line={"color": EARLIER, "width": 1.5},
                                 marker={"size": 6, "color": EARLIER}, customdata=list(story.earlier["hover"]),
                                 hovertemplate="%{customdata}<extra></extra>"))
    if story.other_anchors:
        fig.add_trace(go.Scatter(x=[a[0] for a in story.other_anchors], y=[a[1] for a in story.other_anchors],
                                 mode="markers", name=t("ui.chart.other-plans", lang),
                                 hovertext=[a[2] for a in story.other_anchors], hoverinfo="text",
                                 marker={"symbol": "diamond-open", "size": 11, "color": EARLIER}))



def _cycle_boundary(fig: go.Figure, story: IndicatorStory, lang: str) -> None:
    """The line where this plan starts, marked 口径调整 where the definition changed (the lines are not joined)."""
    if story.boundary is not None and not story.earlier.empty:
        x, label = story.boundary
        words = f"{label} · {t('ui.chart.adjusted', lang)}" if story.adjusted else label
        fig.add_vline(x=x, line={"color": EARLIER, "dash": "dot" if not story.adjusted else "dashdot", "width": 1})
        fig.add_annotation(x=x, y=1, yref="paper", text=words, showarrow=False, xanchor="left", yanchor="bottom",
                           font={"size": 11, "color": "#444444"})


def build_timeliness_grid(grid: pd.DataFrame, lang: str, *, title: str | None = None,
                          height: int | None = None, illustrative: bool = False) -> go.Figure:
    """Departments × quarters, each cell on time / late / missing / not yet due in colour, symbol and hover word.

    grid: columns department (display name), quarter (display label, in order) and state; absent cells owe nothing.
    """
    rows = list(dict.fromkeys(grid["department"]))
    cols = list(dict.fromkeys(grid["quarter"]))
    level = {s: n for n, s in enumerate(TIMELINESS_ORDER)}
    z = pd.DataFrame(float("nan"), index=rows, columns=cols)
    text = pd.DataFrame("", index=rows, columns=cols)
    hover = pd.DataFrame("", index=rows, columns=cols)
    for dept, quarter, state in zip(grid["department"], grid["quarter"], grid["state"]):
        z.loc[dept, quarter] = level[state]
        text.loc[dept, quarter] = TIMELINESS_ICON[state]
        hover.loc[dept, quarter] = f"{dept} · {quarter}<br>{TIMELINESS_ICON[state]} {t(f'ui.timeliness.{state}', lang)}"
    n = len(TIMELINESS_ORDER)
    scale = [[edge, TIMELINESS_COLOR[s]] for i, s in enumerate(TIMELINESS_ORDER) for edge in (i / n, (i + 1) / n)]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=cols, y=rows, text=text.to_numpy(), texttemplate="%{text}",
                               hovertext=hover.to_numpy(), hoverinfo="text", colorscale=scale, zmin=-0.5,
                               zmax=n - 0.5, showscale=False, xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")  # the quarters read as a table's header; the 示例数据 badge goes below, clear of them
    return _layout(fig, lang=lang, title=title, height=height, illustrative=illustrative, badge_below=True)


def timeliness_legend(lang: str) -> str:
    """'✔ 按时报送 · ◐ 逾期报送 · ✖ 未报送 · … 未到期', printed under the grid."""
    return " · ".join(f"{TIMELINESS_ICON[s]} {t(f'ui.timeliness.{s}', lang)}" for s in TIMELINESS_ORDER)


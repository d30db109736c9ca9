"""Indicator: its story in one chart (values, baseline, target, expected path, projection; hover tells who, when and
the rule's arithmetic), its metadata card, and every revision with department, file, time and note (?code=A03). An
ended plan at its last quarter tells the indicator's 评估结论 and its explanation instead of its status."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.engine.assessment import Assessment
from pipelines.engine.evaluation import Verdict
from pipelines.plan.records import IndicatorDef
from pipelines.present.charts import build_indicator_chart
from pipelines.present.evaluation import conclusion_badge
from pipelines.present.export import to_csv_bytes, to_xlsx_bytes
from pipelines.present.final_view import final_amount, legend_text
from pipelines.present.formatting import (
    MISSING,
    file_name,
    format_amount,
    format_points,
    format_rate,
    name_of,
    plain,
    status_badge,
)
from pipelines.present.sources import source_markdown
from pipelines.present.story import build_story, metadata_rows, other_targets, revision_rows
from pipelines.present.tables import achieved_value, localise, projected_value
from views.shared import data
from views.shared.shell import View, open_view, page_choice, render_chart, render_footer, render_legend


def render_status(view: View, indicator: IndicatorDef, a: Assessment) -> None:
    """The indicator's status, its explanation and its pace: value, target, completion, 序时进度, gap, projection."""
    lang = view.lang
    st.subheader(f"{indicator.code} {name_of(indicator, lang)} · {status_badge(a.status, lang)}")
    if not view.screenshot:  # a screenshot has the explanation in the card beside the chart
        st.caption(a.explanation(lang))
    metrics = st.columns(6) if view.screenshot else [*st.columns(3), *st.columns(3)]
    metrics[0].metric(view.t("ui.col.actual"), format_amount(achieved_value(indicator, a), indicator.unit, lang))
    metrics[1].metric(view.t("ui.col.target"), format_amount(indicator.target, indicator.unit, lang))
    metrics[2].metric(view.t("ui.col.completion"), format_rate(a.completion))
    metrics[3].metric(view.t("ui.col.time_share"), format_rate(a.time_share))
    metrics[4].metric(view.t("ui.metric.gap"), format_points(a.gap_points, lang))
    metrics[5].metric(view.t("ui.col.projected"), format_amount(projected_value(indicator, a), indicator.unit, lang))


def render_conclusion(view: View, indicator: IndicatorDef, verdict: Verdict) -> None:
    """An ended plan's indicator: its 评估结论 and explanation, baseline, target, 完成值, completion, first met."""
    lang, badge = view.lang, conclusion_badge(verdict.kind, verdict.conclusion, view.lang)
    st.subheader(f"{indicator.code} {name_of(indicator, lang)} · {badge}")
    if not view.screenshot:
        st.caption(verdict.explanation(lang))
    metrics = st.columns(6) if view.screenshot else [*st.columns(3), *st.columns(3)]
    baseline = indicator.baseline if indicator.has_baseline else None
    metrics[0].metric(view.t("ui.col.baseline"), format_amount(baseline, indicator.unit, lang))
    metrics[1].metric(view.t("ui.col.target_value"), format_amount(indicator.target, indicator.unit, lang))
    metrics[2].metric(view.t("ui.col.final_value"), final_amount(indicator, verdict, lang))
    metrics[3].metric(view.t("ui.col.completion"), format_rate(verdict.completion))
    metrics[4].metric(view.t("ui.col.conclusion"), badge)
    metrics[5].metric(view.t("final_view.meta.first-met"),
                      verdict.first_met.label(lang) if verdict.first_met else MISSING)


view = open_view("ui.page.indicator")
lang, standing = view.lang, view.standing
indicators = view.plan.indicator_map()
code = page_choice(view, "code", list(indicators), view.t("ui.control.indicator"),
                   lambda c: f"{c} {name_of(indicators[c], lang)}")
if code is None:
    st.stop()
indicator, a = indicators[code], standing.assessments[code]
verdict = view.evaluation().verdicts[code] if view.final else None  # an ended plan at its last quarter
if verdict is None:
    render_status(view, indicator, a)
else:
    render_conclusion(view, indicator, verdict)

infos = data.plans(view.url, view.version)
others = other_targets(view.plan, [data.plan(view.url, view.version, i.code) for i in infos if not i.draft], indicator)
plan_names = {info.code: name_of(info, lang) for info in infos}
story = build_story(view.plan, indicator, standing.current, a, view.rule, lang, others, verdict)
chart, card = st.columns([2.2, 1]) if view.screenshot else (st.container(), st.container())
with chart:
    render_chart(build_indicator_chart(story, lang, height=420 if view.screenshot else 460), key="indicator")
    if verdict is None:
        render_legend(view)
    else:
        st.caption(legend_text(view.plan.info.basic_threshold, lang).replace("\n", "  \n"))
with card:
    st.markdown(f"**{view.t('ui.section.metadata')}**")
    rows = metadata_rows(view.plan, indicator, a, view.rule, lang, plan_names, verdict)
    linked = {view.t("ui.meta.source"): source_markdown(indicator.source)} if indicator.source else {}
    st.markdown("\n".join(f"- **{label}**：{linked.get(label) or plain(value)}" for label, value in rows))

if not view.screenshot:
    st.subheader(view.t("ui.section.revisions"))
    history = pd.concat([data.history(view.url, view.version, c) for c in indicator.series_codes], ignore_index=True)
    revisions = localise(revision_rows(history, view.plan, lang), lang)  # the series it continues too
    if revisions.empty:
        st.info(view.t("ui.no-revisions"))
    else:
        st.dataframe(revisions, hide_index=True)
        left, right = st.columns(2)
        named = view.t("file.revisions", name=name_of(indicator, lang), code=code)  # as the office names a file
        left.download_button(view.t("ui.download.csv"), to_csv_bytes(revisions), file_name=file_name(named, "csv"),
                             mime="text/csv")
        right.download_button(view.t("ui.download.xlsx"), to_xlsx_bytes(revisions, view.t("ui.sheet.revisions")),
                              file_name=file_name(named, "xlsx"),
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
render_footer(view)

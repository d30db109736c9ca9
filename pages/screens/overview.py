"""Overview: the plan at a glance — the as-of quarter, status counts, and every indicator with its status."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from models.db import make_engine
from pipelines.catalog import t
from pipelines.progress import STATUS_ICON, status_name
from pipelines.standing import read_standing

lang = st.session_state.get("lang", "zh")


@st.cache_resource
def _engine():  # type: ignore[no-untyped-def]
    return make_engine()


standing = read_standing(_engine())
if standing is None:
    st.info(t("ui.empty-store", lang))
    st.stop()

plan = standing.plan
st.title(plan.info.name_zh if lang == "zh" else plan.info.name_en)
st.caption(standing.as_of.cutoff_label(lang))
if any(i.illustrative for i in plan.indicators):
    st.warning(t("ui.illustrative-notice", lang))

rollup = standing.rollups[plan.info.code]
columns = st.columns(4)
columns[0].metric(t("ui.plan-completion", lang), "—" if rollup.mean_completion is None else f"{rollup.mean_completion:.1%}")
columns[1].metric(t("ui.indicators", lang), f"{len(plan.indicators)}")
columns[2].metric(t("ui.likely-to-meet", lang), f"{sum(a.likely_to_meet for a in standing.assessments.values())}")
columns[3].metric(t("ui.overdue", lang), f"{sum(a.overdue for a in standing.assessments.values())}")

rows = []
for indicator in plan.indicators:
    a = standing.assessments[indicator.code]
    rows.append({
        t("ui.col.code", lang): indicator.code,
        t("ui.col.indicator", lang): indicator.name_zh if lang == "zh" else indicator.name_en,
        t("ui.col.unit", lang): indicator.unit,
        t("ui.col.latest", lang): "—" if a.latest_value is None else f"{a.latest_value:g}",
        t("ui.col.target", lang): f"{indicator.target:g}",
        t("ui.col.status", lang): f"{STATUS_ICON[a.status]} {status_name(a.status, lang)}",
        t("ui.col.explanation", lang): a.explanation(lang),
    })
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

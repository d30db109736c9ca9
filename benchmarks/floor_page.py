"""The browser benchmark's floor: a Streamlit page with a title and one small Plotly chart, nothing else. Its first
chart shows what Streamlit and Plotly alone cost a new visitor on this machine (benchmarks/bench_browser.py)."""
import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # served from benchmarks/: the project's modules

from pipelines.core.catalog import t
from pipelines.present.formatting import status_badge

st.set_page_config(layout="wide")
st.title(t("ui.page.overview", "zh"))
st.plotly_chart(go.Figure(go.Bar(x=[30, 25], y=[status_badge("on_track", "zh"), status_badge("off_track", "zh")],
                                 orientation="h")))

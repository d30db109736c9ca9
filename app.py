"""Entry point of the dashboard: page set-up, language, and navigation; nothing else."""
from __future__ import annotations

import streamlit as st

from pipelines.catalog import t

st.set_page_config(page_title="上海硅巷 KPI", page_icon="📊", layout="wide")

lang = st.sidebar.radio("语言 / Language", options=["zh", "en"], format_func=lambda v: "中文" if v == "zh" else "English",
                        horizontal=True, key="lang")

pages = [st.Page("pages/overview.py", title=t("ui.page.overview", lang), icon="🏠", default=True)]
st.navigation(pages).run()

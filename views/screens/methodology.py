"""Methodology: renders docs/methodology.md for readers (the Chinese text, or its English summary; worked examples as
tables, no notes for maintainers) and the rule in force."""
from __future__ import annotations

import streamlit as st

from pipelines.core.catalog import t
from pipelines.present.methodology import METHODOLOGY, methodology_text, reader_text, split_methodology
from views.shared.shell import lang, open_optional_view, render_footer, render_legend

view = open_optional_view("ui.page.methodology")  # the rules read the same with an empty store
reader = lang()
if view is not None:
    render_legend(view)
text = METHODOLOGY.read_text(encoding="utf-8")
if reader == "en":
    st.caption(t("ui.methodology.english-note", reader))
st.markdown(reader_text(methodology_text(reader, text), reader))
if reader == "en" and not (view and view.screenshot):
    with st.expander(t("ui.methodology.full-chinese", reader)):
        st.markdown(reader_text(split_methodology(text)[0], reader))
if view is not None:
    render_footer(view)

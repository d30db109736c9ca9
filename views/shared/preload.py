"""Start loading the browser's chart code at the top of a page's script run, not when its first chart arrives.

Streamlit's frontend loads the code that draws Plotly charts (a 4.7 MB JavaScript chunk of the installed Streamlit,
static/js/PlotlyChart.<hash>.js) only when the first chart element reaches the browser, and then fetches, compiles
and runs it before anything is drawn: for a new visitor (empty browser cache) that is most of the time to the
overview's first chart. Streamlit offers no way to add to its page's <head> under `streamlit run`, so the earliest
the app can ask for it is its own first element: a tiny script (st.html with JavaScript allowed) that imports the very
module the frontend imports later, by the same URL, next to Streamlit's own index script. The browser fetches it
once (the module map and HTTP cache share it), so when the first chart arrives the code is loaded or on its way.

Nothing here depends on more than the file name pattern of the installed Streamlit package: when the chunk is not
found exactly once, or the page's index script cannot be found in the browser, nothing is sent or loaded and charts
load as before. `KPI_CHART_PRELOAD=0` in the server's environment turns it off (for comparing both).
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import streamlit as st

# The frontend resolves its lazy chunks against its own index script (import.meta.url), so this does too.
_SCRIPT = """<script>(() => {{
    const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
    if (index) import(new URL("{chunk}", index.src).href).catch(() => {{}});
}})();</script>"""


@cache
def plotly_chunk() -> str | None:
    """File name of the installed Streamlit's Plotly chart chunk, or None when it is not exactly one file."""
    folder = Path(st.__file__).resolve().parent / "static" / "static" / "js"
    names = [path.name for path in folder.glob("PlotlyChart.*.js")]
    return names[0] if len(names) == 1 else None


def enabled() -> bool:
    return os.environ.get("KPI_CHART_PRELOAD", "1").strip() != "0"


def preload_chart_code() -> None:
    """Have the browser start loading the chart code now; draws nothing. Call it early on pages that draw charts."""
    chunk = plotly_chunk()
    if chunk is None or not enabled():
        return
    with st.sidebar:
        st.html(_SCRIPT.format(chunk=chunk), unsafe_allow_javascript=True)

"""Entry point of the dashboard: page set-up, the shared controls (language, as-of quarter, screenshot mode), navigation."""
from __future__ import annotations

import streamlit as st

from pages.shared.shell import lang, render_controls
from pipelines.catalog import t

st.set_page_config(page_title=t("ui.app-title"), page_icon="📊", layout="wide")
screenshot = render_controls()
reader = lang()
# The page scripts live in pages/screens/, never at the top of pages/: Streamlit treats a top-level pages/*.py as a
# v1 multipage app and, on a fresh server, would run a deep link (/actions) without this entry script.
# Known bug, not fixable here: the folder's name alone makes Streamlit (1.67) run the first session of each server
# process as a v1 app (PagesManager.uses_pages_directory, set when the first session starts, before this script runs),
# whose page list (this script) has no /submit, so a deep link as a fresh server's first request gets the "Page not
# found" dialog over the right page; st.navigation below then switches the process to v2 for good. Renaming the
# pages/ package ends it (tests/test_browser.py::test_a_deep_link_as_the_first_request_of_a_fresh_server_opens_its_page).
pages = [
    st.Page("pages/screens/overview.py", title=t("ui.page.overview", reader), icon=":material/dashboard:", default=True),
    st.Page("pages/screens/actions.py", title=t("ui.page.actions", reader), icon=":material/flag:"),
    st.Page("pages/screens/indicator.py", title=t("ui.page.indicator", reader), icon=":material/show_chart:"),
    st.Page("pages/screens/departments.py", title=t("ui.page.departments", reader), icon=":material/apartment:"),
    st.Page("pages/screens/briefing.py", title=t("briefing.page-title", reader), icon=":material/summarize:"),
    st.Page("pages/screens/submit.py", title=t("submit.title", reader), icon=":material/upload_file:"),
    st.Page("pages/screens/review.py", title=t("review.title", reader), icon=":material/fact_check:"),
    st.Page("pages/screens/board.py", title=t("board.title", reader), icon=":material/event_available:"),
    st.Page("pages/screens/methodology.py", title=t("ui.page.methodology", reader), icon=":material/menu_book:"),
]
st.navigation(pages, position="hidden" if screenshot else "sidebar").run()

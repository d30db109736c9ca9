"""Entry point of the dashboard: page set-up, the shared controls (language, as-of quarter, screenshot mode),
navigation."""
from __future__ import annotations

import streamlit as st

from models.db import settle
from pipelines.core.catalog import t
from views.shared.shell import lang, render_controls

st.set_page_config(page_title=t("ui.app-title"), page_icon="📊", layout="wide")
screenshot = render_controls()
reader = lang()
# The screens live in a package named views/, not pages/: a pages/ folder beside the entry script makes Streamlit run
# the first session of each server process as a v1 multipage app, which answers a deep link such as /submit with a
# "Page not found" dialog
# (tests/test_browser.py::test_a_deep_link_as_the_first_request_of_a_fresh_server_opens_its_page).
pages = [
    st.Page("views/screens/overview.py", title=t("ui.page.overview", reader), icon=":material/dashboard:",
            default=True),
    st.Page("views/screens/actions.py", title=t("ui.page.actions", reader), icon=":material/flag:"),
    st.Page("views/screens/indicator.py", title=t("ui.page.indicator", reader), icon=":material/show_chart:"),
    st.Page("views/screens/departments.py", title=t("ui.page.departments", reader), icon=":material/apartment:"),
    st.Page("views/screens/briefing.py", title=t("briefing.page-title", reader), icon=":material/summarize:"),
    st.Page("views/screens/evaluation.py", title=t("ui.page.evaluation", reader), icon=":material/assignment:"),
    st.Page("views/screens/tasks.py", title=t("task_pages.title", reader), icon=":material/task_alt:"),
    st.Page("views/screens/submit.py", title=t("submit.title", reader), icon=":material/upload_file:"),
    st.Page("views/screens/review.py", title=t("review.title", reader), icon=":material/fact_check:"),
    st.Page("views/screens/accounts.py", title=t("admin.title", reader), icon=":material/manage_accounts:"),
    st.Page("views/screens/board.py", title=t("board.title", reader), icon=":material/event_available:"),
    st.Page("views/screens/methodology.py", title=t("ui.page.methodology", reader), icon=":material/menu_book:"),
]
try:
    st.navigation(pages, position="hidden" if screenshot else "sidebar").run()
finally:
    settle()  # once per server process, after its first page has loaded what the pages use

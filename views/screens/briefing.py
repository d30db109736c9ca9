"""季度简报: a preview of the quarter's overall summary and red flags, and buttons that make the briefing pack
(pipelines.briefing.make_briefing) and download its slides, PDF and 通报."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from pipelines.briefing import make_briefing, read_content
from pipelines.briefing.content import BriefingContent
from pipelines.briefing.images import SetupError
from pipelines.core.periods import period_of_code
from pipelines.present.formatting import format_rate, format_time, status_badge
from views.shared import data
from views.shared.shell import open_view, render_footer, render_legend

OFFICE = "application/vnd.openxmlformats-officedocument"
DOWNLOADS = (("pptx", "briefing.button.pptx", f"{OFFICE}.presentationml.presentation"),
             ("pdf", "briefing.button.pdf", "application/pdf"),
             ("docx", "briefing.button.docx", f"{OFFICE}.wordprocessingml.document"))


@st.cache_resource(max_entries=8, show_spinner=False)
def content(url: str, version: data.Version, as_of: str, lang: str) -> BriefingContent | None:
    return read_content(data.engine(url), period_of_code(as_of), lang)


view = open_view("briefing.page-title")
lang, key = view.lang, f"briefing_{view.as_of.code}_{view.lang}_{view.version}"
preview = content(view.url, view.version, view.as_of.code, lang)
assert preview is not None, "open_view stops before a store without a plan"

st.caption(f"{preview.cutoff} · {view.t('briefing.confidential')}")
st.subheader(view.t("briefing.preview"))
metrics = st.columns(4)
metrics[0].metric(view.t("ui.plan-completion"), format_rate(preview.head.completion))
metrics[1].metric(view.t("ui.plan-status"), status_badge(preview.head.status, lang))
metrics[2].metric(view.t("ui.likely-to-meet"), f"{preview.head.likely}")
metrics[3].metric(view.t("ui.overdue"), f"{preview.head.overdue}")
st.markdown("\n".join(f"- {line}" for line in preview.summary))
st.caption(view.t("briefing.cover-frozen", when=format_time(preview.frozen.created_at)) if preview.frozen
           else view.t("briefing.cover-live"))
st.subheader(view.t("briefing.slide.red-flags"))
if preview.flags.empty:
    st.success(view.t("briefing.no-red-flags"))
else:
    st.dataframe(preview.flags, hide_index=True)
render_legend(view)

if st.button(view.t("briefing.button.generate"), type="primary"):
    with st.spinner(view.t("briefing.generating")), tempfile.TemporaryDirectory() as folder:
        try:
            files = make_briefing(data.engine(view.url), view.as_of, Path(folder), lang)
        except SetupError as error:  # no CJK font or no chromium: what to install, never boxes
            st.error(str(error))
            files = None
        if files is not None:
            st.session_state[key] = {"pptx": files.pptx.read_bytes(), "pdf": files.pdf.read_bytes(),
                                     "docx": files.docx.read_bytes(), "seconds": files.seconds["total"]}
made = st.session_state.get(key)
if made:
    st.success(view.t("briefing.generated", seconds=f"{made['seconds']:.1f}"))
    names = {"pptx": "briefing.pptx", "pdf": "briefing.pdf", "docx": "tongbao.docx"}
    for column, (kind, label, mime) in zip(st.columns(3), DOWNLOADS):
        column.download_button(view.t(label), made[kind], file_name=f"{view.as_of.code}_{names[kind]}", mime=mime)
render_footer(view)

"""季度简报: a preview of the quarter's overall summary and red flags, and buttons that make the briefing pack
(pipelines.briefing.make_briefing) and download its slides, PDF and 通报.

The pack is 内部资料 (briefing.confidential): the whole page, preview included, is for a signed-in leader or reviewer
(the roles viewer or reviewer; an admin holds both). One pack is made at a time per server process
(pipelines.briefing.queue): a reader who asks while another is being made is told to try again, and no second
Chromium starts. The files made are kept in the session that made them (st.session_state), never on disk or in a
cache another session could reach."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from pipelines.briefing import make_briefing, read_content
from pipelines.briefing.content import BriefingContent
from pipelines.briefing.images import SetupError
from pipelines.briefing.queue import pack_slot
from pipelines.core.periods import period_of_code
from pipelines.present.formatting import file_name, format_rate, format_time, status_badge
from pipelines.workflow.accounts import REVIEWER, VIEWER, Refusal, User, check_can_review, check_has_role
from pipelines.workflow.freezing import freeze_quarter, frozen_by_name
from views.shared import data
from views.shared.shell import View, open_view, render_footer, render_legend
from views.shared.signin import current_user, render_change_password, render_sign_in, render_user_bar

OFFICE = "application/vnd.openxmlformats-officedocument"
DOWNLOADS = (("pptx", "briefing.button.pptx", f"{OFFICE}.presentationml.presentation"),
             ("pdf", "briefing.button.pdf", "application/pdf"),
             ("docx", "briefing.button.docx", f"{OFFICE}.wordprocessingml.document"))
# the downloads named as the office names the documents: the pack (slides and PDF) and the 通报
NAMES = {"pptx": "briefing.file.pack", "pdf": "briefing.file.pack", "docx": "briefing.file.tongbao"}
READERS = (VIEWER, REVIEWER)
GENERATE_KEY = "briefing-generate"
FREEZE_KEY, FROZEN_KEY = "briefing-freeze", "briefing-frozen-message"


@st.cache_resource(max_entries=8, show_spinner=False)
def content(url: str, version: data.Version, as_of: str, lang: str, plan: str) -> BriefingContent | None:
    return read_content(data.engine(url), period_of_code(as_of), lang, plan_code=plan)


def signed_reader(view: View) -> User | None:
    """The signed-in account when it may read the briefing; None otherwise, with what to do shown: the sign-in form,
    修改密码 for an account whose password an administrator reset, or why the account may not read it.

    The page keeps open_view's header (it needs the view's quarter, language and data version), so it does not use
    open_signed_view, which draws a heading of its own; the steps are the same."""
    user = current_user()
    if user is None:
        render_sign_in(view.lang, view.t("briefing.sign-in-needed"))
        return None
    render_user_bar(user, view.lang)
    if user.must_change_password:  # nothing but 修改密码 until the account sets its own password
        st.warning(view.t("signin.must-change"))
        render_change_password(user, view.lang)
        return None
    denied = check_has_role(user, READERS)
    if denied:
        lacking = denied.check == "not-a-viewer"  # the shared text speaks of the reporting status page
        st.warning(view.t("briefing.not-a-viewer") if lacking else denied.message(view.lang))
        return None
    return user


def render_preview(view: View, preview: BriefingContent) -> None:
    """The pack's first pages as the page shows them: the head figures, the summary lines and the red flags."""
    st.caption(f"{preview.cutoff} · {view.t('briefing.confidential')}")
    st.subheader(view.t("briefing.preview"))
    metrics = st.columns(4 if not preview.final else 2)
    metrics[0].metric(view.t("ui.plan-completion"), format_rate(preview.head.completion))
    if preview.final:  # an ended plan at its end: the 总结评估's tally in the summary lines, no pace light
        metrics[1].metric(view.t("ui.overdue"), f"{preview.head.overdue}")
    else:
        metrics[1].metric(view.t("ui.plan-status"), status_badge(preview.head.status, view.lang))
        metrics[2].metric(view.t("ui.likely-to-meet"), f"{preview.head.likely}")
        metrics[3].metric(view.t("ui.overdue"), f"{preview.head.overdue}")
    st.markdown("\n".join(f"- {line}" for line in preview.summary))
    st.caption(view.t("briefing.cover-frozen", when=format_time(preview.frozen.created_at)) if preview.frozen
               else view.t("briefing.cover-live"))
    st.subheader(preview.flags_heading if preview.final else view.t("briefing.slide.red-flags"))
    if preview.flags.empty:
        st.success(view.t(preview.flags_none if preview.final else "briefing.no-red-flags"))
    else:
        st.dataframe(preview.flags, hide_index=True)
    render_legend(view)


def make_pack(view: View, key: str) -> None:
    """Make the pack into a temporary folder and keep its three files in this session under `key`, when the
    process's one slot is free; otherwise say that another pack is being made, and start nothing."""
    with pack_slot() as held:
        if not held:
            st.warning(view.t("briefing.busy"))
            return
        with st.spinner(view.t("briefing.generating")), tempfile.TemporaryDirectory() as folder:
            try:
                files = make_briefing(data.engine(view.url), view.as_of, Path(folder), view.lang, plan_code=view.code)
            except SetupError as error:  # no CJK font or no chromium: what to install, never boxes
                st.error(str(error))
                return
            if files is not None:
                st.session_state[key] = {"pptx": files.pptx.read_bytes(), "pdf": files.pdf.read_bytes(),
                                         "docx": files.docx.read_bytes(), "seconds": files.seconds["total"]}


def render_downloads(view: View, made: dict[str, Any]) -> None:
    st.success(view.t("briefing.generated", seconds=f"{made['seconds']:.1f}"))
    for column, (kind, label, mime) in zip(st.columns(3), DOWNLOADS):
        column.download_button(view.t(label), made[kind], mime=mime,
                               file_name=file_name(view.t(NAMES[kind], quarter=view.as_of.label(view.lang)), kind))


def render_freeze(view: View, user: User, preview: BriefingContent) -> None:
    """冻结本季度快照 for reviewers and admins: who froze the quarter and when, or the button that freezes it (the
    right is checked again by pipelines.workflow.freezing, whatever the page shows)."""
    if check_can_review(user) is not None:
        return
    st.subheader(view.t("snapshot.section"))
    quarter = view.as_of.label(view.lang)
    if preview.frozen is not None:
        who = frozen_by_name(data.engine(view.url), preview.frozen) or view.t("snapshot.by-command-line")
        st.caption(view.t("snapshot.frozen", quarter=quarter, when=format_time(preview.frozen.created_at), who=who))
        return
    st.caption(view.t("snapshot.explain"))
    if st.button(view.t("snapshot.button"), key=FREEZE_KEY):
        made = freeze_quarter(data.engine(view.url), current_user(), view.as_of, plan=view.code)
        if isinstance(made, Refusal):
            st.warning(made.message(view.lang))
            return
        content.clear()  # the preview and the pack now read the frozen assessments
        st.session_state[FROZEN_KEY] = view.t("snapshot.done", quarter=quarter, n=len(made.assessments),
                                              when=format_time(made.created_at))
        st.rerun()


def main() -> None:
    view = open_view("briefing.page-title")
    user = signed_reader(view)
    if user is not None:
        key = f"briefing_{view.code}_{view.as_of.code}_{view.lang}_{view.version}"  # this session's pack
        preview = content(view.url, view.version, view.as_of.code, view.lang, view.code)
        assert preview is not None, "open_view stops before a store without a plan"
        render_preview(view, preview)
        if FROZEN_KEY in st.session_state:
            st.success(st.session_state.pop(FROZEN_KEY))
        render_freeze(view, user, preview)
        if st.button(view.t("briefing.button.generate"), type="primary", key=GENERATE_KEY):
            make_pack(view, key)
        made = st.session_state.get(key)
        if made:
            render_downloads(view, made)
    render_footer(view)


main()

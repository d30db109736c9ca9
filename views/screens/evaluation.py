"""评估: the chosen plan's 总结评估 (an ended plan) or 中期评估 (as of the chosen quarter) — the report's five sections
on screen, and for a signed-in account the buttons that make the report as Word, Excel and PDF.

The figures are the approved values the other pages show, so the page itself is open like the overview; the files
are made for signed-in accounts only, one at a time per server process (pipelines.briefing.queue), and kept in the
session that made them."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from pipelines.briefing.evaluation import EvaluationReport, read_report
from pipelines.briefing.evaluation_files import write_evaluation
from pipelines.briefing.images import SetupError
from pipelines.briefing.queue import pack_slot
from pipelines.core.config import today
from pipelines.core.periods import period_of_code
from pipelines.engine.evaluation import CONCLUSIONS
from pipelines.present.evaluation import conclusion_badge
from pipelines.present.formatting import plain
from views.shared import data
from views.shared.printable import render_table
from views.shared.shell import View, open_view, render_footer
from views.shared.signin import current_user, render_sign_in, render_user_bar

OFFICE = "application/vnd.openxmlformats-officedocument"
DOWNLOADS = (("docx", "evaluation.button.docx", f"{OFFICE}.wordprocessingml.document"),
             ("xlsx", "evaluation.button.xlsx", f"{OFFICE}.spreadsheetml.sheet"),
             ("pdf", "evaluation.button.pdf", "application/pdf"))
GENERATE_KEY = "evaluation-generate"


@st.cache_resource(max_entries=8, show_spinner=False)
def report(url: str, version: data.Version, plan: str, as_of: str, lang: str, day: str) -> EvaluationReport | None:
    """The report of one plan: final once it has ended, otherwise mid-term as of the chosen quarter."""
    stored = data.plan(url, version, plan)
    ended = stored is not None and stored.info.state(today()) == "ended"
    return read_report(data.engine(url), plan, "final" if ended else "midterm",
                       None if ended else period_of_code(as_of), lang, today())


def render_sections(view: View, r: EvaluationReport) -> None:
    st.subheader(r.title)
    st.caption(r.subtitle)
    whole = r.evaluation.plan_tally
    for column, conclusion in zip(st.columns(len(CONCLUSIONS[r.kind])), CONCLUSIONS[r.kind]):
        column.metric(conclusion_badge(r.kind, conclusion, view.lang), view.t("evaluation.count-unit",
                                                                               n=whole.counts[conclusion]))
    st.markdown(f"#### {view.t('evaluation.report.h1')}")
    st.markdown("\n\n".join(plain(line) for line in r.overall))
    st.markdown(f"#### {view.t('evaluation.report.h2')}")
    table = r.table.copy()
    table[view.t("ui.col.explanation")] = list(r.rows["explanation"])
    render_table(table)
    st.markdown(f"**{view.t('evaluation.report.tally-title')}**")
    render_table(r.tallies)
    if r.tasks is not None:
        st.markdown(f"**{view.t('evaluation.report.tasks-title')}**")
        render_table(r.tasks)
    st.markdown(f"#### {view.t('evaluation.report.h3')}")
    for action in r.actions:
        with st.expander(f"{action.name} · {action.tally}"):
            st.markdown("\n".join(f"- {plain(line)}" for line in action.progress))
    st.markdown(f"#### {view.t('evaluation.report.h4')}")
    st.markdown("\n".join(f"{n}. {plain(item)}" for n, item in enumerate(r.problems, start=1))
                or view.t("evaluation.report.none"))
    st.markdown(f"#### {view.t(f'evaluation.report.h5.{r.kind}')}")
    st.markdown("\n\n".join(plain(line) for line in r.next_intro))
    if r.lineage is not None:
        st.markdown(f"**{r.lineage_title()}**")
        render_table(r.lineage)
    st.caption("\n\n".join(f"{view.t('evaluation.report.notes')}{plain(note)}" if n == 0 else plain(note)
                           for n, note in enumerate(r.notes)))


def make_files(view: View, r: EvaluationReport, key: str) -> None:
    """Write the three files into a temporary folder and keep their bytes in this session, when the process's one
    slot is free; otherwise say that another document is being made."""
    with pack_slot() as held:
        if not held:
            st.warning(view.t("briefing.busy"))
            return
        with st.spinner(view.t("evaluation.generating")), tempfile.TemporaryDirectory() as folder:
            try:
                files = write_evaluation(r, Path(folder))
            except SetupError as error:
                st.error(str(error))
                return
            st.session_state[key] = {"docx": files.docx.read_bytes(), "xlsx": files.xlsx.read_bytes(),
                                     "pdf": files.pdf.read_bytes()}


def render_downloads(view: View, r: EvaluationReport) -> None:
    st.markdown(f"#### {view.t('evaluation.downloads')}")
    user = current_user()
    if user is None:
        render_sign_in(view.lang, view.t("evaluation.sign-in-needed"))
        return
    render_user_bar(user, view.lang)
    if user.must_change_password:
        st.warning(view.t("signin.must-change"))
        return
    key = f"evaluation_{view.code}_{r.kind}_{r.evaluation.as_of.code}_{view.lang}_{view.version}"
    if st.button(view.t("evaluation.button.generate"), type="primary", key=GENERATE_KEY):
        make_files(view, r, key)
    made = st.session_state.get(key)
    if made:
        names = r.file_names()
        for column, (kind, label, mime) in zip(st.columns(3), DOWNLOADS):
            column.download_button(view.t(label), made[kind], mime=mime, file_name=names[kind])


def main() -> None:
    view = open_view("ui.page.evaluation")
    found = report(view.url, view.version, view.code, view.as_of.code, view.lang, today().isoformat())
    assert found is not None, "open_view stops before a store without the plan"
    render_sections(view, found)
    render_downloads(view, found)
    render_footer(view)


main()

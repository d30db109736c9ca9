"""数据填报: template download, upload and checks (强制性错误 / 核实性问题), preview (values and 重点任务 reports),
narrative and evidence, 上报, receipt, and the department's history with its original files."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import streamlit as st

from models.queries import read_current_values, read_submission_file
from models.states import PENDING, RETURNED
from models.submissions import read_submission_list
from pipelines.core.catalog import t
from pipelines.core.config import Limits, today
from pipelines.core.periods import period_of_code
from pipelines.intake.ingest import ACCEPTED, IngestResult
from pipelines.intake.template import build_csv_template, build_xlsx_template
from pipelines.plan.records import PlanData
from pipelines.present.export import to_xlsx_bytes
from pipelines.present.formatting import plain
from pipelines.present.submit_view import STATUS_KEYS, history_frame, issues_frame, preview_frame, selectable_quarters
from pipelines.store.task_reports import read_task_book
from pipelines.workflow.accounts import ADMIN, SUBMITTER, Refusal, User
from pipelines.workflow.attempts import record_attempt
from pipelines.workflow.evidence import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES
from pipelines.workflow.review import (
    EvidenceFile,
    Narrative,
    Preview,
    preview_file,
    submit_file,
    task_rows_frame,
    withdraw,
)
from views.shared.printable import render_table
from views.shared.shell import lang
from views.shared.signin import current_user, open_signed_view, store_engine

L = lang()  # the language chosen in the sidebar (zh by default)


def main() -> None:
    signed = open_signed_view("submit.title", (SUBMITTER,), L, series=True)
    if signed is None:
        return
    user, plan = signed
    departments = _departments(user, plan)
    if not departments:
        st.warning(Refusal("not-a-submitter").message(L))
        return
    names = {d.code: d.name_zh for d in plan.departments}
    department: str | None = st.selectbox(t("submit.department", L), departments,
                                          format_func=lambda code: names.get(code, code), key="dept")
    if department is None:  # a selectbox with options always has one chosen
        return
    render_template(plan, department)
    render_upload(plan, user, department)
    if "withdraw_refused" in st.session_state:
        st.error(st.session_state.pop("withdraw_refused"))
    render_history(plan, user, department)


def _departments(user: User, plan: PlanData) -> list[str]:
    if ADMIN in user.roles:
        return [d.code for d in plan.departments]
    return [d for d in user.departments if d in {x.code for x in plan.departments}]


def render_template(plan: PlanData, department: str) -> None:
    st.subheader(t("submit.template", L))
    quarters = selectable_quarters(plan, today())
    quarter = st.selectbox(t("submit.quarter", L), quarters, key="quarter",
                           format_func=lambda q: period_of_code(q).label(L))
    with store_engine().connect() as conn:
        current = read_current_values(conn)
        book = read_task_book(conn, plan, today())
    period = period_of_code(quarter)
    left, right = st.columns(2)
    stem = t("submit.template-file", L, quarter=quarter, department=department)
    left.download_button(t("submit.download-xlsx", L), build_xlsx_template(plan, department, period, current, book),
                         f"{stem}.xlsx", key="template-xlsx")
    right.download_button(t("submit.download-csv", L), build_csv_template(plan, department, period, current),
                          f"{stem}.csv", "text/csv", key="template-csv")


def uploader_words() -> None:
    """The file uploaders in the reader's language, with the app's own limits: Streamlit draws "Upload" and
    "10MB per file • CSV, XLSX, …" in English whatever the page's language, and has no setting for it, so its words
    are hidden and ours drawn in their place (the upload and evidence uploaders are told apart by their keys)."""
    data_limit = f"{Limits().max_file_bytes / 2**20:g}"
    evidence_limit = f"{MAX_EVIDENCE_BYTES / 2**20:g}"
    words = {"upload": t("submit.uploader-data", L, mb=data_limit),
             "evidence": t("submit.uploader-evidence", L, mb=evidence_limit, n=MAX_EVIDENCE_FILES)}
    rules = ['[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {font-size: 0}',
             f'[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after '
             f'{{content: {json.dumps(t("submit.uploader-button", L), ensure_ascii=False)}; font-size: 0.875rem}}',
             '[data-testid="stFileUploaderDropzoneInstructions"] span {font-size: 0}']
    rules += [f'[class*="st-key-{key}-"] [data-testid="stFileUploaderDropzoneInstructions"] span::after '
              f'{{content: {json.dumps(text, ensure_ascii=False)}; font-size: 0.875rem}}'
              for key, text in words.items()]
    st.html("<style>" + "\n".join(rules + refusal_rules(data_limit, evidence_limit)) + "</style>")


def refusal_rules(data_limit: str, evidence_limit: str) -> list[str]:
    """A file the uploader itself refuses before the page sees it (larger than Streamlit's maxUploadSize, or of a type
    it does not take) is marked red with Streamlit's English reason ("File must be 10.0MB or smaller.") hidden for a
    screen reader and in a hover tooltip. The reason is shown instead under the file, in the reader's language, with
    the uploader's own limits; the tooltip says it too (it cannot tell which uploader it belongs to)."""
    alert = '[data-testid="stFileChip"][aria-invalid="true"] [role="alert"]'
    words = {"upload": t("screens.uploader-refused-data", L, mb=data_limit),
             "evidence": t("screens.uploader-refused-evidence", L, mb=evidence_limit)}
    rules = [f"{alert} {{position: static; width: auto; height: auto; margin: 2px 0 0 0; clip: auto; "
             f"clip-path: none; overflow: visible; white-space: normal; font-size: 0; color: #B3261E}}",
             '[data-testid="stFileChip"][aria-invalid="true"] {height: auto}',
             '[data-testid="stTooltipErrorContent"] {font-size: 0}',
             f'[data-testid="stTooltipErrorContent"]::after '
             f'{{content: {json.dumps(t("screens.uploader-refused", L), ensure_ascii=False)}; font-size: 0.875rem}}']
    rules += [f'[class*="st-key-{key}-"] {alert}::after {{content: {json.dumps(text, ensure_ascii=False)}; '
              f'font-size: 0.8rem; display: block}}' for key, text in words.items()]
    return rules


def render_upload(plan: PlanData, user: User, department: str) -> None:
    st.subheader(t("submit.upload", L))
    uploader_words()
    if "receipt" in st.session_state:
        st.success(st.session_state["receipt"])
    round_ = st.session_state.get("upload_round", 0)
    uploaded = st.file_uploader(t("submit.upload-help", L), type=["csv", "xlsx", "xlsm", "xls", "txt"],
                                key=f"upload-{round_}")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    explanations, task_explanations = _explanations(hashlib.sha256(data).hexdigest())
    preview = preview_file(store_engine(), plan, user, uploaded.name, data, department=department,
                           explanations=explanations, task_explanations=task_explanations)
    _log_once(user, department, uploaded.name, data, preview)
    identical = preview.identical_refusal() if isinstance(preview, Preview) else None
    if isinstance(preview, Refusal):
        st.error(preview.message(L))
    elif identical is not None:  # named at once: the same bytes were sent before, so there is nothing to send
        st.warning(identical.message(L))
    elif not preview.accepted:
        render_problems(preview)
    else:
        render_preview(plan, user, department, preview, uploaded.name, data, (explanations, task_explanations))


def _log_once(user: User, department: str, file_name: str, data: bytes, preview: Refusal | Preview) -> None:
    """Each uploaded file is logged once as an attempt (re-runs of the page while answering questions are not)."""
    key = (department, hashlib.sha256(data).hexdigest(), st.session_state.get("upload_round", 0))
    if st.session_state.get("logged_upload") != key:
        record_attempt(store_engine(), user, department, file_name, data, preview)
        st.session_state["logged_upload"] = key


def _explanations(file_hash: str) -> tuple[dict[int, str], dict[int, str]]:
    """核实性 explanations typed in the page for this file, kept while the file stays the same: of the value rows and
    of the task rows (each by its own table's Excel row)."""
    if st.session_state.get("explained_file") != file_hash:
        st.session_state["explained_file"] = file_hash
        st.session_state["explanations"] = {}
        st.session_state["task_explanations"] = {}
    kept: dict[int, str] = st.session_state["explanations"]
    kept_tasks: dict[int, str] = st.session_state.setdefault("task_explanations", {})
    for key, value in st.session_state.items():
        name = str(key)
        if name.startswith("explain-task-") and value:
            kept_tasks[int(name.removeprefix("explain-task-"))] = str(value)
        elif name.startswith("explain-") and value:
            kept[int(name.removeprefix("explain-"))] = str(value)
    return dict(kept), dict(kept_tasks)


def render_problems(preview: Preview) -> None:
    st.error(t("submit.has-problems", L, hard=len(preview.hard), soft=len(preview.soft)))
    hard_tab, soft_tab = st.tabs([t("submit.tab-hard", L, n=len(preview.hard)),
                                  t("submit.tab-soft", L, n=len(preview.soft))])
    with hard_tab:
        render_table(issues_frame(preview.hard, L))
    with soft_tab:
        render_table(issues_frame(preview.soft, L))
        if preview.soft and not preview.hard:
            st.caption(t("submit.explain-help", L))
            rows, task_rows = preview.explainable_rows()
            for row in rows:
                st.text_input(t("submit.explain-row", L, row=row), key=f"explain-{row}")
            for row in task_rows:
                st.text_input(t("task-report.explain-row", L, row=row), key=f"explain-task-{row}")
            st.button(t("submit.recheck", L), key="recheck")
    everything = issues_frame(preview.hard + preview.soft, L)
    st.download_button(t("submit.download-problems", L), to_xlsx_bytes(everything, t("submit.problems-sheet", L)),
                       t("submit.problems-file", L, file=preview.file_name) + ".xlsx", key="problems-xlsx")


def render_preview(plan: PlanData, user: User, department: str, preview: Preview, file_name: str, data: bytes,
                   explanations: tuple[dict[int, str], dict[int, str]]) -> None:
    st.success(t("submit.valid", L))
    if preview.skipped:
        st.info(t("submit.skipped", L, n=preview.skipped))
    if preview.explained:
        st.caption(t("submit.explained", L, n=len(preview.explained)))
    if not preview.rows.empty:
        render_table(preview_frame(preview.rows, plan, preview.red, L))
    render_task_preview(preview)
    if preview.red:
        st.warning(t("submit.red-warning", L, codes="、".join(preview.red)))
    if preview.locked:
        locked = "、".join(period_of_code(q).label(L) for q in preview.locked)
        st.warning(t("submit.locked-warning", L, quarters=locked))
    narratives, evidence = render_narratives(plan, preview)
    if st.button(t("submit.send", L), type="primary", key="send"):
        result = submit_file(store_engine(), plan, user, file_name, data, department=department,
                             explanations=explanations[0], task_explanations=explanations[1],
                             narratives=narratives, evidence=evidence)
        _after_send(result)


def render_task_preview(preview: Preview) -> None:
    """The file's 重点任务 reports as they would be sent: task, deadline, state, what is asked, progress as written."""
    if preview.task_skipped:
        st.info(t("task-report.skipped", L, n=preview.task_skipped))
    if preview.tasks:
        st.markdown(f"**{t('task-report.preview', L, n=len(preview.tasks))}**")
        render_table(task_rows_frame(preview.tasks, preview.book, L, with_change=True))


def render_narratives(plan: PlanData, preview: Preview) -> tuple[dict[str, Narrative], list[EvidenceFile]]:
    """进展情况 / 存在问题 / 下一步措施 and 佐证材料 per indicator of the file (required for red ones)."""
    names = {i.code: i.name_zh for i in plan.indicators}
    narratives: dict[str, Narrative] = {}
    evidence: list[EvidenceFile] = []
    for code in dict.fromkeys(preview.rows[preview.rows["change"] != "unchanged"]["indicator_code"]):
        red = code in preview.red
        with st.expander(f"{code} {names.get(code, '')}" + (" · " + t("submit.red-mark", L) if red else ""),
                         expanded=red):
            narratives[code] = Narrative(
                st.text_area(t("submit.progress", L), key=f"progress-{code}"),
                st.text_area(t("submit.problems", L) + (" *" if red else ""), key=f"problems-{code}"),
                st.text_area(t("submit.next-steps", L) + (" *" if red else ""), key=f"next-{code}"))
            files = st.file_uploader(t("submit.evidence", L), type=["png", "jpg", "jpeg", "pdf"],
                                     accept_multiple_files=True, key=f"evidence-{code}") or []
            evidence += [EvidenceFile(code, f.name, f.getvalue()) for f in files]
    return narratives, evidence


def _after_send(result: Refusal | Preview | IngestResult) -> None:
    if isinstance(result, Refusal):
        st.error(result.message(L))
    elif isinstance(result, Preview):
        st.error(t("submit.has-problems", L, hard=len(result.hard), soft=len(result.soft)))
    elif result.outcome != ACCEPTED:
        st.info(result.note.message(L) if result.note else t("submit.nothing-changed", L))
    else:
        c = result.counts
        st.session_state["receipt"] = t("submit.receipt", L, id=result.submission_id,
                                        time=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), new=c.get("new", 0),
                                        revised=c.get("revised", 0), unchanged=c.get("unchanged", 0)) + (
            t("task-report.receipt", L, n=c["tasks"]) if c.get("tasks") else "")
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.rerun()


def render_comments(mine: pd.DataFrame) -> None:
    """Every reviewer's comment of the department's submissions in full, under the table whose narrow 审核意见 column
    cuts long ones off: number, decision, reviewer, time and the comment as typed (escaped)."""
    commented = mine[mine["comment"].fillna("").astype(str).str.strip() != ""]
    if commented.empty:
        return
    def word(status: str) -> str:
        return t(STATUS_KEYS[status], L) if status in STATUS_KEYS else status

    lines = [t("screens.comment-line", L, id=int(row["id"]), status=word(str(row["status"])),
               by=plain(row["reviewed_by"] or ""), time=_time(row["reviewed_at"]), comment=plain(row["comment"]))
             for _, row in commented.iterrows()]
    st.markdown(f"**{t('screens.comments', L)}**\n\n" + "\n".join(f"- {line}" for line in lines))


def _time(value: object) -> str:
    """A stored time as the tables write it (2026-01-20 09:30), or — when there is none."""
    stamp = pd.to_datetime(str(value), errors="coerce") if value is not None else pd.NaT
    return "—" if pd.isna(stamp) else stamp.strftime("%Y-%m-%d %H:%M")


def render_withdraw(mine: pd.DataFrame, user: User) -> None:
    """撤回 a file still waiting for review (e.g. to send a corrected one); the button names the file it withdraws."""
    waiting = mine[mine["status"] == PENDING]["id"].astype(int).tolist()
    if "withdraw_done" in st.session_state:
        st.success(st.session_state.pop("withdraw_done"))
    if not waiting:
        return
    left, right = st.columns([3, 1])
    chosen = int(left.selectbox(t("submit.withdraw-pick", L), waiting, key="withdraw-pick"))
    right.button(t("submit.withdraw", L), key="withdraw", on_click=_withdraw, args=(chosen,))


def _withdraw(submission_id: int) -> None:
    outcome = withdraw(store_engine(), current_user(), submission_id)
    st.session_state["withdraw_done" if outcome is None else "withdraw_refused"] = (
        t("review.withdrawn", L, id=submission_id) if outcome is None else outcome.message(L))


def render_history(plan: PlanData, user: User, department: str) -> None:
    st.subheader(t("submit.history", L))
    with store_engine().connect() as conn:
        mine = read_submission_list(conn, [department])
    if mine.empty:
        st.caption(t("submit.no-history", L))
        return
    returned = mine[mine["status"] == RETURNED]
    if not returned.empty:  # the newest return, with the reviewer's whole comment, where the clerk works
        last = returned.iloc[0]
        st.warning(t("submit.returned-notice", L, id=int(last["id"]), by=plain(last["reviewed_by"] or ""),
                     comment=plain(last["comment"])))
    render_table(history_frame(mine, plan, L))
    render_comments(mine)
    render_withdraw(mine, user)
    chosen = st.selectbox(t("submit.original", L), mine["id"].tolist(), key="history-pick",
                          format_func=lambda i: f"{i} · {mine.set_index('id').loc[i, 'file_name']}")
    with store_engine().connect() as conn:
        original = read_submission_file(conn, int(chosen))
    if original:
        st.download_button(t("submit.download-original", L), original[1], original[0], key="original")


main()

"""The quarterly briefing pack: slides, A4 PDF, the 通报 and chart PNGs for one quarter, from the store.

make_briefing is the thin shell: it checks the set-up (a CJK font, chromium) before writing anything, reads the
store (the quarter's frozen snapshot when there is one), builds the content, then writes the four outputs.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from models.columns import CODE
from models.queries import read_data_version, read_first_reports, read_submissions, read_value_narratives
from pipelines.briefing.content import BriefingContent, build_content
from pipelines.briefing.docx_writer import write_docx
from pipelines.briefing.images import SetupError, check_browser, check_cjk_font, write_pngs
from pipelines.briefing.pdf_writer import write_pdf
from pipelines.briefing.pptx_writer import write_pptx
from pipelines.core.catalog import t
from pipelines.core.config import today as config_today
from pipelines.core.periods import Period, latest_period_ending_by
from pipelines.present.formatting import file_name
from pipelines.present.tables import shows_illustrative
from pipelines.present.timeliness import compute_report_states
from pipelines.store.plans import series_codes
from pipelines.store.snapshot import diff_quarters, read_snapshot
from pipelines.store.standings import read_standing
from pipelines.store.tasks import read_task_reports

__all__ = ["BriefingContent", "BriefingFiles", "SetupError", "check_setup", "file_names", "make_briefing",
           "read_content"]


@dataclass(frozen=True)
class BriefingFiles:
    pptx: Path
    pdf: Path
    docx: Path
    charts: list[Path]
    content: BriefingContent
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage


def check_setup(lang: str = "zh") -> str:
    """The browser's path; SetupError with what to install when a CJK font or chromium is missing."""
    check_cjk_font(lang)
    return check_browser(lang)


def read_content(engine: Engine, as_of: Period, lang: str = "zh",
                 today: dt.date | None = None, plan_code: str | None = None) -> BriefingContent | None:
    """One plan's quarter's content from the store (its frozen snapshot when there is one; the store's default plan
    when none is named); None when there is no such plan. Its 重点任务 are judged from the store's task reports as
    the quarter's ledger on `today` (they are not frozen with the snapshot)."""
    standing = read_standing(engine, as_of, plan_code)
    if standing is None:
        return None
    plan, today = standing.plan, today or config_today()
    with engine.connect() as conn:
        frozen = read_snapshot(conn, as_of, plan.info.code)
        first, submissions, version = read_first_reports(conn), read_submissions(conn), read_data_version(conn)
        narratives = read_value_narratives(conn)
        tasks = read_task_reports(conn, [task.code for task in plan.tasks]) if plan.tasks else None
    previous = latest_period_ending_by(as_of.end_time - 0.25, "quarterly")
    has_previous = previous.end_time > plan.info.start_period.start_time + 1e-9
    diff = diff_quarters(engine, previous, as_of, plan.info.due_days, plan.info.code) if has_previous else None
    if diff is not None:  # revisions of the plan's own series only
        diff = replace(diff, revisions=diff.revisions[diff.revisions[CODE].isin(series_codes(plan))])
    return build_content(standing, frozen, diff.changes if diff else None,
                         diff.revisions if diff else None, compute_report_states(plan, first, as_of, today),
                         lang=lang, illustrative=shows_illustrative(plan, submissions),
                         data_time=version.last_approved_at if version else None, generated_on=today,
                         previous=previous if has_previous else None, narratives=narratives, task_reports=tasks)


def file_names(content: BriefingContent) -> dict[str, str]:
    """The pack's files as the office names them (the names the 季度简报 page's downloads use): 长宁区“上海硅巷”建设
    进展季度简报（2025年第四季度）.pptx and .pdf, 关于2025年第四季度“上海硅巷”建设进展情况的通报.docx."""
    pack = t("briefing.file.pack", content.lang, quarter=content.quarter)
    tongbao = t("briefing.file.tongbao", content.lang, quarter=content.quarter)
    return {"pptx": file_name(pack, "pptx"), "pdf": file_name(pack, "pdf"), "docx": file_name(tongbao, "docx")}


def make_briefing(engine: Engine, as_of: Period, out_dir: Path, lang: str = "zh",
                  today: dt.date | None = None, plan_code: str | None = None) -> BriefingFiles | None:
    """Write the slides, the PDF and the 通报 under the names file_names gives, and charts/*.png, into out_dir;
    None for an empty store."""
    clock = time.perf_counter()
    browser = check_setup(lang)
    content = read_content(engine, as_of, lang, today, plan_code)
    if content is None:
        return None
    seconds = {"content": time.perf_counter() - clock}
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = write_pngs(content.charts, out_dir / "charts")
    seconds["charts"] = time.perf_counter() - clock - sum(seconds.values())
    by_name, names = {p.stem: p for p in pngs}, file_names(content)
    pptx = write_pptx(content, by_name, out_dir / names["pptx"])
    docx = write_docx(content, out_dir / names["docx"])
    seconds["pptx+docx"] = time.perf_counter() - clock - sum(seconds.values())
    pdf = write_pdf(content, by_name, out_dir / names["pdf"], browser)
    seconds["pdf"] = time.perf_counter() - clock - sum(seconds.values())
    seconds["total"] = time.perf_counter() - clock
    return BriefingFiles(pptx, pdf, docx, pngs, content, seconds)

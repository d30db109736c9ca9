"""The quarterly 通报 as the commission writes it (python-docx), with 公文 typography set by font name.

Title 方正小标宋简体 2号; body 仿宋_GB2312 3号 with digits in Times New Roman; 一、 headings 黑体, （一） headings
楷体_GB2312; tables 仿宋_GB2312 小五 in a landscape section, columns fitted to their contents, the header repeated
on every page and no row split; a 注 line with the data source and the status rule. A plan with 重点任务 gets their
推进情况 as a heading of its own after 三、 (the later headings renumbered), with the overdue and slipped tasks' table.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx.document import Document as DocumentType

from pipelines.briefing.content import BriefingContent, counts_text
from pipelines.briefing.gongwen import (
    BODY_FONT,
    CN_NUMBERS,
    HEADING_FONT,
    PORTRAIT_TEXT_WIDTH,
    SIZE_2,
    SIZE_3,
    SIZE_5,
    SUBHEADING_FONT,
    TITLE_FONT,
    add_heading,
    add_landscape,
    add_para,
    add_portrait,
    add_table,
    new_document,
)
from pipelines.engine.status_rule import status_name
from pipelines.present.evaluation import conclusion_name
from pipelines.present.final_view import FINAL_COLUMNS, KIND, conclusions
from pipelines.present.formatting import MISSING, format_rate, pace_word
from pipelines.present.tables import COMPLETION, PACES, REPORT_COLUMNS, localise


def _printed(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 通报 columns with rates in % and the gap in 个百分点 (signed), as the table prints them."""
    shown = table[list(REPORT_COLUMNS)].copy()
    for column in ("completion", "time_share"):
        shown[column] = [format_rate(None if pd.isna(v) else v / 100) for v in shown[column]]
    shown["gap"] = [MISSING if pd.isna(v) else f"{v:+.1f}" for v in shown["gap"]]
    return localise(shown, lang)


def _printed_final(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """An ended plan's 通报 columns (基期值, 完成值, 评估结论 instead of 序时进度, 差值, 状态), rates in %."""
    shown = table[list(FINAL_COLUMNS)].copy()
    shown[COMPLETION] = [format_rate(None if pd.isna(v) else v / 100) for v in shown[COMPLETION]]
    return localise(shown, lang)


def write_docx(content: BriefingContent, path: Path) -> Path:
    c, lang = content, content.lang
    doc = new_document()
    if c.illustrative:
        add_para(doc, c.t("briefing.illustrative-mark"), HEADING_FONT, SIZE_3, indent=False)
    add_para(doc, c.t("briefing.tongbao.title", plan=c.plan_name), TITLE_FONT, SIZE_2, center=True)
    add_para(doc, c.cutoff, SUBHEADING_FONT, SIZE_3, center=True)
    add_heading(doc, c.t("briefing.tongbao.h-overall"), 1)
    add_para(doc, _overall(c))
    for page in c.actions:
        add_para(doc, c.t("briefing.tongbao.action-line", name=page.name, story=page.headline))
    add_landscape(doc)  # the heading on the tables' first page, not alone at the foot of the portrait one
    add_heading(doc, c.t("briefing.tongbao.h-table"), 1)
    for n, page in enumerate(c.actions, start=1):
        add_para(doc, c.t("briefing.tongbao.table-title", n=n, name=page.name), BODY_FONT, 12, bold=True, center=True)
        add_table(doc, _printed_final(page.table, lang) if c.final else _printed(page.table, lang))
    add_para(doc, c.source_note, BODY_FONT, SIZE_5, indent=False)
    add_portrait(doc)
    if c.final:
        _listed(doc, c, c.t("final_view.tongbao.h-conclusions"), [
            (c.t("final_view.tongbao.conclusion-heading", n=_number(n, lang),
                 conclusion=conclusion_name(KIND, key, lang), count=len(c.conclusion_items[key])),
             c.conclusion_items[key]) for n, key in enumerate(conclusions())])
    else:
        _listed(doc, c, c.t("briefing.tongbao.h-pace"), [
            (c.t("briefing.tongbao.pace-heading", n=_number(n, lang), pace=pace_word(pace, lang),
                 count=len(c.pace_items[pace])), c.pace_items[pace]) for n, pace in enumerate(PACES)])
    if c.tasks is not None:
        _tasks(doc, c)
        headings = c.t("task_briefing.tongbao.h-problems"), c.t("task_briefing.tongbao.h-next")
    else:
        headings = c.t("briefing.tongbao.h-problems"), c.t("briefing.tongbao.h-next")
    _numbered(doc, c, headings[0], c.problems)
    _numbered(doc, c, headings[1], c.next_steps)
    add_para(doc, c.source_note, BODY_FONT, 14, indent=False)
    if c.illustrative:
        add_para(doc, c.t("briefing.tongbao.illustrative"), BODY_FONT, 14, indent=False)
    doc.save(str(path))
    return path


def _overall(c: BriefingContent) -> str:
    """一、总体情况's paragraph: the standing and pace, or an ended plan's 总结评估 in counts and tallies."""
    end, lang = c.as_of.end_date, c.lang
    tasks = c.tasks.sentence if c.tasks is not None else ""
    if c.final:
        return c.overall + tasks
    return c.t("briefing.tongbao.overall", year=end.year, month=end.month, month_en=end.strftime("%B"),
               plan=c.plan_name, n=c.head.indicators, completion=format_rate(c.head.completion),
               status=status_name(c.head.status, lang), counts=counts_text(c.head.counts, lang, "、"),
               likely=c.head.likely, overdue=c.head.overdue, **c.paces) + tasks


def _tasks(doc: DocumentType, c: BriefingContent) -> None:
    """四、重点任务推进情况: the counts line and the day the states are judged on, then the tasks overdue, due soon or
    with an extension in a table across the portrait page (无 … when there are none)."""
    assert c.tasks is not None
    add_heading(doc, c.t("task_briefing.tongbao.h-tasks"), 1)
    add_para(doc, c.tasks.lead)
    if c.tasks.table.empty:
        add_para(doc, c.t("task_briefing.none"))
        return
    add_para(doc, c.t("task_briefing.table-title"), BODY_FONT, 12, bold=True, center=True)
    add_table(doc, c.tasks.table, PORTRAIT_TEXT_WIDTH)


def _number(n: int, lang: str) -> str | int:
    return CN_NUMBERS[n] if lang != "en" else n + 1


def _listed(doc: DocumentType, content: BriefingContent, heading: str, parts: list[tuple[str, list[str]]]) -> None:
    """三、: a （一） heading per kind and its items in one sentence, 无。 when there are none."""
    add_heading(doc, heading, 1)
    for title, items in parts:
        add_heading(doc, title, 2)
        add_para(doc, "、".join(items) + "。" if items else content.t("briefing.tongbao.none"))


def _numbered(doc: DocumentType, content: BriefingContent, heading: str, items: list[str]) -> None:
    add_heading(doc, heading, 1)
    if not items:
        add_para(doc, content.t("briefing.tongbao.none"))
    for n, item in enumerate(items, start=1):
        add_para(doc, f"{n}. {item}")


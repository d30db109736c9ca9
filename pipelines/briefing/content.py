"""What the quarterly briefing says: texts, tables and figures built from the engine's standing; no files, no browser.

Every number comes from the progress engine (through pipelines.present.tables) and every word from the catalog or the
plan, so the slides, the PDF and the 通报 can only differ in layout, never in figures. The pack of an ended plan's
last quarter speaks in its 总结评估's conclusions and tallies (pipelines.present.final_view) instead of pace lights.
Either pack of a plan with 重点任务 adds their 推进情况 from the ledger (pipelines.present.tasks; task_brief).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from models.columns import CODE, NOTE
from pipelines.core.catalog import t
from pipelines.core.periods import Period
from pipelines.engine.progress import STATUSES, Change, roll_up, status_rule_from
from pipelines.engine.rollup import RollUp
from pipelines.engine.status_rule import OTHER_STATUSES, PACE_STATUSES, StatusRule, band, rule_title, status_name
from pipelines.plan.evaluation import Evaluation, compute_evaluation
from pipelines.plan.records import PlanData
from pipelines.plan.standing import Standing
from pipelines.present import tasks as ledger
from pipelines.present.charts import (
    build_action_chart,
    build_action_tally_chart,
    build_conclusion_bar,
    build_conclusion_hierarchy_chart,
    build_hierarchy_chart,
    build_status_bar,
    build_timeliness_grid,
    timeliness_legend,
)
from pipelines.present.evaluation import (
    CONCLUSION,
    FINAL_VALUE,
    TARGET_VALUE,
    conclusion_badge,
    is_final_view,
    tally_text,
)
from pipelines.present.final_view import (
    KIND,
    action_tallies,
    conclusion_lists,
    conclusion_words,
    conclusions,
    final_table,
    good_share,
    hierarchy_tallies,
    sub_item_tallies,
    unfinished_keys,
    unfinished_rows,
)
from pipelines.present.formatting import MISSING, format_rate, format_time, name_of, status_badge
from pipelines.present.tables import (
    COMPLETION,
    EXPLANATION,
    INDICATOR,
    LEAD,
    NEXT_STEPS,
    PACES,
    PROBLEMS,
    STATUS,
    SUB_ITEM,
    TARGET,
    UNIT,
    Headline,
    action_rows,
    changes_rows,
    completion_table,
    headline,
    hierarchy_nodes,
    localise,
    narratives_of,
    notes_of,
    overdue_by_department,
    pace_lists,
    red_flags,
    red_flags_heading,
    red_keys,
    revision_rows,
    sub_item_rows,
)
from pipelines.present.timeliness import department_grid, grid_for_display, ranking_rows, timeliness_ranking
from pipelines.store.snapshot import Frozen

CHART_SIZE = (1100, 620)  # px before the 2× scale: a 16:9-ish picture that fills a slide's body
SLIPPED = ("overdue", "due_soon", "extension_requested", "extended")  # the tasks the pack lists by name
URGENT = ("overdue", "due_soon")  # the tasks 下步工作 asks their departments to speed up


@dataclass(frozen=True)
class Chart:
    """One figure of the pack and the file stem its PNG is written under (charts/<name>.png)."""

    name: str
    figure: go.Figure
    width: int = CHART_SIZE[0]
    height: int = CHART_SIZE[1]


@dataclass(frozen=True)
class ActionPage:
    code: str
    name: str
    status: str  # status code of the action's roll-up
    completion: float | None  # its mean completion (share)
    headline: str  # one sentence in words: 10项指标中已达成7项、未达成3项；平均完成率93.1%，…，状态为“需关注”。
    sub_items: pd.DataFrame  # localised: 子项 | 主责部门 | 状态 | 完成率
    indicators: pd.DataFrame  # localised: 序号 | 指标 | 单位 | 目标值 | 截至本期完成 | 完成率 | 序时进度 | 差值 | 状态
    table: pd.DataFrame  # the full 通报 completion table of the action (stable column keys)
    chart: str


@dataclass(frozen=True)
class TaskBrief:
    """重点任务推进情况 as the pack tells it: the counts line, and the tasks overdue, due soon or with an extension
    (asked for or granted), most urgent first, with their departments' latest approved 进展情况."""

    counts: dict[str, int]  # per task state, as ledger_counts gives them
    line: str  # 重点任务14项：已销号5项、推进中6项、临近到期1项、逾期2项
    sentence: str  # the line as the summary's and 一、总体情况's sentence
    lead: str  # the page's first paragraph: the line, the day the states are judged on, what the table lists
    table: pd.DataFrame  # localised: 重点任务 | 主责部门 | 完成时限 | 状态 | 最新进展 (empty when none slipped)
    problems: list[str]  # 存在问题: each lead department's overdue tasks
    next_step: str  # 下步工作 for the departments with overdue or due-soon tasks; '' when there are none


@dataclass(frozen=True)
class BriefingContent:
    lang: str
    plan_name: str
    as_of: Period
    quarter: str  # 2025年第四季度
    cutoff: str  # （截至2025年12月底）
    generated_on: dt.date
    data_time: str
    frozen: Frozen | None
    illustrative: bool
    head: Headline
    paces: dict[str, int]
    summary: list[str]
    actions: list[ActionPage]
    previous: Period | None
    changes: pd.DataFrame  # localised: 类别 | 指标 | 升降 | 变化情况 (status moves, new values, newly overdue)
    revisions: pd.DataFrame  # localised, the same columns: past values revised since the previous quarter
    changes_note: str  # how many changes of each kind, and whether past values were revised
    flags_heading: str  # what the red list holds: 未达成指标, or 红灯指标：进度滞后、倒退
    flags: pd.DataFrame  # localised, with the department's note
    overdue: pd.DataFrame  # localised
    timeliness: pd.DataFrame  # localised ranking
    timeliness_note: str  # the grid's legend and the due-date rule
    completion: pd.DataFrame  # every indicator's 通报 row (stable column keys)
    pace_items: dict[str, list[str]]
    problems: list[str]
    next_steps: list[str]
    methodology: list[str]  # prose paragraphs: source, the rule's definition and formulae, timeliness, snapshot
    rule_table: pd.DataFrame  # 状态 | 判定条件: the status rule as a table (final: 评估结论 | 判定条件)
    source_note: str
    charts: list[Chart]
    # an ended plan's last quarter: the 总结评估's conclusions and tallies instead of pace lights (final_content)
    final: bool = False
    conclusion_items: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # per conclusion, final only
    summary_chart: str = "status_counts"  # the summary page's chart (final: conclusion_counts)
    flags_none: str = "briefing.no-red-flags"  # the catalog key said when the red list is empty
    overall: str = ""  # the final 通报's 一、总体情况 (the pace 通报 words its own from head and paces)
    tasks: TaskBrief | None = None  # 重点任务推进情况; None for a plan without tasks (no page, no heading)

    def t(self, key: str, /, **values: object) -> str:
        return t(key, self.lang, **values)


def standing_as_briefed(standing: Standing, frozen: Frozen | None) -> Standing:
    """The standing with the frozen snapshot's assessments (and roll-ups recomputed from them) when there is one."""
    if frozen is None:
        return standing
    rule = standing.rule if frozen.rule == standing.rule.name else status_rule_from(frozen.rule)
    assessments = {code: frozen.assessments[code] for code in standing.assessments if code in frozen.assessments}
    rollups = roll_up(assessments, standing.plan.tree(), standing.plan.info.code, rule)
    return dataclasses.replace(standing, rule=rule, assessments=assessments, rollups=rollups)


def cutoff_words(as_of: Period, lang: str) -> str:
    """（截至2025年12月底）: the 通报's cut-off, the month in which the quarter ends."""
    end = as_of.end_date
    return t("briefing.tongbao.cutoff", lang, year=end.year, month=end.month, month_en=end.strftime("%B"))


def counts_text(counts: dict[str, int], lang: str, separator: str | None = None) -> str:
    """已达成48项；未达成7项: the non-zero counts with each status in words (prose carries no status symbols)."""
    items = [t("briefing.count-item", lang, status=status_name(s, lang), n=counts.get(s, 0)) for s in STATUSES
             if counts.get(s, 0)]
    joiner = t("briefing.tongbao.separator", lang) if separator is None else separator
    return joiner.join(items) or MISSING


def _summary(head: Headline, paces: dict[str, int], lang: str) -> list[str]:
    return [t("briefing.summary.completion", lang, n=head.indicators, completion=format_rate(head.completion),
              status=status_name(head.status, lang)),
            t("briefing.summary.statuses", lang, counts=counts_text(head.counts, lang)),
            t("briefing.summary.paces", lang, **paces),
            t("briefing.summary.likely", lang, n=head.likely),
            t("briefing.summary.overdue", lang, n=head.overdue)]


def explanation_facts(text: str) -> str:
    """The engine's explanation without its verdict (the part from the last "→" on: the status and its band), for
    tables whose 状态 column says the status already."""
    return text.rsplit(" → ", 1)[0].strip() if " → " in text else text


def explanation_prose(text: str, status: str, lang: str) -> str:
    """The engine's explanation as a 公文 sentence: its facts, then the status in words (no arrow, no symbol)."""
    return t("briefing.prose.verdict", lang, facts=explanation_facts(text), status=status_name(status, lang))


def rollup_story(rollup: RollUp, rule: StatusRule, lang: str) -> str:
    """An action's standing in one sentence of words: how many indicators in which status, mean completion and the
    rule's measure, and the status it comes to; the mean completion said once."""
    n = sum(rollup.counts.values())
    counts = counts_text(dict(rollup.counts), lang, "、" if lang != "en" else ", ")
    status, completion = status_name(rollup.status, lang), format_rate(rollup.mean_completion)
    if rollup.status == "achieved":
        return t("briefing.action.story-achieved", lang, n=n, completion=completion)
    if rollup.score is None:
        return t("briefing.action.story-unscored", lang, n=n, counts=counts, status=status)
    gap = f"{rollup.gap_points:.1f}" if rollup.gap_points is not None else MISSING
    measure = t(f"rule.{rule.measure}.rollup_measure", lang, score=f"{rollup.score:.2f}", gap=gap)
    return t("briefing.action.story", lang, n=n, counts=counts, completion=completion, measure=measure,
             status=status)


def _action_page(standing: Standing, row: pd.Series, lang: str) -> ActionPage:
    code = str(row["code"])
    r = standing.rollups[code]
    subs = sub_item_rows(standing, lang, code)[[SUB_ITEM, LEAD, STATUS, COMPLETION]]
    subs = subs.assign(**{COMPLETION: [format_rate(None if pd.isna(v) else v / 100) for v in subs[COMPLETION]]})
    table = completion_table(standing, lang, code)
    shown = localise(pd.DataFrame({
        "seq": table["seq"], INDICATOR: table[INDICATOR], UNIT: table[UNIT], TARGET: table[TARGET],
        "actual": table["actual"],
        COMPLETION: [format_rate(None if pd.isna(v) else v / 100) for v in table[COMPLETION]],
        "time_share": [format_rate(None if pd.isna(v) else v / 100) for v in table["time_share"]],
        "gap": [MISSING if pd.isna(v) else f"{v:+.1f}" for v in table["gap"]],
        STATUS: table[STATUS]}), lang)
    shown = shown.rename(columns={t(f"ui.col.{UNIT}", lang): t("briefing.col.unit", lang),
                                  t(f"ui.col.{TARGET}", lang): t("briefing.col.target", lang)})
    return ActionPage(code, str(row["name"]), r.status, r.mean_completion, rollup_story(r, standing.rule, lang),
                      localise(subs, lang), shown, table, f"action_{code}")


def _flags(standing: Standing, lang: str, narratives: pd.DataFrame | None) -> pd.DataFrame:
    """Red indicators (off track, regressing, not achieved) with the rule's explanation and what the department
    wrote: its 存在问题 and 下步措施 when it sent them with the value, else its note (备注); keyed by CODE."""
    told = narratives_of(standing.current, narratives, red_keys(standing)) if narratives is not None else {}
    flags = red_flags(standing, lang, told)
    latest = {c: a.latest_period.code for c, a in standing.assessments.items() if a.latest_period}
    notes = notes_of(standing.current, [(c, latest[c]) for c in flags[CODE] if c in latest])
    flags[NOTE] = [_department_words(problems, steps, notes.get((c, latest.get(c, "")), ""), lang)
                   for c, problems, steps in flags[[CODE, PROBLEMS, NEXT_STEPS]].itertuples(index=False)]
    return flags.drop(columns=[PROBLEMS, NEXT_STEPS])


def _department_words(problems: str, steps: str, note: str, lang: str) -> str:
    told = [t(key, lang, text=text) for key, text in (("briefing.flag.problems", problems),
                                                      ("briefing.flag.next-steps", steps)) if text != MISSING]
    return "；".join(told) if told else (note or MISSING)


def _problems(flags: pd.DataFrame, overdue: pd.DataFrame, standing: Standing, lang: str) -> list[str]:
    """四、存在问题: each red indicator as a sentence (its facts and status in words, the department's note), then
    each department with overdue reports."""
    out = []
    for row in flags.itertuples(index=False):
        note = getattr(row, NOTE)
        code = str(getattr(row, CODE))
        out.append(t("briefing.tongbao.problem-indicator", lang, indicator=getattr(row, INDICATOR),
                     lead=getattr(row, LEAD),
                     explanation=explanation_prose(getattr(row, EXPLANATION), standing.assessments[code].status,
                                                   lang),
                     note="" if note == MISSING else t("briefing.tongbao.problem-note", lang, note=note)))
    return out + _overdue_problems(overdue, lang)


def _overdue_problems(overdue: pd.DataFrame, lang: str) -> list[str]:
    return [t("briefing.tongbao.problem-overdue", lang, department=row.department, count=row.count,
              items=getattr(row, INDICATOR)) for row in overdue.itertuples(index=False)]


def _flags_shown(flags: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The red-flag table as printed: the explanation's facts (the 状态 column gives the verdict), 部门说明."""
    shown = flags.drop(columns=[CODE]).assign(**{EXPLANATION: [explanation_facts(x) for x in flags[EXPLANATION]]})
    return localise(shown, lang).rename(columns={t(f"ui.col.{NOTE}", lang): t("briefing.col.note", lang)})


def _next_steps(completion: pd.DataFrame, overdue: pd.DataFrame, lang: str) -> list[str]:
    sep = "、" if lang != "en" else ", "
    behind = completion[(completion["pace"] == "behind") | (completion["group"] == "red")]
    steps = []
    if not behind.empty:
        steps.append(t("briefing.tongbao.next-behind", lang, departments=sep.join(dict.fromkeys(behind[LEAD]))))
    if not overdue.empty:
        steps.append(t("briefing.tongbao.next-overdue", lang, departments=sep.join(overdue["department"])))
    steps.append(t("briefing.tongbao.next-keep", lang))
    return steps


def _methodology(standing: Standing, frozen: Frozen | None, illustrative: bool, data_time: str,
                 generated_on: dt.date, lang: str) -> list[str]:
    """方法说明 in sentences: the source, the rule and its formulae, timeliness, the snapshot (or how to freeze one on
    the 季度简报 page), the 示例 note; the statuses themselves are the rule table (rule_rows)."""
    rule = standing.rule
    lines = [t("briefing.method.source", lang, time=data_time),
             t("briefing.method.rule", lang, rule=rule_title(rule).text(lang),
               definition=t(f"rule.{rule.measure}.definition", lang)),
             t("briefing.method.formula", lang),
             t("briefing.method.timeliness", lang, days=standing.plan.info.due_days)]
    if frozen is not None:
        lines.append(t("briefing.method.snapshot", lang, when=format_time(frozen.created_at),
                       last=frozen.last_submission_id))
    else:
        lines.append(t("briefing.method.live", lang, when=generated_on.isoformat()))
    if illustrative:
        lines.append(t("briefing.method.illustrative", lang))
    return lines


def rule_rows(rule: StatusRule, lang: str) -> pd.DataFrame:
    """The status rule as a table, 状态 | 判定条件: each pace status with its band, then the other statuses."""
    rows = [(status_badge(s, lang), band(rule, s).text(lang) if s in PACE_STATUSES else t(f"legend.meaning.{s}", lang))
            for s in (*PACE_STATUSES, *OTHER_STATUSES)]
    return pd.DataFrame(rows, columns=[t("ui.col.status", lang), t("briefing.col.condition", lang)])


def _changes_note(changes: pd.DataFrame, revisions: pd.DataFrame, previous: Period | None, lang: str) -> str:
    """共86项：状态变化40项、新报送46项；另有往期数据修订2项，单列于“往期数据修订”. Empty without a previous quarter."""
    if previous is None:
        return ""
    kinds = changes["kind"].value_counts(sort=False) if not changes.empty else pd.Series(dtype=int)
    listed = ("、" if lang != "en" else ", ").join(t("briefing.count-item", lang, status=k, n=n)
                                                   for k, n in kinds.items())
    told = t("briefing.changes.count", lang, n=len(changes), kinds=listed) if len(changes) else ""
    rest = (t("briefing.changes.revisions", lang, n=len(revisions)) if len(revisions)
            else t("briefing.changes.no-revisions", lang))
    return told + rest


def _charts(standing: Standing, head: Headline, actions: list[ActionPage], grid: pd.DataFrame, lang: str,
            illustrative: bool) -> list[Chart]:
    """The dashboard's charts, from its own builders: status counts, actions, hierarchy, each action, timeliness."""
    charts = [Chart("status_counts", build_status_bar(head.counts, lang, title=t("ui.chart.status-counts", lang),
                                                      illustrative=illustrative)),
              Chart("actions", build_action_chart(action_rows(standing, lang), lang,
                                                  title=t("ui.chart.actions", lang), illustrative=illustrative)),
              Chart("hierarchy", build_hierarchy_chart(hierarchy_nodes(standing, lang), lang,
                                                       title=t("ui.chart.hierarchy", lang), illustrative=illustrative))]
    for page in actions:
        counts = standing.rollups[page.code].counts
        charts.append(Chart(page.chart, build_status_bar(counts, lang, title=t("ui.chart.action-status", lang),
                                                         illustrative=illustrative), 760, 520))
    return [*charts, _timeliness_chart(standing.plan, grid, lang, illustrative)]


def _timeliness_chart(plan: PlanData, grid: pd.DataFrame, lang: str, illustrative: bool) -> Chart:
    return Chart("timeliness", _timeliness_for_print(build_timeliness_grid(
        grid_for_display(grid, plan, lang), lang, illustrative=illustrative)), 1100, 660)


def _timeliness_for_print(fig: go.Figure) -> go.Figure:
    """The grid's quarter labels sit on top, slanted: room above them, and the 示例 badge moved below the grid
    (the page or slide title names the chart, so the figure carries none)."""
    fig.update_xaxes(tickangle=-35)
    fig.update_annotations(y=0, yanchor="top", yshift=-6)
    return fig.update_layout(margin={"t": 110, "b": 40})


def _shared(standing: Standing, frozen: Frozen | None, changes: list[Change] | None,
            revisions: pd.DataFrame | None, report_states: pd.DataFrame, *, lang: str, illustrative: bool, time: str,
            generated_on: dt.date, previous: Period | None) -> tuple[dict[str, Any], pd.DataFrame]:
    """What every pack says alike, lights or conclusions: cover, changes, overdue, timeliness; and the grid drawn."""
    plan = standing.plan
    changed = changes_rows(changes, standing, lang) if changes is not None else pd.DataFrame(columns=["kind"])
    revised = (revision_rows(revisions, standing, lang) if revisions is not None and changes is not None
               else pd.DataFrame(columns=["kind"]))
    grid = department_grid(report_states)
    ranking = timeliness_ranking(grid, [d.code for d in plan.departments], standing.as_of)
    return {
        "lang": lang, "plan_name": name_of(plan.info, lang), "as_of": standing.as_of,
        "quarter": standing.as_of.label(lang), "cutoff": cutoff_words(standing.as_of, lang),
        "generated_on": generated_on, "data_time": time, "frozen": frozen, "illustrative": illustrative,
        "previous": previous, "changes": localise(changed, lang), "revisions": localise(revised, lang),
        "changes_note": _changes_note(changed, revised, previous, lang),
        "overdue": overdue_by_department(standing, lang), "timeliness": localise(ranking_rows(ranking, plan, lang),
                                                                                 lang),
        "timeliness_note": f"{timeliness_legend(lang)} · {t('ui.timeliness.rule', lang, days=plan.info.due_days)}",
    }, grid


def build_content(standing: Standing, frozen: Frozen | None, changes: list[Change] | None,
                  revisions: pd.DataFrame | None,
                  report_states: pd.DataFrame, *, lang: str, illustrative: bool, data_time: object,
                  generated_on: dt.date, previous: Period | None,
                  narratives: pd.DataFrame | None = None,
                  task_reports: pd.DataFrame | None = None) -> BriefingContent:
    """Everything the pack says for one quarter; `changes` is None when there is no previous quarter; `narratives`
    (models.queries.read_value_narratives) carry what departments wrote with their values; `task_reports`
    (pipelines.store.tasks.read_task_reports; None: none read) the departments' 重点任务 reports, judged as of the
    quarter on `generated_on`. An ended plan's last quarter (as the day `generated_on` sees it) speaks in its 总结评估's
    conclusions (final_content)."""
    standing = standing_as_briefed(standing, frozen)
    plan, time = standing.plan, format_time(data_time)
    shared, grid = _shared(standing, frozen, changes, revisions, report_states, lang=lang, illustrative=illustrative,
                           time=time, generated_on=generated_on, previous=previous)
    brief = task_brief(plan, task_reports, standing.as_of, generated_on, lang)
    if is_final_view(plan, standing.as_of, plan.info.state(generated_on)):
        return with_tasks(final_content(standing, shared, grid, narratives), brief)
    return with_tasks(pace_content(standing, shared, grid, narratives), brief)


def pace_content(standing: Standing, shared: dict[str, Any], grid: pd.DataFrame,
                 narratives: pd.DataFrame | None) -> BriefingContent:
    """The pack of a quarter while the plan runs: its standing against time elapsed, with the pace lights."""
    lang, illustrative, time = str(shared["lang"]), bool(shared["illustrative"]), str(shared["data_time"])
    head = headline(standing)
    completion = completion_table(standing, lang, narratives=narratives)
    items = pace_lists(completion, lang)
    paces = {pace: len(items[pace]) for pace in PACES}
    actions = [_action_page(standing, row, lang) for _, row in action_rows(standing, lang).iterrows()]
    flags = _flags(standing, lang, narratives)
    overdue = shared["overdue"]
    return BriefingContent(
        **shared, head=head, paces=paces, summary=_summary(head, paces, lang), actions=actions,
        flags_heading=red_flags_heading(standing, lang), flags=_flags_shown(flags, lang), completion=completion,
        pace_items=items, problems=_problems(flags, overdue, standing, lang),
        next_steps=_next_steps(completion, overdue, lang),
        methodology=_methodology(standing, shared["frozen"], illustrative, time, shared["generated_on"], lang),
        rule_table=rule_rows(standing.rule, lang),
        source_note=t("briefing.tongbao.note", lang, time=time, rule=rule_title(standing.rule).text(lang)),
        charts=_charts(standing, head, actions, grid, lang, illustrative))


# ---- 重点任务推进情况 -----------------------------------------------------------------------------------------------

def task_brief(plan: PlanData, reports: pd.DataFrame | None, as_of: Period, today: dt.date,
               lang: str) -> TaskBrief | None:
    """The plan's 重点任务 as of the quarter, judged on the day ledger_day gives for `today`; None without tasks."""
    if not plan.tasks:
        return None
    rows = ledger.ledger_rows(plan, pd.DataFrame() if reports is None else reports, as_of, today, lang)
    counts = ledger.ledger_counts(rows)
    line = ledger.counts_line(counts, lang)
    slipped = ledger.not_done_rows(rows)
    slipped = slipped[slipped[ledger.STATE_CODE].isin(SLIPPED)]
    day = ledger.ledger_day(as_of, today, plan.info.due_days)
    return TaskBrief(counts, line, t("task_briefing.sentence", lang, line=line),
                     t("task_briefing.lead", lang, line=line, day=day.isoformat()), _task_table(slipped, lang),
                     _task_problems(slipped, lang), _task_next_step(slipped, lang))


def _task_table(slipped: pd.DataFrame, lang: str) -> pd.DataFrame:
    """重点任务 | 主责部门 | 完成时限 | 状态 | 最新进展: the latest approved words, with the quarter they are of."""
    latest = [MISSING if text == MISSING else t("task_briefing.progress", lang, period=period, text=text)
              for text, period in zip(slipped[ledger.PROGRESS], slipped[ledger.PERIOD])]
    return pd.DataFrame({t("ui.col.task", lang): slipped[ledger.TASK], t("ui.col.lead", lang): slipped[ledger.LEAD],
                         t("ui.col.due", lang): slipped[ledger.DUE], t("ui.col.state", lang): slipped[ledger.STATE],
                         t("task_briefing.col.latest", lang): latest}).reset_index(drop=True)


def _task_problems(slipped: pd.DataFrame, lang: str) -> list[str]:
    """存在问题: per lead department (in the table's order) its overdue tasks and how many days they are over."""
    overdue = slipped[slipped[ledger.STATE_CODE] == "overdue"]
    sep = "、" if lang != "en" else ", "
    return [t("task_briefing.problem-overdue", lang, department=lead, count=len(rows), tasks=sep.join(
                t("task_briefing.problem-item", lang, task=_quoted(task), days=-int(days))
                for task, days in zip(rows[ledger.TASK], rows[ledger.DAYS_LEFT])))
            for lead, rows in overdue.groupby(ledger.LEAD, sort=False)]


def _quoted(name: str) -> str:
    """A name as it stands inside “…”: its own double quotes become single ones (“举办首届‘无界’大赛”)."""
    return name.replace("“", "‘").replace("”", "’")


def _task_next_step(slipped: pd.DataFrame, lang: str) -> str:
    leads = list(dict.fromkeys(slipped[slipped[ledger.STATE_CODE].isin(URGENT)][ledger.LEAD]))
    if not leads:
        return ""
    return t("task_briefing.next-tasks", lang, departments=("、" if lang != "en" else ", ").join(leads))


def with_tasks(content: BriefingContent, brief: TaskBrief | None) -> BriefingContent:
    """The pack with its 重点任务: the counts sentence closing the summary, the overdue tasks closing 存在问题, their
    next step before the last (the standing 'keep going' one)."""
    if brief is None:
        return content
    steps = content.next_steps
    if brief.next_step:
        steps = [*steps[:-1], brief.next_step, *steps[-1:]]
    return dataclasses.replace(content, tasks=brief, summary=[*content.summary, brief.sentence],
                               problems=[*content.problems, *brief.problems], next_steps=steps)


# ---- an ended plan at its last quarter: the 总结评估 -------------------------------------------------------------

def final_content(standing: Standing, shared: dict[str, Any], grid: pd.DataFrame,
                  narratives: pd.DataFrame | None) -> BriefingContent:
    """The pack of an ended plan's last quarter: its summary, action pages, red list, problems and next steps in the
    final evaluation's conclusions and tallies (from the current values), never the pace lights of 序时进度."""
    plan, lang = standing.plan, str(shared["lang"])
    evaluation = compute_evaluation(plan, standing.current, KIND)
    head = headline(standing)
    completion = final_table(standing, evaluation, lang, narratives=narratives)
    actions = [_final_action_page(standing, evaluation, a.code, name_of(a, lang), lang) for a in plan.actions]
    flags = _final_flags(standing, evaluation, lang, narratives)
    rule = t("evaluation.report.note.final", lang, basic=format_rate(plan.info.basic_threshold))
    return BriefingContent(
        **shared, head=head, paces={}, summary=_final_summary(evaluation, head, lang), actions=actions,
        flags_heading=t("final_view.unfinished.heading", lang), flags=_flags_shown(flags, lang), completion=completion,
        pace_items={}, problems=_final_problems(flags, shared["overdue"], evaluation, lang),
        next_steps=_final_next_steps(flags, shared["overdue"], lang),
        methodology=_final_methodology(standing, shared, rule),
        rule_table=_final_rule_rows(plan.info.basic_threshold, lang),
        source_note=t("final_view.tongbao.note", lang, time=shared["data_time"], rule=rule),
        charts=_final_charts(evaluation, actions, grid, lang, bool(shared["illustrative"])),
        final=True, conclusion_items=conclusion_lists(completion, lang), summary_chart="conclusion_counts",
        flags_none="final_view.unfinished.none", overall=_final_overall(evaluation, head, shared))


def _rates(percents: Iterable[float]) -> list[str]:
    return [format_rate(None if pd.isna(v) else v / 100) for v in percents]


def _final_summary(evaluation: Evaluation, head: Headline, lang: str) -> list[str]:
    found = evaluation.plan_tally
    good, share = good_share(found)
    return [t("final_view.pack.summary.tally", lang, end=evaluation.plan.info.end_period.label(lang),
              tally=tally_text(found, lang)),
            t("final_view.pack.summary.completion", lang, completion=format_rate(found.mean_completion), good=good,
              share=format_rate(share)),
            t("briefing.summary.overdue", lang, n=head.overdue)]


def _final_overall(evaluation: Evaluation, head: Headline, shared: dict[str, Any]) -> str:
    """一、总体情况 of the final 通报: the plan ended, its tally, mean completion, what was completed, overdue."""
    found, lang, end = evaluation.plan_tally, str(shared["lang"]), shared["as_of"].end_date
    good, share = good_share(found)
    return t("final_view.tongbao.overall", lang, year=end.year, month=end.month, month_en=end.strftime("%B"),
             plan=shared["plan_name"], n=found.n, tally=tally_text(found, lang),
             completion=format_rate(found.mean_completion), good=good, share=format_rate(share), overdue=head.overdue)


def _final_action_page(standing: Standing, evaluation: Evaluation, code: str, name: str, lang: str) -> ActionPage:
    """An action's page: its tally and mean completion in words, its sub-items' tallies, its indicators with 完成值
    and 评估结论."""
    found = evaluation.tallies[code]
    subs = sub_item_tallies(evaluation, lang, code)
    subs[COMPLETION] = _rates(subs[COMPLETION])
    table = final_table(standing, evaluation, lang, code)
    shown = localise(pd.DataFrame({
        "seq": table["seq"], INDICATOR: table[INDICATOR], UNIT: table[UNIT], TARGET_VALUE: table[TARGET_VALUE],
        FINAL_VALUE: table[FINAL_VALUE], COMPLETION: _rates(table[COMPLETION]), CONCLUSION: table[CONCLUSION]}),
        lang).rename(columns={t(f"ui.col.{UNIT}", lang): t("briefing.col.unit", lang)})
    story = t("final_view.pack.action-story", lang, tally=tally_text(found, lang),
              completion=format_rate(found.mean_completion))
    return ActionPage(code, name, "", found.mean_completion, story, localise(subs, lang), shown, table,
                      f"action_{code}")


def _final_flags(standing: Standing, evaluation: Evaluation, lang: str,
                 narratives: pd.DataFrame | None) -> pd.DataFrame:
    """The indicators not or only basically completed with 评估结论, its explanation and what the department wrote
    (its 存在问题 and 下步措施, else its note); keyed by CODE."""
    keys = unfinished_keys(evaluation, standing)
    told = narratives_of(standing.current, narratives, keys) if narratives is not None else {}
    flags = unfinished_rows(evaluation, standing, lang, told)
    latest, notes = dict(keys), notes_of(standing.current, keys)
    words = []
    for code in flags[CODE]:
        key = (code, latest.get(code, ""))
        _, problems, steps = told.get(key, ("", "", ""))
        words.append(_department_words(problems or MISSING, steps or MISSING, notes.get(key, ""), lang))
    return flags.assign(**{NOTE: words}).drop(columns=[PROBLEMS])


def _final_problems(flags: pd.DataFrame, overdue: pd.DataFrame, evaluation: Evaluation, lang: str) -> list[str]:
    """四、存在问题: each indicator not or only basically completed as a sentence (its facts and conclusion in words,
    the department's note), then each department with overdue reports."""
    out = []
    for row in flags.itertuples(index=False):
        note, verdict = getattr(row, NOTE), evaluation.verdicts[str(getattr(row, CODE))]
        said = t("final_view.pack.prose.verdict", lang, facts=explanation_facts(verdict.explanation(lang)),
                 conclusion=conclusion_words(verdict.conclusion, lang))
        out.append(t("briefing.tongbao.problem-indicator", lang, indicator=getattr(row, INDICATOR),
                     lead=getattr(row, LEAD), explanation=said,
                     note="" if note == MISSING else t("briefing.tongbao.problem-note", lang, note=note)))
    return out + _overdue_problems(overdue, lang)


def _final_next_steps(flags: pd.DataFrame, overdue: pd.DataFrame, lang: str) -> list[str]:
    sep = "、" if lang != "en" else ", "
    steps = []
    if not flags.empty:
        steps.append(t("final_view.tongbao.next-unfinished", lang, departments=sep.join(dict.fromkeys(flags[LEAD]))))
    if not overdue.empty:
        steps.append(t("briefing.tongbao.next-overdue", lang, departments=sep.join(overdue["department"])))
    steps.append(t("final_view.tongbao.next-keep", lang))
    return steps


def _final_methodology(standing: Standing, shared: dict[str, Any], rule: str) -> list[str]:
    """方法说明 of the final pack: the source, how conclusions are decided, timeliness, that the conclusions read the
    current values (and, when there is one, what the quarter's snapshot still gives), the 示例 note."""
    lang, frozen, generated_on = str(shared["lang"]), shared["frozen"], shared["generated_on"]
    lines = [t("briefing.method.source", lang, time=shared["data_time"]),
             t("final_view.pack.method.rule", lang, rule=rule),
             t("briefing.method.timeliness", lang, days=standing.plan.info.due_days),
             t("final_view.pack.method.live", lang, when=generated_on.isoformat())]
    if frozen is not None:
        lines.append(t("briefing.method.snapshot", lang, when=format_time(frozen.created_at),
                       last=frozen.last_submission_id))
    if shared["illustrative"]:
        lines.append(t("briefing.method.illustrative", lang))
    return lines


def _final_rule_rows(basic: float, lang: str) -> pd.DataFrame:
    """How each 评估结论 is decided, 评估结论 | 判定条件."""
    rows = [(conclusion_badge(KIND, c, lang), t(f"final_view.pack.condition.{c}", lang, basic=format_rate(basic)))
            for c in conclusions()]
    return pd.DataFrame(rows, columns=[t("ui.col.conclusion", lang), t("briefing.col.condition", lang)])


def _final_charts(evaluation: Evaluation, actions: list[ActionPage], grid: pd.DataFrame, lang: str,
                  illustrative: bool) -> list[Chart]:
    """The final view's charts: conclusion counts, the actions' conclusions, the hierarchy, each action's
    conclusions, and timeliness."""
    charts = [Chart("conclusion_counts", build_conclusion_bar(
                  evaluation.plan_tally.counts, KIND, lang, title=t("final_view.chart.conclusion-counts", lang),
                  illustrative=illustrative)),
              Chart("actions", build_action_tally_chart(action_tallies(evaluation, lang), KIND, lang,
                                                        title=t("final_view.chart.actions", lang),
                                                        illustrative=illustrative)),
              Chart("hierarchy", build_conclusion_hierarchy_chart(hierarchy_tallies(evaluation, lang), KIND, lang,
                                                                  title=t("ui.chart.hierarchy", lang),
                                                                  illustrative=illustrative))]
    for page in actions:
        charts.append(Chart(page.chart, build_conclusion_bar(
            evaluation.tallies[page.code].counts, KIND, lang, title=t("final_view.chart.action-conclusions", lang),
            illustrative=illustrative), 760, 520))
    return [*charts, _timeliness_chart(evaluation.plan, grid, lang, illustrative)]

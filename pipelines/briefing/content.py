"""What the quarterly briefing says: texts, tables and figures built from the engine's standing; no files, no browser.

Every number comes from the progress engine (through pipelines.present.tables) and every word from the catalog or the
plan, so the slides, the PDF and the 通报 can only differ in layout, never in figures.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from models.columns import CODE, NOTE
from pipelines.core.catalog import t
from pipelines.core.periods import Period
from pipelines.engine.progress import STATUSES, Change, roll_up, status_rule_from
from pipelines.engine.status_rule import legend, rule_title
from pipelines.plan.standing import Standing
from pipelines.present.charts import (
    build_action_chart,
    build_hierarchy_chart,
    build_status_bar,
    build_timeliness_grid,
    timeliness_legend,
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
    red_keys,
    sub_item_rows,
)
from pipelines.present.timeliness import department_grid, grid_for_display, ranking_rows, timeliness_ranking
from pipelines.store.snapshot import Frozen

CHART_SIZE = (1100, 620)  # px before the 2× scale: a 16:9-ish picture that fills a slide's body


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
    headline: str  # 平均完成率 93.1% · ● 进度正常
    explanation: str
    sub_items: pd.DataFrame  # localised: 子项 | 主责部门 | 状态 | 完成率
    indicators: pd.DataFrame  # localised: 序号 | 指标 | 完成率 | 序时进度 | 差值 | 状态
    table: pd.DataFrame  # the full 通报 completion table of the action (stable column keys)
    chart: str


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
    changes: pd.DataFrame  # localised
    flags: pd.DataFrame  # localised, with the department's note
    overdue: pd.DataFrame  # localised
    timeliness: pd.DataFrame  # localised ranking
    timeliness_note: str  # the grid's legend and the due-date rule
    completion: pd.DataFrame  # every indicator's 通报 row (stable column keys)
    pace_items: dict[str, list[str]]
    problems: list[str]
    next_steps: list[str]
    methodology: list[str]
    source_note: str
    charts: list[Chart]

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


def counts_text(counts: dict[str, int], lang: str) -> str:
    items = [t("briefing.count-item", lang, status=status_badge(s, lang), n=counts.get(s, 0)) for s in STATUSES
             if counts.get(s, 0)]
    return t("briefing.tongbao.separator", lang).join(items) or MISSING


def _summary(head: Headline, paces: dict[str, int], lang: str) -> list[str]:
    return [t("briefing.summary.completion", lang, n=head.indicators, completion=format_rate(head.completion),
              status=status_badge(head.status, lang)),
            t("briefing.summary.statuses", lang, counts=counts_text(head.counts, lang)),
            t("briefing.summary.paces", lang, **paces),
            t("briefing.summary.likely", lang, n=head.likely),
            t("briefing.summary.overdue", lang, n=head.overdue)]


def _action_page(standing: Standing, row: pd.Series, lang: str) -> ActionPage:
    code = str(row["code"])
    r = standing.rollups[code]
    subs = sub_item_rows(standing, lang, code)[[SUB_ITEM, LEAD, STATUS, COMPLETION]]
    subs = subs.assign(**{COMPLETION: [format_rate(None if pd.isna(v) else v / 100) for v in subs[COMPLETION]]})
    table = completion_table(standing, lang, code)
    shown = pd.DataFrame({"seq": table["seq"], INDICATOR: table[INDICATOR],
                          COMPLETION: [format_rate(None if pd.isna(v) else v / 100) for v in table[COMPLETION]],
                          "time_share": [format_rate(None if pd.isna(v) else v / 100) for v in table["time_share"]],
                          "gap": [MISSING if pd.isna(v) else f"{v:+.1f}" for v in table["gap"]],
                          STATUS: table[STATUS]})
    return ActionPage(code, str(row["name"]), r.status, r.mean_completion, t("briefing.action.completion", lang,
                      completion=format_rate(r.mean_completion), status=status_badge(r.status, lang)),
                      r.explanation(lang), localise(subs, lang), localise(shown, lang), table, f"action_{code}")


def _flags(standing: Standing, lang: str, narratives: pd.DataFrame | None) -> pd.DataFrame:
    """Red indicators (off track, regressing, not achieved) with the rule's explanation and what the department
    wrote: its 存在问题 and 下步措施 when it sent them with the value, else its note (备注)."""
    told = narratives_of(standing.current, narratives, red_keys(standing)) if narratives is not None else {}
    flags = red_flags(standing, lang, told)
    latest = {c: a.latest_period.code for c, a in standing.assessments.items() if a.latest_period}
    notes = notes_of(standing.current, [(c, latest[c]) for c in flags[CODE] if c in latest])
    flags[NOTE] = [_department_words(problems, steps, notes.get((c, latest.get(c, "")), ""), lang)
                   for c, problems, steps in flags[[CODE, PROBLEMS, NEXT_STEPS]].itertuples(index=False)]
    return flags.drop(columns=[CODE, PROBLEMS, NEXT_STEPS])


def _department_words(problems: str, steps: str, note: str, lang: str) -> str:
    told = [t(key, lang, text=text) for key, text in (("briefing.flag.problems", problems),
                                                      ("briefing.flag.next-steps", steps)) if text != MISSING]
    return "；".join(told) if told else (note or MISSING)


def _problems(flags: pd.DataFrame, overdue: pd.DataFrame, lang: str) -> list[str]:
    out = []
    for row in flags.itertuples(index=False):
        note = getattr(row, NOTE)
        out.append(t("briefing.tongbao.problem-indicator", lang, indicator=getattr(row, INDICATOR),
                     lead=getattr(row, LEAD), explanation=getattr(row, EXPLANATION),
                     note="" if note == MISSING else t("briefing.tongbao.problem-note", lang, note=note)))
    for row in overdue.itertuples(index=False):
        out.append(t("briefing.tongbao.problem-overdue", lang, department=row.department, count=row.count,
                     items=getattr(row, INDICATOR)))
    return out


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
    lines = [t("briefing.method.source", lang, time=data_time, rule=rule_title(standing.rule).text(lang)),
             *legend(standing.rule, lang).splitlines(),
             t("briefing.method.timeliness", lang, days=standing.plan.info.due_days)]
    if frozen is not None:
        lines.append(t("briefing.method.snapshot", lang, when=format_time(frozen.created_at),
                       last=frozen.last_submission_id))
    else:
        lines.append(t("briefing.method.live", lang, when=generated_on.isoformat(), as_of=standing.as_of.code))
    if illustrative:
        lines.append(t("briefing.method.illustrative", lang))
    return lines


def _charts(standing: Standing, head: Headline, actions: list[ActionPage], grid: pd.DataFrame, lang: str,
            illustrative: bool) -> list[Chart]:
    """The dashboard's charts, from its own builders: status counts, actions, hierarchy, each action, timeliness."""
    plan = standing.plan
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
    charts.append(Chart("timeliness", _timeliness_for_print(build_timeliness_grid(
        grid_for_display(grid, plan, lang), lang, illustrative=illustrative)), 1100, 660))
    return charts


def _timeliness_for_print(fig: go.Figure) -> go.Figure:
    """The grid's quarter labels sit on top, slanted: room above them, and the 示例 badge moved below the grid
    (the page or slide title names the chart, so the figure carries none)."""
    fig.update_xaxes(tickangle=-35)
    fig.update_annotations(y=0, yanchor="top", yshift=-6)
    return fig.update_layout(margin={"t": 110, "b": 40})


def build_content(standing: Standing, frozen: Frozen | None, changes: list[Change] | None,
                  revisions: pd.DataFrame | None,
                  report_states: pd.DataFrame, *, lang: str, illustrative: bool, data_time: object,
                  generated_on: dt.date, previous: Period | None,
                  narratives: pd.DataFrame | None = None) -> BriefingContent:
    """Everything the pack says for one quarter; `changes` is None when there is no previous quarter; `narratives`
    (models.queries.read_value_narratives) carry what departments wrote with their values."""
    standing = standing_as_briefed(standing, frozen)
    plan, time = standing.plan, format_time(data_time)
    head = headline(standing)
    completion = completion_table(standing, lang, narratives=narratives)
    items = pace_lists(completion, lang)
    paces = {pace: len(items[pace]) for pace in PACES}
    actions = [_action_page(standing, row, lang) for _, row in action_rows(standing, lang).iterrows()]
    changed = (changes_rows(changes, revisions, standing, lang) if changes is not None and revisions is not None
               else pd.DataFrame())
    flags = _flags(standing, lang, narratives)
    overdue = overdue_by_department(standing, lang)
    grid = department_grid(report_states)
    ranking = timeliness_ranking(grid, [d.code for d in plan.departments], standing.as_of)
    return BriefingContent(
        lang=lang, plan_name=name_of(plan.info, lang), as_of=standing.as_of, quarter=standing.as_of.label(lang),
        cutoff=cutoff_words(standing.as_of, lang), generated_on=generated_on, data_time=time, frozen=frozen,
        illustrative=illustrative, head=head, paces=paces, summary=_summary(head, paces, lang), actions=actions,
        previous=previous, changes=localise(changed, lang), flags=localise(flags, lang),
        overdue=overdue, timeliness=localise(ranking_rows(ranking, plan, lang), lang),
        timeliness_note=f"{timeliness_legend(lang)} · {t('ui.timeliness.rule', lang, days=plan.info.due_days)}",
        completion=completion,
        pace_items=items, problems=_problems(flags, overdue, lang), next_steps=_next_steps(completion, overdue, lang),
        methodology=_methodology(standing, frozen, illustrative, time, generated_on, lang),
        source_note=t("briefing.tongbao.note", lang, time=time, rule=rule_title(standing.rule).text(lang)),
        charts=_charts(standing, head, actions, grid, lang, illustrative))


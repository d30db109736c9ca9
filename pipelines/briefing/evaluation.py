"""What the 总结评估 / 中期评估 report says: its five sections, tables and notes built from the store; no files.

一、总体情况; 二、主要指标完成情况 (the table); 三、各专项行动实施成效 (each action's counts and its departments'
进展情况); 四、存在问题及原因分析 (every indicator not completed, with what its department wrote); 五、下一步建议 (for a
final evaluation the hand-over to the next plan: its lineage table); 注. The DOCX, XLSX and PDF only lay this out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine

from models.columns import CODE, NOTE, PERIOD
from models.queries import read_current_values, read_data_version, read_submissions, read_value_narratives
from pipelines.core.catalog import t
from pipelines.core.periods import Period, period_of_code
from pipelines.engine.evaluation import EvaluationKind, Verdict
from pipelines.plan.evaluation import Evaluation, compute_evaluation, default_kind
from pipelines.plan.records import IndicatorDef, PlanData, PlanInfo
from pipelines.present.evaluation import (
    conclusion_name,
    final_value_text,
    indicator_rows,
    report_table,
    tally_rows,
    tally_text,
    value_text,
)
from pipelines.present.formatting import MISSING, file_name, format_rate, format_time, name_of, unit_word
from pipelines.present.tables import COMPLETION, department_names, localise, narratives_of, shows_illustrative
from pipelines.present.tasks import counts_line, ledger_counts, ledger_rows, not_done_rows, state_name
from pipelines.store.plans import (
    DROPPED,
    LineageRow,
    lineage_rows,
    plan_from_store,
    plans_in_store,
    previous_plan,
)
from pipelines.store.standings import plan_values
from pipelines.store.tasks import read_task_reports

NOT_DONE = {"final": ("not_completed", "basically_completed", "no_data"), "midterm": ("behind", "no_data")}


class EvaluationRefused(ValueError):
    """An evaluation that cannot be made as asked (a final evaluation of a plan in force); the message says why."""


@dataclass(frozen=True)
class ActionSection:
    name: str
    tally: str
    progress: list[str]  # 「区人才办：……」 per department that wrote one


@dataclass(frozen=True)
class EvaluationReport:
    lang: str
    evaluation: Evaluation = field(repr=False)
    title: str
    subtitle: str
    overall: list[str]
    table: pd.DataFrame  # 序号 … 主责部门 headed for the language, as printed
    rows: pd.DataFrame  # indicator_rows: every column, for the page
    tallies: pd.DataFrame  # counts per action, headed for the language
    actions: list[ActionSection]
    problems: list[str]
    next_intro: list[str]
    lineage: pd.DataFrame | None  # the hand-over table (final evaluation with a next plan)
    notes: list[str]
    illustrative: bool
    tasks_line: str = ""  # 「重点任务14项：已销号12项、逾期2项」 ('' for a plan without tasks)
    tasks: pd.DataFrame | None = None  # 重点任务完成情况, headed for the language

    @property
    def kind(self) -> EvaluationKind:
        return self.evaluation.kind

    def t(self, key: str, /, **values: object) -> str:
        return t(key, self.lang, **values)

    def lineage_title(self) -> str:
        """表3 (or 表4 after the 重点任务 table)."""
        return self.t("evaluation.report.lineage-title", n=4 if self.tasks is not None else 3)

    def file_names(self) -> dict[str, str]:
        """「《…》实施情况总结评估报告.docx」, the table 「….xlsx」 and the PDF, as the office names them."""
        table = self.t("evaluation.file.table", title=self.title)
        return {"docx": file_name(self.title, "docx"), "pdf": file_name(self.title, "pdf"),
                "xlsx": file_name(table, "xlsx")}


# ---- from the store ---------------------------------------------------------------------------------------------

def read_report(engine: Engine, plan_code: str | None, kind: EvaluationKind | None, as_of: Period | None,
                lang: str, today: dt.date) -> EvaluationReport | None:
    """One plan's evaluation report from the store; None when there is no such plan. EvaluationRefused for a final
    evaluation of a plan that has not ended, or an as-of outside the plan."""
    with engine.connect() as conn:
        plan = plan_from_store(conn, plan_code)
        if plan is None:
            return None
        kind = kind or default_kind(plan, today)
        _check_request(plan, kind, as_of, lang, today)
        current = plan_values(read_current_values(conn), plan)
        narratives, submissions = read_value_narratives(conn), read_submissions(conn)
        version = read_data_version(conn)
        nxt = next_plan(plans_in_store(conn), plan.info) if kind == "final" else None
        successor = plan_from_store(conn, nxt.code) if nxt else None
        lineage = lineage_rows(conn, successor) if successor else None
        task_reports = read_task_reports(conn, [task.code for task in plan.tasks])
    evaluation = compute_evaluation(plan, current, kind, as_of)
    report = build_report(evaluation, narratives, lang, successor, lineage,
                          illustrative=shows_illustrative(plan, submissions),
                          data_time=version.last_approved_at if version else None)
    return with_tasks(report, ledger_rows(plan, task_reports, evaluation.as_of, today, lang)) if plan.tasks \
        else report


def with_tasks(report: EvaluationReport, ledger: pd.DataFrame) -> EvaluationReport:
    """The report with its 重点任务完成情况: the counts in 一, the table after table 2, and in 四 every task not closed
    (not reported done) with its latest approved 进展情况."""
    lang = report.lang
    line = counts_line(ledger_counts(ledger), lang)
    numbered = ledger.assign(seq=range(1, len(ledger) + 1))
    table = localise(numbered[["seq", "task", "lead", "due", "state", "progress"]], lang)
    open_items = [t("evaluation.report.task-problem", lang, task=r["task"], department=r["lead"],
                    state=state_name(r["state_code"], lang), due=r["due"], progress=r["progress"])
                  for _, r in not_done_rows(ledger).iterrows()]
    overall = [*report.overall[:2], t("evaluation.report.tasks-line", lang, line=line), *report.overall[2:]]
    return replace(report, overall=overall, tasks_line=line, tasks=table, problems=[*report.problems, *open_items])


def _check_request(plan: PlanData, kind: EvaluationKind, as_of: Period | None, lang: str, today: dt.date) -> None:
    if kind == "final" and plan.info.state(today) != "ended":
        raise EvaluationRefused(t("evaluation.refused.not-ended", lang, plan=name_of(plan.info, lang),
                                  end=plan.info.end_period.label(lang)))
    if kind == "final" and as_of is not None:
        raise EvaluationRefused(t("evaluation.refused.final-as-of", lang))
    if as_of is not None and not (plan.info.start_period.start_time - 1e-9 < as_of.end_time
                                  <= plan.info.end_period.end_time + 1e-9):
        raise EvaluationRefused(t("evaluation.refused.as-of-outside", lang, period=as_of.label(lang),
                                  start=plan.info.start_period.label(lang), end=plan.info.end_period.label(lang)))


def next_plan(plans: list[PlanInfo], plan: PlanInfo) -> PlanInfo | None:
    """The plan whose previous plan this one is (the next cycle; a bridge plan beside it is not one); drafts aside."""
    after = [p for p in plans if not p.draft and p.code != plan.code
             and (found := previous_plan(plans, p)) is not None and found.code == plan.code]
    return min(after, key=lambda p: (p.start_period.start_time, p.code), default=None)


# ---- the sections -----------------------------------------------------------------------------------------------

def build_report(evaluation: Evaluation, narratives: pd.DataFrame, lang: str, successor: PlanData | None = None,
                 lineage: list[LineageRow] | None = None, *, illustrative: bool = False,
                 data_time: object = None) -> EvaluationReport:
    plan, kind = evaluation.plan, evaluation.kind
    rows = indicator_rows(evaluation, lang)
    said = _department_words(evaluation, narratives)
    plan_name = name_of(plan.info, lang)
    title = t(f"evaluation.report.title.{kind}", lang, plan=plan_name)
    return EvaluationReport(
        lang=lang, evaluation=evaluation, title=title, subtitle=_subtitle(evaluation, lang),
        overall=_overall(evaluation, lang), rows=rows,
        table=localise(report_table(rows, kind), lang).rename(columns={t("ui.col.unit", lang): t("evaluation.col.unit",
                                                                                                   lang)}),
        tallies=_tallies(evaluation, lang),
        actions=[_action(evaluation, a.code, said, lang) for a in plan.actions],
        problems=_problems(evaluation, said, lang), next_intro=_next_intro(evaluation, successor, lineage, lang),
        lineage=_lineage_table(evaluation, successor, lineage, lang) if successor and lineage else None,
        notes=_notes(evaluation, lang, illustrative, data_time), illustrative=illustrative,
    )


def _tallies(evaluation: Evaluation, lang: str) -> pd.DataFrame:
    """Table 2: per action its indicators and the count of each conclusion, the mean completion as 96.5%."""
    frame = tally_rows(evaluation, lang).drop(columns=[CODE])
    frame[COMPLETION] = [format_rate(None if c != c else c / 100) for c in frame[COMPLETION]]
    return localise(frame, lang).rename(columns={t("ui.col.completion", lang): t("evaluation.col.mean", lang)})


def _subtitle(evaluation: Evaluation, lang: str) -> str:
    if evaluation.kind == "final":
        return t("evaluation.report.subtitle.final", lang, start=evaluation.plan.info.start_period.year,
                 end=evaluation.plan.info.end_period.year)
    return t("evaluation.report.subtitle.midterm", lang, cutoff=evaluation.as_of.cutoff_label(lang))


def _overall(evaluation: Evaluation, lang: str) -> list[str]:
    plan, kind, whole = evaluation.plan, evaluation.kind, evaluation.plan_tally
    intro = t("evaluation.report.intro", lang, plan=name_of(plan.info, lang),
              start=plan.info.start_period.year, end=plan.info.end_period.year, actions=len(plan.actions),
              subs=len(plan.sub_items), n=len(plan.indicators))
    good = ("early", "completed") if kind == "final" else ("achieved", "ahead", "on_track")
    n_good = sum(whole.counts[c] for c in good)
    share = format_rate(n_good / whole.n if whole.n else None)
    summary = t(f"evaluation.report.summary.{kind}", lang, cutoff=evaluation.as_of.cutoff_label(lang),
                tally=tally_text(whole, lang), good=n_good, share=share,
                completion=format_rate(whole.mean_completion))
    lines = [intro, summary]
    for action in plan.actions:
        lines.append(t("evaluation.report.action-line", lang, name=name_of(action, lang),
                       tally=tally_text(evaluation.tallies[action.code], lang)))
    return lines


def _department_words(evaluation: Evaluation, narratives: pd.DataFrame) -> dict[str, tuple[str, str, str, str]]:
    """Per indicator the newest 进展情况, 存在问题, 下步措施 and 备注 sent with a current value of the plan's periods up
    to the evaluated quarter (a narrative of a value revised since is not read as current)."""
    current = evaluation.values
    start, end = evaluation.plan.info.start_period.start_time, evaluation.as_of.end_time
    ends = {p: period_of_code(p).end_time for p in current[PERIOD].unique()}
    within = current[PERIOD].map(ends)  # the plan's own periods: a continued series' earlier notes speak of the past
    shown = current[(within > start + 1e-9) & (within <= end + 1e-9)]
    keys = list(zip(shown[CODE], shown[PERIOD]))
    told = narratives_of(shown, narratives, keys)
    notes = dict(zip(keys, shown[NOTE].fillna("")))
    out: dict[str, tuple[str, str, str, str]] = {}
    for code, period in sorted(keys, key=lambda k: ends[k[1]]):  # oldest first: the newest non-empty text wins
        progress, problems, steps = told.get((code, period), ("", "", ""))
        note = str(notes.get((code, period), "") or "").strip()
        before = out.get(code, ("", "", "", ""))
        out[code] = (progress or before[0], problems or before[1], steps or before[2], note or before[3])
    return out


def _action(evaluation: Evaluation, action: str, said: dict[str, tuple[str, str, str, str]],
            lang: str) -> ActionSection:
    plan = evaluation.plan
    subs = {s.code for s in plan.sub_items if s.action_code == action}
    by_department: dict[str, list[str]] = {}
    for indicator in (i for i in plan.indicators if i.sub_item_code in subs):
        progress, _, _, note = said.get(indicator.code, ("", "", "", ""))
        progress = progress or note  # without a narrative, the 备注 sent with the value tells what was done
        if progress:
            by_department.setdefault(indicator.department, []).append(
                t("evaluation.report.progress-item", lang, indicator=name_of(indicator, lang), text=progress))
    lines = [t("evaluation.report.progress-line", lang, department=department_names(plan, [d], lang),
               text=t("evaluation.report.separator", lang).join(items)) for d, items in by_department.items()]
    name = next(name_of(a, lang) for a in plan.actions if a.code == action)
    return ActionSection(name, tally_text(evaluation.tallies[action], lang),
                         lines or [t("evaluation.report.no-progress", lang)])


def _problems(evaluation: Evaluation, said: dict[str, tuple[str, str, str, str]], lang: str) -> list[str]:
    """Every indicator not completed (mid-term: behind or without data), with what its department wrote."""
    plan, kind = evaluation.plan, evaluation.kind
    out = []
    for indicator in plan.indicators:
        v = evaluation.verdicts[indicator.code]
        if v.conclusion not in NOT_DONE[kind] or v.not_yet_due:  # a first report not yet due is no problem
            continue
        _, problems, steps, note = said.get(indicator.code, ("", "", "", ""))
        words = [_fact(indicator, v, lang)]
        words += [t(f"evaluation.report.{k}", lang, text=x) for k, x in
                  (("problems", problems), ("steps", steps), ("note", note)) if x]
        if not (problems or note):
            words.append(t("evaluation.report.no-reason", lang))
        out.append(t("evaluation.report.problem", lang, indicator=name_of(indicator, lang),
                     department=department_names(plan, [indicator.department], lang),
                     text=t("evaluation.report.sentence-separator", lang).join(words)))
    return out


def _fact(indicator: IndicatorDef, v: Verdict, lang: str) -> str:
    """完成值1,003家，目标值1,000家，完成率100.6%，基本完成 — the figures in words, the conclusion last."""
    unit = unit_word(indicator.unit, lang)
    conclusion = conclusion_name(v.kind, v.conclusion, lang)
    if v.conclusion == "no_data":
        return t("evaluation.report.fact-no-data", lang, conclusion=conclusion)
    key = "evaluation.report.fact.final" if v.kind == "final" else "evaluation.report.fact.midterm"
    return t(key, lang, value=final_value_text(indicator, v, lang), target=value_text(indicator, indicator.target,
                                                                                     lang),
             unit=unit if indicator.kind != "milestone" else "", completion=format_rate(v.completion),
             conclusion=conclusion)


def _next_intro(evaluation: Evaluation, successor: PlanData | None, lineage: list[LineageRow] | None,
                lang: str) -> list[str]:
    kind, plan = evaluation.kind, evaluation.plan
    short = ("not_completed", "basically_completed") if kind == "final" else ("behind",)
    behind = [name_of(i, lang) for i in plan.indicators if evaluation.verdicts[i.code].conclusion in short]
    missing = [name_of(i, lang) for i in plan.indicators if evaluation.verdicts[i.code].conclusion == "no_data"
               and not evaluation.verdicts[i.code].not_yet_due]
    waiting = [name_of(i, lang) for i in plan.indicators if evaluation.verdicts[i.code].not_yet_due]
    sep = t("evaluation.report.separator", lang)
    lines = []
    if kind == "midterm":
        if behind:
            lines.append(t("evaluation.report.next.behind", lang, n=len(behind), items=sep.join(behind)))
        if missing:
            lines.append(t("evaluation.report.next.no-data", lang, n=len(missing), items=sep.join(missing)))
        if waiting:
            lines.append(t("evaluation.report.next.not-due", lang, n=len(waiting), items=sep.join(waiting)))
        return lines or [t("evaluation.report.next.all-well", lang)]
    if successor is None or not lineage:
        lines.append(t("evaluation.report.next.no-successor", lang))
    else:
        counts = {k: sum(1 for r in lineage if r.lineage == k) for k in ("continued", "adjusted", "new", DROPPED)}
        lines.append(t("evaluation.report.next.successor", lang, plan=name_of(successor.info, lang), **counts))
    if behind:
        lines.append(t("evaluation.report.next.unfinished", lang, n=len(behind), items=sep.join(behind)))
    if missing:
        lines.append(t("evaluation.report.next.no-data", lang, n=len(missing), items=sep.join(missing)))
    return lines


def _lineage_table(evaluation: Evaluation, successor: PlanData, lineage: list[LineageRow],
                   lang: str) -> pd.DataFrame:
    """本方案指标 | 评估结论 | 衔接方式 | 新方案指标 | 新基期值 | 新目标值: old indicators in order, then new."""
    old = evaluation.plan.indicator_map()
    new = successor.indicator_map()
    rows = []
    for r in lineage:
        before = old.get(r.previous_code) if r.previous_code else None
        after = new.get(r.code) if r.lineage != DROPPED else None
        verdict = evaluation.verdicts.get(before.code) if before else None
        rows.append({
            "old_indicator": name_of(before, lang) if before else MISSING,
            "conclusion": conclusion_name("final", verdict.conclusion, lang) if verdict else MISSING,
            "lineage": t(f"evaluation.lineage.{r.lineage}", lang),
            "new_indicator": name_of(after, lang) if after else MISSING,
            "new_baseline": _with_unit(after, after.baseline if after and after.has_baseline else None, lang),
            "new_target": _with_unit(after, after.target if after else None, lang),
            "_order": (0, list(old).index(before.code)) if before else (1, list(new).index(r.code)),
        })
    frame = pd.DataFrame(rows).sort_values("_order", kind="stable").drop(columns=["_order"])
    frame.insert(0, "seq", range(1, len(frame) + 1))
    return frame.rename(columns={c: t(f"evaluation.col.{c}", lang) for c in frame.columns if c != "seq"}).rename(
        columns={"seq": t("ui.col.seq", lang)})


def _with_unit(indicator: IndicatorDef | None, value: float | None, lang: str) -> str:
    if indicator is None or value is None:
        return MISSING
    text = value_text(indicator, value, lang)
    return text if indicator.kind == "milestone" else f"{text}{unit_word(indicator.unit, lang)}"


def _notes(evaluation: Evaluation, lang: str, illustrative: bool, data_time: object) -> list[str]:
    kind = evaluation.kind
    rules = (t("evaluation.report.note.final", lang, basic=format_rate(evaluation.plan.info.basic_threshold))
             if kind == "final" else t("evaluation.report.note.midterm", lang))
    notes = [rules, t("evaluation.report.note.data", lang, time=format_time(data_time, lang) if data_time else MISSING,
                      cutoff=evaluation.as_of.cutoff_label(lang))]
    if illustrative:
        notes.append(t("evaluation.report.note.illustrative", lang))
    return notes

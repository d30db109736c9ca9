"""One indicator's story as plain values: its reported values with provenance and the verdict at each, the baseline,
the target, the expected straight path and the projection; its metadata card; and every revision."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.columns import CODE, DEPARTMENT, FILE, NOTE, PERIOD, REVISION, SUBMITTED_AT, SUBMITTER, VALUE
from pipelines.core.catalog import t
from pipelines.core.periods import Period, period_of_code
from pipelines.engine.evaluation import Verdict
from pipelines.engine.progress import Assessment, Observation, StatusRule, assess, legend
from pipelines.engine.status_rule import rule_title
from pipelines.plan.records import IndicatorDef, PlanData, PlanInfo
from pipelines.plan.standing import spec_of
from pipelines.present.evaluation import conclusion_badge, conclusion_color
from pipelines.present.formatting import (
    MISSING,
    format_amount,
    format_rate,
    format_time,
    name_of,
    plain_html,
    status_badge,
)
from pipelines.present.sources import source_words
from pipelines.present.tables import department_names, projected_value

Line = tuple[tuple[str, float], ...]  # (ISO date, value) points
POINT_COLUMNS = [PERIOD, "label", "x", VALUE, "y", DEPARTMENT, SUBMITTER, SUBMITTED_AT, NOTE, "explanation", "hover"]
REVISION_COLUMNS = ["period_label", VALUE, REVISION, "department_name", SUBMITTER, FILE, SUBMITTED_AT, NOTE]
WRAP = 36  # characters per hover line: Plotly does not wrap hover labels itself


@dataclass(frozen=True)
class IndicatorStory:
    """What the indicator chart draws, in plain values (dates as ISO strings), for one language."""

    code: str
    name: str
    unit: str
    kind: str
    points: pd.DataFrame  # POINT_COLUMNS; y is the in-year running total for yearly amounts, else the value
    baseline: tuple[str, float, str]  # (x, value, hover)
    target: tuple[str, float, str]
    expected: tuple[Line, ...]  # the straight path (level) or each year's path from 0 to the yearly target (annual)
    projection: Line  # from the latest value to the projected value at the target period; empty when none
    status: str
    explanation: str
    illustrative: bool
    # the series before this plan (a continuing indicator's earlier cycle, its own code or the one it continues):
    # its values, the boundary between the cycles and whether the definition changed there (a break in the line)
    earlier: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=["x", "y", "hover"]))
    boundary: tuple[str, str] | None = None  # (x, label)
    adjusted: bool = False
    other_anchors: tuple[tuple[str, float, str], ...] = ()  # other plans' baselines and targets of the series
    # an ended plan's view: the 评估结论 (shape and word) and its colour, drawn instead of the status at the last value
    badge: str = ""
    badge_color: str = ""


def x_of(period: Period) -> str:
    return period.end_date.isoformat()


# An HTML entity (&lt;, &#34;) is one character on screen and never split across lines; anything else is one character.
_CHARACTER = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);|.", re.DOTALL)
_BREAK_AFTER = "，；,; →）)"


def hover_html(text: object) -> str:
    """Text that did not come from the code (a 备注, a submitter's name) made safe inside Plotly hover text: escaped
    as HTML, so <b>, <a href>, <img> show as typed and never format, link or load anything. Plotly decodes only
    &amp; &lt; &gt; and numeric entities, so the &quot; of html.escape is written &#34; (else it shows as &quot;)."""
    return plain_html(text).replace("&quot;", "&#34;")


def wrap(text: str, width: int = WRAP) -> str:
    """Break a long sentence into hover lines after punctuation (Chinese has no spaces to break at); a line with no
    punctuation to break at is cut at twice the width. Safe for escaped text (hover_html): an entity counts as one
    character and is never cut, and nothing is added but the <br> between lines."""
    lines, line, size = [], "", 0
    for char in _CHARACTER.findall(" ".join(text.splitlines())):
        line, size = line + char, size + 1
        if (size >= width and char in _BREAK_AFTER) or size >= 2 * width:
            lines.append(line.strip())
            line, size = "", 0
    return "<br>".join([*lines, line.strip()] if line.strip() else lines)


def _amount_at(value: float, period: Period, unit: str, lang: str) -> str:
    """1,200家（2022年第四季度）: a plan figure with the period it belongs to."""
    return f"{format_amount(value, unit, lang)}（{period.label(lang)}）"


def _history_rows(current: pd.DataFrame, indicator: IndicatorDef, as_of: Period) -> pd.DataFrame:
    rows = current[current[CODE] == indicator.code].copy()
    if rows.empty:
        return rows.assign(period_obj=[])
    rows["period_obj"] = rows[PERIOD].map(period_of_code)
    rows = rows[rows["period_obj"].map(lambda p: indicator.baseline_period < p and p.end_time <= as_of.end_time + 1e-9)]
    return rows.sort_values("period_obj", key=lambda s: s.map(lambda p: (p.end_time, p.start_time)))


def build_story(plan: PlanData, indicator: IndicatorDef, current: pd.DataFrame, assessment: Assessment,
                rule: StatusRule, lang: str, others: Sequence[tuple[PlanInfo, IndicatorDef]] = (),
                verdict: Verdict | None = None) -> IndicatorStory:
    """The story as of the assessment's period, with the verdict the rule gave at each reported period; `others`:
    the other plans that target the series (or the one it continues), whose baselines and targets are marked and
    whose earlier values are drawn before this plan's baseline; `verdict`: an ended plan's 评估结论, told instead of
    the status."""
    rows = _history_rows(current, indicator, assessment.as_of)
    names = {d.code: name_of(d, lang) for d in plan.departments}
    spec, seen, points = spec_of(indicator), [], []
    running: dict[int, float] = {}
    records: Iterable[Any] = rows.itertuples(index=False)  # named tuples of the history's columns
    for r in records:
        period: Period = r.period_obj
        seen.append(Observation(period, float(r.value)))
        ruled = assess(spec, seen, period, rule).explanation(lang)
        running[period.year] = running.get(period.year, 0.0) + float(r.value)
        y = running[period.year] if indicator.kind == "annual" else float(r.value)
        who = " · ".join(x for x in (names.get(r.department or "", r.department or ""), r.submitter or "") if x)
        # the hover is HTML for Plotly: the page's own <b> and <br>, and every text from the store escaped
        hover = "<br>".join([
            f"<b>{period.label(lang)}</b>",
            t("ui.hover.value", lang, value=format_amount(r.value, indicator.unit, lang)),
            *([t("ui.hover.year-total", lang, value=format_amount(y, indicator.unit, lang))]
              if indicator.kind == "annual" else []),
            t("ui.hover.who", lang, who=hover_html(who or MISSING)),
            t("ui.hover.when", lang, when=format_time(r.submitted_at)),
            *([t("ui.hover.note", lang, note=wrap(hover_html(r.note)))] if r.note else []),
            t("ui.hover.verdict", lang, verdict=wrap(hover_html(ruled)))])
        points.append((period.code, period.label(lang), x_of(period), float(r.value), y, r.department, r.submitter,
                       r.submitted_at, r.note, ruled, hover))
    frame = pd.DataFrame(points, columns=POINT_COLUMNS)
    return IndicatorStory(
        code=indicator.code, name=name_of(indicator, lang), unit=indicator.unit, kind=indicator.kind, points=frame,
        baseline=_anchor("ui.hover.baseline", indicator.baseline_period, indicator.baseline, indicator, lang),
        target=_anchor("ui.hover.target", indicator.target_period, indicator.target, indicator, lang),
        expected=_expected(indicator), projection=_projection(indicator, assessment, frame),
        status=assessment.status, illustrative=indicator.illustrative,
        **_cycles(plan, indicator, current, others, names, lang), **_told(assessment, verdict, lang))


def _told(a: Assessment, verdict: Verdict | None, lang: str) -> dict[str, Any]:
    """What the story says of the indicator: the status's explanation, or the 评估结论 with its own."""
    if verdict is None:
        return {"explanation": a.explanation(lang)}
    return {"explanation": verdict.explanation(lang), "badge": conclusion_badge(verdict.kind, verdict.conclusion, lang),
            "badge_color": conclusion_color(verdict.kind, verdict.conclusion)}


def other_targets(plan: PlanData, others: Iterable[PlanData | None], indicator: IndicatorDef
                  ) -> list[tuple[PlanInfo, IndicatorDef]]:
    """The other plans' targets of an indicator's series (its own code, else the code it continues), for the story's
    anchors: each plan with its indicator."""
    found = []
    for other in others:
        if other is None or other.info.code == plan.info.code:
            continue
        mine = other.indicator_map()
        match = mine.get(indicator.code) or mine.get(indicator.continues)
        if match is not None:
            found.append((other.info, match))
    return found


def _cycles(plan: PlanData, indicator: IndicatorDef, current: pd.DataFrame,
            others: Sequence[tuple[PlanInfo, IndicatorDef]], names: dict[str, str], lang: str) -> dict[str, Any]:
    """A continuing series' earlier cycle: its values up to this plan's baseline period, the boundary and the other
    plans' anchors. Nothing for an indicator whose series starts with this plan."""
    codes = set(indicator.series_codes)
    rows = current[current[CODE].isin(codes)]
    periods = pd.Series([period_of_code(p) for p in rows[PERIOD]], index=rows.index, dtype=object)
    before = periods[periods.map(lambda p: p.end_time <= indicator.baseline_period.end_time + 1e-9).astype(bool)]
    order = sorted(before.index, key=lambda i: (before[i].end_time, before[i].start_time))
    rows = rows.loc[order].assign(period_obj=before.loc[order])
    earlier = pd.DataFrame({
        "x": [x_of(p) for p in rows["period_obj"]], "y": rows[VALUE].astype(float).tolist(),
        "hover": ["<br>".join([
            f"<b>{p.label(lang)}</b>", t("ui.hover.value", lang, value=format_amount(v, indicator.unit, lang)),
            t("ui.hover.who", lang, who=hover_html(" · ".join(
                x for x in (names.get(d or "", d or ""), s or "") if x) or MISSING))])
            for p, v, d, s in zip(rows["period_obj"], rows[VALUE], rows[DEPARTMENT], rows[SUBMITTER])]})
    if earlier.empty and not others:
        return {}
    anchors = []
    for info, other in others:
        plan_name = name_of(info, lang)
        for key, period, value in (("ui.hover.plan-baseline", other.baseline_period, other.baseline),
                                   ("ui.hover.plan-target", other.target_period, other.target)):
            if other.has_baseline or key.endswith("target"):
                anchors.append((x_of(period), float(value), t(key, lang, plan=plan_name, period=period.label(lang),
                                                              value=format_amount(value, indicator.unit, lang))))
    start = plan.info.start_period
    first_day = dt.date(start.year, 1 + round((start.start_time - start.year) * 12), 1)
    boundary = (first_day.isoformat(), t("ui.chart.cycle-start", lang))
    return {"earlier": earlier, "boundary": boundary, "adjusted": indicator.lineage == "adjusted",
            "other_anchors": tuple(anchors)}


def _anchor(key: str, period: Period, value: float, indicator: IndicatorDef, lang: str) -> tuple[str, float, str]:
    text = t(key, lang, period=period.label(lang), value=format_amount(value, indicator.unit, lang))
    return x_of(period), value, text


def _expected(indicator: IndicatorDef) -> tuple[Line, ...]:
    """Level: the straight line from baseline to target. Annual: each year from 0 at its start to the yearly target."""
    if indicator.kind == "level":
        start = (x_of(indicator.baseline_period), indicator.baseline)
        return ((start, (x_of(indicator.target_period), indicator.target)),)
    if indicator.kind == "annual":
        years = range(indicator.baseline_period.year + 1, indicator.target_period.year + 1)
        return tuple(((dt.date(y, 1, 1).isoformat(), 0.0), (dt.date(y, 12, 31).isoformat(), indicator.target))
                     for y in years)
    return ()


def _projection(indicator: IndicatorDef, a: Assessment, points: pd.DataFrame) -> Line:
    """The projection to the target period, drawn for stocks still on their way (none once achieved or once the
    target period has come: projected_value)."""
    projected = projected_value(indicator, a)
    if indicator.kind != "level" or projected is None or points.empty:
        return ()
    last = points.iloc[-1]
    return ((str(last["x"]), float(last[VALUE])), (x_of(indicator.target_period), projected))


def metadata_rows(plan: PlanData, indicator: IndicatorDef, a: Assessment, rule: StatusRule,
                  lang: str, plan_names: dict[str, str] | None = None,
                  verdict: Verdict | None = None) -> list[tuple[str, str]]:
    """The indicator's card: 口径, owners, frequency, kind, baseline and target with their source, the rule in force;
    with an ended plan's `verdict`, its 评估结论 and the evaluation's rule instead of the status and its rule."""
    def label(key: str) -> str:
        return t(f"ui.meta.{key}", lang)

    judged = [(label("status"), f"{status_badge(a.status, lang)} — {a.explanation(lang)}"),
              (label("rule"), rule_title(rule).text(lang))]
    if verdict is not None:
        badge = conclusion_badge(verdict.kind, verdict.conclusion, lang)
        judged = [(t("ui.col.conclusion", lang), f"{badge} — {verdict.explanation(lang)}"),
                  (t("final_view.meta.rule", lang), t("final_view.meta.rule-text", lang,
                                                      basic=format_rate(plan.info.basic_threshold)))]

    return [
        (label("code"), indicator.code),
        (label("definition"), indicator.definition_zh or MISSING),
        (label("lead"), department_names(plan, [indicator.department], lang)),
        (label("support"), department_names(plan, indicator.supporting_departments, lang)),
        (label("frequency"), t(f"word.{indicator.frequency}", lang)),
        (label("kind"), t(f"ui.kind.{indicator.kind}", lang) + " · " + t(f"ui.direction.{indicator.direction}", lang)),
        (label("baseline"), _baseline_words(indicator, lang, plan_names or {})),
        *([(label("lineage"), _lineage_words(indicator, lang))] if indicator.lineage else []),
        (label("target"), _amount_at(indicator.target, indicator.target_period, indicator.unit, lang)),
        (label("source"), source_words(indicator.source) or MISSING),  # titles; the page links them
        *judged,
    ]


def _baseline_words(indicator: IndicatorDef, lang: str, plan_names: dict[str, str]) -> str:
    """基期值 with its period, and for a `final` baseline where it came from (or 暂无基期值 until it exists)."""
    if not indicator.has_baseline:
        return t("ui.baseline-missing-at", lang, period=indicator.baseline_period.label(lang))
    words = _amount_at(indicator.baseline, indicator.baseline_period, indicator.unit, lang)
    origin = indicator.baseline_from
    if origin is None:
        return words
    return words + " · " + t("ui.baseline-from", lang, plan=plan_names.get(origin.plan_code, origin.plan_code),
                             code=origin.code,
                             period=origin.period.label(lang),
                             submissions="、".join(str(s) for s in origin.submissions))


def _lineage_words(indicator: IndicatorDef, lang: str) -> str:
    """延续 / 口径调整 / 新增, and the code it continues under a new code."""
    words = t(f"ui.lineage.{indicator.lineage}", lang)
    return words + (t("ui.lineage.continues", lang, code=indicator.continues) if indicator.continues else "")


def revision_rows(history: pd.DataFrame, plan: PlanData, lang: str) -> pd.DataFrame:
    """Every revision of every period, newest period first: value, revision number, department, file, time, note."""
    names = {d.code: name_of(d, lang) for d in plan.departments}
    frame = history.copy()
    frame["period_label"] = frame[PERIOD].map(lambda p: period_of_code(p).label(lang))
    frame["department_name"] = frame[DEPARTMENT].map(lambda d: names.get(d, d) if isinstance(d, str) else MISSING)
    frame[SUBMITTED_AT] = frame[SUBMITTED_AT].map(format_time)
    frame["_end"] = frame[PERIOD].map(lambda p: period_of_code(p).end_time)
    frame = frame.sort_values(["_end", REVISION], ascending=[False, False], kind="stable")
    return frame[REVISION_COLUMNS].reset_index(drop=True)


def history_records(history: pd.DataFrame) -> list[dict[str, object]]:
    """The same revisions as revision_rows, in its order, as plain records with codes (for the command line and
    scripts): period, value, revision, department, submitter, file, submitted_at, note."""
    frame = history.assign(_end=history[PERIOD].map(lambda p: period_of_code(p).end_time))
    frame = frame.sort_values(["_end", REVISION], ascending=[False, False], kind="stable")
    return [{"period": str(r[PERIOD]), "value": float(r[VALUE]), "revision": int(r[REVISION]),
             "department": r[DEPARTMENT] if isinstance(r[DEPARTMENT], str) else None,
             "submitter": r[SUBMITTER] if isinstance(r[SUBMITTER], str) else None, "file": str(r[FILE]),
             "submitted_at": pd.Timestamp(r[SUBMITTED_AT]).isoformat(sep=" ", timespec="seconds"),
             "note": str(r[NOTE])} for _, r in frame.iterrows()]


def legend_text(rule: StatusRule, lang: str) -> str:
    return legend(rule, lang)

"""Command-line verbs for progress: plans (the plans in the store), lineage (a plan beside its previous one), status
(assessments and roll-ups), snapshot (freeze a quarter), diff, and keep (the standings the dashboard opens on)."""
from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from models.db import create_schema
from pipelines.cli.base import (
    UsageError,
    Verbs,
    db_option,
    engine_for,
    period_arg,
    plan_code,
    plan_option,
    stored_plan,
)
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.core.periods import Period
from pipelines.engine.assessment import Assessment
from pipelines.engine.progress import STATUSES, status_name
from pipelines.plan.records import BaselineSource
from pipelines.plan.standing import Standing
from pipelines.store.plans import lineage_rows, plan_from_store, plans_in_store
from pipelines.store.snapshot import diff_quarters, freeze
from pipelines.store.standing_cache import refresh
from pipelines.store.standings import read_standing

LEVELS = ("indicator", "sub_item", "action", "plan")
INDICATOR_COLUMNS = ["code", "as_of", "status", "status_zh", "latest_period", "latest_value", "baseline",
                     "baseline_period", "target",
                     "expected", "completion", "time_share", "gap_points", "pace_ratio", "projected",
                     "projection_ratio", "likely_to_meet", "overdue", "score", "rule", "explanation"]


def register(verbs: Verbs) -> None:
    db, plan = db_option(), plan_option()
    plans = verbs.add_parser("plans", help=t("cli.plans", "zh"), parents=[db])
    plans.add_argument("--format", choices=("table", "json"), default="table")
    plans.set_defaults(handler=_cmd_plans)
    lineage = verbs.add_parser("lineage", help=t("cli.lineage", "zh"), parents=[db, plan])
    lineage.add_argument("--format", choices=("table", "json"), default="table")
    lineage.set_defaults(handler=_cmd_lineage)
    status = verbs.add_parser("status", help=t("cli.status", "zh"), parents=[db, plan])
    status.add_argument("--as-of")
    status.add_argument("--level", choices=LEVELS, default="indicator")
    status.add_argument("--format", choices=("table", "csv", "json"), default="table")
    status.set_defaults(handler=_cmd_status)
    snapshot = verbs.add_parser("snapshot", help=t("cli.snapshot", "zh"), parents=[db, plan])
    snapshot.add_argument("--as-of", required=True)
    snapshot.add_argument("--replace", action="store_true")
    snapshot.set_defaults(handler=_cmd_snapshot)
    diff = verbs.add_parser("diff", help=t("cli.diff", "zh"), parents=[db, plan])
    diff.add_argument("--from", dest="before", required=True)
    diff.add_argument("--to", dest="after", required=True)
    diff.add_argument("--format", choices=("table", "json"), default="table")
    diff.set_defaults(handler=_cmd_diff)
    keep = verbs.add_parser("keep", help=t("cli.keep", "zh"), parents=[db, plan])
    keep.set_defaults(handler=_cmd_keep)


def _standing(args: argparse.Namespace, as_of: Period | None) -> Standing:
    engine = engine_for(args.db)
    standing = read_standing(engine, as_of, plan_code(engine, args.plan_code, args.lang))
    if standing is None:
        raise UsageError(t("cli.empty-store", args.lang))
    return standing


def _cmd_plans(args: argparse.Namespace) -> int:
    engine = engine_for(args.db)
    create_schema(engine)
    day = today()
    with engine.connect() as conn:
        rows = [{"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "start": p.start_period.code,
                 "end": p.end_period.code, "state": "draft" if p.draft else p.state(day),
                 "indicators": len(plan.indicators) if (plan := plan_from_store(conn, p.code)) else 0}
                for p in plans_in_store(conn)]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    frame = pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "start", "end", "state", "indicators"])
    frame["state"] = [t(f"ui.plan-state.{s}", args.lang) for s in frame["state"]]
    shown = ["code", "name_zh" if args.lang == "zh" else "name_en", "start", "end", "state", "indicators"]
    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        print(frame[shown].to_string(index=False))
    return 0


def _cmd_lineage(args: argparse.Namespace) -> int:
    engine = engine_for(args.db)
    plan = stored_plan(engine, args.lang, args.plan_code)
    with engine.connect() as conn:
        rows = [{"code": r.code, "lineage": r.lineage, "previous_code": r.previous_code or None,
                 "previous_plan": r.previous_plan or None, "baseline": r.baseline,
                 "baseline_source": _origin(r.baseline_source), "name_zh": r.name_zh}
                for r in lineage_rows(conn, plan)]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    frame = pd.DataFrame(rows, columns=["code", "lineage", "previous_code", "previous_plan", "baseline",
                                        "baseline_source", "name_zh"]).astype(object).fillna("—")
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
        print(frame.to_string(index=False))
    return 0


def _origin(source: BaselineSource | None) -> str | None:
    """Where a `final` baseline came from, as scripts read it: plan, series code, period, submission numbers."""
    if source is None:
        return None
    return (f"{source.plan_code}:{source.code}@{source.period.code}#"
            + ",".join(str(s) for s in source.submissions))


def status_frame(standing: Standing, level: str, lang: str = "zh") -> pd.DataFrame:
    """One row per item of a level, the columns scripts rely on."""
    if level == "indicator":
        periods = {i.code: i.baseline_period.code for i in standing.plan.indicators}
        return pd.DataFrame([{**_indicator_row(a, lang), "baseline_period": periods.get(a.code)}
                             for a in standing.assessments.values()], columns=INDICATOR_COLUMNS)
    rows = [{"code": r.code, "level": r.level, "as_of": standing.as_of.code, "status": r.status,
             "status_zh": status_name(r.status, "zh"), "score": r.score, "mean_completion": r.mean_completion,
             **{f"n_{s}": r.counts.get(s, 0) for s in STATUSES}, "explanation": r.explanation_en if lang == "en"
             else r.explanation_zh} for r in standing.rollups.values() if r.level == level]
    return pd.DataFrame(rows)


def _indicator_row(a: Assessment, lang: str) -> dict[str, object]:
    return {"code": a.code, "as_of": a.as_of.code, "status": a.status, "status_zh": status_name(a.status, "zh"),
            "latest_period": a.latest_period.code if a.latest_period else None, "latest_value": a.latest_value,
            "baseline": a.baseline if math.isfinite(a.baseline) else None, "target": a.target,
            "expected": a.expected, "completion": a.completion,
            "time_share": a.time_share, "gap_points": a.gap_points, "pace_ratio": a.pace_ratio,
            "projected": a.projected, "projection_ratio": a.projection_ratio, "likely_to_meet": a.likely_to_meet,
            "overdue": a.overdue, "score": a.score, "rule": a.rule, "explanation": a.explanation(lang)}


def _cmd_status(args: argparse.Namespace) -> int:
    standing = _standing(args, period_arg(args.as_of, args.lang))
    frame = status_frame(standing, args.level, args.lang)
    if args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        print(standing.as_of.cutoff_label(args.lang))
        shown = [c for c in ("code", "status_zh" if args.lang == "zh" else "status", "latest_period", "latest_value",
                             "target", "completion", "pace_ratio", "score", "overdue", "explanation") if c in frame]
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 90, "display.width", 200):
            print(frame[shown].to_string(index=False))
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    as_of = period_arg(args.as_of, args.lang)
    assert as_of is not None
    engine = engine_for(args.db)
    create_schema(engine)
    frozen = freeze(engine, as_of, replace=args.replace, plan=plan_code(engine, args.plan_code, args.lang))
    if frozen is None:
        raise UsageError(t("cli.empty-store", args.lang))
    print(t("cli.snapshot-done", args.lang, as_of=as_of.label(args.lang), n=len(frozen.assessments),
            when=frozen.created_at.strftime("%Y-%m-%d %H:%M")))
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    before, after = period_arg(args.before, args.lang), period_arg(args.after, args.lang)
    assert before is not None and after is not None
    standing = _standing(args, after)
    diff = diff_quarters(engine_for(args.db), before, after, standing.plan.info.due_days, standing.plan.info.code)
    changes = [{"code": c.code, "kind": c.kind, "before": c.before, "after": c.after} for c in diff.changes]
    revisions = diff.revisions.astype({"submitted_at": str}).to_dict(orient="records") if len(diff.revisions) else []
    if args.format == "json":
        print(json.dumps({"from": before.code, "to": after.code, "from_frozen": diff.before_frozen,
                          "changes": changes, "revisions": revisions}, ensure_ascii=False, indent=2, default=str))
        return 0
    print(t("cli.diff-title", args.lang, before=before.label(args.lang), after=after.label(args.lang)))
    for change in changes:
        print(f"  {change['code']:<6} {change['kind']:<15} {change['before']} → {change['after']}")
    for rev in revisions:
        print(t("cli.diff-revision", args.lang, code=rev["indicator_code"], period=rev["period"],
                old=rev["previous"], new=rev["value"], who=rev["department"] or "", when=rev["submitted_at"][:16],
                file=rev["file_name"]))
    return 0


def _cmd_keep(args: argparse.Namespace) -> int:
    """Keep the standings now: every change of the data does so by itself, but a store upgraded to a new release (or
    copied by migrate-store) keeps nothing usable until its next change, and the dashboard computes until then."""
    engine = engine_for(args.db)
    plan_code(engine, args.plan_code, args.lang)  # a store without plans (or an unknown --plan) is a usage error
    quarters = refresh(engine)
    if not quarters:  # the store was busy, or changed meanwhile (that change keeps its own)
        print(t("cli.keep-failed", args.lang), file=sys.stderr)
        return 1
    print(t("cli.kept", args.lang, quarters="、".join(q.label(args.lang) for q in quarters)))
    return 0

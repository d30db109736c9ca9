"""Create or update a store from a plan folder, load the shipped samples, and read the plan back from a store."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine

from models.db import create_schema, writing
from models.queries import read_table
from pipelines.ingest import IngestResult, ingest_bytes
from pipelines.issue import Issue
from pipelines.periods import period_of_code
from pipelines.persist import save_plan
from pipelines.plan import IndicatorDef, Named, PlanData, PlanInfo, SubItemDef, read_plan_folder, split_codes

MANIFEST = "manifest.csv"


def build_store(engine: Engine, plan_dir: Path, now: dt.datetime | None = None) -> PlanData | list[Issue]:
    """Check the plan folder and store it in one transaction; on any problem the store is left as it was."""
    plan = read_plan_folder(plan_dir)
    if isinstance(plan, list):
        return plan
    create_schema(engine)
    with writing(engine) as conn:
        with conn.begin() as transaction:
            problems = save_plan(conn, plan, now or dt.datetime.now())
            if problems:
                transaction.rollback()
                return problems
    return plan


def load_samples(
    engine: Engine, plan: PlanData, samples_dir: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[IngestResult]:
    """Ingest the sample submissions in the order and with the senders and times their manifest gives."""
    entries = _manifest(samples_dir)
    results = []
    for number, entry in enumerate(entries, start=1):
        if progress:
            progress(number, len(entries), entry["file"])
        when = dt.datetime.fromisoformat(entry["submitted_at"])
        results.append(ingest_bytes(
            engine, plan, entry["file"], (samples_dir / entry["file"]).read_bytes(),
            department=entry.get("department") or None, submitter=entry.get("submitter") or None,
            channel="sample", submitted_at=when, today=when.date()))
    return results


def _manifest(samples_dir: Path) -> list[dict[str, str]]:
    text = (samples_dir / MANIFEST).read_text(encoding="utf-8-sig")
    return [row for row in csv.DictReader(io.StringIO(text)) if row.get("file")]


def plan_from_store(conn: Connection) -> PlanData | None:
    """The plan as stored, or None for an empty store."""
    plans = read_table(conn, "plan")
    if plans.empty:
        return None
    p = plans.iloc[0]
    info = PlanInfo(str(p["code"]), str(p["name_zh"]), str(p["name_en"]), period_of_code(str(p["start_period"])),
                    period_of_code(str(p["end_period"])), str(p["status_rule"]),
                    tuple(sorted(json.loads(p["thresholds_json"] or "{}").items())), int(p["due_days"]))
    named = {t: tuple(Named(r.code, r.name_zh, r.name_en, getattr(r, "description_zh", "") or "")
                      for r in read_table(conn, t).itertuples()) for t in ("department", "goal", "action")}
    subs = tuple(SubItemDef(r.code, r.action_code, r.name_zh, r.name_en, r.lead_department)
                 for r in read_table(conn, "sub_item").itertuples())
    indicators = tuple(_indicator(r) for r in read_table(conn, "indicator").itertuples())
    return PlanData(info, named["department"], named["goal"], named["action"], subs, indicators)


def _text_or_none(value: object) -> str | None:
    """A nullable text column as read by pandas (None, NaN or "" all mean no value)."""
    return value if isinstance(value, str) and value else None


def _indicator(r) -> IndicatorDef:  # type: ignore[no-untyped-def]
    return IndicatorDef(
        code=r.code, sub_item_code=r.sub_item_code, goal_code=_text_or_none(r.goal_code), name_zh=r.name_zh,
        name_en=r.name_en, unit=r.unit, direction=r.direction, kind=r.kind, baseline=float(r.baseline),
        baseline_period=period_of_code(r.baseline_period), target=float(r.target),
        target_period=period_of_code(r.target_period), department=r.department,
        supporting_departments=split_codes(r.supporting_departments or ""), frequency=r.frequency,
        definition_zh=r.definition_zh or "", source=r.source or "")

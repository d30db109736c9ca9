"""Create or update a store from a plan folder and load the shipped samples (pipelines.store.persist reads the plan
back)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from models.db import create_schema, writing
from pipelines.core.issue import Issue
from pipelines.intake.ingest import IngestRequest, IngestResult, ingest_bytes
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData
from pipelines.store.persist import save_plan
from pipelines.store.standing_cache import refresh as refresh_standings

MANIFEST = "manifest.csv"


def build_store(engine: Engine, plan_dir: Path, now: dt.datetime | None = None) -> PlanData | list[Issue]:
    """Check the plan folder and store it in one transaction; on any problem the store is left as it was."""
    plan = read_plan_folder(plan_dir)
    if isinstance(plan, list):
        return plan
    create_schema(engine)
    with writing(engine) as conn, conn.begin() as transaction:
        problems = save_plan(conn, plan, now or dt.datetime.now())
        if problems:
            transaction.rollback()
            return problems
    refresh_standings(engine, now)
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
            engine, plan, IngestRequest(entry["file"], (samples_dir / entry["file"]).read_bytes(),
            department=entry.get("department") or None, submitter=entry.get("submitter") or None,
            channel="sample", submitted_at=when, today=when.date(), keep_standings=False)))
    refresh_standings(engine)
    return results


def _manifest(samples_dir: Path) -> list[dict[str, str]]:
    text = (samples_dir / MANIFEST).read_text(encoding="utf-8-sig")
    return [row for row in csv.DictReader(io.StringIO(text)) if row.get("file")]

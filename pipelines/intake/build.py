"""Create or update a store from plan folders and load the shipped samples (pipelines.store.plans reads the plans
back)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from models.db import create_schema, writing
from pipelines.core.issue import Issue
from pipelines.intake.ingest import IngestRequest, IngestResult, ingest_bytes
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData, split_codes
from pipelines.store.plans import plans_in_store, save_plan, series_view
from pipelines.store.standing_cache import refresh as refresh_standings

MANIFEST = "manifest.csv"


def build_store(engine: Engine, plan_dir: Path, now: dt.datetime | None = None, *, keep: bool = True
                ) -> PlanData | list[Issue]:
    """Check one plan folder and store it in one transaction, leaving every other plan in the store as it was; on any
    problem the store is left as it was."""
    plan = read_plan_folder(plan_dir)
    if isinstance(plan, list):
        return plan
    create_schema(engine)
    with writing(engine) as conn, conn.begin() as transaction:
        problems = save_plan(conn, plan, now or dt.datetime.now())
        if problems:
            transaction.rollback()
            return problems
    if keep:
        refresh_standings(engine, now)
    return plan


def plan_folders(root: Path) -> list[Path]:
    """Every plan folder under a folder of plans (one holding plan.csv), in name order."""
    return sorted(p for p in root.iterdir() if (p / "plan.csv").is_file()) if root.is_dir() else []


def build_stores(engine: Engine, folders: Sequence[Path], now: dt.datetime | None = None
                 ) -> list[tuple[Path, PlanData | list[Issue]]]:
    """Load several plan folders, each in its own transaction, earliest start first (a plan's previous plan is then
    in the store before it); each folder with what it loaded or its problems."""
    read = [(folder, read_plan_folder(folder)) for folder in folders]
    ordered = sorted(read, key=lambda fp: (0, fp[1].info.start_period.start_time, fp[1].info.code)
                     if isinstance(fp[1], PlanData) else (1, 0.0, fp[0].name))
    out: list[tuple[Path, PlanData | list[Issue]]] = []
    for folder, plan in ordered:
        out.append((folder, plan if isinstance(plan, list) else build_store(engine, folder, now, keep=False)))
    refresh_standings(engine, now)
    return out


def load_samples(
    engine: Engine, samples_dir: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[IngestResult]:
    """Ingest the sample submissions in the order and with the senders and times their manifest gives, each checked
    against every plan in the store. A file reports for the plans its manifest row names (column `plans`); it is
    loaded when the store holds them all, so a store of the 2023–2025 plan alone gets that plan's files alone."""
    with engine.connect() as conn:
        series = series_view(conn)
        loaded = {p.code for p in plans_in_store(conn)}
    if series is None:
        return []
    entries = [e for e in _manifest(samples_dir) if set(split_codes(e.get("plans") or "")) <= loaded]
    results = []
    for number, entry in enumerate(entries, start=1):
        if progress:
            progress(number, len(entries), entry["file"])
        when = dt.datetime.fromisoformat(entry["submitted_at"])
        results.append(ingest_bytes(
            engine, series, IngestRequest(entry["file"], (samples_dir / entry["file"]).read_bytes(),
            department=entry.get("department") or None, submitter=entry.get("submitter") or None,
            channel="sample", submitted_at=when, today=when.date(), keep_standings=False)))
    refresh_standings(engine)
    return results


def _manifest(samples_dir: Path) -> list[dict[str, str]]:
    text = (samples_dir / MANIFEST).read_text(encoding="utf-8-sig")
    return [row for row in csv.DictReader(io.StringIO(text)) if row.get("file")]

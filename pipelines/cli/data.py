"""Command-line verbs for the store's contents: build (the plan, and the samples), ingest (department files), export."""
from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from models.queries import read_current_values
from pipelines.cli.base import (
    EXIT_OK,
    EXIT_REJECTED,
    UsageError,
    Verbs,
    db_option,
    engine_for,
    period_arg,
    plan_option,
    safe_url,
    stored_plan,
    stored_series,
)
from pipelines.core.catalog import t
from pipelines.core.config import PLANS_DIR, SAMPLES_DIR
from pipelines.core.issue import Issue
from pipelines.intake.build import build_stores, load_samples, plan_folders
from pipelines.intake.ingest import REJECTED, IngestRequest, IngestResult, ingest_bytes
from pipelines.present.export import build_export, to_csv_bytes, to_xlsx_bytes
from pipelines.store.standings import plan_values


def register(verbs: Verbs) -> None:
    db = db_option()
    build = verbs.add_parser("build", help=t("cli.build", "zh"), parents=[db])
    build.add_argument("--plan", type=Path, action="append", dest="plans")
    build.add_argument("--samples", action="store_true")
    build.set_defaults(handler=_cmd_build)
    ingest = verbs.add_parser("ingest", help=t("cli.ingest", "zh"), parents=[db])
    ingest.add_argument("files", nargs="+", type=Path)
    ingest.add_argument("--department")
    ingest.add_argument("--submitter")
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(handler=_cmd_ingest)
    export = verbs.add_parser("export", help=t("cli.export", "zh"), parents=[db, plan_option()])
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--as-of")
    export.add_argument("--out", type=Path)
    export.set_defaults(handler=_cmd_export)


def _cmd_build(args: Namespace) -> int:
    """Load the plan folders named (every folder under data/plans/ when none is), leaving other plans as they are."""
    engine = engine_for(args.db)
    folders = args.plans or plan_folders(PLANS_DIR)
    for folder in folders:
        if not (folder / "plan.csv").is_file():
            raise UsageError(t("cli.no-plan-dir", args.lang, path=folder))
    if not folders:
        raise UsageError(t("cli.no-plan-dir", args.lang, path=PLANS_DIR))
    refused = 0
    for folder, plan in build_stores(engine, folders):
        if isinstance(plan, list):
            print(t("cli.plan-refused-folder", args.lang, folder=folder.name, n=len(plan)))
            _print_issues(plan, args.lang)
            refused += 1
            continue
        print(t("cli.plan-loaded", args.lang, code=plan.info.code, actions=len(plan.actions),
                sub_items=len(plan.sub_items), indicators=len(plan.indicators), url=safe_url(args.db)))
    if refused:
        print(t("cli.plan-refused", args.lang, n=refused))
        return EXIT_REJECTED
    if not args.samples:
        return EXIT_OK
    results = load_samples(engine, SAMPLES_DIR, progress=lambda n, total, name: print(
        f"  [{n}/{total}] {name}", file=sys.stderr))
    for result in results:
        _print_result(result, args.lang)
    return EXIT_OK if all(r.outcome != REJECTED for r in results) else EXIT_REJECTED


def _cmd_ingest(args: Namespace) -> int:
    engine = engine_for(args.db)
    plan = stored_series(engine, args.lang)
    if args.department and args.department not in {d.code for d in plan.departments}:
        raise UsageError(t("cli.unknown-department", args.lang, code=args.department))
    for path in args.files:  # every file checked before any is ingested, so a typo does not leave half a batch in
        if not path.is_file():
            raise UsageError(t("cli.no-file", args.lang, path=path))
    results = []
    for number, path in enumerate(args.files, start=1):
        if len(args.files) > 1 and not args.json:
            print(f"[{number}/{len(args.files)}] {path.name}", file=sys.stderr)
        request = IngestRequest(path.name, path.read_bytes(), department=args.department, submitter=args.submitter)
        results.append(ingest_bytes(engine, plan, request))
    if args.json:
        print(json.dumps([r.as_dict(args.lang) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(result, args.lang)
    return EXIT_OK if all(r.outcome != REJECTED for r in results) else EXIT_REJECTED


def _cmd_export(args: Namespace) -> int:
    as_of = period_arg(args.as_of, args.lang)
    engine = engine_for(args.db)
    plan = stored_plan(engine, args.lang, args.plan_code) if args.plan_code else stored_series(engine, args.lang)
    with engine.connect() as conn:
        current = read_current_values(conn)
    frame = build_export(plan_values(current, plan) if args.plan_code else current, plan, as_of)
    data = to_xlsx_bytes(frame) if args.format == "xlsx" else to_csv_bytes(frame)
    if args.out:
        args.out.write_bytes(data)
        print(t("cli.exported", args.lang, n=len(frame), path=args.out), file=sys.stderr)
    elif args.format == "xlsx":
        raise UsageError(t("cli.xlsx-needs-out", args.lang))
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return EXIT_OK


def _print_result(result: IngestResult, lang: str) -> None:
    c = result.counts
    if result.outcome == REJECTED:
        print(t("cli.file-rejected", lang, file=result.file_name, hard=len(result.hard), soft=len(result.soft)))
        _print_group("cli.hard-group", result.hard, lang)
        _print_group("cli.soft-group", result.soft, lang)
    elif result.note is not None:
        print(f"{result.file_name}: {result.note.message(lang)}")
    else:
        print(t("cli.file-accepted", lang, file=result.file_name, id=result.submission_id, new=c.get("new", 0),
                revised=c.get("revised", 0), unchanged=c.get("unchanged", 0)))
    _print_group("cli.explained-group", result.explained, lang)


def _print_group(key: str, issues: tuple[Issue, ...], lang: str) -> None:
    if issues:
        print("  " + t(key, lang, n=len(issues)))
        for issue in issues:
            print("    - " + issue.message(lang))


def _print_issues(issues: list[Issue], lang: str) -> None:
    for issue in issues:
        print("  - " + issue.message(lang))

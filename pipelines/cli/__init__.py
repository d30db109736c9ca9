"""The command-line verbs: parse arguments, call the pipelines, print readable reports; no tracebacks for bad input."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from models.db import create_schema, database_url, make_engine
from models.queries import read_current_values
from pipelines.build import build_store, load_samples
from pipelines.catalog import t
from pipelines.config import PLAN_DIR, SAMPLES_DIR
from pipelines.export import build_export, to_csv_bytes, to_xlsx_bytes
from pipelines.ingest import REJECTED, IngestResult, ingest_bytes
from pipelines.issue import Issue
from pipelines.periods import parse_period
from pipelines.persist import plan_from_store

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called: shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pipelines", description=t("cli.description", "zh"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    build = verbs.add_parser("build", help=t("cli.build", "zh"))
    build.add_argument("--plan", type=Path, default=PLAN_DIR)
    build.add_argument("--db")
    build.add_argument("--samples", action="store_true")
    ingest = verbs.add_parser("ingest", help=t("cli.ingest", "zh"))
    ingest.add_argument("files", nargs="+", type=Path)
    ingest.add_argument("--department")
    ingest.add_argument("--submitter")
    ingest.add_argument("--db")
    ingest.add_argument("--json", action="store_true")
    export = verbs.add_parser("export", help=t("cli.export", "zh"))
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--as-of")
    export.add_argument("--out", type=Path)
    export.add_argument("--db")
    for verb in _extra_verbs():
        verb(verbs)
    return parser


_EXTRA_VERB_MODULES = ("pipelines.cli_progress", "pipelines.cli_users", "pipelines.cli_briefing",
                       "pipelines.cli_migrate")


def _extra_verbs() -> list:  # type: ignore[type-arg]
    """Verbs of other areas (progress, users, briefing) register themselves: each module has register(verbs)."""
    import importlib

    found = []
    for name in _EXTRA_VERB_MODULES:
        try:
            found.append(importlib.import_module(name).register)
        except ModuleNotFoundError as error:
            if error.name != name:  # the module exists but something it needs is missing: a real bug
                raise
    return found


def run(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        return args.handler(args) if hasattr(args, "handler") else _VERBS[args.verb](args)
    except UsageError as error:
        print(f"{t('cli.usage-error', 'zh')}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as error:
        print(t("cli.store-error", "zh", url=_safe_url(getattr(args, "db", None)), reason=type(error).__name__),
              file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # a file or folder that cannot be read or written (--out, --db): one line, no traceback
        print(t("cli.os-error", "zh", path=error.filename or "", reason=error.strerror or type(error).__name__),
              file=sys.stderr)
        return EXIT_USAGE


def _engine(url: str | None) -> Engine:
    """The store's engine; a URL whose database driver is not installed is a usage error, not a traceback."""
    try:
        return make_engine(url)
    except ImportError as error:
        raise UsageError(t("cli.store-error", "zh", url=_safe_url(url), reason=type(error).__name__)) from None


def _safe_url(cli_url: str | None) -> str:
    url = database_url(cli_url)
    return url.split("@")[-1] if "@" in url else url  # never print a password


def _cmd_build(args: argparse.Namespace) -> int:
    engine = _engine(args.db)
    if not args.plan.is_dir():
        raise UsageError(t("cli.no-plan-dir", args.lang, path=args.plan))
    plan = build_store(engine, args.plan)
    if isinstance(plan, list):
        _print_issues(plan, args.lang)
        print(t("cli.plan-refused", args.lang, n=len(plan)))
        return EXIT_REJECTED
    print(t("cli.plan-loaded", args.lang, code=plan.info.code, actions=len(plan.actions),
            sub_items=len(plan.sub_items), indicators=len(plan.indicators), url=_safe_url(args.db)))
    if not args.samples:
        return EXIT_OK
    results = load_samples(engine, plan, SAMPLES_DIR, progress=lambda n, total, name: print(
        f"  [{n}/{total}] {name}", file=sys.stderr))
    for result in results:
        _print_result(result, args.lang)
    return EXIT_OK if all(r.outcome != REJECTED for r in results) else EXIT_REJECTED


def _stored_plan(engine, lang: str):  # type: ignore[no-untyped-def]
    create_schema(engine)
    with engine.connect() as conn:
        plan = plan_from_store(conn)
    if plan is None:
        raise UsageError(t("cli.empty-store", lang))
    return plan


def _cmd_ingest(args: argparse.Namespace) -> int:
    engine = _engine(args.db)
    plan = _stored_plan(engine, args.lang)
    if args.department and args.department not in {d.code for d in plan.departments}:
        raise UsageError(t("cli.unknown-department", args.lang, code=args.department))
    for path in args.files:  # every file checked before any is ingested, so a typo does not leave half a batch in
        if not path.is_file():
            raise UsageError(t("cli.no-file", args.lang, path=path))
    results = []
    for number, path in enumerate(args.files, start=1):
        if len(args.files) > 1 and not args.json:
            print(f"[{number}/{len(args.files)}] {path.name}", file=sys.stderr)
        results.append(ingest_bytes(engine, plan, path.name, path.read_bytes(), department=args.department,
                                    submitter=args.submitter))
    if args.json:
        print(json.dumps([r.as_dict(args.lang) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(result, args.lang)
    return EXIT_OK if all(r.outcome != REJECTED for r in results) else EXIT_REJECTED


def _cmd_export(args: argparse.Namespace) -> int:
    as_of = parse_period(args.as_of) if args.as_of else None
    if args.as_of and as_of is None:
        raise UsageError(t("cli.bad-period", args.lang, value=args.as_of))
    engine = _engine(args.db)
    plan = _stored_plan(engine, args.lang)
    with engine.connect() as conn:
        frame = build_export(read_current_values(conn), plan, as_of)
    data = to_xlsx_bytes(frame) if args.format == "xlsx" else to_csv_bytes(frame)
    if args.out:
        args.out.write_bytes(data)
        print(t("cli.exported", args.lang, n=len(frame), path=args.out), file=sys.stderr)
    elif args.format == "xlsx":
        raise UsageError(t("cli.xlsx-needs-out", args.lang))
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return EXIT_OK


_VERBS = {"build": _cmd_build, "ingest": _cmd_ingest, "export": _cmd_export}


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

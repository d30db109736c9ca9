"""Command-line verb: migrate-store --from URL --to URL [--json] [--verify-only] — copy a whole store to another
database (typically the SQLite file to PostgreSQL) and show, table by table, that the copy equals the original.

Exit codes: 0 copied and verified; 1 refused (target holds data, source behind or missing, database unreachable),
copy failed or verification failed (the target is then left empty); 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from models.db import make_engine
from pipelines.cli.base import UsageError, Verbs
from pipelines.core.catalog import t
from pipelines.store.migrate_store import MigrationRefused, MigrationReport, migrate_store, safe_url, verify_stores

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROGRESS_ROWS = 100_000
CONNECT_TIMEOUT_S = 10  # an unreachable PostgreSQL server is reported after this long, not waited for forever
PG_TIMEOUT_ENV = "PGCONNECT_TIMEOUT"


def register(verbs: Verbs) -> None:
    migrate = verbs.add_parser("migrate-store", help=t("cli.migrate-store", "zh"))
    migrate.add_argument("--from", dest="source", required=True, metavar="URL")
    migrate.add_argument("--to", dest="target", required=True, metavar="URL")
    migrate.add_argument("--json", action="store_true")
    migrate.add_argument("--verify-only", action="store_true", help=t("cli.migrate-verify-only", "zh"))
    migrate.set_defaults(handler=_cmd_migrate)


class _Failed(Exception):
    """A message for the user and exit code 1."""


def _cmd_migrate(args: argparse.Namespace) -> int:
    saved = os.environ.get(PG_TIMEOUT_ENV)
    os.environ.setdefault(PG_TIMEOUT_ENV, str(CONNECT_TIMEOUT_S))  # libpq's own setting; the URL stays as given
    try:
        return _migrate(args)
    finally:
        if saved is None:
            os.environ.pop(PG_TIMEOUT_ENV, None)


def _migrate(args: argparse.Namespace) -> int:
    lang = args.lang
    source = target = None
    try:
        source = _engine(args.source, "source", lang, must_exist=True)
        target = _engine(args.target, "target", lang, must_exist=args.verify_only)
        _reachable(source, "source", lang)
        _reachable(target, "target", lang)
        if args.verify_only:
            report = verify_stores(source, target)
        else:
            progress = None if args.json else _progress(lang)
            report = migrate_store(source, target, progress=progress)
    except MigrationRefused as refusal:
        return _fail(refusal.message(lang), args.json)
    except _Failed as failure:
        return _fail(str(failure), args.json)
    except SQLAlchemyError as error:  # the copy stopped half-way: its transaction was rolled back
        return _fail(t("cli.migrate-failed", lang, reason=_reason(error)), args.json)
    finally:
        for engine in (source, target):
            if engine is not None:
                engine.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, lang, args.verify_only)
    return EXIT_OK if report.ok else EXIT_FAILED


def _engine(url: str, which: str, lang: str, *, must_exist: bool) -> Engine:
    """An engine for a URL given on the command line; a malformed URL or a missing driver is a usage error."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(t("cli.migrate-bad-url", lang, url=url)) from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if must_exist and (not path or path == ":memory:" or not Path(path).is_file()):
            raise _Failed(t("cli.migrate-no-file", lang, which=t(f"cli.migrate-{which}", lang), path=path))
    try:
        return make_engine(parsed.render_as_string(hide_password=False))
    except OSError as error:  # a SQLite file's folder that cannot be made
        raise _Failed(t("cli.migrate-unreachable", lang, which=t(f"cli.migrate-{which}", lang),
                        url=parsed.render_as_string(hide_password=True),
                        reason=error.strerror or type(error).__name__)) from None
    except (ImportError, ArgumentError) as error:
        raise UsageError(t("cli.migrate-bad-url", lang, url=parsed.render_as_string(hide_password=True))
                         + f" ({type(error).__name__})") from None


def _reachable(engine: Engine, which: str, lang: str) -> None:
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        raise _Failed(t("cli.migrate-unreachable", lang, which=t(f"cli.migrate-{which}", lang), url=safe_url(engine),
                        reason=_reason(error))) from None


def _reason(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


def _fail(message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"ok": False, "copied": False, "error": message}, ensure_ascii=False, indent=2))
    else:
        print(message, file=sys.stderr)
    return EXIT_FAILED


def _progress(lang: str) -> Callable[[str, int], None]:
    """A line on stderr every PROGRESS_ROWS rows of a table, so a long copy shows it is moving."""
    done: dict[str, int] = {}

    def report(table: str, rows: int) -> None:
        before = done.get(table, 0)
        done[table] = before + rows
        if done[table] // PROGRESS_ROWS > before // PROGRESS_ROWS:
            print(t("cli.migrate-copying", lang, table=table, rows=done[table]), file=sys.stderr)

    return report


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _print_report(report: MigrationReport, lang: str, verify_only: bool) -> None:
    print(t("cli.migrate-title", lang, source=report.source, target=report.target))
    header = [t(key, lang) for key in ("cli.migrate-col-table", "cli.migrate-col-rows", "cli.migrate-col-target-rows",
                                       "cli.migrate-col-checksum", "cli.migrate-col-result")]
    lines = [[c.table, str(c.rows), str(c.target_rows), c.checksum[:16],
              t("cli.migrate-same" if c.ok else "cli.migrate-differs", lang)] for c in report.tables]
    widths = [max(_width(row[i]) for row in [header, *lines]) for i in range(len(header))]
    for row in [header, *lines]:
        print("  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip())
    if report.ok:
        key = "cli.migrate-verified" if verify_only else "cli.migrate-done"
        print(t(key, lang, tables=len(report.tables), rows=report.rows))
    else:
        key = "cli.migrate-verify-differs" if verify_only else "cli.migrate-verify-failed"
        print(t(key, lang, tables="、".join(report.failed)))

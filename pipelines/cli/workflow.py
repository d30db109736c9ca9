"""Command-line verbs for the browser's workflow, for the server's operator: submit (a file queued exactly as 上报
does), review list | approve | return | withdraw, and history (one indicator's public revision history).

Each verb acts with the rights of the account it names (--user), through the same functions as the pages, so a
refusal here is the refusal the page gives. `ingest` stays the commission's direct load.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from argparse import Namespace
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from models.queries import read_history
from models.submissions import read_submission_list
from pipelines.cli.base import EXIT_OK, EXIT_REJECTED, UsageError, Verbs, db_option, engine_for, stored_series
from pipelines.core.catalog import t
from pipelines.intake.ingest import ACCEPTED, IngestResult
from pipelines.present.story import history_records
from pipelines.workflow.accounts import Refusal, User, read_user
from pipelines.workflow.review import Preview, approve, return_submission, submit_file, withdraw

LIST_FIELDS = ("id", "status", "department", "submitter", "file_name", "submitted_at")


def register(verbs: Verbs) -> None:
    db = db_option()
    submit = verbs.add_parser("submit", help=t("cli.submit", "zh"), parents=[db])
    submit.add_argument("file", type=Path)
    submit.add_argument("--user", required=True)
    submit.add_argument("--department")
    submit.set_defaults(handler=_cmd_submit)
    review = verbs.add_parser("review", help=t("cli.review", "zh"))  # --db after the action: review list --db …
    actions = review.add_subparsers(dest="action", required=True, parser_class=type(review))
    listing = actions.add_parser("list", help=t("cli.review-list", "zh"), parents=[db])
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("--status", default="pending", help="pending|approved|returned|withdrawn|all")
    for name in ("approve", "return", "withdraw"):
        decide = actions.add_parser(name, help=t(f"cli.review-{name}", "zh"), parents=[db])
        decide.add_argument("id", type=int)
        decide.add_argument("--user", required=True)
        decide.add_argument("--comment", required=name == "return", default="")
    review.set_defaults(handler=_cmd_review)
    history = verbs.add_parser("history", help=t("cli.history", "zh"), parents=[db])
    history.add_argument("--code", required=True)
    history.add_argument("--format", choices=("table", "csv", "json"), default="table")
    history.set_defaults(handler=_cmd_history)


def _account(engine: Engine, username: str, lang: str) -> User:
    user = read_user(engine, username)
    if user is None:
        raise UsageError(t("cli.no-such-user", lang, username=username))
    return user


def _cmd_submit(args: Namespace) -> int:
    engine = engine_for(args.db)
    plan = stored_series(engine, args.lang)
    if not args.file.is_file():
        raise UsageError(t("cli.no-file", args.lang, path=args.file))
    user = _account(engine, args.user, args.lang)
    # the department the form header names, else the account's own when it reports for only one
    department = args.department or (user.departments[0] if len(user.departments) == 1 else None)
    result = submit_file(engine, plan, user, args.file.name, args.file.read_bytes(), department=department)
    if isinstance(result, Refusal):
        print(result.message(args.lang))
        return EXIT_REJECTED
    if isinstance(result, Preview):
        print(t("cli.file-rejected", args.lang, file=args.file.name, hard=len(result.hard), soft=len(result.soft)))
        for issue in (*result.hard, *result.soft):
            print("    - " + issue.message(args.lang))
        return EXIT_REJECTED
    return _receipt(result, args.lang)


def _receipt(result: IngestResult, lang: str) -> int:
    if result.outcome != ACCEPTED:
        print(result.note.message(lang) if result.note else t("submit.nothing-changed", lang))
        return EXIT_REJECTED
    c = result.counts
    print(t("cli.submitted", lang, id=result.submission_id, new=c.get("new", 0), revised=c.get("revised", 0),
            unchanged=c.get("unchanged", 0), skipped=c.get("skipped", 0)))
    return EXIT_OK


def _cmd_review(args: Namespace) -> int:
    engine = engine_for(args.db)
    if args.action == "list":
        with engine.connect() as conn:
            frame = read_submission_list(conn, status=None if args.status == "all" else args.status)
        rows = [{k: _plain(v) for k, v in zip(LIST_FIELDS, r)}
                for r in frame[list(LIST_FIELDS)].itertuples(index=False)]
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            _print_table(rows, LIST_FIELDS)
        return EXIT_OK
    user = _account(engine, args.user, args.lang)
    if args.action == "approve":
        outcome = approve(engine, user, args.id, comment=args.comment)
    elif args.action == "return":
        outcome = return_submission(engine, user, args.id, args.comment)
    else:
        outcome = withdraw(engine, user, args.id, comment=args.comment)
    if isinstance(outcome, Refusal):
        print(outcome.message(args.lang))
        return EXIT_REJECTED
    done = {"approve": "review.approved", "return": "review.returned", "withdraw": "review.withdrawn"}[args.action]
    print(t(done, args.lang, id=args.id))
    return EXIT_OK


def _cmd_history(args: Namespace) -> int:
    engine = engine_for(args.db)
    plan = stored_series(engine, args.lang)
    if args.code not in {i.code for i in plan.indicators}:
        raise UsageError(t("cli.unknown-indicator", args.lang, code=args.code))
    with engine.connect() as conn:
        rows = history_records(read_history(conn, args.code))
    fields = ("period", "value", "revision", "department", "submitter", "file", "submitted_at", "note")
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(out.getvalue())
    else:
        _print_table(rows, fields)
    return EXIT_OK


def _plain(value: object) -> object:
    """A cell as JSON can carry it: times as ISO text, numpy numbers as Python numbers, missing as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ", timespec="seconds")
    return value.item() if hasattr(value, "item") else value


def _print_table(rows: list[dict[str, object]], fields: tuple[str, ...]) -> None:
    """Tab-separated with a header line: readable in a terminal, and pasteable into a spreadsheet."""
    print("\t".join(fields))
    for row in rows:
        print("\t".join("" if row[f] is None else str(row[f]) for f in fields))

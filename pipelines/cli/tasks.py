"""Command-line verb `tasks`: a plan's 重点任务 ledger as of a quarter and today — each task's state, deadline, owner,
latest approved 进展情况 and its quarter — as a table or JSON."""
from __future__ import annotations

import argparse
import json

import pandas as pd

from pipelines.cli.base import UsageError, Verbs, db_option, engine_for, period_arg, plan_code, plan_option
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.present.tables import localise
from pipelines.present.tasks import (
    LEDGER_COLUMNS,
    counts_line,
    ledger_counts,
    ledger_day,
    ledger_quarter,
    ledger_records,
    ledger_rows,
)
from pipelines.store.plans import plan_from_store
from pipelines.store.tasks import read_task_reports


def register(verbs: Verbs) -> None:
    tasks = verbs.add_parser("tasks", help=t("cli.tasks", "zh"), parents=[db_option(), plan_option()])
    tasks.add_argument("--as-of")
    tasks.add_argument("--format", choices=("table", "json"), default="table")
    tasks.set_defaults(handler=_cmd_tasks)


def _cmd_tasks(args: argparse.Namespace) -> int:
    engine = engine_for(args.db)
    code = plan_code(engine, args.plan_code, args.lang)
    day = today()
    with engine.connect() as conn:
        plan = plan_from_store(conn, code)
        if plan is None:
            raise UsageError(t("cli.empty-store", args.lang))
        reports = read_task_reports(conn, [task.code for task in plan.tasks])
    as_of = period_arg(args.as_of, args.lang) or ledger_quarter(plan.info.end_period, day)
    rows = ledger_rows(plan, reports, as_of, day, args.lang)
    if args.format == "json":
        judged = ledger_day(as_of, day, plan.info.due_days)
        print(json.dumps({"plan": code, "as_of": as_of.code, "day": judged.isoformat(),
                          "rows": ledger_records(rows, plan)}, ensure_ascii=False, indent=2))
        return 0
    print(counts_line(ledger_counts(rows), args.lang))
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 40, "display.width", 220):
        print(localise(rows[list(LEDGER_COLUMNS)], args.lang).to_string(index=False))
    return 0

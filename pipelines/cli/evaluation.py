"""Command-line verb `evaluation`: a plan's 总结评估 (ended plan) or 中期评估 (as of a quarter) as a table or JSON, and
with --out the report as DOCX in 公文 form, its tables as XLSX and the report as PDF."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from pipelines.cli.base import UsageError, Verbs, db_option, engine_for, period_arg, plan_code, plan_option
from pipelines.core.catalog import t
from pipelines.core.config import today

EXIT_OK, EXIT_SETUP = 0, 2


def register(verbs: Verbs) -> None:
    evaluation = verbs.add_parser("evaluation", help=t("cli.evaluation", "zh"), parents=[db_option(), plan_option()])
    evaluation.add_argument("--kind", choices=("final", "midterm"))
    evaluation.add_argument("--as-of")
    evaluation.add_argument("--format", choices=("table", "json"), default="table")
    evaluation.add_argument("--out", type=Path)
    evaluation.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS)
    evaluation.set_defaults(handler=_cmd_evaluation)


def _cmd_evaluation(args: argparse.Namespace) -> int:
    from pipelines.briefing.evaluation import EvaluationRefused, read_report  # document libraries: when asked for
    from pipelines.briefing.images import SetupError
    from pipelines.present.evaluation import evaluation_records

    engine = engine_for(args.db)
    code = plan_code(engine, args.plan_code, args.lang)
    try:
        report = read_report(engine, code, args.kind, period_arg(args.as_of, args.lang), args.lang, today())
    except EvaluationRefused as refusal:
        raise UsageError(str(refusal)) from None
    if report is None:
        raise UsageError(t("cli.empty-store", args.lang))
    if args.out is not None:
        from pipelines.briefing.evaluation_files import write_evaluation

        try:
            files = write_evaluation(report, args.out)
        except SetupError as error:  # no CJK font or no chromium: what to install, in one line
            print(str(error), file=sys.stderr)
            return EXIT_SETUP
        print(t("cli.evaluation-done", args.lang, title=report.title, folder=args.out))
        for path in (files.docx, files.xlsx, files.pdf):
            print(f"  {path}")
        return EXIT_OK
    records = evaluation_records(report.evaluation)
    if args.format == "json":
        print(json.dumps({"plan": code, "kind": report.kind, "as_of": report.evaluation.as_of.code,
                          "rows": records}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(report.title)
    print(report.overall[1])
    frame = report.table.copy()
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 40, "display.width", 220):
        print(frame.to_string(index=False))
    return EXIT_OK

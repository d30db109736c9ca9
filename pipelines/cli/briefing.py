"""Command-line verb `briefing`: write a quarter's briefing pack (PPTX, PDF, 通报 DOCX, chart PNGs) to a folder."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.db import create_schema
from pipelines.cli.base import UsageError, Verbs, db_option, engine_for, period_arg, plan_code, plan_option
from pipelines.core.catalog import t

EXIT_OK, EXIT_SETUP = 0, 2


def register(verbs: Verbs) -> None:
    db = db_option()
    briefing = verbs.add_parser("briefing", help=t("briefing.cli-help", "zh"), parents=[db, plan_option()])
    briefing.add_argument("--as-of", required=True)
    briefing.add_argument("--out", type=Path)
    # SUPPRESS: without --lang here the verb keeps the one given before it (python -m pipelines --lang en briefing)
    briefing.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS)
    briefing.set_defaults(handler=_cmd_briefing)


def _cmd_briefing(args: argparse.Namespace) -> int:
    from pipelines.briefing import make_briefing  # chart and document libraries: loaded when asked for
    from pipelines.briefing.images import SetupError

    as_of = period_arg(args.as_of, args.lang)
    assert as_of is not None
    engine = engine_for(args.db)
    create_schema(engine)
    out = args.out or Path("briefing") / as_of.code
    try:
        files = make_briefing(engine, as_of, out, args.lang, plan_code=plan_code(engine, args.plan_code, args.lang))
    except SetupError as error:  # no CJK font or no chromium: what to install, in one line, no traceback
        print(str(error), file=sys.stderr)
        return EXIT_SETUP
    if files is None:
        raise UsageError(t("cli.empty-store", args.lang))
    print(t("briefing.cli-done", args.lang, seconds=f"{files.seconds['total']:.1f}", folder=out))
    for path in (files.pptx, files.pdf, files.docx, *files.charts):
        print(f"  {path}")
    return EXIT_OK

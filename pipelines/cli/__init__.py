"""The command line: parse arguments, call the pipelines, print readable reports; no tracebacks for bad input.

Each verb group is a module with register(verbs); this package lists them, so every verb is found without a lookup.
"""
from __future__ import annotations

import sys

from sqlalchemy.exc import SQLAlchemyError

from pipelines.cli import briefing, data, evaluation, migrate, progress, tasks, users, workflow
from pipelines.cli.base import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, Parser, UsageError, safe_url
from pipelines.core.catalog import t

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "VERB_GROUPS", "UsageError", "parser", "run"]

VERB_GROUPS = (data, workflow, progress, tasks, users, briefing, evaluation, migrate)


def parser() -> Parser:
    """The whole command line: --lang, then one verb of the groups in VERB_GROUPS."""
    top = Parser(prog="python -m pipelines", description=t("cli.description", "zh"))
    top.add_argument("--lang", choices=("zh", "en"), default="zh")
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=Parser)
    for group in VERB_GROUPS:
        group.register(verbs)
    return top


def run(argv: list[str]) -> int:
    args = None
    try:
        args = parser().parse_args(argv)
        code: int = args.handler(args)
        return code
    except UsageError as error:
        print(f"{t('cli.usage-error', 'zh')}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as error:
        print(t("cli.store-error", "zh", url=safe_url(getattr(args, "db", None)), reason=type(error).__name__),
              file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # a file or folder that cannot be read or written (--out, --db): one line, no traceback
        print(t("cli.os-error", "zh", path=error.filename or "", reason=error.strerror or type(error).__name__),
              file=sys.stderr)
        return EXIT_USAGE

"""What every verb shares: exit codes, the usage error, the parser that raises it, the --db option and the store."""
from __future__ import annotations

import argparse
from typing import NoReturn

from sqlalchemy import Engine

from models.db import create_schema, database_url, make_engine
from pipelines.core.catalog import t
from pipelines.core.config import today
from pipelines.core.periods import Period, parse_period
from pipelines.plan.records import PlanData
from pipelines.store.plans import default_plan, plan_from_store, plans_in_store, series_view

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

Verbs = argparse._SubParsersAction  # what a verb module's register() adds its verbs to


class UsageError(Exception):
    """A mistake in how the command was called: shown as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a mistake raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def db_option() -> Parser:
    """The --db option every verb that opens the store takes (a parent parser: argparse's `parents=`)."""
    parent = Parser(add_help=False)
    parent.add_argument("--db", help=t("cli.db-help", "zh"))
    return parent


def engine_for(url: str | None) -> Engine:
    """The store's engine; a URL whose database driver is not installed is a usage error, not a traceback."""
    try:
        return make_engine(url)
    except ImportError as error:
        raise UsageError(t("cli.store-error", "zh", url=safe_url(url), reason=type(error).__name__)) from None


def safe_url(cli_url: str | None) -> str:
    url = database_url(cli_url)
    return url.split("@")[-1] if "@" in url else url  # never print a password


def plan_option() -> Parser:
    """--plan CODE for the verbs that speak of one plan (a parent parser); without it, the dashboard's default."""
    parent = Parser(add_help=False)
    parent.add_argument("--plan", dest="plan_code", help=t("cli.plan-help", "zh"))
    return parent


def plan_code(engine: Engine, code: str | None, lang: str) -> str:
    """The plan a verb speaks of: the one named (an unknown code is a usage error), else the dashboard's default as of
    today — the plan in force with the latest start, else the latest ended one."""
    create_schema(engine)
    with engine.connect() as conn:
        plans = plans_in_store(conn)
    if not plans:
        raise UsageError(t("cli.empty-store", lang))
    if code is not None:
        if code not in {p.code for p in plans}:
            raise UsageError(t("cli.unknown-plan", lang, code=code, plans="、".join(p.code for p in plans)))
        return code
    chosen = default_plan(plans, today()) or plans[-1]  # a draft only when named, or when nothing else is there
    assert chosen is not None  # plans is not empty
    return chosen.code


def stored_plan(engine: Engine, lang: str, code: str | None = None) -> PlanData:
    """One plan of the store (see plan_code); a store without plans is a usage error (build it first)."""
    chosen = plan_code(engine, code, lang)
    with engine.connect() as conn:
        plan = plan_from_store(conn, chosen)
    assert plan is not None  # plan_code found it
    return plan


def stored_series(engine: Engine, lang: str) -> PlanData:
    """Every series of every plan, as a department's file is checked against them."""
    create_schema(engine)
    with engine.connect() as conn:
        series = series_view(conn)
    if series is None:
        raise UsageError(t("cli.empty-store", lang))
    return series


def period_arg(text: str | None, lang: str) -> Period | None:
    """A period given on the command line (None when not given); one that cannot be read is a usage error."""
    if text is None:
        return None
    period = parse_period(text)
    if period is None:
        raise UsageError(t("cli.bad-period", lang, value=text))
    return period

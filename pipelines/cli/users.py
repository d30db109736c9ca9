"""Command-line verbs for local accounts: users add | list | disable | passwd | reset | demo (the 演示账号 for the
sample data). Passwords are prompted or read from KPI_NEW_PASSWORD, never arguments, and must pass the policy."""
from __future__ import annotations

import argparse
import getpass
import os

from sqlalchemy import Engine

from models.db import create_schema
from pipelines.cli.base import Verbs, engine_for
from pipelines.core.catalog import t
from pipelines.workflow.accounts import (
    DEMO_PASSWORD,
    ROLES,
    Refusal,
    add_user,
    ensure_demo_accounts,
    list_users,
    set_active,
    set_password,
)

PASSWORD_ENV = "KPI_NEW_PASSWORD"  # lets scripts set a password without putting it on the command line


def register(verbs: Verbs) -> None:
    users = verbs.add_parser("users", help=t("cli.users", "zh"))
    users.add_argument("--db")
    actions = users.add_subparsers(dest="action", required=True, parser_class=type(users))
    add = actions.add_parser("add", help=t("cli.users-add", "zh"))
    add.add_argument("username")
    add.add_argument("--name", default="")
    add.add_argument("--roles", required=True, help="/".join(ROLES))
    add.add_argument("--departments", default="")
    add.add_argument("--db", dest="db_action")
    actions.add_parser("list", help=t("cli.users-list", "zh")).add_argument("--db", dest="db_action")
    disable = actions.add_parser("disable", help=t("cli.users-disable", "zh"))
    disable.add_argument("username")
    disable.add_argument("--db", dest="db_action")
    # the same new password; a reset's must be replaced by the account at its next sign-in
    for action, help_text in (("passwd", t("cli.users-passwd", "zh")), ("reset", t("cli.users-reset", "zh"))):
        command = actions.add_parser(action, help=help_text)
        command.add_argument("username")
        command.add_argument("--db", dest="db_action")
    actions.add_parser("demo", help=t("cli.users-demo", "zh")).add_argument("--db", dest="db_action")
    users.set_defaults(handler=_cmd_users)


def _engine(args: argparse.Namespace) -> Engine:
    engine = engine_for(getattr(args, "db_action", None) or args.db)
    create_schema(engine)
    return engine


def _cmd_users(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.action == "add":
        password = os.environ.get(PASSWORD_ENV) or _ask_password(args.lang)
        split = lambda text: tuple(p.strip() for p in text.split(",") if p.strip())  # noqa: E731
        made = add_user(engine, args.username, args.name, password, split(args.roles), split(args.departments))
        return _report(made, t("cli.users-added", args.lang, username=args.username), args.lang)
    if args.action == "disable":
        return _report(set_active(engine, args.username, False),
                       t("cli.users-disabled", args.lang, username=args.username), args.lang)
    if args.action in ("passwd", "reset"):
        password = os.environ.get(PASSWORD_ENV) or _ask_password(args.lang)
        reset = args.action == "reset"
        done = (t("cli.users-reset-done", args.lang, username=args.username) if reset
                else t("cli.users-password-set", args.lang, username=args.username))
        return _report(set_password(engine, args.username, password, must_change=reset), done, args.lang)
    if args.action == "demo":
        demo = ensure_demo_accounts(engine)
        print(t("cli.users-demo-made", args.lang, names=", ".join(demo) or "-", password=DEMO_PASSWORD))
        return 0
    for user in list_users(engine):
        flags = (("" if user.active else " [停用/disabled]") + (" [演示账号/demo]" if user.demo else "")
                 + (" [须改密码/must change password]" if user.must_change_password else ""))
        print(f"{user.username}\t{user.display_name}\t{','.join(user.roles)}\t{','.join(user.departments)}{flags}")
    return 0


def _ask_password(lang: str) -> str:
    try:
        return getpass.getpass(t("cli.users-password", lang))
    except EOFError:  # no terminal and no KPI_NEW_PASSWORD: an empty password, refused by the policy
        return ""


def _report(outcome: object, done: str, lang: str) -> int:
    if isinstance(outcome, Refusal):
        print(outcome.message(lang))
        return 1
    print(done)
    return 0

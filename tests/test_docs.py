"""The README and the command line agree: every verb is documented, and every verb (and sub-verb) answers --help."""
from __future__ import annotations

import argparse
import re

import pytest

from pipelines.cli import parser, run
from pipelines.core.config import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


VERBS = sorted(subcommands(parser()))
SUB_VERBS = sorted((verb, sub) for verb, command in subcommands(parser()).items() for sub in subcommands(command))


def test_docs_the_command_line_has_its_verbs() -> None:
    assert {"build", "ingest", "export", "status", "snapshot", "diff", "keep", "users", "briefing",
            "migrate-store"} <= set(VERBS)
    assert ("users", "add") in SUB_VERBS


@pytest.mark.parametrize("verb", VERBS)
def test_docs_the_readme_documents_every_verb(verb: str) -> None:
    assert re.search(rf"^\| `{re.escape(verb)}[ `]", README, re.MULTILINE), f"README's command table lacks {verb}"


@pytest.mark.parametrize("argv", [[v] for v in VERBS] + [list(p) for p in SUB_VERBS], ids=" ".join)
def test_docs_every_verb_answers_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run([*argv, "--help"])

    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m pipelines {' '.join(argv)}")

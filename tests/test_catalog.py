"""The message catalog: every check the code can report has a Chinese and an English text, keys are unique, and an
English text asks for no value that the Chinese text does not (X_en stands in for X in English)."""
from __future__ import annotations

import ast
import csv
import re
import string
from pathlib import Path

import pytest

from pipelines.core.catalog import messages, t
from pipelines.core.config import ROOT
from pipelines.core.periods import FREQUENCIES

CATALOG = ROOT / "pipelines" / "core" / "catalog"
SLUG = re.compile(r"^[a-z]+(?:-[a-z]+)+$")

# The checks the data backbone documents (read → validate → ingest; plan; persist), written out as the spec.
DOCUMENTED_CHECKS = {
    "file-too-large", "empty-file", "macro-workbook", "old-excel-format", "binary-file", "bad-encoding",
    "unreadable-csv", "corrupt-file", "unpacked-too-large", "too-many-columns", "sheet-too-many-columns", "no-header", "missing-column",
    "doubled-column", "no-data-rows", "missing-code", "unknown-indicator", "wrong-department", "missing-period",
    "bad-period", "period-outside-plan", "future-period", "wrong-frequency", "no-values", "not-a-number",
    "not-finite", "percent-for-non-percent", "negative-count", "percent-out-of-range", "milestone-not-binary",
    "duplicate-conflict", "note-too-long", "against-direction", "large-change", "beyond-twice-target",
    "more-problems", "identical-file", "all-unchanged",
    "plan-missing-file", "plan-missing-column", "plan-one-row", "plan-empty", "plan-duplicate-code",
    "plan-unknown-reference", "plan-bad-choice", "plan-bad-number", "plan-bad-period", "plan-target-equals-baseline",
    "plan-annual-decrease", "plan-direction-mismatch", "plan-milestone-values", "plan-period-order",
    "plan-target-after-end", "plan-bad-status-rule", "plan-indicator-in-use", "plan-series-conflict",
    "plan-no-previous-series", "plan-bad-continues", "plan-final-milestone", "period-outside-plans", "plan-bad-share",
    "plan-bad-due", "plan-due-outside-plan", "plan-bad-milestones", "plan-milestone-after-due", "plan-task-code-taken",
    "task-missing-code", "task-unknown", "task-wrong-department", "task-missing-period", "task-bad-period",
    "task-period-outside-plan", "task-future-period", "task-missing-progress", "task-boilerplate-progress",
    "task-text-too-long", "task-missing-state", "task-bad-state", "task-bad-date", "task-date-without-state",
    "task-missing-done-on", "task-done-on-future", "task-missing-new-due", "task-extension-after-deadline",
    "task-new-due-not-later", "task-duplicate-conflict", "task-no-reports", "task-no-header", "task-done-late",
    "task-all-unchanged",
}


def modules() -> list[Path]:
    return sorted((ROOT / "pipelines").rglob("*.py")) + sorted((ROOT / "models").rglob("*.py"))


def constants(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def checks_in_code() -> set[str]:
    """Every slug-shaped string in a module that makes Issues (frequency names such as half-yearly aside)."""
    found: set[str] = set()
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if "make_issue" in names:
            found |= {c for c in constants(tree) if SLUG.match(c) and c not in FREQUENCIES}
    return found


def keys_in_code() -> set[str]:
    """Literal keys passed to t(...) or both(...) anywhere in pipelines/ and models/."""
    keys: set[str] = set()
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"t", "both"} and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def catalog_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for path in sorted(CATALOG.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += [(path.name, r["key"].strip(), r["zh"], r["en"]) for r in csv.DictReader(handle)
                     if r["key"].strip() and not r["key"].startswith("#")]
    return rows


def test_checks_in_code_finds_the_documented_checks() -> None:
    assert checks_in_code() >= DOCUMENTED_CHECKS


@pytest.mark.parametrize("check", sorted(DOCUMENTED_CHECKS | checks_in_code()))
def test_catalog_has_zh_and_en_for_every_check(check: str) -> None:
    entry = messages().get(f"check.{check}")

    assert entry is not None, f"check.{check} is not in pipelines/catalog/*.csv"
    assert entry["zh"].strip() and entry["en"].strip()
    assert re.search(r"[\u4e00-\u9fff]", entry["zh"]), entry["zh"]


def test_catalog_has_every_key_the_code_asks_for() -> None:
    wanted = keys_in_code() | {f"word.{f}" for f in FREQUENCIES} | {"word.increased", "word.decreased"}

    assert sorted(k for k in wanted if k not in messages()) == []


def test_catalog_keys_are_unique_across_files() -> None:
    keys = [(key, name) for name, key, _, _ in catalog_rows()]
    seen: dict[str, str] = {}
    doubles = []
    for key, name in keys:
        if key in seen:
            doubles.append((key, seen[key], name))
        seen.setdefault(key, name)

    assert doubles == []
    assert len(messages()) == len(keys)


@pytest.mark.parametrize("key", sorted(messages()))
def test_catalog_en_asks_only_for_values_the_zh_has(key: str) -> None:
    zh, en = placeholders(messages()[key]["zh"]), placeholders(messages()[key]["en"])

    assert {p for p in en if p not in zh and p.removesuffix("_en") not in zh} == set()


@pytest.mark.parametrize("key", sorted(messages()))
def test_catalog_texts_fill_in_without_error(key: str) -> None:
    for lang in ("zh", "en"):
        text = messages()[key][lang]
        t(key, lang, **{name: "x" for name in placeholders(text)})  # a stray brace raises ValueError here


def test_catalog_unknown_key_is_a_bug() -> None:
    with pytest.raises(KeyError):
        t("check.no-such-check")

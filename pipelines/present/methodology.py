"""The methodology document as the dashboard shows it: the Chinese text, or its English summary, by language, drawn
for readers — each worked example's block (which the tests recompute) as a table of its conditions and results, and
the notes for maintainers (HTML comments) left out."""
from __future__ import annotations

import re

from pipelines.core.catalog import t
from pipelines.core.config import ROOT
from pipelines.core.periods import period_of_code
from pipelines.engine.status_rule import status_name
from pipelines.present.formatting import MISSING

METHODOLOGY = ROOT / "docs" / "methodology.md"
ENGLISH_HEADING = "## English summary"
BLOCK = re.compile(r"```(example|rollup|evaluation)\n(.*?)```", flags=re.S)
COMMENT = re.compile(r"\n?<!--.*?-->\n?", flags=re.S)
# an example's lines in the order a reader follows them: the conditions, then what the engine must find
CONDITIONS = ("evaluation", "kind", "direction", "frequency", "unit", "baseline", "target", "values", "as_of", "rule")
RESULTS = ("status", "conclusion", "completion", "final_value", "first_met", "time_share", "gap_points", "pace_ratio",
           "score", "expected", "projected", "projected_value", "projection_ratio", "likely_to_meet", "overdue",
           "explanation_zh")
WORDS = {"evaluation": "method.evaluation.{}", "kind": "ui.kind.{}", "direction": "method.direction.{}",
         "frequency": "method.frequency.{}", "rule": "rule.{}.name"}


def split_methodology(text: str) -> tuple[str, str]:
    """(Chinese text, English summary): the document keeps its English summary under one heading at the end."""
    head, found, tail = text.partition(ENGLISH_HEADING)
    return head.rstrip(), (found + tail).strip() if found else ""


def methodology_text(lang: str, text: str) -> str:
    """The part of the document for a language; English falls back to the Chinese text when there is no summary."""
    zh, en = split_methodology(text)
    return en if lang == "en" and en else zh


def block_fields(block: str) -> dict[str, str]:
    """`name: value` lines of an example block (the same reading as the tests')."""
    return {key.strip(): value.strip() for key, value in
            (line.split(":", 1) for line in block.strip().splitlines() if ":" in line)}


def _period(code: str, lang: str) -> str:
    try:
        return period_of_code(code.strip()).label(lang)
    except ValueError:
        return code


def _share(text: str) -> str:
    return f"{float(text) * 100:.1f}%"


def _value(name: str, text: str, unit: str, lang: str) -> str:
    """One line of an example as a reader writes it: 40（2021年）, 2023年第四季度：17天, 40.0%, -10.0个百分点."""
    if name in WORDS:
        return t(WORDS[name].format(text), lang)
    if name in ("baseline", "target"):
        value, _, period = text.partition("@")
        return t("method.at", lang, value=f"{value.strip()}{unit}", period=_period(period, lang))
    if name == "values":
        pairs = (item.split("=", 1) for item in text.split(","))
        return t("method.list-separator", lang).join(
            t("method.period-value", lang, period=_period(p, lang), value=f"{v.strip()}{unit}") for p, v in pairs)
    if name in ("as_of", "first_met"):
        return _period(text, lang)
    if name == "status":
        return status_name(text, lang)
    if name in ("completion", "time_share"):
        return _share(text)
    if name == "gap_points":
        return t("ui.fmt.points", lang, value=f"{float(text):+.1f}")
    if name in ("likely_to_meet", "overdue"):
        return t("method.yes" if text == "true" else "method.no", lang)
    if name in ("expected", "projected", "final_value", "projected_value"):
        return f"{text}{unit}"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def example_table(block: str, lang: str) -> str:
    """An example block as a two-column Markdown table: 条件 rows, then 结果 rows."""
    fields, rows = block_fields(block), []
    unit = fields.get("unit", "")
    for part, names in (("method.part.conditions", CONDITIONS), ("method.part.results", RESULTS)):
        shown = [n for n in names if n in fields and n != "unit"]
        for n, name in enumerate(shown):
            text = fields[name]
            shown_value = (t(f"evaluation.{fields['evaluation']}.{text}", lang) if name == "conclusion"
                           else _value(name, text, unit, lang))
            label, value = t(f"method.field.{name}", lang), _cell(shown_value)
            rows.append(f"| {t(part, lang) if n == 0 else ''} | {label} | {value} |")
    head = f"| {t('method.col.part', lang)} | {t('method.col.item', lang)} | {t('method.col.value', lang)} |"
    return "\n".join([head, "|---|---|---|", *rows])


def _level(code: str, lang: str) -> str:
    kind = {"A": "method.level.action", "S": "method.level.sub-item", "I": "method.level.indicator"}.get(code[:1])
    return t("method.level.plan", lang) if code == "plan" else t(kind, lang, code=code) if kind else code


def _leaf(text: str, lang: str) -> str:
    return status_name(text, lang) if text in ("achieved", "pending", "no_data") else text


def rollup_table(block: str, lang: str) -> str:
    """The roll-up example as two tables: each sub-item's indicators with their scores, then every level's score and
    status as the engine must find them."""
    lines = [line for line in block.strip().splitlines() if ":" in line]
    expected: dict[str, dict[str, str]] = {}
    tree = []
    for line in lines:
        head, body = (part.strip() for part in line.split(":", 1))
        pairs = dict(item.strip().split("=", 1) for item in body.split(","))
        if head in ("score", "status"):
            expected[head] = pairs
        else:
            action, sub = (p.strip() for p in head.split("/"))
            tree.append((action, sub, pairs))
    sep = t("method.list-separator", lang)
    first = [f"| {t('method.col.action', lang)} | {t('method.col.sub-item', lang)} | "
             f"{t('method.col.indicators', lang)} |", "|---|---|---|"]
    first += [f"| {_level(a, lang)} | {_level(s, lang)} | "
              + sep.join(f"{_level(i, lang)}：{_leaf(v, lang)}" for i, v in pairs.items()) + " |"
              for a, s, pairs in tree]
    second = [f"| {t('method.col.level', lang)} | {t('method.field.score', lang)} | "
              f"{t('method.field.status', lang)} |", "|---|---|---|"]
    statuses = expected.get("status", {})
    second += [f"| {_level(code, lang)} | {score} | "
               f"{status_name(statuses[code], lang) if code in statuses else MISSING} |"
               for code, score in expected.get("score", {}).items()]
    return "\n".join(first) + "\n\n" + "\n".join(second)


def reader_text(text: str, lang: str) -> str:
    """The document as a reader sees it: blocks drawn as tables, maintainers' comments left out."""
    def draw(match: re.Match[str]) -> str:
        kind, block = match.group(1), match.group(2)
        return rollup_table(block, lang) if kind == "rollup" else example_table(block, lang)

    return BLOCK.sub(draw, COMMENT.sub("\n", text))

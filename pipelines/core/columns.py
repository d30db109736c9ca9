"""Column names: how departments may head their columns, and the names used between modules."""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

from models.columns import CODE, NOTE, PERIOD, ROW, VALUE  # noqa: F401 (re-exported for readers of files)

REQUIRED = (CODE, PERIOD, VALUE)
# Columns the checks add to a file's rows: how each row changes the store, and the value it replaces.
CHANGE = "change"
PREVIOUS = "previous"  # the current value before this file, if any
ChangeKind = Literal["new", "revised", "unchanged"]

ALIASES: dict[str, tuple[str, ...]] = {
    CODE: ("指标编码", "指标代码", "指标编号", "indicator_code", "indicatorcode", "code"),
    PERIOD: ("统计期", "统计期间", "报告期", "期别", "period"),
    VALUE: ("数值", "本期数值", "本期值", "指标值", "value"),
    NOTE: ("备注", "说明", "备注说明", "情况说明", "note", "notes"),
}
_LOOKUP = {alias: canonical for canonical, names in ALIASES.items() for alias in names}
_DECOR = re.compile(r"[\s*＊:：]|（[^）]*）|\([^)]*\)")


def canonical_column(header: object) -> str | None:
    """The canonical name a header cell stands for, or None (其他列 such as 指标名称 are ignored)."""
    if header is None:
        return None
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = _DECOR.sub("", text)
    return _LOOKUP.get(text)


FILE_NAME_CHARS = 255  # what the store's name columns hold (submission, evidence, upload attempts)


def fit_name(name: str, limit: int = FILE_NAME_CHARS) -> str:
    """A file name shortened to fit a name column, keeping its ending (…季报.xlsx): the whole name is kept apart."""
    if len(name) <= limit:
        return name
    dot = name.rfind(".")
    ending = name[dot:] if dot > 0 and len(name) - dot <= 10 else ""
    return name[:limit - len(ending) - 1] + "…" + ending

"""The one message catalog: every text a user reads, in Chinese and English, keyed by a short slug.

The texts live in the CSV files beside this module (key, zh, en), one file per area of the product, so that
translators can edit them in Excel and no label is typed twice. Keys are unique across all files.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """All catalog entries: key → {"zh": ..., "en": ...}. Raises on a duplicate key (a bug, not bad input)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(_HERE.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                key = (row.get("key") or "").strip()
                if not key or key.startswith("#"):
                    continue
                if key in out:
                    raise ValueError(f"duplicate catalog key {key!r} in {path.name}")
                out[key] = {"zh": row.get("zh") or "", "en": row.get("en") or ""}
    return out


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The text for a key in a language, with {placeholders} filled; an unknown key is a bug and raises KeyError."""
    entry = messages()[key]
    text = entry.get(lang if lang in LANGS else DEFAULT_LANG) or entry[DEFAULT_LANG]
    return text.format(**values) if values else text


def both(key: str, /, **values: object) -> tuple[str, str]:
    """The (zh, en) pair for a key."""
    return t(key, "zh", **values), t(key, "en", **values)

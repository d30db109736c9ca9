"""The methodology document as the dashboard shows it: the Chinese text, or its English summary, by language."""
from __future__ import annotations

from pipelines.core.config import ROOT

METHODOLOGY = ROOT / "docs" / "methodology.md"
ENGLISH_HEADING = "## English summary"


def split_methodology(text: str) -> tuple[str, str]:
    """(Chinese text, English summary): the document keeps its English summary under one heading at the end."""
    head, found, tail = text.partition(ENGLISH_HEADING)
    return head.rstrip(), (found + tail).strip() if found else ""


def methodology_text(lang: str, text: str) -> str:
    """The part of the document for a language; English falls back to the Chinese text when there is no summary."""
    zh, en = split_methodology(text)
    return en if lang == "en" and en else zh

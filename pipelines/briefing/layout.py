"""How much room text takes in the pack's tables, so that slides and PDF pages hold every row and continue the rest.

Widths are estimated in em: a CJK character (or a full-width symbol) ≈ 1 em, Latin letters and digits ≈ 0.55 em.
Text wraps per column width as a typesetter would (Chinese between any two characters, Latin between words); a row is
as tall as its tallest cell: lines × line height + the cell's padding. The same estimate fits column widths to their
contents (序号 narrow, 指标 wide) and cuts a table into the rows each slide or page holds; a cell that alone would be
taller than a slide or page (a department's 2,000 characters) is cut short there with a mark (clip_rows), since only
the 通报, which Word paginates, can print it whole.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipelines.present.formatting import MISSING

LATIN_EM = 0.55  # a Latin letter, digit or half-width sign
SPACE_EM = 0.3
LINE_HEIGHT = 1.25  # line pitch as a multiple of the font size (the writers set it so)
NO_WRAP_EM = 7.0  # a cell this short is kept on one line (状态, 完成率, a department's name)
NO_WRAP_SLACK = 0.4  # em more for such a cell, so that rounding in the renderer never breaks it
SYMBOL_EM = 1.15  # a symbol (✔ ✖ ● ◐ ▲ ▼): drawn from a fallback font, wider than a 汉字
_TOKENS = re.compile(r"\s+|[A-Za-z0-9.,:;%+\-−/()'’&_#@]+|.", re.S)


def char_em(char: str) -> float:
    """The width of one character in em: a symbol (●◐✔) 1.15, wide (CJK, full-width, ambiguous) 1, else 0.55."""
    if char.isspace():
        return SPACE_EM
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.category(char) == "So":
        return SYMBOL_EM
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else LATIN_EM


def text_em(text: str) -> float:
    """The width of a line of text in em."""
    return sum(char_em(c) for c in text)


def cell_text(value: object) -> str:
    """What a table cell shows: "—" for a missing value (None, NaN), else the value as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def _tokens(text: str) -> list[str]:
    """Pieces that cannot be broken: a Latin word or number, a single CJK character, a run of spaces."""
    return _TOKENS.findall(text)


def longest_token_em(text: str) -> float:
    """The widest piece a line cannot break: what a column must hold at least."""
    return max((text_em(tok) for tok in _tokens(text) if not tok.isspace()), default=0.0)


def line_count(text: str, width_em: float) -> int:
    """Lines the text takes in a column `width_em` wide (each paragraph of it wrapped on its own), at least 1."""
    width_em = max(width_em, 1.0)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for token in _tokens(paragraph):
            size = text_em(token)
            if token.isspace():
                used += size if used else 0.0
                continue
            if used + size <= width_em + 1e-9:
                used += size
            elif size <= width_em:
                lines, used = lines + 1, size
            else:  # a word longer than the line: broken by characters
                for char in token:
                    w = char_em(char)
                    if used + w > width_em + 1e-9:
                        lines, used = lines + 1, 0.0
                    used += w
        total += lines
    return total


@dataclass(frozen=True)
class Box:
    """A table's type: font size and cell padding (pt), so every estimate is in points."""

    font: float  # pt
    pad_x: float  # left + right padding of a cell, pt
    pad_y: float  # top + bottom padding of a cell (and its border), pt
    line: float = LINE_HEIGHT

    def row_height(self, cells: Sequence[str], widths: Sequence[float]) -> float:
        """The height of one row (pt): its tallest cell's lines × line pitch + padding."""
        room = [(w - self.pad_x) / self.font for w in widths]
        lines = max((line_count(text, em) for text, em in zip(cells, room)), default=1)
        return lines * self.line * self.font + self.pad_y


def column_widths(frame: pd.DataFrame, total: float, box: Box, header_box: Box | None = None) -> list[float]:
    """Column widths (pt, summing to `total`) fitted to the contents as browsers fit an automatic table: every column
    first gets what its longest unbreakable piece needs (short cells whole), the remaining width goes to the columns
    with the most text, in proportion to how much more they would take on one line."""
    header_box = header_box or box
    low, high = [], []
    for column in frame.columns:
        values = [cell_text(v) for v in frame[column]]
        header = str(column)
        longest = max([text_em(v) for v in values] or [0.0])
        least = max([text_em(v) + NO_WRAP_SLACK if text_em(v) <= NO_WRAP_EM else longest_token_em(v)
                     for v in values] or [0.0])
        head_least = _header_least(header)
        low.append(max(least * box.font, head_least * header_box.font) + box.pad_x + 1)
        high.append(max(longest * box.font, text_em(header) * header_box.font) + box.pad_x + 1)
        high[-1] = max(high[-1], low[-1])  # the slack of a short cell counts in its natural width too
    if sum(high) <= total:
        extra = total - sum(high)
        return [h + extra * h / sum(high) for h in high]
    if sum(low) <= total:
        spare, stretch = total - sum(low), [h - lo for h, lo in zip(high, low)]
        return [lo + spare * s / sum(stretch) for lo, s in zip(low, stretch)]
    return [total * lo / sum(low) for lo in low]


def _header_least(header: str) -> float:
    """The narrowest a header may be (em): up to three characters whole (序号, 完成率), a longer one in two lines
    (计量/单位, 截至本/期完成), never narrower than its longest word."""
    width = text_em(header)
    if width <= 3.3:
        return width + NO_WRAP_SLACK
    return max(longest_token_em(header), math.ceil(width / 2 - 0.05)) + NO_WRAP_SLACK


def row_heights(frame: pd.DataFrame, widths: Sequence[float], box: Box) -> list[float]:
    """Each body row's estimated height (pt)."""
    return [box.row_height([cell_text(v) for v in row], widths) for row in frame.itertuples(index=False)]


def header_height(frame: pd.DataFrame, widths: Sequence[float], box: Box) -> float:
    """The header row's estimated height (pt)."""
    return box.row_height([str(c) for c in frame.columns], widths)


def split_rows(heights: Sequence[float], first: float, then: float) -> list[range]:
    """Row ranges for the first piece (`first` pt of room: what is left on a slide, may be empty when not even one
    row fits there) and each further one (`then` pt, a fresh slide or page: at least one row, so no row is ever lost
    even when one alone is taller); the header's height is not part of the room."""
    pieces: list[range] = []
    start, room, used = 0, first, 0.0
    for n, height in enumerate(heights):
        if used + height > room and (n > start or not pieces):
            pieces.append(range(start, n))
            start, room, used = n, then, 0.0
        used += height
    pieces.append(range(start, len(heights)))
    return pieces


def text_height(lines: Sequence[str], width: float, size: float, gap: float = 0.0, line: float = LINE_HEIGHT) -> float:
    """The height (pt) of paragraphs of text in a box `width` pt wide, with `gap` pt after each paragraph."""
    return sum(line_count(text, width / size) * line * size + gap for text in lines)


def clip_text(text: str, width_em: float, lines: int, mark: str) -> str:
    """The text as it fits in `lines` lines of a column `width_em` wide: whole, or its longest beginning that leaves
    room for `mark` (……（全文见通报）)."""
    if line_count(text, width_em) <= lines:
        return text
    low, high = 0, len(text)  # the longest prefix with the mark that fits: low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if line_count(text[:middle].rstrip() + mark, width_em) <= lines:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + mark


def clip_rows(frame: pd.DataFrame, widths: Sequence[float], box: Box, room: float, mark: str) -> pd.DataFrame:
    """The table with each cell cut (clip_text) to the lines a row `room` pt tall holds at these column widths (pt);
    the frame itself when every row fits."""
    lines = max(1, math.floor((room - box.pad_y) / (box.line * box.font)))
    ems = [(w - box.pad_x) / box.font for w in widths]
    if all(h <= room for h in row_heights(frame, widths, box)):
        return frame
    cut = [[clip_text(cell_text(v), em, lines, mark) for v, em in zip(row, ems)]
           for row in frame.itertuples(index=False)]
    return pd.DataFrame(cut, columns=frame.columns, index=frame.index)

"""Reporting periods: parse what departments write, hold one canonical form, and place periods in time."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, total_ordering

FREQUENCIES = ("quarterly", "half-yearly", "annual")
_KIND_OF_FREQUENCY = {"quarterly": "Q", "half-yearly": "H", "annual": "Y"}
_FREQUENCY_OF_KIND = {v: k for k, v in _KIND_OF_FREQUENCY.items()}
_PARTS = {"Q": 4, "H": 2, "Y": 1}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}

_PATTERNS = (
    (re.compile(r"^(\d{4})\s*[-_/ ]?\s*Q\s*([1-4])$", re.I), "Q"),
    (re.compile(r"^(\d{4})\s*年?\s*第?\s*([1-4一二三四])\s*季度?$"), "Q"),
    (re.compile(r"^(\d{4})\s*[-_/ ]?\s*H\s*([12])$", re.I), "H"),
    (re.compile(r"^(\d{4})\s*年?\s*(上|下)\s*半年$"), "H"),
    (re.compile(r"^(\d{4})\s*年?$"), "Y"),
)


@total_ordering
@dataclass(frozen=True)
class Period:
    """A quarter (kind Q), a half-year (H) or a calendar year (Y)."""

    year: int
    kind: str
    index: int = 1

    @property
    def code(self) -> str:
        if self.kind == "Y":
            return str(self.year)
        return f"{self.year}{self.kind}{self.index}"

    @property
    def frequency(self) -> str:
        return _FREQUENCY_OF_KIND[self.kind]

    @property
    def end_time(self) -> float:
        """The period's end in fractional years: 2025Q3 → 2025.75, 2025H1 → 2025.5, 2025 → 2026.0."""
        return self.year + self.index / _PARTS[self.kind]

    @property
    def start_time(self) -> float:
        return self.year + (self.index - 1) / _PARTS[self.kind]

    @property
    def year_share(self) -> float:
        """The share of its calendar year that the period's end has reached (Q3 → 0.75, H1 → 0.5, a year → 1)."""
        return self.index / _PARTS[self.kind]

    @property
    def end_date(self) -> dt.date:
        month = round(12 * self.year_share)
        next_month = dt.date(self.year + month // 12, month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)

    @property
    def start_date(self) -> dt.date:
        month = round(12 * (self.index - 1) / _PARTS[self.kind])
        return dt.date(self.year, month + 1, 1)

    def _key(self) -> tuple[float, float]:
        return (self.end_time, self.start_time)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.code

    def label(self, lang: str = "zh") -> str:
        """The period as leaders read it: 2025年第三季度 / 2025 Q3."""
        if lang == "en":
            english = {"Q": f"{self.year} Q{self.index}", "H": f"{self.year} H{self.index}", "Y": str(self.year)}
            return english[self.kind]
        if self.kind == "Q":
            return f"{self.year}年第{_CN_QUARTER_NAMES[self.index]}季度"
        if self.kind == "H":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    def cutoff_label(self, lang: str = "zh") -> str:
        """The heading of a view as of this period: 截至2025年第三季度末 / As of end of 2025 Q3."""
        if lang == "en":
            return f"As of end of {self.label('en')}"
        return f"截至{self.label('zh')}末" if self.kind != "Y" else f"截至{self.year}年底"

    def contains(self, other: Period) -> bool:
        """True when `other` lies within this period (a year contains its quarters and halves)."""
        return other.start_time >= self.start_time - 1e-9 and other.end_time <= self.end_time + 1e-9


def normalise_text(text: object) -> str:
    """Fold full-width characters and stray spaces as Excel/WPS users type them (１２３ → 123, （）→ ())."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_period(text: object) -> Period | None:
    """Read a period in any of the forms departments write; None when it is not one."""
    raw = normalise_text(text)
    if raw.endswith(".0") and raw[:-2].isdigit():  # Excel turns a year typed as 2025 into 2025.0
        raw = raw[:-2]
    for pattern, kind in _PATTERNS:
        match = pattern.match(raw)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2200:
            return None
        if kind == "Y":
            return Period(year, "Y", 1)
        part = match.group(2)
        index = {"上": 1, "下": 2}.get(part) or _CN_DIGITS[part]
        return Period(year, kind, index)
    return None


@lru_cache(maxsize=4096)
def period_of_code(code: str) -> Period:
    """Parse a canonical code that is known to be valid (raises ValueError otherwise). Periods are immutable and a
    store names few distinct ones, so each code is parsed once (a large plan's kept assessments name 15,000)."""
    period = parse_period(code)
    if period is None:
        raise ValueError(f"not a period: {code!r}")
    return period


def kind_of_frequency(frequency: str) -> str:
    return _KIND_OF_FREQUENCY[frequency]


def periods_between(start: Period, end: Period, frequency: str) -> list[Period]:
    """Every period of a frequency whose end lies in [start's start, end's end], in order."""
    kind = _KIND_OF_FREQUENCY[frequency]
    out: list[Period] = []
    for year in range(start.year, end.year + 1):
        for index in range(1, _PARTS[kind] + 1):
            period = Period(year, kind, index)
            if start.start_time - 1e-9 <= period.start_time and period.end_time <= end.end_time + 1e-9:
                out.append(period)
    return out


def latest_period_ending_by(time: float, frequency: str) -> Period:
    """The latest period of a frequency whose end is at or before a time in fractional years."""
    kind = _KIND_OF_FREQUENCY[frequency]
    parts = _PARTS[kind]
    whole = int(round(time * parts, 9) // 1)
    year, index0 = divmod(whole - 1, parts)
    return Period(year, kind, index0 + 1)


def period_containing(day: dt.date) -> Period:
    """The quarter a calendar day falls in."""
    return Period(day.year, "Q", (day.month - 1) // 3 + 1)

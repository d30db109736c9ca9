"""How numbers, rates, gaps, statuses and names are written for leaders: 万/亿, 个百分点, icon + word, neutral ▲/▼."""
from __future__ import annotations

import html
import math
import re
from typing import Protocol

import pandas as pd

from pipelines.core.catalog import messages, t
from pipelines.engine.status_rule import STATUS_ICON, status_name

MISSING = "—"
# A unit written with a magnitude prefix (亿元, 万平方米) is a multiple of its base unit (元, 平方米).
_PREFIXES = {"亿": 1e8, "万": 1e4}
# Chinese readers group by 万 (10⁴) and 亿 (10⁸); English readers by million and billion.
_SCALES = {"zh": ((1e8, "亿"), (1e4, "万")), "en": ((1e9, " bn"), (1e6, " m"))}
PACE_TOLERANCE = 0.05  # a gap under 0.05 points prints as 0.0: 按序时, neither ahead nor behind


# Everything Markdown (and Streamlit's :colour[...] / :material/...: / $math$ extensions) could read as markup.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """User text (a file name, a 备注, a comment, a URL parameter) made safe to draw inside Markdown: every
    character Markdown or Streamlit would read as markup is backslash-escaped, so it shows as typed and never becomes
    a link, an image, a heading or a coloured badge. Line breaks become spaces: drawn inline, a text cannot start a
    line of its own that reads like the page's (「审定人：……」)."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))


def plain_html(text: object) -> str:
    """User text made safe inside HTML-like markup (Plotly hover and labels render a subset of HTML)."""
    return html.escape(str(text), quote=True)


_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(stem: str, ending: str) -> str:
    """A download's name as an office names its documents, safe on Windows: none of \\ / : * ? " < > | or control
    characters (each becomes a space), no trailing dot or space, at most 120 characters before the ending."""
    cleaned = re.sub(r"\s+", " ", _UNSAFE_IN_NAMES.sub(" ", stem)).strip(" .")
    return f"{cleaned[:120].rstrip(' .') or 'download'}.{ending}"


class Named(Protocol):
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...


def name_of(item: Named, lang: str) -> str:
    """A plan item's name in the reader's language (the plan's name_zh / name_en)."""
    return item.name_en if lang == "en" and item.name_en else item.name_zh


def _finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and math.isfinite(value)


def format_number(value: float | None, decimals: int = 2) -> str:
    """A number with thousands separators and no trailing zeros: 1800 → 1,800; 16.20 → 16.2; tiny values keep 4
    figures."""
    if not _finite(value):
        return MISSING
    assert value is not None
    if value != 0 and abs(value) < 10 ** -decimals:
        return f"{value:.4g}"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def split_unit(unit: str) -> tuple[float, str]:
    """'亿元' → (1e8, '元'); '万平方米' → (1e4, '平方米'); '家' → (1, '家'); a bare '万' stays a unit of its own."""
    if len(unit) > 1 and unit[0] in _PREFIXES:
        return _PREFIXES[unit[0]], unit[1:]
    return 1.0, unit


def unit_word(unit: str, lang: str) -> str:
    """The unit as the reader writes it: the plan's Chinese unit, or its English word from the catalog when there is
    one."""
    if lang != "en" or not unit:
        return unit
    key = f"ui.unit.{unit}"
    return t(key, "en") if key in messages() else unit


def _join(number: str, unit: str, lang: str) -> str:
    if not unit or unit == "%" or lang != "en":
        return f"{number}{unit}"
    return f"{number} {unit}"


def format_amount(value: float | None, unit: str = "", lang: str = "zh") -> str:
    """A value with its unit, large amounts grouped as readers expect: 23456800 元 → 2,345.68万元 (en: 23.46 m yuan)."""
    if not _finite(value):
        return MISSING
    assert value is not None
    if unit == "%":
        return f"{format_number(value, 1)}%"
    factor, base = split_unit(unit)
    total = value * factor
    for size, word in _SCALES["en" if lang == "en" else "zh"]:
        if abs(total) >= size:
            return _join(f"{total / size:,.2f}{word}", unit_word(base, lang), lang)
    return _join(format_number(total), unit_word(base, lang), lang)


def format_count(n: int, lang: str = "zh") -> str:
    """A number of indicators with its unit (55项); English labels already say what is counted."""
    return t("ui.count-indicators", lang, n=n)


def format_rank(rank: int | None, lang: str = "zh") -> str:
    return "—" if rank is None else t("ui.rank-place", lang, n=rank)


def format_rate(share: float | None, lang: str = "zh") -> str:
    """A share as reports print it, one decimal: 0.931 → 93.1%."""
    return f"{share * 100:.1f}%" if _finite(share) else MISSING  # type: ignore[operator]


def format_points(points: float | None, lang: str = "zh") -> str:
    """A difference of rates in percentage points, signed: +2.3个百分点 / -12.8 pp (never a relative %)."""
    if not _finite(points):
        return MISSING
    assert points is not None
    rounded = round(points, 1)
    text = "0.0" if rounded == 0 else f"{rounded:+.1f}"
    return t("ui.fmt.points", lang, value=text)


def status_badge(status: str, lang: str = "zh") -> str:
    """A status as icon and word, so it never depends on colour alone: ◐ 需关注."""
    return f"{STATUS_ICON[status]} {status_name(status, lang)}"


def pace_class(gap_points: float | None) -> str | None:
    """超序时 (ahead), 按序时 (level) or 滞后序时 (behind) from the gap in points; None when there is no 序时 to
    compare."""
    if not _finite(gap_points):
        return None
    assert gap_points is not None
    if abs(gap_points) < PACE_TOLERANCE:
        return "level"
    return "ahead" if gap_points > 0 else "behind"


def pace_word(pace: str | None, lang: str = "zh") -> str:
    return t(f"ui.pace.{pace}", lang) if pace else MISSING


def change_arrow(before: float | None, after: float | None) -> str:
    """▲ up, ▼ down, ＝ same: printed in neutral ink (in China red also means 'up' in finance)."""
    if not (_finite(before) and _finite(after)):
        return ""
    assert before is not None and after is not None
    return "▲" if after > before else "▼" if after < before else "＝"


def format_rank_change(change: int | None, lang: str = "zh") -> str:
    """A change of rank against the previous quarter: ▲2 (moved up two places), ▼1, ＝, or — when new."""
    if change is None:
        return MISSING
    return "＝" if change == 0 else f"▲{change}" if change > 0 else f"▼{-change}"


def format_time(moment: object, lang: str = "zh") -> str:
    """A submission time to the minute: 2026-01-13 11:40."""
    if moment is None or moment == "" or pd.isna(moment):  # type: ignore[call-overload]
        return MISSING
    return pd.Timestamp(moment).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]

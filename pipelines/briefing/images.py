"""Chart PNGs for the pack: every figure through one headless chromium (kaleido), after checking a CJK font exists.

Without a Chinese font chromium draws every 汉字 as a box, so the pack refuses to start rather than write boxes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import plotly.io as pio

from pipelines.briefing.content import Chart
from pipelines.core.catalog import t

SCALE = 2  # charts/*.png at 2× for print and high-DPI slides
CHROMIUM = "/usr/bin/chromium"


class SetupError(RuntimeError):
    """Broken setup (no CJK font, no browser): the message says what to install; nothing has been written."""


def cjk_fonts() -> list[str]:
    """The font families fontconfig knows for Chinese (`fc-list :lang=zh family`); empty without fontconfig."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in found.stdout.splitlines() if line.strip()})


def check_cjk_font(lang: str = "zh", document: str = "briefing") -> list[str]:
    """The installed CJK families, or SetupError naming `apt-get install fonts-noto-cjk` and the document (the
    briefing pack, or the evaluation report) that was not written."""
    fonts = cjk_fonts()
    if not fonts:
        raise SetupError(t(f"{document}.no-cjk-font", lang))
    return fonts


def browser_path() -> str:
    """The chromium kaleido and Playwright drive: BROWSER_PATH when set, else the system's."""
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or CHROMIUM


def check_browser(lang: str = "zh", document: str = "briefing") -> str:
    path = browser_path()
    if not Path(path).is_file():
        raise SetupError(t(f"{document}.no-browser", lang, path=path))
    return path


def write_pngs(charts: Sequence[Chart], folder: Path) -> list[Path]:
    """All charts in one kaleido call, so one browser draws them all (≈0.4 s each instead of ≈2 s per browser)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{chart.name}.png" for chart in charts]
    os.environ.setdefault("BROWSER_PATH", browser_path())
    pio.write_images([c.figure for c in charts], paths, format="png", scale=SCALE,
                     width=[c.width for c in charts], height=[c.height for c in charts])
    return paths

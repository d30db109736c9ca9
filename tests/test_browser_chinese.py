"""Real-browser test: the Chinese screen has no English in it.

Every page is walked in a real browser in Chinese (zh, the default): signed out, and signed in as the people who see
the pages' main tables (a leader, a department's clerk with a returned and a pending submission, a reviewer, an
administrator). On each, what a reader sees is read — document.body.innerText with the Material icons' ligature names
and Streamlit's words drawn at size 0 left out (they are pictures, or replaced), plus the words CSS draws in their
place (the uploaders), plus every cell of every table (the print copies of views.shared.printable, whose rows the
canvas grids hold out of the DOM) — and any run of Latin letters fails the test unless it is on the short allow-list
below: the plan's own codes, file names, units and a few proper names.

Also in the real browser: a file larger than the uploader takes is refused in Chinese, with the app's limits, and the
preview grid's "would turn red" mark is drawn with a glyph of the page's fonts (not the box of a missing emoji).

Its own server and store (built from the samples, with the demo accounts, a returned and a pending submission and a
locked quarter), through test_browser.py's fixtures; skipped with test_browser.py's reason when Chromium, Playwright or
a CJK font is missing. Screenshots of the walk go to test-artifacts/screenshots/zh-*.png (git-ignored).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import HEADER, csv_bytes
from test_browser import (  # noqa: F401  (fixtures are used by name)
    ROOT,
    Browser,
    Page,
    app_url,
    assert_no_error,
    browser,
    full_page_screenshot,
    new_page,
    open_page,
    screenshots,
    served,
    wait_rendered,
)
from test_browser_submit import sign_in

from models.db import make_engine
from pipelines.core.catalog import t
from pipelines.core.config import PLAN_DIR, PLANS_DIR
from pipelines.intake.build import plan_folders
from pipelines.plan.folder import read_plan_folder
from pipelines.plan.records import PlanData
from pipelines.workflow.accounts import read_user
from pipelines.workflow.review import lock_quarter, return_submission, submit_file

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 1, 20)
# A reviewer's comment longer than any table column: shown whole on 数据填报 (the 审核意见 list under the table).
LONG_COMMENT = ("2024年第二季度的数值与区统计局台账不一致：台账为612家，报送为640家；请核对新增的28家企业是否已完成"
                "认定并附认定文件清单，核实后重新报送。另请补充填报人联系电话，以便审核时联系。——审核意见结束")
RETURNED = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q2", "640", "退回测试"]])
PENDING = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q3", "650", "待审核测试"]])
# Below the last quarter's 930 and the target: A03 would turn red; the 备注 answers the 核实性 question of the drop.
RED = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2025Q4", "505", "企业迁出，数据属实"]])

# ---- the allow-list: every Latin word a Chinese reader may see, and why ------------------------------------------
ALLOWED_WORDS = {
    "CSV", "XLSX", "Excel", "Word", "WPS", "PDF", "PNG", "JPG",  # file formats and the programs that open them, by their names
    "UTF-8",  # the template's encoding, named as Excel's "CSV UTF-8" names it
    "MB", "KB", "B",  # units of file sizes: the upload limits (10MB) and an uploaded file's size (126.0B)
    "English",  # the language switch names each language in its own words, so an English reader finds it
    "Language",  # the switch's label is 语言 / Language for the same reason
    "Eurostat",  # the status rule's sources, by their proper names (参照Eurostat、Open SDG)
}
# 方法说明's formulas name their quantities by single letters, each introduced beside its Chinese name; nowhere else.
# Its worked roll-up example names made-up actions, sub-items and indicators A1, S1, I1 …; the public methods it
# follows are named as their owners name them.
FORMULA_SYMBOLS = set("AXYTRPcefhqsv") | {"A1", "A2", "S1", "S2", "S3", "I1", "I2", "I3", "I4", "I5", "I6"} | {
    "CAGR", "ESCAP", "UNSD", "SDG", "Okabe", "Ito"}
ALLOWED_PHRASES = ("Open SDG",)  # proper names of more than one word
# A file name as the reader chose or the app named it (2025Q4_区科委.csv: period codes inside file names), or a file
# type by its extension alone (Excel（.xlsx）).
FILE_NAME = re.compile(r"[^\s，。；：、（）()]*\.(?:csv|xlsx|xlsm|xls|txt|pdf|png|jpe?g|pptx|docx)\b", re.IGNORECASE)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")

# What a reader sees: innerText without icon ligatures and words drawn at size 0, the words CSS draws (::before /
# ::after content), and every cell of the print copies of the tables.
VISIBLE_WORDS = """() => {
  const elements = [...document.querySelectorAll("body *")].filter((e) => !e.closest("svg, canvas, script, style"));
  const drawn = [];
  const hidden = [];
  for (const element of elements) {
    for (const pseudo of ["::before", "::after"]) {
      const content = getComputedStyle(element, pseudo).content;
      if (content && content.startsWith('"')) { drawn.push(JSON.parse(content)); }
    }
    if (element.matches('[data-testid="stIconMaterial"]') || getComputedStyle(element).fontSize === "0px") {
      hidden.push([element, element.style.getPropertyValue("display"), element.style.getPropertyPriority("display")]);
    }
  }
  hidden.forEach(([element]) => element.style.setProperty("display", "none", "important"));
  const text = document.body.innerText;
  hidden.forEach(([element, value, priority]) => element.style.setProperty("display", value, priority));
  const cells = [...document.querySelectorAll(".kpi-print-only th, .kpi-print-only td")].map((c) => c.textContent);
  return [text, ...drawn, ...cells].join("\\n");
}"""


def plan_codes(plan: PlanData) -> set[str]:
    """The plan's codes, which pages show beside names (A03 高成长性科技企业数, ZX2, KW) and in the 编码 column of its
    重点任务 (T01)."""
    return ({d.code for d in plan.departments} | {a.code for a in plan.actions} | {s.code for s in plan.sub_items}
            | {i.code for i in plan.indicators} | {task.code for task in plan.tasks})


def latin_runs(text: str, allowed: set[str]) -> list[str]:
    """The runs of Latin letters in `text` that are not allowed, each with a little of its context."""
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    text = FILE_NAME.sub(" ", text)
    return [f"{m.group()!r} in …{text[max(0, m.start() - 20):m.end() + 20]!r}…"
            for m in LATIN.finditer(text) if m.group() not in allowed]


# ---- the store: samples, demo accounts, a returned and a pending submission, a locked quarter ---------------------

@pytest.fixture(scope="module", autouse=True)
def fixed_today() -> Iterator[None]:
    """The served dashboard's today (its plans' states and the plan it opens on), never the calendar's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KPI_TODAY", "2026-12-01")
        yield


@pytest.fixture(scope="module")
def browser_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """This module's own store (test_browser.py's `served` serves it): what the walk must see in every table."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('chinese') / 'kpi.sqlite3'}"
    for command in (["build", "--samples"], ["users", "demo"]):
        done = subprocess.run([sys.executable, "-m", "pipelines", *command, "--db", db_url], cwd=ROOT,
                              capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    engine = make_engine(db_url)
    try:
        plan = read_plan_folder(PLAN_DIR)
        assert isinstance(plan, PlanData), plan
        clerk, reviewer, admin = (read_user(engine, name) for name in ("demo-kw", "demo-reviewer", "demo-admin"))
        returned = submit_file(engine, plan, clerk, "区科委_2024Q2.csv", RETURNED, department="KW", today=TODAY)
        assert return_submission(engine, reviewer, returned.submission_id, LONG_COMMENT) is None  # type: ignore[union-attr]
        submit_file(engine, plan, clerk, "区科委_2024Q3.csv", PENDING, department="KW", today=TODAY)
        assert lock_quarter(engine, admin, "2023Q1") is None
    finally:
        engine.dispose()
    return db_url


@pytest.fixture(scope="module")
def plan() -> PlanData:
    loaded = read_plan_folder(PLAN_DIR)
    assert isinstance(loaded, PlanData), loaded
    return loaded


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    """The allow-list with every shipped plan's codes (the store holds the three) and the demo accounts' login names
    (shown as the user bar's 账号)."""
    codes: set[str] = set()
    for folder in plan_folders(PLANS_DIR):
        loaded = read_plan_folder(folder)
        assert isinstance(loaded, PlanData), loaded
        codes |= plan_codes(loaded)
    return ALLOWED_WORDS | codes | {"demo-kw", "demo-rcb", "demo-reviewer", "demo-admin", "demo-leader"}


@pytest.fixture(scope="module")
def sessions(browser: Browser, app_url: str) -> Iterator[dict[str | None, Page]]:  # noqa: F811
    """One browser session per reader (None: signed out), each signed in through the sign-in page."""
    tabs: dict[str | None, Page] = {}
    try:
        for who in (None, "demo-leader", "demo-kw", "demo-reviewer", "demo-admin"):
            tab = new_page(browser)
            if who is not None:
                open_page(tab, urljoin(app_url, "submit"))
                sign_in(tab, who, "demo")
            tabs[who] = tab
        yield tabs
    finally:
        for tab in tabs.values():
            tab.context.close()


PAGES = ("", "actions", "indicator", "departments", "briefing", "evaluation", "tasks", "submit", "review", "accounts",
         "board", "methodology")
# Pages known to show Latin text that is not on the allow-list, as strict xfails (none left).
LEFT: dict[str, str] = {}
WALK = [*((None, page) for page in PAGES),
        ("demo-leader", "board"), ("demo-leader", ""), ("demo-leader", "evaluation"),
        ("demo-kw", "submit"), ("demo-reviewer", "review"), ("demo-reviewer", "briefing"),
        ("demo-admin", "review"), ("demo-admin", "accounts"), ("demo-admin", "submit")]


def _case(who: str | None, path: str) -> object:
    marks = [pytest.mark.xfail(reason=LEFT[path], strict=True)] if path in LEFT else []
    return pytest.param(who, path, marks=marks, id=f"{who or 'signed-out'}-{path or 'overview'}")


@pytest.mark.parametrize("who, path", [_case(who, path) for who, path in WALK])
def test_the_chinese_screen_shows_no_english(sessions: dict[str | None, Page], app_url: str,  # noqa: F811
                                             allowed: set[str], screenshots: Path,  # noqa: F811
                                             who: str | None, path: str) -> None:
    tab = sessions[who]
    url = urljoin(app_url, path)
    open_page(tab, url)
    assert_no_error(tab, url)
    full_page_screenshot(tab, screenshots / f"zh-{who or 'signed-out'}-{path or 'overview'}.png")
    words = tab.evaluate(VISIBLE_WORDS)
    assert re.search(r"[\u4e00-\u9fff]", words), f"{url}: no Chinese text at all"
    if path == "methodology":  # the formulas' symbols (完成率 c, 序时进度 f, 进度比 R, 年份 Y …), each defined in words
        allowed = allowed | FORMULA_SYMBOLS
    assert not (found := latin_runs(words, allowed)), f"{url} as {who or 'nobody'}: English on the screen:\n" + \
        "\n".join(found[:40])


def test_the_return_comment_shows_whole(sessions: dict[str | None, Page], app_url: str) -> None:  # noqa: F811
    tab = sessions["demo-kw"]
    open_page(tab, urljoin(app_url, "submit"))
    shown = tab.locator('[data-testid="stMain"]').inner_text()
    assert shown.count(LONG_COMMENT) >= 2, "the reviewer's comment is not shown whole (notice and comment list)"


def test_the_preview_shows_the_red_mark_in_words_and_a_drawn_symbol(
        sessions: dict[str | None, Page], app_url: str, allowed: set[str], tmp_path: Path,  # noqa: F811
        screenshots: Path) -> None:  # noqa: F811
    tab = sessions["demo-kw"]
    open_page(tab, urljoin(app_url, "submit"))
    upload = tmp_path / "区科委_2025Q4.csv"
    upload.write_bytes(RED)
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(upload)
    tab.get_by_text("文件通过审核").wait_for(state="visible")
    wait_rendered(tab)
    full_page_screenshot(tab, screenshots / "zh-demo-kw-preview.png")
    mark = t("submit.red-mark", "zh")
    cells = tab.locator(".kpi-print-only td").all_text_contents()
    assert mark in cells, f"the preview has no {mark!r} cell: {cells[:20]}"
    assert "红灯" in mark  # the status in words, never by colour alone
    symbol = mark.split()[0]
    drawn = tab.evaluate("""(symbol) => {
        const grid = document.querySelector('[data-testid="stDataFrame"]') || document.body;
        const family = getComputedStyle(grid).fontFamily;
        const draw = (ch) => { const c = document.createElement('canvas'); c.width = 64; c.height = 64;
            const x = c.getContext('2d'); x.font = `40px ${family}`; x.fillText(ch, 4, 48);
            return x.getImageData(0, 0, 64, 64).data; };
        const a = draw(symbol), missing = draw('\\u{10FFFD}');
        let ink = 0, differ = 0;
        for (let i = 3; i < a.length; i += 4) { if (a[i]) ink++; if (a[i] !== missing[i]) differ++; }
        return {ink, differ};
    }""", symbol)
    assert drawn["ink"] and drawn["differ"], f"{symbol!r} is drawn as the missing-glyph box: {drawn}"
    assert not (found := latin_runs(tab.evaluate(VISIBLE_WORDS), allowed)), "\n".join(found)


def test_a_file_too_large_for_the_uploader_is_refused_in_chinese(
        sessions: dict[str | None, Page], app_url: str, allowed: set[str], tmp_path: Path,  # noqa: F811
        screenshots: Path) -> None:  # noqa: F811
    tab = sessions["demo-kw"]
    open_page(tab, urljoin(app_url, "submit"))
    big = tmp_path / "区科委_2025Q4_大文件.csv"
    big.write_bytes(b"a" * (11 * 2**20))  # over the 10 MB the uploader takes (.streamlit/config.toml maxUploadSize)
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(big)
    chip = tab.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    chip.wait_for(state="visible")
    chip.hover()
    tab.locator('[data-testid="stTooltipErrorContent"]').wait_for(state="visible")
    tab.locator('[data-testid="stFileUploader"]').first.screenshot(path=str(screenshots / "zh-too-big.png"))
    said = chip.locator('[role="alert"]').evaluate("e => [getComputedStyle(e).fontSize, "
                                                   "getComputedStyle(e, '::after').content, "
                                                   "e.getBoundingClientRect().height]")
    assert said[0] == "0px", "Streamlit's English reason is still drawn"
    expected = t("screens.uploader-refused-data", "zh", mb="10")
    assert said[1] == json.dumps(expected, ensure_ascii=False) and said[2] > 0, f"not said under the file: {said}"
    assert not (found := latin_runs(tab.evaluate(VISIBLE_WORDS), allowed)), "\n".join(found)

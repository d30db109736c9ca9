"""Real-browser tests: the dashboard served by `streamlit run`, opened in Debian's Chromium through Playwright.

What only a browser shows: a deep link (/submit) as the very first request to a freshly started server opens its
page with no "Page not found" dialog, and so does every page's deep link in a fresh browser; every page of the
navigation renders without an exception or error box, the Chinese text is drawn with real glyphs (not boxes), the
charts are drawn, screenshot mode (`?screenshot=1`) hides the sidebar, and the first chart of the overview appears in
bounded time. A full-page screenshot of every page is written to test-artifacts/screenshots/<page>.png (git-ignored)
for a person to look at.

The server is started and stopped by benchmarks/serve.py (shared with the browser benchmark): one per module, whose
first request is the deep link, opened by the `served` fixture in a fresh browser context and recorded.

Needs /usr/bin/chromium, the `playwright` package and a CJK font (scripts/test.sh installs the system packages):
without them the whole module is skipped, with the reason. Never `playwright install`: it downloads a browser.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from benchmarks.serve import ServerError, serve
from pipelines.core.catalog import t
from pipelines.core.config import PLAN_DIR
from pipelines.engine.progress import STATUSES
from pipelines.present.charts import STATUS_BAR_CLASS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PLAN_TITLE = "上海硅巷"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
VIEWPORT = {"width": 1440, "height": 900}
SCREENSHOT_VIEWPORT = {"width": 1600, "height": 900}  # screenshot mode draws a fixed 1600 × 900 canvas
RENDER_TIMEOUT_MS = 60_000  # a page's script run and its charts; generous, CI shares the machine
FIRST_CHART_BOUND_S = 30  # the bounded time of the first-chart test (the goal, 3 s, is the benchmark's business)

APP = '[data-testid="stApp"]'
STATUS = '[data-testid="stStatusWidget"]'
CHART = '[data-testid="stPlotlyChart"]'
CHART_SVG = '[data-testid="stPlotlyChart"] .main-svg'
STATUS_BAR = f".{STATUS_BAR_CLASS}"  # drawn as HTML (pipelines.present.charts.status_bar_html), not by Plotly
NAV_LINKS = '[data-testid="stSidebarNav"] a, [data-testid="stTopNav"] a'
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
DIALOG = '[role="dialog"]'  # Streamlit's modal dialogs, "Page not found" among them
HEADING = '[data-testid="stMain"] h1'
# Every page of the navigation by its URL path (the default page at the root) and the heading it shows, in Chinese.
# The overview's heading is the plan's title; the others' are the page titles of the catalog.
PAGE_HEADINGS = {
    "": PLAN_TITLE,
    "actions": t("ui.page.actions", "zh"),
    "indicator": t("ui.page.indicator", "zh"),
    "departments": t("ui.page.departments", "zh"),
    "briefing": t("briefing.page-title", "zh"),
    "evaluation": t("ui.page.evaluation", "zh"),
    "tasks": t("task_pages.title", "zh"),
    "submit": t("submit.title", "zh"),
    "review": t("review.title", "zh"),
    "accounts": t("admin.title", "zh"),
    "board": t("board.title", "zh"),
    "methodology": t("ui.page.methodology", "zh"),
}
FIRST_DEEP_LINK = "submit"  # the first request to each module's new server
# Streamlit (1.67) decides once per server process, when the first session starts, whether the app is a v1 multipage
# app: it is when a pages/ folder sits beside the entry script, and then a deep link as the first request gets "Page
# not found". The screens therefore live in views/; this test keeps it that way.


def _missing_requirement() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (Debian package 'chromium'; scripts/test.sh installs it when apt-get works)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is missing (requirements-dev.txt; run scripts/setup.sh dev)"
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return "fc-list is missing, so no CJK font can be found (Debian package 'fonts-noto-cjk')"
    fonts = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    if not fonts.strip():
        return "no CJK font installed: Chinese would be drawn as boxes (Debian package 'fonts-noto-cjk')"
    return None


_why_not = _missing_requirement()
if _why_not:
    pytest.skip(f"browser tests skipped: {_why_not}", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def browser_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a new store holding the 2023–2025 plan and its samples (tests/test_browser_submit.py adds accounts to
    it): one plan, so the pages open on it whatever day it is (tests/test_browser_chinese.py walks all three)."""
    folder = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{folder / 'kpi.sqlite3'}"
    build = subprocess.run([sys.executable, "-m", "pipelines", "build", "--plan", str(PLAN_DIR), "--samples",
                            "--db", db_url], cwd=ROOT,
                           capture_output=True, text=True, check=False, timeout=300)
    assert build.returncode == 0, f"building the store failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    return db_url


@pytest.fixture(scope="module")  # per module: a module importing these fixtures gets its own, one at a time
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(frozen=True)
class Visit:
    """What a fresh browser saw on opening a URL: the dialog's text if one was shown, the page's heading, and what
    went wrong otherwise (an error box, a timeout)."""

    url: str
    dialog: str | None
    heading: str | None
    problem: str | None


@dataclass(frozen=True)
class Served:
    base: str
    first_visit: Visit  # the server's very first request: the deep link FIRST_DEEP_LINK


def new_page(browser: Browser, **options: str) -> Page:
    """A page in a fresh browser context: a new Streamlit session, empty browser cache (close its context after);
    `options` go to the context (color_scheme="dark")."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", **options)
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    return context.new_page()


def visit(browser: Browser, url: str, screenshot: Path | None = None) -> Visit:
    """Open `url` in a fresh browser context, wait for the run to finish, and note the dialog and the heading."""
    page = new_page(browser)
    try:
        open_page(page, url)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        dialogs = page.locator(DIALOG)
        dialog = dialogs.first.inner_text() if dialogs.count() else None
        headings = page.locator(HEADING)
        heading = headings.first.inner_text() if headings.count() and headings.first.is_visible() else None
        errors = page.locator(ERRORS)
        problem = f"error shown: {errors.first.inner_text()[:2000]}" if errors.count() else None
        return Visit(url, dialog, heading, problem)
    except PlaywrightError as error:  # a timeout: say so in the test that reads the visit, not in a fixture
        return Visit(url, None, None, f"{type(error).__name__}: {str(error)[:2000]}")
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def served(browser_store: str, browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A new `streamlit run` over the store of `browser_store`, one per module; its very first request, before any
    test's, is the deep link FIRST_DEEP_LINK in a fresh browser context, recorded for the tests to check."""
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    try:
        with serve(browser_store, log_path) as base:
            first = visit(browser, urljoin(base, FIRST_DEEP_LINK), SCREENSHOTS / "first-deep-link.png")
            yield Served(base, first)
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def app_url(served: Served) -> str:
    """The base URL of the module's server ("http://127.0.0.1:PORT/")."""
    return served.base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (a new Streamlit session) per test."""
    page = new_page(browser)
    try:
        yield page
    finally:
        page.context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# ---------------------------------------------------------------------------------------------------- helpers

def wait_rendered(page: Page) -> int:
    """Wait until the script run has finished and every chart is drawn; return the number of charts."""
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', state="attached")  # run begun
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]')
    page.wait_for_selector(STATUS, state="detached")
    # Lazily loaded elements (tables, charts) stand as skeletons until their code has arrived; a table is drawn
    # into a canvas, a chart into .main-svg. Only what is on screen is drawn (not a closed expander or another tab).
    page.wait_for_function(
        """([chart]) => {
            const shown = (e) => { const r = e.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && !e.closest('details:not([open])')
                    && e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}); };
            const drawn = (selector, inner) => [...document.querySelectorAll(selector)]
                .filter(shown).every(e => e.querySelector(inner));
            return !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')
                && drawn('[data-testid="stDataFrame"]', 'canvas') && drawn(chart, '.main-svg');
        }""", arg=[CHART])
    charts = page.locator(CHART).count()
    if charts and page.locator(CHART).first.is_visible():
        page.locator(CHART_SVG).first.wait_for(state="visible")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")
    return charts


def assert_no_error(page: Page, url: str) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{url}: error shown: {errors.first.inner_text()[:2000]}"


def open_page(page: Page, url: str) -> int:
    page.goto(url, wait_until="domcontentloaded")
    return wait_rendered(page)


def full_page_screenshot(page: Page, path: Path) -> None:
    """Streamlit scrolls inside stMain, so `full_page` alone stops at the window: grow the window to fit first."""
    height = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
                   return Math.ceil(Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight)); }""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(int(height), 20_000))})
    wait_rendered(page)  # a resize may re-draw the charts
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def glyph_check(page: Page) -> dict[str, object]:
    """Draw two Chinese characters with the page's own font stack: boxes (.notdef) look alike, glyphs don't."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]') || document.body;
            const family = getComputedStyle(main).fontFamily;
            const draw = (ch) => {
                const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
                const ctx = canvas.getContext('2d');
                ctx.font = `48px ${family}`; ctx.fillStyle = '#000'; ctx.textBaseline = 'top';
                ctx.fillText(ch, 4, 4);
                return ctx.getImageData(0, 0, 64, 64).data;
            };
            const a = draw('硅'), b = draw('巷');
            let ink = 0, differ = 0;
            for (let i = 3; i < a.length; i += 4) { if (a[i] || b[i]) ink++; if (a[i] !== b[i]) differ++; }
            return {family, ink, differ};
        }""")


def discover_pages(page: Page, base: str) -> dict[str, str]:
    """Page name → URL, from the navigation the app shows (the root alone when it shows none: a one-page app)."""
    open_page(page, base)
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and more.first.is_visible():
        more.first.click()  # "View more": a long navigation shows its first links only
    urls: list[str] = [base]
    for href in page.locator(NAV_LINKS).evaluate_all("links => links.map(a => a.href)"):
        url = urljoin(base, href)
        if urlsplit(url).netloc == urlsplit(base).netloc and url not in urls:
            urls.append(url)
    named: dict[str, str] = {}
    for url in urls:
        slug = urlsplit(url).path.strip("/").split("/")[-1]
        name = re.sub(r"[^\w.-]+", "_", slug) or "home"
        named.setdefault(name, url)
    return named


def app_has_screenshot_mode() -> bool:
    sources = [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py"))]
    return any("screenshot" in path.read_text(encoding="utf-8", errors="replace") for path in sources if path.is_file())


# ---------------------------------------------------------------------------------------------------- tests

def test_a_deep_link_as_the_first_request_of_a_fresh_server_opens_its_page(served: Served) -> None:
    assert not (ROOT / "pages").exists(), "a pages/ folder beside app.py brings back the v1 'Page not found' dialog"
    first = served.first_visit
    assert first.problem is None, f"{first.url}: {first.problem}"
    assert first.dialog is None, f"{first.url}, the server's first request, shows a dialog: {first.dialog!r}"
    assert first.heading == PAGE_HEADINGS[FIRST_DEEP_LINK], f"{first.url}: heading {first.heading!r}"


def test_every_page_opens_from_its_deep_link_in_a_fresh_browser(served: Served, browser: Browser, page: Page,
                                                                subtests: pytest.Subtests) -> None:
    paths = sorted(urlsplit(url).path.strip("/") for url in discover_pages(page, served.base).values())
    assert paths == sorted(PAGE_HEADINGS), "the navigation's pages are not those of PAGE_HEADINGS: add the new one"
    for path, heading in PAGE_HEADINGS.items():
        url = urljoin(served.base, path)
        with subtests.test(msg=path or "home", url=url):
            seen = visit(browser, url)
            assert seen.problem is None, f"{url}: {seen.problem}"
            assert seen.dialog is None, f"{url} shows a dialog: {seen.dialog!r}"
            assert seen.heading is not None and heading in seen.heading, f"{url}: heading {seen.heading!r}"


def test_every_page_renders_with_chinese_glyphs(app_url: str, page: Page, screenshots: Path,
                                                subtests: pytest.Subtests) -> None:
    pages = discover_pages(page, app_url)
    report = [f"{name}\t{url}" for name, url in pages.items()]
    (ARTIFACTS / "pages.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    for name, url in pages.items():
        with subtests.test(msg=name, url=url):
            charts = open_page(page, url)
            full_page_screenshot(page, screenshots / f"{name}.png")
            assert_no_error(page, url)
            main_text = page.locator('[data-testid="stMain"]').inner_text()
            assert CJK.search(main_text), f"{url}: no Chinese text in the page body: {main_text[:300]!r}"
            assert PLAN_TITLE in main_text or PLAN_TITLE in page.title(), \
                f"{url}: the plan's title {PLAN_TITLE} is neither in the page nor its title ({page.title()!r})"
            glyphs = glyph_check(page)
            assert glyphs["ink"] and glyphs["differ"], f"{url}: Chinese characters drawn as boxes: {glyphs}"
            if charts:
                drawn = page.locator(f"{CHART_SVG} >> visible=true").count()
                assert drawn, f"{url}: {charts} chart(s), none drawn on screen"


def test_overview_shows_the_plan_title(app_url: str, page: Page) -> None:
    open_page(page, app_url)
    assert_no_error(page, app_url)
    heading = page.locator("h1").first.inner_text(timeout=5_000)
    assert PLAN_TITLE in heading, heading


def test_overview_status_bar_is_drawn_as_html_with_its_words(app_url: str, page: Page) -> None:
    """The status bar is HTML through st.markdown: drawn, not shown as escaped text or stripped by the sanitiser (at
    the quarter before the plan's last: once the plan has ended its last quarter shows the 总结评估, not statuses)."""
    open_page(page, urljoin(app_url, "?as_of=2025Q3"))
    bar = page.locator(STATUS_BAR)
    rows = bar.locator("[data-status]")

    assert bar.count() == 1 and bar.first.is_visible()
    assert rows.count() == len(STATUSES)
    assert "进度正常" in bar.first.inner_text() and "<figure" not in page.locator('[data-testid="stMain"]').inner_text()
    widest = max(rows.nth(n).locator("span > span").first.bounding_box()["width"] for n in range(rows.count()))
    assert widest > 50, "the bars have no width: their inline styles were dropped"


def test_a_dark_system_preference_still_gets_the_light_theme(browser: Browser, app_url: str) -> None:
    """The charts' values and labels are dark ink (.streamlit/config.toml sets the light theme): a reader whose system
    prefers dark still gets a light page, where they show."""
    page = new_page(browser, color_scheme="dark")
    try:
        open_page(page, app_url)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        ground = page.evaluate(f"getComputedStyle(document.querySelector('{APP}')).backgroundColor")
    finally:
        page.context.close()
    assert ground == "rgb(255, 255, 255)", ground


def test_screenshot_mode_hides_the_sidebar(app_url: str, page: Page, screenshots: Path) -> None:
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    open_page(page, urljoin(app_url, "?screenshot=1"))
    page.screenshot(path=str(screenshots / "screenshot-mode.png"))
    assert_no_error(page, page.url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    shown = False
    if sidebar.count() and sidebar.first.is_visible():
        box = sidebar.first.bounding_box()
        expanded = sidebar.first.get_attribute("aria-expanded")
        shown = bool(box and box["width"] > 1 and box["x"] + box["width"] > 1 and expanded != "false")
    if shown and not app_has_screenshot_mode():
        pytest.xfail("screenshot mode not built yet")
    assert not shown, "?screenshot=1 still shows the sidebar"


def test_first_overview_chart_visible_in_bounded_time(app_url: str, page: Page) -> None:
    open_page(page, app_url)  # warm: the server has imported and cached what the overview needs
    page.goto("about:blank")
    started = time.monotonic()
    page.goto(app_url, wait_until="commit")
    page.locator(STATUS_BAR).wait_for(state="visible", timeout=FIRST_CHART_BOUND_S * 1000)
    status_bar = time.monotonic() - started
    # Either the first Plotly chart is drawn on screen, or the run has finished with no such chart on the page.
    page.wait_for_function(
        """([chartSvg, chart, app, status]) => {
            const svg = document.querySelector(chartSvg);
            if (svg) { const r = svg.getBoundingClientRect(); if (r.width > 0 && r.height > 0) return true; }
            const done = document.querySelector(app + '[data-test-script-state="notRunning"]')
                && document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')
                && !document.querySelector(status)
                && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]');
            return done && !document.querySelector(chart);
        }""", arg=[CHART_SVG, CHART, APP, STATUS], timeout=FIRST_CHART_BOUND_S * 1000, polling=50)
    seconds = time.monotonic() - started
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record = ARTIFACTS / "first_chart_seconds.txt"
    assert_no_error(page, app_url)
    if page.locator(CHART).count() == 0:
        record.write_text("the overview shows no chart\n", encoding="utf-8")
        pytest.skip("the overview shows no chart (yet): nothing to time")
    assert page.locator(CHART_SVG).first.is_visible()
    record.write_text(f"{status_bar:.2f} s from navigation to the overview's status bar (HTML), {seconds:.2f} s to its "
                      f"first Plotly chart (warm server, cached browser; goal 3 s for the first chart, see "
                      f"benchmarks/bench_browser.py)\n", encoding="utf-8")
    assert seconds < FIRST_CHART_BOUND_S  # the status bar within the bound too: wait_for above times out

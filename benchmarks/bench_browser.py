"""Benchmark: time from opening the overview in a real browser until its first chart is visible.

Run: .venv/bin/python benchmarks/bench_browser.py [--runs N] [--db URL]
Builds a temporary store with the shipped plan and samples (unless --db is given), serves the app with
`streamlit run` on a free loopback port, and opens the overview in Debian's Chromium through Playwright, each run in
a fresh browser context (a new visitor: new Streamlit session, empty browser cache), then again in the same context
(browser cache warm). The first, cold load after the server starts is reported apart; medians are over the runs.
Also prints when the app shell, the page title and the first chart first appeared (median), to show where the
time goes. Goal on 2 cores: the first chart visible within 3 s (median). Numbers move with the machine's load, which
is printed with the figures (`uptime`).

Side by side, run for run, it times the floor: benchmarks/floor_page.py, a page with a title and one small Plotly
chart served by the same Streamlit to the same browser. What the overview takes above the floor is ours to cut; the
floor itself is what Streamlit and its Plotly bundle cost on this machine.

Where the new visitor's time goes (measured November 2026): the page's script run sends its first chart about as soon
as its title, and the browser asks for Streamlit's 4.7 MB Plotly chunk right then; what follows (fetching it, compiling
and running it, drawing the charts) is the rest. Loading that chunk earlier, from the page's head or from the first
element of the run, measured slower, not faster, for the first chart (alternated runs on 2 cores).
Needs /usr/bin/chromium and fonts-noto-cjk (scripts/test.sh installs them); never `playwright install`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.serve import ServerError, serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
GOAL_S = 3.0
TIMEOUT_MS = 60_000

# Resolves when the first chart is drawn on screen, or (to "no chart") when the run ended with no chart on the page.
FIRST_CHART_JS = """() => {
    const svg = document.querySelector('[data-testid="stPlotlyChart"] .main-svg');
    if (svg) { const r = svg.getBoundingClientRect(); if (r.width > 0 && r.height > 0) return 'chart'; }
    const done = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        && document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]');
    return done && !document.querySelector('[data-testid="stPlotlyChart"]') ? 'no chart' : false;
}"""


# Marks, in ms since navigation start, when the app shell, the page's title (h1) and the first chart first appear, and
# when the browser asked for Streamlit's Plotly chart code (static/js/PlotlyChart.<hash>.js) and had all of it.
MARKS_JS = """(() => {
    window.__marks = {};
    const seen = {shell: '[data-testid="stApp"]', title: '[data-testid="stMain"] h1',
                  chart: '[data-testid="stPlotlyChart"] .main-svg'};
    const look = () => { for (const [name, selector] of Object.entries(seen))
        if (!(name in window.__marks) && document.querySelector(selector)) window.__marks[name] = performance.now(); };
    new MutationObserver(look).observe(document, {childList: true, subtree: true});
    new PerformanceObserver(list => { for (const entry of list.getEntries())
        if (/\\/PlotlyChart\\.[^/]*\\.js$/.test(entry.name) && !('code asked' in window.__marks))
            Object.assign(window.__marks, {'code asked': entry.startTime, 'code here': entry.responseEnd});
    }).observe({type: 'resource', buffered: true});
})();"""
PHASES = ("shell", "title", "code asked", "code here", "chart")


def time_first_chart(page, url: str) -> tuple[float, dict[str, float]]:  # type: ignore[no-untyped-def]
    page.goto("about:blank")
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    outcome = page.wait_for_function(FIRST_CHART_JS, timeout=TIMEOUT_MS, polling=50).json_value()
    seconds = time.monotonic() - started
    if outcome != "chart":
        sys.exit("the overview shows no chart: nothing to time")
    marks = page.evaluate("() => window.__marks")
    return seconds, {name: marks.get(name, float("nan")) / 1000 for name in PHASES}


FLOOR_PAGE = "benchmarks/floor_page.py"
Visit = tuple[float, dict[str, float]]


def one_visit(browser, url: str) -> list[Visit]:  # type: ignore[no-untyped-def]
    """A new visitor (fresh context, empty browser cache), then the same visitor opening the overview again."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(MARKS_JS)
    try:
        page = context.new_page()
        return [time_first_chart(page, url), time_first_chart(page, url)]
    finally:
        context.close()


def phases(marks: list[dict[str, float]]) -> str:
    return ", ".join(f"{name} {statistics.median(m[name] for m in marks):.2f} s" for name in PHASES)


def load() -> str:
    """The machine's load averages (1, 5, 15 min), as `uptime` shows them."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs after the cold one (default 5)")
    parser.add_argument("--db", help="store URL to serve (default: a new temporary store with the plan and samples)")
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (or run scripts/test.sh)")
    from playwright.sync_api import sync_playwright

    print(f"before: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        db_url = args.db
        if db_url is None:
            db_url = f"sqlite:///{Path(folder) / 'kpi.sqlite3'}"
            build = subprocess.run([sys.executable, "-m", "pipelines", "build", "--samples", "--db", db_url],
                                   cwd=ROOT, capture_output=True, text=True, check=False)
            if build.returncode:
                sys.exit(f"building the store failed:\n{build.stdout[-2000:]}\n{build.stderr[-2000:]}")
        try:
            with serve(db_url, Path(folder) / "streamlit.log") as base, \
                    serve(db_url, Path(folder) / "floor.log", app=FLOOR_PAGE) as floor_base, \
                    sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
                try:
                    cold, _ = one_visit(browser, base)[0]
                    one_visit(browser, floor_base)  # its own first load after server start, not counted
                    print(f"cold (first load after server start): {cold:.2f} s")
                    visits: dict[str, list[Visit]] = {key: [] for key in ("fresh", "cached", "floor", "floor cached")}
                    for run in range(1, args.runs + 1):
                        first, again = one_visit(browser, base)
                        floor_first, floor_again = one_visit(browser, floor_base)
                        for key, visit in zip(visits, (first, again, floor_first, floor_again)):
                            visits[key].append(visit)
                        print(f"run {run}: new visitor {first[0]:.2f} s (floor {floor_first[0]:.2f} s), cached browser "
                              f"{again[0]:.2f} s (floor {floor_again[0]:.2f} s) ({load()})", flush=True)
                finally:
                    browser.close()
        except ServerError as error:
            sys.exit(str(error))
    for label, key, floor_key in (("new visitor (empty browser cache)", "fresh", "floor"),
                                  ("cached browser", "cached", "floor cached")):
        times = [seconds for seconds, _ in visits[key]]
        floors = [seconds for seconds, _ in visits[floor_key]]
        median = statistics.median(times)
        verdict = "met" if median <= GOAL_S else "NOT met"
        print(f"first chart visible, {label}: median {median:.2f} s over {len(times)} runs "
              f"(min {min(times):.2f}, max {max(times):.2f}); goal {GOAL_S:.0f} s: {verdict}")
        print(f"    median time after navigation start when first seen: {phases([m for _, m in visits[key]])}")
        print(f"    floor (a title and one Plotly chart): median {statistics.median(floors):.2f} s "
              f"(min {min(floors):.2f}, max {max(floors):.2f}); the overview above it: median "
              f"{statistics.median(t - f for t, f in zip(times, floors)):+.2f} s")
        print(f"    floor, when first seen: {phases([m for _, m in visits[floor_key]])}")
    print(f"cold (first load after server start): {cold:.2f} s")
    print(f"after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Real-browser tests of the sign-in and the 数据填报 page: the demo submitter demo-kw signs in (the page's link, the
server's form, back with an HttpOnly cookie), uploads a GB18030 CSV (what "CSV (逗号分隔)"
saves on Chinese Windows) for 区科委 through the page's file uploader, presses 上报 and sees the receipt with its
submission number. The page is opened straight from its deep link, in a fresh browser. The app, the browser and the
store (plan and samples) are test_browser.py's fixtures, imported: pytest then instantiates them once for each module
(this module's own server, started by benchmarks/serve.py, whose first request is the deep link /submit, checked in
test_browser.py; the browser is module-scoped so the two Playwright instances never overlap). The demo accounts are
added to the store through the command line. The receipt's screenshot is written to
test-artifacts/screenshots/submit-receipt.png (git-ignored). An outsider who connects with that session's id (read
from the upload URL) is not signed in; a reload and a second tab stay signed in, and sign-out ends both.

Skipped, with test_browser.py's reason, when Chromium, Playwright or a CJK font is missing (importing that module
skips this one too).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import HEADER, csv_bytes
from test_browser import (  # noqa: F401  (fixtures are used by name)
    DIALOG,
    ROOT,
    Page,
    app_url,
    assert_no_error,
    browser,
    browser_store,
    full_page_screenshot,
    open_page,
    page,
    screenshots,
    served,
    wait_rendered,
)

pytestmark = pytest.mark.browser

# A03 高成长性科技企业数 belongs to 区科委 (KW); the samples hold 608 for 2024Q1, so 615 is a revision that passes
# every check (no 核实性 item, not red), as GOOD does in test_submit_page.py.
KW_FILE = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "615", "浏览器测试"]], encoding="gb18030")
EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(scope="session")
def demo_accounts(browser_store: str) -> None:  # noqa: F811  (the imported fixture, by name)
    """demo-kw and the other demo accounts in the served store (idempotent: an existing account is kept)."""
    made = subprocess.run([sys.executable, "-m", "pipelines", "users", "demo", "--db", browser_store], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)
    assert made.returncode == 0, f"creating the demo accounts failed:\n{made.stdout[-3000:]}\n{made.stderr[-3000:]}"


def test_demo_submitter_uploads_a_gb18030_csv_and_sees_the_receipt(
        app_url: str, demo_accounts: None, page: Page, screenshots: Path,  # noqa: F811  (imported fixtures)
        tmp_path: Path, browser: object) -> None:  # noqa: F811
    url = urljoin(app_url, "submit")
    open_page(page, url)  # the deep link, in a fresh browser: no overview first
    assert page.locator(DIALOG).count() == 0, page.locator(DIALOG).first.inner_text()
    assert_no_error(page, url)

    sign_in(page, "demo-kw", "demo")
    assert page.url.startswith(url)  # back on the page that asked for the sign-in
    assert page.locator(".st-key-dept input").input_value() == "区科委"  # demo-kw submits for KW only
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0  # .streamlit/config.toml: toolbarMode
    assert uploader_words(page) == ("选择文件", "拖入或选择一个文件：CSV 或 Excel（.xlsx），不超过10MB")

    upload = tmp_path / "区科委_2024Q1.csv"
    upload.write_bytes(KW_FILE)
    with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url) as sent:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(upload)
    session_id = re.search(r"/_stcore/upload_file/([^/]+)/", sent.value.url)
    assert session_id, sent.value.url
    page.get_by_text("文件通过审核").wait_for(state="visible")
    wait_rendered(page)
    assert_no_error(page, url)

    page.locator(".st-key-send button").click()
    receipt = page.get_by_text(re.compile(r"报送编号：\d+"))
    receipt.wait_for(state="visible")
    wait_rendered(page)
    full_page_screenshot(page, screenshots / "submit-receipt.png")

    text = receipt.first.inner_text()
    assert "已上报，待审核" in text and "修订1条" in text, text
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()[:2000]
    assert_no_error(page, url)
    _an_outsider_with_the_session_id_is_not_signed_in(browser, app_url, session_id.group(1))


def uploader_words(tab: Page) -> tuple[str, str]:
    """What the first file uploader shows a reader: Streamlit's own English words are drawn at size 0 (asserted), and
    the page's words in their place (CSS content, which innerText does not hold)."""
    words = tab.evaluate("""() => {
      const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
      const shown = (el) => {
        if (getComputedStyle(el).fontSize !== "0px") { throw new Error("English still drawn: " + el.innerText); }
        return JSON.parse(getComputedStyle(el, "::after").content);
      };
      return [shown(zone.querySelector('button [data-testid="stMarkdownContainer"] p')),
              shown(zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'))];
    }""")
    return words[0], words[1]


def sign_in(tab: Page, username: str, password: str) -> None:
    """Through the page's link to the sign-in page, the form posted to the server, and back, signed in."""
    tab.locator("a.kpi-signin").click()
    tab.get_by_label("账号", exact=True).fill(username)
    tab.get_by_label("密码", exact=True).fill(password)
    tab.get_by_role("button", name="登录").click()
    tab.get_by_text("当前用户").wait_for(state="visible")  # signed in: the user bar replaces the link
    wait_rendered(tab)


# An outsider who learnt a session's id (it is in every upload URL, and so in a proxy's access log) connects with it:
# Streamlit attaches the connection to that session, but the sign-in is in the browser's cookie, which the outsider
# does not have.
ATTACH = """(() => { const Real = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const asked = (protocols || []).slice(0, 2); while (asked.length < 2) asked.push("");
    asked.push(%s); return new Real(url, asked); };
  window.WebSocket.prototype = Real.prototype; Object.assign(window.WebSocket, Real); })();"""


def _an_outsider_with_the_session_id_is_not_signed_in(chromium: object, base: str, session_id: str) -> None:
    outsider = chromium.new_context()  # type: ignore[attr-defined]
    try:
        tab = outsider.new_page()
        tab.add_init_script(ATTACH % json.dumps(session_id))
        tab.goto(urljoin(base, "submit"))
        tab.locator("a.kpi-signin").wait_for(state="visible")
        wait_rendered(tab)
        assert tab.get_by_text("当前用户").count() == 0
        assert tab.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    finally:
        outsider.close()


def test_a_reload_and_a_second_tab_stay_signed_in_and_sign_out_ends_both(
        app_url: str, demo_accounts: None, browser: object) -> None:  # noqa: F811  (imported fixtures)
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        url = urljoin(app_url, "submit")
        open_page(page, url)
        sign_in(page, "demo-kw", "demo")
        page.reload()
        page.get_by_text("当前用户").wait_for(state="visible")
        second = context.new_page()
        open_page(second, url)
        second.get_by_text("当前用户").wait_for(state="visible")

        page.locator("a.kpi-signout").click()
        page.locator("a.kpi-signin").wait_for(state="visible")
        second.reload()
        second.locator("a.kpi-signin").wait_for(state="visible")
        assert second.get_by_text("当前用户").count() == 0
    finally:
        context.close()

"""Real-browser test of the 数据填报 page: the demo submitter demo-kw signs in, uploads a GB18030 CSV (what "CSV (逗号分隔)"
saves on Chinese Windows) for 区科委 through the page's file uploader, presses 上报 and sees the receipt with its
submission number. The page is opened straight from its deep link, in a fresh browser. The app, the browser and the
store (plan and samples) are test_browser.py's fixtures, imported: pytest then instantiates them once for each module
(this module's own server, started by benchmarks/serve.py, whose first request is the deep link /submit, checked in
test_browser.py; the browser is module-scoped so the two Playwright instances never overlap). The demo accounts are
added to the store through the command line. The receipt's screenshot is written to
test-artifacts/screenshots/submit-receipt.png (git-ignored).

Skipped, with test_browser.py's reason, when Chromium, Playwright or a CJK font is missing (importing that module
skips this one too).
"""
from __future__ import annotations

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
        tmp_path: Path) -> None:
    url = urljoin(app_url, "submit")
    open_page(page, url)  # the deep link, in a fresh browser: no overview first
    assert page.locator(DIALOG).count() == 0, page.locator(DIALOG).first.inner_text()
    assert_no_error(page, url)

    page.get_by_label("账号", exact=True).fill("demo-kw")
    page.get_by_label("密码", exact=True).fill("demo")
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.get_by_text("当前用户").wait_for(state="visible")  # signed in: the user bar replaces the form
    wait_rendered(page)
    assert page.locator(".st-key-dept input").input_value() == "区科委"  # demo-kw submits for KW only

    upload = tmp_path / "区科委_2024Q1.csv"
    upload.write_bytes(KW_FILE)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(upload)
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

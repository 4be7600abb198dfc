"""The served web UI in Debian's Chromium: search, tick a facet, open a record, download a CSV."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive
from indexer import Index

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "screenshot-search.png"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHRASE = "代表联络站"

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`congress-archive serve` (waitress) on a free loopback port, over the indexed seeds."""
    data_dir = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(seeded_data_dir, data_dir)
    Index(data_dir).update(Archive(data_dir))
    port = free_port()
    command = [str(Path(sys.executable).parent / "congress-archive"), "--data-dir", str(data_dir)]
    command += ["serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/help", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "Traceback" not in log.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


def total(page: Page) -> int:
    return int(page.locator("#total strong").get_attribute("data-total") or "-1")


def test_search_tick_a_district_open_a_record_and_download_csv(
    page: Page, server: str, tmp_path: Path
) -> None:
    page.goto(server + "/")
    assert total(page) == 7
    page.get_by_placeholder("输入检索词").fill(PHRASE)
    page.get_by_role("button", name="检索", exact=True).click()
    page.wait_for_url("**/search?q=*")
    assert total(page) == 7
    expect(page.locator(".snippet mark").first).to_have_text(PHRASE)

    # Ticking a checkbox submits the form (JavaScript enhancement) and narrows the count.
    page.locator("input[name=district][value='老边区']").check()
    page.wait_for_url("**district=*")
    assert total(page) == 1
    expect(page.locator("input[name=district][value='老边区']")).to_be_checked()
    expect(page.locator(".chips")).to_contain_text("区县：老边区")
    if os.environ.get("UPDATE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    # The export box downloads every match as CSV with a BOM and a Chinese file name.
    page.locator("details.export summary").click()
    with page.expect_download() as info:
        page.locator("a[data-format=csv][data-level=record]").click()
    download = info.value
    assert download.suggested_filename == f"{PHRASE}-老边区.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "编号,标题,常委会,区县".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2
    assert rows[1][3] == "老边区"

    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/records/*")
    expect(page.locator("h1")).to_have_text("创新监督方式 提升履职质效")
    expect(page.locator(".body mark").first).to_have_text(PHRASE)
    expect(page.locator("dl.metadata")).to_contain_text("老边区 · 营口市 · 辽宁省")


def test_facets_work_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/search?q={PHRASE}")
    page.locator("input[name=district][value='站前区']").check()
    page.locator("input[name=district][value='西市区']").check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**district=*")
    assert total(page) == 2
    page.locator(".chips a", has_text="站前区").click()
    assert total(page) == 1
    context.close()


def test_phone_screen_has_no_sideways_scrolling(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in (f"/search?q={PHRASE}", "/districts", "/help"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, path
    context.close()


def test_chinese_renders_as_glyphs_not_boxes(page: Page, server: str) -> None:
    """Without a CJK font every character is the same box: different characters must differ."""
    page.goto(server + "/help")
    distinct = page.evaluate(
        """() => {
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 40;
            const c = canvas.getContext('2d');
            c.font = '32px ' + getComputedStyle(document.body).fontFamily;
            const pixels = (ch) => {
                c.clearRect(0, 0, 40, 40);
                c.fillText(ch, 2, 34);
                return c.getImageData(0, 0, 40, 40).data.join(',');
            };
            const seen = new Set(['代', '表', '联', '络', '站'].map(pixels));
            return seen.size;
        }"""
    )
    assert distinct == 5

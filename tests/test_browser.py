"""The served web UI in Debian's Chromium: search, tick a facet, open a record, download a CSV."""

from __future__ import annotations

import csv
import io
import json
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
from tests.test_research import consecutive_years, indexed, multi_year_records

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "screenshot-search.png"
AXE = Path(__file__).resolve().parent / "fixtures" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0)
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


def serve(data_dir: Path, log: Path) -> Iterator[str]:
    """`congress-archive serve` (waitress) on a free loopback port, over an indexed data dir."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "congress-archive"), "--data-dir", str(data_dir)]
    command += ["serve", "--port", str(port)]
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
def server(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server over the indexed seeds."""
    data_dir = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(seeded_data_dir, data_dir)
    Index(data_dir).update(Archive(data_dir))
    yield from serve(data_dir, tmp_path_factory.mktemp("log") / "serve.log")


@pytest.fixture(scope="module")
def years_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server over a generated archive of several years (the trends test corpus)."""
    data_dir = indexed(tmp_path_factory.mktemp("years") / "data", multi_year_records())
    yield from serve(data_dir, tmp_path_factory.mktemp("log") / "serve.log")


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


PAGES = (
    "/",
    f"/search?q={PHRASE}&district=老边区&district=西市区",
    "/records/387a6fb41bfe",
    f"/records/387a6fb41bfe?q={PHRASE}",
    "/districts",
    "/districts/老边区?city=营口市&province=辽宁省",
    "/help",
    f"/trends?q={PHRASE}&q=执法检查&by=district",
    f"/concordance?q={PHRASE}",
    f"/compare?district=老边区&district=西市区&q={PHRASE}",
    "/records/000000000000",
)
YEAR_PAGES = (
    f"/trends?q={PHRASE}&q=执法检查",
    "/compare?district=老边区&district=营口市",
    "/compare/years?district={}&year={}".format(*consecutive_years()),
)


def test_phone_screen_has_no_sideways_scrolling_and_pages_work_without_javascript(
    browser: Browser, server: str, years_server: str
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    for url in (*(server + p for p in PAGES), *(years_server + p for p in YEAR_PAGES)):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, url
        assert page.locator("main h1, main .hit, main form").count() >= 1, url
        assert page.locator("section.error").count() == (url.endswith("/000000000000")), url
    context.close()


def test_every_page_passes_axe_wcag2_a_and_aa(
    browser: Browser, server: str, years_server: str
) -> None:
    """axe-core's WCAG 2 A/AA rules on every page (injected past the CSP, which the pages keep)."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    failures = {}
    for url in (*(server + p for p in PAGES), *(years_server + p for p in YEAR_PAGES)):
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']});
                return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' | '));
            }"""
        )
        if found:
            failures[url] = found
    context.close()
    assert failures == {}


def test_trends_chart_draws_a_bar_per_year_and_term_and_opens_the_narrowed_search(
    page: Page, years_server: str
) -> None:
    terms = (PHRASE, "执法检查")
    query = "&".join(f"q={t}" for t in terms)
    page.goto(f"{years_server}/trends?{query}")
    with urllib.request.urlopen(page.url.replace("/trends?", "/api/trends?")) as response:
        trend = json.load(response)
    svg = page.locator("svg#chart-2")  # raw counts
    top = float(svg.get_attribute("data-top") or 0)
    plot = float(svg.get_attribute("data-plot-height") or 0)
    for s, series in enumerate(trend["series"]):
        bars = svg.locator(f"rect.bar[data-series='{s}']")
        drawn = [p for p in series["points"] if p["total"]]
        assert bars.count() == len(drawn) == 7  # 2018-2025 without 2021
        for i, point in enumerate(drawn):
            bar = bars.nth(i)
            assert bar.get_attribute("data-key") == str(point["key"])
            box = bar.bounding_box()
            assert box is not None
            assert box["height"] == pytest.approx(point["hits"] / top * plot, abs=0.5)
    bar = svg.locator("rect.bar[data-series='1'][data-key='2019']")
    hits = next(p["hits"] for p in trend["series"][1]["points"] if p["key"] == 2019)
    bar.click()
    page.wait_for_url("**/search?**")
    assert "year=2019" in page.url and "%E6%89%A7%E6%B3%95%E6%A3%80%E6%9F%A5" in page.url
    assert total(page) == hits
    if os.environ.get("UPDATE_SCREENSHOT"):
        page.goto(f"{years_server}/trends?{query}")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-trends.png"), full_page=True)
        page.goto(f"{years_server}/compare?district=老边区&district=营口市&q={PHRASE}")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-compare.png"), full_page=False)


def test_concordance_sorts_by_right_context(page: Page, server: str) -> None:
    page.goto(f"{server}/concordance?q={PHRASE}&context=12")
    assert total(page) == 10
    page.locator("select[name=sort]").select_option("right")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**sort=right*")
    rights = page.locator("table.kwic td.right").all_inner_texts()
    assert len(rights) == 10
    assert rights == sorted(rights)
    expect(page.locator("table.kwic td.match mark").first).to_have_text(PHRASE)
    if os.environ.get("UPDATE_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "screenshot-concordance.png"), full_page=False)


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


def snippet_texts(page: Page) -> list[str]:
    """The text of every snippet shown (without its …), marks and all."""
    return [t.strip("…") for t in page.locator(".snippet").all_inner_texts()]


def record_paragraphs(server: str, page: Page) -> dict[str, list[dict]]:
    """The paragraphs (text, categories) of every hit on the page, from the record API."""
    found = {}
    for href in page.locator(".hit h2 a").evaluate_all("els => els.map(e => e.href)"):
        record_id = href.split("/records/")[1].split("?")[0]
        with urllib.request.urlopen(f"{server}/api/records/{record_id}") as response:
            found[record_id] = json.load(response)["paragraphs"]
    return found


def test_a_category_ticked_under_a_query_keeps_snippets_in_its_paragraphs(
    page: Page, server: str
) -> None:
    page.goto(f"{server}/search?q=代表")
    before = total(page)
    expect(page.locator("[data-facet=category] .facet-hint")).to_contain_text("命中落在该类段落")
    page.locator("input[name=category][value='监督']").check()
    page.wait_for_url("**category=*")
    assert 0 < total(page) < before
    count = page.locator("[data-facet=category] li.selected .count").inner_text()
    assert int(count) == total(page)  # the count beside a ticked category is what it gives
    of_it = [
        p["text"]
        for paragraphs in record_paragraphs(server, page).values()
        for p in paragraphs
        if "监督" in p["categories"]
    ]
    shown = snippet_texts(page)  # each a window inside one paragraph of the category
    assert shown and all(any(text in p for p in of_it) for text in shown), shown
    assert page.locator(".snippet mark").count() >= len(shown)
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "category.png"))


def test_a_同段_query_shows_snippets_from_paragraphs_holding_every_term(
    page: Page, server: str
) -> None:
    page.goto(f"{server}/")
    page.get_by_placeholder("输入检索词").fill("同段（代表联络站 接待）")
    page.get_by_role("button", name="检索", exact=True).click()
    page.wait_for_url("**/search?q=*")
    assert total(page) == 4
    both = [
        p["text"]
        for paragraphs in record_paragraphs(server, page).values()
        for p in paragraphs
        if "代表联络站" in p["text"] and "接待" in p["text"]
    ]
    shown = snippet_texts(page)  # each a window inside one paragraph holding both terms
    assert shown and all(any(text in p for p in both) for text in shown), shown
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "para.png"))

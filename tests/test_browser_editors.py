"""An editor in Chromium: sign in, upload a .docx and a .txt, review, correct a district and a
year, find the record under the new facets, re-upload the source, restore the old version."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.editors import EDITOR, PASSWORD, served, url
from tests.formats_fixtures import make_docx
from tests.test_browser import browser, page  # noqa: F401  (the shared Chromium fixtures)

pytestmark = pytest.mark.browser

from playwright.sync_api import Page, expect  # noqa: E402

SUMMARY = (
    "鲅鱼圈区人大常委会2023年工作总结\n\n"
    "2023年，鲅鱼圈区人大常委会开展执法检查3次，听取审议专项工作报告12个，组织代表视察菜市场改建。\n"
)


@pytest.fixture
def site(seeded_data_dir: Path, tmp_path: Path) -> Iterator[str]:
    with served(seeded_data_dir, tmp_path / "data") as running:
        yield url(running)
        assert "Traceback" not in running.log()


def shot(page: Page, folder: Path, name: str) -> None:  # noqa: F811
    """A full-page screenshot to look at: pytest's tmp dir of the test, screens/NAME.png."""
    (folder / "screens").mkdir(exist_ok=True)
    page.screenshot(path=str(folder / "screens" / f"{name}.png"), full_page=True)


def upload(page: Page, site: str, *files: Path) -> None:  # noqa: F811
    page.goto(site + "/upload")
    page.locator("input[name=files]").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/batches/*")


def test_editor_uploads_corrects_finds_and_restores(
    page: Page,  # noqa: F811
    site: str,
    tmp_path: Path,
) -> None:
    txt = tmp_path / "鲅鱼圈区2023.txt"
    txt.write_text(SUMMARY, encoding="utf-8")
    docx = tmp_path / "安州区总结.docx"
    docx.write_bytes(make_docx())

    page.goto(site + "/upload")
    page.wait_for_url("**/login?next=/upload")
    page.get_by_label("用户名").fill(EDITOR)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/upload")
    expect(page.locator("header .editor")).to_have_text(f"编辑：{EDITOR}")

    upload(page, site, docx, txt)
    rows = page.locator("table.review tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("鲅鱼圈区 · 营口市 · 辽宁省")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("2023")
    expect(rows.nth(0).locator("td").nth(5)).to_have_text("安州区总结.docx")
    shot(page, tmp_path, "1-review")

    rows.nth(1).get_by_role("link", name="修改").click()
    page.wait_for_url("**/edit")
    page.get_by_label("区县").fill("老边区")
    page.get_by_label("年份").fill("2022")
    shot(page, tmp_path, "2-edit")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_url("**/records/*")
    record_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".flash")).to_have_text("已保存：区县、年份")
    expect(page.locator("dl.metadata")).to_contain_text("老边区 · 营口市 · 辽宁省")

    started = time.monotonic()
    while True:  # search and facets show it within 5 s, without a restart
        page.goto(f"{site}/search?district=老边区&year=2022")
        if page.locator(f"a[href^='/records/{record_id}']").count():
            break
        assert time.monotonic() - started < 5, "the correction is not searchable after 5 s"
        time.sleep(0.2)
    expect(page.locator("input[name=district][value='老边区']")).to_be_checked()
    shot(page, tmp_path, "3-search")

    upload(page, site, txt)  # the same source again: its record keeps the correction
    expect(page.locator("table.review tbody tr")).to_contain_text("老边区 · 营口市 · 辽宁省")
    expect(page.locator("table.review tbody tr td").nth(2)).to_have_text("2022")

    page.goto(f"{site}/records/{record_id}")
    versions = page.locator("ol.history li")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text("鲅鱼圈区 · 营口市 · 辽宁省 · 2023")
    versions.first.get_by_role("button", name="恢复这个版本").click()
    page.wait_for_url(f"**/records/{record_id}")
    expect(page.locator("dl.metadata")).to_contain_text("鲅鱼圈区 · 营口市 · 辽宁省")
    expect(page.locator("dl.metadata")).to_contain_text("2023")
    shot(page, tmp_path, "4-restored")
    page.goto(f"{site}/search?district=老边区&year=2022")
    expect(page.locator(f"a[href^='/records/{record_id}']")).to_have_count(0)

    page.get_by_role("button", name="退出登录").click()
    page.goto(f"{site}/records/{record_id}")
    expect(page.locator(".editor-tools")).to_have_count(0)

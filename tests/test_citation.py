"""Citations: GB/T 7714-2015 on record pages, RIS and BibTeX exports read back by a RIS parser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
import pytest
import rispy
from click.testing import CliRunner
from flask.testing import FlaskClient

from archive import Archive
from indexer.exporting import gbt7714, stream
from tests.test_web import PHRASE, indexed_copy
from webui import create_app
from webui.cli import main

BASE = "https://archive.example.org"


@pytest.fixture(scope="module")
def indexed_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed_copy(seeded_data_dir, tmp_path_factory)


@pytest.fixture
def client(indexed_dir: Path) -> FlaskClient:
    return create_app({"DATA_DIR": str(indexed_dir), "BASE_URL": BASE}).test_client()


def test_ris_export_of_a_search_imports_with_every_title_place_year_and_link(
    client: FlaskClient, indexed_dir: Path
) -> None:
    response = client.get(f"/export?q={PHRASE}&format=ris")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    entries = rispy.loads(response.data.decode())
    records = {r.id: r for r in Archive(indexed_dir)}
    hits = client.get(f"/api/search?q={PHRASE}&per_page=100").get_json()["hits"]
    assert [e["id"] for e in entries] == [h["id"] for h in hits]
    assert len(entries) == 7
    for entry in entries:
        record = records[entry["id"]]
        assert entry["type_of_reference"] == "RPRT"
        assert entry["title"] == record.title
        assert entry["authors"] == [record.committee]
        assert entry["place_published"] == f"{record.province}{record.city}{record.district}"
        assert entry["year"] == str(record.year)
        assert entry["urls"] == [f"{BASE}/records/{record.id}"]
        assert entry.get("keywords", []) == list(record.categories)  # none: no KW line


def test_bibtex_entry_is_exact_and_escapes_latex() -> None:
    row = {
        "id": "0123456789ab",
        "title": "预算审查 50% & 监督_{一}",
        "committee": "老边区人大常委会",
        "province": "辽宁省",
        "city": "营口市",
        "district": "老边区",
        "year": 2025,
        "categories": ["监督", "代表工作"],
        "link": f"{BASE}/records/0123456789ab",
    }
    assert b"".join(stream("bibtex", "record", [row])).decode() == (
        "@misc{congress-0123456789ab,\n"
        "  title = {{预算审查 50\\% \\& 监督\\_\\{一\\}}},\n"
        "  author = {{老边区人大常委会}},\n"
        "  year = {2025},\n"
        "  address = {辽宁省营口市老边区},\n"
        "  keywords = {监督, 代表工作},\n"
        f"  url = {{{BASE}/records/0123456789ab}},\n"
        "  note = {人大常委会工作总结档案 0123456789ab}\n"
        "}\n\n"
    )
    unknown = {**row, "committee": None, "year": None, "province": None, "city": None}
    assert gbt7714(unknown, "2026-12-02") == (
        f"预算审查 50% & 监督_{{一}}[EB/OL]. [2026-12-02]. {BASE}/records/0123456789ab."
    )


def test_record_page_cites_it_in_gbt7714_with_its_permalink(client: FlaskClient) -> None:
    doc = lxml.html.fromstring(client.get("/records/387a6fb41bfe").text)
    today = date.today().isoformat()
    assert doc.xpath("//p[@class='cite']/text()") == [
        f"老边区人大常委会. 创新监督方式 提升履职质效[EB/OL]. (2025)[{today}]. "
        f"{BASE}/records/387a6fb41bfe."
    ]
    ris, bib = doc.xpath("//section[@class='citation']//a/@href")
    assert (ris, bib) == ("/records/387a6fb41bfe/cite.ris", "/records/387a6fb41bfe/cite.bib")
    [entry] = rispy.loads(client.get(ris).data.decode())
    assert entry["urls"] == [f"{BASE}/records/387a6fb41bfe"]
    assert client.get(bib).data.startswith(b"@misc{congress-387a6fb41bfe,\n")
    assert client.get("/records/387a6fb41bfe/cite.txt").status_code == 404


def test_cli_writes_the_same_ris_and_bibtex_as_the_web(
    client: FlaskClient, indexed_dir: Path, tmp_path: Path
) -> None:
    for fmt, suffix in (("ris", "ris"), ("bibtex", "bib")):
        out = tmp_path / f"refs.{suffix}"
        result = CliRunner().invoke(
            main,
            ["--data-dir", str(indexed_dir), "export", PHRASE, "--base-url", BASE, "-o", str(out)],
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == client.get(f"/export?q={PHRASE}&format={fmt}").data
    response = client.get(f"/export?q={PHRASE}&format=bibtex&level=passage")
    assert response.status_code == 400
    assert "bibtex 格式只能按记录导出 (bibtex exports records only)" in response.text

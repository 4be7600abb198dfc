"""Exports end to end on the seeds: the download and `congress-archive export` give the same bytes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from archive import Archive
from archive.categories import data_taxonomy
from indexer import Index
from indexer.models import SearchRequest
from tests.test_export import xlsx_rows
from tests.test_web import PHRASE, indexed_copy
from webui import create_app
from webui.cli import main

BOM = b"\xef\xbb\xbf"
HEADER = "编号,标题,常委会,区县,城市,省份,年份,文种,类别,来源,汇编序号,链接,全文\r\n".encode()


@pytest.fixture(scope="module")
def indexed_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed_copy(seeded_data_dir, tmp_path_factory)


@pytest.fixture
def client(indexed_dir: Path) -> FlaskClient:
    return create_app({"DATA_DIR": str(indexed_dir)}).test_client()


def download(client: FlaskClient, query: str) -> tuple[bytes, dict[str, str]]:
    response = client.get(f"/export?{query}")
    assert response.status_code == 200, response.text[:300]
    assert response.is_streamed
    return response.data, dict(response.headers)


def test_csv_download_holds_every_match_not_one_page(
    client: FlaskClient, indexed_dir: Path
) -> None:
    data, headers = download(client, f"q={PHRASE}&per_page=2&page=2&format=csv")
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"congress-archive.csv\"; filename*=UTF-8''" + quote(f"{PHRASE}.csv")
    )
    assert data.startswith(BOM + HEADER)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:]
    total = client.get(f"/api/search?q={PHRASE}").get_json()["total"]
    assert len(rows) == total == 7
    by_id = {r.id: r for r in Archive(indexed_dir)}
    for row in rows:
        record = by_id[row[0]]
        assert row[1] == record.title
        assert row[3:6] == [record.district, record.city, record.province]
        assert row[10] == ("" if record.part is None else str(record.part))
        assert row[11] == f"http://localhost/records/{record.id}"
        assert row[12] == record.text


def test_a_damaged_record_file_is_exported_as_indexed_not_cut_short(
    indexed_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_dir, data_dir)
    record = sorted(Archive(data_dir), key=lambda r: r.id)[0]
    Archive(data_dir).path(record.id).write_text("---\nid: [oops\n---\nbody\n", "utf-8")
    client = create_app({"DATA_DIR": str(data_dir)}).test_client()
    rows = json.loads(download(client, "format=json")[0])
    assert len(rows) == 7
    (row,) = [row for row in rows if row["id"] == record.id]
    metadata = {k: v for k, v in record.metadata().items() if k not in ("source", "part")}
    assert row == metadata | {
        "source": None,
        "part": None,
        "link": row["link"],
        "text": record.text,
    }


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_record_export_rows_are_the_api_records_plus_a_link(client: FlaskClient, fmt: str) -> None:
    data, _ = download(client, f"q={PHRASE}&format={fmt}")
    rows = json.loads(data) if fmt == "json" else [json.loads(line) for line in data.splitlines()]
    assert len(rows) == 7
    for row in rows:
        api = client.get(f"/api/records/{row['id']}").get_json()
        del api["paragraphs"]  # the record page's own; an export row is one record
        assert row == {**api, "link": f"http://localhost/records/{row['id']}"}
        assert list(row) == [*list(api)[:-1], "link", "text"]


def test_every_export_link_on_the_page_downloads(client: FlaskClient) -> None:
    doc = lxml.html.fromstring(client.get(f"/search?q={PHRASE}&district=老边区&year=2025").text)
    links = doc.xpath("//details[@class='export']//a")
    assert len(links) == 10
    for link in links:
        fmt, level = link.get("data-format"), link.get("data-level")
        data, headers = download(client, link.get("href").split("?", 1)[1])
        suffix = {"bibtex": "bib"}.get(fmt, fmt)
        name = f"{PHRASE}-老边区-2025{'-段落' if level == 'passage' else ''}.{suffix}"
        assert headers["Content-Disposition"].endswith("''" + quote(name)), name
        if fmt == "jsonl":
            assert all(json.loads(line)["district"] == "老边区" for line in data.splitlines())
        if fmt == "json":
            assert len(json.loads(data)) >= 1


def test_passage_export_has_one_row_per_matching_paragraph(
    client: FlaskClient, indexed_dir: Path
) -> None:
    data, _ = download(client, f"q={PHRASE}&format=jsonl&level=passage")
    rows = [json.loads(line) for line in data.splitlines()]
    with Index.open(indexed_dir) as index:
        expected = list(index.passages(SearchRequest(q=PHRASE)))
    assert len(rows) == len(expected) >= 7
    assert {row["record_id"] for row in rows} == {r.id for r in Archive(indexed_dir)}
    by_id = {r.id: r for r in Archive(indexed_dir)}
    taxonomy = data_taxonomy(indexed_dir)
    for row in rows:
        # 段落序号 counts the record's paragraphs (non-blank lines) from 1, as a reader does.
        paragraphs = [line for line in by_id[row["record_id"]].text.split("\n") if line.strip()]
        assert paragraphs[row["paragraph"] - 1] == row["text"]
        # the paragraph's own categories, as the record's API lists them, not the record's
        assert row["paragraph_categories"] == list(taxonomy.classify(row["text"]).categories)
        assert "categories" not in row
        assert PHRASE in row["text"]
        assert row["matches"] == [PHRASE]
        assert row["link"].endswith(f"/records/{row['record_id']}?q={quote(PHRASE)}")


def test_xlsx_download_has_a_row_per_match(client: FlaskClient, tmp_path: Path) -> None:
    data, headers = download(client, "province=辽宁省&format=xlsx")
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    rows = xlsx_rows(path)
    assert rows[0][:3] == ("编号", "标题", "常委会")
    assert len(rows) == 1 + 6
    assert {row[5] for row in rows[1:]} == {"辽宁省"}


@pytest.mark.parametrize(
    ("query", "args"),
    [
        (f"q={PHRASE}&format=csv", [PHRASE, "--format", "csv"]),
        (f"q={PHRASE}&format=csv&bom=0", [PHRASE, "--format", "csv", "--no-bom"]),
        ("district=老边区&district=站前区&format=jsonl", ["--district", "老边区", "--district", "站前区", "--format", "jsonl"]),
        (f"q={PHRASE}&mode=words&year=2025&format=json&level=passage", [PHRASE, "--mode", "words", "--year", "2025", "--format", "json", "--level", "passage"]),
        ("format=jsonl", ["--format", "jsonl"]),
    ],
)  # fmt: skip
def test_cli_export_writes_the_same_bytes_as_the_download(
    client: FlaskClient, indexed_dir: Path, tmp_path: Path, query: str, args: list[str]
) -> None:
    data, _ = download(client, query)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(indexed_dir),
            "export",
            *args,
            "--base-url",
            "http://localhost",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == data
    if "q=" not in query and "district" not in query:  # the empty query exports everything
        assert len(data.splitlines()) == len(Archive(indexed_dir))


def test_cli_export_refuses_bad_input_with_one_line(indexed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(
        main, ["--data-dir", str(indexed_dir), "export", "x", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: 导出格式无效：'txt'，可选 csv、xlsx、json、jsonl、ris、bibtex，或用 --format 指定 "
        "(unknown export format 'txt': name the file .csv, .xlsx, .json, .jsonl, .ris or .bib, "
        "or give --format)\n"
    )
    result = CliRunner().invoke(
        main,
        ["--data-dir", str(indexed_dir), "export", "--year", "20x5", "-o", str(tmp_path / "a.csv")],
    )
    assert (
        result.output
        == "Error: 年份格式不对：'20x5'，应为 2025 或 2020-2025 (year must be like 2025)\n"
    )
    assert not list(tmp_path.iterdir())


def test_cli_export_to_standard_output_writes_the_download_s_bytes(
    client: FlaskClient, indexed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = download(client, f"q={PHRASE}&format=jsonl")
    monkeypatch.chdir(tmp_path)
    args = ["--data-dir", str(indexed_dir), "export", PHRASE, "--format", "jsonl", "-o", "-"]
    result = CliRunner().invoke(main, [*args, "--base-url", "http://localhost"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == data
    assert result.stderr == "7 rows -> standard output\n"
    assert not list(tmp_path.iterdir())  # no file named '-'
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_dir), "export", "-o", "-"])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: 标准输出没有后缀，请用 --format 指定格式：csv、xlsx、json、jsonl、ris、bibtex "
        "(standard output has no suffix: give --format)\n"
    )


def test_cli_export_into_a_missing_folder_is_one_line(indexed_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "nodir" / "x.csv"
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_dir), "export", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: 没有这个文件夹：{target.parent} (no such folder)\n"
    assert not (tmp_path / "nodir").exists()


def test_cli_export_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    """`export … -o - | head`: the closed pipe ends the export without an error message."""
    cli = str(Path(sys.executable).with_name("congress-archive"))
    rows = [{"title": f"总结{n}", "text": "代表联络站。" * 400, "year": 2025} for n in range(300)]
    source = tmp_path / "bulk.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    for step in (["ingest", str(source)], ["index"]):
        subprocess.run([cli, *data, *step], check=True, capture_output=True)
    command = [cli, *data, "export", "--format", "jsonl", "-o", "-"]  # ~2 MB, past a pipe's buffer
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(8) == b'{"id": "'
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == 1
    assert err == ""


def test_cli_export_links_are_relative_without_a_base_url(
    indexed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONGRESS_ARCHIVE_BASE_URL", raising=False)
    out = tmp_path / "a.jsonl"
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_dir), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = [json.loads(line)["link"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert [link.rsplit("/", 1)[0] for link in links] == ["/records"] * 7
    assert result.stderr == (
        "links are relative (/records/…): give --base-url or set CONGRESS_ARCHIVE_BASE_URL\n"
        f"7 rows -> {out}\n"
    )


def test_cli_export_takes_the_format_from_the_file_name(indexed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "全部.xlsx"
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_dir), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert result.output.endswith(f"7 rows -> {out}\n")


@pytest.mark.parametrize("base", ["https://archive.example.org", "https://archive.example.org/"])
def test_links_use_the_configured_base_url_not_the_host_header(
    indexed_dir: Path, base: str
) -> None:
    """Behind a proxy the Host header is the client's to choose; BASE_URL makes the links fixed."""
    client = create_app({"DATA_DIR": str(indexed_dir), "BASE_URL": base}).test_client()
    evil = {"Host": "evil.example"}
    records = client.get(f"/export?q={PHRASE}&format=jsonl", headers=evil).data.splitlines()
    assert [json.loads(line)["link"] for line in records] == [
        f"https://archive.example.org/records/{json.loads(line)['id']}" for line in records
    ]
    passages = client.get(f"/export?q={PHRASE}&format=jsonl&level=passage", headers=evil).data
    first = json.loads(passages.splitlines()[0])
    assert first["link"] == (
        f"https://archive.example.org/records/{first['record_id']}?q={quote(PHRASE)}"
    )
    doc = lxml.html.fromstring(client.get(f"/records/{first['record_id']}", headers=evil).text)
    permalink = f"https://archive.example.org/records/{first['record_id']}"
    assert doc.xpath("//a[@class='permalink']/@href") == [permalink]
    assert doc.xpath("//a[@class='permalink']/text()") == [permalink]


def test_base_url_comes_from_the_environment(
    indexed_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONGRESS_ARCHIVE_BASE_URL", "https://a.example/archive")
    client = create_app({"DATA_DIR": str(indexed_dir)}).test_client()
    (row,) = client.get("/export?district=老边区&format=jsonl").data.splitlines()
    assert json.loads(row)["link"] == f"https://a.example/archive/records/{json.loads(row)['id']}"


def test_without_base_url_links_follow_the_request(client: FlaskClient) -> None:
    (row,) = client.get(
        "/export?district=老边区&format=jsonl", headers={"Host": "mirror.example:8080"}
    ).data.splitlines()
    assert json.loads(row)["link"] == f"http://mirror.example:8080/records/{json.loads(row)['id']}"


def test_cli_export_links_use_the_base_url_from_the_environment(
    indexed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONGRESS_ARCHIVE_BASE_URL", "https://archive.example.org")
    out = tmp_path / "a.jsonl"
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_dir), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = [json.loads(line)["link"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(links) == 7
    assert all(link.startswith("https://archive.example.org/records/") for link in links)

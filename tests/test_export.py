"""Export writers: exact bytes for CSV/JSON/JSONL, XLSX read back, honest file names, no half files."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import Archive, Record
from archive.records import HIT_KEYS
from indexer import exporting as export
from indexer.models import Hit, Passage, SearchRequest, Snippet

# What Excel, LibreOffice and Sheets may run as a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RECORD_HEADER = "编号,标题,常委会,区县,城市,省份,年份,文种,类别,来源,汇编序号,链接,全文\r\n"
PASSAGE_HEADER = "编号,标题,常委会,区县,城市,省份,年份,文种,段落序号,段落类别,段落,命中,链接\r\n"


def link(record_id: str) -> str:
    return f"http://archive.test/records/{record_id}"


def as_hit(record: Record) -> Hit:
    return Hit({key: getattr(record, key) for key in HIT_KEYS})


@pytest.fixture(scope="module")
def records(seeded_data_dir: Path) -> list[Record]:
    return list(Archive(seeded_data_dir))


def rows(records: list[Record], seeded_data_dir: Path) -> Iterator[dict]:
    return export.record_rows(map(as_hit, records), Archive(seeded_data_dir), link, lambda _: None)


def xlsx_rows(path: Path) -> list[tuple]:
    """The export sheet's rows; the read-only workbook is closed (it holds the file open)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(workbook["导出"].iter_rows(values_only=True))
    finally:
        workbook.close()


def body(chunks: Iterator[bytes]) -> bytes:
    return b"".join(chunks)


def test_csv_has_bom_chinese_header_and_one_row_per_record(
    records: list[Record], seeded_data_dir: Path
) -> None:
    data = body(export.stream("csv", "record", rows(records, seeded_data_dir)))
    assert data.startswith(b"\xef\xbb\xbf" + RECORD_HEADER.encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(parsed) == 1 + len(records) == 8
    first = records[0]
    assert parsed[1] == [
        first.id,
        first.title,
        first.committee or "",
        first.district or "",
        first.city or "",
        first.province or "",
        str(first.year),
        first.doctype or "",
        "；".join(first.categories),
        first.source or "",
        "" if first.part is None else str(first.part),
        link(first.id),
        first.text,
    ]


def test_csv_without_bom_starts_with_the_header() -> None:
    data = body(export.stream("csv", "record", iter(()), bom=False))
    assert data == RECORD_HEADER.encode()


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    row = dict.fromkeys(export.RECORD_COLUMNS, "")
    row.update(
        id="abc",
        title='=HYPERLINK("http://x")',
        committee="-2+3",
        district="\t=1",
        city="\r=1",
        province="a=1",
        text="+1",
        categories=["@a"],
    )
    data = body(export.stream("csv", "record", iter([row]), bom=False)).decode()
    assert data.split("\r\n")[1] == (
        'abc,"\'=HYPERLINK(""http://x"")",\'-2+3,\'\t=1,"\'\r=1",a=1,,,\'@a,,,,\'+1'
    )


def test_jsonl_rows_carry_the_full_text(records: list[Record], seeded_data_dir: Path) -> None:
    lines = body(export.stream("jsonl", "record", rows(records, seeded_data_dir))).splitlines()
    assert len(lines) == len(records)
    decoded = [json.loads(line) for line in lines]
    # The API's keys (metadata + text), plus the link to the record's page.
    assert list(decoded[0]) == [
        "id", "title", "committee", "district", "city", "province", "year", "doctype",
        "categories", "source", "part", "link", "text",
    ]  # fmt: skip
    assert [d["text"] for d in decoded] == [r.text for r in records]
    assert "代表联络站".encode() in b"".join(lines)  # UTF-8, not \\u escapes


def test_json_is_one_array(records: list[Record], seeded_data_dir: Path) -> None:
    data = body(export.stream("json", "record", rows(records, seeded_data_dir)))
    decoded = json.loads(data)
    assert [d["id"] for d in decoded] == [r.id for r in records]
    assert decoded[0]["categories"] == list(records[0].categories)
    assert body(export.stream("json", "record", iter(()))) == b"[\n]\n"


def test_xlsx_reads_back_with_header_and_values(
    records: list[Record], seeded_data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(body(export.stream("xlsx", "record", rows(records, seeded_data_dir))))
    values = xlsx_rows(path)
    assert values[0] == tuple(export.RECORD_COLUMNS.values())
    assert len(values) == 1 + len(records)
    first = records[0]
    assert values[1][:7] == (
        first.id,
        first.title,
        first.committee,
        first.district,
        first.city,
        first.province,
        first.year,
    )
    assert values[1][-1] == first.text


def test_passage_rows_name_the_matched_strings() -> None:
    fields = {
        "id": "387a6fb41bfe",
        "title": "创新监督方式",
        "committee": "老边区人大常委会",
        "district": "老边区",
        "city": "营口市",
        "province": "辽宁省",
        "year": 2025,
        "doctype": "工作总结",
        "categories": ("监督", "代表工作"),
    }
    passage = Passage(
        fields,
        paragraph=2,  # the indexer counts from 0; people count from 1
        snippet=Snippet("代表之家、代表联络站的阵地作用", ((5, 10), (0, 2))),
        categories=("代表工作",),
    )
    data = body(export.stream("csv", "passage", export.passage_rows([passage], link), bom=False))
    assert data.decode() == PASSAGE_HEADER + (
        "387a6fb41bfe,创新监督方式,老边区人大常委会,老边区,营口市,辽宁省,2025,工作总结,3,代表工作,"
        "代表之家、代表联络站的阵地作用,代表联络站；代表,http://archive.test/records/387a6fb41bfe\r\n"
    )


@pytest.mark.parametrize(
    ("request_", "level", "fmt", "name"),
    [
        (SearchRequest(q="代表联络站", years=((2025, 2025),)), "record", "csv",
         "代表联络站-2025.csv"),
        (SearchRequest(q="代表联络站", filters={"city": ("营口市",), "district": ("老边区",)}), "passage", "xlsx",
         "代表联络站-老边区-营口市-段落.xlsx"),
        (SearchRequest(q='"一府 两院" 监督', years=((2020, 2025),)), "record", "json",
         "一府_两院_监督-2020-2025.json"),
        (SearchRequest(), "record", "jsonl", "全部记录.jsonl"),
        (SearchRequest(q="../../etc/passwd"), "record", "csv", "etc_passwd.csv"),
        (SearchRequest(q="..\\..\\"), "record", "csv", "全部记录.csv"),
    ],
)  # fmt: skip
def test_file_names_say_what_they_hold(
    request_: SearchRequest, level: str, fmt: str, name: str
) -> None:
    assert export.filename(request_, level, fmt) == name


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    assert export.content_disposition("代表联络站-2025.csv") == (
        'attachment; filename="congress-archive-2025.csv"; '
        "filename*=UTF-8''%E4%BB%A3%E8%A1%A8%E8%81%94%E7%BB%9C%E7%AB%99-2025.csv"
    )
    assert export.content_disposition("全部记录.json") == (
        'attachment; filename="congress-archive.json"; '
        "filename*=UTF-8''%E5%85%A8%E9%83%A8%E8%AE%B0%E5%BD%95.json"
    )


def test_an_export_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        export.write_file(tmp_path / "out.csv", iter([b"x"]))
    finally:
        os.umask(umask)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644


def test_a_failed_export_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def failing() -> Iterator[bytes]:
        yield b"new"
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        export.write_file(target, failing())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_unknown_format_and_level_are_refused() -> None:
    with pytest.raises(export.ParamError, match="导出格式无效：'pdf'"):
        export.check("pdf", "record")
    with pytest.raises(export.ParamError, match="导出层级无效：'word'"):
        export.check("csv", "word")


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
record_rows_strategy = st.lists(
    st.fixed_dictionaries(
        {key: cells for key in export.RECORD_COLUMNS if key not in ("year", "categories", "part")}
        | {"year": st.none() | st.integers(1949, 2100), "categories": st.lists(cells, max_size=3)}
        | {"part": st.none() | st.integers(0, 500)}
    ),
    max_size=5,
)


@given(record_rows_strategy)
def test_csv_reads_back_to_the_same_cells(rows: list[dict]) -> None:
    """Whatever the text (quotes, commas, newlines, NUL, CJK), a CSV reader gets every cell back."""
    data = body(export.stream("csv", "record", iter(rows), bom=True)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(data, newline="")))
    assert len(parsed) == 1 + len(rows)
    for row, cells_back in zip(rows, parsed[1:], strict=True):
        for key, cell in zip(export.RECORD_COLUMNS, cells_back, strict=True):
            value = row[key]
            text = (
                "" if value is None else "；".join(value) if isinstance(value, list) else str(value)
            )
            assert cell == ("'" + text if text.startswith(FORMULA_START) else text)


@given(record_rows_strategy)
def test_jsonl_reads_back_to_the_same_rows(rows: list[dict]) -> None:
    lines = body(export.stream("jsonl", "record", iter(rows))).split(b"\n")
    assert lines[-1] == b""
    assert [json.loads(line) for line in lines[:-1]] == rows

"""Every source format read into text, and every bad input refused with its one-line message."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import formats
from archive.formats import FormatError, JsonlRows, detect_encoding, read_document
from tests.formats_fixtures import (
    ARTICLE_PARAGRAPHS,
    ARTICLE_TITLE,
    DOCX_TEXT,
    SUMMARY,
    SUMMARY_TRADITIONAL,
    hand_made_pdf,
    make_docx,
    make_locked_pdf,
    make_pdf,
    make_scanned_pdf,
    news_page,
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(tmp_path: Path, name: str, data: bytes) -> str:
    """The message a user sees for this file."""
    with pytest.raises(FormatError) as caught:
        read_document(write(tmp_path, name, data))
    return str(caught.value)


# --- plain text: encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected_name"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),
        ("utf-16", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-16-le", "UTF-16-LE"),  # no BOM: charset-normalizer recognises it
        ("utf-16-be", "UTF-16-BE"),
        ("gb18030", "GB18030"),
        ("gbk", "GB18030"),
    ],
)
def test_text_in_each_encoding_reads_back_exactly(
    tmp_path: Path, encoding: str, expected_name: str
) -> None:
    raw = SUMMARY.encode(encoding)
    document = read_document(write(tmp_path, "summary.txt", raw))
    assert document.kind == "text"
    assert document.text == SUMMARY
    assert document.sha256 == hashlib.sha256(raw).hexdigest()
    assert (document.front_matter, document.rows) == ({}, ())
    assert detect_encoding(raw) == expected_name


def test_utf16_big_endian_with_bom(tmp_path: Path) -> None:
    raw = "\ufeff".encode("utf-16-be") + SUMMARY.encode("utf-16-be")
    assert read_document(write(tmp_path, "a.txt", raw)).text == SUMMARY


def test_big5_traditional_text(tmp_path: Path) -> None:
    raw = SUMMARY_TRADITIONAL.encode("big5")
    assert read_document(write(tmp_path, "a.txt", raw)).text == SUMMARY_TRADITIONAL
    assert detect_encoding(raw) == "Big5"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        # charset-normalizer alone calls these big5 / cp949; the frequency check gets them right
        ("人大常委会", "gb18030", "GB18030"),
        ("依法履职", "gb18030", "GB18030"),
        ("监督", "gbk", "GB18030"),
        ("2025年工作总结", "gb18030", "GB18030"),
        ("人大常委會", "big5", "Big5"),
        ("依法履職", "big5", "Big5"),
        ("2025年工作總結", "big5", "Big5"),
    ],
)
def test_short_chinese_text_gets_the_right_legacy_encoding(
    text: str, encoding: str, expected: str
) -> None:
    raw = text.encode(encoding)
    assert detect_encoding(raw) == expected
    assert formats.decode_text(raw) == text


def test_newlines_become_lf_and_nothing_else_changes() -> None:
    raw = "第一行\r\n第二行\r第三行\n　　全角空格与ＡＢＣ１２３保留\r\n".encode()
    assert formats.decode_text(raw) == "第一行\n第二行\n第三行\n　　全角空格与ＡＢＣ１２３保留\n"


COMMON_HANZI = sorted(formats._common_characters("gb18030") - set("　"))
TEXTS = (
    st.text(
        alphabet=st.sampled_from(COMMON_HANZI) | st.characters(min_codepoint=32, max_codepoint=126),
        min_size=1,
    )
    .map(lambda s: s.replace(" ", "\n", 1))
    .filter(lambda s: sum("\u4e00" <= c <= "\u9fff" for c in s) >= 2)
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, encoding=st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_any_chinese_text_round_trips(text: str, encoding: str) -> None:
    """Holds for texts with at least two hanzi: a single character can be valid in two codecs."""
    assert formats.decode_text(text.encode(encoding)) == text


# --- Markdown with front matter --------------------------------------------------------------

FRONT = """---
title: 盖州市人大常委会2025年工作总结
committee: 盖州市人大常委会
district: 盖州市
city: 营口市
province: 辽宁省
year: 2025
categories: [监督, 数字人大]
source: 营口日报 2026-01-05
---

## 盖州市人大常委会

今年以来，依法履职。
"""


def test_markdown_front_matter_is_parsed_and_removed_from_the_text(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "a.md", FRONT.encode("utf-8-sig")))
    assert document.kind == "markdown"
    assert document.front_matter == {
        "title": "盖州市人大常委会2025年工作总结",
        "committee": "盖州市人大常委会",
        "district": "盖州市",
        "city": "营口市",
        "province": "辽宁省",
        "year": 2025,
        "categories": ["监督", "数字人大"],
        "source": "营口日报 2026-01-05",
    }
    assert document.text == "## 盖州市人大常委会\n\n今年以来，依法履职。\n"


def test_markdown_without_front_matter_keeps_everything(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "a.markdown", "## 标题\n\n正文。\n".encode()))
    assert (document.front_matter, document.text) == ({}, "## 标题\n\n正文。\n")


def test_front_matter_null_means_unknown(tmp_path: Path) -> None:
    raw = "---\ndistrict: ~\nyear: 2024\n---\n正文\n".encode()
    assert read_document(write(tmp_path, "a.md", raw)).front_matter == {"year": 2024}


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("year: 2025年", "front matter: year must be a whole number, not '2025年'"),
        ("year: true", "front matter: year must be a whole number, not True"),
        ("categories: 监督", "front matter: categories must be a list of strings"),
        ("categories: [监督, 2]", "front matter: categories must be a list of strings"),
        ("district: [a, b]", "front matter: district must be text, not ['a', 'b']"),
        (
            "distrct: 盖州市",
            "front matter: unknown field 'distrct' (allowed: title, committee, district, city,"
            " province, year, doctype, categories, source)",
        ),
        ("title: [unclosed", "front matter: not valid YAML at line 3"),
        ("year: 2025-13-45", "front matter: not valid YAML (month must be in 1..12)"),
        (
            "year: 2025-01-01",
            "front matter: year must be a whole number, not 2025-01-01",
        ),
        ("- 一\n- 二", "front matter: must be 'field: value' lines"),
        (
            "doctype: 报告",
            "front matter: doctype must be one of 工作报告, 工作总结, 会议报道, 法规, 政府工作报告,"
            " 其他, not '报告'",
        ),
    ],
)
def test_bad_front_matter_names_the_field(tmp_path: Path, front: str, message: str) -> None:
    raw = f"---\n{front}\n---\n正文\n".encode()
    assert refused(tmp_path, "a.md", raw) == message


def test_unclosed_front_matter(tmp_path: Path) -> None:
    raw = "---\ntitle: 标题\n正文\n".encode()
    assert refused(tmp_path, "a.md", raw) == "front matter: no closing '---' line"


# --- HTML ------------------------------------------------------------------------------------

ARTICLE_TEXT = f"## {ARTICLE_TITLE}\n\n" + "\n\n".join(ARTICLE_PARAGRAPHS) + "\n"


def test_news_page_keeps_the_article_and_drops_the_site(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "page.html", news_page().encode()))
    assert document.kind == "html"
    assert document.text == ARTICLE_TEXT
    for debris in (
        "首页",
        "当前位置",
        "分享到",
        "相关新闻",
        "版权所有",
        "统计代码",
        "showAd",
        "河清镇",
    ):
        assert debris not in document.text


@pytest.mark.parametrize(
    "meta",
    [
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        '<meta charset="GBK">',
        '<meta charset="utf-8">',  # the page lies: the bytes are GBK
        "",
    ],
)
def test_gbk_news_page_is_decoded(tmp_path: Path, meta: str) -> None:
    raw = news_page(meta).encode("gbk")
    assert read_document(write(tmp_path, "page.htm", raw)).text == ARTICLE_TEXT


@pytest.mark.parametrize(
    "meta", ['<meta charset="iso-8859-1">', '<meta charset="gbk">', '<meta charset="big5">']
)
def test_utf8_news_page_that_declares_another_charset_is_read_as_utf8(
    tmp_path: Path, meta: str
) -> None:
    raw = news_page(meta).encode("utf-8")
    assert read_document(write(tmp_path, "page.html", raw)).text == ARTICLE_TEXT


def test_page_structure_becomes_markdown(tmp_path: Path) -> None:
    page = """<html><head><meta charset="utf-8"><title>标题_网站</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/rd/">人大</a></div><article>
<h1>安州区人大常委会工作综述</h1>
<p>岁序更替，华章日新。回望2025年，安州区人大常委会认真履行宪法法律赋予的职责。</p>
<h3>一、依法履职</h3><p>常委会严格落实第一议题制度，全年组织各类学习研讨活动16次。</p>
<ul><li>召开常委会会议11次</li><li>主任会议15次</li></ul>
<table><tr><td>会议</td><td>次数</td></tr><tr><td>常委会会议</td><td>11</td></tr></table>
<h4>（一）监督</h4><p>聚焦经济运行、财政预算等重点领域，听取审议计划执行等报告。</p>
</article><div class="footer">版权所有 网站</div></body></html>"""
    assert read_document(write(tmp_path, "a.html", page.encode())).text == (
        "## 安州区人大常委会工作综述\n\n"
        "岁序更替，华章日新。回望2025年，安州区人大常委会认真履行宪法法律赋予的职责。\n\n"
        "## 一、依法履职\n\n"
        "常委会严格落实第一议题制度，全年组织各类学习研讨活动16次。\n\n"
        "- 召开常委会会议11次\n- 主任会议15次\n\n"
        "| 会议 | 次数 |\n| 常委会会议 | 11 |\n\n"
        "## （一）监督\n\n"
        "聚焦经济运行、财政预算等重点领域，听取审议计划执行等报告。\n"
    )


def test_page_without_an_article(tmp_path: Path) -> None:
    raw = b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>"
    assert refused(tmp_path, "a.html", raw) == "no main text found in the page"


# --- Word ------------------------------------------------------------------------------------


def test_docx_paragraphs_headings_and_table_cells_in_order(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "a.docx", make_docx()))
    assert document.kind == "docx"
    assert document.text == DOCX_TEXT


def test_truncated_docx(tmp_path: Path) -> None:
    raw = make_docx()
    message = refused(tmp_path, "a.docx", raw[: len(raw) // 2])
    assert message == "not a valid .docx (truncated or not a zip archive)"


def test_zip_that_is_not_a_word_file(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "人大")
    assert (
        refused(tmp_path, "a.docx", out.getvalue()) == "not a valid .docx (no Word document inside)"
    )


def test_old_word_doc_renamed(tmp_path: Path) -> None:
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert (
        refused(tmp_path, "a.docx", raw)
        == "an old Word .doc file named .docx; save it as .docx in Word first"
    )


def docx_with_extra_part(megabytes: int) -> bytes:
    """A real .docx with a part of zeros added: deflate squeezes it ~1000:1."""
    out = io.BytesIO(make_docx())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.bin", "w", force_zip64=True) as part,
    ):
        chunk = bytes(formats.MB)
        for _ in range(megabytes):
            part.write(chunk)
    return out.getvalue()


def test_zip_bomb_refused_by_its_ratio(tmp_path: Path) -> None:
    raw = docx_with_extra_part(4)
    assert len(raw) < 100_000
    message = refused(tmp_path, "a.docx", raw)
    assert message.startswith("refused: a part of the .docx is compressed ")
    assert message.endswith(":1 (limit 100:1); possible zip bomb")


def test_zip_with_too_many_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_ZIP_ENTRIES", 5)
    raw = make_docx()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        parts = len(archive.infolist())
    assert refused(tmp_path, "a.docx", raw) == (
        f"refused: the .docx holds {parts} parts (limit 5); possible zip bomb"
    )


def test_zip_bomb_refused_by_its_total_size(tmp_path: Path) -> None:
    raw = docx_with_extra_part(100)
    with zipfile.ZipFile(io.BytesIO(make_docx())) as plain:
        word_parts = sum(entry.file_size for entry in plain.infolist())
    total = 100 + word_parts / formats.MB
    assert refused(tmp_path, "a.docx", raw) == (
        f"refused: the .docx would expand to {total:.1f} MB (limit 100 MB); possible zip bomb"
    )


# --- PDF -------------------------------------------------------------------------------------

WRAPPED = [
    "在市人大常委会的有力指导下盖州市人大常委会紧扣全市发展大局聚焦",  # 30 hanzi: a full line
    "监督代表自身建设三大主责依法履职担当作为推动各项工作取得扎实成",
    "效。",
]


def test_pdf_text_layer_round_trips_chinese(tmp_path: Path) -> None:
    raw = make_pdf([["盖州市人大常委会", *WRAPPED, "- 1 -"], ["2025年 ABC abc（一）【监督】"]])
    document = read_document(write(tmp_path, "a.pdf", raw))
    assert document.kind == "pdf"
    assert document.text == (
        "盖州市人大常委会\n\n"
        "在市人大常委会的有力指导下盖州市人大常委会紧扣全市发展大局聚焦"
        "监督代表自身建设三大主责依法履职担当作为推动各项工作取得扎实成效。\n\n"
        "2025年 ABC abc（一）【监督】\n"
    )


def test_pdf_paragraph_running_over_a_page_break(tmp_path: Path) -> None:
    raw = make_pdf([["大石桥市人大常委会", WRAPPED[0]], [WRAPPED[1], "效。", "第二段。"]])
    assert read_document(write(tmp_path, "a.pdf", raw)).text == (
        "大石桥市人大常委会\n\n" + "".join(WRAPPED) + "\n\n第二段。\n"
    )


@given(
    pages=st.lists(
        st.lists(
            st.text(st.sampled_from("人大常委会依法履职。，AB 1"), min_size=1)
            .map(str.strip)
            .filter(bool),
            max_size=6,
        ),
        max_size=4,
    )
)
def test_joining_wrapped_pdf_lines_keeps_every_character_in_order(pages: list[list[str]]) -> None:
    paragraphs = formats._unwrap(pages)
    assert "".join(paragraphs).replace(" ", "") == "".join(map("".join, pages)).replace(" ", "")
    assert len(paragraphs) <= sum(map(len, pages))


def test_pdf_with_a_blank_page(tmp_path: Path) -> None:
    raw = make_pdf([["第一页。"], [], ["- 2 -"], ["第四页。"]])
    assert read_document(write(tmp_path, "a.pdf", raw)).text == "第一页。\n\n第四页。\n"


def test_scanned_pdf(tmp_path: Path) -> None:
    assert refused(tmp_path, "scan.pdf", make_scanned_pdf()) == "no text layer; OCR it first"


def test_password_protected_pdf(tmp_path: Path) -> None:
    message = refused(tmp_path, "a.pdf", make_locked_pdf("secret"))
    assert message == "the PDF is password-protected; remove the password first"


def test_pdf_locked_only_against_copying_is_read(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "a.pdf", make_locked_pdf(""))).text == "Work report 2025\n"


def test_truncated_pdf(tmp_path: Path) -> None:
    raw = make_pdf([["盖州市人大常委会"]])
    assert (
        refused(tmp_path, "a.pdf", raw[: len(raw) * 2 // 3])
        == "not a valid PDF (truncated: no %%EOF marker at the end)"
    )


def test_pdf_with_a_damaged_body(tmp_path: Path) -> None:
    raw = make_pdf([["盖州市人大常委会"]])
    start = raw.index(b"obj")
    damaged = raw[:start] + bytes(range(256)) * 4 + b"\n%%EOF\n"
    assert refused(tmp_path, "a.pdf", damaged).startswith("not a valid PDF (")


@pytest.mark.parametrize(
    "pages",
    [
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",  # the page tree holds itself
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n"
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",  # two nodes hold each other
    ],
)
def test_pdf_whose_page_tree_loops(tmp_path: Path, pages: bytes) -> None:
    raw = hand_made_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", pages)
    assert refused(tmp_path, "a.pdf", raw) == "not a valid PDF (Detected cyclic page references.)"


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    assert refused(tmp_path, "a.pdf", SUMMARY.encode()) == "not a valid PDF (no %PDF header)"


def test_pdf_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_PDF_PAGES", 2)
    raw = make_pdf([["一"], ["二"], ["三"]])
    assert refused(tmp_path, "a.pdf", raw) == "PDF has 3 pages; the limit is 2 — split it first"


# --- JSON Lines ------------------------------------------------------------------------------


@pytest.fixture(params=["whole", "streamed"])
def jsonl_limit(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each JSONL test twice: read whole, and streamed as one over the 20 MB limit is (the
    limit made 1 byte, so the streamed path never needs a large file)."""
    if request.param == "streamed":
        monkeypatch.setattr(formats, "MAX_BYTES", 1)
        monkeypatch.setattr(formats, "_read_bytes", None)  # a streamed file is never read whole
    return str(request.param)


def test_jsonl_rows(tmp_path: Path, jsonl_limit: str) -> None:
    rows = [
        {"title": "盖州市人大常委会工作总结", "text": "今年以来……", "year": 2025},
        {
            "title": "安州区人大常委会",
            "text": "回望2025年。",
            "committee": "安州区人大常委会",
            "district": "安州区",
            "city": "绵阳市",
            "province": "四川省",
            "categories": ["监督"],
            "source": "https://example.org/a.html",
        },
    ]
    lines = [json.dumps(rows[0], ensure_ascii=False), "", "   ", json.dumps(rows[1])]
    raw = "\r\n".join(lines).encode()
    document = read_document(write(tmp_path, "a.jsonl", raw))
    assert (document.kind, document.text, tuple(document.rows)) == ("jsonl", "", tuple(rows))
    assert (document.sha256, len(document.rows)) == (hashlib.sha256(raw).hexdigest(), 2)
    assert isinstance(document.rows, JsonlRows) == (jsonl_limit == "streamed")
    assert list(document.rows) == rows  # a streamed file is read again each time


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\n\n", "no records in the file"),
        (b'{"title": "a", "text": "b"}\n{"title": "\xff"}\n', "line 2: invalid UTF-8 at byte 11"),
    ],
)
def test_a_streamed_jsonl_is_refused_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, message: str
) -> None:
    monkeypatch.setattr(formats, "MAX_BYTES", 1)
    assert refused(tmp_path, "a.jsonl", raw) == message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"title": "x", "text": "y"',
            "line 3: not valid JSON (Expecting ',' delimiter at column 27)",
        ),
        ('["x"]', "line 3: must be a JSON object"),
        ('{"text": "y"}', "line 3: title is missing or empty"),
        ('{"title": "x", "text": " "}', "line 3: text is missing or empty"),
        (
            '{"title": "x", "text": "y", "year": "2025"}',
            "line 3: year must be a whole number, not '2025'",
        ),
        (
            '{"title": "x", "text": "y", "categories": "监督"}',
            "line 3: categories must be a list of strings",
        ),
        (
            '{"title": "x", "text": "y", "distrct": "z"}',
            "line 3: unknown field 'distrct' (allowed: text, title, committee, district, city,"
            " province, year, doctype, categories, source)",
        ),
        (
            '{"title": "x", "text": "y", "doctype": "news"}',
            "line 3: doctype must be one of 工作报告, 工作总结, 会议报道, 法规, 政府工作报告, 其他,"
            " not 'news'",
        ),
    ],
)
def test_bad_jsonl_line_is_named(tmp_path: Path, line: str, message: str, jsonl_limit: str) -> None:
    raw = f'{{"title": "a", "text": "b"}}\n\n{line}\n'.encode()
    assert refused(tmp_path, "a.jsonl", raw) == message


# --- bad input of every kind -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", b"", "empty file"),
        ("a.pdf", b"", "empty file"),
        ("a.txt", b" \r\n\t\r\n", "no text in the file"),
        ("a.md", "---\ntitle: 标题\n---\n\n".encode(), "no text in the file"),
        ("a.jsonl", b"\n\n", "no records in the file"),
        ("a.txt", bytes(range(256)) * 8, "not text (binary data)"),
        ("a.txt", bytes(range(1, 32)) * 50, "not text (binary data)"),
        ("a.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not text (binary data)"),
        (
            "a.txt",
            "今年以来依法履职".encode() + b"\xff" + "担当作为推动工作".encode(),
            "invalid UTF-8 at byte 24",
        ),
        (
            "a.txt",
            "こんにちは、世界。日本語のテキストです。".encode("shift_jis"),
            "cannot decode the text: it is not UTF-8, UTF-16, GB18030/GBK or Big5",
        ),
        (
            "a.txt",
            b"\xff\xfe" + "人大".encode("utf-16-le") + b"\x00",
            "starts with a UTF-16 byte order mark but is not valid UTF-16 (byte 6)",
        ),
        (
            "a.doc",
            b"x",
            "unsupported file type .doc (supported: .docx, .htm, .html, .jsonl, .markdown, .md,"
            " .pdf, .txt)",
        ),
        (
            "README",
            b"x",
            "unsupported file type (none) (supported: .docx, .htm, .html, .jsonl,"
            " .markdown, .md, .pdf, .txt)",
        ),
    ],
)
def test_bad_input_message(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    assert refused(tmp_path, name, data) == message


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.jsonl", b"[" * 100_000, "line 1: nested too deeply"),
        (
            "a.md",
            b"---\ntitle: " + b"[" * 100_000 + b"\n---\n\xe6\xad\xa3",
            "front matter: nested too deeply",
        ),
        (
            "a.md",
            "---\ndistrict: 盖州市".encode() + b"x" * 500 + "\nyear: [1]\n---\n正文".encode(),
            "front matter: year must be a whole number, not [1]",
        ),
        (
            "a.md",
            b"---\nsource: [" + b"1, " * 100 + b"1]\n---\nbody",
            "front matter: source must be text, not [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,…",
        ),
    ],
)
def test_hostile_structure_gets_a_short_message(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    assert refused(tmp_path, name, data) == message


PREFIXES = [b"", b"%PDF-1.4\n", b"---\n", b"PK\x03\x04", b'<meta charset="gbk"><p>', b'{"title": ']


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(sorted(formats.SUPPORTED_SUFFIXES)),
    prefix=st.sampled_from(PREFIXES),
    data=st.binary(max_size=600),
)
def test_any_bytes_give_a_document_or_a_one_line_error(
    tmp_path: Path, suffix: str, prefix: bytes, data: bytes
) -> None:
    try:
        document = read_document(write(tmp_path, f"fuzz{suffix}", prefix + data))
    except FormatError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 200
    else:
        assert document.text.strip() or document.rows


VALID = {
    ".pdf": make_pdf([["盖州市人大常委会", *WRAPPED]]),
    ".docx": make_docx(),
    ".html": news_page().encode("gbk"),
}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(sorted(VALID)),
    damage=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8))
    ),
)
def test_damaged_files_give_a_document_or_a_one_line_error(
    tmp_path: Path, suffix: str, damage: list[tuple[float, bytes]]
) -> None:
    raw = bytearray(VALID[suffix])
    for where, junk in damage:
        start = int(where * len(raw))
        raw[start : start + len(junk)] = junk
    try:
        read_document(write(tmp_path, f"damaged{suffix}", bytes(raw)))
    except FormatError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 200


def test_suffix_case_does_not_matter(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "A.TXT", SUMMARY.encode())).text == SUMMARY


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_document(tmp_path / "gone.txt")
    assert str(caught.value) == "cannot read the file (No such file or directory)"


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * formats.MB)  # sparse: 50 MB on paper
    tracemalloc.start()
    try:
        with pytest.raises(FormatError) as caught:
            read_document(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value) == "file is 50.0 MB; the limit is 20 MB — split it first"
    assert peak < formats.MB


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    line = "今年以来，依法履职。\n".encode()
    raw = line * (formats.MAX_BYTES // len(line))
    assert len(raw) <= formats.MAX_BYTES
    assert read_document(write(tmp_path, "big.txt", raw)).text.count("\n") == len(raw) // len(line)


def test_messages_are_one_line_without_the_path(tmp_path: Path) -> None:
    secret = tmp_path / "秘密目录"
    secret.mkdir()
    damaged = make_pdf([["一"]])
    for name, data in [("a.pdf", damaged[:-200]), ("a.docx", b"PK\x03\x04junk"), ("a.txt", b"")]:
        message = refused(secret, name, data)
        assert "\n" not in message
        assert str(secret) not in message
        assert "秘密目录" not in message


def test_supported_suffixes() -> None:
    assert (
        frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ".jsonl"})
        == formats.SUPPORTED_SUFFIXES
    )

"""Hostile requests against a real `congress-archive serve`: traversal, XSS, huge and odd queries.

Every answer must be a page or JSON with a clear status (never a 500), carry no executable
markup, and leave the server up; the server's log must hold no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import lxml.html
import pytest

from tests.load.safety import active_markup, page_text
from tests.load.server import Client, Response, Server, cli_ok

MARKER = "跨站脚本测试"
HOSTILE_META = {
    "title": "<script>alert('t')</script>标题<img src=x onerror=alert(1)>",
    "committee": "<svg onload=alert(2)>人大常委会",
    "district": "<img src=x onerror=alert(3)>区",
    "city": "javascript:alert(4)",
    "province": '"><script>alert(5)</script>',
    "year": 2024,
    "categories": ["<b onmouseover=alert(6)>监督</b>", "监督"],
    "source": "../../etc/passwd",
}
HOSTILE_BODY = f"""{MARKER}：代表联络站<script>alert('body')</script>

<img src=x onerror=alert('img')>

[点我](javascript:alert('link')) [再点](JaVaScRiPt:alert(1)) <a href="java&#x09;script:alert(1)">x</a>

<iframe src="https://evil.example/"></iframe><div onclick="alert(1)" style="position:fixed">点击</div>

![图](javascript:alert('image')) <svg><script>alert(1)</script></svg><style>body{{display:none}}</style>

<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">数据</a>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"> <form action="javascript:alert(1)"><button formaction="javascript:alert(2)">提交</button></form>

公式注入测试 \ue000私用区字符\ue001 也原样显示。
"""
# Spreadsheet formulas in metadata: an export must not let Excel run them.
FORMULA_ROW = {
    "title": '=HYPERLINK("http://evil.example/","点我")',
    "text": "公式注入测试：代表联络站。",
    "district": "@SUM(1+1)",
    "categories": ["+cmd|' /C calc'!A0"],
    "year": 2023,
}
# Texts a searcher may paste: astral-plane hanzi, emoji, combining marks, zero-width characters.
UNICODE_TEXT = (
    "生僻字𠀀𪚥测试，表情😀👍🏽，组合字符e\u0301与a\u030a，零宽\u200b空格\u200d连接\ufeff。"
)


def front_matter(meta: dict) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items())


@pytest.fixture(scope="module")
def served(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seeds plus hostile documents, ingested and indexed by the real commands, served."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(seeded_data_dir, data)
    sources = base / "sources"
    sources.mkdir()
    (sources / "xss.md").write_text(front_matter(HOSTILE_META) + "---\n\n" + HOSTILE_BODY, "utf-8")
    (sources / "formula.jsonl").write_text(json.dumps(FORMULA_ROW, ensure_ascii=False) + "\n")
    (sources / "unicode.txt").write_text(f"盖州市人大常委会\n{UNICODE_TEXT}\n", "utf-8")
    cli_ok(data, "ingest", sources)
    cli_ok(data, "index")
    with Server(data) as server:
        yield server
        assert server.alive(), server.log()
        assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def client(served: Server) -> Iterator[Client]:
    client = served.client()
    yield client
    client.close()


def hostile_id(client: Client) -> str:
    hits = client.get("/api/search", {"q": MARKER}).json()["hits"]
    assert len(hits) == 1, hits
    return hits[0]["id"]


def assert_safe_html(response: Response, status: int | tuple[int, ...] = 200) -> str:
    """A page with the expected status, no executable markup, and the security headers."""
    assert response.status in ((status,) if isinstance(status, int) else status), response.text[
        :300
    ]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert active_markup(html) == []
    return html


# --- stored XSS ----------------------------------------------------------------------------------


def test_stored_xss_is_shown_as_text_on_the_search_page(client: Client) -> None:
    html = assert_safe_html(client.get("/search", {"q": MARKER}))
    text = page_text(html)
    assert "1" in text
    for value in (HOSTILE_META["title"], HOSTILE_META["district"], HOSTILE_META["categories"][0]):
        assert value in text  # the original, escaped, not dropped
    assert HOSTILE_META["province"] in text  # the facet tree shows it as a plain value


def test_stored_xss_in_selected_facets_and_chips(client: Client) -> None:
    params = [
        ("q", MARKER),
        ("district", HOSTILE_META["district"]),
        ("province", HOSTILE_META["province"]),
        ("city", HOSTILE_META["city"]),
        ("category", HOSTILE_META["categories"][0]),
    ]
    html = assert_safe_html(client.get("/search", params))
    data = client.get("/api/search", params).json()
    assert data["total"] == 1
    assert HOSTILE_META["district"] in page_text(html)


def test_record_page_sanitises_the_markdown_and_escapes_metadata(client: Client) -> None:
    record_id = hostile_id(client)
    for params in (None, {"q": MARKER}, {"q": "alert", "mode": "words"}, {"q": "私用区"}):
        html = assert_safe_html(client.get(f"/records/{record_id}", params))
        text = page_text(html)
        assert HOSTILE_META["title"] in text
        assert HOSTILE_META["committee"] in text
        assert "点我" in text and "点击" in text  # the harmless text of dangerous markup stays
    marked = client.get(f"/records/{record_id}", {"q": "私用区"}).text
    assert "<mark>私用区</mark>" in marked  # highlight markers cannot be forged by the text


def test_districts_pages_escape_place_names(client: Client) -> None:
    html = assert_safe_html(client.get("/districts"))
    assert HOSTILE_META["district"] in page_text(html)
    one = client.get(
        "/districts/" + quote(HOSTILE_META["district"], safe=""),
        {"city": HOSTILE_META["city"], "province": HOSTILE_META["province"]},
    )
    assert HOSTILE_META["title"] in page_text(assert_safe_html(one))


def test_json_carries_the_original_values_verbatim(client: Client) -> None:
    record_id = hostile_id(client)
    record = client.get(f"/api/records/{record_id}").json()
    assert {k: record[k] for k in HOSTILE_META} == HOSTILE_META
    assert "<script>alert('body')</script>" in record["text"]
    hits = client.get("/api/search", {"q": MARKER}).json()["hits"]
    assert hits[0]["title"] == HOSTILE_META["title"]
    facets = client.get("/api/facets", {"q": MARKER}).json()["facets"]
    assert facets["district"] == [{"value": HOSTILE_META["district"], "count": 1}]
    assert sorted((f["value"], f["count"]) for f in facets["category"]) == sorted(
        (value, 1) for value in HOSTILE_META["categories"]
    )


def test_exports_neutralise_spreadsheet_formulas(client: Client) -> None:
    reply = client.get("/export", {"q": "公式注入测试", "format": "csv", "bom": "0"})
    assert reply.status == 200
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    formula = next(r for r in rows if "HYPERLINK" in r["标题"])
    assert formula["标题"] == "'" + FORMULA_ROW["title"]
    assert formula["区县"] == "'" + FORMULA_ROW["district"]
    assert formula["类别"] == "'" + FORMULA_ROW["categories"][0]
    hostile = next(r for r in rows if r["编号"] == hostile_id(client))
    assert hostile["标题"] == HOSTILE_META["title"]  # not a formula: kept as it is


# --- reflected XSS -------------------------------------------------------------------------------

REFLECTED = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
    "{{7*7}}{% raw %}",
]


@pytest.mark.parametrize("value", REFLECTED)
@pytest.mark.parametrize("name", ["q", "district", "city", "province", "category"])
def test_reflected_parameters_are_escaped(client: Client, name: str, value: str) -> None:
    reply = client.get("/search", {name: value})
    html = assert_safe_html(reply, status=(200, 400))
    if name == "q" and reply.status == 200:  # shown back as typed (not evaluated as a template)
        assert lxml.html.document_fromstring(html).xpath("//input[@name='q']/@value") == [value]
        assert client.get("/api/search", {"q": value}).json()["query"] == value


@pytest.mark.parametrize("value", REFLECTED)
@pytest.mark.parametrize("name", ["year", "page", "per_page", "mode", "scope", "sort", "format"])
def test_bad_parameter_values_get_a_safe_400_page(client: Client, name: str, value: str) -> None:
    path = "/export" if name == "format" else "/search"
    assert_safe_html(client.get(path, {name: value}), status=400)
    error = client.get("/api/search", {name: value}) if name != "format" else None
    if error is not None:
        assert error.status == 400
        message = error.json()["error"]
        assert "\n" not in message and message


@pytest.mark.parametrize("value", REFLECTED)
def test_reflected_paths_get_a_safe_404(client: Client, value: str) -> None:
    for prefix in ("/records/", "/districts/", "/no-such-page/"):
        assert_safe_html(client.get(prefix + quote(value, safe="")), status=404)


# --- path traversal ------------------------------------------------------------------------------

TRAVERSALS = [
    "/records/..%2F..%2Fetc%2Fpasswd",
    "/records/../../etc/passwd",
    "/records/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/records/%252e%252e%252fetc%252fpasswd",
    "/records/..%5C..%5Cetc%5Cpasswd",
    "/records/....//....//etc/passwd",
    "/records/%C0%AE%C0%AE%C0%AFetc%C0%AFpasswd",
    "/records/000000000000%00.md",
    "/api/records/..%2F..%2Fetc%2Fpasswd",
    "/api/records/../../../etc/passwd",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/districts/..%2F..%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_reaches_no_file(served: Server, client: Client, path: str) -> None:
    reply = client.get(path)
    assert reply.status in (400, 404), (reply.status, reply.body[:200])
    assert b"root:" not in reply.body and b"[build-system]" not in reply.body
    if path.startswith("/api/"):
        assert reply.json()["status"] == reply.status


@pytest.mark.parametrize(
    "params",
    [
        {"q": "../../etc/passwd"},
        {"q": "..\\..\\windows\\win.ini"},
        {"district": "../../../tmp/x", "category": "/etc/cron.d/evil"},
        {"q": "a\r\nSet-Cookie: x=1"},
        {"q": "\x00.csv"},
        {"q": "..", "level": "passage"},
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl"])
def test_export_file_names_cannot_escape(client: Client, params: dict, fmt: str) -> None:
    reply = client.get("/export", {**params, "format": fmt})
    assert reply.status == 200, reply.body[:200]
    assert "set-cookie" not in reply.headers
    disposition = reply.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    encoded = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    for name in (fallback, encoded):
        assert "/" not in name and "\\" not in name and "\x00" not in name, name
        assert not name.startswith("."), name
        assert name.endswith("." + fmt), name


# --- queries that try the parser -------------------------------------------------------------------

INJECTIONS = [
    "*", "?", "~", "^", "代表*", "代*表", "代表?", "代表~2", "代表^5", "[代表 TO 联络]",
    "{a TO b}", "(", ")", "((((((((代表", "代表))))))", "/代表.*/", ".*", "\\", "\\\\代表",
    "title:", "title:*", "TITLE:代表", "foo:代表", "id:387a6fb41bfe", "district:老边区",
    "a AND b", "NOT NOT NOT 代表", "OR", "NOT", "-", '"', '""', '"代表', "+代表", "代表!",
    "%", "_", "%%", "'; DROP TABLE records; --", "${jndi:ldap://x}", "$(id)", "`id`",
]  # fmt: skip


def folded(text: str) -> str:
    """Matching form for ASCII queries: NFKC (full-width （ is a ( ) and case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def literal_total(client: Client, text: str) -> int:
    """How many records hold the text literally, by a scan of every record's full text."""
    count = 0
    for hit in client.get("/api/search", {"per_page": "100"}).json()["hits"]:
        record = client.get(f"/api/records/{hit['id']}").json()
        count += folded(text) in folded(record["title"] + "\n" + record["text"])
    return count


@pytest.mark.parametrize("q", INJECTIONS)
@pytest.mark.parametrize("mode", ["exact", "words"])
def test_query_syntax_injection_is_an_error_or_literal(client: Client, q: str, mode: str) -> None:
    started = time.monotonic()
    reply = client.get("/api/search", {"q": q, "mode": mode})
    assert time.monotonic() - started < 5
    assert reply.status in (200, 400), reply.body[:300]
    data = reply.json()
    if reply.status == 400:
        assert data["error"] and "\n" not in data["error"]
        return
    if mode == "exact" and q.isascii() and " " not in q and not q.startswith(("-", '"')):
        assert data["total"] == literal_total(client, q), q  # no wildcard, regex or field meaning


def test_unknown_field_is_a_clear_error(client: Client) -> None:
    reply = client.get("/api/search", {"q": "nosuchfield:代表"})
    assert reply.status == 400
    assert "nosuchfield" in reply.json()["error"]
    assert_safe_html(client.get("/search", {"q": "nosuchfield:<b>x</b>"}), status=400)


@pytest.mark.parametrize(
    "q",
    [
        "代" * 10_000,
        "(" * 10_000 + "代表",
        " OR ".join(["代表"] * 500),
        "NOT " * 2_000 + "代表",
        '"' * 10_001,
        "-" * 10_000,
        "title:" * 1_500,
        "代表 " * 3_000,
    ],
)
def test_huge_queries_are_refused_quickly(client: Client, q: str) -> None:
    for path in ("/api/search", "/search", "/export"):
        started = time.monotonic()
        reply = client.get(path, {"q": q})
        assert time.monotonic() - started < 5
        assert reply.status == 400, reply.body[:200]
    assert "500" in client.get("/api/search", {"q": q}).json()["error"]  # names the limit


@pytest.mark.parametrize(
    "q",
    [
        "(" * 499 + "代",
        " OR ".join(["代表"] * 20),
        " OR ".join(["代表"] * 21),
        "NOT " * 100 + "代表",
        "代表 " * 21,
        "((代表 OR 联络站) AND NOT (监督))",
        "a" * 500,
    ],
)
def test_nested_and_long_queries_within_the_limit(client: Client, q: str) -> None:
    started = time.monotonic()
    reply = client.get("/api/search", {"q": q})
    assert time.monotonic() - started < 5
    assert reply.status in (200, 400), reply.body[:200]
    assert isinstance(reply.json(), dict)


def test_too_many_parameters_and_a_huge_url(served: Server, client: Client) -> None:
    many = [("district", f"区{i}") for i in range(10_000)]
    reply = client.get("/api/search", many)
    assert reply.status == 400
    assert "50" in reply.json()["error"]
    with Client(served.port) as other:
        huge = other.get("/search", {"q": "代" * 400_000})  # 3.6 MB of URL
    assert huge.status in (400, 414, 431), huge.status
    assert client.get("/api/facets").status == 200  # still serving


def test_request_bodies_are_refused(client: Client) -> None:
    body = b'{"q": "\\ud800", "district": "\\udfff"}'
    reply = client.get("/api/search", method="POST", body=body)
    assert reply.status == 405
    assert reply.json() == {"error": "不支持这种请求方式 (Method Not Allowed)", "status": 405}
    big = client.get("/api/search", method="POST", body=b"x" * 2_000_000)
    assert big.status in (405, 413)


# --- Unicode ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("needle", ["𠀀", "𪚥", "😀", "👍🏽", "e\u0301", "a\u030a"])
def test_astral_and_combining_characters_are_found_and_marked(client: Client, needle: str) -> None:
    hits = client.get("/api/search", {"q": needle}).json()["hits"]
    assert len(hits) == 1
    snippet = hits[0]["snippets"][0]
    assert [snippet["text"][a:b] for a, b in snippet["marks"]] == [needle]
    html = assert_safe_html(client.get("/search", {"q": needle}))
    assert f"<mark>{needle}</mark>" in html


@pytest.mark.parametrize(
    "raw",
    [
        "%ED%A0%80",  # a lone high surrogate, as UTF-8 bytes
        "%ED%B0%80",  # a lone low surrogate
        "%ED%A0%80%ED%B0%80",  # a surrogate pair spelled as two UTF-8 sequences (CESU-8)
        "%FF%FE",  # not UTF-8 at all
        "%C0%AF",  # an overlong '/'
        "%F4%90%80%80",  # past U+10FFFF
        "%E2%80%8B",  # zero-width space alone
        "%E2%80%AE%E4%BB%A3%E8%A1%A8",  # right-to-left override before 代表
        "%EF%BB%BF%E4%BB%A3%E8%A1%A8",  # BOM before 代表
        "%00",
        "%E4%BB%A3%CC%81%CC%81%CC%81%CC%81%E8%A1%A8",  # 代 with combining marks, then 表
    ],
)
@pytest.mark.parametrize("name", ["q", "district", "category", "year"])
def test_odd_bytes_in_parameters(client: Client, raw: str, name: str) -> None:
    reply = client.get(f"/api/search?{name}={raw}")
    assert reply.status in (200, 400), reply.body[:300]
    data = json.loads(reply.body)  # valid JSON, whatever came in
    assert isinstance(data, dict)
    assert_safe_html(client.get(f"/search?{name}={raw}"), status=reply.status)


def test_zero_width_characters_do_not_break_a_search(client: Client) -> None:
    plain = client.get("/api/search", {"q": "代表联络站"}).json()["total"]
    assert plain > 0
    for q in ("\u200b代表联络站", "代表联络站\u200b", "\ufeff代表联络站"):
        reply = client.get("/api/search", {"q": q})
        assert reply.status == 200
        assert reply.json()["total"] in (0, plain)

"""Fetching web addresses: the address checks (with name resolution and redirects), limits,
charsets, and `congress-archive ingest URL` against a local server on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from archive import Archive, fetching
from archive.fetching import FetchError, fetch
from archive.formats import MAX_BYTES
from tests.formats_fixtures import ARTICLE_PARAGRAPHS, ARTICLE_TITLE, news_page
from tests.load.server import run_cli

GBK_PAGE = news_page('<meta charset="gbk">').encode("gbk")


class Site(http.server.BaseHTTPRequestHandler):
    """A small site on 127.0.0.1: pages, redirects, a huge page and a slow one; it logs every
    request it gets, with its Host header."""

    requests: ClassVar[list[tuple[str, str]]] = []
    redirect_to = ""
    changing = GBK_PAGE  # /changing.html: a page whose text a test changes between fetches

    def do_GET(self) -> None:
        type(self).requests.append((self.path, self.headers.get("Host", "")))
        if self.path == "/gbk.html":
            self._send(200, GBK_PAGE, "text/html")  # no charset in the header: read the bytes
        elif self.path.startswith("/hop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self._send(302, b"", "text/plain", Location=f"/hop/{n + 1}" if n < 9 else "/gbk.html")
        elif self.path == "/away":
            self._send(302, b"", "text/plain", Location=type(self).redirect_to)
        elif self.path == "/changing.html":
            self._send(200, type(self).changing, "text/html")
        elif self.path == "/huge.txt":
            self._send(200, b"a" * (MAX_BYTES + 1), "text/plain")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"late", "text/plain")
        elif self.path == "/image":
            self._send(200, b"\x89PNG", "image/png")
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status: int, body: bytes, kind: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may stop reading at the size limit

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    Site.requests = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def only_site_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks as in production, except that the test site's 127.0.0.1 counts as public."""
    real = fetching.is_public
    monkeypatch.setattr(
        fetching, "is_public", lambda ip: ip == ipaddress.ip_address("127.0.0.1") or real(ip)
    )


def resolver(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """Resolve these names to these addresses (and nothing else): no DNS traffic in tests."""
    real = fetching.socket.getaddrinfo

    def fake(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host in names:
            return [(0, 1, 6, "", (address, port)) for address in names[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "240.0.0.1",
        "224.0.0.1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "::",
        "64:ff9b::a00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::808:808",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "fec0::1",
        "::ffff:0:7f00:1",
        "::ffff:0:a00:1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not fetching.is_public(ipaddress.ip_address(address))


def test_public_addresses_are_public() -> None:
    assert fetching.is_public(ipaddress.ip_address("93.184.215.14"))
    assert fetching.is_public(ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"))
    for carrying_a_public_ipv4 in ("64:ff9b::808:808", "2002:808:808::1", "::ffff:808:808"):
        assert fetching.is_public(ipaddress.ip_address(carrying_a_public_ipv4))


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/gbk.html", "http://[::1]:{port}/gbk.html", "http://10.0.0.1/",
     "http://169.254.169.254/latest/meta-data/", "http://localhost:{port}/gbk.html"],
)  # fmt: skip
def test_literal_and_local_addresses_are_refused_with_nothing_fetched(site: str, url: str) -> None:
    port = site.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="refused: the address is loopback, private"):
        fetch(url.format(port=port))
    assert Site.requests == []


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "169.254.169.254"])
def test_a_name_resolving_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, site: str, address: str
) -> None:
    resolver(monkeypatch, {"summaries.example": [address]})
    with pytest.raises(FetchError, match=re.escape(f"summaries.example → {address}")):
        fetch("http://summaries.example/gbk.html")
    assert Site.requests == []


def test_every_resolved_address_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    resolver(monkeypatch, {"mixed.example": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(FetchError, match=re.escape("mixed.example → 10.0.0.7")):
        fetch("http://mixed.example/")


@pytest.mark.parametrize("target", ["http://10.0.0.1/x", "http://[::1]:9/", "http://meta.example/"])
def test_a_redirect_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, site: str, only_site_allowed: None, target: str
) -> None:
    resolver(monkeypatch, {"meta.example": ["169.254.169.254"]})
    Site.redirect_to = target
    with pytest.raises(FetchError, match="refused"):
        fetch(f"{site}/away")
    assert [path for path, _ in Site.requests] == ["/away"]  # nothing after the redirect


def test_the_connection_goes_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, site: str, only_site_allowed: None
) -> None:
    port = site.rsplit(":", 1)[1]
    resolver(monkeypatch, {"summaries.example": ["127.0.0.1"]})
    page = fetch(f"http://summaries.example:{port}/gbk.html")
    assert page.content == GBK_PAGE
    assert Site.requests == [("/gbk.html", f"summaries.example:{port}")]  # name kept for the host
    # a second answer could swap it (DNS rebinding); only the first, checked one is used
    calls: list[str] = []
    real = fetching.resolve
    monkeypatch.setattr(fetching, "resolve", lambda h, p: calls.append(h) or real(h, p))
    fetch(f"http://summaries.example:{port}/gbk.html")
    assert calls == ["summaries.example"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http/https, not file"),
        ("ftp://example.org/a.txt", "only http/https, not ftp"),
        ("javascript:alert(1)", "only http/https"),
        ("http://", "no host"),
        ("http://no-such-host.invalid/", "cannot resolve host"),
    ],
)
def test_bad_addresses_get_one_line(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        fetch(url)
    assert "\n" not in str(caught.value)


def test_redirects_timeouts_sizes_and_types_are_limited(site: str) -> None:
    five = fetch(f"{site}/hop/5", allow_private=True)  # 5 redirects: /hop/5 … /hop/9, /gbk.html
    assert five.content == GBK_PAGE
    assert five.final_url == f"{site}/gbk.html"
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(f"{site}/hop/4", allow_private=True)
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch(f"{site}/huge.txt", allow_private=True)
    with pytest.raises(FetchError, match="timed out"):
        fetch(f"{site}/slow", allow_private=True, timeout=1)
    with pytest.raises(FetchError, match="unsupported content type"):
        fetch(f"{site}/image", allow_private=True)
    with pytest.raises(FetchError, match="answered 404"):
        fetch(f"{site}/missing", allow_private=True)


def test_ingest_fetches_addresses_only_when_allowed(site: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    refused = run_cli(data_dir, "ingest", f"{site}/gbk.html")
    assert refused.returncode == 1
    assert f"failed: {site}/gbk.html: 拒绝访问内网或本机地址" in refused.stderr
    assert Site.requests == []
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# summaries\n{site}/hop/8\n\n{site}/missing  # gone\n")
    done = run_cli(data_dir, "ingest", "--allow-private-urls", "--urls", listed, f"{site}/gbk.html")
    assert done.stdout.strip() == (
        "1 added, 0 updated, 1 unchanged, 1 failed, 0 skipped (2 records from these sources)"
    )
    assert done.stderr.splitlines()[-1] == (
        f"failed: {site}/missing: 网页返回 HTTP 404 (the server answered 404)"
    )
    (record,) = Archive(data_dir)
    assert record.source == f"{site}/gbk.html"  # the first address that brought these bytes
    assert (record.title, record.district, record.year) == (ARTICLE_TITLE, "安州区", 2025)
    assert record.text.startswith(ARTICLE_PARAGRAPHS[0])  # GBK read from the bytes
    assert (
        data_dir / "sources" / record.source_sha256[:2] / record.source_sha256
    ).read_bytes() == GBK_PAGE


def signed_in(data_dir: Path) -> tuple[Any, Callable[[str], str]]:
    """A test client of an app that may fetch local addresses, signed in as an editor, and the
    CSRF token a page's form carries."""
    from tests.editors import EDITOR, PASSWORD, TOKEN
    from webui import accounts, create_app

    accounts.set_password(data_dir, EDITOR, PASSWORD, new=True)
    client = create_app({"DATA_DIR": str(data_dir), "ALLOW_PRIVATE_URLS": True}).test_client()

    def token(path: str) -> str:
        found = TOKEN.search(client.get(path).text)
        assert found
        return found.group(1)

    form = {"username": EDITOR, "password": PASSWORD, "csrf_token": token("/login")}
    assert client.post("/login", data=form).status_code == 303
    return client, token


def test_the_upload_page_fetches_an_address_when_allowed(site: str, seeded_copy: Path) -> None:
    from lxml import html

    client, token = signed_in(seeded_copy)
    reply = client.post("/upload", data={"url": f"{site}/hop/9", "csrf_token": token("/upload")})
    assert reply.status_code == 303
    page = html.fromstring(client.get(reply.headers["Location"]).text)
    (row,) = page.xpath("//table[@class='review']/tbody/tr")
    cells = [td.text_content() for td in row.xpath("td")]
    assert cells[:3] == [ARTICLE_TITLE, "安州区 · 绵阳市 · 四川省", "2025"]
    assert cells[5] == f"{site}/hop/9"
    assert [path for path, _ in Site.requests] == ["/hop/9", "/gbk.html"]


class Drip(http.server.BaseHTTPRequestHandler):
    """A server that sends one more header line every 0.2 s for 10 s: no single read times out."""

    def do_GET(self) -> None:
        self.send_response(200)
        with contextlib.suppress(OSError):
            for n in range(50):
                self.wfile.write(f"X-Drip-{n}: 1\r\n".encode())
                self.wfile.flush()
                time.sleep(0.2)

    def log_message(self, *args: object) -> None:
        pass


def test_a_dripping_server_cannot_hold_a_fetch_past_its_time_limit() -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch(f"http://127.0.0.1:{httpd.server_address[1]}/", allow_private=True, timeout=2)
        assert time.monotonic() - started < 3
        assert str(caught.value) == "连接超时（2 秒）(timed out)"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_slow_name_resolution_counts_against_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow(*args: object, **kwargs: object) -> list[tuple]:
        time.sleep(4)
        return [(0, 1, 6, "", ("127.0.0.1", 80))]

    monkeypatch.setattr(fetching.socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^连接超时（1 秒）\(timed out\)$"):
        fetch("http://slow.example/", timeout=1)
    assert time.monotonic() - started < 2


def test_a_changed_page_uploaded_again_keeps_the_old_text_in_history(
    site: str, seeded_copy: Path
) -> None:
    import json

    from archive import history

    client, token = signed_in(seeded_copy)

    def upload() -> None:
        form = {"url": f"{site}/changing.html", "csrf_token": token("/upload")}
        assert client.post("/upload", data=form).status_code == 303

    upload()
    (rid,) = [r.id for r in Archive(seeded_copy) if r.source == f"{site}/changing.html"]
    old_text = Archive(seeded_copy).get(rid).text
    assert "召开常委会会议11次" in old_text
    Site.changing = news_page().replace("会议11次", "会议12次").encode()
    try:
        upload()
    finally:
        Site.changing = GBK_PAGE
    assert "召开常委会会议12次" in Archive(seeded_copy).get(rid).text
    (version,) = history.versions(Archive(seeded_copy), rid)
    assert version.record.text == old_text
    entry = json.loads((seeded_copy / "audit.jsonl").read_text().splitlines()[-1])
    assert (entry["action"], entry["previous"]) == ("upload", {rid: version.name})
    form = {"version": version.name, "csrf_token": token(f"/records/{rid}/edit")}
    assert client.post(f"/records/{rid}/restore", data=form).status_code == 303
    assert Archive(seeded_copy).get(rid).text == old_text


@pytest.mark.parametrize(
    ("origin", "found"),
    [
        ("/home/editor/archive/seeds/003_report.txt", "seeds/003_report.txt"),
        ("http://any-host.example/seeds/003_report.txt", None),
        ("https://any-host.example/x/seeds/003_report.txt", None),
        ("upload:0123456789ab/seeds/003_report.txt", None),
        ("split:seeds/003_report.txt", None),
    ],
)
def test_only_an_absolute_path_takes_over_an_old_relative_origin(
    origin: str, found: str | None
) -> None:
    from archive.registry import Registry, Source

    registry = Registry({"seeds/003_report.txt": Source("ab" * 32, ["r1"])}, {})
    assert registry.by_origin(origin) == found

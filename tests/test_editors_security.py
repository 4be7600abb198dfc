"""Editor security against a real `congress-archive serve`: sign-in, sessions, CSRF, the sign-in
limit, hostile upload names, escaping of edited fields, and the web address checks."""

from __future__ import annotations

import hashlib
import http.server
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.html
import pytest

from archive import Archive
from tests.editors import EDITOR, PASSWORD, edit_form, served, sign_in, token, url
from tests.load.server import Server, run_cli


@pytest.fixture(scope="module")
def server(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with served(seeded_data_dir, tmp_path_factory.mktemp("sec") / "data") as running:
        yield running
        log = running.log()
    assert "Traceback" not in log


@pytest.fixture
def base(server: Server) -> str:
    return url(server)


def record_id(server: Server, district: str = "老边区") -> str:
    return next(r.id for r in Archive(server.data_dir) if r.district == district)


def file_digest(server: Server, rid: str) -> str:
    return hashlib.sha256(Archive(server.data_dir).path(rid).read_bytes()).hexdigest()


def write_routes(rid: str) -> list[tuple[str, dict[str, str]]]:
    """Every route that changes something, with a form that would be valid but for the session."""
    return [
        (f"/records/{rid}/edit", {"title": "改", "text": "改"}),
        (f"/records/{rid}/delete", {}),
        (f"/records/{rid}/restore", {"version": "20260101T000000.000000Z"}),
        (f"/records/{rid}/split", {"at": "1"}),
        (f"/records/{rid}/merge", {"other": rid}),
        ("/upload", {"url": "http://127.0.0.1:9/"}),
        ("/logout", {}),
    ]


def test_anonymous_clients_are_refused_everywhere_that_writes(server: Server, base: str) -> None:
    rid = record_id(server)
    before = file_digest(server, rid)
    with httpx.Client(base_url=base) as anonymous:
        valid_token = token(anonymous, "/login")  # a real token, but nobody signed in
        for path, form in write_routes(rid):
            for data in (form, {**form, "csrf_token": valid_token}):
                reply = anonymous.post(path, data=data)
                assert reply.status_code == 401, (path, reply.status_code)
                assert "请先登录" in reply.text
        for path in (
            f"/records/{rid}/edit",
            f"/records/{rid}/split",
            "/upload",
            "/batches/0123456789ab",
        ):
            reply = anonymous.get(path)
            assert reply.status_code == 302, path
            assert reply.headers["location"] == f"/login?next={path}"
        assert anonymous.get(f"/records/{rid}").status_code == 200  # reading stays public
        assert "修改这条记录" not in anonymous.get(f"/records/{rid}").text
    assert file_digest(server, rid) == before
    assert not (server.data_dir / "audit.jsonl").exists()


def test_writes_without_the_sessions_csrf_token_are_refused(server: Server, base: str) -> None:
    rid = record_id(server)
    before = file_digest(server, rid)
    with sign_in(base) as other, sign_in(base) as editor:
        foreign = token(other, "/upload")  # a valid token of another session
        form = edit_form(editor, rid)
        form["title"] = "被篡改的标题"
        for bad in (None, "", "wrong", foreign):
            data = {k: v for k, v in form.items() if k != "csrf_token"}
            if bad is not None:
                data["csrf_token"] = bad
            for path, extra in [(f"/records/{rid}/edit", data), *write_routes(rid)]:
                fields = {**extra, **({"csrf_token": bad} if bad is not None else {})}
                reply = editor.post(path, data=fields)
                assert reply.status_code == 400, (path, bad, reply.status_code)
                assert "CSRF" in reply.text
        json_write = editor.post(
            f"/records/{rid}/delete", json={}, headers={"X-CSRF-Token": foreign}
        )
        assert json_write.status_code == 400
        assert EDITOR in editor.get("/upload").text  # the refused logout left the session alone
    assert file_digest(server, rid) == before
    assert Archive(server.data_dir).get(rid).title != "被篡改的标题"


def test_sign_in_makes_a_new_session_with_safe_cookie_flags(server: Server, base: str) -> None:
    with httpx.Client(base_url=base) as client:
        login_page = client.get("/login")
        planted = login_page.cookies["congress_session"]  # what an attacker could have set
        cookie = login_page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        reply = client.post(
            "/login",
            data={"username": EDITOR, "password": PASSWORD, "csrf_token": token(client, "/login")},
        )
        assert reply.status_code == 303
        signed = reply.cookies["congress_session"]
        assert signed != planted
        assert "HttpOnly" in reply.headers["set-cookie"]
        assert "SameSite=Lax" in reply.headers["set-cookie"]
        assert stat.S_IMODE((server.data_dir / "secret_key").stat().st_mode) == 0o600
        with httpx.Client(base_url=base, cookies={"congress_session": planted}) as attacker:
            assert attacker.get("/upload").status_code == 302  # the planted session is no one
        assert client.get("/upload").status_code == 200
        assert f"编辑：<strong>{EDITOR}</strong>" in client.get("/").text
        logout = client.post("/logout", data={"csrf_token": token(client, "/upload")})
        assert logout.status_code == 303
        assert client.get("/upload").status_code == 302
    with httpx.Client(base_url=base, cookies={"congress_session": signed}) as replay:
        assert replay.get("/upload").status_code == 302  # the signed-out cookie is dead


def test_public_pages_set_no_cookie(base: str) -> None:
    for path in ("/", "/search?q=人大", "/districts", "/help", "/api/search?q=人大"):
        assert "set-cookie" not in httpx.get(base + path).headers, path


def test_secure_cookie_when_published_under_https(seeded_data_dir: Path) -> None:
    from webui import create_app

    app = create_app({"DATA_DIR": str(seeded_data_dir), "BASE_URL": "https://archive.example.org"})
    reply = app.test_client().get("/login")
    assert "; Secure" in reply.headers["Set-Cookie"]


def test_a_new_password_ends_open_sessions(seeded_data_dir: Path, tmp_path: Path) -> None:
    with served(seeded_data_dir, tmp_path / "data") as running, sign_in(url(running)) as editor:
        assert editor.get("/upload").status_code == 200
        done = run_cli(
            running.data_dir,
            "users",
            "passwd",
            EDITOR,
            "--password-stdin",
            input="another pass 2\n",
        )
        assert done.returncode == 0, done.stderr
        assert editor.get("/upload").status_code == 302


def test_five_failed_sign_ins_lock_the_name_and_the_address(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    with served(seeded_data_dir, tmp_path / "data") as running:
        base = url(running)
        with httpx.Client(base_url=base) as client:

            def attempt(name: str, password: str) -> int:
                data = {"username": name, "password": password}
                data["csrf_token"] = token(client, "/login")
                return client.post("/login", data=data).status_code

            assert [attempt(EDITOR, f"wrong {n}") for n in range(5)] == [401] * 5
            assert attempt(EDITOR, PASSWORD) == 429  # even the right password, for a while
            assert [attempt(f"user{n}", "wrong") for n in range(1)] == [429]  # same address
        log = running.log()
    assert log.count("failed sign-in for 'alice' from 127.0.0.1") == 5
    assert "sign-in refused for 'alice' from 127.0.0.1: too many failures" in log


def test_the_address_limit_counts_failures_for_different_names(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    with (
        served(seeded_data_dir, tmp_path / "data") as running,
        httpx.Client(base_url=url(running)) as client,
    ):
        statuses = []
        for n in range(6):
            data = {"username": f"guess{n}", "password": "x", "csrf_token": token(client, "/login")}
            statuses.append(client.post("/login", data=data).status_code)
        data = {"username": EDITOR, "password": PASSWORD, "csrf_token": token(client, "/login")}
        statuses.append(client.post("/login", data=data).status_code)
    assert statuses == [401] * 5 + [429, 429]


HOSTILE_NAMES = [
    "../../../../tmp/evil-upload.txt",
    "/etc/evil-upload.txt",
    "..\\..\\evil-upload.txt",
    "evil\x00-upload.txt",
    ".htaccess.txt",
    "../",
]


def test_hostile_upload_names_are_harmless(server: Server, base: str, tmp_path: Path) -> None:
    before = {p.name for p in server.data_dir.parent.iterdir()}
    text = "2023年工作总结\n\n今年以来，常委会依法履职，开展执法检查三次。"
    with sign_in(base) as editor:
        parts = [b'--X\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n']
        parts.append(token(editor, "/upload").encode() + b"\r\n")
        for n, name in enumerate(HOSTILE_NAMES):  # raw bytes: httpx would escape the NUL
            header = f'--X\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            parts.append(header.encode() + b"Content-Type: text/plain\r\n\r\n")
            parts.append(f"{text}{n}\r\n".encode())
        body = b"".join([*parts, b"--X--\r\n"])
        headers = {"Content-Type": "multipart/form-data; boundary=X"}
        reply = editor.post("/upload", content=body, headers=headers)
        assert reply.status_code == 303
        page = editor.get(reply.headers["location"])
    doc = lxml.html.fromstring(page.text)
    sources = sorted(doc.xpath("//table[@class='review']//tr/td[6]/text()"))
    assert sources == ["evil-upload.txt"] * 4 + ["htaccess.txt"]
    assert doc.xpath("//ul[@class='failures']/li/strong/text()") == ["未命名文件"]
    assert not Path("/tmp/evil-upload.txt").exists()
    assert not Path("/etc/evil-upload.txt").exists()
    assert {p.name for p in server.data_dir.parent.iterdir()} == before
    assert list((server.data_dir / "uploads").iterdir()) == []


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_edited_fields_with_html_are_shown_escaped_everywhere(server: Server, base: str) -> None:
    rid = record_id(server, "站前区")
    with sign_in(base) as editor:
        form = edit_form(editor, rid)
        form.update(title=f"标题{SCRIPT}", committee=f"常委会{SCRIPT}")
        form["text"] = f"{form['text']}\n\n正文{SCRIPT}"
        assert editor.post(f"/records/{rid}/edit", data=form).status_code == 303
        pages = [
            f"/records/{rid}",
            f"/records/{rid}/edit",
            "/search?q=标题",
            f"/search?q=正文&doctype=文种{SCRIPT}",
            "/districts/站前区?city=营口市&province=辽宁省",
        ]
        for path in pages:
            reply = editor.get(path)
            assert reply.status_code == 200, path
            doc = lxml.html.fromstring(reply.text)
            scripts = doc.xpath("//script")
            assert [s.get("src") for s in scripts] == ["/static/app.js"], path
            assert not doc.xpath("//img[@onerror] | //*[@onerror]"), path
        record_page = editor.get(f"/records/{rid}").text
        assert "标题&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in record_page
        assert editor.get(f"/api/records/{rid}").json()["title"] == f"标题{SCRIPT}"


class Counting(http.server.BaseHTTPRequestHandler):
    """A page on 127.0.0.1 that counts how often it was fetched."""

    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        body = "<html><body><p>内网页面</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[int]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    Counting.hits = 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_addresses_on_this_machine_or_a_private_network_are_refused(
    server: Server, base: str, counting_server: int
) -> None:
    addresses = [
        f"http://127.0.0.1:{counting_server}/",
        f"http://[::1]:{counting_server}/",
        f"http://localhost:{counting_server}/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        f"http://[::ffff:127.0.0.1]:{counting_server}/",
        "file:///etc/passwd",
        "ftp://127.0.0.1/",
    ]
    with sign_in(base) as editor:
        for address in addresses:
            reply = editor.post(
                "/upload", data={"url": address, "csrf_token": token(editor, "/upload")}
            )
            assert reply.status_code == 303
            doc = lxml.html.fromstring(editor.get(reply.headers["location"]).text)
            (failure,) = doc.xpath("//ul[@class='failures']/li")
            reason = failure.text_content()
            assert "refused" in reason or "only http/https" in reason, (address, reason)
            assert not doc.xpath("//table[@class='review']"), address
    assert Counting.hits == 0


def test_uploads_beyond_the_size_limit_get_413(server: Server, base: str) -> None:
    with sign_in(base) as editor:
        head = b'--X\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        head += token(editor, "/upload").encode() + b"\r\n"
        head += b'--X\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
        body = head + b"a" * (21 * 1024 * 1024) + b"\r\n--X--\r\n"
        headers = {"Content-Type": "multipart/form-data; boundary=X"}
        reply = editor.post("/upload", content=body, headers=headers)
    assert reply.status_code == 413
    assert "上传的内容过大（413）" in reply.text
    assert not list((server.data_dir / "uploads").glob("*/*"))


@pytest.mark.parametrize(
    ("given", "location"),
    [
        ("/%09/example.com", "/search"),
        ("/%0A/x", "/search"),
        ("/%5C/example.com", "/search"),
        ("//example.com", "/search"),
        ("https://example.com/", "/search"),
        ("/%20/example.com", "/search"),
        ("search", "/search"),
        ("/districts?level=1", "/districts?level=1"),
    ],
)
def test_sign_in_returns_only_to_a_path_on_this_site(base: str, given: str, location: str) -> None:
    with httpx.Client(base_url=base) as client:
        data = {"username": EDITOR, "password": PASSWORD, "csrf_token": token(client, "/login")}
        reply = client.post(f"/login?next={given}", data=data)
        assert reply.status_code == 303
        assert reply.headers["location"] == location


def test_a_signed_out_cookie_stays_dead_after_a_restart(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    with served(seeded_data_dir, tmp_path / "data") as running, sign_in(url(running)) as editor:
        copied = editor.cookies["congress_session"]
        logout = editor.post("/logout", data={"csrf_token": token(editor, "/upload")})
        assert logout.status_code == 303
        data_dir = running.data_dir
    assert stat.S_IMODE((data_dir / "signed_out.json").stat().st_mode) == 0o600
    with (
        Server(data_dir) as restarted,
        httpx.Client(base_url=url(restarted), cookies={"congress_session": copied}) as copy,
    ):
        assert copy.get("/upload").status_code == 302


def test_parallel_wrong_sign_ins_get_exactly_five_password_checks(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with served(seeded_data_dir, tmp_path / "data") as running:
        clients = [httpx.Client(base_url=url(running), timeout=60) for _ in range(40)]
        try:
            forms = [
                {"username": EDITOR, "password": f"wrong {n}", "csrf_token": token(c, "/login")}
                for n, c in enumerate(clients)
            ]
            start = threading.Barrier(len(clients))

            def attempt(n: int) -> int:
                start.wait()
                return clients[n].post("/login", data=forms[n]).status_code

            with ThreadPoolExecutor(len(clients)) as pool:
                statuses = sorted(pool.map(attempt, range(len(clients))))
        finally:
            for client in clients:
                client.close()
        log = running.log()
    assert statuses == [401] * 5 + [429] * 35
    assert log.count("failed sign-in for 'alice' from 127.0.0.1") == 5


def test_non_ascii_csrf_tokens_get_400(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        token(client, "/login")  # the session now has a token to compare with
        form = client.post("/login", data={"csrf_token": "é"})
        header = client.post("/login", headers={"X-CSRF-Token": b"\xe9"})  # type: ignore[dict-item]
        assert (form.status_code, header.status_code) == (400, 400)
        assert "missing or wrong CSRF token" in form.text


def test_parallel_account_changes_lose_nothing(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from webui import accounts

    def add(n: int) -> int:
        done = run_cli(
            tmp_path, "users", "add", f"user{n}", "--password-stdin", input="pass word 1\n"
        )
        return done.returncode

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(add, range(8))) == [0] * 8
    assert sorted(accounts.load(tmp_path)) == [f"user{n}" for n in range(8)]


def test_a_body_beyond_the_upload_limit_is_refused_before_it_is_sent(server: Server) -> None:
    import socket

    from webui.views.upload import MAX_REQUEST

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {MAX_REQUEST + 1}\r\n\r\n".encode()
        )
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert time.monotonic() - started < 2


def test_a_busy_archive_gets_503_without_its_path(server: Server, base: str) -> None:
    import filelock

    rid = record_id(server)
    with sign_in(base) as editor:
        fields = edit_form(editor, rid)
        fields["title"] = "等锁时的标题"
        with filelock.FileLock(server.data_dir / "archive.lock"):
            reply = editor.post(f"/records/{rid}/edit", data=fields)
    assert reply.status_code == 503
    assert "档案正忙，请稍后再试 (the archive is busy: try again)" in reply.text
    assert str(server.data_dir) not in reply.text
    assert Archive(server.data_dir).get(rid).title != "等锁时的标题"

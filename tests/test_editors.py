"""Editor accounts, correcting, deleting and restoring records, history, audit and uploads,
through the command line and Flask's test client."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from lxml import html

from archive import Archive, history
from archive.ingest import ingest_paths
from archive.reextract import reextract
from indexer import Index
from tests.conftest import SEEDS
from tests.editors import EDITOR, PASSWORD, TOKEN
from tests.formats_fixtures import make_docx
from webui import accounts, create_app
from webui.cli import main


@pytest.fixture
def data_dir(seeded_copy: Path) -> Path:
    Index(seeded_copy).update(Archive(seeded_copy))
    accounts.set_password(seeded_copy, EDITOR, PASSWORD, new=True)
    return seeded_copy


@pytest.fixture
def editor(data_dir: Path) -> Iterator[FlaskClient]:
    client = create_app({"DATA_DIR": str(data_dir)}).test_client()
    reply = client.post(
        "/login",
        data={"username": EDITOR, "password": PASSWORD, "csrf_token": form_token(client, "/login")},
    )
    assert reply.status_code == 303
    yield client


def form_token(client: FlaskClient, path: str) -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, path
    return found.group(1)


def laobian(data_dir: Path) -> str:
    return next(r.id for r in Archive(data_dir) if r.district == "老边区")


def form_of(client: FlaskClient, record_id: str) -> dict[str, str | list[str]]:
    form = html.fromstring(client.get(f"/records/{record_id}/edit").text).forms[-1]
    fields: dict[str, str | list[str]] = {}
    for name in form.inputs.keys():  # noqa: SIM118  (lxml's InputGetter has no __iter__)
        value = form.inputs[name].value
        fields[name] = list(value) if name == "categories" else (value or "")
    return fields


def error_of(page: str) -> str:
    return html.fromstring(page).xpath("//p[@class='form-error']")[0].text_content()


def total(client: FlaskClient, **filters: str) -> int:
    return int(client.get("/api/search", query_string=filters).json["total"])


def last_line(text: str) -> str:
    return text.splitlines()[-1]


def test_users_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    added = runner.invoke(
        main, [*base, "users", "add", "bob"], input="long enough 1\nlong enough 1\n"
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.endswith("added: bob\n")
    stdin = runner.invoke(
        main, ["users", "add", "carol", "--password-stdin", *base], input="pw of carol 2\n"
    )
    assert stdin.stdout == "added: carol\n"
    users = tmp_path / "users.json"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert sorted(json.loads(users.read_text())) == ["bob", "carol"]
    assert json.loads(users.read_text())["bob"].startswith("$argon2id$")
    assert accounts.verify(tmp_path, "bob", "long enough 1")
    assert not accounts.verify(tmp_path, "bob", "long enough 2")
    assert runner.invoke(main, [*base, "users", "list"]).stdout == "bob\ncarol\n2 accounts\n"
    again = runner.invoke(main, [*base, "users", "add", "bob", "--password-stdin"], input="x" * 9)
    assert (again.exit_code, last_line(again.stderr)) == (1, "Error: 用户 bob 已存在 (user exists)")
    short = runner.invoke(main, [*base, "users", "add", "dan", "--password-stdin"], input="short\n")
    assert last_line(short.stderr) == "Error: 密码至少 8 个字符 (password too short)"
    bad_name = runner.invoke(
        main, [*base, "users", "add", "<b>", "--password-stdin"], input="x" * 9
    )
    assert last_line(bad_name.stderr) == "Error: 用户名只能含字母、数字、_ . - (invalid user name)"
    changed = runner.invoke(
        main, [*base, "users", "passwd", "bob", "--password-stdin"], input="new secret 3\n"
    )
    assert changed.stdout == "password changed: bob\n"
    assert accounts.verify(tmp_path, "bob", "new secret 3")
    assert runner.invoke(main, [*base, "users", "remove", "carol"]).stdout == "removed: carol\n"
    gone = runner.invoke(main, [*base, "users", "remove", "carol"])
    assert (gone.exit_code, last_line(gone.stderr)) == (1, "Error: 没有用户 carol (no such user)")
    assert runner.invoke(main, [*base, "users", "list"]).stdout == "bob\n1 accounts\n"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_a_correction_is_saved_marked_indexed_and_kept_by_re_ingest(
    editor: FlaskClient, data_dir: Path
) -> None:
    rid = laobian(data_dir)
    before = Archive(data_dir).get(rid)
    assert total(editor, district="站前区", year="2019") == 0
    form = form_of(editor, rid)
    form.update(district="站前区", year="2019")
    reply = editor.post(f"/records/{rid}/edit", data=form)
    assert (reply.status_code, reply.headers["Location"]) == (303, f"/records/{rid}")
    after = Archive(data_dir).get(rid)
    assert (after.district, after.city, after.year) == ("站前区", "营口市", 2019)
    assert after.corrected == ("district", "year")
    assert (after.title, after.text) == (before.title, before.text)
    assert total(editor, district="站前区", year="2019") == 1
    assert "已保存：区县、年份" in editor.get(f"/records/{rid}").text
    report = ingest_paths(Archive(data_dir), [SEEDS])
    assert (report.unchanged, report.updated) == (2, 0)
    assert (Archive(data_dir).get(rid).district, Archive(data_dir).get(rid).year) == (
        "站前区",
        2019,
    )
    (line,) = (data_dir / "audit.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert {k: entry[k] for k in ("who", "action", "address", "record", "fields")} == {
        "who": EDITOR, "action": "edit", "address": "127.0.0.1", "record": rid,
        "fields": ["district", "year"],
    }  # fmt: skip
    (version,) = history.versions(Archive(data_dir), rid)
    assert version.name == entry["previous"]
    assert (version.record.district, version.record.year) == (before.district, before.year)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"district": "不存在区"}, "行政区划中没有这个地区：不存在区 · 营口市 · 辽宁省，请从提示中选择区县、城市和省份 (unknown place)"),
        ({"city": "大连市"}, "行政区划中没有这个地区：老边区 · 大连市 · 辽宁省，请从提示中选择区县、城市和省份 (unknown place)"),
        ({"year": "2025年"}, "年份应为 1949–2100 之间的整数 (year must be a whole number)"),
        ({"year": "１９９９"}, "年份应为 1949–2100 之间的整数 (year must be a whole number)"),
        ({"year": "3000"}, "年份应为 1949–2100 之间的整数 (year must be a whole number)"),
        ({"title": "  "}, "标题不能为空 (标题 is required)"),
        ({"text": "\r\n"}, "正文不能为空 (text is required)"),
        ({"categories": ["监督", "<b>"]}, "没有这个类别：<b> (unknown category)"),
        ({"doctype": "通知"}, "文种应为 工作报告、工作总结、会议报道、法规、政府工作报告、其他 之一 (unknown doctype)"),
        ({"committee": "会" * 201}, "常委会过长，最多 200 个字符 (常委会 too long)"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_in_one_line_and_nothing_typed_is_lost(
    editor: FlaskClient, data_dir: Path, changes: dict[str, str], message: str
) -> None:
    rid = laobian(data_dir)
    before = Archive(data_dir).path(rid).read_bytes()
    form = form_of(editor, rid) | {"title": "我刚输入的标题"} | changes
    reply = editor.post(f"/records/{rid}/edit", data=form)
    assert reply.status_code == 400
    assert error_of(reply.text) == message
    kept = html.fromstring(reply.text).forms[-1].inputs
    assert kept["title"].value == changes.get("title", "我刚输入的标题")
    assert Archive(data_dir).path(rid).read_bytes() == before
    assert not (data_dir / "audit.jsonl").exists()


def test_places_of_every_level_from_the_gazetteer(editor: FlaskClient, data_dir: Path) -> None:
    rid = laobian(data_dir)
    for place in [
        ("朝阳区", "北京市", "北京市"),
        ("", "营口市", "辽宁省"),
        ("", "", "辽宁省"),
        ("", "", ""),
    ]:
        form = form_of(editor, rid)
        form.update(zip(("district", "city", "province"), place, strict=True))
        assert editor.post(f"/records/{rid}/edit", data=form).status_code == 303, place
        got = Archive(data_dir).get(rid)
        assert (got.district or "", got.city or "", got.province or "") == place
    page = html.fromstring(editor.get(f"/records/{rid}/edit").text)
    assert len(page.xpath("//datalist[@id='provinces']/option")) == 34
    assert page.xpath("//input[@name='district']/@list") == ["districts"]


def test_a_save_over_someone_elses_change_is_refused(editor: FlaskClient, data_dir: Path) -> None:
    rid = laobian(data_dir)
    stale = form_of(editor, rid)
    fresh = form_of(editor, rid) | {"year": "2018"}
    assert editor.post(f"/records/{rid}/edit", data=fresh).status_code == 303
    reply = editor.post(f"/records/{rid}/edit", data=stale | {"title": "后来的修改"})
    assert reply.status_code == 409
    assert (
        error_of(reply.text)
        == "这条记录在您编辑期间已被修改，请重新打开编辑页 (changed meanwhile; reopen it)"
    )
    assert html.fromstring(reply.text).forms[-1].inputs["title"].value == "后来的修改"
    assert Archive(data_dir).get(rid).year == 2018


def test_restoring_a_version_brings_the_old_values_back(
    editor: FlaskClient, data_dir: Path
) -> None:
    rid = laobian(data_dir)
    original = Archive(data_dir).get(rid)
    form = form_of(editor, rid)
    form.update(title="改过的标题", year="2001", categories=["监督"])
    editor.post(f"/records/{rid}/edit", data=form)
    page = html.fromstring(editor.get(f"/records/{rid}").text)
    (version,) = page.xpath("//ol[@class='history']//input[@name='version']/@value")
    restore = {"version": version, "csrf_token": form_token(editor, f"/records/{rid}")}
    assert editor.post(f"/records/{rid}/restore", data=restore).status_code == 303
    back = Archive(data_dir).get(rid)
    assert (back.title, back.year, back.categories) == (
        original.title,
        original.year,
        original.categories,
    )
    assert total(editor, year="2001") == 0
    assert [v.record.title for v in history.versions(Archive(data_dir), rid)] == [
        "改过的标题",
        original.title,
    ]
    actions = [
        json.loads(line)["action"] for line in (data_dir / "audit.jsonl").read_text().splitlines()
    ]
    assert actions == ["edit", "restore"]
    bad = {"version": "../../records/x", "csrf_token": restore["csrf_token"]}
    assert editor.post(f"/records/{rid}/restore", data=bad).status_code == 404


def test_deleting_a_record(editor: FlaskClient, data_dir: Path) -> None:
    rid = laobian(data_dir)
    assert total(editor) == 7
    token = form_token(editor, f"/records/{rid}")
    assert editor.post(f"/records/{rid}/delete", data={"csrf_token": token}).status_code == 303
    assert editor.get(f"/records/{rid}").status_code == 410
    assert total(editor) == 6
    assert rid in [r.id for r in Archive(data_dir).deleted()]
    assert json.loads((data_dir / "audit.jsonl").read_text())["action"] == "delete"
    assert history.versions(Archive(data_dir), rid)[0].record.id == rid


def test_upload_makes_a_batch_to_review(editor: FlaskClient, data_dir: Path) -> None:
    text = "鲅鱼圈区人大常委会2023年工作总结\n\n2023年，鲅鱼圈区人大常委会开展执法检查3次，听取审议专项工作报告12个。"
    files = [
        (make_docx(), "总结.docx"),
        (text.encode(), "鲅鱼圈.txt"),
        (b"MZ", "tool.exe"),
        (b"", "empty.txt"),
    ]
    data = {
        "csrf_token": form_token(editor, "/upload"),
        "files": [(BytesIO(b), n) for b, n in files],
    }
    reply = editor.post("/upload", data=data, content_type="multipart/form-data")
    assert reply.status_code == 303
    batch_id = reply.headers["Location"].rsplit("/", 1)[1]
    page = html.fromstring(editor.get(reply.headers["Location"]).text)
    rows = page.xpath("//table[@class='review']/tbody/tr")
    assert [r.xpath("td[6]")[0].text_content() for r in rows] == ["总结.docx", "鲅鱼圈.txt"]
    assert [r.xpath("td[2]")[0].text_content() for r in rows][1] == "鲅鱼圈区 · 营口市 · 辽宁省"
    assert [r.xpath("td[3]")[0].text_content() for r in rows][1] == "2023"
    failures = [li.text_content() for li in page.xpath("//ul[@class='failures']/li")]
    assert failures == [
        "tool.exe：不支持的文件类型 (unsupported file type)",
        "empty.txt：empty file",
    ]
    assert total(editor) == 9
    assert json.loads((data_dir / "audit.jsonl").read_text())["batch"] == batch_id
    assert editor.get("/batches/ffffffffffff").status_code == 404
    assert editor.get("/batches/..%2Fusers").status_code == 404


def test_login_goes_back_to_the_page_asked_for_and_nowhere_else(data_dir: Path) -> None:
    client = create_app({"DATA_DIR": str(data_dir)}).test_client()
    for target, landed in [
        ("/upload", "/upload"),
        ("//evil.example/", "/search"),
        ("https://evil.example/", "/search"),
        ("/\\evil.example", "/search"),
    ]:
        form = {
            "username": EDITOR,
            "password": PASSWORD,
            "next": target,
            "csrf_token": form_token(client, "/login"),
        }
        assert client.post("/login", data=form).headers["Location"] == landed, target


def test_splitting_a_record_makes_a_new_record_of_the_same_source(
    editor: FlaskClient, data_dir: Path
) -> None:
    rid = laobian(data_dir)
    original = Archive(data_dir).get(rid)
    parts = [p for p in original.text.split("\n\n") if p.strip()]
    page = html.fromstring(editor.get(f"/records/{rid}/split").text)
    assert page.xpath("//input[@name='at']/@value") == [str(n) for n in range(1, len(parts))]
    token = form_token(editor, f"/records/{rid}/split")
    reply = editor.post(f"/records/{rid}/split", data={"at": "1", "csrf_token": token})
    assert reply.status_code == 303
    new_id = reply.headers["Location"].rsplit("/", 1)[1]
    archive = Archive(data_dir)
    head, made = archive.get(rid), archive.get(new_id)
    assert head.text == parts[0]
    assert made.text == "\n\n".join(parts[1:])
    assert made.source == original.source
    assert (head.corrected, made.corrected) == (("text",), ())
    assert made.origin.startswith(f"split:{rid}/") and made.origin.endswith(".txt")
    assert total(editor) == 8
    ingest_paths(Archive(data_dir), [SEEDS])  # the same bytes again: both stay as they are
    report = reextract(Archive(data_dir))  # and so does today's extraction run again
    assert report.failures == []
    assert (Archive(data_dir).get(rid).text, Archive(data_dir).get(new_id).text) == (
        head.text,
        made.text,
    )
    assert len(Archive(data_dir)) == 8
    out_of_range = {"at": str(len(parts)), "csrf_token": token}
    reply = editor.post(f"/records/{rid}/split", data=out_of_range)
    assert (reply.status_code, error_of(reply.text)) == (
        400,
        "拆分位置无效 (split point out of range)",
    )


def test_merging_two_records_of_one_source(editor: FlaskClient, data_dir: Path) -> None:
    archive = Archive(data_dir)
    first, second = sorted((r for r in archive if r.city == "营口市"), key=lambda r: r.part or 0)[
        :2
    ]
    page = html.fromstring(editor.get(f"/records/{second.id}").text)
    assert first.id in page.xpath("//select[@name='other']/option/@value")
    token = form_token(editor, f"/records/{second.id}")
    reply = editor.post(
        f"/records/{second.id}/merge", data={"other": first.id, "csrf_token": token}
    )
    assert reply.status_code == 303
    merged = Archive(data_dir).get(second.id)
    assert merged.text == f"{first.text}\n\n{second.text}"  # in source order
    assert editor.get(f"/records/{first.id}").status_code == 410
    assert total(editor) == 6
    ingest_paths(Archive(data_dir), [SEEDS])
    assert len(Archive(data_dir)) == 6
    assert Archive(data_dir).get(second.id).text == merged.text
    other_source = next(r.id for r in Archive(data_dir) if r.district == "安州区")
    reply = editor.post(
        f"/records/{second.id}/merge", data={"other": other_source, "csrf_token": token}
    )
    assert reply.status_code == 400
    assert "只能合并同一来源的记录 (only records of one source can be merged)" in reply.text
    actions = [
        json.loads(line)["action"] for line in (data_dir / "audit.jsonl").read_text().splitlines()
    ]
    assert actions == ["merge"]

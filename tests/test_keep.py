"""Nothing a user did is undone, through the real command: corrections, deletions and ids survive
re-ingest from anywhere and edits of the source; gone ids answer 410; the data dir is explicit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.registry import Given, Registry, Source
from tests.load.server import SEEDS
from webui import create_app
from webui.cli import main

COMPILATION = "000_28b25648c5712bde.txt"
ARTICLE = "003_f064755b27ea1fff.txt"
UNCHANGED = "0 added, 0 updated, 2 unchanged, 0 failed, 0 skipped (7 records from these sources)"
LAOBIAN = "创新监督方式 提升履职质效"  # part 4 of the compilation


def cli(*args: str) -> tuple[int, str, str]:
    """Run `congress-archive ARGS`; exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(data: Path, *extra: str) -> list[dict]:
    code, out, _ = cli("records", "--data-dir", str(data), "--format", "json", *extra)
    assert code == 0
    return json.loads(out)


def by_title(data: Path) -> dict[str, dict]:
    return {row["title"]: row for row in rows(data)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a copy of the seeds in src/, ingested into data/ from inside it."""
    shutil.copytree(SEEDS, tmp_path / "src")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("ingest", "src")
    assert (code, out) == (
        0,
        "2 added, 0 updated, 0 unchanged, 0 failed, 0 skipped (7 records from these sources)\n",
    )
    return tmp_path


def correct_year(data: Path, record_id: str, year: int) -> None:
    edit(data / "records" / f"{record_id}.md", "year: 2025", f"year: {year}")


@pytest.mark.parametrize("how", ["another working folder", "an absolute path", "a copied folder"])
def test_a_correction_survives_reingesting_the_same_bytes_from_anywhere(
    work: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    data = work / "data"
    record_id = by_title(data)[LAOBIAN]["id"]
    correct_year(data, record_id, 2020)
    before = {p.name: p.read_bytes() for p in (data / "records").iterdir()}
    if how == "another working folder":
        (work / "elsewhere").mkdir()
        monkeypatch.chdir(work / "elsewhere")
        args = ["--data-dir", "../data", "ingest", "../src"]
    elif how == "an absolute path":
        args = ["ingest", str(work / "src")]
    else:
        shutil.copytree(work / "src", work / "copy")
        args = ["ingest", "copy"]
    code, out, err = cli(*args)
    assert (code, out, err) == (0, UNCHANGED + "\n", "")
    assert {p.name: p.read_bytes() for p in (data / "records").iterdir()} == before
    assert by_title(data)[LAOBIAN]["year"] == 2020


@pytest.mark.parametrize("spelling", ["src/", "./src/../src/"])
def test_corrections_survive_an_edited_source_and_are_listed_in_the_record(
    work: Path, spelling: str
) -> None:
    data = work / "data"
    record_id = by_title(data)[LAOBIAN]["id"]
    correct_year(data, record_id, 2020)
    path = data / "records" / f"{record_id}.md"
    edit(path, "district: 老边区", "district: 站前区")
    edit(
        work / "src" / COMPILATION, "## 创新监督方式", "## 创新监督形式"
    )  # the title, by the machine
    code, out, _ = cli("ingest", spelling + COMPILATION)
    assert (code, out) == (
        0,
        "0 added, 1 updated, 0 unchanged, 0 failed, 0 skipped (6 records from these sources)\n",
    )
    row = next(r for r in rows(data) if r["id"] == record_id)
    assert (row["title"], row["year"], row["district"]) == (
        "创新监督形式 提升履职质效",
        2020,
        "站前区",
    )
    text = path.read_text(encoding="utf-8")
    assert "corrected:\n- district\n- year\n" in text
    # and again: the listed fields stay corrected when the source changes once more
    edit(work / "src" / COMPILATION, "## 创新监督形式", "## 创新监督方式")
    assert cli("ingest", "src")[0] == 0
    row = next(r for r in rows(data) if r["id"] == record_id)
    assert (row["title"], row["year"], row["district"]) == (LAOBIAN, 2020, "站前区")


def test_ids_survive_appending_a_paragraph_and_fixing_a_typo(work: Path) -> None:
    data = work / "data"
    before = {row["id"]: row["title"] for row in rows(data)}
    with (work / "src" / ARTICLE).open("a", encoding="utf-8") as f:
        f.write("\n\n此外，常委会还组织代表开展了专题调研。\n")
    with (work / "src" / COMPILATION).open("a", encoding="utf-8") as f:
        f.write("\n\n全年共接待群众来访120余人次。\n")
    edit(work / "src" / COMPILATION, "代表联络站", "代表联洛站")  # a typo in part 1
    code, out, _ = cli("ingest", "src")
    assert (code, out) == (
        0,
        "0 added, 2 updated, 0 unchanged, 0 failed, 0 skipped (7 records from these sources)\n",
    )
    assert {row["id"]: row["title"] for row in rows(data)} == before
    edit(work / "src" / COMPILATION, "代表联洛站", "代表联络站")  # the typo fixed
    assert cli("ingest", "src")[0] == 0
    after = rows(data)
    assert {row["id"]: row["title"] for row in after} == before
    assert any("120余人次" in Archive(data).get(row["id"]).text for row in after)


def test_ids_survive_a_section_inserted_before_them(work: Path) -> None:
    data = work / "data"
    before = {row["id"]: (row["part"], row["title"]) for row in rows(data) if row["part"]}
    edit(
        work / "src" / COMPILATION,
        "## 履职聚焦民生 法治护航发展",
        "## 聚力乡村振兴 彰显人大担当\n\n营口市人大常委会\n\n"
        "2025年，市人大常委会围绕乡村振兴开展专题调研，组织代表视察高标准农田建设。\n\n"
        "## 履职聚焦民生 法治护航发展",
    )
    assert cli("ingest", "src")[0] == 0
    after = {row["id"]: (row["part"], row["title"]) for row in rows(data) if row["part"]}
    assert {i: (part - 1, title) for i, (part, title) in after.items() if i in before} == before
    assert [value for i, value in after.items() if i not in before] == [
        (1, "聚力乡村振兴 彰显人大担当")
    ]


def status_of(data: Path, record_id: str) -> tuple[int, int, dict, str]:
    """The record page's and the API's status, the API's JSON and the page's text."""
    client = create_app({"DATA_DIR": str(data), "TESTING": True}).test_client()
    page = client.get(f"/records/{record_id}")
    api = client.get(f"/api/records/{record_id}")
    return page.status_code, api.status_code, api.get_json(), page.get_data(as_text=True)


def index(data: Path) -> None:
    code, _, err = cli("index", "--data-dir", str(data))
    assert code == 0, err


def test_a_removed_record_answers_410_and_a_merged_one_links_to_its_successor(work: Path) -> None:
    data = work / "data"
    ids = {row["part"]: row["id"] for row in rows(data) if row["part"]}
    source = work / "src" / COMPILATION
    text = source.read_text(encoding="utf-8")
    sixth = text.index("## 拓宽民主渠道")
    source.write_text(text[:sixth], encoding="utf-8")  # part 6 (西市区) removed
    # part 5's heading and committee line dropped: its text runs on in part 4
    fifth = text.index("## 强化思想引领")
    committee = text.index("站前区人大常委会", fifth)
    body_start = text.index("\n", committee)
    source.write_text(text[:fifth] + text[body_start:sixth], encoding="utf-8")
    assert cli("ingest", "src")[0] == 0
    index(data)
    assert sorted(row["part"] for row in rows(data) if row["part"]) == [1, 2, 3, 4]
    assert {row["part"]: row["id"] for row in rows(data) if row["part"]} == {
        part: ids[part] for part in (1, 2, 3, 4)
    }
    page, api, body, html = status_of(data, ids[6])
    assert (page, api) == (410, 410)
    assert body == {
        "error": "这条记录的来源文件已修改，不再包含它 (its source was edited and no longer holds it)",
        "status": 410,
        "successor": None,
    }
    page, api, body, html = status_of(data, ids[5])
    assert (page, api, body["successor"]) == (410, 410, ids[4])
    assert body["error"] == "这条记录已并入另一条记录 (it was merged into another record)"
    assert f'href="/records/{ids[4]}"' in html
    assert status_of(data, "0123456789ab")[:2] == (404, 404)  # never given: not found


def test_deleted_records_stay_deleted_until_restored(work: Path) -> None:
    data = work / "data"
    record_id = by_title(data)[LAOBIAN]["id"]
    correct_year(data, record_id, 2020)
    code, out, err = cli("delete", record_id, "0123456789ab")
    assert (code, out, err) == (
        1,
        f"deleted: {record_id}  {LAOBIAN}\n1 deleted, 1 failed; run congress-archive index\n",
        "failed: 0123456789ab: no such record\n",
    )
    assert cli("delete", record_id)[2] == f"failed: {record_id}: already deleted\n"
    assert [r["id"] for r in rows(data, "--deleted")] == [record_id]
    assert cli("records", "--deleted")[1].splitlines()[-1] == "1 deleted records"
    assert cli("ingest", "src")[1] == UNCHANGED + "\n"
    with (work / "src" / COMPILATION).open("a", encoding="utf-8") as f:
        f.write("\n\n全年共接待群众来访120余人次。\n")
    changed = (
        "0 added, 1 updated, 1 unchanged, 0 failed, 0 skipped (7 records from these sources)\n"
    )
    assert cli("ingest", "src")[1] == changed
    assert record_id not in {row["id"] for row in rows(data)}
    assert len(rows(data)) == 6
    index(data)
    assert status_of(data, record_id)[:3] == (
        410,
        410,
        {"error": "这条记录已被删除 (this record was deleted)", "status": 410, "successor": None},
    )
    assert cli("ingest", "--restore-deleted", "src")[1] == changed
    restored = next(r for r in rows(data) if r["id"] == record_id)
    assert restored["year"] == 2020  # the correction made before the deletion came back too
    assert rows(data, "--deleted") == []


def test_a_folder_ingest_counts_and_names_what_it_skips(work: Path) -> None:
    (work / "more").mkdir()
    (work / "more" / "a.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (work / "more" / "notes.xlsx").write_bytes(b"PK")
    (work / "more" / ".hidden.doc").write_bytes(b"x")
    code, out, err = cli("ingest", "more", "src")
    assert (code, out, err) == (
        0,
        "0 added, 0 updated, 2 unchanged, 0 failed, 2 skipped (7 records from these sources)\n",
        "skipped: more/a.doc: unsupported file type\nskipped: more/notes.xlsx: unsupported file type\n",
    )


def test_the_data_dir_is_named_and_accepted_after_the_command(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "elsewhere").mkdir()
    monkeypatch.chdir(work / "elsewhere")
    missing = work / "elsewhere" / "data"
    assert cli("records") == (
        0,
        "0 records\n",
        f"data dir: {missing} holds no archive (missing or empty)\n",
    )
    for command in (
        "index",
        "serve",
        "backup x.tar.gz",
        "search 人大",
        "export -o x.csv",
        "delete x",
    ):
        code, out, err = cli(*command.split())
        assert (code, out) == (1, "")
        assert err == (
            f"Error: no archive in {missing} (missing or empty): run congress-archive ingest, "
            "or name the archive with --data-dir\n"
        )
    assert not missing.exists()  # a mistyped dir is named, never created
    code, out, err = cli("records", "--data-dir", "../data")
    assert (code, out.splitlines()[-1], err) == (0, "7 records", "")
    code, out, err = cli("--data-dir", "nowhere", "records", "--data-dir", "../data")
    assert (code, out.splitlines()[-1], err) == (0, "7 records", "")  # the last one given wins


def test_an_archive_made_by_the_previous_version_keeps_working(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the registry: only records/, with `origin` relative to the folder ingest ran in."""
    data = work / "data"
    for folder in ("extracted", "deleted", "sources"):
        shutil.rmtree(data / folder)
    (data / "registry.json").unlink()
    for path in (data / "records").iterdir():
        edit(path, f"origin: {work}/src/", "origin: src/")
    record_id = by_title(data)[LAOBIAN]["id"]
    correct_year(data, record_id, 2020)  # corrected under the previous version
    (work / "elsewhere").mkdir()
    monkeypatch.chdir(work / "elsewhere")
    assert cli("ingest", "--data-dir", "../data", "../src") == (0, UNCHANGED + "\n", "")
    edit(work / "src" / COMPILATION, "## 创新监督方式", "## 创新监督形式")
    assert cli("ingest", "--data-dir", "../data", "../src")[1] == (
        "0 added, 1 updated, 1 unchanged, 0 failed, 0 skipped (7 records from these sources)\n"
    )
    listed = rows(data)
    assert len(listed) == 7  # the edited source matched its old records: no duplicates
    row = next(r for r in listed if r["id"] == record_id)
    assert (row["title"], row["year"]) == ("创新监督形式 提升履职质效", 2020)


def test_rewrite_keeps_corrected_fields_and_marks_an_editors_values(work: Path) -> None:
    archive = Archive(work / "data")
    record = archive.get(by_title(work / "data")[LAOBIAN]["id"])
    with archive.writing():
        edited = archive.rewrite(record, {"district": "站前区"})
        again = archive.rewrite(record)  # e.g. re-extraction: the machine's values again
    assert (edited.district, edited.corrected) == ("站前区", ("district",))
    assert again == edited == archive.get(record.id)


def test_make_clean_leaves_the_data_dir_and_clean_data_says_what_it_deletes() -> None:
    root = SEEDS.parent
    clean = subprocess.run(["make", "-n", "clean"], cwd=root, capture_output=True, text=True)
    assert clean.returncode == 0 and "data" not in clean.stdout
    wipe = subprocess.run(["make", "-n", "clean-data"], cwd=root, capture_output=True, text=True)
    assert wipe.returncode == 0 and "rm -rf data" in wipe.stdout


def test_a_damaged_note_fails_its_source_in_one_line_and_loses_nothing(work: Path) -> None:
    data = work / "data"
    record_id = by_title(data)[LAOBIAN]["id"]
    note = data / "extracted" / f"{record_id}.json"
    note.write_text("{not json", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (data / "records").iterdir()}
    edit(work / "src" / COMPILATION, "## 创新监督方式", "## 创新监督形式")
    code, out, err = cli("ingest", "src")
    assert (code, out) == (
        1,
        "0 added, 0 updated, 1 unchanged, 1 failed, 0 skipped (1 records from these sources)\n",
    )
    assert err == (
        f"failed: src/{COMPILATION}: {note.relative_to(work)}: damaged; remove it, and only the "
        "fields the record lists as corrected count as corrected\n"
    )
    assert {p.name: p.read_bytes() for p in (data / "records").iterdir()} == before
    note.unlink()
    assert cli("ingest", "src")[0] == 0
    assert by_title(data)["创新监督形式 提升履职质效"]["id"] == record_id


def test_a_record_file_removed_by_hand_stays_deleted_when_its_source_changes(work: Path) -> None:
    data = work / "data"
    record_id = by_title(data)[LAOBIAN]["id"]
    (data / "records" / f"{record_id}.md").unlink()
    with (work / "src" / COMPILATION).open("a", encoding="utf-8") as f:
        f.write("\n\n全年共接待群众来访120余人次。\n")
    assert cli("ingest", "src")[0] == 0
    assert record_id not in {row["id"] for row in rows(data)}
    assert [row["id"] for row in rows(data, "--deleted")] == [record_id]


def test_a_relative_origin_is_matched_until_its_source_moves_to_an_absolute_one() -> None:
    registry = Registry({"src/a.txt": Source("x", ["i"])}, {"i": Given("src/a.txt", None)})
    assert registry.by_origin("/w/src/a.txt") == "src/a.txt"
    registry.set_source("/w/src/a.txt", "y", ["i"], "src/a.txt")
    assert registry.by_origin("/v/src/a.txt") is None
    assert registry.by_origin("/w/src/a.txt") == "/w/src/a.txt"
    assert registry.ids["i"].source == "/w/src/a.txt"
    assert (registry.by_digest("x"), registry.by_digest("y")) == (None, "/w/src/a.txt")
    registry.set_source("old/b.txt", "z", [], None)
    assert registry.by_origin("/q/old/b.txt") == "old/b.txt"

"""The on-disk archive: readable Markdown + YAML, atomic, editable, safe ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import Archive, Record, StoreError, store
from archive.records import make_id
from archive.store import serialise_record

RECORD = Record(
    id=make_id("abc", 1),
    title="履职聚焦民生 法治护航发展",
    text="今年以来，开展监督。\n\n## 代表工作\n\n全区7个代表联络站。",
    committee="鲅鱼圈区人大常委会",
    district="鲅鱼圈区",
    city="营口市",
    province="辽宁省",
    year=2025,
    categories=("监督", "代表工作"),
    source="seeds/000.txt",
    part=1,
    source_sha256="abc",
    origin="seeds/000.txt",
)


def test_record_file_is_markdown_with_front_matter(tmp_path):
    archive = Archive(tmp_path)
    with archive.writing():
        archive.write(RECORD)
    assert archive.path(RECORD.id).read_text(encoding="utf-8") == (
        "---\n"
        f"id: {RECORD.id}\n"
        "title: 履职聚焦民生 法治护航发展\n"
        "committee: 鲅鱼圈区人大常委会\n"
        "district: 鲅鱼圈区\n"
        "city: 营口市\n"
        "province: 辽宁省\n"
        "year: 2025\n"
        "doctype: null\n"
        "categories:\n- 监督\n- 代表工作\n"
        "source: seeds/000.txt\n"
        "part: 1\n"
        "source_sha256: abc\n"
        "origin: seeds/000.txt\n"
        "---\n\n"
        "今年以来，开展监督。\n\n## 代表工作\n\n全区7个代表联络站。\n"
    )
    assert archive.get(RECORD.id) == RECORD


def test_a_corrected_front_matter_is_what_the_archive_returns(tmp_path):
    archive = Archive(tmp_path)
    with archive.writing():
        archive.write(RECORD)
    path = archive.path(RECORD.id)
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2025", "year: 2024"), "utf-8")
    assert archive.get(RECORD.id).year == 2024


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("year: 2025", "year: 二〇二五"), "year must be a whole number"),
        (lambda s: s.replace("year: 2025", "year: true"), "year must be a whole number, not True"),
        (
            lambda s: s.replace("district: 鲅鱼圈区", "district: [老边区, 站前区]"),
            "district must be text, not \\['老边区', '站前区'\\]",
        ),
        (lambda s: s.replace("district:", "distrct:"), "unknown field 'distrct'"),
        (lambda s: s.replace("- 监督", "- [监督]"), "categories must be a list of strings"),
        (lambda s: s.replace("title: 履职", "title: [履职"), "front matter is not valid YAML"),
        (lambda s: s.replace("---\n\n今年", "\n\n今年"), "front matter is not closed"),
        (
            lambda s: s.replace(f"id: {RECORD.id}", "id: 000000000000"),
            "does not match the file name",
        ),
        (
            lambda s: s.replace("part: 1\n", "part: 1\ncorrected: [distrct]\n"),
            "corrected names an unknown field 'distrct'",
        ),
        (
            lambda s: s.replace("part: 1\n", "part: 1\ncorrected: year\n"),
            "corrected must be a list of strings",
        ),
    ],
)
def test_a_damaged_record_file_gets_a_one_line_error_naming_it(tmp_path, edit, message):
    archive = Archive(tmp_path)
    with archive.writing():
        archive.write(RECORD)
    path = archive.path(RECORD.id)
    path.write_text(edit(path.read_text(encoding="utf-8")), "utf-8")
    with pytest.raises(StoreError, match=message) as info:
        archive.get(RECORD.id)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "..", "ABCDEF012345", "abc", "/etc/passwd"])
def test_anything_but_a_record_id_never_reaches_the_disk(tmp_path, bad):
    with pytest.raises(KeyError):
        Archive(tmp_path).get(bad)


def test_leftover_temp_files_from_a_crash_are_removed_and_never_read(tmp_path):
    archive = Archive(tmp_path)
    with archive.writing():
        archive.write(RECORD)
    leftover = archive.records_dir / ".tmp-half.md"
    leftover.write_bytes(serialise_record(RECORD)[:40])
    assert archive.ids() == [RECORD.id]
    with archive.writing():
        pass
    assert not leftover.exists()


def test_a_failed_write_keeps_the_previous_version(tmp_path, monkeypatch):
    archive = Archive(tmp_path)
    with archive.writing():
        archive.write(RECORD)

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with archive.writing(), pytest.raises(OSError):
        archive.write(Record(**{**RECORD.__dict__, "title": "新标题"}))
    assert archive.get(RECORD.id) == RECORD
    assert list(archive.records_dir.iterdir()) == [archive.path(RECORD.id)]


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    archive = Archive(tmp_path)
    with (
        archive.writing(),
        pytest.raises(StoreError, match="another process is writing"),
        Archive(tmp_path).writing(timeout=0.1),
    ):
        pass


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=200)


@settings(max_examples=150, deadline=None)
@given(
    title=texts.map(str.strip),
    text=texts.map(str.strip),
    district=st.none() | texts.filter(lambda s: s.strip()),
    year=st.none() | st.integers(1949, 2100),
    categories=st.lists(texts.filter(lambda s: s.strip()), max_size=4).map(tuple),
)
def test_any_record_round_trips_through_its_file(
    tmp_path_factory, title, text, district, year, categories
):
    record = Record(
        id=RECORD.id, title=title, text=text, district=district, year=year, categories=categories
    )
    archive = Archive(tmp_path_factory.mktemp("rt"))
    with archive.writing():
        archive.write(record)
    assert archive.get(record.id) == record


def _part(i: int) -> Record:
    return Record(**{**RECORD.__dict__, "id": make_id("abc", i), "part": i, "text": f"第{i}条。"})


def test_a_batch_is_synced_once_and_each_folder_fsynced_once(tmp_path, monkeypatch):
    """Group commit: five records (a note and a file each) in batches of 8 files cost two syncs,
    notes renamed into place before their records; until then reads see the staged files."""
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(store, "_sync", lambda data_dir, files: calls.append(("sync", len(files))))
    monkeypatch.setattr(store, "_fsync", lambda folder: calls.append(("fsync", folder.name)))
    monkeypatch.setattr(store, "BATCH_FILES", 8)
    archive = Archive(tmp_path)
    with archive.writing(), archive.batched():
        archive.rewrite(_part(1))
        assert (archive.ids(), archive.has(_part(1).id)) == ([], True)
        assert archive.get(_part(1).id) == _part(1)
        assert archive.corrected(_part(1), serialise_record(_part(1))) == ()
        for i in range(2, 6):
            archive.rewrite(_part(i))
        assert len(archive.ids()) == 4
    assert calls == [
        ("sync", 8),
        ("fsync", "extracted"),
        ("fsync", "records"),
        ("sync", 2),
        ("fsync", "extracted"),
        ("fsync", "records"),
    ]
    assert [archive.get(i) for i in archive.ids()] == sorted(
        map(_part, range(1, 6)), key=lambda r: r.id
    )
    assert not list(tmp_path.glob("**/.tmp-*"))


def test_a_note_committed_without_its_record_still_recognises_the_record(tmp_path, monkeypatch):
    """A crash between a batch's notes and its records (renamed after them) leaves the previous
    record file, which its new note names as the one it replaces: nothing counts as corrected."""
    archive = Archive(tmp_path)
    with archive.writing():
        archive.rewrite(RECORD)
    edited = Record(**{**RECORD.__dict__, "title": "新标题"})

    def crash(tmp: Path, target: Path) -> None:
        if target.parent.name == "records":
            raise KeyboardInterrupt  # stands in for SIGKILL
        os.rename(tmp, target)

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt), archive.writing(), archive.batched():
        archive.rewrite(edited)
    monkeypatch.undo()
    with archive.writing():
        assert archive.get(RECORD.id) == RECORD
        assert archive.rewrite(edited) == edited  # the old title was ingest's, not a person's
    assert not list(tmp_path.glob("**/.tmp-*"))

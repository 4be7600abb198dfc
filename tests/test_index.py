"""Index lifecycle: incremental updates, atomic rebuilds, a long-lived Index seeing new generations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive
from indexer import Index, IndexMissing, SearchRequest, UpdateReport, whoosh_store, writing
from tests.test_search_corpus import TEXTS, build_archive, make_record

ALL = sorted(TEXTS)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Index]:
    with Index(tmp_path) as opened:
        yield opened


def ids(index: Index, q: str) -> list[str]:
    return sorted(h.id for h in index.matches(SearchRequest(q=q)))


def test_update_adds_changes_and_removes(
    tmp_path: Path, index: Index, request: pytest.FixtureRequest
):
    archive = build_archive(tmp_path, ALL[:3])
    assert index.update(archive) == UpdateReport(added=3, rebuilt=True)
    live = Index.open(tmp_path)  # a server's long-lived Index
    request.addfinalizer(live.close)
    assert ids(live, "人大") == ALL[:3]

    with archive.writing() as a:
        a.write(make_record(ALL[3]))
        a.write(make_record(ALL[0], text="改写后的文本：新设立的履职服务中心。"))
        a.path(ALL[1]).unlink()
    report = index.update(archive)
    assert report == UpdateReport(added=1, changed=1, removed=1, unchanged=1)
    assert ids(live, "履职服务中心") == [ALL[0]]
    assert ids(live, "执法检查3次") == []  # only in the old text of ALL[0]
    assert ids(live, "备案审查") == []  # only in the removed ALL[1]
    assert ids(live, "涪城区") == [ALL[3]]
    assert ids(live, "") == sorted([ALL[0], ALL[2], ALL[3]])
    facets = live.search(SearchRequest()).facets
    assert {v.value: v.count for v in facets["district"]} == {
        "鲅鱼圈区": 1,
        "安州区": 1,
        "涪城区": 1,
    }
    assert index.update(archive) == UpdateReport(unchanged=3)


def test_words_mode_sees_updates(tmp_path: Path, index: Index):
    archive = build_archive(tmp_path, ALL[:2])
    index.update(archive)
    with archive.writing() as a:
        a.write(make_record(ALL[1], text="全新内容：监督检查。"))
    index.update(archive)
    hits = index.search(SearchRequest(q="预算审查", mode="words")).hits
    assert hits == ()
    assert [h.id for h in index.search(SearchRequest(q="监督检查", mode="words")).hits] == [ALL[1]]


def test_rebuild_swaps_atomically_and_cleans_up(tmp_path: Path, index: Index):
    archive = build_archive(tmp_path)
    index.rebuild(archive)
    first = writing.live_dir(tmp_path)
    assert ids(index, "人大") == ALL
    report = index.rebuild(archive)
    assert report == UpdateReport(added=len(ALL), rebuilt=True)
    second = writing.live_dir(tmp_path)
    assert second != first and first is not None and not first.exists()
    assert ids(index, "人大") == ALL


def test_crashed_rebuild_leaves_old_index_usable(tmp_path: Path, index: Index, monkeypatch):
    archive = build_archive(tmp_path)
    index.rebuild(archive)
    live = writing.live_dir(tmp_path)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    with archive.writing() as a:
        a.write(make_record(ALL[0], text="新的文本"))
    monkeypatch.setattr(whoosh_store, "commit", crash)
    with pytest.raises(RuntimeError):
        index.rebuild(archive)
    assert writing.live_dir(tmp_path) == live
    assert [p.name for p in (tmp_path / "index").iterdir() if p.is_dir()] == [live.name]
    index.close()
    with Index.open(tmp_path) as reopened:
        assert ids(reopened, "代表联络站") == ALL[:2]


def test_parallel_build_equals_serial(tmp_path: Path, index: Index, monkeypatch):
    monkeypatch.setattr(writing, "PARALLEL_MIN_DOCS", 1)
    archive = build_archive(tmp_path)
    writing.rebuild(tmp_path, archive, procs=2)
    assert ids(index, "人大") == ALL
    assert ids(index, "执法检查") == [ALL[0], ALL[4]]


def test_progress_reports_every_record(tmp_path: Path, index: Index):
    archive = build_archive(tmp_path)
    seen: list[tuple[int, int]] = []
    index.rebuild(archive, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(ALL), len(ALL))


def test_empty_archive(tmp_path: Path, index: Index):
    assert index.update(Archive(tmp_path)) == UpdateReport(rebuilt=True)
    result = index.search(SearchRequest(q="人大"))
    assert result.total == 0 and result.hits == ()


@pytest.mark.parametrize("older", [None, "5", "7"])  # None: before formats were recorded
def test_an_index_of_an_older_format_is_refused_then_rebuilt_by_update(
    tmp_path: Path, index: Index, older: str | None
):
    archive = build_archive(tmp_path, ALL[:2])
    index.update(archive)
    build = writing.live_dir(tmp_path)
    assert build is not None and writing.build_format(build) == writing.FORMAT
    (build / "FORMAT").unlink()
    if older is not None:
        (build / "FORMAT").write_text(older + "\n")
    with pytest.raises(IndexMissing, match="congress-archive index"):
        Index.open(tmp_path)
    assert index.update(archive) == UpdateReport(added=2, rebuilt=True)
    assert ids(index, "人大") == ALL[:2]


def segment_count(data_dir: Path) -> int:
    build = writing.live_dir(data_dir)
    assert build is not None
    return len(whoosh_store.read_generation(build).segments)


def test_a_segment_is_flushed_at_the_character_bound(
    tmp_path: Path, index: Index, monkeypatch: pytest.MonkeyPatch
):
    archive = build_archive(tmp_path)
    index.rebuild(archive)
    assert segment_count(tmp_path) == 1
    expected = {q: ids(index, q) for q in ("人大", "代表联络站", "执法检查")}
    monkeypatch.setattr(writing, "MAX_SEGMENT_CHARS", 1)  # every text fills its own segment
    index.rebuild(archive)
    assert segment_count(tmp_path) == len(ALL)
    assert {q: ids(index, q) for q in expected} == expected


def test_updates_past_the_segment_allowance_compact_the_index(
    tmp_path: Path, index: Index, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(writing, "MAX_UPDATE_SEGMENTS", 2)
    archive = build_archive(tmp_path, ALL[:2])
    index.update(archive)
    counts = []
    for record_id in ALL[2:5]:  # each update adds one segment, until a rebuild makes one of all
        with archive.writing() as a:
            a.write(make_record(record_id))
        index.update(archive)
        counts.append(segment_count(tmp_path))
    assert counts == [2, 3, 1]
    build = writing.live_dir(tmp_path)
    assert build is not None and writing.indexed_digests(build) == archive.digests()

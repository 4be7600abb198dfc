"""A snapshot keeps every file it needs, a new generation is seen by its number, and
per-generation aggregates are computed once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import Index, SearchRequest, searching, whoosh_store, writing
from indexer.reading import Titles
from tests.test_search_corpus import TEXTS, build_archive

ALL = sorted(TEXTS)
WORDS = SearchRequest(q="人大常委会", mode="words", per_page=100)


def test_a_search_on_an_old_snapshot_survives_an_update_that_empties_a_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = build_archive(tmp_path, ALL[:3])
    writing.rebuild(tmp_path, archive)
    build_archive(tmp_path, ALL[3:])  # the rest, in a second segment
    writing.update(tmp_path, archive)
    build = writing.live_dir(tmp_path)
    assert build is not None
    second = whoosh_store.read_generation(build).segments[1]
    vocab = build / f"{second.id}.xwords.vocab"
    with Index(tmp_path) as quiet:
        expected = quiet.search(WORDS)
    assert {h.id for h in expected.hits} & set(ALL[3:])

    def update_then_evaluate(*args: object, **kwargs: object) -> object:
        """The update commits between the search taking its snapshot and reading word postings."""
        with archive.writing() as a:
            for record_id in ALL[3:]:
                a.path(record_id).unlink()
        writing.update(tmp_path, archive)
        assert not vocab.exists()  # the emptied segment and our files beside it are gone
        return evaluate(*args, **kwargs)

    evaluate = searching.evaluate
    with Index(tmp_path) as index:
        index.search(SearchRequest(q="人大"))  # opens the snapshot; exact mode reads no words
        monkeypatch.setattr(searching, "evaluate", update_then_evaluate)
        during = index.search(WORDS)
        monkeypatch.setattr(searching, "evaluate", evaluate)
        after = index.search(WORDS)
    assert during == expected  # the snapshot's answer, as if the update had come later
    assert {h.id for h in after.hits} == {h.id for h in expected.hits} - set(ALL[3:])


def test_a_new_generation_is_seen_though_the_directory_time_is_unchanged(tmp_path: Path) -> None:
    archive = build_archive(tmp_path, ALL[:3])
    writing.rebuild(tmp_path, archive)
    build = writing.live_dir(tmp_path)
    assert build is not None
    with Index(tmp_path) as index:
        assert index.search(SearchRequest(q="涪城区")).total == 0
        before = build.stat()
        build_archive(tmp_path, ALL[3:])
        writing.update(tmp_path, archive)
        os.utime(build, ns=(before.st_atime_ns, before.st_mtime_ns))  # a coarse clock's tick
        assert index.search(SearchRequest(q="涪城区")).total == 1


def test_places_are_computed_once_per_generation(tmp_path: Path) -> None:
    archive = build_archive(tmp_path, ALL[:3])
    writing.rebuild(tmp_path, archive)
    with Index(tmp_path) as index:
        first = index.places()
        again = index.places()
        assert again == first and all(a is b for a, b in zip(again, first, strict=True))
        assert [p.district for p in first] == ["安州区", "盖州市", "鲅鱼圈区"]
        build_archive(tmp_path, ALL[3:])
        writing.update(tmp_path, archive)
        assert [p.district for p in index.places()] == [
            "安州区",
            "涪城区",
            None,
            "盖州市",
            "鲅鱼圈区",
            None,
        ]


TITLE_CHARS = st.sampled_from("人大常委会代表ab\0 \n𠀀")  # NUL: numpy strings drop trailing ones


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(TITLE_CHARS, max_size=70), max_size=12), st.data())
def test_titles_find_what_a_substring_scan_finds(titles: list[str], data: st.DataObject) -> None:
    """Titles of every length (one array per power-of-two width) answer like Python's `in`."""
    whole = "".join(titles)
    start = data.draw(st.integers(0, len(whole)))
    needle = data.draw(st.one_of(st.text(TITLE_CHARS, min_size=1, max_size=4), st.just(whole)))
    needle = needle if data.draw(st.booleans()) else whole[start : start + 3] or needle
    assert Titles(titles).find(needle).tolist() == [needle in t for t in titles]

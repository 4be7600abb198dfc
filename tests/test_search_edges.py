"""Edge cases of reading: invisible characters never split a phrase; a reader racing a rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive, Record
from indexer import Index, QueryError, SearchRequest, writing

PASTED = "建成代表\u200b联络站\ufeff和代表之家，听取群众意见。"  # as pasted from a web page
PLAIN = "依托代表联络站开展进站活动，收集群众意见。"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    data: Path = tmp_path_factory.mktemp("invisible")
    archive = Archive(data)
    with archive.writing():
        archive.write(Record(id="a00000000001", title="粘贴的网页", text=PASTED, year=2025))
        archive.write(Record(id="a00000000002", title="普通文本", text=PLAIN, year=2025))
    with Index(data) as built:
        built.rebuild(archive)
        yield built


@pytest.mark.parametrize(
    "q", ["代表联络站", "代表\u200b联络站", "代\u00ad表联络站", '"代表\u200b联络站"']
)
def test_a_phrase_matches_across_invisible_characters_either_side(index: Index, q: str) -> None:
    result = index.search(SearchRequest(q=q))
    assert sorted(h.id for h in result.hits) == ["a00000000001", "a00000000002"]


def test_the_mark_covers_the_original_characters_including_the_invisible_one(index: Index) -> None:
    hits = {h.id: h for h in index.search(SearchRequest(q="代表联络站")).hits}
    (snippet,) = hits["a00000000001"].snippets
    ((start, end),) = snippet.marks
    assert snippet.text[start:end] == "代表\u200b联络站"


def test_a_query_of_invisible_characters_alone_browses_and_quoted_it_is_empty(index: Index) -> None:
    assert index.search(SearchRequest(q="\u200b \ufeff")).total == 2
    with pytest.raises(QueryError, match="empty phrase"):
        index.search(SearchRequest(q='"\u200b"'))


def test_a_reader_that_loses_the_race_with_a_rebuild_reads_current_again(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CURRENT may name a build a rebuild has just swapped out and removed: read it again."""
    real, calls = writing.live_dir, []

    def swapped_once(data_dir: Path) -> Path | None:
        calls.append(data_dir)
        return None if len(calls) == 1 else real(data_dir)

    monkeypatch.setattr(writing, "live_dir", swapped_once)
    assert index.search(SearchRequest()).total == 2
    assert len(calls) == 2

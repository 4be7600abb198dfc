"""Relevance counts the real occurrences of a phrase, and any page shows the exact order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive, Record
from indexer import Index, SearchRequest
from tests import reference
from tests.test_search_corpus import TEXTS, make_record

PHRASE = "代表联络站"
# Texts of equal length. Every bigram of the phrase occurs at least twice in each, so the
# bigram counts alone (an upper bound) would tie them; the phrase itself occurs 1, 2 or 3 times.
BODIES = {
    "f00000000001": "代表联络站。代表联络与联络站。其他工作内容若干。",
    "f00000000002": "代表联络站。代表联络站工作。其他工作内容若干项。",
    "f00000000003": "代表联络站。代表联络站代表联络站。其他工作内容。",
}


def record(record_id: str, text: str, year: int) -> Record:
    return Record(id=record_id, title="工作总结", text=text, year=year)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    data_dir = tmp_path_factory.mktemp("ranking")
    archive = Archive(data_dir)
    with archive.writing() as a:
        for i, (record_id, text) in enumerate(BODIES.items()):
            a.write(record(record_id, text, 2025 - i))  # the fewest occurrences is the newest
        a.write(record("f00000000004", "笑声哈哈哈哈不断，代表联络站外也是哈哈哈。", 2020))
        for record_id in TEXTS:
            a.write(make_record(record_id))
    Index(data_dir).rebuild(archive)
    with Index.open(data_dir) as opened:
        yield opened


def test_more_occurrences_rank_higher_though_bigram_counts_tie(index: Index) -> None:
    assert len({len(t) for t in BODIES.values()}) == 1
    page = index.search(SearchRequest(q=PHRASE, per_page=10)).hits
    hits = [h for h in page if h.id in BODIES]  # the seed record titled with the phrase leads
    assert [h.id for h in hits] == ["f00000000003", "f00000000002", "f00000000001"]
    assert hits[0].score > hits[1].score > hits[2].score
    shown = {h.id: h.score for h in index.matches(SearchRequest(q=PHRASE))}
    assert {h.id: h.score for h in hits} == {i: shown[i] for i in BODIES}


queries = st.sampled_from(
    [
        PHRASE,
        "人大代表",
        "执法检查",
        "代表联络站 监督",
        "人大 -代表联络站",
        "联络站 OR 执法检查",
        "代表",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=queries,
    sort=st.sampled_from(["relevance", "year", "-year", "district"]),
    per_page=st.integers(1, 7),
    page=st.integers(1, 4),
)
def test_every_page_is_a_slice_of_the_fully_counted_order(
    index: Index, q: str, sort: str, per_page: int, page: int
) -> None:
    """A page ranks on upper bounds and counts only what it shows; it must equal the order that
    counts every match."""
    everything = list(index.matches(SearchRequest(q=q, sort=sort)))
    shown = index.search(SearchRequest(q=q, sort=sort, per_page=per_page, page=page)).hits
    expected = everything[(page - 1) * per_page : page * per_page]
    assert [(h.id, h.score) for h in shown] == [(h.id, h.score) for h in expected]


def test_occurrences_overlap_as_snippets_mark_them(index: Index) -> None:
    with index._use() as snapshot:
        docnum = np.array([snapshot.docnum_of["f00000000004"]])
        assert snapshot.occurrences("哈哈哈", docnum).tolist() == [3]  # 2 in 哈哈哈哈, 1 after
        assert snapshot.occurrences("哈哈哈哈", docnum).tolist() == [1]
        assert snapshot.occurrences("代表联络站", docnum).tolist() == [1]
        assert snapshot.occurrences("监督", docnum).tolist() == [0]


def test_counts_past_the_postings_cap_are_counted(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The postings keep at most 65,535 per document; a bound takes over past it and the real
    count decides: 70,000 哈 outrank 66,000 in a text of the same length."""
    data_dir = tmp_path_factory.mktemp("capped")
    archive = Archive(data_dir)
    with archive.writing() as a:
        a.write(record("c00000000001", "哈" * 66_000 + "嘻" * 4_000, 2025))  # newer: first on ties
        a.write(record("c00000000002", "哈" * 70_000, 2024))
        a.write(record("c00000000003", "嘻哈" * 35_000, 2024))
    Index(data_dir).rebuild(archive)
    with Index.open(data_dir) as index:
        for q in ("哈", "哈哈", "哈哈哈"):
            hits = [(h.id, h.score) for h in index.search(SearchRequest(q=q)).hits]
            assert [i for i, _ in hits] == ["c00000000002", "c00000000001", "c00000000003"][
                : 3 if len(q) < 2 else 2
            ]
            assert hits == reference.ranking(list(archive), q)

"""Every mode and sort equals the brute-force reference (tests/reference.py), scores and ties
included, on an index with several segments and deleted documents; and more-like-this equals a
plain Python Bo1 + BM25F over the live records."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive, Record
from indexer import Index, SearchRequest
from indexer.analysis import normalise, word_counts
from indexer.similar import NUM_TERMS
from tests import reference
from tests.bench.run import make_corpus


def ties(records: list[Record]) -> list[Record]:
    """Copies of record 3 with its counts: equal scores, ordered newest first, then id."""
    r = records[3]
    return [
        dataclasses.replace(r, id="ee0000000002"),
        dataclasses.replace(r, id="ee0000000001"),
        dataclasses.replace(r, id="ee0000000003", year=(r.year or 2020) + 1),
        dataclasses.replace(r, id="ee0000000004", year=None, district=None),
    ]


@pytest.fixture(scope="module")
def history(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """An index built, then updated twice: three segments, removed and changed records, tied
    copies in different segments."""
    data_dir = tmp_path_factory.mktemp("reference")
    records = make_corpus(70, list(Archive(seeded_data_dir)))
    copies = ties(records)
    archive = Archive(data_dir)
    with archive.writing() as a:
        for r in [*records[:45], *copies[:2]]:
            a.write(r)
    Index(data_dir).rebuild(archive)
    with archive.writing() as a:
        for r in [*records[45:], *copies[2:]]:
            a.write(r)
    Index(data_dir).update(archive)
    with archive.writing() as a:
        for r in records[10:16]:
            a.path(r.id).unlink()
        a.write(
            dataclasses.replace(records[20], text=records[20].text[:300] + "代表联络站执法检查")
        )
    Index(data_dir).update(archive)
    with Index.open(data_dir) as index:
        with index._use() as snapshot:
            assert len(snapshot.segments) == 3 and not snapshot.live.all()
        yield index


QUERIES = {
    "exact": ["人大", "代表联络站", "执法检查 监督", "代表 OR 监督", "人大代表 -执法检查", "区"],
    "words": ["人大", "代表联络站", "执法检查 监督", "代表 OR 监督", "人大代表 -执法检查", "的"],
}
QUERIES["exact"] += ["title:工作总结 监督", "全过程人民民主", ""]
QUERIES["words"] += ["title:工作总结 监督", "全过程人民民主", "人大常委会工作"]
CASES = [
    (mode, q, scope, sort)
    for mode, qs in QUERIES.items()
    for q in qs
    for scope in ("all", "title")
    for sort in ("relevance", "year", "-year", "district")
    if q or mode == "exact"
]


GROUPS = [
    "同段(代表联络站 接待)",
    "同句(执法检查 监督)",
    "para:(人大 代表) 监督",
    "同句(人大 代表) OR 同段(执法检查 食品安全)",
    "人大 -同句(代表 联络站)",
]
CASES += [
    (mode, q, "all", sort)
    for mode in ("exact", "words")
    for q in GROUPS
    for sort in ("relevance", "year")
]


@pytest.mark.parametrize(("mode", "q", "scope", "sort"), CASES)
def test_rankings_equal_the_reference(history: Index, mode: str, q: str, scope: str, sort: str):
    request = SearchRequest(q=q, mode=mode, scope=scope, sort=sort)  # type: ignore[arg-type]
    expected = reference.ranking(list(Archive(history.data_dir)), q, mode, scope, sort)
    assert [(h.id, h.score) for h in history.matches(request)] == expected
    page = history.search(dataclasses.replace(request, per_page=7, page=2)).hits
    assert [(h.id, h.score) for h in page] == expected[7:14]


def test_tied_copies_come_newest_first_then_by_id(history: Index) -> None:
    for mode in ("exact", "words"):
        hits = list(history.matches(SearchRequest(q="人大", mode=mode)))  # type: ignore[arg-type]
        at = [h.id for h in hits].index("ee0000000003")
        tied = hits[at : at + 6]
        assert [h.id for h in tied[:5]] == [
            "ee0000000003",  # a year newer
            "000000000003",  # the original, in the first segment
            "ee0000000001",
            "ee0000000002",
            "ee0000000004",  # no year: last
        ]
        assert len({h.score for h in tied[:5]}) == 1  # equal to the last bit
        assert tied[5].score < tied[0].score


def reference_similar(records: list[Record], record_id: str, limit: int) -> list[tuple[str, float]]:
    """Whoosh's more_like over the live records: Bo1 key terms, then their boosted BM25F scores
    in the text's word field."""
    docs = [reference.Doc.of(r) for r in records]
    counts = word_counts(normalise(next(r.text for r in records if r.id == record_id)))
    cf: Counter[str] = Counter()
    for d in docs:
        cf.update(d.fields["words"])
    weights = {}
    for w, n in counts.items():
        f = cf[w] / len(docs)
        weights[w] = n * math.log2((1.0 + f) / f) + math.log2(1.0 + f)
    best = max(weights.values())
    keys = sorted((-v / best, w) for w, v in weights.items())[:NUM_TERMS]
    scores: dict[str, float] = {}
    for negative_boost, w in keys:
        for i, score in reference.bm25f(docs, [w], ("words",)).items():
            scores[i] = scores.get(i, 0.0) + score * -negative_boost
    scores.pop(record_id)
    year = {d.id: d.year for d in docs}
    order = sorted(
        scores, key=lambda i: (-scores[i], -year[i] if year[i] is not None else math.inf, i)
    )
    return [(i, scores[i]) for i in order[:limit]]


def test_similar_equals_the_reference(history: Index) -> None:
    records = list(Archive(history.data_dir))
    for record in records[::9]:
        expected = reference_similar(records, record.id, 5)
        got = [(h.id, h.score) for h in history.similar(record.id, limit=5)]
        assert [i for i, _ in got] == [i for i, _ in expected], record.id
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12)


def test_a_near_copy_is_most_similar_and_removed_records_never_show(history: Index) -> None:
    hits = history.similar(f"{3:012x}", limit=5)
    assert {h.id for h in hits[:4]} == {
        "ee0000000001",
        "ee0000000002",
        "ee0000000003",
        "ee0000000004",
    }
    removed = {f"{i:012x}" for i in range(10, 16)}
    for record in list(Archive(history.data_dir))[::5]:
        assert not removed & {h.id for h in history.similar(record.id, limit=20)}
    assert history.similar(f"{10:012x}") == []
    assert history.similar("no-such-record") == []

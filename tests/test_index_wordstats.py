"""Scoring from the numpy word postings gives Whoosh's results over the same words: words mode
(BM25F, title boosted) and more-like-this, with deleted documents counted as Whoosh counts them."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from archive import Archive
from indexer import Index
from indexer.analysis import fold, normalise, word_counts, words
from indexer.reading import Snapshot
from indexer.schema import TITLE_BOOST
from indexer.similar import similar
from indexer.wordstats import all_words
from tests.bench.run import make_corpus


@pytest.fixture(scope="module")
def corpus_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic summaries in several segments, then some removed (deleted docs stay in the
    segments' statistics, as in Whoosh) and one near-copy of record 7 added."""
    data_dir = tmp_path_factory.mktemp("similar")
    records = make_corpus(300, list(Archive(seeded_data_dir)))
    archive = Archive(data_dir)
    with archive.writing() as a:
        for r in records:
            a.write(r)
    Index(data_dir).rebuild(archive)
    near_copy = dataclasses.replace(
        records[7], id="ffff00000007", text=records[7].text[:-40] + "另起一句新的结尾。"
    )
    with archive.writing() as a:
        for r in records[100:110]:
            a.path(r.id).unlink()
        a.write(near_copy)
    Index(data_dir).update(archive)
    return data_dir


class CountedWords(TEXT):
    """A Whoosh text field of the words a record's word field holds (counted, or from a text)."""

    def index(self, value: str | Counter[str], **kwargs: object) -> Iterator[tuple]:
        counts = word_counts(fold(value).text) if isinstance(value, str) else value
        boost = self.format.field_boost
        return ((w.encode(), f, f * boost, pack_uint(f)) for w, f in sorted(counts.items()))


@pytest.fixture(scope="module")
def opened(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The index's newest snapshot, and a Whoosh searcher over one segment holding the same
    documents' words at the same docnums, with the same ones deleted."""
    with Index.open(corpus_dir) as index, index._use() as snapshot:
        path = tmp_path_factory.mktemp("whoosh")
        schema = Schema(
            words=CountedWords(phrase=False),
            title=CountedWords(phrase=False, field_boost=TITLE_BOOST),
        )
        reference = whoosh_index.create_in(str(path), schema)
        writer = reference.writer()
        for d in range(snapshot.size):
            text, title = snapshot.orig_text(d), snapshot.meta[d].title
            writer.add_document(words=text, title=word_counts(normalise(title)))
        writer.commit()
        writer = reference.writer()
        for d in np.flatnonzero(~snapshot.live).tolist():
            writer.delete_document(d)
        writer.commit(merge=False)  # deleted documents stay in the statistics, as in the index
        with reference.searcher() as searcher:
            yield snapshot, searcher


def test_similar_equals_whoosh_more_like(opened: tuple[Snapshot, Searcher]) -> None:
    snapshot, searcher = opened
    assert len(snapshot.segments) > 1 and not snapshot.live.all()
    for record_id in sorted(snapshot.docnum_of)[::15]:
        docnum = snapshot.docnum_of[record_id]
        text = snapshot.orig_text(docnum)
        whoosh = searcher.more_like(docnum, "words", text=text, top=5).top_n
        ours = similar(snapshot, docnum, 5)
        assert [d for _, d in ours] == [d for _, d in whoosh], record_id
        assert [s for s, _ in ours] == pytest.approx([s for s, _ in whoosh], rel=1e-12)


def test_a_near_copy_is_most_similar_and_removed_records_never_show(corpus_dir: Path) -> None:
    removed = {f"{i:012x}" for i in range(100, 110)}
    with Index.open(corpus_dir) as index:
        hits = index.similar(f"{7:012x}", limit=5)
        assert len(hits) == 5
        assert hits[0].id == "ffff00000007"
        assert f"{7:012x}" not in {h.id for h in hits}
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        for record_id in [f"{i:012x}" for i in range(0, 300, 10) if i not in range(100, 110)]:
            assert not removed & {h.id for h in index.similar(record_id, limit=20)}
        assert index.similar("no-such-record") == []


WORD_QUERIES = ["人大", "代表联络站", "人大代表 履职", "监督", "执法检查 备案审查", "的", "2025"]
WORD_QUERIES += ["人大常委会工作总结", "代表之家 代表联络站 人大", "不存在的词语组合", "区"]


@pytest.mark.parametrize("fields", [("words", "title"), ("title",), ("words",)])
def test_all_words_equals_whoosh_and_of_ors(
    opened: tuple[Snapshot, Searcher], fields: tuple[str, ...]
) -> None:
    snapshot, searcher = opened
    answered = 0
    for q in WORD_QUERIES:
        term_words = [w for part in q.split() for w, _, _ in words(normalise(part))]
        query = wq.And([wq.Or([wq.Term(f, w) for f in fields]) for w in term_words])
        whoosh = dict((d, s) for s, d in searcher.search(query, limit=None).top_n)
        mask, score = all_words(snapshot, term_words, fields)
        assert sorted(whoosh) == np.flatnonzero(mask).tolist(), q
        assert score[sorted(whoosh)].tolist() == pytest.approx(
            [whoosh[d] for d in sorted(whoosh)], rel=1e-12
        ), q
        assert (score[~mask] == 0).all()
        answered += bool(whoosh)
    assert answered >= (3 if fields == ("title",) else 8)

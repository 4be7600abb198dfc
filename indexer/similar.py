"""More-like-this computed with numpy over the word postings beside each segment.

The result is Whoosh's `Searcher.more_like(docnum, "words", text=...)`, the same key terms and
scores (tests/test_index_similar.py compares them): the record's words are weighed with Whoosh's
Bo1 expansion model against their collection frequencies, the top NUM_TERMS become an OR query
boosted by their weights, and every document holding one of them gets that query's BM25F score.
Whoosh does the last step posting by posting in Python (about 80 ms at 20,000 summaries, more
with common key terms); here each key term is one vectorised update of a score array.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.analysis import fold
from indexer.reading import Snapshot
from indexer.schema import word_counts

NUM_TERMS = 5  # Whoosh's default number of key terms
_BM25 = BM25F()  # the words field's weighting: Whoosh's defaults for B and K1
_LOG2 = math.log(2.0)
_BUILD_LOCK = threading.Lock()


@dataclass(frozen=True)
class WordStats:
    """Per generation: each segment's word postings, per-word totals, field lengths as Whoosh
    stores them (quantised to a byte), and the average field length."""

    postings: list
    cf: list[np.ndarray]  # per segment and word row: occurrences in the segment
    df: list[np.ndarray]  # per segment and word row: documents holding the word
    lengths: np.ndarray
    avg_length: float

    @classmethod
    def build(cls, snapshot: Snapshot) -> WordStats:
        postings = [data.words() for data in snapshot.segments]
        cf = [
            np.add.reduceat(p.tfs, p.starts[:-1]).astype(np.float64) if len(p.tfs) else np.zeros(0)
            for p in postings
        ]
        df = [np.diff(p.starts) for p in postings]
        exact = np.concatenate([p.lengths for p in postings]) if postings else np.zeros(0)
        stored = [byte_to_length(length_to_byte(n)) if n else 0 for n in exact.tolist()]
        avg = float(exact.sum()) / (snapshot.size or 1)
        return cls(postings, cf, df, np.array(stored, np.float64), avg or 1.0)


def word_stats(snapshot: Snapshot) -> WordStats:
    """The snapshot's word statistics, built on first use and kept with it."""
    with _BUILD_LOCK:
        if snapshot.word_stats is None:
            snapshot.word_stats = WordStats.build(snapshot)
        return snapshot.word_stats


def key_terms(snapshot: Snapshot, stats: WordStats, text: str) -> list[tuple[str, float]]:
    """The key terms more_like takes from a text (Bo1 model, unnormalised), best first."""
    counts = word_counts(fold(text).text)
    if not counts:
        return []
    words = list(counts)
    cf = np.zeros(len(words))
    for rows, seg_cf in zip((p.rows for p in stats.postings), stats.cf, strict=True):
        at = np.array([rows.get(w, -1) for w in words], np.int64)
        held = at >= 0
        cf[held] += seg_cf[at[held]]
    n = snapshot.size
    weight = np.array([counts[w] for w in words], np.float64)
    f = cf / n
    score = weight * (np.log((1.0 + f) / f) / _LOG2) + np.log(1.0 + f) / _LOG2
    weights = score / float(score.max())  # more_like does not normalise: the best term weighs 1
    ranked = sorted(zip(weights.tolist(), words, strict=True), key=lambda p: (-p[0], p[1]))
    return [(w, s) for s, w in ranked[:NUM_TERMS]]


def similar(snapshot: Snapshot, docnum: int, limit: int) -> list[tuple[float, int]]:
    """(score, docnum) of the `limit` records most like `docnum`, best first (ties: lower docnum)."""
    stats = word_stats(snapshot)
    terms = key_terms(snapshot, stats, snapshot.orig_text(docnum))
    n = snapshot.size
    b, k1 = _BM25.B, _BM25.K1
    score = np.zeros(n)
    found = np.zeros(n, bool)
    for word, boost in terms:
        df = 0
        hits = []
        for base, postings, seg_df in zip(snapshot.bases, stats.postings, stats.df, strict=True):
            row = postings.rows.get(word)
            if row is not None:
                df += int(seg_df[row])
                docs, tfs = postings.get(word)
                hits.append((docs + base, tfs.astype(np.float64)))
        idf = math.log(n / (df + 1)) + 1
        for docs, tf in hits:
            fl = stats.lengths[docs]
            bm25 = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / stats.avg_length)))
            score[docs] += bm25 * boost
            found[docs] = True
    found &= snapshot.live
    found[docnum] = False
    docs = np.flatnonzero(found)
    best = docs[np.lexsort((docs, -score[docs]))][:limit]
    return [(float(score[d]), int(d)) for d in best.tolist()]

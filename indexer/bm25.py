"""Relevance for both modes: BM25 over the live documents, each score computed from real counts.

One rule for deleted documents: the statistics (document count, document frequencies, average
field lengths, collection frequencies) count live documents only, so an archive ranks the same
whatever its history (incremental updates or `index --rebuild`), and a document's score depends on
its own counts and these statistics alone, never on which segment holds it.

- exact mode, per term: idf * saturation(occurrences in the normalised text, its length in
  characters) + TITLE_BOOST * idf when the title holds the term; idf = ln(1 + (N - df + 0.5) /
  (df + 0.5)), df = live documents holding the term in title or text.
- words mode, per word and word field: Whoosh's BM25F (`whoosh.scoring.BM25F`: its B and K1,
  idf = ln(N / (df + 1)) + 1 per field, the term frequency multiplied by the field's boost), with
  each document's real word count as its length (Whoosh rounds it to one byte).
Whoosh computes BM25F posting by posting in Python; here one word is one vectorised expression.
tests/test_search_reference.py compares every mode and sort with a plain Python scorer.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from indexer.reading import Snapshot
from indexer.segment_files import WordPostings

K1 = 1.2  # Whoosh's BM25F defaults, used by both modes
B = 0.75
TITLE_BOOST = 2.0
WORD_FIELD_BOOST = {"words": 1.0, "title": TITLE_BOOST}  # a title word counts twice

_BUILD_LOCK = threading.Lock()


def saturation(tf: np.ndarray, length: np.ndarray, avg_length: float) -> np.ndarray:
    """BM25's term-frequency part: grows with tf, saturates, and is damped in long documents."""
    return (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avg_length))


def exact_idf(live: int, df: int) -> float:
    """exact mode's idf (BM25's, kept positive by the 1 +)."""
    return math.log(1 + (live - df + 0.5) / (df + 0.5))


def words_idf(live: int, df: int) -> float:
    """Whoosh's idf (`Weighting.idf`), for words mode and more-like-this."""
    return math.log(live / (df + 1)) + 1


def exact_score(
    idf: float, tf: np.ndarray, length: np.ndarray, avg_length: float, in_title: np.ndarray
) -> np.ndarray:
    """One exact term's score for documents with these occurrence counts, lengths, title flags."""
    return idf * saturation(tf, length, avg_length) + in_title * (TITLE_BOOST * idf)


@dataclass(frozen=True)
class FieldStats:
    """One word field over a generation's live documents: postings, document and collection
    frequencies, document lengths."""

    postings: list[WordPostings]
    bases: list[int]
    live: np.ndarray
    df: list[np.ndarray]  # per segment and word row: live documents holding the word
    cf: list[np.ndarray]  # per segment and word row: occurrences in live documents
    lengths: np.ndarray  # per docnum: words in the field
    avg_length: float  # over live documents
    count: int  # live documents
    boost: float

    @classmethod
    def build(cls, snapshot: Snapshot, field: str) -> FieldStats:
        postings = [data.words[field] for data in snapshot.segments]
        df, cf = [], []
        for base, p in zip(snapshot.bases, postings, strict=True):
            seg_df, seg_cf = p.live_frequencies(snapshot.live[base : base + len(p.lengths)])
            df.append(seg_df)
            cf.append(seg_cf)
        lengths = np.concatenate([p.lengths for p in postings]) if postings else np.zeros(0, int)
        total = int(lengths[snapshot.live].sum())
        return cls(
            postings=postings,
            bases=list(snapshot.bases),
            live=snapshot.live,
            df=df,
            cf=cf,
            lengths=lengths.astype(np.float64),
            avg_length=(total / snapshot.count if snapshot.count else 0.0) or 1.0,
            count=snapshot.count,
            boost=WORD_FIELD_BOOST[field],
        )

    def frequencies(self, words: list[str]) -> np.ndarray:
        """How often each word occurs in the live documents (its collection frequency)."""
        total = np.zeros(len(words), np.int64)
        for postings, cf in zip(self.postings, self.cf, strict=True):
            rows = np.array([postings.rows.get(w, -1) for w in words], np.int64)
            held = rows >= 0
            total[held] += cf[rows[held]]
        return total.astype(np.float64)

    def scores(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Live docnums holding the word and their BM25F score for it."""
        df = 0
        docs: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for base, postings, seg_df in zip(self.bases, self.postings, self.df, strict=True):
            row = postings.rows.get(word)
            if row is not None:
                df += int(seg_df[row])
                seg_docs, seg_tfs = postings.get(word)
                docs.append(seg_docs + base)
                tfs.append(seg_tfs)
        if not df:
            return np.zeros(0, np.int64), np.zeros(0)
        held = np.concatenate(docs)
        alive = self.live[held]
        held = held[alive]
        tf = np.concatenate(tfs)[alive].astype(np.float64) * self.boost
        idf = words_idf(self.count, df)
        return held, idf * saturation(tf, self.lengths[held], self.avg_length)


def field_stats(snapshot: Snapshot, field: str) -> FieldStats:
    """A word field's statistics for a snapshot, built on first use and kept with it."""
    with _BUILD_LOCK:
        if field not in snapshot.word_stats:
            snapshot.word_stats[field] = FieldStats.build(snapshot, field)
        return snapshot.word_stats[field]


def all_words(
    snapshot: Snapshot, words: list[str], fields: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Live documents holding every word in one of the fields, and the sum over words and fields
    of their BM25F scores (Whoosh's `And([Or([Term(field, word) for field in fields]) ...])`)."""
    mask = snapshot.live.copy()
    score = np.zeros(snapshot.size)
    for word in words:
        held = np.zeros(snapshot.size, bool)
        for field in fields:
            docs, field_score = field_stats(snapshot, field).scores(word)
            held[docs] = True
            score[docs] += field_score
        mask &= held
    score[~mask] = 0
    return mask, score

"""BM25F over the word postings kept beside each segment, computed with numpy.

The formulas are Whoosh's own: `scoring.BM25F` with its default B and K1, `Weighting.idf`
(ln(N / (df + 1)) + 1 over all documents, deleted ones included, as Whoosh counts them), posting
weights multiplied by the field's boost, and document lengths quantised to the byte Whoosh stores.
Whoosh computes them posting by posting in Python; here one word is one vectorised expression.
tests/test_index_wordstats.py compares the results with a Whoosh index of the same words.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.reading import Snapshot
from indexer.schema import WORD_FIELD_BOOST
from indexer.segment_files import WordPostings

_BM25 = BM25F()
_BUILD_LOCK = threading.Lock()


@dataclass(frozen=True)
class FieldStats:
    """One word field over a whole generation: postings, per-word totals and document lengths."""

    postings: list[WordPostings]
    bases: list[int]
    cf: list[np.ndarray]  # per segment and word row: occurrences
    df: list[np.ndarray]  # per segment and word row: documents holding the word
    lengths: np.ndarray  # per docnum, as Whoosh stores it (quantised to one byte)
    avg_length: float
    size: int  # documents, deleted ones included
    boost: float

    @classmethod
    def build(cls, snapshot: Snapshot, field: str) -> FieldStats:
        postings = [data.words[field] for data in snapshot.segments]
        cf = [
            np.add.reduceat(p.tfs, p.starts[:-1]).astype(np.float64) if len(p.tfs) else np.zeros(0)
            for p in postings
        ]
        exact = np.concatenate([p.lengths for p in postings]) if postings else np.zeros(0, int)
        stored = [byte_to_length(length_to_byte(n)) if n else 0 for n in exact.tolist()]
        return cls(
            postings=postings,
            bases=list(snapshot.bases),
            cf=cf,
            df=[np.diff(p.starts) for p in postings],
            lengths=np.array(stored, np.float64),
            avg_length=(float(exact.sum()) / (snapshot.size or 1)) or 1.0,
            size=snapshot.size,
            boost=WORD_FIELD_BOOST[field],
        )

    def frequencies(self, words: list[str]) -> np.ndarray:
        """How often each word occurs in the whole field (its collection frequency)."""
        total = np.zeros(len(words))
        for postings, cf in zip(self.postings, self.cf, strict=True):
            rows = np.array([postings.rows.get(w, -1) for w in words], np.int64)
            held = rows >= 0
            total[held] += cf[rows[held]]
        return total

    def scores(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Docnums holding the word (deleted ones too) and their BM25F score for it."""
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
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0)
        held = np.concatenate(docs)
        tf = np.concatenate(tfs).astype(np.float64) * self.boost
        idf = math.log(self.size / (df + 1)) + 1
        b, k1 = _BM25.B, _BM25.K1
        norm = (1 - b) + b * self.lengths[held] / self.avg_length
        return held, idf * ((tf * (k1 + 1)) / (tf + k1 * norm))


def field_stats(snapshot: Snapshot, field: str) -> FieldStats:
    """A word field's statistics for a snapshot, built on first use and kept with it."""
    with _BUILD_LOCK:
        if field not in snapshot.word_stats:
            snapshot.word_stats[field] = FieldStats.build(snapshot, field)
        return snapshot.word_stats[field]


def all_words(
    snapshot: Snapshot, words: list[str], fields: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Live documents holding every word in one of the fields, and their score under Whoosh's
    `And([Or([Term(field, word) for field in fields]) for word in words])`."""
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

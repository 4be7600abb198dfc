"""More-like-this computed with numpy over the word postings beside each segment.

Whoosh's `Searcher.more_like(docnum, "words", text=...)` over the live documents: the record's
words are weighed with Whoosh's Bo1 expansion model against their collection frequencies, the top
NUM_TERMS become an OR query boosted by their weights (the best weighs 1), and every document
holding one of them gets that query's BM25F score (indexer/bm25.py). Whoosh does the last step
posting by posting in Python (about 80 ms at 20,000 summaries); here each key term is one
vectorised update. tests/test_search_reference.py compares it with a plain Python scorer.
"""

from __future__ import annotations

import math

import numpy as np

from indexer.analysis import fold, word_counts
from indexer.bm25 import FieldStats, field_stats
from indexer.reading import Snapshot

NUM_TERMS = 5  # Whoosh's default number of key terms
_LOG2 = math.log(2.0)


def key_terms(stats: FieldStats, text: str) -> list[tuple[str, float]]:
    """The key terms more_like takes from a text (Bo1 model, not normalised), best first."""
    counts = word_counts(fold(text).text)
    if not counts:
        return []
    words = list(counts)
    f = stats.frequencies(words) / stats.count
    weight = np.array([counts[w] for w in words], np.float64)
    score = weight * (np.log((1.0 + f) / f) / _LOG2) + np.log(1.0 + f) / _LOG2
    weights = score / float(score.max())
    ranked = sorted(zip(weights.tolist(), words, strict=True), key=lambda p: (-p[0], p[1]))
    return [(w, s) for s, w in ranked[:NUM_TERMS]]


def similar(snapshot: Snapshot, docnum: int, limit: int) -> list[tuple[float, int]]:
    """(score, docnum) of the `limit` records most like `docnum`, best first (ties: newest, then
    id, as in search)."""
    stats = field_stats(snapshot, "words")
    score = np.zeros(snapshot.size)
    found = np.zeros(snapshot.size, bool)
    for word, boost in key_terms(stats, snapshot.orig_text(docnum)):
        docs, term_score = stats.scores(word)
        score[docs] += term_score * boost
        found[docs] = True
    found[docnum] = False
    docs = np.flatnonzero(found)
    if len(docs) > limit:  # only documents scoring at least the limit-th best can be shown
        docs = docs[score[docs] >= -np.partition(-score[docs], limit - 1)[limit - 1]]
    best = docs[np.lexsort((*snapshot.newest_then_id(docs), -score[docs]))][:limit]
    return [(float(score[d]), int(d)) for d in best.tolist()]

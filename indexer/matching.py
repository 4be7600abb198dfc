"""Turning a parsed query into the set of matching documents and their relevance scores.

Both modes produce dense per-docnum arrays (a match mask and a score), so filters, facets and
sorting downstream are the same numpy operations whatever matched.
"""

from __future__ import annotations

import math

import numpy as np

from indexer.analysis import words
from indexer.models import QueryError
from indexer.query import Query, Term
from indexer.reading import Snapshot
from indexer.schema import TITLE_BOOST
from indexer.wordstats import all_words

K1 = 1.2
B = 0.75
PHRASE_BONUS = 1.0  # words mode: a record holding the term's words as one phrase ranks higher


def _idf(snapshot: Snapshot, mask: np.ndarray) -> float:
    df = int(mask.sum())
    return math.log(1 + (snapshot.count - df + 0.5) / (df + 0.5))


def _exact_term(snapshot: Snapshot, term: Term, title_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """BM25 of the term's exact occurrences in the text, plus a boost when the title holds it."""
    in_title = snapshot.find_title(term.norm)
    if title_only:
        return in_title, in_title * (TITLE_BOOST * _idf(snapshot, in_title))
    in_text, tf = snapshot.find(term.norm)
    mask = in_text | in_title
    idf = _idf(snapshot, mask)
    norm_len = K1 * (1 - B + B * snapshot.length / snapshot.avg_length)
    score = idf * tf * (K1 + 1) / (tf + norm_len) + in_title * (TITLE_BOOST * idf)
    return mask, score


def _words_term(snapshot: Snapshot, term: Term, title_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """BM25F over jieba words (title boosted); the exact phrase adds a proximity bonus."""
    term_words = [w for w, _, _ in words(term.norm)]
    if not term_words:
        raise QueryError(f"“{term.text}” 中没有可检索的词，请用精确模式 (no words to search)")
    fields = ("title",) if title_only else ("words", "title")
    mask, score = all_words(snapshot, term_words, fields)
    if len(term_words) > 1 and not title_only:
        phrase, _ = snapshot.find(term.norm)
        score += (phrase & mask) * PHRASE_BONUS
    return mask, score


def evaluate(
    snapshot: Snapshot, parsed: Query, mode: str, title_only: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Match mask and scores of a whole query: clauses ANDed, terms in a clause ORed."""
    match = snapshot.live.copy()
    score = np.zeros(snapshot.size, np.float64)
    term_fn = _exact_term if mode == "exact" else _words_term
    for clause in parsed.clauses:
        clause_mask = np.zeros(snapshot.size, bool)
        for term in clause.terms:
            mask, term_score = term_fn(snapshot, term, title_only or term.field == "title")
            clause_mask |= mask
            if not clause.negated:
                score += term_score
        if clause.negated:
            match &= ~clause_mask
        else:
            match &= clause_mask
    return match, score

"""Turning a parsed query into the set of matching documents and their relevance scores.

Both modes produce dense per-docnum arrays (a match mask and a score), so filters, facets and
sorting downstream are the same numpy operations whatever matched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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


Pending = tuple[str, float, np.ndarray]  # a term, its idf, and upper bounds of its occurrences
TermResult = tuple[np.ndarray, np.ndarray, Pending | None]  # match, score, what is left to count


@dataclass
class Ranking:
    """A query's matches and scores. An exact term longer than two characters is first scored with
    an upper bound of its occurrences (its rarest bigram's count); `settle` counts the real
    occurrences of the documents a caller is about to rank, so shown orders and scores are exact
    while the whole match set costs no counting."""

    match: np.ndarray
    score: np.ndarray
    exact: np.ndarray  # per docnum: the score is final
    pending: list[Pending] = field(default_factory=list)

    def settle(self, snapshot: Snapshot, docs: np.ndarray) -> None:
        """Replace the upper bounds of these documents by their real occurrence counts."""
        docs = docs[~self.exact[docs]]
        if not len(docs):
            return
        norm_len = _norm_len(snapshot)[docs]
        for term, idf, bound in self.pending:
            tf = bound[docs]
            held = tf > 0
            real = snapshot.occurrences(term, docs[held])
            upper = _bm25(idf, tf[held], norm_len[held])
            self.score[docs[held]] += _bm25(idf, real, norm_len[held]) - upper
        self.exact[docs] = True


def _norm_len(snapshot: Snapshot) -> np.ndarray:
    return K1 * (1 - B + B * snapshot.length / snapshot.avg_length)


def _bm25(idf: float, tf: np.ndarray, norm_len: np.ndarray) -> np.ndarray:
    return idf * tf * (K1 + 1) / (tf + norm_len)


def _exact_term(snapshot: Snapshot, term: Term, title_only: bool) -> TermResult:
    """BM25 of the term's exact occurrences in the text, plus a boost when the title holds it."""
    in_title = snapshot.find_title(term.norm)
    if title_only:
        return in_title, in_title * (TITLE_BOOST * _idf(snapshot, in_title)), None
    in_text, tf = snapshot.find(term.norm)
    mask = in_text | in_title
    idf = _idf(snapshot, mask)
    score = _bm25(idf, tf, _norm_len(snapshot)) + in_title * (TITLE_BOOST * idf)
    return mask, score, (term.norm, idf, tf) if len(term.norm) > 2 else None


def _words_term(snapshot: Snapshot, term: Term, title_only: bool) -> TermResult:
    """BM25F over jieba words (title boosted); the exact phrase adds a proximity bonus."""
    term_words = [w for w, _, _ in words(term.norm)]
    if not term_words:
        raise QueryError(f"“{term.text}” 中没有可检索的词，请用精确模式 (no words to search)")
    fields = ("title",) if title_only else ("words", "title")
    mask, score = all_words(snapshot, term_words, fields)
    if len(term_words) > 1 and not title_only:
        phrase, _ = snapshot.find(term.norm)
        score += (phrase & mask) * PHRASE_BONUS
    return mask, score, None


def evaluate(snapshot: Snapshot, parsed: Query, mode: str, title_only: bool) -> Ranking:
    """Matches and scores of a whole query: clauses ANDed, terms in a clause ORed."""
    ranking = Ranking(
        snapshot.live.copy(), np.zeros(snapshot.size, np.float64), np.ones(snapshot.size, bool)
    )
    term_fn = _exact_term if mode == "exact" else _words_term
    for clause in parsed.clauses:
        clause_mask = np.zeros(snapshot.size, bool)
        for term in clause.terms:
            mask, term_score, pending = term_fn(snapshot, term, title_only or term.field == "title")
            clause_mask |= mask
            if not clause.negated:  # an excluded term adds nothing to the score
                ranking.score += term_score
                if pending:
                    ranking.pending.append(pending)
        if clause.negated:
            ranking.match &= ~clause_mask
        else:
            ranking.match &= clause_mask
    if ranking.pending:
        ranking.exact[:] = False
    return ranking

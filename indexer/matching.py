"""Turning a parsed query into the set of matching documents and their relevance scores.

Both modes produce dense per-docnum arrays (a match mask and a score), so filters, facets and
sorting downstream are the same numpy operations whatever matched. A document's score is the sum,
in query order, of its positive terms' scores (indexer/bm25.py), always computed from all of them
at once, so equal counts give equal scores to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer import bm25
from indexer.analysis import words
from indexer.models import QueryError
from indexer.query import Group, Query, Term
from indexer.reading import Snapshot
from indexer.segment_files import MAX_TF
from indexer.within import holding

PHRASE_BONUS = 1.0  # words mode: a record holding the term's words as one phrase ranks higher


@dataclass
class FixedTerm:
    """A term whose score is known for every document when it is evaluated."""

    values: np.ndarray

    def score(self, snapshot: Snapshot, docs: np.ndarray) -> np.ndarray:
        return self.values[docs]


@dataclass
class CountedTerm:
    """An exact term scored from its occurrences in the text. Where `counted` is False, `tf` is an
    upper bound (a term longer than two characters: its rarest bigram's count; a count the
    postings capped: the text's length), which may choose the documents to count but is replaced
    by the real count before a score is shown."""

    norm: str
    idf: float
    tf: np.ndarray
    counted: np.ndarray
    in_title: np.ndarray

    def score(self, snapshot: Snapshot, docs: np.ndarray) -> np.ndarray:
        length = snapshot.length[docs]
        return bm25.exact_score(
            self.idf, self.tf[docs], length, snapshot.avg_length, self.in_title[docs]
        )

    def count(self, snapshot: Snapshot, docs: np.ndarray) -> None:
        """Replace the bounds of these documents by their real occurrence counts."""
        todo = docs[~self.counted[docs]]
        self.tf[todo] = snapshot.occurrences(self.norm, todo)
        self.counted[todo] = True


@dataclass
class GroupScore:
    """A 同段/同句 group: its terms' scores summed, where the group matches (nothing elsewhere)."""

    parts: list[FixedTerm | CountedTerm]
    mask: np.ndarray

    def score(self, snapshot: Snapshot, docs: np.ndarray) -> np.ndarray:
        return self.mask[docs] * total_score(snapshot, self.parts, docs)


TermScore = FixedTerm | CountedTerm | GroupScore


def _counted(terms: list[TermScore]) -> list[CountedTerm]:
    """The exact terms whose counts may still be bounds, groups' terms included."""
    flat = [p for t in terms for p in (t.parts if isinstance(t, GroupScore) else [t])]
    return [t for t in flat if isinstance(t, CountedTerm)]


@dataclass
class Ranking:
    """A query's matches and scores. Scores of documents not yet `settled` rest on upper bounds of
    occurrences; `settle` counts the real occurrences of the documents a caller is about to rank
    and computes their scores afresh, so shown orders and scores are exact while the whole match
    set costs no counting."""

    match: np.ndarray
    terms: list[TermScore]  # the positive terms in query order; a score is their sum
    score: np.ndarray
    settled: np.ndarray  # per docnum: every term's count is real, so is the score

    def settle(self, snapshot: Snapshot, docs: np.ndarray) -> None:
        """Count the real occurrences of these documents and score them from those counts."""
        docs = docs[~self.settled[docs]]
        if not len(docs):
            return
        for term in _counted(self.terms):
            term.count(snapshot, docs)
        self.score[docs] = total_score(snapshot, self.terms, docs)
        self.settled[docs] = True


def total_score(snapshot: Snapshot, terms: Sequence[TermScore], docs: np.ndarray) -> np.ndarray:
    """The sum of the terms' scores for these documents, added in query order."""
    score = np.zeros(len(docs))
    for term in terms:
        score += term.score(snapshot, docs)
    return score


def _exact_idf(snapshot: Snapshot, mask: np.ndarray) -> float:
    return bm25.exact_idf(snapshot.count, int(mask.sum()))


def _exact_term(
    snapshot: Snapshot, term: Term, title_only: bool
) -> tuple[np.ndarray, FixedTerm | CountedTerm]:
    """BM25 of the term's exact occurrences in the text, plus a boost when the title holds it."""
    in_title = snapshot.find_title(term.norm)
    if title_only:
        return in_title, FixedTerm(in_title * (bm25.TITLE_BOOST * _exact_idf(snapshot, in_title)))
    in_text, tf = snapshot.find(term.norm)
    mask = in_text | in_title
    capped = tf >= MAX_TF  # the postings hold at most MAX_TF; the length bounds the real count
    counted = ~capped if len(term.norm) <= 2 else tf == 0
    tf = np.where(capped, snapshot.length, tf)
    return mask, CountedTerm(term.norm, _exact_idf(snapshot, mask), tf, counted, in_title)


def _words_term(
    snapshot: Snapshot, term: Term, title_only: bool
) -> tuple[np.ndarray, FixedTerm | CountedTerm]:
    """BM25F over jieba words (title boosted); the exact phrase adds a proximity bonus."""
    term_words = [w for w, _, _ in words(term.norm)]
    if not term_words:
        raise QueryError(f"“{term.text}” 中没有可检索的词，请用精确模式 (no words to search)")
    fields = ("title",) if title_only else ("words", "title")
    mask, score = bm25.all_words(snapshot, term_words, fields)
    if len(term_words) > 1 and not title_only:
        phrase, _ = snapshot.find(term.norm)
        score += (phrase & mask) * PHRASE_BONUS
    return mask, FixedTerm(score)


def _group(snapshot: Snapshot, group: Group, mode: str) -> tuple[np.ndarray, TermScore]:
    """Documents with a paragraph or sentence holding every term of the group, each term scored as
    the plain query scores it: candidates from the index, then verified on the text."""
    term_fn = _exact_term if mode == "exact" else _words_term
    candidates = snapshot.live.copy()
    parts: list[FixedTerm | CountedTerm] = []
    for term in group.terms:
        mask, part = term_fn(snapshot, term, False)
        candidates &= mask
        parts.append(part)
    occurrences = {  # the rarest term leads the search of each candidate's units
        t.norm: float(p.tf[candidates].sum())
        for t, p in zip(group.terms, parts, strict=True)
        if isinstance(p, CountedTerm)
    }
    mask = holding(snapshot, candidates, group, mode, occurrences)
    return mask, GroupScore(parts, mask)


def evaluate(snapshot: Snapshot, parsed: Query, mode: str, title_only: bool) -> Ranking:
    """Matches and scores of a whole query: clauses ANDed, terms in a clause ORed."""
    match = snapshot.live.copy()
    terms: list[TermScore] = []
    term_fn = _exact_term if mode == "exact" else _words_term
    for clause in parsed.clauses:
        clause_mask = np.zeros(snapshot.size, bool)
        for term in clause.terms:
            if isinstance(term, Group):
                mask, term_score = _group(snapshot, term, mode)
            else:
                mask, term_score = term_fn(snapshot, term, title_only or term.field == "title")
            clause_mask |= mask
            if not clause.negated:  # an excluded term adds nothing to the score
                terms.append(term_score)
        if clause.negated:
            match &= ~clause_mask
        else:
            match &= clause_mask
    settled = np.ones(snapshot.size, bool)
    for term in _counted(terms):
        settled &= term.counted
    everything = np.arange(snapshot.size)
    return Ranking(match, terms, total_score(snapshot, terms, everything), settled)

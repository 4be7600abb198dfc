"""A brute-force reference for relevance: plain Python over the archive's records, no index.

Counts come from the normalised texts themselves (overlapping occurrences, jieba words), the
formulas are written out once more from the README and indexer/bm25.py's docstring (same
parameters, same order of operations, so equal inputs give equal floats), and the statistics count
the live records only: exactly the records in the archive now, whatever the index's history.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from archive import Record
from indexer.analysis import normalise, word_counts, words
from indexer.query import Group, parse

K1, B, TITLE_BOOST, PHRASE_BONUS = 1.2, 0.75, 2.0, 1.0
BOOST = {"words": 1.0, "title": TITLE_BOOST}
UNKNOWN_LAST = float("inf")


@dataclass(frozen=True)
class Doc:
    id: str
    year: int | None
    district: str | None
    title: str  # normalised
    text: str  # normalised
    fields: dict[str, Counter[str]]  # word field -> jieba word counts
    paragraphs: tuple[str, ...]  # normalised non-blank lines

    @classmethod
    def of(cls, record: Record) -> Doc:
        title, text = normalise(record.title), normalise(record.text)
        fields = {"words": word_counts(text), "title": word_counts(title)}
        paragraphs = tuple(normalise(line) for line in record.text.split("\n") if line.strip())
        return cls(record.id, record.year, record.district, title, text, fields, paragraphs)

    def units(self, unit: str) -> list[str]:
        """Its paragraphs, or its sentences: pieces of a paragraph ending after 。！？；(folded:
        。!?;) or a carriage return."""
        if unit == "para":
            return list(self.paragraphs)
        return [s for p in self.paragraphs for s in re.split(r"(?<=[。!?;\r])", p) if s]


def group_holds(doc: Doc, group: Group, mode: str) -> bool:
    """Whether one paragraph or sentence of the text holds every term (words mode: every word of
    the terms, as written; the record holds them as words)."""
    needed = [t.norm for t in group.terms]
    if mode == "words":
        needed = [w for n in needed for w, _, _ in words(n)]
    return any(all(n in u for n in needed) for u in doc.units(group.unit))


def occurrences(text: str, term: str) -> int:
    """Overlapping occurrences, as snippets mark them."""
    return sum(text.startswith(term, i) for i in range(len(text)))


def saturation(tf: float, length: float, avg: float) -> float:
    return (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avg))


def exact_term(docs: list[Doc], term: str, title_only: bool) -> dict[str, float]:
    """Record id -> score of the records an exact term matches."""
    in_title = {d.id for d in docs if term in d.title}
    if title_only:
        df = len(in_title)
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        return {i: TITLE_BOOST * idf for i in in_title}
    tf = {d.id: occurrences(d.text, term) for d in docs}
    matched = [d for d in docs if tf[d.id] or d.id in in_title]
    idf = math.log(1 + (len(docs) - len(matched) + 0.5) / (len(matched) + 0.5))
    avg = sum(len(d.text) for d in docs) / len(docs)
    scores = {}
    for d in matched:
        score = idf * saturation(float(tf[d.id]), float(len(d.text)), avg)
        if d.id in in_title:
            score += TITLE_BOOST * idf
        scores[d.id] = score
    return scores


def bm25f(docs: list[Doc], term_words: list[str], fields: tuple[str, ...]) -> dict[str, float]:
    """Record id -> BM25F score (summed over words, then fields) of the records holding every word
    in one of the fields."""
    live = len(docs)
    avg = {f: sum(sum(d.fields[f].values()) for d in docs) / live or 1.0 for f in fields}
    df = {(w, f): sum(1 for d in docs if d.fields[f][w]) for w in term_words for f in fields}
    scores = {}
    for d in docs:
        if not all(any(d.fields[f][w] for f in fields) for w in term_words):
            continue
        score = 0.0
        for w in term_words:
            for f in fields:
                if d.fields[f][w]:
                    idf = math.log(live / (df[w, f] + 1)) + 1
                    tf = float(d.fields[f][w]) * BOOST[f]
                    length = float(sum(d.fields[f].values()))
                    score += idf * saturation(tf, length, avg[f])
        scores[d.id] = score
    return scores


def words_term(docs: list[Doc], term: str, title_only: bool) -> dict[str, float]:
    """Record id -> score of the records a words-mode term matches: BM25F, title boosted, plus a
    bonus where the text holds the term as written."""
    term_words = [w for w, _, _ in words(term)]
    scores = bm25f(docs, term_words, ("title",) if title_only else ("words", "title"))
    if len(term_words) > 1 and not title_only:
        for d in docs:
            if d.id in scores and term in d.text:
                scores[d.id] += PHRASE_BONUS
    return scores


def ranking(
    records: list[Record], q: str, mode: str = "exact", scope: str = "all", sort: str = "relevance"
) -> list[tuple[str, float]]:
    """(record id, score) of every match in the documented order."""
    docs = [Doc.of(r) for r in records]
    if not docs:
        return []
    matched = {d.id for d in docs}
    total = dict.fromkeys(matched, 0.0)
    term_fn = exact_term if mode == "exact" else words_term
    for clause in parse(q).clauses:
        ids: set[str] = set()
        for term in clause.terms:
            if isinstance(term, Group):  # its terms' scores where they match and share a unit
                parts = [term_fn(docs, t.norm, False) for t in term.terms]
                held = {d.id for d in docs if group_holds(d, term, mode)}
                held &= set.intersection(*(set(p) for p in parts))
                scores = {i: sum(p[i] for p in parts) for i in held}
            else:
                scores = term_fn(docs, term.norm, scope == "title" or term.field == "title")
            ids |= set(scores)
            if not clause.negated:
                for i in total:
                    total[i] += scores.get(i, 0.0)
        matched = matched - ids if clause.negated else matched & ids
    by_id = {d.id: d for d in docs}

    def newest(i: str) -> float:
        year = by_id[i].year
        return -year if year is not None else UNKNOWN_LAST

    def key(i: str) -> tuple:
        year, district = by_id[i].year, by_id[i].district
        if sort == "relevance":
            return (-total[i], newest(i), i)
        if sort == "year":
            return (year if year is not None else UNKNOWN_LAST, -total[i], i)
        if sort == "-year":
            return (newest(i), -total[i], i)
        return (district is None, district or "", newest(i), i)

    return [(i, total[i]) for i in sorted(matched, key=key)]

"""The Whoosh schema, and the words of a record that `words` mode and more-like-this score.

Whoosh keeps the segments, their deletions and the atomic generations; the record id, which
updates delete by, is its only field. The jieba words of text and title and the character n-grams
live beside each segment (indexer/ngrams.py), where numpy scores them (indexer/wordstats.py).
"""

from __future__ import annotations

from collections import Counter

from whoosh.fields import ID, Schema

from indexer.analysis import cut, is_word

TITLE_BOOST = 2.0
WORD_FIELD_BOOST = {"words": 1.0, "title": TITLE_BOOST}  # a title word counts twice


def word_counts(norm: str) -> Counter[str]:
    """How often each jieba word occurs in a normalised text: what a word field holds."""
    counts = Counter(cut(norm))
    return Counter({w: n for w, n in counts.items() if is_word(w)})


def make_schema() -> Schema:
    return Schema(id=ID(stored=True, unique=True))

"""The Whoosh schema: the record id for updates, jieba words of text and title for `words` mode."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from whoosh.fields import ID, TEXT, Schema
from whoosh.system import pack_uint

from indexer.analysis import JiebaTokenizer, cut, is_word

TITLE_BOOST = 2.0


class WordsField(TEXT):
    """A TEXT field that also accepts words already counted (by the indexing worker), which skips
    Whoosh's per-token objects; a plain string still goes through the jieba analyzer."""

    def index(self, value: str | Counter[str], **kwargs: object) -> Iterator[tuple]:
        if isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return ((w.encode(), f, f * boost, pack_uint(f)) for w, f in sorted(value.items()))


def word_counts(norm: str) -> Counter[str]:
    """How often each jieba word occurs in a normalised text: what the words field indexes."""
    counts = Counter(cut(norm))
    return Counter({w: n for w, n in counts.items() if is_word(w)})


def make_schema() -> Schema:
    """Word fields keep frequencies, not positions: exact phrases are served by the n-gram data."""
    analyzer = JiebaTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        words=WordsField(analyzer=analyzer, phrase=False),
        title=WordsField(analyzer=analyzer, phrase=False, field_boost=TITLE_BOOST),
    )

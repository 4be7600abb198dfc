"""The Whoosh schema: the record id for updates, jieba words of text and title for `words` mode."""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema

from indexer.analysis import JiebaTokenizer

TITLE_BOOST = 2.0


def make_schema() -> Schema:
    """Word fields keep frequencies, not positions: exact phrases are served by the n-gram data."""
    analyzer = JiebaTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        words=TEXT(analyzer=analyzer, phrase=False),
        title=TEXT(analyzer=analyzer, phrase=False, field_boost=TITLE_BOOST),
    )

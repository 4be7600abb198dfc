"""The full-text index over the archive and every search feature; the only place Whoosh and jieba live."""

from archive.records import FACETS
from indexer.models import (
    FacetValue,
    Hit,
    IndexMissing,
    Passage,
    PlaceCount,
    QueryError,
    SearchRequest,
    SearchResult,
    Snippet,
    UpdateReport,
)
from indexer.query import MAX_QUERY_CHARS, MAX_TERMS
from indexer.searching import Index

__all__ = [
    "FACETS",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "FacetValue",
    "Hit",
    "Index",
    "IndexMissing",
    "Passage",
    "PlaceCount",
    "QueryError",
    "SearchRequest",
    "SearchResult",
    "Snippet",
    "UpdateReport",
]

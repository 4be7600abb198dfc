"""The search API's plain types: what the CLI and the web UI pass in and get back (no Whoosh, no jieba)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["exact", "words"]
Scope = Literal["all", "title"]
Sort = Literal["relevance", "year", "-year", "district"]
MODES: tuple[str, ...] = ("exact", "words")
SCOPES: tuple[str, ...] = ("all", "title")
SORTS: tuple[str, ...] = ("relevance", "year", "-year", "district")
TREND_KEYS: tuple[str, ...] = ("year", "province", "city", "district")  # what /trends counts by
LINE_SORTS: tuple[str, ...] = ("year", "place", "left", "right")  # concordance orders


class QueryError(ValueError):
    """A malformed query or parameter; its message is shown to the user as it is."""


@dataclass(frozen=True)
class SearchRequest:
    """One search: query text, how to match it, filters (OR within a facet, AND across), a page."""

    q: str = ""
    mode: Mode = "exact"
    scope: Scope = "all"
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # LIST_FACETS -> values
    years: tuple[tuple[int, int], ...] = ()  # inclusive ranges, OR'd: ((2020, 2020), (2025, 2025))
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20

    def selected(self, facet: str) -> tuple[str, ...]:
        """The values a text facet is filtered on (none: not filtered)."""
        return self.filters.get(facet, ())

    def year_selected(self, year: int) -> bool:
        """Whether the year filter takes this year (a ticked year, or one inside a ticked range)."""
        return any(low <= year <= high for low, high in self.years)


@dataclass(frozen=True)
class TrendsRequest:
    """Up to six searches that differ only in their query, counted per year or per place."""

    searches: tuple[SearchRequest, ...]
    by: str = "year"


@dataclass(frozen=True)
class ConcordanceRequest:
    """Every occurrence of an exact search as a line, `context` characters each side, one page."""

    search: SearchRequest
    sort: str = "year"
    context: int = 30
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class Snippet:
    """A keyword-in-context passage of the original text; marks are [start, end) offsets into it."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "marks": [list(m) for m in self.marks]}


def plain(value: Any) -> Any:
    """A field value as JSON has it: tuples as lists."""
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class RecordFields:
    """A record's indexed metadata (archive.records.HIT_KEYS), read as attributes: hit.district."""

    fields: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Hit(RecordFields):
    """One matching record on the requested page."""

    snippets: tuple[Snippet, ...] = ()
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **{key: plain(value) for key, value in self.fields.items()},
            "snippets": [s.to_json() for s in self.snippets],
        }


@dataclass(frozen=True)
class FacetValue:
    """A facet value with the number of matching records, counted with the other facets' filters."""

    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchResult:
    """The whole answer: total over all pages, this page's hits, facets over the whole result set."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "total": self.total,
            "hits": [h.to_json() for h in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count} for v in values]
                for name, values in self.facets.items()
            },
        }


@dataclass(frozen=True)
class Passage(RecordFields):
    """One matching paragraph of a record, for concordance exports; `paragraph` counts from 0;
    `categories` are the paragraph's own."""

    paragraph: int
    snippet: Snippet
    categories: tuple[str, ...] = ()


class IndexMissing(QueryError):
    """There is no index in the data dir yet; the message says how to build one."""


@dataclass(frozen=True)
class PlaceCount:
    """A place in the archive with its number of records and the years they report on."""

    province: str | None
    city: str | None
    district: str | None
    count: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class UpdateReport:
    """What an index update did, in records."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False

    def summary(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        return (
            f"index {how}: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )

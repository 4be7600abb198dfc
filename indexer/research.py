"""Research views over the search API: counts per year or place with the term's occurrences, and
every occurrence as a keyword-in-context line.

Counts come from the facet counts of `Index.search`, so a trend always agrees with /api/facets;
this module only adds what facets do not hold (occurrences, lines).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.records import PLACE_LEVELS
from indexer.highlight import Span, find_spans, paragraph_snippets, paragraphs
from indexer.kwic import Column, Occurrences, ranked
from indexer.models import ConcordanceRequest, RecordFields, SearchRequest, TrendsRequest, plain
from indexer.query import Query
from indexer.reading import Snapshot
from indexer.searching import (
    Index,
    allowed_paragraphs,
    match_spans,
    matching_docs,
    restricted,
    validate,
)
from indexer.units import count_marked
from indexer.within import Needles

Key = int | str | None  # a year, a place name, or None for records where it is unknown


@dataclass(frozen=True)
class Point:
    """One key of a trend: matching records, records under the same filters, occurrences."""

    key: Key
    hits: int
    total: int
    occurrences: int | None  # None: not counted (words mode or a title search)

    @property
    def share(self) -> float | None:
        """Hits per record of this key; None (a gap, not a zero) when the key has no records."""
        return self.hits / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "hits": self.hits,
            "total": self.total,
            "share": self.share,
            "occurrences": self.occurrences,
        }


@dataclass(frozen=True)
class Series:
    """One search's points, key by key, and its records whose key is unknown (counted apart)."""

    q: str
    request: SearchRequest
    points: tuple[Point, ...]
    unknown: Point

    def to_json(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "points": [p.to_json() for p in self.points],
            "unknown": self.unknown.to_json(),
        }


def unfiltered(request: SearchRequest, by: str) -> SearchRequest:
    """The request without its filter on `by`: facets count a key whatever that filter says."""
    if by == "year":
        return dataclasses.replace(request, years=(), page=1, per_page=1)
    filters = {name: values for name, values in request.filters.items() if name != by}
    return dataclasses.replace(request, filters=filters, page=1, per_page=1)


def _counts(index: Index, request: SearchRequest, by: str) -> tuple[dict[Key, int], int]:
    """Records per key (the facet counts of the result) and records whose key is unknown."""
    result = index.search(unfiltered(request, by))
    counts: dict[Key, int] = {
        (int(v.value) if by == "year" else v.value): v.count for v in result.facets[by]
    }
    return counts, result.total - sum(counts.values())


def _keys(request: SearchRequest, by: str, totals: dict[Key, int]) -> list[Key]:
    """The keys a trend shows: those with records (within a filter on `by`); years with none
    between them stay as gaps; places from the most records down."""
    if by == "year":
        years = [int(k) for k in totals if k is not None and totals[k]]
        known = [y for y in years if not request.years or request.year_selected(y)]
        span = range(min(known), max(known) + 1) if known else range(0)
        return [y for y in span if not request.years or request.year_selected(y)]
    wanted = set(request.selected(by))
    shown = [k for k in totals if totals[k] and (not wanted or k in wanted)]
    return sorted(shown, key=lambda k: (-totals[k], k))  # type: ignore[operator]


def trends(index: Index, request: TrendsRequest) -> list[Series]:
    """Each search's hits, the records under the same filters and occurrences, key by key."""
    by = request.by
    totals, unknown_total = _counts(index, dataclasses.replace(request.searches[0], q=""), by)
    keys = _keys(request.searches[0], by, totals)
    filtered = by in request.searches[0].filters or (by == "year" and request.searches[0].years)
    series = []
    for search in request.searches:
        hits, unknown_hits = _counts(index, search, by)
        found = occurrences_by(index, unfiltered(search, by), by)
        points = tuple(
            Point(k, hits.get(k, 0), totals.get(k, 0), _occurrences(found, k)) for k in keys
        )
        unknown = (
            Point(None, 0, 0, None if found is None else 0)
            if filtered
            else Point(None, unknown_hits, unknown_total, _occurrences(found, None))
        )
        series.append(Series(search.q, search, points, unknown))
    return series


def _occurrences(found: dict[Key, int] | None, key: Key) -> int | None:
    return None if found is None else found.get(key, 0)


def occurrences_by(index: Index, request: SearchRequest, by: str) -> dict[Key, int] | None:
    """How often the query's terms occur in the text of its matching records, summed per key
    (None: the key is unknown); overlapping occurrences count, as snippets mark them. Only exact
    full-text searches are counted (None otherwise)."""
    if request.mode != "exact" or request.scope != "all":
        return None
    parsed = validate(request)
    needles = Needles.of(parsed, request.mode, request.scope)
    with index._use() as snapshot:
        docs = matching_docs(snapshot, parsed, request)
        if restricted(needles, request):
            counts = np.array(
                [
                    count_marked(
                        snapshot.orig_text(d),
                        needles.plain,
                        needles.groups,
                        allowed_paragraphs(snapshot, d, request, needles),
                    )
                    for d in docs.tolist()
                ],
                np.int64,
            )
        else:
            counts = _occurrence_counts(snapshot, _needles(parsed), docs)
        if by == "year":
            ids, values = snapshot.year[docs], None
        else:
            vocabulary = snapshot.vocabularies[by]
            ids, values = vocabulary.ids[docs], vocabulary.values
    totals: dict[Key, int] = {}
    for value_id, count in zip(ids.tolist(), counts.tolist(), strict=True):
        key: Key = None if value_id < 0 else value_id if values is None else values[value_id]
        totals[key] = totals.get(key, 0) + count
    return totals


def _needles(parsed: Query) -> list[str]:
    """The normalised strings an exact full-text search marks."""
    return [t.norm for t in parsed.positive_terms if t.field != "title"]


Spans = Callable[[int, str], list[Span]]  # a document's marked spans, from its docnum and text


def _spans(snapshot: Snapshot, search: SearchRequest, parsed: Query) -> Spans | None:
    """Where a restricted search marks each document (as its snippets do); None: unrestricted."""
    needles = Needles.of(parsed, search.mode, search.scope)
    if not restricted(needles, search):
        return None
    return lambda d, text: match_spans(snapshot, d, search, needles, text)


def _occurrence_counts(snapshot: Snapshot, needles: list[str], docs: np.ndarray) -> np.ndarray:
    """Overlapping occurrences of the needles in each document's normalised text: a gram's
    posting frequency, or the text array's count (records whose folded text is longer or shorter
    counted again in their normalised text)."""
    counts = np.zeros(len(docs), np.int64)
    for needle in needles:
        if len(needle) <= 2:
            counts += snapshot.find(needle)[1][docs].astype(np.int64)
            continue
        found = snapshot.texts.counts(needle, docs)
        uneven = snapshot.texts.uneven[docs]
        found[uneven] = snapshot.occurrences(needle, docs[uneven])
        counts += found
    return counts


@dataclass(frozen=True)
class Line(RecordFields):
    """One occurrence: its left context, the match and its right context within its paragraph."""

    left: str
    match: str
    right: str
    paragraph: int  # the record's nth non-blank line, from 0
    start: int  # the match's offset in that paragraph

    def to_json(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "match": self.match,
            "right": self.right,
            **{key: plain(value) for key, value in self.fields.items()},
            "paragraph": self.paragraph + 1,
        }


def _unknown_last(value: Any) -> tuple[bool, Any]:
    return value is None, value if value is not None else ""


def _place(line: Line) -> tuple[tuple[bool, Any], ...]:
    return tuple(_unknown_last(line.fields[level]) for level in PLACE_LEVELS)


def _where(line: Line) -> tuple[str, int, int]:
    return line.fields["id"], line.paragraph, line.start  # not line.id: __getattr__ is slow


LINE_ORDER: dict[str, Callable[[Line], tuple[Any, ...]]] = {
    "year": lambda line: (_unknown_last(line.fields["year"]), _place(line), _where(line)),
    "place": lambda line: (_place(line), _unknown_last(line.fields["year"]), _where(line)),
    # Left context read from the match outwards, as concordancers sort it.
    "left": lambda line: (line.left[::-1], line.match, line.right, _where(line)),
    "right": lambda line: (line.right, line.match, line.left[::-1], _where(line)),
}


@dataclass(frozen=True)
class Concordance:
    """One page of a concordance and its totals."""

    occurrences: int
    records: int  # records holding at least one line (a title-only match holds none)
    lines: list[Line]


def concordance(index: Index, request: ConcordanceRequest) -> Concordance:
    """One page of lines. In year or place order, a single term of one or two characters that
    cannot overlap itself is counted in the index and only the page's records are read;
    otherwise every occurrence is found in the snapshot's text array and only the page's lines
    are made. A 同段/同句 group or a category ticked under the query reads every matching record
    for the lines its snippets mark (only inside the qualifying sentences or paragraphs)."""
    search = request.search
    parsed = validate(search)
    needles = _needles(parsed)
    start = (request.page - 1) * request.per_page
    with index._use() as snapshot:
        docs = matching_docs(snapshot, parsed, search)
        spans = _spans(snapshot, search, parsed)
        if spans is None and request.sort in RECORD_ORDERS and _countable(needles):
            return _counted_page(snapshot, docs, needles, request, start)
        if spans is not None or not _plain(needles):
            found_lines = _lines(snapshot, docs, spans or _anywhere(needles), request.context)
            lines = _sorted(found_lines, request.sort)
            shown = lines[start : start + request.per_page]
            return Concordance(len(lines), len({line.fields["id"] for line in lines}), shown)
        found = _found(snapshot, docs, needles)
        shown = _ranked_lines(snapshot, found, request, start, start + request.per_page)
        return Concordance(len(found), found.records(), shown)


def _counted_page(
    snapshot: Snapshot,
    docs: np.ndarray,
    needles: list[str],
    request: ConcordanceRequest,
    start: int,
) -> Concordance:
    """A page in record order from the index's occurrence counts, reading only its records (and
    counting the lines of records whose folded text is longer or shorter, as occurrences inside
    one character are one line: "." three times in "…")."""
    counts = _occurrence_counts(snapshot, needles, docs)
    for i in np.flatnonzero(snapshot.texts.uneven[docs] & (counts > 0)).tolist():
        counts[i] = len(_lines(snapshot, [docs[i]], _anywhere(needles), 0))
    docs, counts = docs[counts > 0], counts[counts > 0]
    order = np.lexsort(RECORD_ORDERS[request.sort](snapshot, docs))
    docs, ends = docs[order], np.cumsum(counts[order])
    first = int(np.searchsorted(ends, start, side="right"))
    skip = start - (int(ends[first - 1]) if first else 0)
    shown = []
    for d in docs[first:].tolist():
        shown += _lines(snapshot, [d], _anywhere(needles), request.context)
        if len(shown) >= skip + request.per_page:
            break
    total = int(ends[-1]) if len(ends) else 0
    return Concordance(total, len(docs), shown[skip : skip + request.per_page])


def all_lines(index: Index, request: ConcordanceRequest) -> list[Line]:
    """Every line of a concordance, in its order (for exports)."""
    parsed = validate(request.search)
    needles = _needles(parsed)
    with index._use() as snapshot:
        docs = matching_docs(snapshot, parsed, request.search)
        spans = _spans(snapshot, request.search, parsed)
        if spans is not None or not _plain(needles):
            found_lines = _lines(snapshot, docs, spans or _anywhere(needles), request.context)
            return _sorted(found_lines, request.sort)
        found = _found(snapshot, docs, needles)
        return _ranked_lines(snapshot, found, request, 0, len(found))


def _plain(needles: list[str]) -> bool:
    """Needles the text array finds (every line's match then lies inside a non-blank paragraph)."""
    return all(needle and not any(c.isspace() for c in needle) for needle in needles)


def _found(snapshot: Snapshot, docs: np.ndarray, needles: list[str]) -> Occurrences:
    wanted = np.zeros(snapshot.size, bool)
    wanted[docs] = True
    return snapshot.texts.occurrences(wanted, needles)


def _ranked_lines(
    snapshot: Snapshot, found: Occurrences, request: ConcordanceRequest, low: int, high: int
) -> list[Line]:
    """The found lines ranked low..high-1 in the request's order."""
    at = ranked(_line_keys(snapshot, found, request), len(found), low, high)
    return _made(snapshot, found, at, request.context)


def _made(snapshot: Snapshot, found: Occurrences, at: np.ndarray, context: int) -> list[Line]:
    """These found lines as `_lines` makes them, from each record's text read once (no folding)."""
    texts = found.texts
    ordered = np.sort(at)
    made: dict[int, Line] = {}
    current = -1
    for i, d, start, end in zip(
        ordered.tolist(),
        found.doc[ordered].tolist(),
        found.start[ordered].tolist(),
        found.end[ordered].tolist(),
        strict=True,
    ):
        if d != current:
            current, base, text = d, int(texts.starts[d]), texts.text(d)
            spans = list(paragraphs(text))
            firsts = [first for _, first, _ in spans]
            fields = snapshot.meta[d].fields
        start, end = start - base, end - base
        number, first, last = spans[bisect.bisect_right(firsts, start) - 1]
        made[i] = Line(
            fields,
            left=text[max(first, start - context) : start],
            match=text[start:end],
            right=text[end : min(last, end + context)],
            paragraph=number,
            start=start - first,
        )
    return [made[i] for i in at.tolist()]


def _line_keys(snapshot: Snapshot, found: Occurrences, request: ConcordanceRequest) -> list[Column]:
    """LINE_ORDER as sort keys over the found lines (a line's place in its record: its position)."""
    where: list[Column] = [
        lambda at: snapshot.id_rank[found.doc[at]],
        lambda at: found.start[at],
    ]
    context = request.context
    if request.sort == "left":
        return [*found.left(context), *found.match(), *found.right(context), *where]
    if request.sort == "right":
        return [*found.right(context), *found.match(), *found.left(context), *where]
    record = RECORD_ORDERS[request.sort](snapshot, found.doc)[::-1]  # primary first
    return [*(lambda at, key=key: key[at] for key in record), lambda at: found.start[at]]


def _countable(needles: list[str]) -> bool:
    """One needle of one or two characters (its gram's posting frequency counts it) that cannot
    overlap itself and lies in a paragraph: then that count is its number of lines (in even
    texts). Longer needles are found faster in the text array than counted record by record."""
    if len(needles) != 1 or not _plain(needles) or len(needles[0]) > 2:
        return False
    return needles[0][0] != needles[0][-1] or len(needles[0]) == 1


def _known_first(ids: np.ndarray) -> np.ndarray:
    """Value ids (sorted like the values) with unknown (-1) after every known one."""
    return np.where(ids < 0, np.iinfo(np.int64).max, ids.astype(np.int64))


def _place_keys(snapshot: Snapshot, docs: np.ndarray) -> list[np.ndarray]:
    """lexsort keys (last = primary) of province, then city, then district."""
    return [
        _known_first(snapshot.vocabularies[level].ids[docs]) for level in reversed(PLACE_LEVELS)
    ]


# The record orders of LINE_ORDER's year and place sorts, as np.lexsort keys (last = primary).
RECORD_ORDERS: dict[str, Callable[[Snapshot, np.ndarray], list[np.ndarray]]] = {
    "year": lambda snapshot, docs: [
        snapshot.id_rank[docs],
        *_place_keys(snapshot, docs),
        _known_first(snapshot.year[docs]),
    ],
    "place": lambda snapshot, docs: [
        snapshot.id_rank[docs],
        _known_first(snapshot.year[docs]),
        *_place_keys(snapshot, docs),
    ],
}


def _sorted(lines: Iterable[Line], sort: str) -> list[Line]:
    return sorted(lines, key=LINE_ORDER[sort])


def _anywhere(needles: list[str]) -> Spans:
    return lambda d, text: find_spans(text, needles)


def _lines(snapshot: Snapshot, docs: Iterable[int], spans: Spans, context: int) -> list[Line]:
    """The lines of these documents, each in text order."""
    lines = []
    for d in np.asarray(docs).tolist():
        text = snapshot.orig_text(d)
        fields = snapshot.meta[d].fields
        for number, snippet in paragraph_snippets(text, spans(d, text)):
            for start, end in snippet.marks:
                lines.append(
                    Line(
                        fields,
                        left=snippet.text[max(0, start - context) : start],
                        match=snippet.text[start:end],
                        right=snippet.text[end : end + context],
                        paragraph=number,
                        start=start,
                    )
                )
    return lines

"""The public search API: one `Index` per process, always reading the newest committed index."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from archive import Archive
from indexer import whoosh_store, writing
from indexer.facets import apply_filters, category_columns, facet_counts, filter_masks
from indexer.highlight import paragraph_snippets, paragraphs, snippets
from indexer.matching import Ranking, evaluate
from indexer.models import (
    Hit,
    IndexMissing,
    Passage,
    PlaceCount,
    QueryError,
    SearchRequest,
    SearchResult,
    UpdateReport,
)
from indexer.params import check
from indexer.query import Query, parse
from indexer.reading import LAST, Snapshot
from indexer.similar import similar as more_like
from indexer.units import marks
from indexer.within import Needles, matched_categories


def validate(request: SearchRequest) -> Query:
    """Check the request's parameters and parse its query; QueryError says what is wrong."""
    check(request)
    parsed = parse(request.q)
    if parsed.groups and request.scope == "title":
        raise QueryError("同段/同句只在全文中检索，不能只查标题 (para:/sent: search the text)")
    return parsed


def _filters(
    snapshot: Snapshot,
    match: np.ndarray,
    request: SearchRequest,
    needles: Needles,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The filter masks, and the per-document categories the category facet counts. With a category
    ticked under a query with matches in the text, a record has a category when a paragraph of it
    holds a match, for the filter and the counts alike; otherwise the record's categories count
    (finding the paragraphs of every match costs a scan of the matching texts)."""
    masks = filter_masks(snapshot, request)
    if not needles or "category" not in masks:
        return masks, snapshot.category_matrix
    base = apply_filters(match, masks, skip="category")
    categories = matched_categories(snapshot, base, needles)
    masks["category"] = categories[:, category_columns(snapshot, request)].any(axis=1)
    return masks, categories


def _final(snapshot: Snapshot, parsed: Query, request: SearchRequest) -> tuple[Ranking, np.ndarray]:
    """The ranking and the mask of the records a search returns, its filters applied."""
    ranking = evaluate(snapshot, parsed, request.mode, request.scope == "title")
    needles = Needles.of(parsed, request.mode, request.scope)
    masks, _ = _filters(snapshot, ranking.match, request, needles)
    return ranking, apply_filters(ranking.match, masks)


def matching_docs(snapshot: Snapshot, parsed: Query, request: SearchRequest) -> np.ndarray:
    """Docnums of the records a search returns (for views that count or list them otherwise)."""
    return np.flatnonzero(_final(snapshot, parsed, request)[1])


def restricted(needles: Needles, request: SearchRequest) -> bool:
    """Matches count only inside some paragraphs or sentences: a 同段/同句 group, or a category
    ticked under a query (only its paragraphs)."""
    return bool(needles.groups) or (bool(needles) and bool(request.selected("category")))


def match_spans(
    snapshot: Snapshot, docnum: int, request: SearchRequest, needles: Needles, text: str
) -> list[tuple[int, int]]:
    """Where a search marks a document's original text: a group's needles only inside the units
    holding them all, and with a ticked category only inside its paragraphs."""
    return marks(
        text, needles.plain, needles.groups, allowed_paragraphs(snapshot, docnum, request, needles)
    )


def allowed_paragraphs(
    snapshot: Snapshot, docnum: int, request: SearchRequest, needles: Needles
) -> Callable[[int], bool] | None:
    """With a ticked category under a query: whether a paragraph (by number) of the document is
    of it, by its own categories or the record's extra ones (which hold for every paragraph)."""
    if not needles or not request.selected("category"):
        return None
    columns = category_columns(snapshot, request)
    segment, local = snapshot.locate(docnum)
    extra = snapshot.paragraph_bits(snapshot.bases[snapshot.segments.index(segment)]).extra[local]
    if any(extra >> c & 1 for c in columns):
        return lambda n: True
    rows = snapshot.paragraph_rows(docnum)[:, columns].any(axis=1)
    return lambda n: bool(rows[n])


class Index:
    """Search API over DATA_DIR/index; thread-safe, and picks up a newer index on the next call."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    @classmethod
    def open(cls, data_dir: Path) -> Index:
        """Open the index of a data dir; IndexMissing when it has none yet."""
        index = cls(data_dir)
        with index._use():
            return index

    @contextmanager
    def _use(self) -> Iterator[Snapshot]:
        """The newest committed generation, kept open while the caller uses it."""
        snapshot = self._current()
        try:
            yield snapshot
        finally:
            snapshot.release()

    def _current(self) -> Snapshot:
        """Acquire the snapshot of the newest generation: a directory listing per call, a reopen
        when the build or its generation number changed."""
        for attempt in range(3):
            build = writing.live_dir(self.data_dir)
            pointer = writing.index_root(self.data_dir) / writing.CURRENT
            if build is None and attempt < 2 and pointer.exists():
                continue  # CURRENT named a build that a rebuild has just replaced and removed
            if build is None:
                raise IndexMissing(
                    f"{self.data_dir}: 还没有索引，请先运行 congress-archive index (no index yet)"
                )
            try:
                with self._lock:
                    return self._refresh(build).acquire()
            except FileNotFoundError:  # a rebuild or a newer commit removed what we listed
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _refresh(self, build: Path) -> Snapshot:
        number = whoosh_store.latest_generation(build)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.build == build and snapshot.generation == number:
            return snapshot
        if writing.build_format(build) != writing.FORMAT:
            raise IndexMissing(
                f"{self.data_dir}: 索引来自旧版本，请运行 congress-archive index "
                "(the index was built by an older version)"
            )
        fresh = Snapshot(build, whoosh_store.read_generation(build, number))
        if snapshot is not None:
            snapshot.retire()  # closed once the requests still using it are done
        self._snapshot = fresh
        return fresh

    def update(self, archive: Archive, progress: writing.Progress | None = None) -> UpdateReport:
        """Index added and changed records, drop removed ones (builds the index if there is none)."""
        return writing.update(self.data_dir, archive, progress)

    def rebuild(self, archive: Archive, progress: writing.Progress | None = None) -> UpdateReport:
        """Build a fresh index beside the live one and swap it in atomically."""
        return writing.rebuild(self.data_dir, archive, progress)

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits with snippets, the total, and facets over the whole result set."""
        parsed = validate(request)
        needles = Needles.of(parsed, request.mode, request.scope)
        with self._use() as snapshot:
            ranking = evaluate(snapshot, parsed, request.mode, request.scope == "title")
            masks, categories = _filters(snapshot, ranking.match, request, needles)
            final = apply_filters(ranking.match, masks)
            end = request.page * request.per_page
            order = _order(snapshot, final, ranking, request, end)
            hits = tuple(
                _hit(snapshot, d, float(ranking.score[d]), needles, request)
                for d in order[end - request.per_page : end].tolist()
            )
            facets = facet_counts(snapshot, ranking.match, masks, request, categories)
        return SearchResult(request, int(final.sum()), hits, facets)

    def _ranked(self, snapshot: Snapshot, request: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
        """Every matching docnum in the requested order, and the scores."""
        ranking, final = _final(snapshot, validate(request), request)
        return _order(snapshot, final, ranking, request, None), ranking.score

    def matches(self, request: SearchRequest) -> Iterator[Hit]:
        """Every matching record in the requested order (no page limit, no snippets)."""
        validate(request)
        with self._use() as snapshot:
            order, score = self._ranked(snapshot, request)
            for d in order.tolist():
                yield _hit(snapshot, d, float(score[d]))

    def passages(self, request: SearchRequest) -> Iterator[Passage]:
        """Every matching paragraph of every matching record, in the requested record order, with
        the paragraph's own categories."""
        parsed = validate(request)
        needles = Needles.of(parsed, request.mode, request.scope)
        with self._use() as snapshot:
            order, _ = self._ranked(snapshot, request)
            for d in order.tolist():
                fields = snapshot.meta[d].fields
                text = snapshot.orig_text(d)
                rows = snapshot.paragraph_rows(d)
                spans = match_spans(snapshot, d, request, needles, text)
                order_of = snapshot.locate(d)[0].units.names  # the taxonomy's order
                for number, snippet in paragraph_snippets(text, spans):
                    held = {snapshot.category_values[c] for c in np.flatnonzero(rows[number])}
                    yield Passage(fields, number, snippet, tuple(c for c in order_of if c in held))

    def similar(self, record_id: str, limit: int = 5) -> list[Hit]:
        """Records that share the most distinctive words with this one (more-like-this)."""
        with self._use() as snapshot:
            docnum = snapshot.docnum_of.get(record_id)
            if docnum is None:
                return []
            top = more_like(snapshot, docnum, limit)
            return [_hit(snapshot, d, s) for s, d in top]

    def text(self, record_id: str) -> str | None:
        """A record's text as indexed (what searches saw); None when the index does not hold it."""
        with self._use() as snapshot:
            docnum = snapshot.docnum_of.get(record_id)
            return None if docnum is None else snapshot.orig_text(docnum)

    def preload(self) -> None:
        """Load what the newest generation's first searches would fault in (Snapshot.preload)."""
        with self._use() as snapshot:
            snapshot.preload()

    def places(self) -> list[PlaceCount]:
        """Every (province, city, district) in the index with its record count and years."""
        with self._use() as snapshot:
            return list(snapshot.place_counts)

    def highlight(self, text: str, request: SearchRequest) -> list[tuple[int, int]]:
        """Spans of the query's matches in an original text, for highlighting a whole record (a
        group's terms inside the paragraphs or sentences that hold them all)."""
        needles = Needles.of(validate(request), request.mode, request.scope)
        return marks(text, needles.plain, needles.groups)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the open generation (a request still using it finishes first)."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.retire()
            self._snapshot = None


def _order(
    snapshot: Snapshot,
    final: np.ndarray,
    ranking: Ranking,
    request: SearchRequest,
    need: int | None,
) -> np.ndarray:
    """Docnums of the final set in the requested order (`_sort_keys`): all of them (need None),
    or those that can be among the first `need`, which are in their exact order.

    Documents are ranked on upper-bound scores, the first `wanted` get their real scores, and
    that repeats with `wanted` doubled until the first `need` are all settled; an upper bound
    never ranks a document too low, so no document further down can belong among them. Doubling
    keeps the rounds (each a pass over every match) few when many bounds are loose. Only the
    documents whose primary key reaches the `wanted`-th best are sorted (ties included).
    """
    docs = np.flatnonzero(final)
    if need is None:
        ranking.settle(snapshot, docs)
        return docs[np.lexsort(_sort_keys(snapshot, docs, ranking.score, request))]
    wanted = need
    while True:
        keys = _sort_keys(snapshot, docs, ranking.score, request)
        if wanted < len(docs):
            keep = keys[-1] <= np.partition(keys[-1], wanted - 1)[wanted - 1]
            keys = tuple(k[keep] for k in keys)
            order = docs[keep][np.lexsort(keys)]
        else:
            order = docs[np.lexsort(keys)]
        if ranking.settled[order[:need]].all():
            return order
        ranking.settle(snapshot, order[:wanted])
        wanted *= 2


def _sort_keys(
    snapshot: Snapshot, docs: np.ndarray, score: np.ndarray, request: SearchRequest
) -> tuple[np.ndarray, ...]:
    """np.lexsort keys (last = primary) of the requested order."""
    ids, newest = snapshot.newest_then_id(docs)
    if request.sort == "relevance":
        return ids, newest, -score[docs]
    if request.sort == "year":
        year = snapshot.year[docs].astype(np.int64)
        return ids, -score[docs], np.where(year < 0, LAST, year)
    if request.sort == "-year":
        return ids, -score[docs], newest
    district = snapshot.vocabularies["district"].ids[docs].astype(np.int64)
    return ids, newest, np.where(district < 0, LAST, district)


def _hit(
    snapshot: Snapshot,
    docnum: int,
    score: float,
    needles: Needles | None = None,
    request: SearchRequest | None = None,
) -> Hit:
    """A hit; with the search's needles and request, its snippets too."""
    shown = ()
    if needles is not None and request is not None:
        text = snapshot.orig_text(docnum)
        spans = match_spans(snapshot, docnum, request, needles, text)
        tied = restricted(needles, request)  # windows stay in their paragraph
        within = [(start, end) for _, start, end in paragraphs(text)] if tied else []
        shown = snippets(text, spans, within)
    return Hit(snapshot.meta[docnum].fields, snippets=shown, score=score)

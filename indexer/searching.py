"""The public search API: one `Index` per process, always reading the newest committed index."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from archive import Archive
from indexer import whoosh_store, writing
from indexer.analysis import words
from indexer.facets import apply_filters, facet_counts, filter_masks
from indexer.highlight import find_spans, paragraph_snippets, snippets
from indexer.matching import Ranking, evaluate
from indexer.models import (
    Hit,
    IndexMissing,
    Passage,
    PlaceCount,
    SearchRequest,
    SearchResult,
    UpdateReport,
)
from indexer.params import check
from indexer.query import Query, parse
from indexer.reading import LAST, Snapshot
from indexer.similar import similar as more_like


def validate(request: SearchRequest) -> Query:
    """Check the request's parameters and parse its query; QueryError says what is wrong."""
    check(request)
    return parse(request.q)


def _needles(parsed: Query, request: SearchRequest) -> list[str]:
    """The normalised strings a snippet marks: exact terms, or the words of `words` mode terms."""
    if request.scope == "title":
        return []
    terms = [t.norm for t in parsed.positive_terms if t.field != "title"]
    if request.mode == "exact":
        return terms
    return [w for term in terms for w, _, _ in words(term)]


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
        with self._use() as snapshot:
            ranking = evaluate(snapshot, parsed, request.mode, request.scope == "title")
            masks = filter_masks(snapshot, request)
            final = apply_filters(ranking.match, masks)
            end = request.page * request.per_page
            order = _order(snapshot, final, ranking, request, end)
            needles = _needles(parsed, request)
            hits = tuple(
                _hit(snapshot, d, float(ranking.score[d]), needles, with_snippets=True)
                for d in order[end - request.per_page : end].tolist()
            )
            facets = facet_counts(snapshot, ranking.match, masks, request)
        return SearchResult(request, int(final.sum()), hits, facets)

    def _ranked(self, snapshot: Snapshot, request: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
        """Every matching docnum in the requested order, and the scores."""
        ranking = evaluate(snapshot, validate(request), request.mode, request.scope == "title")
        final = apply_filters(ranking.match, filter_masks(snapshot, request))
        return _order(snapshot, final, ranking, request, None), ranking.score

    def matches(self, request: SearchRequest) -> Iterator[Hit]:
        """Every matching record in the requested order (no page limit, no snippets)."""
        validate(request)
        with self._use() as snapshot:
            order, score = self._ranked(snapshot, request)
            for d in order.tolist():
                yield _hit(snapshot, d, float(score[d]), [], with_snippets=False)

    def passages(self, request: SearchRequest) -> Iterator[Passage]:
        """Every matching paragraph of every matching record, in the requested record order."""
        needles = _needles(validate(request), request)
        with self._use() as snapshot:
            order, _ = self._ranked(snapshot, request)
            for d in order.tolist():
                fields = snapshot.meta[d].fields
                text = snapshot.orig_text(d)
                for number, snippet in paragraph_snippets(text, find_spans(text, needles)):
                    yield Passage(fields, number, snippet)

    def similar(self, record_id: str, limit: int = 5) -> list[Hit]:
        """Records that share the most distinctive words with this one (more-like-this)."""
        with self._use() as snapshot:
            docnum = snapshot.docnum_of.get(record_id)
            if docnum is None:
                return []
            top = more_like(snapshot, docnum, limit)
            return [_hit(snapshot, d, s, [], with_snippets=False) for s, d in top]

    def places(self) -> list[PlaceCount]:
        """Every (province, city, district) in the index with its record count and years."""
        with self._use() as snapshot:
            return list(snapshot.place_counts)

    def highlight(self, text: str, request: SearchRequest) -> list[tuple[int, int]]:
        """Spans of the query's matches in an original text, for highlighting a whole record."""
        return find_spans(text, _needles(validate(request), request))

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

    Documents are ranked on upper-bound scores, the unsettled ones among the first `need` get
    their real scores, and that repeats until the first `need` are all settled; an upper bound
    never ranks a document too low, so no document further down can belong among them. Only the
    documents whose primary key reaches the `need`-th best are sorted (ties included).
    """
    docs = np.flatnonzero(final)
    if need is None:
        ranking.settle(snapshot, docs)
    while True:
        keys = _sort_keys(snapshot, docs, ranking.score, request)
        if need is not None and need < len(docs):
            keep = keys[-1] <= np.partition(keys[-1], need - 1)[need - 1]
            keys = tuple(k[keep] for k in keys)
            order = docs[keep][np.lexsort(keys)]
        else:
            order = docs[np.lexsort(keys)]
        head = order[:need]
        if ranking.settled[head].all():
            return order
        ranking.settle(snapshot, order[: 2 * len(head)])


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
    snapshot: Snapshot, docnum: int, score: float, needles: list[str], with_snippets: bool
) -> Hit:
    shown = ()
    if with_snippets:
        text = snapshot.orig_text(docnum)
        shown = snippets(text, find_spans(text, needles))
    return Hit(snapshot.meta[docnum].fields, snippets=shown, score=score)

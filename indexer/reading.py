"""One generation of the index, opened once and shared by every request until a newer one exists.

A snapshot holds the Whoosh reader (segments, deletions, schema), each segment's exact-match and
word data, and per-document arrays (live flag, facet value ids, year, length, sort keys)
built once per generation so filters, facets and sorting are numpy operations over docnums.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from archive.records import FACET_FIELD, TEXT_FACETS
from indexer.ngrams import DocMeta, SegmentData


@dataclass(frozen=True)
class Vocabulary:
    """Distinct values of one facet, sorted, and each document's value id (-1 when unknown)."""

    values: tuple[str, ...]
    ids: np.ndarray

    @classmethod
    def build(cls, column: list[str | None]) -> Vocabulary:
        values = tuple(sorted({v for v in column if v is not None}))
        index = {v: i for i, v in enumerate(values)}
        ids = np.array([index.get(v, -1) if v is not None else -1 for v in column], np.int32)
        return cls(values, ids)


class Snapshot:
    """Everything a search needs from one committed generation of one build directory."""

    def __init__(self, build: Path) -> None:
        self.build = build
        ix = whoosh_index.open_dir(str(build))
        toc = ix._read_toc()
        self.generation: int = toc.generation
        self.reader = ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
        self._users_lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.segments: list[SegmentData] = []
        self.bases: list[int] = []
        live: list[np.ndarray] = []
        self.meta: list[DocMeta] = []
        for segment in toc.segments:
            data = SegmentData(build, segment.segment_id())
            self.bases.append(len(self.meta))
            self.segments.append(data)
            alive = np.ones(len(data.meta), bool)
            alive[list(segment.deleted_docs())] = False
            live.append(alive)
            self.meta.extend(data.meta)
        self.size = len(self.meta)
        self.live = np.concatenate(live) if live else np.zeros(0, bool)
        self.count = int(self.live.sum())
        meta = self.meta
        self.vocabularies = {
            name: Vocabulary.build([m.fields[FACET_FIELD[name]] for m in meta])
            for name in TEXT_FACETS
        }
        cats = tuple(sorted({c for m in meta for c in m.fields["categories"]}))
        cat_index = {c: i for i, c in enumerate(cats)}
        self.category_matrix = np.zeros((self.size, len(cats)), bool)
        for d, m in enumerate(meta):
            for c in m.fields["categories"]:
                self.category_matrix[d, cat_index[c]] = True
        self.category_values = cats
        years = [m.fields["year"] for m in meta]
        self.year = np.array([-1 if y is None else y for y in years], np.int32)
        self.length = np.array([m.length for m in meta], np.float64)
        live_lengths = self.length[self.live]
        self.avg_length = float(live_lengths.mean()) if len(live_lengths) else 1.0
        ranks = np.argsort(np.array([m.id for m in meta], dtype=object), kind="stable")
        self.id_rank = np.empty(self.size, np.int64)
        self.id_rank[ranks] = np.arange(self.size)
        titles = [m.norm_title.replace("\n", " ") for m in meta]
        self._titles = "\n".join(titles)  # a term holding no newline never spans two titles
        self._title_starts = np.cumsum([0, *(len(t) + 1 for t in titles[:-1])]) if titles else []
        self.docnum_of = {m.id: d for d, m in enumerate(meta) if self.live[d]}
        self.word_stats: Any = None  # per word field, built by indexer.wordstats on first use

    def locate(self, docnum: int) -> tuple[SegmentData, int]:
        """The segment holding a global docnum and the docnum inside it."""
        i = int(np.searchsorted(self.bases, docnum, side="right")) - 1
        return self.segments[i], docnum - self.bases[i]

    def orig_text(self, docnum: int) -> str:
        data, local = self.locate(docnum)
        return data.orig_text(local)

    def find(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """Live docnums whose normalised text contains `norm`, and occurrence counts (dense)."""
        tf = np.zeros(self.size, np.float64)
        for base, data in zip(self.bases, self.segments, strict=True):
            docs, counts = data.find(norm)
            tf[docs + base] = counts
        tf[~self.live] = 0
        return tf > 0, tf

    def occurrences(self, norm: str, docs: np.ndarray) -> np.ndarray:
        """Occurrences of `norm` in the normalised text of each of these docnums."""
        counts = np.zeros(len(docs), np.float64)
        segment = np.searchsorted(self.bases, docs, side="right") - 1
        for i in np.unique(segment).tolist():
            at = np.flatnonzero(segment == i)
            local = (docs[at] - self.bases[i]).tolist()
            counts[at] = self.segments[i].occurrences(norm, local)
        return counts

    def find_title(self, norm: str) -> np.ndarray:
        """Live documents whose normalised title contains `norm` (one C-speed scan of all titles)."""
        mask = np.zeros(self.size, bool)
        if "\n" not in norm:
            at = [m.start() for m in re.finditer(f"(?={re.escape(norm)})", self._titles)]
            mask[np.searchsorted(self._title_starts, at, side="right") - 1] = True
        return mask & self.live

    def acquire(self) -> Snapshot:
        with self._users_lock:
            self._users += 1
        return self

    def release(self) -> None:
        with self._users_lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self.close()

    def retire(self) -> None:
        """A newer snapshot replaced this one: close it as soon as no request is using it."""
        with self._users_lock:
            self._retired = True
            close = self._users == 0
        if close:
            self.close()

    def close(self) -> None:
        self.reader.close()
        for data in self.segments:
            data.close()

"""One generation of the index, opened once and shared by every request until a newer one exists.

A snapshot holds each segment's files (all opened at once), the live flags from Whoosh's
deletions, per-document arrays (facet value ids, year, length, sort keys) and per-generation
aggregates (place counts, word statistics), each built once per generation, so filters, facets
and sorting are numpy operations over docnums.
"""

from __future__ import annotations

import itertools
import mmap
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archive.records import FACET_FIELD, PLACE_LEVELS, TEXT_FACETS
from indexer.kwic import Texts
from indexer.models import PlaceCount
from indexer.segment_files import DocMeta, SegmentData
from indexer.whoosh_store import Generation

if TYPE_CHECKING:
    from indexer.bm25 import FieldStats

LAST = np.iinfo(np.int64).max  # sort key of an unknown year or district: after every known one


def _place_key(place: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in place)


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


@dataclass(frozen=True)
class ParagraphBits:
    """One segment's paragraph categories as ints with a bit per category column: each
    paragraph's, each document's first paragraph (and one past its last), the categories of all
    of a document's paragraphs, and its `extra` ones: categories the record states that none of
    its paragraphs has (set by its source or corrected by hand), which hold for every paragraph."""

    bits: list[int]
    first: list[int]
    union: list[int]
    extra: list[int]

    @classmethod
    def build(cls, bits: list[int], first: list[int], records: list[int]) -> ParagraphBits:
        union = []
        for d in range(len(records)):
            found = 0
            for b in bits[first[d] : first[d + 1]]:
                found |= b
            union.append(found)
        extra = [r & ~u for r, u in zip(records, union, strict=True)]
        return cls(bits, first, union, extra)


def _as_bits(matrix: np.ndarray) -> list[int]:
    """Each row of a bool matrix as an int with a bit per column (bit c = column c)."""
    packed = np.packbits(matrix, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


class Titles:
    """Every document's normalised title, searched with numpy's string find (C speed, no object
    per match): titles in fixed-width arrays, one per power-of-two width so a long title costs
    only its own bucket."""

    def __init__(self, titles: list[str]) -> None:
        self.size = len(titles)
        self.titles = titles
        widths = np.array([max(1, len(t)) for t in titles], np.int64)
        bucket = np.ceil(np.log2(widths)).astype(np.int64) if len(titles) else widths
        self.buckets = [
            (docs, np.array([titles[d] for d in docs.tolist()], f"<U{1 << int(b)}"))
            for b in np.unique(bucket).tolist()
            for docs in (np.flatnonzero(bucket == b),)
        ]

    def find(self, norm: str) -> np.ndarray:
        """Per docnum: the title contains `norm`."""
        if "\0" in norm:  # numpy's strings drop trailing NULs: ask Python
            return np.fromiter((norm in t for t in self.titles), bool, count=self.size)
        mask = np.zeros(self.size, bool)
        for docs, texts in self.buckets:
            mask[docs] = np.strings.find(texts, norm) >= 0
        return mask


class Snapshot:
    """Everything a search needs from one committed generation of one build directory; every file
    is opened here, so a later commit that removes a segment cannot break a search using this."""

    def __init__(self, build: Path, generation: Generation) -> None:
        self.build = build
        self.generation = generation.number
        self._users_lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.segments: list[SegmentData] = []
        try:
            for segment in generation.segments:
                self.segments.append(SegmentData(build, segment.id))
        except BaseException:
            self.close()
            raise
        sizes = [s.size for s in generation.segments]
        self.bases: list[int] = list(itertools.accumulate(sizes, initial=0))[:-1]
        self.meta: list[DocMeta] = [m for data in self.segments for m in data.meta]
        self.size = len(self.meta)
        self.live = np.ones(self.size, bool)
        for base, segment in zip(self.bases, generation.segments, strict=True):
            self.live[[base + d for d in segment.deleted]] = False
        self.count = int(self.live.sum())
        meta = self.meta
        self.vocabularies = {
            name: Vocabulary.build([m.fields[FACET_FIELD[name]] for m in meta])
            for name in TEXT_FACETS
        }
        cats = tuple(
            sorted(
                {c for m in meta for c in m.fields["categories"]}
                | {c for data in self.segments for c in data.units.names}
            )
        )
        cat_index = {c: i for i, c in enumerate(cats)}
        self.category_matrix = np.zeros((self.size, len(cats)), bool, order="F")  # see facets
        for d, m in enumerate(meta):
            for c in m.fields["categories"]:
                self.category_matrix[d, cat_index[c]] = True
        self.category_values = cats
        self.paragraph_categories = [  # per segment: paragraph x category_values
            data.units.categories(
                np.array([cat_index[c] for c in data.units.names], int), len(cats)
            )
            for data in self.segments
        ]
        years = [m.fields["year"] for m in meta]
        self.year = np.array([-1 if y is None else y for y in years], np.int32)
        known = self.year >= 0
        self.year_values, ids = np.unique(self.year[known], return_inverse=True)
        self.year_ids = np.full(self.size, -1, np.int32)  # index into year_values, -1: unknown
        self.year_ids[known] = ids
        self.length = np.array([m.length for m in meta], np.float64)
        total = int(self.length[self.live].sum())  # whole numbers: exact in any order
        self.avg_length = (total / self.count if self.count else 0.0) or 1.0  # live documents
        ranks = np.argsort(np.array([m.id for m in meta], dtype=object), kind="stable")
        self.id_rank = np.empty(self.size, np.int64)
        self.id_rank[ranks] = np.arange(self.size)
        self._titles = Titles([m.norm_title for m in meta])
        self.docnum_of = {m.id: d for d, m in enumerate(meta) if self.live[d]}
        self._bits: dict[int, ParagraphBits] = {}
        self.word_stats: dict[str, FieldStats] = {}  # per word field, built by indexer.bm25

    def paragraph_bits(self, base: int) -> ParagraphBits:
        """The segment at `base`'s paragraph categories as bits (see ParagraphBits); built on
        first use and kept with the snapshot."""
        with self._users_lock:
            if base not in self._bits:
                i = self.bases.index(base)
                data = self.segments[i]
                first, _ = data.units.firsts(data.norm_off)
                records = self.category_matrix[base : base + len(data.meta)]
                self._bits[base] = ParagraphBits.build(
                    _as_bits(self.paragraph_categories[i]), first, _as_bits(records)
                )
            return self._bits[base]

    def paragraph_rows(self, docnum: int) -> np.ndarray:
        """A document's paragraphs' categories, a row each (columns: category_values)."""
        i = int(np.searchsorted(self.bases, docnum, side="right")) - 1
        local = docnum - self.bases[i]
        first = self.paragraph_bits(self.bases[i]).first
        return self.paragraph_categories[i][first[local] : first[local + 1]]

    def newest_then_id(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """np.lexsort keys (last = primary) of the documented tie order: newest first, then id."""
        year = self.year[docs].astype(np.int64)
        return self.id_rank[docs], np.where(year < 0, LAST, -year)

    @cached_property
    def place_counts(self) -> tuple[PlaceCount, ...]:
        """Every (province, city, district) with its live record count and years; once per
        generation, since every search page shows it (a tuple: shared by every request)."""
        groups: dict[tuple[str | None, str | None, str | None], list[int | None]] = {}
        for d in np.flatnonzero(self.live).tolist():
            fields = self.meta[d].fields
            place = tuple(fields[level] for level in PLACE_LEVELS)
            groups.setdefault(place, []).append(fields["year"])
        return tuple(
            PlaceCount(p, c, d, len(ys), tuple(sorted({y for y in ys if y is not None})))
            for (p, c, d), ys in sorted(groups.items(), key=lambda g: _place_key(g[0]))
        )

    @cached_property
    def texts(self) -> Texts:
        """Every original text as one code-point array, for concordance lines in context order;
        built on first use, once per generation (two bytes a character for BMP text)."""
        return Texts.build(self.size, self.orig_text)

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

    def preload(self) -> None:
        """Map every page of the normalised texts into this process, reading a byte of each: a
        common phrase is verified in most of them, and the first search to do so would otherwise
        fault them in (代表联络站 at 20,000 summaries: 58 ms, then 33). About 10 ms for 78 MB."""
        for data in self.segments:
            with memoryview(data.norm) as view:
                view[:: mmap.PAGESIZE].tobytes()

    def find_title(self, norm: str) -> np.ndarray:
        """Live documents whose normalised title contains `norm`."""
        return self._titles.find(norm) & self.live

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
        for data in self.segments:
            data.close()

"""The files of one segment, written beside Whoosh's: n-gram and word postings, texts, metadata.

Every Whoosh segment `MAIN_<segid>` gets sibling files `MAIN_<segid>.x*` (so Whoosh's own clean-up
deletes them with the segment, see indexer/whoosh_store.py). They hold, for the segment's documents
in docnum order:
- the sorted codes of every distinct character unigram and bigram of the normalised text, each with
  its posting list (docnums, frequencies and, for a bigram, the byte offset of its first occurrence
  in the document) as one zlib block (`PostingBlocks`), memory-mapped at search time and inflated
  only for the keys a query asks for;
- the same for the jieba words of the text (field `words`) and of the title (`title`), with each
  word's document and collection frequency and each document's word count, so words mode and
  more-like-this score with numpy (indexer/bm25.py);
- the normalised texts (UTF-8, for verifying phrases longer than two characters with `mmap.find`)
  and the original texts, one zlib block each (inflated for the snippets and passages shown);
- the per-document metadata used for filters, facets, sorting and hits;
- each document's paragraphs with their categories and its sentence ends (indexer/units.py).
A reader opens or memory-maps every file when it opens, so a commit that removes the segment
later cannot take a file from a search still using it (an open file outlives its name).
"""

from __future__ import annotations

import itertools
import mmap
import os
import pickle
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from indexer.units import UNIT_FILES, Layout, Units, UnitsWriter

SHIFT = 21  # a code point fits in 21 bits
UNIGRAM = (1 << SHIFT) - 1  # low bits of a unigram's code; above every real code point
GRAM_TF = np.uint16  # a gram's frequency in a document, capped (the length bounds the rest)
GRAM_AT = np.uint32  # the UTF-8 byte offset of a bigram's first occurrence in a document
WORD_TF = np.uint32  # a word's frequency in a document, exact
MAX_TF = np.iinfo(GRAM_TF).max
WORD_FIELDS = ("words", "title")  # word fields: the jieba words of the text and of the title
WORD_PARTS = ("vocab", "at", "z", "df", "cf", "len")
TEXT_LEVEL = 6  # zlib level of the original texts: written once, inflated a page at a time
POSTING_LEVEL = 1  # zlib level of posting blocks: gaps and small counts need no harder search


@dataclass(frozen=True)
class DocMeta:
    """What a hit shows and filters on, plus the digest the document was indexed from."""

    digest: str
    norm_title: str
    length: int  # characters of normalised text
    fields: dict[str, Any]  # the record's archive.records.HIT_KEYS

    @property
    def id(self) -> str:
        return self.fields["id"]


def _utf8_offsets(chars: np.ndarray) -> np.ndarray:
    """The UTF-8 byte offset of each of these code points in their text."""
    width = 1 + (chars >= 0x80) + (chars >= 0x800) + (chars >= 0x10000)
    return np.concatenate(([0], np.cumsum(width)[:-1])).astype(np.int64)


def gram_codes(norm: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct unigram and bigram codes of a normalised text, sorted, with their frequencies and
    first UTF-8 byte offsets (0 for a unigram: only bigrams' are used)."""
    chars = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    codes = np.concatenate(((chars << SHIFT) | UNIGRAM, (chars[:-1] << SHIFT) | chars[1:]))
    at = np.concatenate((np.zeros(len(chars), np.int64), _utf8_offsets(chars)[:-1]))
    distinct, first, counts = np.unique(codes, return_index=True, return_counts=True)
    return distinct, counts, at[first]


def term_grams(term: str) -> dict[int, int]:
    """The codes whose postings hold every document that can contain `term` (normalised), each with
    the smallest UTF-8 byte offset at which the term holds it."""
    if len(term) == 1:
        return {(ord(term) << SHIFT) | UNIGRAM: 0}
    at = _utf8_offsets(np.array([ord(c) for c in term], np.int64)).tolist()
    grams: dict[int, int] = {}
    for i, (a, b) in enumerate(itertools.pairwise(term)):
        grams.setdefault((ord(a) << SHIFT) | ord(b), at[i])
    return grams


def _paths(directory: Path, segment_id: str) -> dict[str, Path]:
    names = ("grams", "grams.at", "grams.z", "norm", "normoff", "orig", "origoff", "meta")
    names += tuple(f"{f}.{part}" for f in WORD_FIELDS for part in WORD_PARTS) + UNIT_FILES
    return {n: directory / f"{segment_id}.x{n}" for n in names}


class _WordFieldWriter:
    """One field's words per document, turned into posting lists when the segment is written."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.ids: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []

    def add(self, words: Counter[str]) -> None:
        vocabulary = self.vocabulary
        self.ids.append(np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words], int))
        self.counts.append(np.fromiter(words.values(), np.int64, count=len(words)))

    def write(self, paths: dict[str, Path], field: str) -> None:
        vocabulary = sorted(self.vocabulary)  # words hold no newline (jieba keeps it apart)
        rank = np.empty(len(vocabulary), np.int64)
        rank[[self.vocabulary[w] for w in vocabulary]] = np.arange(len(vocabulary))
        ranked = [rank[ids] for ids in self.ids]
        _, starts, docs, tfs = _postings(ranked, [np.array(c, WORD_TF) for c in self.counts])
        paths[f"{field}.vocab"].write_text("\n".join(vocabulary), encoding="utf-8")
        _write_blocks(paths, field, starts, docs, tfs)
        _save(paths[f"{field}.df"], np.diff(starts))
        _save(paths[f"{field}.cf"], _per_row(tfs, starts))
        _save(paths[f"{field}.len"], np.array([c.sum() for c in self.counts], np.int64))


class SegmentDataWriter:
    """Collects one segment's documents in docnum order and writes its exact-match files."""

    def __init__(self, directory: Path, segment_id: str, categories: tuple[str, ...]) -> None:
        self.paths = _paths(directory, segment_id)
        self.codes: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.first: list[np.ndarray] = []
        self.fields = {field: _WordFieldWriter() for field in WORD_FIELDS}
        self.norm: list[bytes] = []
        self.orig: list[bytes] = []
        self.meta: list[DocMeta] = []
        self.units = UnitsWriter(categories)
        self.norm_bytes = 0

    def add(
        self,
        layout: Layout,
        orig: str,
        meta: DocMeta,
        words: dict[str, Counter[str]],
        categories: Sequence[tuple[str, ...]],
    ) -> None:
        """Add the next document: its texts, metadata, each word field's counted words, and its
        paragraphs' categories."""
        norm = layout.folded.text
        codes, counts, first = gram_codes(norm)
        self.codes.append(codes)
        self.counts.append(np.minimum(counts, MAX_TF).astype(GRAM_TF))  # as the postings keep it
        self.first.append(first.astype(GRAM_AT))
        for field, writer in self.fields.items():
            writer.add(words[field])
        self.norm.append(norm.encode())
        self.orig.append(zlib.compress(orig.encode(), TEXT_LEVEL))
        self.meta.append(meta)
        self.units.add(self.norm_bytes, layout, categories)
        self.norm_bytes += len(self.norm[-1])

    def write(self) -> None:
        """Write all files; called before the segment is committed, so no reader sees them early."""
        p = self.paths
        grams, starts, docs, tfs, first = _postings(self.codes, self.counts, self.first)
        _save(p["grams"], grams)
        _write_blocks(p, "grams", starts, docs, tfs, first)
        for field, writer in self.fields.items():
            writer.write(p, field)
        for blob, off, parts in (("norm", "normoff", self.norm), ("orig", "origoff", self.orig)):
            p[blob].write_bytes(b"".join(parts))
            _save(p[off], np.cumsum([0, *map(len, parts)], dtype=np.int64))
        with open(p["meta"], "wb") as f:
            pickle.dump(self.meta, f, protocol=pickle.HIGHEST_PROTOCOL)
        self.units.write(p)


def _postings(keys: list[np.ndarray], *columns: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Posting lists from each document's distinct keys and per-key values (frequencies, offsets):
    the sorted distinct keys, where each key's postings start, the docnums (ascending per key),
    then each column's values in the same order and type."""
    sizes = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    flat = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    docs = np.repeat(np.arange(len(keys), dtype=np.uint32), sizes)
    order = np.argsort(flat, kind="stable")  # stable: docnums stay ascending per key
    flat, docs = flat[order], docs[order]
    values = [np.concatenate(c)[order] if c else np.zeros(0, np.uint32) for c in columns]
    if not len(flat):  # no keys at all (every text empty): no rows
        return flat, np.zeros(1, np.int64), docs.astype(_doc_type(len(keys))), *values
    new = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate(([0], new, [len(flat)])).astype(np.int64)
    distinct = flat[starts[:-1]]
    return distinct, starts, docs.astype(_doc_type(len(keys))), *values


def _doc_type(size: int) -> type:
    """Docnums of a segment of `size` documents: two bytes while they fit."""
    return np.uint16 if size <= 1 << 16 else np.uint32


def _per_row(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of per-posting values for each row (rows are never empty)."""
    if not len(values):
        return np.zeros(0, np.int64)
    return np.add.reduceat(values, starts[:-1], dtype=np.int64)


def _planes(values: np.ndarray) -> np.ndarray:
    """An array of unsigned integers as byte planes, lowest byte first: (itemsize, len)."""
    little = values.astype(values.dtype.newbyteorder("<"), copy=False)
    return little.view(np.uint8).reshape(len(values), values.itemsize).T


def _unplanes(planes: np.ndarray) -> np.ndarray:
    """The integers `_planes` split, as int64."""
    width = len(planes)
    joined = np.ascontiguousarray(planes.T).view(f"<u{width}")
    return joined.reshape(-1).astype(np.int64)


def _write_blocks(
    paths: dict[str, Path], name: str, starts: np.ndarray, docs: np.ndarray, *columns: np.ndarray
) -> None:
    """Each row's postings as one zlib block: docnum gaps, then each column, as byte planes (the
    high bytes of small numbers are runs of zeros), and where each block starts."""
    gaps = docs.astype(np.int64)
    gaps[1:] -= gaps[:-1].copy()
    heads = starts[:-1]
    gaps[heads] = docs[heads]  # a row's first gap is its first docnum
    planes = np.concatenate([_planes(gaps.astype(docs.dtype)), *map(_planes, columns)])
    blocks = [
        zlib.compress(planes[:, a:b].tobytes(), POSTING_LEVEL)
        for a, b in itertools.pairwise(starts.tolist())
    ]
    paths[f"{name}.z"].write_bytes(b"".join(blocks))
    _save(paths[f"{name}.at"], np.cumsum([0, *map(len, blocks)], dtype=np.int64))


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, array, allow_pickle=False)


@dataclass(frozen=True)
class PostingBlocks:
    """Posting lists, one zlib block per row, as `_write_blocks` wrote them."""

    at: np.ndarray  # where each row's block starts (one more than the rows)
    blocks: bytes | mmap.mmap
    widths: tuple[int, ...]  # bytes per docnum gap, then per value of each column

    def row(self, i: int) -> tuple[np.ndarray, ...]:
        """Docnums (ascending) and each column's values of one row, as int64."""
        raw = np.frombuffer(zlib.decompress(self.blocks[self.at[i] : self.at[i + 1]]), np.uint8)
        planes = raw.reshape(sum(self.widths), -1)
        bounds = list(itertools.accumulate(self.widths, initial=0))
        docs, *columns = (_unplanes(planes[a:b]) for a, b in itertools.pairwise(bounds))
        return np.cumsum(docs), *columns


def _blocks(paths: dict[str, Path], name: str, size: int, *types: type) -> PostingBlocks:
    """The posting blocks of a segment of `size` documents whose columns have these types."""
    widths = tuple(np.dtype(t).itemsize for t in (_doc_type(size), *types))
    return PostingBlocks(np.load(paths[f"{name}.at"]), _map(paths[f"{name}.z"]), widths)


@dataclass(frozen=True)
class WordPostings:
    """One segment's word postings, each word's document and collection frequency, and each
    document's number of words."""

    vocabulary: bytes | mmap.mmap  # the segment's words, sorted, one a line
    postings: PostingBlocks
    df: np.ndarray  # per row: documents holding the word, deleted ones included
    cf: np.ndarray  # per row: its occurrences in them
    lengths: np.ndarray

    def live_frequencies(self, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's document and collection frequency over the live documents: the stored ones
        when none is deleted, else counted from every row's postings."""
        if live.all():
            return self.df, self.cf
        df = np.zeros(len(self.df), np.int64)
        cf = np.zeros(len(self.cf), np.int64)
        for row in range(len(self.df)):
            docs, tfs = self.postings.row(row)
            alive = live[docs]
            df[row] = int(alive.sum())
            cf[row] = int(tfs[alive].sum())
        return df, cf

    @cached_property
    def rows(self) -> dict[str, int]:
        """Word -> row; parsed on first use (only words mode and similar read words)."""
        text = self.vocabulary[:].decode()
        return {w: i for i, w in enumerate(text.split("\n"))} if text else {}

    def get(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (ascending) and frequencies of one word; empty when no document has it."""
        row = self.rows.get(word)
        if row is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return self.postings.row(row)


def _map(path: Path) -> bytes | mmap.mmap:
    """A file's bytes, memory-mapped (mmap refuses an empty file: that one is read)."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def read_meta(directory: Path, segment_id: str) -> list[DocMeta]:
    """The metadata of a segment's documents in docnum order."""
    with open(_paths(directory, segment_id)["meta"], "rb") as f:
        return pickle.load(f)


class SegmentData:
    """Read side of one segment's files, all opened now; arrays are memory-mapped, never copied."""

    def __init__(self, directory: Path, segment_id: str) -> None:
        p = _paths(directory, segment_id)
        self.meta = read_meta(directory, segment_id)
        size = len(self.meta)
        self.grams = np.load(p["grams"], mmap_mode="r")
        self.gram_postings = _blocks(p, "grams", size, GRAM_TF, GRAM_AT)
        self.norm_starts = np.load(p["normoff"])
        self.norm_off: list[int] = self.norm_starts.tolist()
        self.orig_off: list[int] = np.load(p["origoff"]).tolist()
        self.norm = _map(p["norm"])
        self.orig = _map(p["orig"])
        self.units = Units(p)
        self.words = {
            field: WordPostings(
                vocabulary=_map(p[f"{field}.vocab"]),
                postings=_blocks(p, field, size, WORD_TF),
                df=np.load(p[f"{field}.df"]),
                cf=np.load(p[f"{field}.cf"]),
                lengths=np.load(p[f"{field}.len"]),
            )
            for field in WORD_FIELDS
        }

    def postings(self, code: int) -> tuple[np.ndarray, ...]:
        """Docnums (ascending), frequencies and first byte offsets of one gram; empty when no
        document has it."""
        i = int(np.searchsorted(self.grams, code))
        if i == len(self.grams) or self.grams[i] != code:
            return (np.zeros(0, np.int64),) * 3
        return self.gram_postings.row(i)

    def find(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Docnums whose normalised text contains `term`, with its frequency there.

        1-2 characters: one gram's postings are the answer. Longer: documents holding all of the
        term's bigrams are candidates, each verified with one `mmap.find` (C speed, stops at the
        first occurrence) that starts where the term can first occur: an occurrence holds each
        bigram at its offset in the term, so it starts no earlier than that bigram's first
        occurrence minus that offset. The frequency is then the rarest bigram's, an upper bound
        used only for ranking.
        """
        grams = term_grams(term)
        if len(term) <= 2:
            docs, tfs, _ = self.postings(next(iter(grams)))
            return docs, tfs
        size = len(self.meta)
        hits = np.zeros(size, np.int32)
        tf = np.full(size, MAX_TF, np.int64)
        start = np.zeros(size, np.int64)  # per document: the earliest byte the term can start at
        for code, offset in grams.items():
            docs, tfs, first = self.postings(code)
            if not len(docs):
                return docs, tfs
            hits[docs] += 1
            tf[docs] = np.minimum(tf[docs], tfs)
            start[docs] = np.maximum(start[docs], first - offset)
        candidates = np.flatnonzero(hits == len(grams))
        begin = (self.norm_starts[candidates] + start[candidates]).tolist()
        needle = term.encode()
        find, end = self.norm.find, self.norm_off
        found = [
            d
            for d, at in zip(candidates.tolist(), begin, strict=True)
            if find(needle, at, end[d + 1]) >= 0
        ]
        docs = np.array(found, np.int64)
        return docs, tf[docs]

    def occurrences(self, term: str, docs: list[int]) -> list[int]:
        """How often `term` occurs in each document's normalised text (overlapping occurrences,
        as snippets mark them)."""
        needle = term.encode()
        find, off = self.norm.find, self.norm_off
        counts = []
        for d in docs:
            n, end = 0, off[d + 1]
            at = find(needle, off[d], end)
            while at >= 0:  # UTF-8: a match never starts inside a character
                n += 1
                at = find(needle, at + 1, end)
            counts.append(n)
        return counts

    def orig_text(self, d: int) -> str:
        return zlib.decompress(self.orig[self.orig_off[d] : self.orig_off[d + 1]]).decode()

    def close(self) -> None:
        blocks = (self.gram_postings, *(w.postings for w in self.words.values()))
        words = (w.vocabulary for w in self.words.values())
        for mapped in (self.norm, self.orig, *words, *(b.blocks for b in blocks)):
            if isinstance(mapped, mmap.mmap):
                mapped.close()

"""Paragraphs and sentences: where they lie in a text's normalised form, which of them hold a
同段/同句 group's terms, and which paragraphs hold a query's matches (a category tied to them).

A paragraph is a non-blank line (indexer.highlight.paragraphs: the exports' 段落序号); a sentence is
a piece of a paragraph ending after one of SENTENCE_ENDS (folded as texts are, so ！ and ! alike) or
at the paragraph's end. The index keeps each document's paragraphs (with their categories) and
sentence ends as UTF-8 byte offsets into the segment's normalised text (indexer/segment_files.py),
so a search verifies a group with `mmap.find` inside one unit at a time, stopping at the first
unit that holds every term.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from indexer.analysis import Folded, fold, normalise, words
from indexer.highlight import Span, find_spans, merge, paragraphs

SENTENCE_ENDS = "。！？；"  # and line breaks
_END = re.escape(normalise(SENTENCE_ENDS) + "\r")
_SENTENCE = re.compile(f"[^{_END}]*[{_END}]|[^{_END}]+")


def sentences(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) of each sentence of the paragraph folded[start:end]; they tile it."""
    return [(start + m.start(), start + m.end()) for m in _SENTENCE.finditer(folded[start:end])]


@dataclass(frozen=True)
class Layout:
    """A text's folded form, its paragraphs and sentences as [start, end) of the folded text, and
    the paragraph (by number) each sentence is in."""

    folded: Folded
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]
    sentence_paragraph: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Layout:
        folded = fold(text)
        line_at: dict[int, int] = {}  # original offset of each line -> folded offset
        if folded.origin is not None:  # some characters fold to more or fewer: offsets shift
            original = normalised = 0
            for line in text.split("\n"):  # folding is per character and keeps line breaks
                line_at[original] = normalised
                original += len(line) + 1
                normalised += len(normalise(line)) + 1
        paras, sents, owner = [], [], []
        for number, start, end in paragraphs(text):
            begin = line_at.get(start, start)
            length = end - start if folded.origin is None else len(normalise(text[start:end]))
            para = (begin, begin + length)
            paras.append(para)
            found = sentences(folded.text, *para)
            sents += found
            owner += [number] * len(found)
        return cls(folded, tuple(paras), tuple(sents), tuple(owner))

    def units(self, unit: str) -> tuple[tuple[int, int], ...]:
        return self.paragraphs if unit == "para" else self.sentences

    def byte_offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """Paragraphs as (n, 2) and sentence ends, as UTF-8 byte offsets of the folded text."""
        codes = np.frombuffer(self.folded.text.encode("utf-32-le"), np.uint32)
        width = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
        at = np.concatenate(([0], np.cumsum(width, dtype=np.int64)))
        paras = at[np.array(self.paragraphs, np.int64).reshape(-1, 2)]
        ends = at[np.array([e for _, e in self.sentences], np.int64)]
        return paras, ends


def group_needles(terms: Iterable[str], mode: str) -> tuple[str, ...]:
    """What a group's unit must hold as substrings: its normalised terms, or in words mode their
    jieba words (the record holds them as words, which the index checks)."""
    if mode == "exact":
        return tuple(dict.fromkeys(terms))
    return tuple(dict.fromkeys(w for t in terms for w, _, _ in words(t)))


# --- in the index ----------------------------------------------------------------------------


class UnitsWriter:
    """Each document's paragraphs (byte offsets, categories) and sentence ends, for one segment."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names  # the taxonomy's categories, in its order
        self.paras: list[np.ndarray] = []
        self.ends: list[np.ndarray] = []
        self.categories: list[tuple[str, ...]] = []

    def add(self, base: int, layout: Layout, categories: Sequence[tuple[str, ...]]) -> None:
        """The next document, whose normalised text starts at byte `base` of the segment's."""
        paras, ends = layout.byte_offsets()
        self.paras.append(paras + base)
        self.ends.append(ends + base)
        self.categories += categories

    def write(self, paths: dict[str, Path]) -> None:
        names = self.names
        column = {c: i for i, c in enumerate(names)}
        matrix = np.zeros((len(self.categories), len(names)), bool)
        for row, cats in enumerate(self.categories):
            matrix[row, [column[c] for c in cats]] = True
        arrays = {
            "paras": np.concatenate(self.paras) if self.paras else np.zeros((0, 2), np.int64),
            "sentends": np.concatenate(self.ends) if self.ends else np.zeros(0, np.int64),
            "paracats": np.packbits(matrix, axis=1),
            "catnames": np.array(names, dtype=str),
        }
        for name, array in arrays.items():
            with open(paths[name], "wb") as f:
                np.save(f, array, allow_pickle=False)


UNIT_FILES = ("paras", "sentends", "paracats", "catnames")


class Units:
    """One segment's paragraphs and sentences, read when the segment is opened; the bounds become
    Python lists (for bisect) on first use."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paras = np.load(paths["paras"])
        self.sentence_array = np.load(paths["sentends"])
        self.names: tuple[str, ...] = tuple(np.load(paths["catnames"]).tolist())
        self.packed = np.load(paths["paracats"])
        self._firsts: tuple[list[int], list[int]] | None = None

    def firsts(self, offsets: list[int]) -> tuple[list[int], list[int]]:
        """Each document's first paragraph and first sentence (the next document's: one past its
        last), from the segment's document offsets; computed once."""
        if self._firsts is None:
            self._firsts = (
                [bisect.bisect_left(self.starts, at) for at in offsets],
                [bisect.bisect_right(self.sentence_ends, at) for at in offsets],
            )
        return self._firsts

    @cached_property
    def starts(self) -> list[int]:
        return self.paras[:, 0].tolist()

    @cached_property
    def ends(self) -> list[int]:
        return self.paras[:, 1].tolist()

    @cached_property
    def sentence_ends(self) -> list[int]:
        return self.sentence_array.tolist()

    def categories(self, columns: np.ndarray, width: int) -> np.ndarray:
        """Each paragraph's categories as a bool matrix over the snapshot's category columns."""
        local = np.unpackbits(self.packed, axis=1, count=len(self.names)).astype(bool)
        matrix = np.zeros((len(self.paras), width), bool)
        matrix[:, columns] = local
        return matrix


Find = Callable[[bytes, int, int], int]


def unit_holding(
    find: Find,
    units: Units,
    unit: str,
    needles: Sequence[bytes],
    start: int,
    end: int,
    within: tuple[int, int | None, int, int | None] = (0, None, 0, None),
) -> tuple[int, int] | None:
    """The first unit (paragraph or sentence, as bytes [start, end)) inside bytes [start, end)
    that holds every needle: the first needle's occurrences choose the units to try. `within`
    (first and one-past-last paragraph, then sentence) narrows the lookups to one document's
    units. Written out flat: it runs once per candidate document."""
    first, rest = needles[0], needles[1:]
    size = len(first)
    starts, ends, sentence_ends = units.starts, units.ends, units.sentence_ends
    p_low, p_high, s_low, s_high = within
    at = find(first, start, end)
    while at >= 0:
        i = bisect.bisect_right(starts, at, p_low, p_high) - 1
        stop = at + size
        if i < p_low or stop > ends[i]:  # between paragraphs, or across a line break
            at = find(first, at + 1, end)
            continue
        u_start, u_end = starts[i], ends[i]
        if unit == "sent":
            j = bisect.bisect_right(sentence_ends, at, s_low, s_high)
            if stop > sentence_ends[j]:  # across a sentence's end
                at = find(first, at + 1, end)
                continue
            if j and sentence_ends[j - 1] > u_start:
                u_start = sentence_ends[j - 1]
            u_end = sentence_ends[j]
        for needle in rest:
            if find(needle, u_start, u_end) < 0:
                break
        else:
            return u_start, u_end
        at = find(first, u_end, end)
    return None


def marks(
    original: str,
    plain: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    allowed: Callable[[int], bool] | None = None,
) -> list[Span]:
    """Spans to mark in an original text: plain needles anywhere, a group's needles inside the units
    that hold all of them; with `allowed`, only inside the paragraphs (by number) it accepts."""
    if not groups and allowed is None:
        return find_spans(original, plain)  # no units needed
    layout = Layout.of(original)
    found = [
        layout.folded.to_original(at, at + len(needle))
        for needle, at in _occurrences(layout, plain, groups, allowed)
    ]
    return merge(found)


def count_marked(
    original: str,
    plain: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    allowed: Callable[[int], bool] | None = None,
) -> int:
    """How many occurrences `marks` marks (overlapping ones each count, before they are merged)."""
    return len(_occurrences(Layout.of(original), plain, groups, allowed))


def _occurrences(
    layout: Layout,
    plain: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    allowed: Callable[[int], bool] | None,
) -> set[tuple[str, int]]:
    """Each (needle, folded offset) that `marks` marks, once."""
    text = layout.folded.text
    if allowed is None:
        regions = [(needle, 0, len(text)) for needle in plain]
    else:
        regions = [
            (needle, start, end)
            for n, (start, end) in enumerate(layout.paragraphs)
            if allowed(n)
            for needle in plain
        ]
    for unit, needles in groups:
        numbers = range(len(layout.paragraphs)) if unit == "para" else layout.sentence_paragraph
        for n, (start, end) in zip(numbers, layout.units(unit), strict=True):
            if (allowed is None or allowed(n)) and all(x in text[start:end] for x in needles):
                regions += [(needle, start, end) for needle in needles]
    found: set[tuple[str, int]] = set()
    for needle, start, end in regions:
        at = text.find(needle, start, end) if needle else -1
        while at >= 0:
            found.add((needle, at))
            at = text.find(needle, at + 1, end)
    return found

"""Matches inside one paragraph or sentence, over the index: documents where a 同段/同句 group's
terms share a unit, and the categories of the paragraphs that hold a query's matches.

Both verify on the normalised text with `mmap.find` bounded by the index's unit offsets, document
by document, and stop as soon as the answer is known (the first unit holding a group; a document's
paragraphs once every category it has is found), so their cost follows the matching documents,
not their length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from indexer.query import Group, Query
from indexer.reading import Snapshot
from indexer.segment_files import SegmentData
from indexer.units import group_needles, unit_holding


@dataclass(frozen=True)
class Needles:
    """What a query marks: plain needles anywhere, each group's needles inside a unit holding all."""

    plain: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (unit, needles)
    mode: str

    @classmethod
    def of(cls, parsed: Query, mode: str, scope: str) -> Needles:
        if scope == "title":
            return cls((), (), mode)
        plain: list[str] = []
        groups = []
        for clause in parsed.clauses:
            if clause.negated:
                continue
            for item in clause.terms:
                if isinstance(item, Group):
                    norms = [t.norm for t in item.terms]
                    groups.append((item.unit, group_needles(norms, mode)))
                elif item.field != "title":
                    plain += group_needles([item.norm], mode)
        return cls(tuple(dict.fromkeys(plain)), tuple(groups), mode)

    def __bool__(self) -> bool:
        return bool(self.plain or self.groups)


def holding(
    snapshot: Snapshot,
    candidates: np.ndarray,
    group: Group,
    mode: str,
    occurrences: Mapping[str, float],
) -> np.ndarray:
    """The candidate documents (a mask) with one paragraph or sentence holding all the group's
    needles (its terms, or in words mode their words); the needle with the fewest `occurrences`
    (else the longest) leads."""
    needles = sorted(
        group_needles([t.norm for t in group.terms], mode),
        key=lambda n: (occurrences.get(n, math.inf), -len(n)),
    )
    encoded = [n.encode() for n in needles]
    found = np.zeros(snapshot.size, bool)
    for base, data in zip(snapshot.bases, snapshot.segments, strict=True):
        local = np.flatnonzero(candidates[base : base + len(data.meta)]).tolist()
        find, off, units = data.norm.find, data.norm_off, data.units
        paras, sents = units.firsts(off)
        for d in local:
            within = (paras[d], paras[d + 1], sents[d], sents[d + 1])
            if unit_holding(find, units, group.unit, encoded, off[d], off[d + 1], within):
                found[base + d] = True
    return found


def matched_categories(snapshot: Snapshot, docs: np.ndarray, needles: Needles) -> np.ndarray:
    """Per document of the mask `docs`, the categories (columns of snapshot.category_values) of
    its paragraphs that hold a match (a plain needle, or a unit holding one of the groups), with
    the record's extra categories (ParagraphBits) when any paragraph holds one."""
    width = len(snapshot.category_values)
    found = np.zeros((snapshot.size, width), bool, order="F")  # columns counted by facets
    for base, data in zip(snapshot.bases, snapshot.segments, strict=True):
        local = np.flatnonzero(docs[base : base + len(data.meta)]).tolist()
        if not local:
            continue
        para = snapshot.paragraph_bits(base)
        bits, first, union, extras = para.bits, para.first, para.union, para.extra
        holds_match = _paragraph_test(data, needles)
        starts, ends = data.units.starts, data.units.ends
        got_all = []
        for d in local:  # the hot loop of a ticked category: kept flat
            got, extra = 0, extras[d]
            want = union[d] | extra
            if want:
                for i in range(first[d], first[d + 1]):
                    held = bits[i] | extra
                    if held & ~got and holds_match(starts[i], ends[i]):
                        got |= held
                        if got == want:
                            break
            got_all.append(got)
        masks = np.array(got_all, dtype=object)
        rows = np.array(local) + base
        for c in range(width):
            found[rows, c] = (masks >> c & 1).astype(bool)
    return found


def _paragraph_test(data: SegmentData, needles: Needles) -> Callable[[int, int], bool]:
    """Whether the bytes [start, end) of one paragraph of the segment hold a match."""
    find, units = data.norm.find, data.units
    plain = [n.encode() for n in needles.plain]
    groups = [
        (unit, sorted((n.encode() for n in ns), key=len, reverse=True))
        for unit, ns in needles.groups
    ]
    if len(plain) == 1 and not groups:  # the common case, without a generator per paragraph
        (needle,) = plain
        return lambda start, end: find(needle, start, end) >= 0

    def holds_match(start: int, end: int) -> bool:
        for needle in plain:  # loops, not any(): this runs once per paragraph tried
            if find(needle, start, end) >= 0:
                return True
        for unit, encoded in groups:
            if unit_holding(find, units, unit, encoded, start, end) is not None:
                return True
        return False

    return holds_match

"""Keyword in context at numpy speed: every original text as one array of code points, where the
occurrences of an exact search lie in it, and the lines ranked lo..hi in an order over their
contexts, found without making every line.

A concordance page of a common term (about 290,000 occurrences of 人大 in 20,000 summaries) needs
the order of every occurrence but the text of only its 50 lines; indexer/research.py makes those.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from indexer.analysis import normalise
from indexer.highlight import find_spans

CHARS_PER_KEY = 3  # code points (+1, so 0 ends a string) of 21 bits each in one uint64 sort key
CHAR_BITS = 21
RECENT = 8  # needles whose places a text array keeps (a page turn or another order finds them)
KEPT = 1 << 22  # and at most this many places in all (32 MB), beside the newest needle's
SMALL = 2048  # candidates sorted outright rather than narrowed column by column
WIDE = 1000  # ranks wanted beyond a page's (at most 500 lines, as for exports): sorted outright
CHUNK = 2048  # documents decoded at a time when the texts are built

Column = Callable[[np.ndarray], np.ndarray]  # the sort key of the items at these indices


@dataclass(frozen=True)
class Texts:
    """Every document's original text end to end, as code points, with what each character folds
    to; documents holding a character that folds to more or fewer than one (… -> ..., invisible
    format characters) are searched the slow way, since their folded offsets shift."""

    chars: np.ndarray  # uint16 when every character is in the BMP, else uint32
    starts: np.ndarray  # document d is chars[starts[d]:starts[d + 1]]
    newlines: np.ndarray  # positions of "\n", ascending
    uneven: np.ndarray  # per document: holds a character that folds to more or fewer than one
    variants: dict[str, np.ndarray]  # a folded character -> the code points folding to it alone
    frequency: dict[str, int]  # a folded character -> how often those code points occur
    recent: dict[str, np.ndarray] = field(default_factory=dict)  # needle -> _starts, newest last
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, size: int, text: Callable[[int], str]) -> Texts:
        """From each document's text, decoded a chunk at a time (the array is the only copy)."""
        parts, lengths, counts = [], [0], Counter[int]()
        for low in range(0, size, CHUNK):
            chunk = [text(d) for d in range(low, min(size, low + CHUNK))]
            lengths += map(len, chunk)
            part = np.frombuffer("".join(chunk).encode("utf-32-le"), np.uint32)
            if part.size and part.max() < 1 << 16:
                part = part.astype(np.uint16)
                tally = np.bincount(part)
                codes = np.flatnonzero(tally)
                counts.update(dict(zip(codes.tolist(), tally[codes].tolist(), strict=True)))
            else:
                codes, tally = np.unique(part, return_counts=True)
                counts.update(dict(zip(codes.tolist(), tally.tolist(), strict=True)))
            parts.append(part)
        chars = np.concatenate(parts) if parts else np.zeros(0, np.uint16)
        starts = np.cumsum(lengths, dtype=np.int64)
        folds = {c: normalise(chr(c)) for c in counts}
        odd = [c for c, f in folds.items() if len(f) != 1]
        uneven = np.zeros(size, bool)
        if odd:
            at = np.flatnonzero(np.isin(chars, odd))
            uneven[np.searchsorted(starts, at, side="right") - 1] = True
        variants: dict[str, list[int]] = {}
        frequency: Counter[str] = Counter()
        for c, f in folds.items():
            if len(f) == 1:
                variants.setdefault(f, []).append(c)
                frequency[f] += counts[c]
        return cls(
            chars,
            starts,
            np.flatnonzero(chars == ord("\n")),
            uneven,
            {f: np.array(sorted(cs), chars.dtype) for f, cs in variants.items()},
            dict(frequency),
        )

    def text(self, d: int) -> str:
        part = self.chars[self.starts[d] : self.starts[d + 1]]
        return part.tobytes().decode("utf-16-le" if part.dtype == np.uint16 else "utf-32-le")

    def _starts(self, needle: str) -> np.ndarray:
        """`_scan` of the needle, kept for the RECENT needles last asked for (fewer when they
        hold more than KEPT places)."""
        with self.lock:
            found = self.recent.pop(needle, None)
        if found is None:
            found = self._scan(needle)
            found.flags.writeable = False  # shared by every request using this snapshot
        with self.lock:
            self.recent[needle] = found
            kept = sum(map(len, self.recent.values()))
            while len(self.recent) > 1 and (len(self.recent) > RECENT or kept > KEPT):
                kept -= len(self.recent.pop(next(iter(self.recent))))
        return found

    def _scan(self, needle: str) -> np.ndarray:
        """Where the needle starts, overlaps included, read through characters that each fold to
        one: every occurrence in an even document (in an uneven one, those clear of its uneven
        characters; one crossing into the next document is not dropped here). Its rarest
        character is looked for first, then the others beside each place found."""
        chars, variants = self.chars, self.variants
        if any(char not in variants for char in needle):
            return np.zeros(0, np.int64)
        anchor = min(range(len(needle)), key=lambda k: self.frequency[needle[k]])
        found = np.concatenate([np.flatnonzero(chars == c) for c in variants[needle[anchor]]])
        if len(variants[needle[anchor]]) > 1:
            found.sort()
        found = found[(found >= anchor) & (found - anchor + len(needle) <= len(chars))] - anchor
        for offset, char in enumerate(needle):
            if offset != anchor:
                codes, beside = variants[char], chars[found + offset]
                found = found[beside == codes[0] if len(codes) == 1 else np.isin(beside, codes)]
        return found

    def _placed(self, needle: str) -> tuple[np.ndarray, np.ndarray]:
        """`_starts` inside one document, and that document."""
        at = self._starts(needle)
        doc = np.searchsorted(self.starts, at, side="right") - 1
        inside = at + len(needle) <= self.starts[doc + 1]
        return at[inside], doc[inside]

    def counts(self, needle: str, docs: np.ndarray) -> np.ndarray:
        """How often the needle occurs (overlaps included) in the folded text of each of these
        documents; exact for the even ones only."""
        return np.bincount(self._placed(needle)[1], minlength=len(self.uneven))[docs]

    def occurrences(self, wanted: np.ndarray, needles: Sequence[str]) -> Occurrences:
        """Every line of these documents (a bool per document) as `find_spans` and the paragraph
        split make it: overlapping matches merged, in text order. Needles hold no white space."""
        starts, ends = [], []
        for needle in set(needles):
            at, doc = self._placed(needle)
            starts.append(at[wanted[doc]])
            ends.append(at[wanted[doc]] + len(needle))
        for d in np.flatnonzero(wanted & self.uneven).tolist():
            spans = find_spans(self.text(d), needles)
            starts.append(np.array([s for s, _ in spans], np.int64) + self.starts[d])
            ends.append(np.array([e for _, e in spans], np.int64) + self.starts[d])
        return Occurrences.merged(
            self,
            np.concatenate([np.zeros(0, np.int64), *starts]),
            np.concatenate([np.zeros(0, np.int64), *ends]),
        )


@dataclass(frozen=True)
class Occurrences:
    """Lines as positions in `Texts.chars`, in text order: the match and its paragraph."""

    texts: Texts
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    para_start: np.ndarray
    para_end: np.ndarray

    @classmethod
    def merged(cls, texts: Texts, starts: np.ndarray, ends: np.ndarray) -> Occurrences:
        """Overlapping spans joined (touching ones stay apart), as `highlight.merge` does."""
        if np.any(np.diff(starts) < 0):  # several needles (one needle's starts ascend)
            order = np.lexsort((ends, starts))
            starts, ends = starts[order], ends[order]
        new = np.ones(len(starts), bool)
        new[1:] = starts[1:] >= np.maximum.accumulate(ends)[:-1]
        first = np.flatnonzero(new)
        starts = starts[first]
        ends = np.maximum.reduceat(ends, first) if len(first) else ends
        doc = np.searchsorted(texts.starts, starts, side="right") - 1
        line = np.searchsorted(texts.newlines, starts)  # a match holds no "\n"
        before = np.concatenate(([-1], texts.newlines))[line] + 1
        after = np.concatenate((texts.newlines, [len(texts.chars)]))[line]
        para_start = np.maximum(before, texts.starts[doc])
        para_end = np.minimum(after, texts.starts[doc + 1])
        return cls(texts, doc, starts, ends, para_start, para_end)

    def __len__(self) -> int:
        return len(self.start)

    def records(self) -> int:
        """Documents holding a line."""
        return int(np.count_nonzero(np.diff(self.doc))) + 1 if len(self.doc) else 0

    def left(self, context: int) -> list[Column]:
        """Sort keys of the left context read from the match outwards."""
        length = np.minimum(context, self.start - self.para_start)
        return _string_keys(self.texts.chars, self.start - 1, length, -1, context)

    def match(self) -> list[Column]:
        length = self.end - self.start
        return _string_keys(self.texts.chars, self.start, length, 1, int(length.max(initial=0)))

    def right(self, context: int) -> list[Column]:
        length = np.minimum(context, self.para_end - self.end)
        return _string_keys(self.texts.chars, self.end, length, 1, context)


def _string_keys(
    chars: np.ndarray, origin: np.ndarray, length: np.ndarray, step: int, width: int
) -> list[Column]:
    """Keys comparing strings of up to `width` characters like str does, three characters a key:
    the string of item i is chars[origin[i] + step * k] for k < length[i]."""

    def key(first: int, items: np.ndarray) -> np.ndarray:
        out = np.zeros(len(items), np.uint64)
        here, size = origin[items], length[items]
        for k in range(first, first + CHARS_PER_KEY):
            inside = k < size
            code = chars[np.where(inside, here + step * k, 0)].astype(np.uint64) + 1
            out = (out << np.uint64(CHAR_BITS)) | np.where(inside, code, 0).astype(np.uint64)
        return out

    return [
        lambda items, first=first: key(first, items) for first in range(0, width, CHARS_PER_KEY)
    ]


def ranked(columns: Sequence[Column], count: int, low: int, high: int) -> np.ndarray:
    """The items ranked low..high-1 when ordered by the columns compared in turn (the last must
    tell every two items apart), without ordering the others."""
    return _select(columns, np.arange(count), low, high, 0)


def _select(
    columns: Sequence[Column], items: np.ndarray, low: int, high: int, j: int
) -> np.ndarray:
    """Ranks low..high-1 of items that agree on the columns before j."""
    high = min(high, len(items))
    if low >= high:
        return items[:0]
    if len(items) <= SMALL or high - low > WIDE or j == len(columns):
        keys = [column(items) for column in reversed(columns[j:])]
        order = np.lexsort(keys) if keys else np.arange(len(items))
        return items[order[low:high]]
    key = columns[j](items)
    bounds = np.partition(key, (low, high - 1))
    first, last = bounds[low], bounds[high - 1]
    below = int(np.count_nonzero(key < first))
    if first == last:
        return _select(columns, items[key == first], low - below, high - below, j + 1)
    inside = (key >= first) & (key <= last)
    items, key = items[inside], key[inside]
    order = np.argsort(key, kind="stable")
    items, key = items[order], key[order]
    groups = [0, *(np.flatnonzero(np.diff(key)) + 1).tolist(), len(key)]
    low, high = low - below, high - below
    return np.concatenate(
        [
            _select(columns, items[a:b], max(low - a, 0), high - a, j + 1)
            for a, b in itertools.pairwise(groups)
        ]
    )

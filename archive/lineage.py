"""Which of an edited source's new records continue which old ones, so their ids live on."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from archive.records import Record, make_id

SAME = 0.6  # similarity (difflib's ratio) at which a new record continues an old one
HOLDS = 0.6  # share of a gone record's text found in one new record: it was merged there
MAX_PAIRS = 2500  # beyond this many unmatched pairs, compare by position and exact text only


@dataclass(frozen=True)
class Old:
    """An old record of the source: its position then, and its text (None: nothing left of it)."""

    part: int | None
    text: str | None


@dataclass(frozen=True)
class Lineage:
    """For each new record its id, and for each old id not continued, the id holding its text."""

    ids: list[str]
    gone: dict[str, str | None]


def match(
    old: Mapping[str, Old], fresh: Sequence[Record], sha256: str, free: Callable[[str], bool]
) -> Lineage:
    """Keep an old id for the new record of the same text, or of the same part and mostly the same
    text, or (a part moved) of mostly the same text; other records get a new id from the new
    digest and their part, which `free` approves (else a numbered variant)."""
    ids: list[str | None] = [None] * len(fresh)
    left = {key: value for key, value in old.items() if value.text is not None}

    def keep(i: int, key: str) -> None:
        ids[i] = key
        del left[key]

    by_text: dict[str, list[str]] = {}
    for key, value in left.items():
        by_text.setdefault(str(value.text), []).append(key)
    for i, record in enumerate(fresh):
        same = [key for key in by_text.get(record.text, []) if key in left]
        if same:
            keep(i, min(same, key=lambda key: left[key].part != record.part))
    at_part = {value.part: key for key, value in left.items()}
    for i, record in enumerate(fresh):
        key = at_part.get(record.part)
        if ids[i] is None and key in left and similarity(str(left[key].text), record.text) >= SAME:
            keep(i, str(key))
    pending = [i for i, key in enumerate(ids) if key is None]
    if len(pending) * len(left) <= MAX_PAIRS:
        pairs = sorted(
            (
                (similarity(str(value.text), fresh[i].text), i, key)
                for i in pending
                for key, value in left.items()
            ),
            reverse=True,
        )
        for score, i, key in pairs:
            if score >= SAME and ids[i] is None and key in left:
                keep(i, key)
    for i, record in enumerate(fresh):
        if ids[i] is None:
            ids[i] = new_id(sha256, record.part, lambda key: key in left or free(key), ids)
            left.pop(str(ids[i]), None)  # an old id the same bytes once gave: it comes back
    given = [str(key) for key in ids]
    gone = [key for key in old if key not in given]
    look = len(gone) * len(fresh) <= MAX_PAIRS
    return Lineage(given, {key: _successor(old[key].text, fresh, given, look) for key in gone})


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1 (difflib's ratio, after its cheap upper bounds)."""
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < SAME or matcher.quick_ratio() < SAME:
        return 0.0
    return matcher.ratio()


def new_id(
    sha256: str, part: int | None, free: Callable[[str], bool], taken: Container[str | None]
) -> str:
    """make_id of the new digest and part; in the rare case it is taken, a numbered variant."""
    candidate, n = make_id(sha256, part), 0
    while candidate in taken or not free(candidate):
        n += 1
        candidate = make_id(f"{sha256}~{n}", part)
    return candidate


def _successor(text: str | None, fresh: Sequence[Record], ids: list[str], look: bool) -> str | None:
    """The new record that holds most of a gone record's text, if it holds enough of it."""
    if not text or not look:
        return None
    best, best_id = 0.0, None
    for record, record_id in zip(fresh, ids, strict=True):
        matcher = SequenceMatcher(None, text, record.text)
        share = sum(block.size for block in matcher.get_matching_blocks()) / len(text)
        if share > best:
            best, best_id = share, record_id
    return best_id if best >= HOLDS else None

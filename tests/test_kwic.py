"""The concordance's text array and ranking against plain Python: find_spans and sorted()."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import kwic
from indexer.highlight import find_spans
from indexer.kwic import Texts, ranked

# Folding variants, characters folding to two or three (ﬁ, …) or to none (a zero-width space),
# an astral character (the array is then 32 bits wide) and line breaks.
TEXT = "人大会會ＡaﬁＩi…\u200b\U00020000\U0001f600\n"
NEEDLE = "人大会ai.\U00020000"


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=TEXT, max_size=25), min_size=1, max_size=6),
    needles=st.lists(st.text(alphabet=NEEDLE, min_size=1, max_size=3), min_size=1, max_size=2),
    wanted=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_occurrences_are_the_spans_find_spans_marks(
    texts: list[str], needles: list[str], wanted: list[bool]
) -> None:
    array = Texts.build(len(texts), texts.__getitem__)
    assert [array.text(d) for d in range(len(texts))] == texts
    found = array.occurrences(np.array(wanted[: len(texts)]), needles)
    expected = [
        (d, start, end)
        for d, text in enumerate(texts)
        if wanted[d]
        for start, end in find_spans(text, needles)
    ]
    base = found.texts.starts[found.doc]
    got = list(
        zip(
            found.doc.tolist(),
            (found.start - base).tolist(),
            (found.end - base).tolist(),
            strict=True,
        )
    )
    assert got == expected
    for i, (d, start, end) in enumerate(got):  # the paragraph is the line holding the match
        first = texts[d].rfind("\n", 0, start) + 1
        last = texts[d].find("\n", end) % (len(texts[d]) + 1)
        assert (found.para_start[i] - base[i], found.para_end[i] - base[i]) == (first, last)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(st.integers(0, 2), min_size=3, max_size=3), min_size=1, max_size=60),
    window=st.tuples(st.integers(0, 70), st.integers(0, 70)),
    small=st.sampled_from([1, 2, 5, kwic.SMALL]),
    wide=st.sampled_from([3, kwic.WIDE]),
)
def test_ranked_is_a_slice_of_the_full_sort(
    rows: list[list[int]], window: tuple[int, int], small: int, wide: int
) -> None:
    """Many ties on every column but the last (each item's index), any ranks, narrowed or not."""
    values = np.array(rows, np.int64).reshape(len(rows), 3)
    columns = [lambda at, c=c: values[at, c] for c in range(3)] + [lambda at: at]
    low, high = min(window), max(window)
    expected = sorted(range(len(rows)), key=lambda i: (*rows[i], i))[low:high]
    with mock.patch.object(kwic, "SMALL", small), mock.patch.object(kwic, "WIDE", wide):
        assert ranked(columns, len(rows), low, high).tolist() == expected


def test_the_places_of_the_last_needles_asked_for_are_kept_within_bounds() -> None:
    texts = ["人大代表大会", "大会\n人大"]
    array = Texts.build(len(texts), texts.__getitem__)
    wanted = np.ones(2, bool)
    with mock.patch.object(kwic, "RECENT", 3):
        for needle in "大人代表会人大代表大会":
            found = array.occurrences(wanted, [needle])
    assert list(array.recent) == ["表", "大", "会"]
    assert array.occurrences(wanted, ["大"]).start.tolist() == [1, 4, 6, 10]
    assert (found.start.tolist(), found.end.tolist()) == ([5, 7], [6, 8])
    with mock.patch.object(kwic, "KEPT", 3):  # 表 1 + 会 2 + 大 4 places: the newest alone stays
        array.occurrences(wanted, ["大"])
    assert list(array.recent) == ["大"]

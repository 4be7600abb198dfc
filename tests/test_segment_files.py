"""One segment's files answer like a substring scan: postings, phrase verification, occurrences."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.segment_files import DocMeta, SegmentData, SegmentDataWriter
from indexer.units import Layout

# one, two, three and four UTF-8 bytes, and repeats, so byte offsets and repeated bigrams matter
CHARS = st.sampled_from("ab人大代表é𠀀")


def count(text: str, term: str) -> int:
    """Overlapping occurrences, as snippets mark them."""
    return sum(text.startswith(term, i) for i in range(len(text)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(CHARS, max_size=40), min_size=1, max_size=8),
    st.text(CHARS, min_size=1, max_size=6),
)
def test_find_equals_a_substring_scan(texts: list[str], term: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        writer = SegmentDataWriter(Path(tmp), "MAIN_x", ())
        for i, text in enumerate(texts):
            layout = Layout.of(text)
            meta = DocMeta("", "", len(layout.folded.text), {"id": str(i)})
            no_categories = [()] * len(layout.paragraphs)
            writer.add(layout, text, meta, {"words": Counter(), "title": Counter()}, no_categories)
        writer.write()
        data = SegmentData(Path(tmp), "MAIN_x")
        try:
            docs, tfs = data.find(term)
            folded = [Layout.of(text).folded.text for text in texts]
            term = Layout.of(term).folded.text
            expected = [d for d, text in enumerate(folded) if term in text]
            assert docs.tolist() == expected
            counts = [count(folded[d], term) for d in expected]
            assert data.occurrences(term, expected) == counts
            bounds = tfs.tolist()  # exact for 1-2 characters, an upper bound beyond
            assert bounds == counts if len(term) <= 2 else all(map(int.__ge__, bounds, counts))
            assert [data.orig_text(d) for d in range(len(texts))] == texts
        finally:
            data.close()

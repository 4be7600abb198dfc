"""The bulk segment writer writes exactly the files Whoosh's own add_document path writes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.schema import make_schema
from indexer.segment_writer import BulkSegmentWriter

VOCABULARY = ["人大", "代表", "代表联络站", "监督", "执法检查", "2025", "a", "立法", "常委会"]
counts = st.dictionaries(st.sampled_from(VOCABULARY), st.integers(1, 400_000), max_size=6).map(
    Counter
)
documents = st.lists(st.tuples(counts, counts), max_size=12)


def write(directory: Path, docs: list[tuple[Counter[str], Counter[str]]], bulk: bool) -> Path:
    """One segment of `docs` written by either writer; returns the segment's directory."""
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), make_schema())
    writer = BulkSegmentWriter(ix) if bulk else SegmentWriter(ix, _lk=False, compound=False)
    add = writer.add if bulk else writer.add_document
    for i, (words, title) in enumerate(docs):
        add(id=f"{i:04d}", words=words, title=title)
    writer._commit_toc([writer._finalize_segment()])
    writer.is_closed = True
    return directory


def segment_files(directory: Path) -> dict[str, object]:
    """The segment's files by name after the segment id (ids are random, contents are not), and
    what the table of contents says about the segment."""
    files = {
        p.name.split(".", 1)[1]: p.read_bytes()
        for p in directory.iterdir()
        if p.name.startswith("MAIN_")
    }
    (segment,) = whoosh_index.open_dir(str(directory))._segments()
    files["toc"] = repr((segment.doc_count_all(), sorted(segment._fieldlengths.items())))
    return files


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents)
def test_bulk_writer_files_equal_add_document_files(
    tmp_path_factory: object, docs: list[tuple[Counter[str], Counter[str]]]
) -> None:
    root = tmp_path_factory.mktemp("seg")  # type: ignore[attr-defined]
    whoosh_files = segment_files(write(root / "whoosh", docs, bulk=False))
    bulk_files = segment_files(write(root / "bulk", docs, bulk=True))
    assert set(bulk_files) == set(whoosh_files)
    for name, content in whoosh_files.items():
        assert bulk_files[name] == content, name


def test_bulk_segment_scores_like_whoosh(tmp_path: Path) -> None:
    """Lengths and weights round-trip: BM25F over the bulk segment gives Whoosh's scores."""
    from whoosh import query

    docs = [
        (Counter({"人大": 3, "代表": 1}), Counter({"人大": 1})),
        (Counter({"代表": 5, "监督": 2, "立法": 200}), Counter()),
        (Counter(), Counter({"监督": 1})),
        (Counter({"人大": 1}), Counter({"代表": 2})),
    ]
    results = []
    for bulk in (False, True):
        ix = whoosh_index.open_dir(str(write(tmp_path / str(bulk), docs, bulk)))
        with ix.searcher() as searcher:
            q = query.Or([query.Term(f, w) for f in ("words", "title") for w in ("人大", "代表")])
            results.append([(hit["id"], hit.score) for hit in searcher.search(q)])
            assert searcher.doc_field_length(1, "words") == 211  # 207 stored in one byte
    assert results[0] == results[1]
    assert [i for i, _ in results[1]] == ["0000", "0003", "0001"]

"""An archive ranks the same whatever its index's history: after any sequence of incremental
updates (records added, changed, removed), the top 100 of every query, scores included, equal
those after `index --rebuild` and the brute-force reference, in both modes."""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive, Record
from indexer import Index, SearchRequest
from tests import reference
from tests.bench.run import make_corpus

POOL_SIZE = 30
QUERIES = [("exact", "人大"), ("exact", "代表联络站"), ("exact", "执法检查 OR 监督")]
QUERIES += [("words", "人大"), ("words", "人大代表 履职"), ("words", "监督 -执法检查")]


@functools.cache
def pool(seeded_data_dir: Path) -> list[Record]:
    """The records the updates draw from (a function, not an argument hypothesis would print)."""
    return make_corpus(POOL_SIZE, list(Archive(seeded_data_dir)))


def top(index: Index) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(mode, query) -> the first 100 (record id, score)."""
    return {
        (mode, q): [
            (h.id, h.score)
            for h in index.search(SearchRequest(q=q, mode=mode, per_page=100)).hits  # type: ignore[arg-type]
        ]
        for mode, q in QUERIES
    }


operation = st.tuples(st.sampled_from(["put", "change", "remove"]), st.integers(0, POOL_SIZE - 1))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    initial=st.integers(0, POOL_SIZE),
    updates=st.lists(st.lists(operation, min_size=1, max_size=8), min_size=1, max_size=4),
)
def test_updates_rank_as_a_rebuild_and_the_reference(
    seeded_data_dir: Path, initial: int, updates: list[list[tuple[str, int]]]
) -> None:
    records = pool(seeded_data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(tmp)
        with archive.writing() as a:
            for r in records[:initial]:
                a.write(r)
        index = Index(Path(tmp))
        index.rebuild(archive)
        for step, operations in enumerate(updates):
            with archive.writing() as a:
                for op, i in operations:
                    record = records[i]
                    if op == "put":
                        a.write(record)
                    elif op == "change":
                        cut = 150 + 90 * step
                        a.write(dataclasses.replace(record, text=record.text[cut:] + "代表联络站"))
                    elif a.path(record.id).exists():
                        a.path(record.id).unlink()
            index.update(archive)
        updated = top(index)
        index.rebuild(archive)
        assert top(index) == updated
        live = list(archive)
        for mode, q in QUERIES:
            assert updated[mode, q] == reference.ranking(live, q, mode)[:100]
        index.close()

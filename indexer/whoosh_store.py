"""Whoosh behind one door: the record ids, segments, deletions and generations of a build directory.

Why Whoosh at all: an index updated in place needs what Whoosh gives, small and long tested, and
our numpy files lack: a document per record id that updates delete by, segments written by several
processes and committed together, per-segment deletion lists, and generations (`MAIN_<n>.toc`)
replaced atomically, with the files of dropped segments removed (ours too: they share the
segment's name, see indexer/segment_files.py). Whoosh stores nothing else and scores nothing:
postings, texts and metadata are our files beside each segment. Every Whoosh call is in this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.writing import SegmentWriter

INDEX_NAME = "MAIN"  # Whoosh's default index name: files MAIN_<n>.toc and MAIN_<segid>.*

NewSegment = Any  # a written, uncommitted Whoosh segment; picklable, so workers return it


@dataclass(frozen=True)
class Segment:
    """One committed segment: the prefix of its files, its size and its deleted docnums."""

    id: str  # "MAIN_<segid>": the segment's files and ours start with it
    size: int  # documents, deleted ones included
    deleted: frozenset[int]


@dataclass(frozen=True)
class Generation:
    """One committed state of a build: its number and its segments in docnum order."""

    number: int
    segments: tuple[Segment, ...]


def create(build: Path) -> None:
    """An empty index (generation 0) in a new build directory; the record id is its only field."""
    whoosh_index.create_in(str(build), Schema(id=ID(stored=True, unique=True)), INDEX_NAME)


def latest_generation(build: Path) -> int:
    """The newest committed generation's number (a listing of the directory; -1 when none)."""
    return TOC._latest_generation(FileStorage(str(build)), INDEX_NAME)


def read_generation(build: Path, number: int | None = None) -> Generation:
    """A generation's segments (the newest without a number); FileNotFoundError when a newer
    commit has removed it since it was listed."""
    toc = TOC.read(FileStorage(str(build)), INDEX_NAME, gen=number)
    return Generation(
        toc.generation,
        tuple(
            Segment(s.segment_id(), s.doc_count_all(), frozenset(s.deleted_docs()))
            for s in toc.segments
        ),
    )


class SegmentBuilder:
    """A new segment, written by one process (a worker) and committed later by the parent."""

    def __init__(self, build: Path) -> None:
        ix = whoosh_index.open_dir(str(build), INDEX_NAME)
        self._writer = SegmentWriter(ix, _lk=False, compound=False)  # compound would swallow ours
        self.id: str = self._writer.newsegment.segment_id()

    def add(self, record_id: str) -> None:
        """The next document (docnums count up from 0 in the order of adding)."""
        self._writer.add_document(id=record_id)

    def finish(self) -> NewSegment:
        """Write the segment's files; the lock and temporary storage stay the committer's."""
        segment = self._writer._finalize_segment()
        self._writer.is_closed = True
        return segment


def commit(build: Path, deletions: Iterable[str], segments: list[NewSegment]) -> None:
    """One new generation: delete these record ids, append the new segments, drop emptied ones
    (Whoosh then removes their files)."""
    writer = whoosh_index.open_dir(str(build), INDEX_NAME).writer()
    try:
        for record_id in deletions:
            writer.delete_by_term("id", record_id)
        kept = [s for s in writer.segments if s.deleted_count() < s.doc_count_all()]
        writer._close_segment()
        writer._commit_toc(kept + segments)
    finally:
        writer._finish()

"""Building the index: incremental updates in place, full rebuilds beside the live index.

Layout: DATA_DIR/index/CURRENT names the live build directory DATA_DIR/index/<build>/, which holds a
Whoosh index (indexer/whoosh_store.py) plus our files beside each segment
(indexer/segment_files.py). A rebuild writes a new build directory and then replaces CURRENT
atomically, so a reader sees the old index or the new one, never a half-built one, and a crash
mid-rebuild leaves the old one live.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import filelock

from archive import Archive, Record
from archive.categories import data_taxonomy
from archive.records import HIT_KEYS
from indexer import whoosh_store
from indexer.analysis import normalise, word_counts
from indexer.highlight import paragraphs
from indexer.models import UpdateReport
from indexer.segment_files import DocMeta, SegmentDataWriter, read_meta
from indexer.units import Layout
from indexer.whoosh_store import NewSegment

Progress = Callable[[int, int], None]  # (records done, records to do)

CURRENT = "CURRENT"
FORMAT = "8"  # of a build (8: postings and original texts in zlib blocks, bigrams' first
# offsets, paragraphs with their categories and sentence ends; 7: metadata fields as declared in
# archive.records, with doctype;
# 6: metadata pickled as indexer.segment_files.DocMeta, was ngrams;
# 5: format characters dropped in matching; 4: words beside the segments, ids only in Whoosh);
# an older build is rebuilt
MAX_SEGMENT_DOCS = 4000  # bounds a segment writer's memory (with MAX_SEGMENT_CHARS)
MAX_SEGMENT_CHARS = 16_000_000  # a segment of long texts is flushed here: memory stays bounded
PARALLEL_MIN_DOCS = 400  # below this, starting worker processes costs more than it saves
MAX_UPDATE_SEGMENTS = 32  # segments past a rebuild's: then an update compacts by rebuilding


def index_root(data_dir: Path) -> Path:
    return Path(data_dir) / "index"


def live_dir(data_dir: Path) -> Path | None:
    """The build directory CURRENT points at, or None when there is no index yet."""
    root = index_root(data_dir)
    try:
        name = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def build_format(build: Path) -> str | None:
    """The format a build directory was written in (None: before formats were recorded)."""
    try:
        return (build / "FORMAT").read_text().strip()
    except FileNotFoundError:
        return None


def taxonomy_digest(data_dir: Path) -> str:
    """The digest of the taxonomy that categorises paragraphs (the data dir's copy)."""
    return data_taxonomy(data_dir).digest


def _taxonomy_of(build: Path) -> str | None:
    """The digest of the taxonomy a build's paragraph categories came from."""
    try:
        return (build / "TAXONOMY").read_text().strip()
    except FileNotFoundError:
        return None


def _write_lock(data_dir: Path) -> filelock.FileLock:
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(root / "write.lock", timeout=600)


def _meta(record: Record, digest: str, norm_len: int) -> DocMeta:
    fields = {key: getattr(record, key) for key in HIT_KEYS}
    return DocMeta(digest, normalise(record.title), norm_len, fields)


def write_chunk(build: str, data_dir: str, items: list[tuple[str, str]]) -> list[NewSegment]:
    """Index (record id, digest) pairs into new, uncommitted segments, flushing one whenever its
    texts pass MAX_SEGMENT_CHARS, so a writer's memory is bounded however long the texts are."""
    archive = Archive(data_dir)
    taxonomy = data_taxonomy(data_dir)
    written: list[NewSegment] = []
    segment, data, chars = None, None, 0
    for record_id, digest in items:
        if segment is None or data is None:
            segment = whoosh_store.SegmentBuilder(Path(build))
            data = SegmentDataWriter(Path(build), segment.id, taxonomy.names)
        record = archive.get(record_id)
        layout = Layout.of(record.text)
        norm = layout.folded.text
        words = {"words": word_counts(norm), "title": word_counts(normalise(record.title))}
        spans = list(paragraphs(record.text))
        categories = archive.paragraph_categories(record, taxonomy.digest)
        if (  # not noted by ingest for this text and taxonomy
            categories is None
            or len(categories) != len(spans)
            or not set(taxonomy.names).issuperset(c for cats in categories for c in cats)
        ):
            categories = tuple(taxonomy.classify(record.text[s:e]).categories for _, s, e in spans)
        segment.add(record.id)
        data.add(layout, record.text, _meta(record, digest, len(norm)), words, categories)
        chars += len(record.text)
        if chars >= MAX_SEGMENT_CHARS:
            data.write()
            written.append(segment.finish())
            segment, data, chars = None, None, 0
    if segment is not None and data is not None:
        data.write()
        written.append(segment.finish())
    return written


def _chunks(items: list[tuple[str, str]], procs: int) -> list[list[tuple[str, str]]]:
    """Split into segments: several per process so progress moves, none larger than the cap."""
    if not items:
        return []
    per = min(MAX_SEGMENT_DOCS, max(100, math.ceil(len(items) / (4 * procs))))
    return [items[i : i + per] for i in range(0, len(items), per)]


def _write_segments(
    build: Path,
    data_dir: Path,
    items: list[tuple[str, str]],
    procs: int,
    progress: Progress | None,
) -> list[NewSegment]:
    """Write the new segments, in worker processes when there are enough records to pay off."""
    chunks = _chunks(items, procs)
    done = 0
    segments: list[NewSegment] = []
    if procs <= 1 or len(items) < PARALLEL_MIN_DOCS:
        for chunk in chunks:
            segments += write_chunk(str(build), str(data_dir), chunk)
            done += len(chunk)
            if progress:
                progress(done, len(items))
        return segments
    context = multiprocessing.get_context("spawn")  # no forked copies of a server's threads
    with ProcessPoolExecutor(max_workers=procs, mp_context=context) as pool:
        futures = [pool.submit(write_chunk, str(build), str(data_dir), c) for c in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            segments += future.result()
            done += len(chunk)
            if progress:
                progress(done, len(items))
    return segments


def indexed_digests(build: Path) -> dict[str, str]:
    """Record id -> digest of every live document in a build."""
    digests: dict[str, str] = {}
    for segment in whoosh_store.read_generation(build).segments:
        for docnum, meta in enumerate(read_meta(build, segment.id)):
            if docnum not in segment.deleted:
                digests[meta.id] = meta.digest
    return digests


def default_procs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def rebuild(
    data_dir: Path, archive: Archive, progress: Progress | None = None, procs: int | None = None
) -> UpdateReport:
    """Build a complete index beside the live one and switch CURRENT to it atomically."""
    with _write_lock(data_dir):
        return _rebuild_locked(Path(data_dir), archive, progress, procs or default_procs())


def _rebuild_locked(
    data_dir: Path, archive: Archive, progress: Progress | None, procs: int
) -> UpdateReport:
    root = index_root(data_dir)
    build = Path(tempfile.mkdtemp(prefix=f"build-{time.strftime('%Y%m%d%H%M%S')}-", dir=root))
    try:
        whoosh_store.create(build)
        (build / "FORMAT").write_text(FORMAT + "\n")
        (build / "TAXONOMY").write_text(taxonomy_digest(data_dir) + "\n")
        items = sorted(archive.digests().items())
        segments = _write_segments(build, data_dir, items, procs, progress)
        whoosh_store.commit(build, (), segments)
        pointer = root / f".{CURRENT}.tmp"
        pointer.write_text(build.name + "\n")
        os.replace(pointer, root / CURRENT)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    for old in root.iterdir():  # earlier builds and leftovers of builds that crashed
        if old.is_dir() and old != build:
            shutil.rmtree(old, ignore_errors=True)
    return UpdateReport(added=len(items), rebuilt=True)


def update(
    data_dir: Path, archive: Archive, progress: Progress | None = None, procs: int | None = None
) -> UpdateReport:
    """Bring the live index up to date with the archive: index added and changed, drop removed."""
    data_dir = Path(data_dir)
    with _write_lock(data_dir):
        build = live_dir(data_dir)
        if (
            build is None
            or build_format(build) != FORMAT
            or _taxonomy_of(build) != taxonomy_digest(data_dir)  # paragraphs categorised anew
        ):
            return _rebuild_locked(data_dir, archive, progress, procs or default_procs())
        old = indexed_digests(build)
        new = archive.digests()
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(i for i in set(new) & set(old) if new[i] != old[i])
        report = UpdateReport(
            added=len(added),
            changed=len(changed),
            removed=len(removed),
            unchanged=len(new) - len(added) - len(changed),
        )
        if not (added or removed or changed):
            return report
        rebuilt = math.ceil(len(new) / MAX_SEGMENT_DOCS)  # about the segments of a rebuild
        if len(whoosh_store.read_generation(build).segments) >= rebuilt + MAX_UPDATE_SEGMENTS:
            _rebuild_locked(data_dir, archive, progress, procs or default_procs())
            return report
        items = [(i, new[i]) for i in sorted(added + changed)]
        segments = _write_segments(build, data_dir, items, procs or default_procs(), progress)
        whoosh_store.commit(build, removed + changed, segments)
        return report

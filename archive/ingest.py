"""Ingest source files into the archive: read, split into summaries, extract metadata, store."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from archive import gazetteer
from archive.categories import Taxonomy, data_taxonomy
from archive.formats import (
    SUPPORTED_SUFFIXES,
    Document,
    FormatError,
    JsonlRows,
    read_document,
)
from archive.lineage import Lineage, Old, match, new_id
from archive.metadata import Metadata, extract
from archive.records import GIVEN_KEYS, PLACE_LEVELS, Record, make_id
from archive.registry import Fate, Given
from archive.split import split_document
from archive.store import Archive, StoreError
from archive.workers import chunked, in_workers

if TYPE_CHECKING:
    from archive.fetching import Fetched

Outcome = Literal["added", "updated", "unchanged"]
PARALLEL_MIN_ROWS = 2000  # a JSONL with fewer rows is made in-process: starting workers costs ~1 s
CHUNK_ROWS = 100  # JSONL rows sent to a worker at a time
PARALLEL_MIN_FILES = 200  # fewer files are read in-process (a JSONL always is: it has its own)
CHUNK_FILES = 20  # files sent to a worker at a time
Prepared = tuple[Document, list[Record]] | Exception  # a file read, or why it could not be
INGEST_ERRORS = (FormatError, StoreError, OSError)  # what a bad source raises, with one line


@dataclass(frozen=True)
class Progress:
    """How far an ingest is, for a progress display: whole files, and records so far."""

    files: int  # sources finished (ingested, failed or skipped)
    total_files: int
    records: int  # records of the sources so far, also of the one being read
    fraction: float  # of the work, counting a large source's records as they are written


@dataclass(frozen=True)
class Failure:
    """A source that was skipped, with the one-line reason the user sees."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """What one ingest did, counted by source file."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    records: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # files in folders that are not sources

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.failures)} failed, {len(self.skipped)} skipped "
            f"({self.records} records from these sources)"
        )


def ingest_paths(
    archive: Archive,
    paths: Iterable[str | os.PathLike[str]],
    restore_deleted: bool = False,
    urls: Iterable[str] = (),
    allow_private: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively) and web addresses; a bad one is reported and
    skipped, never fatal. Deleted records stay deleted unless `restore_deleted`; categories come
    from the data dir's taxonomy (TaxonomyError when it is broken). Records are group-committed
    (`Archive.batched`); `progress` hears after each record and each file."""
    report = IngestReport()
    taxonomy = data_taxonomy(archive.data_dir)
    sources = list(iter_sources(paths))
    tell = progress or (lambda _: None)
    total = max(len(sources), 1)
    files = 0

    def counted(records: Iterable[Record], expected: int) -> Iterator[Record]:
        for done, record in enumerate(records, start=1):
            yield record
            share = done / expected if expected else 0.0
            tell(Progress(files, len(sources), report.records + done, (files + share) / total))

    shown = [source_name(path) for path, _ in sources]
    readable = [named or path.suffix.lower() in SUPPORTED_SUFFIXES for path, named in sources]
    # read ahead in workers: a JSONL is read by its own (its rows stream from the kept copy)
    early = [
        ok and path.suffix.lower() != ".jsonl"
        for (path, _), ok in zip(sources, readable, strict=True)
    ]
    ahead = [
        (str(path), name) for (path, _), name, e in zip(sources, shown, early, strict=True) if e
    ]
    with (
        archive.writing(),
        archive.batched(),
        contextlib.closing(read_ahead(ahead, taxonomy)) as prepared,
    ):
        for url in urls:
            ingest = partial(ingest_url, archive, url, allow_private, taxonomy)
            count_source(report, url, ingest)
        for files, (path, _) in enumerate(sources):
            if not readable[files]:
                report.skipped.append(Failure(shown[files], "unsupported file type"))
            else:
                made = next(prepared) if early[files] else None
                ingest = partial(
                    ingest_file,
                    archive,
                    path,
                    shown[files],
                    taxonomy,
                    restore_deleted,
                    watch=counted,
                    prepared=made,
                )
                if count_source(report, shown[files], ingest) is not None:
                    archive.checkpoint()
            tell(Progress(files + 1, len(sources), report.records, (files + 1) / total))
    return report


def read_ahead(files: list[tuple[str, str]], taxonomy: Taxonomy) -> Iterator[Prepared | None]:
    """Each (path, shown) file read and made into records, in order: in worker processes, ahead
    of the writer, when there are many; else None for each (read when ingested)."""
    if len(files) < PARALLEL_MIN_FILES:
        yield from repeat(None, len(files))
        return
    yield from in_workers(partial(_prepare, taxonomy), chunked(files, CHUNK_FILES))


def _prepare(taxonomy: Taxonomy, files: list[tuple[str, str]]) -> list[Prepared]:
    """Some files read and made into records, or the error each raised (run in a worker)."""
    made: list[Prepared] = []
    for path, shown in files:
        try:
            doc = read_document(Path(path))
            made.append((doc, list(build_records(doc, shown, taxonomy))))
        except INGEST_ERRORS as exc:
            made.append(exc)
    return made


def count_source(
    report: IngestReport, shown: str, ingest: Callable[[], tuple[Outcome, str, int]]
) -> str | None:
    """Run one source's ingest into the report: its outcome, or its failure in one line; the
    source's digest when it was ingested."""
    from archive.fetching import FetchError

    try:
        outcome, sha256, count = ingest()
    except (FetchError, *INGEST_ERRORS) as exc:
        report.failures.append(Failure(shown, str(exc) or exc.__class__.__name__))
        return None
    setattr(report, outcome, getattr(report, outcome) + 1)
    report.records += count
    return sha256


def ingest_file(
    archive: Archive,
    path: Path,
    shown: str,
    taxonomy: Taxonomy,
    restore_deleted: bool = False,
    origin: str | None = None,
    watch: Callable[[Iterable[Record], int], Iterable[Record]] | None = None,
    prepared: Prepared | None = None,
) -> tuple[Outcome, str, int]:
    """Ingest one source file (inside `writing()`), recorded as `shown` and known by `origin`
    (default: its absolute path); its outcome, digest and number of records. A bulk JSONL's
    records stream through `watch` (given them and how many to expect); `prepared`: the file
    already read (`read_ahead`). Raises one of INGEST_ERRORS with a one-line reason."""
    if isinstance(prepared, Exception):
        raise prepared
    doc = read_document(path) if prepared is None else prepared[0]
    archive.keep_source(path, doc.sha256)  # verifies the bytes it keeps are the ones read
    if isinstance(doc.rows, JsonlRows):  # read again: from the verified copy
        doc = replace(doc, rows=JsonlRows(archive.kept(doc.sha256), len(doc.rows)))
    records = build_records(doc, shown, taxonomy) if prepared is None else prepared[1]
    if watch is not None:
        records = watch(records, len(doc.rows))
    origin = origin or path.resolve().as_posix()
    outcome, count = ingest_source(archive, origin, doc.sha256, records, restore_deleted)
    return outcome, doc.sha256, count


def ingest_url(
    archive: Archive, url: str, allow_private: bool, taxonomy: Taxonomy
) -> tuple[Outcome, str, int]:
    """Fetch a web address (see archive/fetching.py) and ingest the page (inside `writing()`)."""
    from archive.fetching import fetch

    return ingest_page(archive, fetch(url, allow_private), taxonomy)


def ingest_page(archive: Archive, page: Fetched, taxonomy: Taxonomy) -> tuple[Outcome, str, int]:
    """Ingest a fetched page (inside `writing()`), recorded with its address as its source and
    origin, its bytes kept under sources/."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=archive.data_dir) as work:
        path = Path(work) / f"page{page.suffix}"
        path.write_bytes(page.content)
        return ingest_file(archive, path, page.url, taxonomy, origin=page_origin(page))


def page_origin(page: Fetched) -> str:
    """A fetched page's origin: its address, with the reader's suffix where the address lacks it
    (so reextract knows the reader)."""
    return page.url if Path(page.url).suffix == page.suffix else f"{page.url}#{page.suffix}"


def live_ids(archive: Archive, sha256: str) -> list[str]:
    """The live records of the source with these bytes, in its order."""
    key = archive.registry.by_digest(sha256)
    ids = archive.registry.sources[key].ids if key is not None else []
    return [i for i in ids if archive.registry.ids[i].fate == "live"]


def ingest_source(
    archive: Archive,
    origin: str,
    sha256: str,
    records: Iterable[Record],
    restore_deleted: bool,
) -> tuple[Outcome, int]:
    """Make the archive hold a source's records: its known bytes change nothing, an edited
    source's records keep their ids and corrections, a new source's get new ids. `origin`: where
    the source was first ingested from (an absolute path or a URL). Returns what happened and how
    many records the source holds."""
    registry = archive.registry
    key = registry.by_digest(sha256)
    if key is not None:
        return _same_bytes(archive, key, records, restore_deleted)
    key = registry.by_origin(origin)
    count = replace_records(archive, origin, key, sha256, records, restore_deleted)
    return ("added" if key is None else "updated"), count


def lineage_of(archive: Archive, key: str | None, sha256: str, records: list[Record]) -> Lineage:
    """Which ids the records of the source known as `key` (None: a new source) take."""
    registry = archive.registry
    old_ids = registry.sources[key].ids if key is not None else []
    old = {i: Old(registry.ids[i].part, archive.text_before(i)) for i in old_ids}

    def free(candidate: str) -> bool:
        given = registry.ids.get(candidate)
        return given is None or (given.source == key and given.fate in ("removed", "merged"))

    return match(old, records, sha256, free)


def replace_records(
    archive: Archive,
    origin: str,
    key: str | None,
    sha256: str,
    records: Iterable[Record],
    restore_deleted: bool,
) -> int:
    """Make `records` the records of the source known as `key` (now `origin`), keeping ids, the
    fields people corrected and deletions; returns how many there were. A new source's records
    stream through (a bulk JSONL is never held); an edited one's are matched to the old ones."""
    registry = archive.registry
    pairs: Iterable[tuple[Record, str]]
    if key is None:
        pairs, gone = _new_ids(archive, sha256, records), {}
    else:
        records = list(records)
        lineage = lineage_of(archive, key, sha256, records)
        pairs, gone = zip(records, lineage.ids, strict=True), lineage.gone
    fates: dict[str, tuple[int | None, Fate]] = {}
    for record, record_id in pairs:
        record = replace(record, id=record_id, origin=origin)
        fates[record_id] = (record.part, _write(archive, record, restore_deleted))
    for record_id, successor in gone.items():
        given = registry.ids[record_id]
        if given.fate == "live":
            archive.discard(record_id)
            given.fate, given.successor = ("merged" if successor else "removed"), successor
    for record_id, (part, fate) in fates.items():
        registry.ids[record_id] = Given(origin, part, fate)
    registry.set_source(origin, sha256, list(fates), key)
    return len(fates)


def _new_ids(
    archive: Archive, sha256: str, records: Iterable[Record]
) -> Iterator[tuple[Record, str]]:
    """A new source's records with their ids, as `lineage_of` gives them when nothing is old."""
    taken: set[str | None] = set()
    for record in records:
        record_id = new_id(sha256, record.part, lambda i: i not in archive.registry.ids, taken)
        taken.add(record_id)
        yield record, record_id


def _same_bytes(
    archive: Archive, key: str, records: Iterable[Record], restore_deleted: bool
) -> tuple[Outcome, int]:
    """A source's known bytes, from wherever: leave its records as they are, but write one that
    an archive made before the registry lacks, and (with `restore_deleted`) the deleted ones."""
    registry = archive.registry
    source = registry.sources[key]
    by_part = {registry.ids[i].part: i for i in source.ids}
    outcome: Outcome = "unchanged"
    count = 0
    for record in records:
        count += 1
        record = replace(record, id=by_part.get(record.part, record.id), origin=key)
        given = registry.ids.get(record.id)
        if given is not None and given.fate == "live" and archive.has(record.id):
            archive.adopt(record)
            continue
        fate = _write(archive, record, restore_deleted)
        if fate == "live":
            outcome = "updated"
        if given is None:
            source.ids.append(record.id)
        registry.ids[record.id] = Given(key, record.part, fate)
    return outcome, count


def _write(archive: Archive, record: Record, restore_deleted: bool) -> Fate:
    """Write one record of a source (keeping its corrections), unless it was deleted, also by
    hand (its file removed), and is not to be restored; returns its fate."""
    given = archive.registry.ids.get(record.id)
    deleted = given is not None and given.fate == "deleted"
    by_hand = given is not None and given.fate == "live" and not archive.has(record.id)
    if (deleted or by_hand) and not restore_deleted:
        if by_hand:
            archive.delete(record.id, record)
        return "deleted"
    if deleted:
        archive.undelete(record.id)
    archive.rewrite(record)
    return "live"


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, bool]]:
    """Files named directly (True) and the files inside folders (False; hidden ones left out),
    in order."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden:
                    yield child, False
        else:
            yield path, True


def source_name(path: Path) -> str:
    """The path shown and recorded as a record's source: relative to the working folder when
    inside it (the source is recognised by its bytes and its absolute path, not by this)."""
    absolute = path.resolve()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def build_records(doc: Document, source: str, taxonomy: Taxonomy) -> Iterable[Record]:
    """The records of one document; explicit metadata (front matter, JSONL fields) wins. A
    JSONL's are made one at a time as they are used."""
    if doc.kind == "jsonl":
        rows = enumerate(doc.rows, start=1)
        if len(doc.rows) < PARALLEL_MIN_ROWS:
            return (_row_record(doc.sha256, source, taxonomy, row) for row in rows)
        chunks = chunked(rows, CHUNK_ROWS)
        return in_workers(partial(_row_records, doc.sha256, source, taxonomy), chunks)
    split = split_document(doc.text, article=doc.kind == "html")
    compiled = len(split.sections) > 1
    records = [
        _record(
            doc.sha256,
            source,
            taxonomy,
            section.part,
            doc.front_matter.get("title", section.title) if not compiled else section.title,
            section.body,
            section.committee,
            split.preamble,
            doc.front_matter,
        )
        for section in split.sections
        if section.body.strip()
    ]
    if not records:
        raise FormatError("no summary text found")
    return records


def _row_records(
    sha256: str, source: str, taxonomy: Taxonomy, rows: list[tuple[int, dict[str, Any]]]
) -> list[Record]:
    """The records of some rows of a JSONL source (run in a worker process)."""
    return [_row_record(sha256, source, taxonomy, row) for row in rows]


def _row_record(
    sha256: str, source: str, taxonomy: Taxonomy, row: tuple[int, dict[str, Any]]
) -> Record:
    """The record of one numbered row of a JSONL source: its stated fields win."""
    part, fields = row
    return _record(
        sha256, source, taxonomy, part, fields["title"], fields["text"], None, "", fields
    )


def _record(
    sha256: str,
    source: str,
    taxonomy: Taxonomy,
    part: int | None,
    title: str,
    body: str,
    committee: str | None,
    context: str,
    given: Mapping[str, Any],
) -> Record:
    """One record: extracted metadata, overridden field by field by what the source states."""
    found = extract(title, body, given.get("committee") or committee, context)
    categories, by_paragraph = taxonomy.categorised(body)
    # The caller has settled the title (a compilation's sections keep their own).
    stated = {k: given[k] for k in GIVEN_KEYS if k != "title" and given.get(k) is not None}
    extracted = {
        "title": title.strip() or found.committee or "无标题",
        "committee": found.committee,
        "year": found.year,
        "doctype": found.doctype,
        "categories": categories,
        "source": source,
        **_place(given, found, f"{title}\n{body}\n{context}"),
    }
    values = extracted | stated
    return Record(
        **values | {"categories": tuple(values["categories"])},
        id=make_id(sha256, part),
        text=body.strip(),
        part=part,
        source_sha256=sha256,
        origin=source,
        paragraph_categories=by_paragraph,
    )


def _place(given: Mapping[str, Any], found: Metadata, context: str) -> dict[str, str | None]:
    """Place fields the source states win one by one; the others come from extraction where it
    agrees with every stated one, else from the gazetteer above the lowest stated level."""
    stated = {level: given.get(level) for level in PLACE_LEVELS}
    extracted = {level: getattr(found, level) for level in PLACE_LEVELS}
    if all(value is None or extracted[level] == value for level, value in stated.items()):
        merged = {level: stated[level] or extracted[level] for level in PLACE_LEVELS}
    else:
        lowest = stated["district"] or stated["city"] or stated["province"]
        hint = "\n".join(v for v in (stated["city"], stated["province"], context) if v)
        known = gazetteer.resolve(lowest, hint)
        merged = {
            level: stated[level] or (getattr(known, level) if known else None)
            for level in PLACE_LEVELS
        }
    return merged

"""Ingest source files into the archive: read, split into summaries, extract metadata, store."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import gazetteer
from archive.categories import categorise
from archive.formats import SUPPORTED_SUFFIXES, Document, FormatError, read_document
from archive.metadata import Metadata, extract
from archive.records import GIVEN_KEYS, PLACE_LEVELS, Record, make_id
from archive.split import split_document
from archive.store import Archive, StoreError


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

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.failures)} failed ({self.records} records from these sources)"
        )


def ingest_paths(archive: Archive, paths: Iterable[str | os.PathLike[str]]) -> IngestReport:
    """Ingest files and folders (recursively); a bad file is reported and skipped, never fatal."""
    report = IngestReport()
    with archive.writing():
        origins = archive.by_origin()
        for path in iter_sources(paths):
            source = source_name(path)
            try:
                records = build_records(read_document(path), source)
                outcome = archive.replace_source(source, records, origins.get(source, {}))
                origins[source] = {r.id: r.source_sha256 for r in records}
            except (FormatError, StoreError, OSError) as exc:
                report.failures.append(Failure(source, str(exc) or exc.__class__.__name__))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            report.records += len(records)
    return report


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named directly, and supported files inside folders (hidden ones skipped), in order."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        else:
            yield path


def source_name(path: Path) -> str:
    """The path recorded as a record's source: relative to the working folder when inside it."""
    absolute = path.resolve()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def build_records(doc: Document, source: str) -> list[Record]:
    """The records of one document; explicit metadata (front matter, JSONL fields) wins."""
    if doc.kind == "jsonl":
        return [
            _record(doc, source, part, row["title"], row["text"], None, "", row)
            for part, row in enumerate(doc.rows, start=1)
        ]
    split = split_document(doc.text, article=doc.kind == "html")
    compiled = len(split.sections) > 1
    records = [
        _record(
            doc,
            source,
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


def _record(
    doc: Document,
    source: str,
    part: int | None,
    title: str,
    body: str,
    committee: str | None,
    context: str,
    given: Mapping[str, Any],
) -> Record:
    """One record: extracted metadata, overridden field by field by what the source states."""
    found = extract(title, body, given.get("committee") or committee, context)
    # The caller has settled the title (a compilation's sections keep their own).
    stated = {k: given[k] for k in GIVEN_KEYS if k != "title" and given.get(k) is not None}
    extracted = {
        "title": title.strip() or found.committee or "无标题",
        "committee": found.committee,
        "year": found.year,
        "doctype": found.doctype,
        "categories": categorise(body),
        "source": source,
        **_place(given, found, f"{title}\n{body}\n{context}"),
    }
    values = extracted | stated
    return Record(
        **values | {"categories": tuple(values["categories"])},
        id=make_id(doc.sha256, part),
        text=body.strip(),
        part=part,
        source_sha256=doc.sha256,
        origin=source,
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

"""Today's rules applied again to what the archive already holds, never touching what people set.

`reextract` reads every kept source (DATA_DIR/sources/, so the original files are not needed) and
rewrites its records with today's splitting and extraction; `recategorise` re-applies the data
dir's taxonomy to the stored texts. Both write through `Archive.rewrite`, which keeps corrected
fields, and keep ids and deletions as a re-ingest does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archive.categories import Taxonomy, data_taxonomy
from archive.formats import FormatError, read_document
from archive.ingest import Failure, build_records, lineage_of, replace_records
from archive.records import CORRECTABLE, Record
from archive.store import Archive, StoreError

ABSENT = "（无）"  # how a record that is not there is shown in a change


@dataclass(frozen=True)
class Change:
    """One field of one record that re-extraction changes (a whole record: field `record`)."""

    record_id: str
    field: str
    old: Any
    new: Any

    def line(self) -> str:
        return f"{self.record_id}  {self.field}: {_shown(self.old)} -> {_shown(self.new)}"


@dataclass
class ReextractReport:
    """What one re-extraction changed (or, in a dry run, would change)."""

    sources: int = 0
    changes: list[Change] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        records = len({c.record_id for c in self.changes})
        verb = "would change" if self.dry_run else "changed"
        return (
            f"{self.sources} sources: {verb} {len(self.changes)} fields in {records} records, "
            f"{len(self.failures)} failed"
        )


def reextract(archive: Archive, dry_run: bool = False) -> ReextractReport:
    """Run today's extraction again on every kept source and apply it (unless `dry_run`), field by
    field, keeping the fields people corrected, ids and deletions."""
    report = ReextractReport(dry_run=dry_run)
    taxonomy = data_taxonomy(archive.data_dir)
    with archive.writing():
        registry = archive.registry
        for key, source in sorted(registry.sources.items()):
            try:
                records = _fresh(archive, key, source.sha256, taxonomy)
            except (FormatError, StoreError, OSError) as exc:
                report.failures.append(Failure(key, str(exc) or exc.__class__.__name__))
                continue
            report.sources += 1
            report.changes += _changes(archive, key, source.sha256, records)
            if not dry_run:
                replace_records(archive, key, key, source.sha256, records, restore_deleted=False)
                archive.checkpoint()
    return report


def _fresh(archive: Archive, key: str, sha256: str, taxonomy: Taxonomy) -> list[Record]:
    """Today's records of a kept source, shown under the name its records give it now."""
    doc = read_document(archive.source_path(sha256), suffix=Path(key).suffix)
    records = list(build_records(doc, key, taxonomy))
    registry = archive.registry
    shown = {
        archive.get(i).source
        for i in registry.sources[key].ids
        if registry.ids[i].fate == "live" and archive.path(i).exists()
    }
    if len(shown) == 1:  # the path as it was typed at ingest (or a URL the source names)
        (name,) = shown
        records = [replace(r, source=name) if r.source == key else r for r in records]
    return records


def _changes(archive: Archive, key: str, sha256: str, records: list[Record]) -> list[Change]:
    """Field by field, what writing `records` for the source `key` changes in its live records."""
    registry = archive.registry
    lineage = lineage_of(archive, key, sha256, records)
    changes: list[Change] = []
    for record, record_id in zip(records, lineage.ids, strict=True):
        given = registry.ids.get(record_id)
        if given is not None and given.fate == "deleted":
            continue  # stays deleted, as on re-ingest
        try:
            before = archive.get(record_id)
        except KeyError:
            changes.append(Change(record_id, "record", ABSENT, record.title))
            continue
        after, _ = archive.merged(replace(record, id=record_id, origin=key))
        changes += [
            Change(record_id, name, getattr(before, name), getattr(after, name))
            for name in CORRECTABLE
            if getattr(before, name) != getattr(after, name)
        ]
    changes += [
        Change(gone, "record", archive.get(gone).title, ABSENT)
        for gone in lineage.gone
        if registry.ids[gone].fate == "live" and archive.path(gone).exists()
    ]
    return changes


def _shown(value: Any) -> str:
    """A value on one short line."""
    if isinstance(value, tuple | list):
        value = "、".join(map(str, value)) or "[]"
    text = "null" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass
class RecategoriseReport:
    """What one recategorise did, counted by record."""

    changed: int = 0
    unchanged: int = 0
    kept: int = 0  # categories the user corrected

    def summary(self) -> str:
        return f"{self.changed} changed, {self.unchanged} unchanged, {self.kept} kept as corrected"


def recategorise(archive: Archive, taxonomy: Taxonomy) -> RecategoriseReport:
    """Re-apply a taxonomy to every stored record without re-reading its source; records whose
    `corrected` list names categories keep them. Changed records are rewritten atomically."""
    report = RecategoriseReport()
    with archive.writing():
        for record in archive:
            categories = taxonomy.record_categories(record.text)
            if categories == record.categories:
                report.unchanged += 1
                continue
            written = archive.rewrite(replace(record, categories=categories))
            if written.categories == categories:
                report.changed += 1
            else:
                report.kept += 1
    return report

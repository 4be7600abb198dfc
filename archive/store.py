"""The archive on disk: one Markdown file with YAML front matter per record, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import filelock
import yaml

from archive.records import METADATA_KEYS, MetadataError, Record, check_metadata, is_valid_id

Outcome = Literal["added", "updated", "unchanged"]
TEMP_PREFIX = ".tmp-"
STORED_KEYS = (*METADATA_KEYS, "source_sha256", "origin")  # what a record file's front matter holds
# libyaml's C parser and emitter when PyYAML has them (its wheels do): ~10x faster than pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class StoreError(Exception):
    """A record file cannot be read or written; the message names the file."""


class Archive:
    """The durable source of truth: the index can always be rebuilt from these files."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self.records_dir = self.data_dir / "records"

    @contextmanager
    def writing(self, timeout: float = 10) -> Iterator[Archive]:
        """Hold the archive's write lock; the OS drops it if the holder dies, so it never goes stale."""
        self.records_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.data_dir / "archive.lock", timeout=timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"{self.data_dir}: another process is writing the archive") from None
        try:
            for leftover in self.records_dir.glob(TEMP_PREFIX + "*"):
                leftover.unlink()  # a crash mid-write leaves only these, never a half record
            yield self
        finally:
            lock.release()

    def path(self, record_id: str) -> Path:
        """Where a record lives; refuses anything that is not a record id."""
        if not is_valid_id(record_id):
            raise KeyError(record_id)
        return self.records_dir / f"{record_id}.md"

    def ids(self) -> list[str]:
        """All record ids, sorted."""
        if not self.records_dir.is_dir():
            return []
        return sorted(p.stem for p in self.records_dir.glob("*.md") if is_valid_id(p.stem))

    def get(self, record_id: str) -> Record:
        """One record by id; KeyError when there is none."""
        path = self.path(record_id)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyError(record_id) from None
        return parse_record(data, path)

    def __iter__(self) -> Iterator[Record]:
        for record_id in self.ids():
            yield self.get(record_id)

    def __len__(self) -> int:
        return len(self.ids())

    def digests(self) -> dict[str, str]:
        """Record id -> digest of its file, so an index can tell what changed since it was built."""
        return {
            record_id: hashlib.sha256(self.path(record_id).read_bytes()).hexdigest()
            for record_id in self.ids()
        }

    def by_origin(self) -> dict[str, dict[str, str | None]]:
        """Ingested file -> {record id: its digest then}, to replace a changed file's records."""
        origins: dict[str, dict[str, str | None]] = {}
        for record in self:
            origins.setdefault(record.origin or "", {})[record.id] = record.source_sha256
        return origins

    def replace_source(
        self, origin: str, records: list[Record], old: dict[str, str | None]
    ) -> Outcome:
        """Make the archive hold `records` for the file `origin`, whose records were `old` (id ->
        digest, from `by_origin()`, read once per batch); call inside `writing()`."""
        new_ids = {r.id for r in records}
        digests = {r.source_sha256 for r in records}
        if old and set(old) <= new_ids and set(old.values()) == digests:
            # The same bytes as before: keep the records (and the user's corrections) as they
            # are; write only those missing, e.g. after a crash in the middle of the first ingest.
            missing = [r for r in records if r.id not in old]
            for record in missing:
                self.write(record)
            return "updated" if missing else "unchanged"
        for record in records:
            self.write(record)
        for stale in set(old) - new_ids:
            self.path(stale).unlink(missing_ok=True)
        return "updated" if old else "added"

    def write(self, record: Record) -> None:
        """Write one record atomically: a temp file in the same folder, fsynced, then renamed."""
        path = self.path(record.id)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".md", dir=self.records_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(serialise_record(record))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.records_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def serialise_record(record: Record) -> bytes:
    """Markdown with YAML front matter: readable and editable by hand."""
    meta = record.metadata() | {"source_sha256": record.source_sha256, "origin": record.origin}
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{record.text.strip()}\n".encode()


def parse_record(data: bytes, path: Path) -> Record:
    """Read a record file back, with a one-line error naming the file when it is damaged."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8") from None
    if not text.startswith("---\n"):
        raise StoreError(f"{path}: missing YAML front matter")
    front, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise StoreError(f"{path}: front matter is not closed by '---'")
    try:
        meta = yaml.load(front, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        raise StoreError(
            f"{path}: front matter is not valid YAML ({exc.__class__.__name__})"
        ) from None
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: front matter must be a mapping")
    if meta.get("id") != path.stem:
        raise StoreError(f"{path}: id in front matter does not match the file name")
    try:
        fields = check_metadata(meta, STORED_KEYS, "")
    except MetadataError as exc:
        raise StoreError(f"{path}: {exc}") from None
    fields.setdefault("title", "")
    fields["categories"] = tuple(fields.get("categories", ()))
    return Record(**fields, text=body.strip())

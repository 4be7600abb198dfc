"""The archive on disk: one Markdown file with YAML front matter per record, written atomically."""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import itertools
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock
import yaml

from archive import frontmatter
from archive.records import (
    CORRECTABLE,
    METADATA_KEYS,
    MetadataError,
    ParagraphCategories,
    Record,
    check_metadata,
    is_valid_id,
)
from archive.registry import Given, Registry, RegistryError, Source

TEMP_PREFIX = ".tmp-"
# What a record file's front matter holds: `corrected` is written only when a person set a field.
STORED_KEYS = (*METADATA_KEYS, "corrected", "source_sha256", "origin")
REGISTRY = "registry.json"
LOCK = "archive.lock"
SAVE_EVERY = 1.0  # seconds between registry saves during a long ingest...
SAVE_SHARE = 10  # ...or this many times the last save's time, so saving a large one stays cheap
CHUNK = 1024 * 1024  # bytes copied at a time when keeping a source
BATCH_FILES = 512  # staged files that make a group commit: one sync and one fsync per folder
NOTE_KEYS = {"written", "replaces", "corrected", "fields"}  # of an extracted/<id>.json


class StoreError(Exception):
    """A record file cannot be read or written; the message names the file."""


class StoreBusy(StoreError):
    """Another process held the write lock too long: nothing is damaged, try again later."""


class Archive:
    """The durable source of truth: the index can always be rebuilt from these files.

    records/<id>.md     the records, editable by hand
    extracted/<id>.json what ingest last wrote in each record, to tell a person's edits from its own
    deleted/<id>.md     deleted records, so their source does not bring them back
    sources/<sha256[:2]>/<sha256>  every ingested source's bytes, by content
    registry.json       every id given, its source and its fate
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self.records_dir = self.data_dir / "records"
        self.extracted_dir = self.data_dir / "extracted"
        self.deleted_dir = self.data_dir / "deleted"
        self.sources_dir = self.data_dir / "sources"
        self._registry: Registry | None = None
        self._saved: tuple[bytes, float, float] = (b"", 0.0, 0.0)  # bytes, when, how long
        self._staged: dict[Path, Path] | None = None  # target -> its temp file, inside `batched()`

    @contextmanager
    def writing(self, timeout: float = 10) -> Iterator[Archive]:
        """Hold the archive's write lock; the OS drops it if the holder dies, so it never goes stale."""
        for folder in (self.records_dir, self.extracted_dir, self.deleted_dir, self.sources_dir):
            folder.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.data_dir / LOCK, timeout=timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreBusy(f"{self.data_dir}: another process is writing the archive") from None
        try:
            folders = (self.data_dir, self.records_dir, self.extracted_dir, self.deleted_dir)
            for folder in (*folders, *self.sources_dir.iterdir()):
                for leftover in folder.glob(TEMP_PREFIX + "*"):
                    leftover.unlink()  # a crash mid-write leaves only these, never a half file
            yield self
        finally:
            try:
                if self._registry is not None:
                    self.checkpoint(force=True)
            finally:
                self._registry = None
                lock.release()

    @property
    def registry(self) -> Registry:
        """The ids and sources, read (or built from the records of an older archive) once per
        `writing()`; saved when it ends and by `checkpoint()`."""
        if self._registry is None:
            path = self.data_dir / REGISTRY
            try:
                registry = Registry.read(path)
            except RegistryError as exc:
                raise StoreError(str(exc)) from None
            self._registry = registry or self._registry_from_records()
            self._saved = (path.read_bytes() if registry else b"", time.monotonic(), 0.0)
        return self._registry

    def _registry_from_records(self) -> Registry:
        """What an archive made before the registry implies: each record's source and part."""
        sources: dict[str, Source] = {}
        ids: dict[str, Given] = {}
        for record in sorted(self, key=lambda r: (r.part or 0, r.id)):
            key = record.origin or f"sha256:{record.source_sha256}"
            sources.setdefault(key, Source(str(record.source_sha256))).ids.append(record.id)
            ids[record.id] = Given(key, record.part)
        return Registry(sources, ids)

    def checkpoint(self, force: bool = False) -> None:
        """Save the registry when it changed, at most every SAVE_EVERY seconds (or SAVE_SHARE
        times as long as the last save took) unless forced; call it only between sources, when
        every record file it names is written (staged files are committed first). A crash loses
        only what was noted since (ids given, fates): re-ingesting notes it again."""
        data, saved_at, took = self._saved
        wait = max(SAVE_EVERY, SAVE_SHARE * took)
        if self._registry is None or (not force and time.monotonic() - saved_at < wait):
            return
        self.commit()  # the registry never names a record that is not durable yet
        started = time.monotonic()
        new = self._registry.to_bytes()
        if new != data:
            atomic_write(self.data_dir / REGISTRY, new)
        self._saved = (new, time.monotonic(), time.monotonic() - started)

    @contextmanager
    def batched(self) -> Iterator[Archive]:
        """Group commit inside `writing()`: files written are staged and made durable together
        every BATCH_FILES files and at each `checkpoint()`, so a record costs no fsync of its own."""
        self._staged = {}
        try:
            yield self
        finally:
            try:
                self.commit()
            finally:
                self._staged = None

    def commit(self) -> None:
        """Make the staged files durable, then rename them into place folder by folder, each
        folder fsynced once, extracted/ before records/: a note is in place before its record."""
        staged = self._staged
        if not staged:
            return
        _sync(self.data_dir, list(staged.values()))
        folders: dict[Path, list[tuple[Path, Path]]] = {}
        for target, tmp in staged.items():
            folders.setdefault(target.parent, []).append((tmp, target))
        for folder in sorted(folders, key=lambda folder: folder == self.records_dir):
            for tmp, target in folders[folder]:
                os.replace(tmp, target)
            _fsync(folder)
        staged.clear()

    def _put(self, path: Path, data: bytes) -> None:
        """Write a file atomically: at once, or staged for the batch's commit."""
        self._publish(path, _temp_file(path, data))

    def _publish(self, target: Path, tmp: Path) -> None:
        """Put a written temp file in place: fsynced and renamed now (`atomic_write`), or staged."""
        if self._staged is None:
            _rename_durably(tmp, target)
            return
        if target in self._staged:  # its note names the bytes on disk as the ones it replaces
            self.commit()
        self._staged[target] = tmp
        if len(self._staged) >= BATCH_FILES:
            self.commit()

    def _bytes(self, path: Path) -> bytes | None:
        """A file's bytes as the archive will hold them (a staged file's new ones); None if none."""
        try:
            return (self._staged or {}).get(path, path).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, record_id: str) -> bool:
        """Whether a record file exists (or is staged to)."""
        path = self.path(record_id)
        return path in (self._staged or {}) or path.exists()

    def exists(self) -> bool:
        """Whether this data dir holds an archive (also one whose records were all deleted)."""
        return (self.data_dir / REGISTRY).is_file() or bool(self.ids())

    def path(self, record_id: str) -> Path:
        """Where a record lives; refuses anything that is not a record id."""
        if not is_valid_id(record_id):
            raise KeyError(record_id)
        return self.records_dir / f"{record_id}.md"

    def ids(self) -> list[str]:
        """All record ids, sorted."""
        return _ids(self.records_dir)

    def get(self, record_id: str) -> Record:
        """One record by id (a staged one as it will be); KeyError when there is none."""
        path = self.path(record_id)
        data = self._bytes(path)
        if data is None:
            raise KeyError(record_id)
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

    def gone(self, record_id: str) -> tuple[Given, str | None] | None:
        """For an id whose record was deleted or dropped from its edited source: its registry
        entry and the live record that holds its text now, if any. Reads without the lock."""
        try:
            registry = Registry.read(self.data_dir / REGISTRY) if is_valid_id(record_id) else None
        except RegistryError as exc:
            raise StoreError(str(exc)) from None
        given = registry.gone(record_id) if registry else None
        return (given, registry.successor(record_id)) if registry and given else None

    def deleted(self) -> Iterator[Record]:
        """The deleted records, as they were when deleted."""
        for record_id in _ids(self.deleted_dir):
            yield _read(self.deleted_dir / f"{record_id}.md")

    def write(self, record: Record) -> None:
        """Write one record file atomically: a temp file in the same folder, fsynced, renamed."""
        self._put(self.path(record.id), serialise_record(record))

    def corrected(self, record: Record, written: bytes) -> tuple[str, ...]:
        """The fields a person set in a record whose file holds `written`: those it lists, and
        those whose value differs from what ingest last wrote there."""
        last = self._note(record.id)
        if last is None:
            return record.corrected  # written by an older version, its source not seen since
        digest = hashlib.sha256(written).hexdigest()
        if digest in (last["written"], last["replaces"]):  # ours (the previous one: a crash)
            return tuple(last["corrected"])
        now = correctable_values(record)
        changed = {key for key in CORRECTABLE if now[key] != last["fields"].get(key)}
        return tuple(key for key in CORRECTABLE if key in changed or key in record.corrected)

    def rewrite(self, fresh: Record, corrections: Mapping[str, Any] | None = None) -> Record:
        """Write `fresh` (what extraction made) as the record of its id, keeping the value of every
        field a person corrected; `corrections` are values a person sets now. Call inside
        `writing()`; re-ingest, re-extraction and editors all write records through here."""
        record, before = self.merged(fresh, corrections)
        after = serialise_record(record)
        if after != before:
            self._remember(record, after, before)
            self._put(self.path(fresh.id), after)
        return record

    def merged(
        self, fresh: Record, corrections: Mapping[str, Any] | None = None
    ) -> tuple[Record, bytes | None]:
        """What `rewrite` would write (and the file's bytes now), without writing: `fresh` with
        the corrected fields' values kept and `corrections` applied."""
        path = self.path(fresh.id)
        before = self._bytes(path)
        kept: dict[str, Any] = {}
        if before is not None:
            old = parse_record(before, path)
            kept = {key: getattr(old, key) for key in self.corrected(old, before)}
        kept.update(corrections or {})
        if not kept and not fresh.corrected:  # a new record, the usual case of a bulk ingest
            return fresh, before
        corrected = tuple(key for key in CORRECTABLE if key in kept)
        return dataclasses.replace(fresh, **kept, corrected=corrected), before

    def source_path(self, sha256: str) -> Path:
        """Where a source's bytes are kept (see `keep_source`)."""
        return self.sources_dir / sha256[:2] / sha256

    def adopt(self, fresh: Record) -> None:
        """Give a record written by an older version, which kept no note of what it wrote, the
        values extraction makes of the same bytes as that note, so a person's edits show."""
        if self._bytes(self._extracted(fresh.id)) is not None:
            return
        stored = self.get(fresh.id)
        baseline = dataclasses.replace(fresh, source=stored.source)  # spelt from the cwd then
        self._remember(baseline, None, None, stored.corrected)

    def _remember(
        self,
        record: Record,
        written: bytes | None,
        replaces: bytes | None,
        corrected: tuple[str, ...] | None = None,
    ) -> None:
        """Note what ingest writes in a record file, before writing it (a crash in between leaves
        the previous file, which the note also recognises)."""
        note = {
            "written": written and hashlib.sha256(written).hexdigest(),
            "replaces": replaces and hashlib.sha256(replaces).hexdigest(),
            "corrected": list(record.corrected if corrected is None else corrected),
            "fields": correctable_values(record),
        }
        kept = record.paragraph_categories
        if kept is not None:
            note["paragraphs"] = kept.to_note()
        self._put(self._extracted(record.id), json.dumps(note, ensure_ascii=False).encode())

    def paragraph_categories(
        self, record: Record, taxonomy: str
    ) -> tuple[tuple[str, ...], ...] | None:
        """Each paragraph's categories as ingest noted them, if the taxonomy with this digest made
        them of the record's text as it is now; else None (classify them)."""
        try:
            note = self._note(record.id)
        except (StoreError, OSError):  # damaged or unreadable: never worse than classifying
            return None
        kept = ParagraphCategories.from_note(note.get("paragraphs")) if note else None
        return kept.of(record.text, taxonomy) if kept else None

    def _extracted(self, record_id: str) -> Path:
        return self.extracted_dir / f"{self.path(record_id).stem}.json"

    def _note(self, record_id: str) -> dict[str, Any] | None:
        """What ingest last wrote in a record file (see `_remember`); None when it kept no note."""
        path = self._extracted(record_id)
        data = self._bytes(path)
        if data is None:
            return None
        try:
            note = json.loads(data)
        except ValueError:
            note = None
        fields = note.get("fields") if isinstance(note, dict) else None
        if not (isinstance(fields, dict) and "text" in fields and note.keys() >= NOTE_KEYS):
            raise StoreError(
                f"{path}: damaged; remove it, and only the fields the record lists as corrected "
                "count as corrected"
            )
        return note

    def delete(self, record_id: str, record: Record | None = None) -> None:
        """Move a record to deleted/ and remember it, so re-ingesting its source leaves it out;
        `record` is what to keep there when its file is already gone (removed by hand)."""
        self.commit()  # files are moved on disk from here
        target = self.deleted_dir / f"{record_id}.md"
        if record is not None:
            if not target.exists():  # else kept by a `delete` interrupted before it noted it
                self._put(target, serialise_record(record))
        else:
            os.replace(self.path(record_id), target)
            _fsync(self.deleted_dir)
            _fsync(self.records_dir)
        given = self.registry.ids.get(record_id)
        if given is not None:
            given.fate, given.successor = "deleted", None

    def undelete(self, record_id: str) -> None:
        """Bring a deleted record's file back (with its corrections) before it is rewritten."""
        self.commit()  # files are moved on disk from here
        kept = self.deleted_dir / f"{record_id}.md"
        if kept.exists():
            os.replace(kept, self.path(record_id))
            _fsync(self.records_dir)

    def discard(self, record_id: str) -> None:
        """Remove a record its edited source no longer holds (the registry keeps its fate)."""
        self.commit()  # else a staged file would come back after its removal
        for path in (self.path(record_id), self._extracted(record_id)):
            path.unlink(missing_ok=True)

    def text_before(self, record_id: str) -> str | None:
        """What ingest last wrote as a record's text (live or deleted), to match an edited source's
        new records to the old ones; None when nothing of it is left."""
        note = self._note(record_id)
        if note is not None:
            return str(note["fields"]["text"])
        for path in (self.path(record_id), self.deleted_dir / f"{record_id}.md"):
            data = self._bytes(path)
            if data is not None:
                return parse_record(data, path).text
        return None

    def kept(self, sha256: str) -> Path:
        """Where a kept source's bytes can be read now: its staged copy while a batch holds it."""
        target = self.source_path(sha256)
        return (self._staged or {}).get(target, target)

    def keep_source(self, path: Path, sha256: str) -> None:
        """Keep a source's bytes under sources/, by content, so it can be read again later."""
        target = self.source_path(sha256)
        if target in (self._staged or {}) or target.exists():
            return
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as f:
                while chunk := f.read(CHUNK):  # in bounded memory: a bulk JSONL is large
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise StoreError(f"{path}: the file changed while it was read; ingest it again")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._publish(target, Path(tmp))


def correctable_values(record: Record) -> dict[str, Any]:
    """The fields a person may correct, as JSON values."""
    values = {key: getattr(record, key) for key in CORRECTABLE}
    values["categories"] = list(record.categories)
    return values


def atomic_write(path: Path, data: bytes) -> None:
    """A temp file in the same folder, fsynced, renamed over `path`, the folder fsynced: a crash
    leaves the old file or the new one, never half of either."""
    _rename_durably(_temp_file(path, data), path)


def _rename_durably(tmp: Path, path: Path) -> None:
    """Fsync a temp file, rename it over `path` and fsync the folder (the temp file is removed
    if that fails)."""
    try:
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(path.parent)


def _temp_file(path: Path, data: bytes) -> Path:
    """`data` in a new temp file beside `path`, owner-only like mkstemp's, not yet fsynced
    (removed again if writing fails). Named by process and count: cheaper than mkstemp's
    random names, which cost as much as writing a record."""
    while True:
        tmp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{next(_TEMP_COUNT)}-{path.name}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:  # left by a process of the same id that was killed
            continue
        break
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return tmp


_TEMP_COUNT = itertools.count()


def _sync(data_dir: Path, files: list[Path]) -> None:
    """Make a batch's files durable: one syncfs of their file system where Linux has it, else an
    fsync each."""
    if _syncfs is not None:
        fd = os.open(data_dir, os.O_RDONLY)
        try:
            if _syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for file in files:
        _fsync(file)


def _load_syncfs() -> Any:
    """libc's syncfs(2), or None where there is none (not Linux)."""
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs()


def _fsync(path: Path) -> None:
    """Make a written file's bytes, or the renames in a folder, durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ids(folder: Path) -> list[str]:
    """The record ids of the .md files in a folder, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.md") if is_valid_id(p.stem))


def _read(path: Path) -> Record:
    """A record file; KeyError when there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyError(path.stem) from None
    return parse_record(data, path)


def serialise_record(record: Record) -> bytes:
    """Markdown with YAML front matter: readable and editable by hand."""
    meta = record.metadata()
    if record.corrected:
        meta["corrected"] = list(record.corrected)
    meta |= {"source_sha256": record.source_sha256, "origin": record.origin}
    front = frontmatter.dump(meta)
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
        meta = frontmatter.load(front) or {}
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
    unknown = set(fields.get("corrected", ())) - set(CORRECTABLE)
    if unknown:
        raise StoreError(
            f"{path}: corrected names an unknown field {sorted(unknown)[0]!r} "
            f"(allowed: {', '.join(CORRECTABLE)})"
        )
    fields["corrected"] = tuple(fields.get("corrected", ()))
    return Record(**fields, text=body.strip())

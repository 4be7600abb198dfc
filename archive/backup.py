"""Backups of a data dir: one .tar.gz of everything but the rebuildable index, taken under the
archive's write lock so it is consistent while the server runs and editors or ingests wait."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from archive.store import LOCK, TEMP_PREFIX, Archive, StoreError

MANIFEST = "congress-archive-backup.json"
FORMAT = 1
LEFT_OUT = frozenset({"index", LOCK})  # the index is rebuilt from the records; the lock is runtime
STAGING = ".restore-"


@dataclass(frozen=True)
class Counts:
    """What a backup holds, as its manifest states it."""

    records: int
    deleted: int
    sources: int

    def summary(self) -> str:
        return f"{self.records} records, {self.deleted} deleted, {self.sources} sources"


def backup(archive: Archive, target: Path) -> Counts:
    """Write a backup of the archive to `target` (atomically: a temp file, then renamed)."""
    if not archive.exists():
        raise StoreError(f"no archive in {archive.data_dir.resolve()} (missing or empty)")
    if not target.resolve().parent.is_dir():
        raise StoreError(f"没有这个文件夹：{target.resolve().parent} (no such folder)")
    with archive.writing():
        counts = Counts(
            len(archive.ids()),
            sum(1 for _ in archive.deleted_dir.glob("*.md")),
            sum(1 for p in archive.sources_dir.glob("*/*") if not p.name.startswith(TEMP_PREFIX)),
        )
        manifest = {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        manifest.update(counts.__dict__)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.resolve().parent)
        try:
            with os.fdopen(fd, "wb") as f:
                with tarfile.open(fileobj=f, mode="w:gz") as tar:
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
                    for entry in sorted(archive.data_dir.iterdir()):
                        if entry.name not in LEFT_OUT and not _temporary(entry.name):
                            tar.add(entry, arcname=entry.name, filter=_no_temp_files)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return counts


def restore(source: Path, data_dir: Path, force: bool = False) -> Counts:
    """Unpack a backup into an empty or new data dir; a non-empty one only with `force`, and then
    its present contents (index included) are replaced only once the whole backup is unpacked."""
    created = not data_dir.exists()
    empty = created or not any(data_dir.iterdir())
    if not empty and not force:
        raise StoreError(
            f"{data_dir.resolve()} is not empty: restore into a new folder, "
            "or pass --force to replace what it holds"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _restore(source, data_dir)
    except BaseException:
        if empty:  # leave nothing behind, so the next try starts from the same empty folder
            for entry in data_dir.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            if created:
                data_dir.rmdir()
        raise


def _restore(source: Path, data_dir: Path) -> Counts:
    """Unpack beside what `data_dir` holds, then swap it in, under the archive's write lock."""
    archive = Archive(data_dir)
    with archive.writing():
        for leftover in data_dir.glob(STAGING + "*"):
            raise StoreError(
                f"{leftover}: left by an interrupted restore; check it, then remove it"
            )
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=data_dir))
        try:
            counts = _unpack(source, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # Swap: what the dir held goes aside first, so an interruption loses nothing (the next
        # restore stops at the leftovers and names them).
        old = Path(tempfile.mkdtemp(prefix=STAGING, dir=data_dir))
        for entry in data_dir.iterdir():
            if entry.name != LOCK and entry not in (staging, old):
                os.replace(entry, old / entry.name)
        for entry in staging.iterdir():
            os.replace(entry, data_dir / entry.name)
        staging.rmdir()
        shutil.rmtree(old)
    return counts


def _unpack(source: Path, staging: Path) -> Counts:
    """Extract a backup into `staging` and check it is one; returns what its manifest states."""
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, `..`, links out or devices
    except (OSError, tarfile.TarError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        raise StoreError(f"{source}: not a readable backup ({reason})") from None
    try:
        manifest = json.loads((staging / MANIFEST).read_bytes())
        counts = Counts(manifest["records"], manifest["deleted"], manifest["sources"])
        supported = manifest["format"] == FORMAT
    except (OSError, ValueError, KeyError, TypeError):
        raise StoreError(f"{source}: not a congress-archive backup (no manifest)") from None
    if not supported:
        raise StoreError(f"{source}: backup format {manifest['format']} is not supported")
    (staging / MANIFEST).unlink()
    if len(list((staging / "records").glob("*.md"))) != counts.records:
        raise StoreError(f"{source}: damaged backup (records missing)")
    return counts


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, fileobj=io.BytesIO(data))


def _temporary(name: str) -> bool:
    return name.startswith((TEMP_PREFIX, STAGING))


def _no_temp_files(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Leave out half-written temp files (none exist under the lock, but a crash may leave some)."""
    return None if _temporary(Path(info.name).name) else info

"""Every change a person makes keeps the record file it replaces, and a line in the audit log."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.records import Record, is_valid_id
from archive.store import Archive, atomic_write, parse_record

HISTORY = "history"
AUDIT = "audit.jsonl"
VERSION = re.compile(r"^\d{8}T\d{6}\.\d{6}Z$")  # a version's name: when it was replaced, UTC


@dataclass(frozen=True)
class Version:
    """A previous version of a record file, named by when it was replaced."""

    name: str
    record: Record

    @property
    def when(self) -> str:
        """The time, readable: 2026-12-02 05:10:03 UTC."""
        n = self.name
        return f"{n[0:4]}-{n[4:6]}-{n[6:8]} {n[9:11]}:{n[11:13]}:{n[13:15]} UTC"


def _folder(archive: Archive, record_id: str) -> Path:
    if not is_valid_id(record_id):
        raise KeyError(record_id)
    return archive.data_dir / HISTORY / record_id


def _name(micros: int) -> str:
    """A version's file name for a time in microseconds since the epoch."""
    seconds, fraction = divmod(micros, 10**6)
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds)) + f".{fraction:06d}Z"


def keep(archive: Archive, record_id: str) -> str | None:
    """Copy the record's current file into its history before it changes (call inside
    `writing()`); the version's name, or None when there is no file yet."""
    try:
        data = archive.path(record_id).read_bytes()
    except FileNotFoundError:
        return None
    folder = _folder(archive, record_id)
    folder.mkdir(parents=True, exist_ok=True)
    micros = time.time_ns() // 1000
    while (folder / f"{_name(micros)}.md").exists():  # two saves in one microsecond
        micros += 1
    name = _name(micros)
    atomic_write(folder / f"{name}.md", data)
    return name


def versions(archive: Archive, record_id: str) -> list[Version]:
    """The record's previous versions, newest first."""
    folder = _folder(archive, record_id)
    if not folder.is_dir():
        return []
    names = sorted((p.stem for p in folder.glob("*.md") if VERSION.match(p.stem)), reverse=True)
    return [version(archive, record_id, name) for name in names]


def version(archive: Archive, record_id: str, name: str) -> Version:
    """One previous version; KeyError for an unknown or malformed name."""
    if not VERSION.match(name):
        raise KeyError(name)
    path = _folder(archive, record_id) / f"{name}.md"
    try:
        return Version(name, parse_record(path.read_bytes(), archive.path(record_id)))
    except FileNotFoundError:
        raise KeyError(name) from None


def audit(archive: Archive, who: str, action: str, address: str, **details: Any) -> None:
    """Append one line to DATA_DIR/audit.jsonl: who did what, when and from which address."""
    line = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "who": who,
        "action": action,
        "address": address,
        **details,
    }
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
    fd = os.open(archive.data_dir / AUDIT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)

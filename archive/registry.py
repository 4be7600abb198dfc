"""Every id the archive has given, its source and its fate: so ids outlive edits of their source,
deleted records stay deleted, and a gone record's permalink can say what became of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Fate = Literal["live", "deleted", "removed", "merged"]
VERSION = 1


@dataclass
class Source:
    """One source file: the digest of its bytes as last ingested, and its records in part order."""

    sha256: str
    ids: list[str] = field(default_factory=list)


@dataclass
class Given:
    """One id: the source it came from, its position there and what became of it."""

    source: str
    part: int | None
    fate: Fate = "live"
    successor: str | None = None  # where a merged record's text went


class RegistryError(Exception):
    """registry.json cannot be read; the message names the file."""


class Registry:
    """Sources keyed by their origin as first ingested (a resolved absolute path), and ids."""

    def __init__(self, sources: dict[str, Source], ids: dict[str, Given]) -> None:
        self.sources = sources
        self.ids = ids
        self._digests = {source.sha256: key for key, source in sources.items()}
        self._relative = {key for key in sources if not key.startswith("/")}  # older versions'

    @classmethod
    def read(cls, path: Path) -> Registry | None:
        """The registry stored at `path`, or None when there is none yet."""
        try:
            data = json.loads(path.read_bytes())
            return cls(
                {key: Source(**value) for key, value in data["sources"].items()},
                {key: Given(**value) for key, value in data["ids"].items()},
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise RegistryError(
                f"{path}: damaged ({exc.__class__.__name__}); restore it from a backup"
            ) from None

    def to_bytes(self) -> bytes:
        """Stable JSON, one id per line, so a diff of two versions is readable."""
        data = {
            "version": VERSION,
            "sources": {key: vars(value) for key, value in sorted(self.sources.items())},
            "ids": {key: vars(value) for key, value in sorted(self.ids.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n"

    def by_digest(self, sha256: str) -> str | None:
        """The source whose current bytes these are, wherever they are ingested from now."""
        return self._digests.get(sha256)

    def by_origin(self, origin: str) -> str | None:
        """The source first ingested from `origin`; a relative origin recorded by an older version
        (relative to a working folder it did not note) matches when it is the unique tail of an
        absolute path, never of a web address or an upload (whose tail anyone can choose)."""
        if origin in self.sources:
            return origin
        if not origin.startswith("/"):
            return None
        tails = [key for key in self._relative if _is_tail(key, origin)]
        return tails[0] if len(tails) == 1 else None

    def set_source(self, key: str, sha256: str, ids: list[str], old_key: str | None) -> None:
        """Record a source's current bytes and records, moving it from an older key."""
        if old_key is not None and old_key != key:
            moved = self.sources.pop(old_key)
            if self._digests.get(moved.sha256) == old_key:
                del self._digests[moved.sha256]
            self._relative.discard(old_key)
            for given in self.ids.values():
                if given.source == old_key:
                    given.source = key
        previous = self.sources.get(key)
        if previous is not None:
            self._digests.pop(previous.sha256, None)
        self.sources[key] = Source(sha256, ids)
        self._digests[sha256] = key
        if not key.startswith("/"):
            self._relative.add(key)

    def gone(self, record_id: str) -> Given | None:
        """The registry entry of an id whose record is no longer in the archive."""
        given = self.ids.get(record_id)
        return given if given is not None and given.fate != "live" else None

    def successor(self, record_id: str) -> str | None:
        """The live record a merged one's text went to, following later merges."""
        seen = {record_id}
        given = self.ids.get(record_id)
        while given is not None and given.fate == "merged" and given.successor not in seen:
            record_id = str(given.successor)
            seen.add(record_id)
            given = self.ids.get(record_id)
        return record_id if given is not None and given.fate == "live" else None


def _is_tail(relative: str, absolute: str) -> bool:
    """Whether `absolute` ends with the path `relative` (whole components only)."""
    return absolute.endswith("/" + relative.removeprefix("./"))

"""The record: one work summary of one standing committee, as stored and indexed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")

# The metadata keys, in the order they are stored and shown.
METADATA_KEYS = (
    "id",
    "title",
    "committee",
    "district",
    "city",
    "province",
    "year",
    "categories",
    "source",
    "part",
)


@dataclass(frozen=True)
class Record:
    """A district summary with its metadata; unknown values are None, never a guess."""

    id: str
    title: str
    text: str
    committee: str | None = None
    district: str | None = None
    city: str | None = None
    province: str | None = None
    year: int | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)
    source: str | None = None
    part: int | None = None
    source_sha256: str | None = None  # digest of the source file, to skip unchanged re-ingests

    def metadata(self) -> dict[str, Any]:
        """Everything but the text, as plain JSON-ready values."""
        data = asdict(self)
        data["categories"] = list(self.categories)
        return {key: data[key] for key in METADATA_KEYS}


def make_id(source_digest: str, part: int | None) -> str:
    """Stable id from the source's content and the record's position in it, not ingest order."""
    key = f"{source_digest}#{'' if part is None else part}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def is_valid_id(value: str) -> bool:
    """Ids are 12 hex digits; anything else (e.g. '../../etc/passwd') never reaches the disk."""
    return bool(ID_PATTERN.match(value))

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
# What a person may correct: the metadata ingest does not assign, and the text. A corrected field
# keeps its value whatever rewrites the record later (re-ingest, a changed source, re-extraction).
CORRECTABLE = (*(key for key in METADATA_KEYS if key not in ("id", "part")), "text")


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
    origin: str | None = None  # the ingested file; unlike `source`, never overridden by the source
    corrected: tuple[str, ...] = ()  # the CORRECTABLE fields a person set, which ingest keeps

    def metadata(self) -> dict[str, Any]:
        """Everything but the text, as plain JSON-ready values."""
        data = asdict(self)
        data["categories"] = list(self.categories)
        return {key: data[key] for key in METADATA_KEYS}


class MetadataError(ValueError):
    """A metadata field of an unknown name or the wrong type; the message names it."""


def check_metadata(data: dict[Any, Any], allowed: tuple[str, ...], prefix: str) -> dict[str, Any]:
    """Fields of known names and types; null means unknown and is dropped."""
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise MetadataError(
                f"{prefix}unknown field {_shown(key)} (allowed: {', '.join(allowed)})"
            )
        if value is None:
            continue
        if key in ("year", "part"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise MetadataError(f"{prefix}{key} must be a whole number, not {_shown(value)}")
        elif key in ("categories", "corrected"):
            if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                raise MetadataError(f"{prefix}{key} must be a list of strings")
        elif not isinstance(value, str):
            raise MetadataError(f"{prefix}{key} must be text, not {_shown(value)}")
        checked[key] = value
    return checked


def _shown(value: object) -> str:
    """A user's value in a message: on one line and short."""
    shown = repr(value) if isinstance(value, str | list | dict) else str(value)  # dates as typed
    return shown if len(shown) <= 40 else shown[:39] + "…"


def make_id(source_digest: str, part: int | None) -> str:
    """Stable id from the source's content and the record's position in it, not ingest order."""
    key = f"{source_digest}#{'' if part is None else part}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def is_valid_id(value: str) -> bool:
    """Ids are 12 hex digits; anything else (e.g. '../../etc/passwd') never reaches the disk."""
    return bool(ID_PATTERN.match(value))

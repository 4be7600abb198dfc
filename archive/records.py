"""The record: one work summary of one standing committee, as stored and indexed.

Its metadata fields are declared once, in `Record`, each with its column label and the search
facet it feeds; the store, the source readers, the indexer, the API, the exports and the CLI all
read `FIELDS` rather than naming the fields again.
"""

from __future__ import annotations

import hashlib
import re
import typing
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from typing import Any, Literal

ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")
Kind = Literal["text", "int", "list"]


def _meta(
    label: str,
    *,
    facet: str | None = None,
    given: bool = True,
    hit: bool = True,
    default: Any = None,
) -> Any:
    """A metadata field's declaration: its column label, facet, and who may set it."""
    spec = {"label": label, "facet": facet, "given": given, "hit": hit}
    return field(default=default, metadata=spec)


@dataclass(frozen=True)
class ParagraphCategories:
    """What a taxonomy (known by its digest) made of each paragraph of a record's text: ingest's
    by-product, kept in its note so that the index need not classify the paragraphs again."""

    taxonomy: str
    text: str  # digest of the text classified (`text_digest`)
    paragraphs: tuple[tuple[str, ...], ...]

    def to_note(self) -> dict[str, Any]:
        """As an extraction note keeps it (JSON)."""
        return {"taxonomy": self.taxonomy, "text": self.text, "paragraphs": self.paragraphs}

    @classmethod
    def from_note(cls, value: Any) -> ParagraphCategories | None:
        """Read back from a note; None when it holds something else (edited by hand)."""
        try:
            paragraphs = value["paragraphs"]
            if not all(
                isinstance(p, list) and all(isinstance(c, str) for c in p) for p in paragraphs
            ):
                return None
            made = cls(value["taxonomy"], value["text"], tuple(map(tuple, paragraphs)))
        except (KeyError, TypeError):
            return None
        return made if isinstance(made.taxonomy, str) and isinstance(made.text, str) else None

    def of(self, text: str, taxonomy: str) -> tuple[tuple[str, ...], ...] | None:
        """The paragraphs' categories if they were made of this text by this taxonomy."""
        if self.taxonomy == taxonomy and self.text == text_digest(text):
            return self.paragraphs
        return None


def text_digest(text: str) -> str:
    """A text as a record keeps it (without surrounding blanks), by its SHA-256."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Record:
    """A district summary with its metadata; unknown values are None, never a guess."""

    id: str = _meta("编号", given=False, default=MISSING)
    title: str = _meta("标题", default=MISSING)
    committee: str | None = _meta("常委会")
    district: str | None = _meta("区县", facet="district")
    city: str | None = _meta("城市", facet="city")
    province: str | None = _meta("省份", facet="province")
    year: int | None = _meta("年份", facet="year")
    doctype: str | None = _meta("文种", facet="doctype")
    categories: tuple[str, ...] = _meta("类别", facet="category", default=())
    source: str | None = _meta("来源", hit=False)  # the file, or the URL the source itself names
    part: int | None = _meta("汇编序号", given=False, hit=False)  # position in a compilation
    text: str
    source_sha256: str | None = None  # digest of the source file, to skip unchanged re-ingests
    origin: str | None = None  # the ingested file; unlike `source`, never overridden by the source
    corrected: tuple[str, ...] = ()  # the CORRECTABLE fields a person set, which ingest keeps
    # Not in the record file: kept in ingest's note of it (archive/store.py) for the index.
    paragraph_categories: ParagraphCategories | None = field(default=None, compare=False)

    def metadata(self) -> dict[str, Any]:
        """Everything but the text, as plain JSON-ready values."""
        data = {key: getattr(self, key) for key in METADATA_KEYS}
        data["categories"] = list(self.categories)
        return data


@dataclass(frozen=True)
class Field:
    """One metadata field as every layer sees it."""

    name: str
    kind: Kind
    label: str  # column header in CSV/XLSX, label on pages
    facet: str | None  # the search filter and facet it feeds (its URL parameter), if any
    given: bool  # a source (front matter, a JSONL row) may state it
    hit: bool  # kept in the index and shown with search hits


def _kind(annotation: Any) -> Kind:
    """The JSON kind of a field from its type annotation."""
    if typing.get_origin(annotation) is tuple:
        return "list"
    return "int" if int in (annotation, *typing.get_args(annotation)) else "text"


@cache
def _kinds() -> dict[str, Kind]:
    """The JSON kind of every stored field: the metadata and the bookkeeping (`corrected`, ...)."""
    hints = typing.get_type_hints(Record)
    return {f.name: _kind(hints[f.name]) for f in fields(Record)}


FIELDS = tuple(Field(f.name, _kinds()[f.name], **f.metadata) for f in fields(Record) if f.metadata)
METADATA_KEYS = tuple(f.name for f in FIELDS)  # in the order they are stored, shown and exported
HIT_KEYS = tuple(f.name for f in FIELDS if f.hit)  # what the index keeps and a hit shows
GIVEN_KEYS = tuple(f.name for f in FIELDS if f.given)  # what a source may state
# What a person may correct: what a source may state, and the text. A corrected field keeps its
# value whatever rewrites the record later (re-ingest, an edited source, re-extraction).
CORRECTABLE = (*GIVEN_KEYS, "text")
PLACE_LEVELS = ("province", "city", "district")  # top down; a place facet per level
_FACETED = {f.facet: f for f in FIELDS if f.facet}
FACETS = (*PLACE_LEVELS, *(name for name in _FACETED if name not in PLACE_LEVELS))
FACET_FIELD = {name: _FACETED[name].name for name in FACETS}  # facet -> the field it counts
LIST_FACETS = tuple(f for f in FACETS if _FACETED[f].kind != "int")  # text values, repeatable
TEXT_FACETS = tuple(f for f in FACETS if _FACETED[f].kind == "text")  # one value per record
LABELS = {f.name: f.label for f in FIELDS} | {f.facet: f.label for f in FIELDS if f.facet}


class MetadataError(ValueError):
    """A metadata field of an unknown name or the wrong type; the message names it."""


def check_metadata(data: dict[Any, Any], allowed: tuple[str, ...], prefix: str) -> dict[str, Any]:
    """Fields of known names and types; null means unknown and is dropped."""
    kinds = _kinds()
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise MetadataError(
                f"{prefix}unknown field {_shown(key)} (allowed: {', '.join(allowed)})"
            )
        if value is None:
            continue
        kind = kinds.get(key, "text")
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise MetadataError(f"{prefix}{key} must be a whole number, not {_shown(value)}")
        elif kind == "list":
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

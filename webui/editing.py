"""What an editor may set in a record, checked against the gazetteer and the taxonomy, and how a
change is saved: the previous file into history, the record through Archive.rewrite, the audit
line, then the index."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from archive import Archive, Record, history
from archive.categories import data_taxonomy
from archive.doctype import DOCTYPES
from archive.gazetteer import Place, places_by_name
from archive.records import CORRECTABLE, LABELS, PLACE_LEVELS
from indexer import Index

FIELD_LABELS = {**LABELS, "text": "正文"}  # what the editor pages call each correctable field
MAX_LINE = 200  # title, committee, doctype: one line each
YEARS = (1949, 2100)


class EditError(ValueError):
    """A value an editor entered that cannot be stored; one line, Chinese with the English gist."""


@cache
def place_names() -> dict[str, tuple[str, ...]]:
    """Level -> every name of that level in the gazetteer, sorted: the completion lists."""
    names: dict[str, set[str]] = {level: set() for level in PLACE_LEVELS}
    for places in places_by_name().values():
        for place in places:
            for level in PLACE_LEVELS:
                value = getattr(place, level)
                if value:
                    names[level].add(value)
    return {level: tuple(sorted(values)) for level, values in names.items()}


def category_names(archive: Archive) -> tuple[str, ...]:
    """The categories of the data dir's taxonomy, in its order."""
    return data_taxonomy(archive.data_dir).names


def _line(value: str | None, label: str, required: bool = False) -> str | None:
    value = " ".join((value or "").split())
    if required and not value:
        raise EditError(f"{label}不能为空 ({label} is required)")
    if len(value) > MAX_LINE:
        raise EditError(f"{label}过长，最多 {MAX_LINE} 个字符 ({label} too long)")
    return value or None


def _place(given: dict[str, str | None]) -> None:
    """A place must be one the gazetteer knows, with exactly these higher levels."""
    lowest = given["district"] or given["city"] or given["province"]
    if lowest is None:
        return
    wanted = Place(str(given["province"]), given["city"], given["district"])
    if wanted not in places_by_name().get(lowest, ()):
        shown = " · ".join(v for v in (given["district"], given["city"], given["province"]) if v)
        raise EditError(
            f"行政区划中没有这个地区：{shown}，请从提示中选择区县、城市和省份 (unknown place)"
        )


def _doctype(value: str | None) -> str | None:
    value = (value or "").strip()
    if value and value not in DOCTYPES:
        raise EditError(f"文种应为 {'、'.join(DOCTYPES)} 之一 (unknown doctype)")
    return value or None


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not YEARS[0] <= int(value) <= YEARS[1]:
        raise EditError(f"年份应为 {YEARS[0]}–{YEARS[1]} 之间的整数 (year must be a whole number)")
    return int(value)


def checked_values(
    get: Callable[[str], str | None], categories: list[str], known: tuple[str, ...]
) -> dict[str, Any]:
    """Every correctable field from what the editor entered (`known`: the taxonomy's
    categories); EditError names the first bad one."""
    values: dict[str, Any] = {
        "title": _line(get("title"), "标题", required=True),
        "committee": _line(get("committee"), "常委会"),
        "doctype": _doctype(get("doctype")),
        "year": _year(get("year")),
    }
    place = {level: _line(get(level), LABELS[level]) for level in PLACE_LEVELS}
    _place(place)
    values.update(place)
    unknown = [c for c in categories if c not in known]
    if unknown:
        raise EditError(f"没有这个类别：{unknown[0][:40]} (unknown category)")
    values["categories"] = tuple(c for c in known if c in categories)
    text = (get("text") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise EditError("正文不能为空 (text is required)")
    values["text"] = text
    return values


def changes(record: Record, values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from the record's, in the order they are declared."""
    return {
        key: values[key]
        for key in CORRECTABLE
        if key in values and getattr(record, key) != values[key]
    }


def digest(archive: Archive, record_id: str) -> str:
    """The record file's digest, so a save can tell that someone else changed it meanwhile."""
    return hashlib.sha256(archive.path(record_id).read_bytes()).hexdigest()


class Conflict(EditError):
    """The record changed since the editor opened it."""


def save(
    archive: Archive,
    record_id: str,
    corrections: Mapping[str, Any],
    who: str,
    address: str,
    action: str,
    base: str | None = None,
    **details: Any,
) -> Record:
    """Apply a person's corrections: keep the old file, rewrite, log, and update the index so
    search and facets show it at once. `base`: the digest the editor's form was made from."""
    with archive.writing():
        if base is not None and digest(archive, record_id) != base:
            raise Conflict(
                "这条记录在您编辑期间已被修改，请重新打开编辑页 (changed meanwhile; reopen it)"
            )
        current = archive.get(record_id)
        kept = history.keep(archive, record_id)
        record = archive.rewrite(current, corrections)
        history.audit(
            archive, who, action, address, record=record_id, fields=sorted(corrections),
            previous=kept, **details,
        )  # fmt: skip
    Index(archive.data_dir).update(archive)
    return record


def delete(archive: Archive, record_id: str, who: str, address: str) -> Record:
    """Delete a record as `congress-archive delete` does, keeping its file in history too."""
    with archive.writing():
        record = archive.get(record_id)
        kept = history.keep(archive, record_id)
        archive.delete(record_id)
        history.audit(archive, who, "delete", address, record=record_id, previous=kept)
    Index(archive.data_dir).update(archive)
    return record


def paragraphs(text: str) -> list[str]:
    """A record's text as the paragraphs a split may fall between."""
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def siblings(archive: Archive, record: Record) -> list[Record]:
    """The other live records of the record's source, in source order: what it may merge with."""
    registry = archive.registry
    given = registry.ids.get(record.id)
    if given is None or given.source not in registry.sources:
        return []
    ids = [i for i in registry.sources[given.source].ids if i != record.id]
    return [
        archive.get(i) for i in ids if registry.ids[i].fate == "live" and archive.path(i).exists()
    ]


def split(archive: Archive, record_id: str, at: int, who: str, address: str) -> list[str]:
    """Cut a record's text after its first `at` paragraphs: it keeps those; the rest is ingested
    as a text source of its own (kept in sources/, so re-ingest and reextract treat it like any
    other), shown with the record's source. The ids of the records it made."""
    from archive.categories import data_taxonomy
    from archive.ingest import INGEST_ERRORS, ingest_file, live_ids

    taxonomy = data_taxonomy(archive.data_dir)
    with archive.writing():
        record = archive.get(record_id)
        parts = paragraphs(record.text)
        if not 1 <= at < len(parts):
            raise EditError("拆分位置无效 (split point out of range)")
        head, rest = "\n\n".join(parts[:at]), "\n\n".join(parts[at:])
        kept = history.keep(archive, record_id)
        with tempfile.TemporaryDirectory(dir=archive.data_dir) as work:
            path = Path(work) / "split.txt"
            path.write_text(rest + "\n", encoding="utf-8")
            origin = f"split:{record_id}/{secrets.token_hex(4)}.txt"
            shown = record.source or origin
            try:
                _, sha256, _ = ingest_file(archive, path, shown, taxonomy, origin=origin)
            except INGEST_ERRORS as exc:
                raise EditError(f"拆出的部分无法导入：{exc}") from None
        archive.rewrite(record, {"text": head})
        made = live_ids(archive, sha256)
        history.audit(
            archive, who, "split", address, record=record_id, new=made, at=at, previous=kept
        )
    Index(archive.data_dir).update(archive)
    return made


def merge(archive: Archive, record_id: str, other_id: str, who: str, address: str) -> Record:
    """Join another record of the same source into this one (texts in source order); the other
    is deleted, so re-ingesting the source does not bring it back."""
    with archive.writing():
        record = archive.get(record_id)
        if other_id not in [s.id for s in siblings(archive, record)]:
            raise EditError("只能合并同一来源的记录 (only records of one source can be merged)")
        other = archive.get(other_id)
        first, second = sorted((record, other), key=lambda r: r.part or 0)
        kept = history.keep(archive, record_id)
        kept_other = history.keep(archive, other_id)
        merged = archive.rewrite(record, {"text": f"{first.text}\n\n{second.text}"})
        archive.delete(other_id)
        history.audit(
            archive, who, "merge", address, record=record_id, merged=other_id,
            previous=kept, previous_merged=kept_other,
        )  # fmt: skip
    Index(archive.data_dir).update(archive)
    return merged

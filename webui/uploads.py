"""Upload batches: files and web addresses ingested together, and what each batch made."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from archive import Archive
from archive.categories import data_taxonomy
from archive.fetching import FetchError, fetch
from archive.formats import SUPPORTED_SUFFIXES
from archive.history import audit, keep
from archive.ingest import (
    Failure,
    IngestReport,
    count_source,
    ingest_file,
    ingest_page,
    live_ids,
    page_origin,
)
from archive.store import atomic_write
from indexer import Index

BATCHES = "batches"
UPLOADS = "uploads"  # the files of a batch while it is ingested; their bytes stay in sources/
BATCH_ID = re.compile(r"^[0-9a-f]{12}$")
MAX_NAME = 120


@dataclass
class Batch:
    """One upload: who made it, when, the records it made and the failures with their reasons."""

    id: str
    who: str
    when: str
    records: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def shown_name(client_name: str | None) -> str:
    """The file name a client sent, fit to show and record as `source` only (never a path):
    its last component, no control characters, at most MAX_NAME characters."""
    name = re.split(r"[/\\]", client_name or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[-MAX_NAME:] or "未命名文件"


def run(
    archive: Archive,
    who: str,
    address: str,
    files: list[tuple[str | None, IO[bytes]]],
    url: str,
    allow_private: bool,
) -> Batch:
    """Ingest uploaded files and a web address as one batch, index it, and keep its report."""
    batch = Batch(secrets.token_hex(6), who, time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    report = IngestReport()
    taxonomy = data_taxonomy(archive.data_dir)
    digests: list[str | None] = []
    page = None
    kept: dict[str, str] = {}
    if url:  # fetched before taking the write lock, so other editors' saves do not wait for it
        try:
            page = fetch(url, allow_private)
        except FetchError as exc:
            report.failures.append(Failure(url, str(exc)))
    work = archive.data_dir / UPLOADS / batch.id
    work.mkdir(parents=True)
    try:
        with archive.writing():
            for n, (client_name, stream) in enumerate(files, start=1):
                shown = shown_name(client_name)
                suffix = PurePosixPath(shown).suffix.lower()
                if suffix not in SUPPORTED_SUFFIXES:
                    report.failures.append(
                        Failure(shown, "不支持的文件类型 (unsupported file type)")
                    )
                    continue
                path = work / f"{n}{suffix}"  # our name: the client's never reaches the disk
                with path.open("wb") as out:
                    shutil.copyfileobj(stream, out)
                origin = f"upload:{batch.id}/{n}{suffix}"  # the suffix tells reextract the reader
                ingest = partial(ingest_file, archive, path, shown, taxonomy, origin=origin)
                digests.append(count_source(report, shown, ingest))
            if page is not None:
                digest = hashlib.sha256(page.content).hexdigest()
                kept = keep_replaced(archive, page_origin(page), digest)
                ingest = partial(ingest_page, archive, page, taxonomy)
                digests.append(count_source(report, url, ingest))
            found = (i for sha256 in digests if sha256 for i in live_ids(archive, sha256))
            batch.records = list(dict.fromkeys(found))
            batch.failures = [(f.path, f.reason) for f in report.failures]
            data = json.dumps(asdict(batch), ensure_ascii=False).encode()
            atomic_write(_path(archive, batch.id), data)
            audit(
                archive, who, "upload", address, batch=batch.id, records=batch.records,
                failures=len(batch.failures), previous=kept,
            )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Index(archive.data_dir).update(archive)
    return batch


def keep_replaced(archive: Archive, origin: str, digest: str) -> dict[str, str]:
    """Before a known source is ingested with new bytes (inside `writing()`): keep each of its live
    records in history, so an upload's changes can be undone like an editor's; id -> version."""
    registry = archive.registry
    key = None if registry.by_digest(digest) else registry.by_origin(origin)
    ids = registry.sources[key].ids if key is not None else []
    kept = ((i, keep(archive, i)) for i in ids if registry.ids[i].fate == "live")
    return {i: version for i, version in kept if version is not None}


def _path(archive: Archive, batch_id: str) -> Path:
    folder = archive.data_dir / BATCHES
    folder.mkdir(exist_ok=True)
    return folder / f"{batch_id}.json"


def load(archive: Archive, batch_id: str) -> Batch:
    """A batch's report; KeyError for an unknown or malformed id."""
    if not BATCH_ID.match(batch_id):
        raise KeyError(batch_id)
    try:
        data = json.loads(_path(archive, batch_id).read_bytes())
    except FileNotFoundError:
        raise KeyError(batch_id) from None
    data["failures"] = [tuple(f) for f in data["failures"]]
    return Batch(**data)

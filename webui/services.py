"""The archive and the index the app serves, from the app's data dir."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from archive import Archive
from indexer import Index

INDEX_KEY = "congress_archive.index"


def data_dir() -> Path:
    """The data dir this app serves."""
    return Path(current_app.config["DATA_DIR"])


def get_archive() -> Archive:
    """The record store, for full texts and metadata."""
    return Archive(data_dir())


def get_index() -> Index:
    """One Index per app: it is thread-safe and picks up a rebuilt index by itself, no restart."""
    index = current_app.extensions.get(INDEX_KEY)
    if index is None:  # IndexMissing leaves nothing cached, so a later request tries again
        index = current_app.extensions[INDEX_KEY] = Index.open(data_dir())
    return index

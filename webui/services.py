"""The archive and the index a request works with, opened once per request from the app's data dir."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g

from archive import Archive
from indexer import Index


def data_dir() -> Path:
    """The data dir this app serves."""
    return Path(current_app.config["DATA_DIR"])


def get_archive() -> Archive:
    """The record store, for full texts and metadata."""
    return Archive(data_dir())


def get_index() -> Index:
    """The search index, opened per request so a rebuilt index is picked up without a restart."""
    if "index" not in g:
        g.index = Index.open(data_dir())
    return g.index

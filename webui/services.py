"""The archive and the index the app serves, from the app's data dir."""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from flask import current_app

from archive import Archive
from indexer import Index

# One Index per data dir for the whole process: it is thread-safe and picks up a rebuilt index by
# itself, so the server never restarts for an update and never reopens the index per request.
_INDEXES: dict[Path, Index] = {}
_LOCK = threading.Lock()


def data_dir() -> Path:
    """The data dir this app serves."""
    return Path(current_app.config["DATA_DIR"])


def get_archive() -> Archive:
    """The record store, for full texts and metadata."""
    return Archive(data_dir())


def get_index() -> Index:
    """The data dir's shared Index; IndexMissing leaves nothing cached, so a later call retries."""
    key = data_dir().resolve()
    with _LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = Index.open(key)
        return _INDEXES[key]


@atexit.register
def _close_all() -> None:
    """Close the open index files when the process ends."""
    with _LOCK:
        for index in _INDEXES.values():
            index.close()
        _INDEXES.clear()

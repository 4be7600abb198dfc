"""Shared fixtures: the seeds are ingested once per session and copied for tests that write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive import Archive
from archive.ingest import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the seeds' records; read-only for the tests that share it."""
    data_dir = tmp_path_factory.mktemp("seeded")
    report = ingest_paths(Archive(data_dir), [SEEDS])
    assert not report.failures, report.failures
    return data_dir


@pytest.fixture
def seeded_copy(seeded_data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded data dir, for tests that change it."""
    target = tmp_path / "data"
    shutil.copytree(seeded_data_dir, target)
    return target

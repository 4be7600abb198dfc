"""`serve` loads what the first request of each mode would load before it announces itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import waitress
from click.testing import CliRunner
from flask import Flask

from indexer import Index, analysis
from indexer.reading import Snapshot
from webui import create_app, services
from webui.cli import main
from webui.warmup import warm_up

PAGES = {"search.html", "record.html", "trends.html", "concordance.html"}


def loaded(app: Flask, data_dir: Path, preloaded: list[Snapshot]) -> dict[str, Any]:
    """What has been loaded lazily: the segmenter, the index generation's word statistics and
    place list, the page templates, and whether its texts were preloaded."""
    index = services._INDEXES.get(data_dir.resolve())
    snapshot = index._snapshot if index is not None else None
    templates = {key[1] for key in app.jinja_env.cache or ()}
    return {
        "segmenter": analysis._SEGMENTER is not None,
        "word statistics": sorted(snapshot.word_stats) if snapshot else [],
        "place list": snapshot is not None and "place_counts" in vars(snapshot),
        "pages": sorted(PAGES & templates),
        "texts preloaded": snapshot is not None and snapshot in preloaded,
    }


class NoServer:
    """Stands in for waitress: `serve` binds, warms up, announces, then runs this."""

    def run(self) -> None:
        pass


def test_serve_loads_every_mode_before_it_announces_itself(
    seeded_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--data-dir", str(seeded_copy), "index"]).exit_code == 0
    monkeypatch.setattr(analysis, "_SEGMENTER", None)  # as in a new process
    preloaded: list[Snapshot] = []
    preload = Snapshot.preload

    def recorded(snapshot: Snapshot) -> None:
        preload(snapshot)
        preloaded.append(snapshot)

    monkeypatch.setattr(Snapshot, "preload", recorded)
    apps: list[Flask] = []
    at_announcement: list[dict[str, Any]] = []

    def create_server(app: Flask, **options: Any) -> NoServer:
        apps.append(app)
        at_announcement.append(loaded(app, seeded_copy, preloaded))  # bound: nothing loaded yet
        return NoServer()

    echo = click.echo

    def announce(message: Any = None, **options: Any) -> None:
        if str(message).startswith("Serving"):
            at_announcement.append(loaded(apps[0], seeded_copy, preloaded))
        echo(message, **options)

    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.setattr(click, "echo", announce)
    result = runner.invoke(main, ["--data-dir", str(seeded_copy), "serve"])
    assert result.exit_code == 0, result.output
    assert at_announcement == [
        {
            "segmenter": False,
            "word statistics": [],
            "place list": False,
            "pages": [],
            "texts preloaded": False,
        },
        {
            "segmenter": True,
            "word statistics": ["title", "words"],
            "place list": True,
            "pages": sorted(PAGES),
            "texts preloaded": True,
        },
    ]


def test_an_archive_without_an_index_has_nothing_to_warm(seeded_copy: Path) -> None:
    app = create_app({"DATA_DIR": str(seeded_copy)})
    assert warm_up(app) == []


def test_a_preloaded_index_still_closes(seeded_copy: Path) -> None:
    """Preloading reads the texts through a view it releases: the files close as before."""
    assert CliRunner().invoke(main, ["--data-dir", str(seeded_copy), "index"]).exit_code == 0
    index = Index.open(seeded_copy)
    index.preload()
    index.close()  # BufferError if a view of a mapped file were still held

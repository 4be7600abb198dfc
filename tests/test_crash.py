"""Crash safety: SIGKILL the real command at random points; the archive holds only whole records."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive

CLI = str(Path(sys.executable).with_name("congress-archive"))
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_sources(folder: Path, count: int) -> None:
    """Many distinct compilations, so an ingest runs long enough to be killed in the middle."""
    text = (SEEDS / "000_28b25648c5712bde.txt").read_text(encoding="utf-8")
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(f"{text}\n\n第{i}份。\n", encoding="utf-8")


def run_and_kill(args: list[str], delay: float) -> None:
    """Start the command, SIGKILL it after `delay` seconds (if it is still running)."""
    proc = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def assert_whole(data_dir: Path) -> int:
    """Every record file parses; returns how many there are."""
    archive = Archive(data_dir)
    return sum(1 for record in archive if record.text)


def crash_ingest(tmp_path: Path, kills: int) -> None:
    """Kill an ingest `kills` times at random points, checking the archive after each, then finish it."""
    sources = tmp_path / "sources"
    make_sources(sources, 80)
    data = tmp_path / "data"
    rng = random.Random(20251122)
    counts = []
    for _ in range(kills):
        run_and_kill(["--data-dir", str(data), "ingest", str(sources)], rng.uniform(0.3, 1.0))
        counts.append(assert_whole(data))
    assert any(0 < n < 480 for n in counts), counts  # at least one kill landed mid-ingest
    done = subprocess.run(
        [CLI, "--data-dir", str(data), "ingest", str(sources)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("0 failed (480 records from these sources)\n")
    assert assert_whole(data) == 480
    assert not list((data / "records").glob(".tmp-*"))


def test_killed_ingest_leaves_whole_records_and_a_rerun_completes(tmp_path):
    crash_ingest(tmp_path, kills=4)


@pytest.mark.soak
def test_many_killed_ingests(tmp_path):
    crash_ingest(tmp_path, kills=25)

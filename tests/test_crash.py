"""Crash safety: SIGKILL the real command at random points; the archive holds only whole records."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from archive import Archive
from archive.ingest import PARALLEL_MIN_ROWS
from indexer import Index, SearchRequest

CLI = str(Path(sys.executable).with_name("congress-archive"))
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_sources(folder: Path, count: int) -> None:
    """Many distinct compilations, so an ingest runs long enough to be killed in the middle."""
    text = (SEEDS / "000_28b25648c5712bde.txt").read_text(encoding="utf-8")
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(f"{text}\n\n第{i}份。\n", encoding="utf-8")


def kill(proc: subprocess.Popen, children: list[psutil.Process] | None) -> None:
    """SIGKILL the command alone (not its worker processes, which it may have started: those
    are added to `children`)."""
    if children is not None:
        with contextlib.suppress(psutil.Error):
            children += psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def run_and_kill(
    args: list[str], delay: float, children: list[psutil.Process] | None = None
) -> bool:
    """Start the command, SIGKILL it after `delay` seconds; True if it was still running then."""
    proc = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    running = proc.poll() is None
    kill(proc, children)
    return running


def kill_in_batch(
    args: list[str], data_dir: Path, children: list[psutil.Process] | None = None
) -> bool:
    """Start the command and SIGKILL it as soon as record files are staged in a group commit
    (written as temp files, not yet renamed into place); True if the kill landed there. Its
    temp files are told from those a killed run left by the process id in their names."""
    proc = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staged = f"records/.tmp-{proc.pid}-*"
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if any(data_dir.glob(staged)):
            break
        time.sleep(0.002)
    kill(proc, children)
    return proc.returncode == -signal.SIGKILL and any(data_dir.glob(staged))


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
    interrupted = []
    args = ["--data-dir", str(data), "ingest", str(sources)]
    for _ in range(2):
        assert kill_in_batch(args, data)  # staged files, not committed, are left behind
        assert_whole(data)
    for _ in range(kills):
        interrupted.append(run_and_kill(args, rng.uniform(0.3, 1.0)))
        assert_whole(data)
    assert any(interrupted)  # at least one kill landed mid-ingest
    done = subprocess.run(
        [CLI, "--data-dir", str(data), "ingest", str(sources)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("0 failed, 0 skipped (480 records from these sources)\n")
    assert assert_whole(data) == 480
    assert not list(data.glob("**/.tmp-*"))
    again = subprocess.run(
        [CLI, "--data-dir", str(data), "ingest", str(sources)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # the registry agrees with the records: every source is known, nothing is written
    assert again.stdout == (
        "0 added, 0 updated, 80 unchanged, 0 failed, 0 skipped (480 records from these sources)\n"
    )


def test_killed_ingest_leaves_whole_records_and_a_rerun_completes(tmp_path):
    crash_ingest(tmp_path, kills=4)


@pytest.mark.soak
def test_many_killed_ingests(tmp_path):
    crash_ingest(tmp_path, kills=25)


def test_killed_ingest_of_edited_sources_keeps_every_id(tmp_path):
    """Kill the ingest of edited sources at random points: the rerun still gives every record its
    old id, and the registry ends in agreement with the records."""
    sources = tmp_path / "sources"
    make_sources(sources, 40)
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "ingest", str(sources)]
    subprocess.run([CLI, *args], check=True, capture_output=True)
    before = Archive(data).ids()
    for path in sources.iterdir():
        with path.open("a", encoding="utf-8") as f:
            f.write("全年共接待群众来访120余人次。\n")
    rng = random.Random(11)
    assert kill_in_batch(args, data)  # between a batch's notes and records, or before them
    assert_whole(data)
    interrupted = []
    for _ in range(4):
        interrupted.append(run_and_kill(args, rng.uniform(0.3, 1.0)))
        assert_whole(data)
    assert any(interrupted)
    subprocess.run([CLI, *args], check=True, capture_output=True, timeout=300)
    assert Archive(data).ids() == before
    again = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)
    assert again.stdout == (
        "0 added, 0 updated, 40 unchanged, 0 failed, 0 skipped (240 records from these sources)\n"
    )


def test_killed_bulk_jsonl_ingest_in_workers_leaves_whole_records_and_no_workers(tmp_path):
    """A JSONL large enough to have its records made in worker processes: kills inside a batch
    and at random points leave whole records and no worker behind; the rerun completes."""
    text = (SEEDS / "003_f064755b27ea1fff.txt").read_text(encoding="utf-8").replace("\n", "")
    rows = PARALLEL_MIN_ROWS + 100
    bulk = tmp_path / "bulk.jsonl"
    with bulk.open("w", encoding="utf-8") as f:
        for i in range(rows):
            row = {"title": f"第{i}号总结", "text": f"{text[i % 200 :][:400]}第{i}份。"}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "ingest", str(bulk)]
    rng = random.Random(5)
    for in_batch in (True, True, False):
        workers: list[psutil.Process] = []
        if in_batch:
            assert kill_in_batch(args, data, workers)
            assert workers  # the records were being made in workers
        else:
            run_and_kill(args, rng.uniform(0.5, 1.5), workers)
        assert_whole(data)
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, alive  # the workers end with the process that started them
    done = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert assert_whole(data) == rows
    again = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)
    assert again.stdout == (
        f"0 added, 0 updated, 1 unchanged, 0 failed, 0 skipped ({rows} records from these sources)\n"
    )


def crash_rebuild(tmp_path: Path, kills: int) -> None:
    """Kill `index --rebuild` at random points: the live index keeps answering, the next run finishes."""
    sources = tmp_path / "sources"
    make_sources(sources, 40)
    data = tmp_path / "data"
    for args in (["ingest", str(sources)], ["index"]):
        subprocess.run([CLI, "--data-dir", str(data), *args], check=True, capture_output=True)
    everything, phrase = SearchRequest(), SearchRequest(q="代表联络站", per_page=5)
    rng = random.Random(7)
    interrupted = []
    for _ in range(kills):
        args = ["--data-dir", str(data), "index", "--rebuild"]
        interrupted.append(run_and_kill(args, rng.uniform(0.2, 1.8)))
        index = Index.open(data)
        try:
            assert index.search(everything).total == 240
            assert index.search(phrase).total == 240
        finally:
            index.close()
    assert any(interrupted)  # at least one kill landed mid-build
    done = subprocess.run(
        [CLI, "--data-dir", str(data), "index", "--rebuild"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr  # no lock left behind blocks it
    builds = [p.name for p in (data / "index").iterdir() if p.is_dir()]
    assert len(builds) == 1, builds  # the killed runs' half-built indexes were cleared


def test_killed_rebuild_leaves_the_old_index_usable_and_a_rerun_completes(tmp_path):
    crash_rebuild(tmp_path, kills=4)


@pytest.mark.soak
def test_many_killed_rebuilds(tmp_path):
    crash_rebuild(tmp_path, kills=25)

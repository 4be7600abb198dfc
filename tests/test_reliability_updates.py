"""Serving while the archive changes: clients of a real `serve` never see an error or a partial index.

Clients search continuously while `ingest`, `index` and `index --rebuild` run beside the server.
Each answer must be exactly one of the answers the server gives when it is quiet between updates
(same total, same facets, same hits): an index generation is seen whole or not at all. The server
shows the new records without a restart.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.load.server import SEEDS, Client, Server, cli_ok

# What the clients ask, in turn: the exact answer of each must belong to one quiet state.
PROBES: list[tuple[str, dict[str, str]]] = [
    ("/api/search", {"q": "代表"}),
    ("/api/search", {}),
    ("/api/search", {"q": "代表联络站", "mode": "words", "sort": "-year"}),
    ("/api/facets", {"q": "监督", "province": "辽宁省"}),
    ("/api/search", {"q": "可靠性", "per_page": "100"}),
]
SEED = (SEEDS / "000_28b25648c5712bde.txt").read_text(encoding="utf-8")
RECORDS_PER_COPY = 6  # the compilation holds six district summaries


def write_copies(folder: Path, names: range, edition: str) -> None:
    """Distinct compilations (so distinct records); a new edition changes their bytes."""
    folder.mkdir(exist_ok=True)
    for i in names:
        text = f"{SEED}\n\n可靠性测试第{i}份，{edition}。\n"
        (folder / f"copy-{i:04d}.txt").write_text(text, encoding="utf-8")


@dataclass
class Observed:
    """What one client saw: answers keyed by probe, timestamps, and anything that went wrong."""

    answers: list[tuple[float, float, int, str]] = field(default_factory=list)  # asked, answered
    pages: list[tuple[float, int, int]] = field(default_factory=list)  # (asked at, status, total)
    errors: list[str] = field(default_factory=list)


def search_continuously(port: int, stop: threading.Event, seen: Observed, limit: int) -> None:
    """Ask every probe in turn, and the HTML search page, until told to stop (or `limit` asks)."""
    with Client(port) as client:
        for n in range(limit):
            if stop.is_set():
                return
            probe = n % (len(PROBES) + 1)
            asked = time.monotonic()
            try:
                if probe == len(PROBES):
                    reply = client.get("/search", {"q": "代表"})
                    marker = 'data-total="'
                    total = int(reply.text.split(marker, 1)[1].split('"', 1)[0])
                    seen.pages.append((asked, reply.status, total))
                    continue
                path, params = PROBES[probe]
                reply = client.get(path, params)
                if reply.status != 200:
                    seen.errors.append(f"{path} {params}: {reply.status} {reply.body[:200]!r}")
                    continue
                answer = json.dumps(reply.json())
                seen.answers.append((asked, time.monotonic(), probe, answer))
            except Exception as exc:  # the test reports every failure, whatever its kind
                seen.errors.append(f"{type(exc).__name__}: {exc}")


def quiet_state(client: Client) -> list[str]:
    """Every probe's exact answer while nothing changes."""
    return [json.dumps(client.get(path, params).json()) for path, params in PROBES]


def serve_through_updates(base: Path, seeded: Path, copies: int, clients: int, limit: int) -> None:
    data = base / "data"
    shutil.copytree(seeded, data)
    cli_ok(data, "index")
    sources = base / "sources"
    half = copies // 2
    steps = [  # (copies rewritten, their edition, the index command that publishes them)
        (range(half), "第一版", ["index"]),
        (range(copies), "第二版", ["index", "--rebuild"]),
        (range(half, copies), "第三版", ["index"]),
    ]
    published: list[int] = []  # records of each step's edition that the server shows after it
    with Server(data, threads=4) as server, server.client() as quiet:
        states = [quiet_state(quiet)]
        windows: list[tuple[float, float]] = []
        stop = threading.Event()
        seen = [Observed() for _ in range(clients)]
        threads = [
            threading.Thread(target=search_continuously, args=(server.port, stop, s, limit))
            for s in seen
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)
            for names, edition, command in steps:
                write_copies(sources, names, edition)
                cli_ok(data, "ingest", sources)
                started = time.monotonic()
                cli_ok(data, *command)
                windows.append((started, time.monotonic()))
                time.sleep(0.3)  # let the clients see the published index before the next step
                states.append(quiet_state(quiet))
                published.append(quiet.get("/api/facets", {"q": edition}).json()["total"])
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
        assert server.alive(), server.log()
        assert "Traceback" not in server.log(), server.log()
        new = json.loads(states[-1][4])["hits"][0]["id"]
        assert quiet.get(f"/records/{new}").status == 200  # a new record, no restart

    errors = [e for s in seen for e in s.errors]
    assert errors == [], errors[:10]
    totals = [json.loads(state[1])["total"] for state in states]
    assert totals == [7, 7 + half * RECORDS_PER_COPY, *[7 + copies * RECORDS_PER_COPY] * 2], totals
    answers = [a for s in seen for a in s.answers]
    for _, _, probe, answer in answers:
        assert answer in {state[probe] for state in states}, f"probe {probe}: {answer[:300]}"
    page_totals = {json.loads(state[0])["total"] for state in states}
    pages = [page for s in seen for page in s.pages]
    assert pages and all(status == 200 and total in page_totals for _, status, total in pages)
    for start, end in windows:  # the clients really were searching while each update ran
        during = [a for a in answers if a[0] <= end and a[1] >= start]
        assert during, f"no search in flight during the update {start:.2f}-{end:.2f}"
    after = [(probe, answer) for asked, _, probe, answer in answers if asked > windows[-1][1]]
    assert after, "no search after the last update"
    stale = [(probe, answer[:200]) for probe, answer in after if answer != states[-1][probe]]
    assert stale == [], stale[:3]  # no restart needed
    # each update was published: right after it, the server shows its edition in every copy it
    # rewrote (the edition line closes a copy, so it is in the copy's last summary only)
    assert published == [len(names) for names, _, _ in steps], published


def test_searches_during_ingest_index_and_rebuild_see_whole_generations(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    serve_through_updates(tmp_path, seeded_data_dir, copies=20, clients=2, limit=20_000)


@pytest.mark.soak
def test_soak_searches_during_large_updates(seeded_data_dir: Path, tmp_path: Path) -> None:
    """Past the indexer's threshold for worker processes, with more clients."""
    serve_through_updates(tmp_path, seeded_data_dir, copies=200, clients=4, limit=200_000)

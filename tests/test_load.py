"""Load on a real `congress-archive serve` over loopback: no errors, and memory stays flat.

`make test` runs a short version (500 summaries, 1,200 requests); `make soak` the full one (the
benchmark's 5,000-summary corpus, 10,000 requests). Both print their figures (`pytest -s`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.load.driver import MB, build_corpus, request_mix, run_load
from tests.load.server import Server

CLIENTS = 4


def load_test(data_dir: Path, summaries: int, requests: int) -> None:
    records = build_corpus(data_dir, summaries)
    mix = request_mix(records, requests)
    with Server(data_dir, threads=4) as server:
        report = run_load(server, mix, CLIENTS)
        assert server.alive()
        assert "Traceback" not in server.log(), server.log()[-3000:]
    print(f"\n{summaries} summaries, {CLIENTS} clients\n{report.summary()}")
    assert report.errors == [], report.errors[:10]
    assert report.statuses == {200: requests}
    assert set(report.latencies) >= {"search", "words", "filtered", "record", "api", "export"}
    warm, peak, last = report.rss_after_warmup()
    allowed = warm + max(32 * MB, warm // 5)  # caches fill during warm-up; after it, no growth
    assert peak <= allowed, report.summary()
    assert last <= allowed, report.summary()


def test_load_on_a_small_corpus(tmp_path: Path) -> None:
    load_test(tmp_path / "data", summaries=500, requests=1200)


@pytest.mark.soak
def test_soak_on_the_benchmark_corpus(tmp_path: Path) -> None:
    load_test(tmp_path / "data", summaries=5000, requests=10_000)

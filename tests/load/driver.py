"""Load on a real `serve`: the benchmark's synthetic corpus, a fixed mix of requests, a few clients.

    .venv/bin/python -m tests.load.driver [--summaries 5000] [--requests 6000] [--clients 4]

prints throughput, p50/p95 latency per kind of request and the server's memory over the run.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from archive import Archive, Record
from tests.bench.run import make_corpus, make_queries, seed_records
from tests.load.server import Client, Params, Server, cli_ok

MB = 1024 * 1024
Request = tuple[str, str, Params]  # (kind, path, parameters)


def build_corpus(data_dir: Path, summaries: int) -> list[Record]:
    """The benchmark's reproducible corpus written as records, indexed by the real command."""
    records = make_corpus(summaries, seed_records())
    archive = Archive(data_dir)
    with archive.writing() as writing:
        for record in records:
            writing.write(record)
    cli_ok(data_dir, "index")
    return records


def request_mix(records: list[Record], count: int, seed: int = 5) -> list[Request]:
    """Searches (exact and words), facet filters, record pages, the API, exports and browsing."""
    rng = random.Random(seed)
    phrases = [q["q"] for q in make_queries(records)]
    years = sorted({r.year for r in records if r.year})
    kinds = ["search", "words", "filtered", "api", "facets", "record", "api-record", "export"]
    weights = [30, 10, 15, 15, 5, 15, 5, 3]
    mix: list[Request] = []
    for kind in rng.choices([*kinds, "browse"], weights=[*weights, 2], k=count):
        record = rng.choice(records)
        phrase = rng.choice(phrases)
        if kind == "search":
            params: Params = {"q": phrase, "page": str(rng.randint(1, 3))}
            mix.append((kind, "/search", params))
        elif kind == "words":
            mix.append((kind, "/search", {"q": phrase, "mode": "words", "sort": "-year"}))
        elif kind == "filtered":
            params = [
                ("q", phrase),
                ("province", record.province or ""),
                ("year", str(rng.choice(years))),
            ]
            params += [("category", c) for c in record.categories[:2]]
            mix.append((kind, "/search", params))
        elif kind == "api":
            mix.append((kind, "/api/search", {"q": phrase, "district": record.district or ""}))
        elif kind == "facets":
            mix.append((kind, "/api/facets", {"q": phrase}))
        elif kind == "record":
            mix.append((kind, f"/records/{record.id}", {"q": phrase}))
        elif kind == "api-record":
            mix.append((kind, f"/api/records/{record.id}", None))
        elif kind == "export":
            fmt = rng.choice(["csv", "json", "jsonl", "xlsx"])
            level = rng.choice(["record", "passage"])
            params = {"q": phrase, "district": record.district or "", "format": fmt, "level": level}
            mix.append((kind, "/export", params))
        else:
            mix.append((kind, "/districts", None))
    return mix


class RssSampler:
    """The server process's resident memory, sampled every `every` seconds in a thread."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.every = every
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.process.memory_info().rss))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class LoadReport:
    """What the clients measured, and the server's memory over the run."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0
    rss: list[tuple[float, int]] = field(default_factory=list)
    warm_at: float = 0.0  # when the first fifth of the requests had been answered

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def rss_after_warmup(self) -> tuple[int, int, int]:
        """RSS at the end of the warm-up, the highest after it, and the last sample."""
        warm = [rss for t, rss in self.rss if t <= self.warm_at] or [self.rss[0][1]]
        later = [rss for t, rss in self.rss if t > self.warm_at] or [warm[-1]]
        return warm[-1], max(later), later[-1]

    def summary(self) -> str:
        everything = [x for values in self.latencies.values() for x in values]
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s = {self.requests / self.seconds:.1f} req/s; "
            f"latency p50 {percentile(everything, 0.5):.1f} ms, p95 {percentile(everything, 0.95):.1f} ms; "
            f"{self.bytes_read / MB:.1f} MB read; statuses {dict(self.statuses)}"
        ]
        for kind, values in sorted(self.latencies.items()):
            lines.append(
                f"  {kind:<11} n={len(values):<5} p50 {percentile(values, 0.5):7.1f} ms  "
                f"p95 {percentile(values, 0.95):7.1f} ms"
            )
        warm, peak, last = self.rss_after_warmup()
        first = self.rss[0][1]
        lines.append(
            f"server RSS: {first / MB:.0f} MB at start, {warm / MB:.0f} MB after warm-up, "
            f"peak {peak / MB:.0f} MB, {last / MB:.0f} MB at the end"
        )
        return "\n".join(lines)


def percentile(values: list[float], p: float) -> float:
    """The p-quantile in milliseconds (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def run_load(server: Server, mix: list[Request], clients: int) -> LoadReport:
    """Send the whole mix from `clients` threads (each takes the next request); stops by itself."""
    report = LoadReport(latencies={kind: [] for kind, _, _ in mix})
    lock = threading.Lock()
    position = iter(range(len(mix)))
    warm_count = len(mix) // 5

    def client_loop() -> None:
        with Client(server.port) as client:
            while True:
                with lock:
                    n = next(position, None)
                if n is None:
                    return
                kind, path, params = mix[n]
                started = time.perf_counter()
                try:
                    reply = client.get(path, params)
                except Exception as exc:  # every failure is reported, whatever its kind
                    with lock:
                        report.errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    report.latencies[kind].append(elapsed)
                    report.statuses[reply.status] += 1
                    report.bytes_read += len(reply.body)
                    if reply.status != 200:
                        report.errors.append(f"{kind} {path} {params}: {reply.status}")
                    if report.requests == warm_count:
                        report.warm_at = time.monotonic()

    with RssSampler(server.pid) as sampler:
        started = time.perf_counter()
        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.seconds = time.perf_counter() - started
    report.rss = sampler.samples
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=re.split(r"\n\n", __doc__ or "")[0])
    parser.add_argument("--summaries", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        data = Path(tmp) / "data"
        started = time.perf_counter()
        records = build_corpus(data, args.summaries)
        print(
            f"{len(records)} summaries written and indexed in {time.perf_counter() - started:.1f} s"
        )
        mix = request_mix(records, args.requests)
        with Server(data, threads=args.threads) as server:
            report = run_load(server, mix, args.clients)
        print(report.summary())
        if report.errors:
            print(f"{len(report.errors)} errors, first: {report.errors[:5]}")


if __name__ == "__main__":
    main()

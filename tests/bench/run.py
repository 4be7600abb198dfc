"""Benchmark: this index vs the naive Whoosh+jieba baseline vs SQLite FTS5 trigram, on one corpus.

    .venv/bin/python -m tests.bench.run [--sizes 1000,5000,20000,100000] [--repeat 3] [--builds 1]

The corpus is synthetic and reproducible: summaries of 20-30 sentences drawn (seeded RNG) from the
seed records' sentences, so common phrases occur in most summaries, as in the real archive. It is
generated afresh by every part that reads it (streamed, never held whole), so the benchmark's own
memory does not grow with the corpus and peak memory measures the systems.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import psutil

from archive import Archive, Record
from archive.ingest import ingest_paths
from indexer import Index, SearchRequest
from indexer.analysis import normalise
from indexer.models import ConcordanceRequest, TrendsRequest
from indexer.research import concordance, trends

ROOT = Path(__file__).resolve().parents[2]
COMMON = ("人大", "代表联络站", "执法检查")  # terms in most summaries, for the research views
FRESH = ("常委会", "监督", "人大代表", "代表", "工作", "会议")  # common too, asked once each
UNIT_SEARCHES = {  # issue 9: matches inside one paragraph or sentence, categories tied to them
    "同段 query, with facets": [
        SearchRequest(q="同段(代表联络站 接待)"),
        SearchRequest(q="同段(人大 代表)"),
        SearchRequest(q="同段(执法检查 监督) 代表"),
    ],
    "同句 query, exact": [
        SearchRequest(q="同句(执法检查 监督)"),
        SearchRequest(q="同句(代表 群众)"),
        SearchRequest(q="sent:(人大代表 建议)"),
    ],
    "category ticked under a query": [
        SearchRequest(q="代表联络站", filters={"category": ("代表工作",)}),
        SearchRequest(q="人大", filters={"category": ("监督",)}),
        SearchRequest(q="执法检查 监督", filters={"category": ("监督", "民生")}),
    ],
}
NAIVE_STEP = 2  # the naive baseline takes seconds per query: it is timed on every 2nd query
HEAVY_MAX = 20_000  # above this the parts that take hours there are skipped (HEAVY)
HEAVY = {
    "naive",
    "searchable",
    "research",
}  # naive queries, 100,000 files, whole-corpus concordances
YEARS = list(range(2018, 2026))


class PeakMemory:
    """Peak resident memory of this process and its children while the block runs."""

    def __enter__(self) -> PeakMemory:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                total = me.memory_info().rss + sum(
                    c.memory_info().rss for c in me.children(recursive=True)
                )
            except psutil.Error:
                continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def seed_records() -> list[Record]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(tmp)
        ingest_paths(archive, [ROOT / "seeds"])
        return list(archive)


@dataclass(frozen=True)
class Corpus:
    """The first `n` synthetic summaries, generated afresh on each iteration (same every time)."""

    n: int
    seeds: tuple[Record, ...]

    def __iter__(self) -> Iterator[Record]:
        rng = random.Random(20250101)
        sentences = [
            s
            for r in self.seeds
            for s in re.split(r"(?<=[。；！？])", r.text.replace("\n", ""))
            if s
        ]
        places = sorted({(r.province, r.city, r.district) for r in self.seeds})
        places += [(p, c, f"{d}{i}") for i in range(1, 40) for p, c, d in places[:3]]
        categories = sorted({c for r in self.seeds for c in r.categories})
        for i in range(self.n):
            province, city, district = rng.choice(places)
            body = "".join(rng.choice(sentences) for _ in range(rng.randint(20, 30)))
            paragraphs = [body[j : j + 300] for j in range(0, len(body), 300)]
            yield Record(
                id=f"{i:012x}",
                title=f"{district}人大常委会{rng.choice(YEARS)}年工作总结",
                text="\n".join(paragraphs),
                committee=f"{district}人大常委会",
                district=district,
                city=city,
                province=province,
                year=rng.choice(YEARS),
                categories=tuple(sorted(rng.sample(categories, 3))),
            )

    def head(self, k: int) -> list[Record]:
        """The first k summaries (those of every larger corpus too)."""
        return list(itertools.islice(self, k))


def make_corpus(n: int, seeds: list[Record]) -> list[Record]:
    """The corpus of n summaries as a list (for tests that hold a small one)."""
    return Corpus(n, tuple(seeds)).head(n)


def make_queries(records: list[Record]) -> list[dict]:
    """Phrases of 2-8 characters (common and rare), multi-term queries, and facet filters."""
    rng = random.Random(7)
    texts = [r.text.replace("\n", "") for r in records[:200]]
    queries: list[dict] = []
    for length in (2, 3, 4, 5, 6, 8):
        for _ in range(4):
            text = rng.choice(texts)
            start = rng.randrange(len(text) - length)
            phrase = text[start : start + length]
            if re.search(r"[\s\"，。、；：“”（）]", phrase):
                continue
            queries.append({"q": phrase})
    fixed = ["代表联络站", "人大代表", "执法检查", "全过程人民民主", "监督", "人大"]
    queries += [{"q": q} for q in fixed]
    queries += [{"q": "执法检查 代表联络站"}, {"q": "民生 监督 代表"}, {"q": "人大代表 立法"}]
    district = records[0].district
    queries += [
        {"q": "代表联络站", "district": district},
        {"q": "监督", "year": 2024},
        {"q": "人大代表 履职", "district": district, "year": 2025},
    ]
    return queries


def timed(fn: Callable[[], object], repeat: int, warm: bool = True) -> list[float]:
    if warm:
        fn()  # warm-up: first use of a generation loads its arrays
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- this index -----------------------------------------------------------------------------


def bench_ours(
    work: Path, corpus: Corpus, queries: list[dict], repeat: int, builds: int, skip: set[str]
) -> dict:
    data = work / "ours"
    archive = Archive(data)
    with archive.writing() as a:
        for r in corpus:
            a.write(r)
    build = []
    with PeakMemory() as mem:
        for _ in range(builds):  # each a complete rebuild that replaces the previous one
            t = time.perf_counter()
            Index(data).rebuild(archive)
            build.append(time.perf_counter() - t)
    index = Index.open(data)
    timings: dict = {}
    with PeakMemory() as qmem:
        if "queries" not in skip:  # --only research skips them
            timings["lat"] = [timed(partial(index.search, _request(q)), repeat) for q in queries]
            timings["words"] = [
                timed(partial(index.search, _request(q, "words")), repeat) for q in queries
            ]
            timings["similar"] = timed_each(index.similar, [r.id for r in corpus.head(60)[::2]])
            for name, requests in UNIT_SEARCHES.items():
                timings[name] = [timed(partial(index.search, r), repeat) for r in requests]
            timings["page"] = bench_page(data, queries, repeat)
        research = {} if "research" in skip else bench_research(index, repeat)
    if "queries" not in skip:
        warm = max(repeat, 5)  # warm requests after each server's first
        timings["cold"] = bench_cold_start(data, corpus.head(warm + 1), warm)
        terms = [[normalise(t) for t in q["q"].split()] for q in queries]
        expected: list[set[str]] = [set() for _ in queries]
        for r in corpus:  # the substring scan, one pass over the corpus for every query
            title, text = normalise(r.title), normalise(r.text)
            for found, needles in zip(expected, terms, strict=True):
                if all(n in title or n in text for n in needles):
                    found.add(r.id)
        wrong = sum(
            found != {h.id for h in index.matches(SearchRequest(q=q["q"]))}
            for q, found in zip(queries, expected, strict=True)
        )
        checked = len(queries)
        timings["exact"] = f"exact mode = substring scan: {checked - wrong}/{checked} queries"
    index.close()
    if "queries" not in skip:
        timings["server"] = bench_server(data, queries)
    return {
        "build": statistics.median(build),
        "builds": build,
        "size": dir_size(data / "index"),
        "mem": max(mem.peak, qmem.peak),
        "build_mem": mem.peak,
        **timings,
        **research,
    }


def write_sources(folder: Path, records: Corpus) -> dict[str, Path]:
    """The corpus as one bulk JSONL file and as a folder of one .txt file per summary."""
    bulk = folder / "corpus.jsonl"
    with bulk.open("w", encoding="utf-8") as f:
        for r in records:
            row = {k: v for k, v in r.metadata().items() if k not in ("id", "source", "part")}
            f.write(json.dumps(row | {"text": r.text}, ensure_ascii=False) + "\n")
    texts = folder / "txt"
    texts.mkdir()
    for r in records:
        (texts / f"{r.id}.txt").write_text(f"{r.title}\n\n{r.text}\n", encoding="utf-8")
    return {"JSONL file": bulk, ".txt folder": texts}


def bench_searchable(work: Path, records: Corpus, builds: int) -> dict[str, dict]:
    """Time to searchable: `ingest` of the sources into a new archive, then a full index build."""
    results = {}
    for name, source in write_sources(work, records).items():
        ingest, index = [], []
        for attempt in range(builds):
            data = work / f"searchable-{attempt}"
            t = time.perf_counter()
            report = ingest_paths(Archive(data), [source])
            ingest.append(time.perf_counter() - t)
            t = time.perf_counter()
            Index(data).rebuild(Archive(data))
            index.append(time.perf_counter() - t)
            shutil.rmtree(data)
        results[name] = {"ingest": ingest, "index": index, "records": report.records}
    return results


def searchable_rows(n: int, results: dict[str, dict], naive: dict | None) -> list[str]:
    """Ingest + index of each kind of source, against the naive baseline's index build alone."""
    rows = []
    for name, r in results.items():
        ingest, index = statistics.median(r["ingest"]), statistics.median(r["index"])
        total = statistics.median(a + b for a, b in zip(r["ingest"], r["index"], strict=True))
        versus = f"; ×{naive['build'] / total:.1f} faster than naive's index" if naive else ""
        rows.append(
            f"| {n:,} | time to searchable, {name} | | {total:.1f} | | | | | ingest {ingest:.1f} s "
            f"({r['records'] / ingest:,.0f} records/s) + index {index:.1f} s, median of "
            f"{len(r['ingest'])}{versus} |"
        )
    return rows


COLD_MODES = {  # what a visitor's first request of each mode asks, after `serve` announces itself
    "exact": ("/api/search", {}),
    "words": ("/api/search", {"mode": "words"}),
    "similar (record page)": ("/records/{id}", None),
    "search page": ("/search", {}),
    "trends": ("/api/trends", {}),
    "concordance": ("/api/concordance", {}),
}


@contextmanager
def _serving(data: Path) -> Iterator[tuple[int, float]]:
    """A new `congress-archive serve` (waitress) over the data dir: its port, and the seconds it
    took to announce itself."""
    from tests.load.server import CLI, free_port

    port = free_port()
    serve = [CLI, "--data-dir", str(data), "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(serve, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the announcement: "Serving DATA on http://…"
            if line.startswith("Serving"):
                break
        yield port, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass(frozen=True)
class Cold:
    """One mode's first request after `serve` announced itself, and what it is compared with."""

    announced: float  # seconds from start to the announcement
    first: float
    warm: list[float]  # the same request again (record pages: other records)
    new_term: float | None  # the same query to a warm server that was never asked its term


def bench_cold_start(data: Path, records: list[Record], repeat: int) -> dict[str, Cold]:
    """Per mode, a new server: the first request once it announces itself, then `repeat` more of
    the same (warm; record pages of other records); for a query, also the same query to another
    new server after it has answered each of FRESH (warm, but per-term caches do not help)."""
    from tests.load.server import Client

    def get(client: Client, path: str, query: dict | None) -> float:
        t = time.perf_counter()
        response = client.get(path, query)
        assert response.status == 200, (path, query, response.status)
        return time.perf_counter() - t

    out: dict[str, Cold] = {}
    for mode, (path, params) in COLD_MODES.items():
        query = None if params is None else {"q": COMMON[1], **params}
        with _serving(data) as (port, announced), Client(port) as client:
            # a record page: another record each time
            timings = [get(client, path.format(id=r.id), query) for r in records[: repeat + 1]]
        new_term = None
        if params is not None:
            with _serving(data) as (port, _), Client(port) as client:
                for term in FRESH:
                    get(client, path, {**params, "q": term})
                new_term = get(client, path, query)
        out[mode] = Cold(announced, timings[0], timings[1:], new_term)
    return out


def cold_rows(n: int, cold: dict[str, Cold]) -> list[str]:
    """First request after `serve` announces itself against the median warm one, per mode, and
    against the same query to a warm server that had not been asked its term."""
    rows = []
    for mode, c in cold.items():
        median = statistics.median(c.warm)
        new = c.new_term
        versus = (
            f"; warm server, term new to it: {new * 1000:.1f} ms, first ×{c.first / new:.2f}"
            if new
            else ""
        )
        rows.append(
            f"| {n:,} | first request after serve announces, {mode} | | | {c.first * 1000:.1f} | "
            f"| | | warm median {median * 1000:.1f} ms of {len(c.warm)}: first ×"
            f"{c.first / median:.2f}{versus}; announced {c.announced:.1f} s after "
            "start |"
        )
    return rows


def bench_research(index: Index, repeat: int) -> dict[str, list[list[float]]]:
    """Trends by year and by province, and a 50-line concordance page, for common terms; first the
    first concordance page of this generation, which builds the text array (indexer/kwic.py)."""
    out: dict[str, list[list[float]]] = {}
    first = partial(concordance, index, ConcordanceRequest(SearchRequest(q=COMMON[0]), "right"))
    out[FIRST_CONCORDANCE] = [timed(first, 2, warm=False)]
    for by in ("year", "province"):
        out[f"trends by {by}"] = [
            timed(partial(trends, index, TrendsRequest((SearchRequest(q=q),), by)), repeat)
            for q in COMMON
        ]
    for sort in ("year", "left", "right"):
        out[f"concordance, 50 lines, sort={sort}"] = [
            timed(partial(concordance, index, ConcordanceRequest(SearchRequest(q=q), sort)), repeat)
            for q in COMMON
        ]
    out[FRESH_CONCORDANCE] = [  # no warm-up: the text array has not kept these terms' places
        timed(
            partial(concordance, index, ConcordanceRequest(SearchRequest(q=q), "right")), 1, False
        )
        for q in FRESH
    ]
    return out


FIRST_CONCORDANCE = "concordance, first page of a generation"
FRESH_CONCORDANCE = "concordance, 50 lines, sort=right, a term's first page"
RESEARCH_ROWS = (
    "trends by year",
    "trends by province",
    "concordance, 50 lines, sort=year",
    "concordance, 50 lines, sort=left",
    "concordance, 50 lines, sort=right",
)


def bench_page(data: Path, queries: list[dict], repeat: int) -> list[list[float]]:
    """The search page's whole cost, as a browser asks it (`GET /search?q=…`, exact mode) through
    Flask's test client: parameters, search, place tree, facets and the template."""
    from webui import create_app

    client = create_app({"DATA_DIR": str(data)}).test_client()

    def get(q: dict) -> None:
        params = {k: str(v) for k, v in q.items()}
        response = client.get("/search", query_string=params)
        assert response.status_code == 200, (q, response.status_code)

    return [timed(partial(get, q), repeat) for q in queries]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_server(data: Path, queries: list[dict]) -> int:
    """Resident memory of a real `congress-archive serve` of the data dir once warm: every query's
    search page in exact and in words mode, then one record page (which shows similar records)."""
    port = _free_port()
    command = "from webui.cli import main; main()"
    args = ["--data-dir", str(data), "serve", "--port", str(port), "--threads", "1"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", command, *args], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute to start
            try:
                urllib.request.urlopen(base + "/help", timeout=60).read()
                break
            except OSError:
                time.sleep(0.1)
        for q, mode in itertools.product(queries, ("exact", "words")):
            params = urllib.parse.urlencode({k: str(v) for k, v in q.items()} | {"mode": mode})
            urllib.request.urlopen(f"{base}/search?{params}", timeout=600).read()
        urllib.request.urlopen(f"{base}/records/{0:012x}", timeout=600).read()
        return psutil.Process(server.pid).memory_info().rss
    finally:
        server.terminate()
        server.wait(timeout=60)


def timed_each(fn: Callable[[str], object], args: list[str]) -> list[list[float]]:
    """One timing per argument, after one warm-up call."""
    fn(args[0])
    out = []
    for arg in args:
        t = time.perf_counter()
        fn(arg)
        out.append([time.perf_counter() - t])
    return out


def _request(q: dict, mode: str = "exact") -> SearchRequest:
    return SearchRequest(
        q=q["q"],
        mode=mode,
        filters={"district": (q["district"],)} if "district" in q else {},
        years=((q["year"], q["year"]),) if "year" in q else (),
    )


# --- naive baseline: Whoosh + jieba.analyse.ChineseAnalyzer ---------------------------------


def bench_naive(work: Path, records: Corpus, queries: list[dict], builds: int) -> dict:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as wi
    from whoosh import sorting
    from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
    from whoosh.qparser import QueryParser

    analyzer = ChineseAnalyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, stored=True),
        district=ID(stored=True, sortable=True),
        city=ID(stored=True, sortable=True),
        province=ID(stored=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True),
        category=KEYWORD(stored=True, commas=True, sortable=True),
    )
    build = []
    with PeakMemory() as mem:
        for attempt in range(builds):  # each into a new directory; the last one is queried
            path = work / f"naive-{attempt}"
            path.mkdir()
            ix = wi.create_in(str(path), schema)
            t = time.perf_counter()
            writer = ix.writer(procs=2, limitmb=256, multisegment=True)
            for r in records:
                writer.add_document(
                    id=r.id,
                    title=r.title,
                    text=r.text,
                    district=r.district or "",
                    city=r.city or "",
                    province=r.province or "",
                    year=r.year or 0,
                    category=",".join(r.categories),
                )
            writer.commit()
            build.append(time.perf_counter() - t)
    parser = QueryParser("text", schema)
    facets = sorting.Facets()
    for name in ("district", "city", "province", "year", "category"):
        facets.add_field(name, allow_overlap=name == "category")
    latencies: list[list[float]] = []
    with ix.searcher() as searcher:

        def run(q: dict) -> None:
            from whoosh import query as wq

            parsed = parser.parse(q["q"])
            terms = [parsed]
            if "district" in q:
                terms.append(wq.Term("district", q["district"]))
            if "year" in q:
                terms.append(wq.NumericRange("year", q["year"], q["year"]))
            results = searcher.search(wq.And(terms), limit=20, groupedby=facets)
            for name in ("district", "city", "province", "year", "category"):
                results.groups(name)
            for hit in results:
                hit.highlights("text")

        for q in queries[::NAIVE_STEP]:  # seconds per query: timed once each, no warm-up
            t = time.perf_counter()
            run(q)
            latencies.append([time.perf_counter() - t])
    return {
        "build": statistics.median(build),
        "builds": build,
        "size": dir_size(path),
        "mem": mem.peak,
        "lat": latencies,
        "note": f"queries[::{NAIVE_STEP}] timed once each ({len(latencies)})",
    }


# --- SQLite FTS5 with the trigram tokenizer --------------------------------------------------


def bench_fts5(work: Path, records: Corpus, queries: list[dict], repeat: int, builds: int) -> dict:
    build = []
    with PeakMemory() as mem:
        for attempt in range(builds):  # each into a new database; the last one is queried
            path = work / f"fts5-{attempt}.sqlite"
            db = sqlite3.connect(path)
            db.execute("CREATE VIRTUAL TABLE doc USING fts5(title, text, tokenize='trigram')")
            db.execute(
                "CREATE TABLE meta(rowid INTEGER PRIMARY KEY, district, city, province, year)"
            )
            db.execute("CREATE TABLE cat(rowid INTEGER, category)")
            t = time.perf_counter()
            for i, r in enumerate(records, 1):
                db.execute(
                    "INSERT INTO doc(rowid, title, text) VALUES (?,?,?)", (i, r.title, r.text)
                )
                db.execute(
                    "INSERT INTO meta VALUES (?,?,?,?,?)",
                    (i, r.district, r.city, r.province, r.year),
                )
                db.executemany("INSERT INTO cat VALUES (?,?)", [(i, c) for c in r.categories])
            db.commit()
            build.append(time.perf_counter() - t)
            if attempt < builds - 1:
                db.close()
    latencies: list[list[float]] = []
    unsupported = 0

    def run(q: dict) -> None:
        match = " AND ".join(f'"{t}"' for t in q["q"].split())
        where = "doc MATCH ?"
        args: list[object] = [match]
        if "district" in q:
            where += " AND meta.district = ?"
            args.append(q["district"])
        if "year" in q:
            where += " AND meta.year = ?"
            args.append(q["year"])
        base = f"FROM doc JOIN meta ON meta.rowid = doc.rowid WHERE {where}"
        db.execute(f"SELECT doc.rowid, snippet(doc, 1, '[', ']', '…', 20) {base} LIMIT 20", args)
        for col in ("district", "city", "province", "year"):
            db.execute(f"SELECT {col}, count(*) {base} GROUP BY {col}", args).fetchall()
        db.execute(
            f"SELECT category, count(*) FROM cat WHERE rowid IN (SELECT doc.rowid {base}) "
            "GROUP BY category",
            args,
        ).fetchall()

    for q in queries:
        if any(len(t) < 3 for t in q["q"].split()):
            unsupported += 1  # trigram cannot match a 1-2 character term
            continue
        latencies.append(timed(lambda q=q: run(q), repeat))
    db.close()
    return {
        "build": statistics.median(build),
        "builds": build,
        "size": path.stat().st_size,
        "mem": mem.peak,
        "lat": latencies,
        "unsupported": unsupported,
    }


def bench_segmenters(records: Corpus) -> dict[str, float]:
    """Characters per second of segmentation alone, one process: the floor of any jieba index."""
    from indexer.analysis import cut, reference_tokenizer

    jieba_tokenizer = reference_tokenizer()
    sample = [r.text for r in records.head(2000)]
    chars = sum(map(len, sample))
    runs = {
        "jieba.lcut alone (HMM)": lambda text: jieba_tokenizer.lcut(text, HMM=True),
        "jieba.lcut alone (no HMM)": lambda text: jieba_tokenizer.lcut(text, HMM=False),
        "jieba-rs alone (no HMM, ours)": cut,
    }
    speeds = {}
    for name, segment in runs.items():
        t = time.perf_counter()
        for text in sample:
            segment(text)
        speeds[name] = chars / (time.perf_counter() - t)
    return speeds


def pct(per_query: list[list[float]], p: float) -> float:
    """The p-th percentile, in ms, of every timing of every query."""
    values = sorted(t for timings in per_query for t in timings)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))] * 1000


HEADER = (
    "| summaries | system | index chars/s | build s | p50 ms | p95 ms | index MB | peak MB | notes |",
    "|---|---|---|---|---|---|---|---|---|",
)


def research_rows(n: int, ours: dict) -> list[str]:
    first = ours[FIRST_CONCORDANCE][0]
    rows = [
        f"| {n:,} | this index, {FIRST_CONCORDANCE} | | | {first[0] * 1000:.1f} | | | | "
        f"{COMMON[0]}, sort=right, once, building the text array; the next call "
        f"{first[1] * 1000:.1f} ms |"
    ]
    rows += [
        f"| {n:,} | this index, {key} | | | {pct(ours[key], 0.5):.1f} | "
        f"{pct(ours[key], 0.95):.1f} | | | {', '.join(COMMON)}, each timed {len(ours[key][0])}× |"
        for key in RESEARCH_ROWS
    ]
    fresh = ours[FRESH_CONCORDANCE]
    return [
        *rows,
        f"| {n:,} | this index, {FRESH_CONCORDANCE} | | | {pct(fresh, 0.5):.1f} | "
        f"{pct(fresh, 0.95):.1f} | | | {', '.join(FRESH)}, each once, after the rows above |",
    ]


def tier_rows(n: int, chars: int, queries: list[dict], results: dict[str, dict]) -> list[str]:
    """The table rows of one corpus size, with this index's ratios to the naive baseline."""
    ours = results["this index"]
    if "lat" not in ours:  # --only research
        return research_rows(n, ours)
    rows = []
    for name, r in results.items():
        extra = r.get("note", "")
        if "exact" in r:
            extra = r["exact"]
        if "unsupported" in r:
            extra = f"{r['unsupported']} of {len(queries)} queries impossible (<3 chars)"
        if len(r["builds"]) > 1:
            spread = ", ".join(f"{b:.1f}" for b in r["builds"])
            extra += f"; build = median of {len(r['builds'])} ({spread} s)"
        rows.append(
            f"| {n:,} | {name} | {chars / r['build'] / 1000:,.0f}k | {r['build']:.1f} | "
            f"{pct(r['lat'], 0.5):.1f} | {pct(r['lat'], 0.95):.1f} | "
            f"{r['size'] / 2**20:.1f} | {r['mem'] / 2**20:.0f} | {extra} |"
        )
    for name, key, note in (
        ("this index, words mode", "words", "the same queries in words mode (jieba, BM25F)"),
        ("this index, similar()", "similar", f"more-like-this of {len(ours['similar'])} records"),
        ("this index, search page", "page", "GET /search?q=… (exact) through Flask's test client"),
    ):
        rows.append(
            f"| {n:,} | {name} | | | {pct(ours[key], 0.5):.1f} | {pct(ours[key], 0.95):.1f} "
            f"| | | {note} |"
        )
    rows += research_rows(n, ours) if FIRST_CONCORDANCE in ours else []
    for key, requests in UNIT_SEARCHES.items():
        shown = "; ".join(
            r.q + "".join(f" [{v}]" for v in r.selected("category")) for r in requests
        )
        rows.append(
            f"| {n:,} | this index, {key} | | | {pct(ours[key], 0.5):.1f} | "
            f"{pct(ours[key], 0.95):.1f} | | | {shown}, each timed {len(ours[key][0])}× |"
        )
    rows += cold_rows(n, ours["cold"])
    naive = results.get("naive whoosh+jieba")
    if naive:
        same = ours["lat"][::NAIVE_STEP]
        rows.append(
            f"| {n:,} | ratio this index / naive | ×{naive['build'] / ours['build']:.1f} | | "
            f"×{pct(naive['lat'], 0.5) / pct(same, 0.5):.0f} faster | "
            f"×{pct(naive['lat'], 0.95) / pct(same, 0.95):.0f} faster | | | "
            f"on the same {len(same)} queries (queries[::{NAIVE_STEP}]) |"
        )
    return rows


GROWTH_HEADER = (
    "| summaries | build s | s per 1,000 | build peak MB | index MB | MB per 1,000 | FTS5 MB "
    "| exact p50 / p95 ms | words p95 ms | similar p95 ms | search page p95 ms | server RSS MB |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
)


def growth_row(n: int, results: dict[str, dict]) -> str:
    """One tier of the growth curve: this index's costs, per 1,000 summaries where they should
    stay flat."""
    ours = results["this index"]
    fts5 = results.get("sqlite fts5 trigram")
    fts5_mb = f"{fts5['size'] / 2**20:.1f}" if fts5 else ""
    return (
        f"| {n:,} | {ours['build']:.1f} | {ours['build'] / n * 1000:.2f} | "
        f"{ours['build_mem'] / 2**20:.0f} | {ours['size'] / 2**20:.1f} | "
        f"{ours['size'] / 2**20 / n * 1000:.2f} | "
        f"{fts5_mb} | "
        f"{pct(ours['lat'], 0.5):.1f} / {pct(ours['lat'], 0.95):.1f} | "
        f"{pct(ours['words'], 0.95):.1f} | {pct(ours['similar'], 0.95):.1f} | "
        f"{pct(ours['page'], 0.95):.1f} | {ours['server'] / 2**20:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="timings of each query")
    parser.add_argument("--builds", type=int, default=1, help="builds per system (median shown)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma list of parts to skip: naive,fts5,searchable,research,segmenters "
        f"({','.join(sorted(HEAVY))} are skipped above {HEAVY_MAX:,} summaries)",
    )
    parser.add_argument(
        "--only",
        choices=("research",),
        help="time only these rows (after the build): research = trends and concordance pages",
    )
    args = parser.parse_args()
    seeds = seed_records()
    only_research = args.only == "research"
    skip = set(filter(None, args.skip.split(",")))
    if only_research:
        skip |= {"naive", "fts5", "searchable", "segmenters", "queries"}
    rows, growth = [], []
    print(*HEADER, sep="\n", flush=True)
    for n in map(int, args.sizes.split(",")):
        records = Corpus(n, tuple(seeds))
        chars = sum(len(r.text) + len(r.title) for r in records)
        queries = make_queries(records.head(200))
        skipped = skip | (HEAVY if n > HEAVY_MAX else set())
        work = Path(tempfile.mkdtemp(prefix="bench-"))
        try:
            b = args.builds
            results = {"this index": bench_ours(work, records, queries, args.repeat, b, skipped)}
            if "naive" not in skipped:
                results["naive whoosh+jieba"] = bench_naive(work, records, queries, b)
            if "fts5" not in skipped:
                results["sqlite fts5 trigram"] = bench_fts5(work, records, queries, args.repeat, b)
            if "searchable" not in skipped:
                searchable = bench_searchable(work, records, b)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        tier = tier_rows(n, chars, queries, results)
        if "searchable" not in skipped:
            tier += searchable_rows(n, searchable, results.get("naive whoosh+jieba"))
        speeds = {} if "segmenters" in skip else bench_segmenters(records)
        for name, speed in speeds.items():
            tier.append(
                f"| {n:,} | {name} | {speed / 1000:,.0f}k | | | | | | "
                f"{chars / 1e6:.1f}M chars, {len(queries)} queries |"
            )
        print(*tier, sep="\n", flush=True)
        rows += tier
        if "lat" in results["this index"]:
            growth.append(growth_row(n, results))
            print(*GROWTH_HEADER, growth[-1], sep="\n", flush=True)
    print("\nAll tiers:", *HEADER, *rows, sep="\n")
    print("\nGrowth (this index):", *GROWTH_HEADER, *growth, sep="\n")


if __name__ == "__main__":
    main()

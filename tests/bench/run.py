"""Benchmark: this index vs the naive Whoosh+jieba baseline vs SQLite FTS5 trigram, on one corpus.

    .venv/bin/python -m tests.bench.run [--sizes 1000,5000,20000] [--repeat 3] [--builds 1]

The corpus is synthetic and reproducible: summaries of 20-30 sentences drawn (seeded RNG) from the
seed records' sentences, so common phrases occur in most summaries, as in the real archive.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
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
NAIVE_STEP = 2  # the naive baseline takes seconds per query: it is timed on every 2nd query
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


def make_corpus(n: int, seeds: list[Record]) -> list[Record]:
    rng = random.Random(20250101)
    sentences = [
        s for r in seeds for s in re.split(r"(?<=[。；！？])", r.text.replace("\n", "")) if s
    ]
    places = sorted({(r.province, r.city, r.district) for r in seeds})
    places += [(p, c, f"{d}{i}") for i in range(1, 40) for p, c, d in places[:3]]
    categories = sorted({c for r in seeds for c in r.categories})
    records = []
    for i in range(n):
        province, city, district = rng.choice(places)
        body = "".join(rng.choice(sentences) for _ in range(rng.randint(20, 30)))
        paragraphs = [body[j : j + 300] for j in range(0, len(body), 300)]
        records.append(
            Record(
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
        )
    return records


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


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
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
    work: Path, records: list[Record], queries: list[dict], repeat: int, builds: int
) -> dict:
    data = work / "ours"
    archive = Archive(data)
    with archive.writing() as a:
        for r in records:
            a.write(r)
    build = []
    with PeakMemory() as mem:
        for _ in range(builds):  # each a complete rebuild that replaces the previous one
            t = time.perf_counter()
            Index(data).rebuild(archive)
            build.append(time.perf_counter() - t)
    index = Index.open(data)
    with PeakMemory() as qmem:
        exact = [timed(partial(index.search, _request(q)), repeat) for q in queries]
        words = [timed(partial(index.search, _request(q, "words")), repeat) for q in queries]
        similar = timed_each(index.similar, [r.id for r in records[:60:2]])
        research = bench_research(index, repeat)
        page = bench_page(data, queries, repeat)
    cold = bench_cold_start(data, records, max(repeat, 5))
    norm = [(r.id, normalise(r.title), normalise(r.text)) for r in records]
    wrong = checked = 0
    for q in queries:
        terms = [normalise(t) for t in q["q"].split()]
        expected = {i for i, t, x in norm if all(n in t or n in x for n in terms)}
        got = {h.id for h in index.matches(SearchRequest(q=q["q"]))}
        wrong += expected != got
        checked += 1
    index.close()
    return {
        "build": statistics.median(build),
        "builds": build,
        "size": dir_size(data / "index"),
        "mem": max(mem.peak, qmem.peak),
        "lat": exact,
        "words": words,
        "similar": similar,
        **research,
        "page": page,
        "cold": cold,
        "exact": f"exact mode = substring scan: {checked - wrong}/{checked} queries",
    }


def write_sources(folder: Path, records: list[Record]) -> dict[str, Path]:
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


def bench_searchable(work: Path, records: list[Record], builds: int) -> dict[str, dict]:
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


def bench_cold_start(data: Path, records: list[Record], repeat: int) -> dict[str, list[float]]:
    """Per mode, a new `congress-archive serve` (waitress) over the index: the first request
    once it announces itself, then `repeat` more of the same (warm; record pages of other
    records), after the seconds it took to announce itself."""
    import subprocess

    from tests.load.server import CLI, Client, free_port

    out: dict[str, list[float]] = {}
    for mode, (path, params) in COLD_MODES.items():
        port = free_port()
        serve = [CLI, "--data-dir", str(data), "serve", "--host", "127.0.0.1", "--port", str(port)]
        started = time.perf_counter()
        proc = subprocess.Popen(serve, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr is not None
            for line in proc.stderr:  # the announcement: "Serving DATA on http://…"
                if line.startswith("Serving"):
                    break
            announced = time.perf_counter() - started
            query = None if params is None else {"q": COMMON[1], **params}
            timings = []
            with Client(port) as client:
                for record in records[: repeat + 1]:  # a record page: another record each time
                    t = time.perf_counter()
                    response = client.get(path.format(id=record.id), query)
                    timings.append(time.perf_counter() - t)
                    assert response.status == 200, (mode, response.status)
            out[mode] = [announced, *timings]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return out


def cold_rows(n: int, cold: dict[str, list[float]]) -> list[str]:
    """First request after `serve` announces itself against the median warm one, per mode."""
    rows = []
    for mode, (announced, first, *warm) in cold.items():
        median = statistics.median(warm)
        rows.append(
            f"| {n:,} | first request after serve announces, {mode} | | | {first * 1000:.1f} | "
            f"| | | warm median {median * 1000:.1f} ms of {len(warm)}: first ×{first / median:.2f};"
            f" announced {announced:.1f} s after start |"
        )
    return rows


def bench_research(index: Index, repeat: int) -> dict[str, list[list[float]]]:
    """Trends by year and by province, and a 50-line concordance page, for common terms."""
    out: dict[str, list[list[float]]] = {}
    for by in ("year", "province"):
        out[f"trends by {by}"] = [
            timed(partial(trends, index, TrendsRequest((SearchRequest(q=q),), by)), repeat)
            for q in COMMON
        ]
    for sort in ("year", "right"):
        out[f"concordance, 50 lines, sort={sort}"] = [
            timed(partial(concordance, index, ConcordanceRequest(SearchRequest(q=q), sort)), repeat)
            for q in COMMON
        ]
    return out


RESEARCH_ROWS = (
    "trends by year",
    "trends by province",
    "concordance, 50 lines, sort=year",
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


def bench_naive(work: Path, records: list[Record], queries: list[dict], builds: int) -> dict:
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


def bench_fts5(
    work: Path, records: list[Record], queries: list[dict], repeat: int, builds: int
) -> dict:
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


def bench_segmenters(records: list[Record]) -> dict[str, float]:
    """Characters per second of segmentation alone, one process: the floor of any jieba index."""
    from indexer.analysis import cut, reference_tokenizer

    jieba_tokenizer = reference_tokenizer()
    sample = [r.text for r in records[:2000]]
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


def tier_rows(n: int, chars: int, queries: list[dict], results: dict[str, dict]) -> list[str]:
    """The table rows of one corpus size, with this index's ratios to the naive baseline."""
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
    ours = results["this index"]
    for name, key, note in (
        ("this index, words mode", "words", "the same queries in words mode (jieba, BM25F)"),
        ("this index, similar()", "similar", f"more-like-this of {len(ours['similar'])} records"),
        ("this index, search page", "page", "GET /search?q=… (exact) through Flask's test client"),
    ):
        rows.append(
            f"| {n:,} | {name} | | | {pct(ours[key], 0.5):.1f} | {pct(ours[key], 0.95):.1f} "
            f"| | | {note} |"
        )
    for key in RESEARCH_ROWS:
        rows.append(
            f"| {n:,} | this index, {key} | | | {pct(ours[key], 0.5):.1f} | "
            f"{pct(ours[key], 0.95):.1f} | | | {', '.join(COMMON)}, each timed {len(ours[key][0])}× |"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=3, help="timings of each query")
    parser.add_argument("--builds", type=int, default=1, help="builds per system (median shown)")
    parser.add_argument(
        "--skip", default="", help="comma list of parts to skip: naive,fts5,searchable"
    )
    args = parser.parse_args()
    seeds = seed_records()
    skip = set(filter(None, args.skip.split(",")))
    rows = []
    print(*HEADER, sep="\n", flush=True)
    for n in map(int, args.sizes.split(",")):
        records = make_corpus(n, seeds)
        chars = sum(len(r.text) + len(r.title) for r in records)
        queries = make_queries(records)
        work = Path(tempfile.mkdtemp(prefix="bench-"))
        try:
            b = args.builds
            results = {"this index": bench_ours(work, records, queries, args.repeat, b)}
            if "naive" not in skip:
                results["naive whoosh+jieba"] = bench_naive(work, records, queries, b)
            if "fts5" not in skip:
                results["sqlite fts5 trigram"] = bench_fts5(work, records, queries, args.repeat, b)
            if "searchable" not in skip:
                searchable = bench_searchable(work, records, b)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        tier = tier_rows(n, chars, queries, results)
        if "searchable" not in skip:
            tier += searchable_rows(n, searchable, results.get("naive whoosh+jieba"))
        for name, speed in bench_segmenters(records).items():
            tier.append(
                f"| {n:,} | {name} | {speed / 1000:,.0f}k | | | | | | "
                f"{chars / 1e6:.1f}M chars, {len(queries)} queries |"
            )
        print(*tier, sep="\n", flush=True)
        rows += tier
    print("\nAll tiers:", *HEADER, *rows, sep="\n")


if __name__ == "__main__":
    main()

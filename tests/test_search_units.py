"""同段 / 同句 search and the category filter tied to matches, against brute-force scans of the
normalised paragraphs (non-blank lines) and sentences (pieces ending after 。！？；)."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive, Record
from archive.categories import data_taxonomy
from indexer import Index, QueryError, SearchRequest
from indexer.analysis import normalise, word_counts, words
from indexer.units import Layout
from webui import create_app
from webui.cli import main

ALPHABET = "代表人大站接待台臺。！？；，!;\u200b ab"
VOCABULARY = ["代表", "联络站", "接待", "群众", "执法检查", "食品安全", "监督", "人大", "意见"]


def _line(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))


def _prose(rng: random.Random) -> str:
    parts = [rng.choice(VOCABULARY) + rng.choice(["", "，", "。", "；", "！"]) for _ in range(8)]
    return "".join(parts[: rng.randint(1, 8)])


def _records() -> list[Record]:
    rng = random.Random(9)
    records = []
    for i in range(60):
        make = _line if i % 2 else _prose
        lines = [make(rng) if rng.random() > 0.15 else rng.choice(["", "  "]) for _ in range(6)]
        text = "\n".join(lines[: rng.randint(1, 6)])
        records.append(Record(id=f"{i:012x}", title=f"标题{i}", text=text or "空"))
    return records


@pytest.fixture(scope="module")
def units_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Index, list[Record]]]:
    data_dir = tmp_path_factory.mktemp("units")
    archive = Archive(data_dir)
    records = _records()
    with archive.writing() as a:
        for r in records:
            a.write(r)
    with Index(data_dir) as index:
        index.rebuild(archive)
        yield index, records


def units(text: str, unit: str) -> list[str]:
    """The reference: normalised non-blank lines, or their pieces ending after 。!?; (folded)."""
    paragraphs = [normalise(line) for line in text.split("\n") if line.strip()]
    if unit == "para":
        return paragraphs
    return [s for p in paragraphs for s in re.split(r"(?<=[。!?;\r])", p) if s]


def ids(index: Index, q: str, mode: str = "exact", **filters: tuple[str, ...]) -> list[str]:
    request = SearchRequest(q=q, mode=mode, filters=filters, per_page=100)  # type: ignore[arg-type]
    result = index.search(request)
    assert result.total == len(result.hits)
    return sorted(h.id for h in result.hits)


CORPUS = normalise("\n".join(r.text for r in _records()))
needles = (
    st.integers(0, len(CORPUS) - 1)
    .flatmap(lambda start: st.integers(1, 3).map(lambda n: CORPUS[start : start + n]))
    .filter(lambda s: s.strip() and "\n" not in s)
)


def quoted(terms: list[str]) -> str:
    return " ".join(f'"{t}"' for t in terms)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(unit=st.sampled_from(["para", "sent"]), terms=st.lists(needles, min_size=1, max_size=3))
def test_exact_groups_equal_a_scan_of_units(units_index, unit, terms):
    index, records = units_index
    opener = {"para": "同段", "sent": "同句"}[unit] if len(terms) % 2 else f"{unit}:"
    expected = sorted(
        r.id
        for r in records
        if any(all(normalise(t) in u for t in terms) for u in units(r.text, unit))
    )
    assert ids(index, f"{opener}({quoted(terms)})") == expected


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    unit=st.sampled_from(["para", "sent"]),
    terms=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),
)
def test_words_groups_equal_a_scan_of_units(units_index, unit, terms):
    index, records = units_index
    needed = [w for t in terms for w, _, _ in words(t)]
    expected = sorted(  # the record holds the words as words; one unit holds them as written
        r.id
        for r in records
        if set(needed) <= set(word_counts(normalise(r.text)))
        and any(all(w in u for w in needed) for u in units(r.text, unit))
    )
    assert ids(index, f"{unit}:({' '.join(terms)})", "words") == expected


def test_groups_narrow_and_combine(units_index):
    index, _ = units_index
    both = ids(index, "代表 接待")
    para = ids(index, "同段(代表 接待)")
    sent = ids(index, "同句(代表 接待)")
    assert set(sent) <= set(para) <= set(both) and len(sent) < len(para) < len(both)
    assert ids(index, "同段（代表 接待）") == para  # full-width parentheses, as typed in Chinese
    assert ids(index, "-同句(代表 接待) 代表 接待") == sorted(set(both) - set(sent))
    assert ids(index, "同句(代表 接待) OR 同句(人大 群众)") == sorted(
        set(sent) | set(ids(index, "sent:(人大 群众)"))
    )


def test_group_snippets_mark_only_the_units_holding_every_term(units_index):
    index, records = units_index
    by_id = {r.id: r for r in records}
    result = index.search(SearchRequest(q="同句(代表 接待)", per_page=100))
    assert result.hits
    for hit in result.hits:
        layout = Layout.of(by_id[hit.id].text)
        qualifying = [
            (s, e) for s, e in layout.sentences if {"代表", "接待"} <= set(_grams(layout, s, e))
        ]
        spans = index.highlight(by_id[hit.id].text, SearchRequest(q="同句(代表 接待)"))
        assert spans
        for start, end in spans:  # every mark inside a sentence holding both terms
            folded = _folded_offset(layout, start)
            assert any(s <= folded < e for s, e in qualifying), (hit.id, start, end)


def _grams(layout: Layout, start: int, end: int) -> list[str]:
    text = layout.folded.text[start:end]
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _folded_offset(layout: Layout, original: int) -> int:
    origin = layout.folded.origin
    return original if origin is None else origin.index(original)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("同段()", "同段/同句的括号内没有检索词 (empty para:/sent: group)"),
        ("同段(代表 接待", "同段/同句缺少右括号 ) (unclosed para:/sent: group)"),
        ("同段(同句(代表) 接待)", "同段/同句不能嵌套 (para:/sent: groups cannot be nested)"),
        ("para:代表", "para: 后面需要括号，如 para:(词1 词2) (para: needs a group)"),
        ("同句(代表 -接待)", "同段/同句的括号内只能写检索词或引号短语 (only terms inside para:/sent: groups)"),
        ("同句(代表 OR 接待)", "同段/同句的括号内只能写检索词或引号短语 (only terms inside para:/sent: groups)"),
        ("同段(title:代表)", "同段/同句的括号内只能写检索词或引号短语 (only terms inside para:/sent: groups)"),
    ],
)  # fmt: skip
def test_malformed_groups_get_one_line_errors(units_index, q, message):
    index, _ = units_index
    with pytest.raises(QueryError) as info:
        index.search(SearchRequest(q=q))
    assert str(info.value) == message


def test_groups_search_the_text_not_titles(units_index):
    index, _ = units_index
    with pytest.raises(QueryError, match="para:/sent: search the text"):
        index.search(SearchRequest(q="同段(代表 接待)", scope="title"))


# --- a category tied to the paragraphs holding matches ----------------------------------------


@pytest.fixture(scope="module")
def seeds_index(
    seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Index, list[Record], dict[str, list[tuple[str, tuple[str, ...]]]]]]:
    """The seeds indexed, and each record's paragraphs with their categories (the taxonomy's);
    one record states 宣传, which none of its paragraphs has (as a source or a person may)."""
    data_dir = tmp_path_factory.mktemp("seeds-units") / "data"
    shutil.copytree(seeded_data_dir, data_dir)
    archive = Archive(data_dir)
    taxonomy = data_taxonomy(data_dir)
    first = sorted(archive, key=lambda r: r.id)[0]
    assert all("宣传" not in taxonomy.classify(line).categories for line in first.text.split("\n"))
    with archive.writing() as a:
        a.write(dataclasses.replace(first, categories=(*first.categories, "宣传")))
    paragraphs = {
        r.id: [
            (normalise(line), taxonomy.classify(line).categories)
            for line in r.text.split("\n")
            if line.strip()
        ]
        for r in archive
    }
    with Index(data_dir) as index:
        index.rebuild(archive)
        yield index, list(archive), paragraphs


def _seed_needles() -> st.SearchStrategy[str]:
    common = ["代表", "监督", "人大", "执法检查", "代表联络站", "预算", "立法", "群众", "法治"]
    return st.sampled_from(common)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    terms=st.lists(_seed_needles(), min_size=1, max_size=2),
    ticked=st.sets(
        st.sampled_from(["代表工作", "监督", "民生", "立法", "宣传", "司法监督", "自身建设"]),
        min_size=1,
        max_size=2,
    ),
)
def test_a_ticked_category_keeps_records_with_a_match_in_a_paragraph_of_it(
    seeds_index, terms, ticked
):
    index, records, paragraphs = seeds_index
    q = " ".join(terms)
    norms = [normalise(t) for t in terms]
    titles = {r.id: normalise(r.title) for r in records}

    stated = {r.id: set(r.categories) for r in records}

    def matched(record_id: str) -> set[str]:
        """Categories of the paragraphs that hold a term, if the record matches the query; the
        record's categories that no paragraph has hold for every paragraph."""
        text = "\n".join(p for p, _ in paragraphs[record_id])
        if not all(n in text or n in titles[record_id] for n in norms):
            return set()
        held = [cats for p, cats in paragraphs[record_id] if any(n in p for n in norms)]
        extra = stated[record_id] - {c for _, cats in paragraphs[record_id] for c in cats}
        return {c for cats in held for c in cats} | (extra if held else set())

    expected = sorted(r.id for r in records if matched(r.id) & ticked)
    result = index.search(SearchRequest(q=q, filters={"category": tuple(ticked)}, per_page=100))
    assert sorted(h.id for h in result.hits) == expected
    counts = {v.value: v.count for v in result.facets["category"]}
    for category in {c for r in records for c in matched(r.id)} | ticked:
        assert counts.get(category, 0) == sum(category in matched(r.id) for r in records)
    for passage in index.passages(SearchRequest(q=q, filters={"category": tuple(ticked)})):
        extra = stated[passage.id] - {c for _, cats in paragraphs[passage.id] for c in cats}
        assert (set(passage.categories) | extra) & ticked  # each exported paragraph is of one
        assert passage.snippet.marks


def test_under_a_query_a_category_narrows_to_its_paragraphs(seeds_index):
    index, records, _ = seeds_index
    # six seeds are 代表工作 records and mention 监督; in one only does a 代表工作 paragraph say it
    assert len([r for r in records if "代表工作" in r.categories and "监督" in r.text]) == 6
    assert ids(index, "监督", category=("代表工作",)) == ["387a6fb41bfe"]
    assert ids(index, "预算", category=("监督",)) == ["aada6539ded6", "d21f6bdc6184"]


def test_a_category_the_record_states_holds_for_all_its_paragraphs(seeds_index):
    index, records, paragraphs = seeds_index
    (stated,) = [r for r in records if "宣传" in r.categories and not any(
        "宣传" in cats for _, cats in paragraphs[r.id]
    )]  # fmt: skip
    assert stated.id in ids(index, "人大", category=("宣传",))
    (hit,) = [h for h in index.search(
        SearchRequest(q="人大", filters={"category": ("宣传",)}, per_page=100)
    ).hits if h.id == stated.id]  # fmt: skip
    assert hit.snippets and all(s.marks for s in hit.snippets)


def test_without_a_query_the_category_filters_records(seeds_index):
    index, records, _ = seeds_index
    result = index.search(SearchRequest(filters={"category": ("监督",)}, per_page=100))
    assert sorted(h.id for h in result.hits) == sorted(
        r.id for r in records if "监督" in r.categories
    )


def test_snippets_come_from_paragraphs_of_the_ticked_category(seeds_index):
    index, _, paragraphs = seeds_index
    request = SearchRequest(q="代表", filters={"category": ("监督",)}, per_page=100)
    result = index.search(request)
    assert result.hits
    for hit in result.hits:
        of_it = [p for p, cats in paragraphs[hit.id] if "监督" in cats]
        for snippet in hit.snippets:  # a window inside one paragraph of it, marking 代表
            assert any(normalise(snippet.text) in p for p in of_it), snippet.text
            assert {snippet.text[a:b] for a, b in snippet.marks} == {"代表"}


# --- every front end -----------------------------------------------------------------------


def test_api_cli_and_exports_honour_groups_and_tied_categories(seeds_index):
    index, _, _ = seeds_index
    client = create_app({"DATA_DIR": str(index.data_dir), "TESTING": True}).test_client()
    para = ids(index, "同段(代表联络站 接待)")
    assert len(para) == 4 and len(para) < len(ids(index, "代表联络站 接待"))
    api = client.get("/api/search", query_string={"q": "同段(代表联络站 接待)"}).get_json()
    assert sorted(h["id"] for h in api["hits"]) == para
    tied = client.get("/api/facets", query_string={"q": "监督", "category": "代表工作"}).get_json()
    assert tied["total"] == 1 and {"value": "代表工作", "count": 1} in tied["facets"]["category"]
    bad = client.get("/api/search", query_string={"q": "同段(代表 接待"})
    assert bad.status_code == 400
    assert bad.get_json()["error"] == "同段/同句缺少右括号 ) (unclosed para:/sent: group)"

    runner = CliRunner()
    base = ["--data-dir", str(index.data_dir)]
    out = runner.invoke(main, [*base, "search", "sent:(代表联络站 接待)", "--format", "json"])
    assert sorted(h["id"] for h in json.loads(out.output)["hits"]) == ids(
        index, "同句(代表联络站 接待)"
    )
    out = runner.invoke(
        main, [*base, "search", "监督", "--category", "代表工作", "--format", "json"]
    )
    assert [h["id"] for h in json.loads(out.output)["hits"]] == ["387a6fb41bfe"]
    out = runner.invoke(
        main,
        [
            *base,
            "export",
            "代表",
            "--category",
            "监督",
            "--level",
            "passage",
            "-o",
            "-",
            "--format",
            "jsonl",
        ],
    )
    rows = [json.loads(line) for line in out.output.split("\n") if line.startswith("{")]
    assert rows and all("监督" in row["paragraph_categories"] for row in rows)
    assert all("代表" in row["matches"] for row in rows)
    web = client.get("/export?q=代表&category=监督&level=passage&format=jsonl").data.decode()
    web_rows = [json.loads(line) for line in web.split("\n") if line]  # not splitlines: U+2028
    assert [{**r, "link": ""} for r in web_rows] == [{**r, "link": ""} for r in rows]


def test_index_with_a_broken_taxonomy_is_a_one_line_error(seeded_copy: Path):
    (seeded_copy / "categories.yaml").write_text("categories: [", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(seeded_copy), "index"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: {seeded_copy / 'categories.yaml'}: not valid YAML (ParserError)"
    )


def test_an_edited_taxonomy_rebuilds_the_index(seeded_copy: Path):
    def index() -> str:
        result = CliRunner().invoke(main, ["--data-dir", str(seeded_copy), "index"])
        return result.output.splitlines()[-1]

    assert index().startswith("index rebuilt: 7 added")
    assert index().startswith("index updated: 0 added")
    taxonomy = seeded_copy / "categories.yaml"
    taxonomy.write_text(taxonomy.read_text("utf-8") + "\n# tuned\n", encoding="utf-8")
    assert index().startswith("index rebuilt: 7 added")  # paragraphs categorised anew

"""Trends and the concordance: their numbers against /api/facets and brute-force scans."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from functools import cache
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import lxml.html
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from archive import Archive, Record
from archive.categories import data_taxonomy
from indexer import Index, kwic
from indexer.analysis import normalise
from indexer.models import ConcordanceRequest
from indexer.params import parse_search
from indexer.research import all_lines
from tests.bench.run import make_corpus, seed_records
from tests.test_export import xlsx_rows
from tests.test_web import PHRASE, indexed_copy
from webui import create_app
from webui.cli import main

BY = ("year", "province", "city", "district")


@pytest.fixture(scope="module")
def seeds_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed_copy(seeded_data_dir, tmp_path_factory)


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> FlaskClient:
    return create_app({"DATA_DIR": str(seeds_dir), "TESTING": True}).test_client()


def multi_year_records() -> list[Record]:
    """The benchmark's synthetic corpus (2018-2025), without 2021, with some unknown places and years."""
    records = [r for r in make_corpus(240, seed_records()) if r.year != 2021]
    for i in range(0, 30, 3):
        records[i] = dataclasses.replace(records[i], year=None)
    for i in range(1, 30, 5):
        records[i] = dataclasses.replace(records[i], district=None, city=None)
    return records


def indexed(data_dir: Path, records: list[Record]) -> Path:
    """An archive of these records with its index built."""
    archive = Archive(data_dir)
    with archive.writing() as a:
        for record in records:
            a.write(record)
    Index(data_dir).update(archive)
    return data_dir


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed(tmp_path_factory.mktemp("multi-year") / "data", multi_year_records())


@pytest.fixture(scope="module")
def generated(generated_dir: Path) -> FlaskClient:
    return create_app({"DATA_DIR": str(generated_dir), "TESTING": True}).test_client()


def get_json(client: FlaskClient, path: str, params: list[tuple[str, str]]) -> dict:
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code == 200, response.text[:300]
    return response.get_json()


def facet_counts(client: FlaskClient, params: list[tuple[str, str]], by: str) -> dict[str, int]:
    facets = get_json(client, "/api/facets", params)["facets"][by]
    return {f["value"]: f["count"] for f in facets}


CASES = [
    [("q", PHRASE)],
    [("q", "执法检查")],
    [("q", "执法检查"), ("province", "辽宁省")],
    [("q", "人大"), ("year", "2019-2023")],
    [("q", "监督"), ("district", "老边区"), ("district", "安州区")],
    [("q", "代表 监督"), ("category", "监督")],
    [("q", "执法检查 OR 专题询问"), ("mode", "words")],
]


@pytest.mark.parametrize("by", BY)
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_trend_counts_equal_the_facet_counts(
    corpus: str, case: int, by: str, request: pytest.FixtureRequest
) -> None:
    client: FlaskClient = request.getfixturevalue(corpus)
    params = CASES[case]
    trend = get_json(client, "/api/trends", [*params, ("by", by)])
    assert trend["by"] == by
    [series] = trend["series"]
    hits = facet_counts(client, params, by)
    totals = facet_counts(client, [p for p in params if p[0] not in ("q", "mode")], by)
    points = {str(p["key"]): p for p in series["points"]}
    for key, point in points.items():
        assert point["hits"] == hits.get(key, 0)
        assert point["total"] == totals.get(key, 0)
        assert point["share"] == (point["hits"] / point["total"] if point["total"] else None)
    # every key the facets count is a point (within a filter on that facet)
    selected = {v for k, v in params if k == by}
    assert {k for k, n in totals.items() if n and (not selected or k in selected)} <= set(points)
    if by == "year" and not any(k == "year" for k, _ in params):
        assert (
            sum(p["hits"] for p in points.values()) + series["unknown"]["hits"]
            == (get_json(client, "/api/facets", params)["total"])
        )


def test_share_is_hits_over_records_with_the_same_filters_and_key(seeds: FlaskClient) -> None:
    trend = get_json(seeds, "/api/trends", [("q", "执法检查"), ("by", "province")])
    assert trend["series"][0]["points"] == [
        {"key": "辽宁省", "hits": 3, "total": 6, "share": 0.5, "occurrences": 6},
        {"key": "四川省", "hits": 1, "total": 1, "share": 1.0, "occurrences": 3},
    ]
    narrowed = [
        ("q", "执法检查"),
        ("by", "province"),
        ("district", "老边区"),
        ("district", "西市区"),
    ]
    assert get_json(seeds, "/api/trends", narrowed)["series"][0]["points"] == [
        {"key": "辽宁省", "hits": 1, "total": 2, "share": 0.5, "occurrences": 4},
    ]


def test_years_without_records_are_gaps_and_unknown_years_apart(generated: FlaskClient) -> None:
    records = multi_year_records()
    trend = get_json(generated, "/api/trends", [("q", PHRASE), ("q", "执法检查")])
    for series in trend["series"]:
        assert [p["key"] for p in series["points"]] == list(range(2018, 2026))
        gap = series["points"][3]
        assert gap == {"key": 2021, "hits": 0, "total": 0, "share": None, "occurrences": 0}
        term = normalise(series["q"])
        unknown = [r for r in records if r.year is None]
        assert series["unknown"] == {
            "key": None,
            "hits": sum(term in normalise(r.title + "\n" + r.text) for r in unknown),
            "total": len(unknown),
            "share": series["unknown"]["hits"] / len(unknown),
            "occurrences": sum(overlapping(normalise(r.text), term) for r in unknown),
        }
    doc = lxml.html.fromstring(generated.get(f"/trends?q={PHRASE}&q=执法检查").text)
    svg = doc.xpath("//svg[@id='chart-1']")[0]
    assert not svg.xpath(".//rect[@data-key='2021']")
    assert svg.xpath(".//text[@class='gap']/text()") == ["无记录"]
    assert len(svg.xpath(".//rect[contains(@class, 'bar')]")) == 7 * 2
    row = doc.xpath("//table[@class='numbers']//tr[@class='gap']")[0]
    assert [c.text_content() for c in row] == ["2021", "0", "0", "—", "0", "0", "—", "0"]
    unknown_row = doc.xpath("//table[@class='numbers']//tr[@class='unknown']/th/text()")
    assert unknown_row == ["（未标注）"]


def test_a_year_filter_keeps_only_its_years(generated: FlaskClient) -> None:
    params = [("q", PHRASE), ("year", "2019"), ("year", "2021-2023")]
    [series] = get_json(generated, "/api/trends", params)["series"]
    assert [(p["key"], p["total"] > 0) for p in series["points"]] == [
        (2019, True), (2021, False), (2022, True), (2023, True),
    ]  # fmt: skip
    assert series["unknown"] == {
        "key": None,
        "hits": 0,
        "total": 0,
        "share": None,
        "occurrences": 0,
    }


def overlapping(text: str, term: str) -> int:
    return sum(text.startswith(term, i) for i in range(len(text)))


@pytest.mark.parametrize("by", BY)
def test_occurrences_are_every_occurrence_in_the_matching_texts(
    generated: FlaskClient, by: str
) -> None:
    records = multi_year_records()
    for term in ("人大", PHRASE, "代表"):
        [series] = get_json(generated, "/api/trends", [("q", term), ("by", by)])["series"]
        expected: dict[str, int] = {}
        for r in records:
            key = getattr(r, by)
            n = overlapping(normalise(r.text), normalise(term))
            expected[str(key)] = expected.get(str(key), 0) + n
        got = {str(p["key"]): p["occurrences"] for p in series["points"]}
        got["None"] = series["unknown"]["occurrences"]
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


def test_the_chart_draws_one_bar_per_key_and_term_linking_to_the_narrowed_search(
    generated: FlaskClient,
) -> None:
    trend = get_json(generated, "/api/trends", [("q", PHRASE), ("q", "执法检查")])
    doc = lxml.html.fromstring(generated.get(f"/trends?q={PHRASE}&q=执法检查").text)
    share, counts = doc.xpath("//svg[contains(@class, 'bars')]")
    for svg, measure in ((share, "share"), (counts, "hits")):
        top = float(svg.get("data-top"))
        plot = float(svg.get("data-plot-height"))
        for s, series in enumerate(trend["series"]):
            for point in series["points"]:
                bars = svg.xpath(f".//rect[@data-series='{s}'][@data-key='{point['key']}']")
                if point["total"] == 0:
                    assert bars == []
                    continue
                [bar] = bars
                value = point[measure] * (100 if measure == "share" else 1)
                assert float(bar.get("height")) == pytest.approx(value / top * plot, abs=0.01)
                link = urlsplit(bar.getparent().get("href"))
                assert link.path == "/search"
                assert parse_qsl(link.query) == [("q", series["q"]), ("year", str(point["key"]))]
    assert doc.xpath("//ul[@class='legend']/li/text()") == [f" {PHRASE}", " 执法检查"]


def test_trend_table_downloads_hold_the_page_numbers(
    generated: FlaskClient, tmp_path: Path
) -> None:
    params = [("q", PHRASE), ("by", "province")]
    [series] = get_json(generated, "/api/trends", params)["series"]
    response = generated.get(f"/trends/table?{urlencode([*params, ('format', 'csv')])}")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "省份",
        "记录总数",
        f"{PHRASE}·命中记录",
        f"{PHRASE}·占比",
        f"{PHRASE}·出现次数",
    ]
    expected = [
        [
            p["key"],
            str(p["total"]),
            str(p["hits"]),
            str(round(p["share"], 4)),
            str(p["occurrences"]),
        ]
        for p in series["points"]
    ]
    assert rows[1:] == expected
    response = generated.get(f"/trends/table?{urlencode([*params, ('format', 'xlsx')])}")
    (tmp_path / "trend.xlsx").write_bytes(response.data)
    sheet = xlsx_rows(tmp_path / "trend.xlsx")
    assert [list(r) for r in sheet[1:]] == [
        [p["key"], p["total"], p["hits"], round(p["share"], 4), p["occurrences"]]
        for p in series["points"]
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/trends?" + "&".join(f"q=t{i}" for i in range(7)), "最多比较 6 个检索词"),
        ("/api/trends?by=county", "统计维度参数无效"),
        ("/trends/table?format=pdf", "表格格式无效"),
        ("/api/concordance?q=人大&mode=words", "语境索引只支持精确匹配"),
        ("/api/concordance?q=人大&sort=title", "排序参数无效"),
        ("/api/concordance?q=人大&per_page=501", "per_page must be a whole number from 1 to 500"),
        ("/api/concordance?q=人大&context=201", "(context must be a whole number from 0 to 200)"),
        (
            "/api/concordance?q=人大&context=x",
            "收到 'x' (context must be a whole number from 0 to 200)",
        ),
        ("/export?q=人大&level=occurrence&mode=words", "语境索引只支持精确匹配"),
    ],
)
def test_bad_parameters_are_a_400_with_one_line(seeds: FlaskClient, url: str, message: str) -> None:
    response = seeds.get(url)
    assert response.status_code == 400
    text = response.get_json()["error"] if url.startswith("/api/") else response.text
    assert message in text


# --- concordance ------------------------------------------------------------------------------

# Folding variants (會 -> 会, Ａ -> a, ， -> ,), a character folding to three (… -> ...), one folding
# to none (a zero-width space) and a space (blank lines are no paragraph).
ALPHABET = "人大代表站会會Ａ，… \u200b"
TERMS = "人大代表站会a.,"


@cache
def random_records() -> list[Record]:
    rng = random.Random(12)
    places = [
        ("辽宁省", "营口市", "老边区"),
        ("辽宁省", "营口市", None),
        ("四川省", "绵阳市", "安州区"),
    ]
    records = []
    for i in range(60):
        lines = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))) for _ in range(5)]
        province, city, district = rng.choice(places)
        records.append(
            Record(
                id=f"{i:012x}",
                title=f"总结{i}{''.join(rng.choice('人大a') for _ in range(rng.randint(0, 2)))}",
                text="\n".join(lines).strip(),  # as the archive keeps it
                district=district,
                city=city,
                province=province,
                year=rng.choice([2019, 2020, None]),
            )
        )
    return records


@pytest.fixture(scope="module")
def random_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    data_dir = indexed(tmp_path_factory.mktemp("random") / "data", random_records())
    return create_app({"DATA_DIR": str(data_dir), "TESTING": True}).test_client()


def folded_spans(text: str, terms: list[str]) -> list[list[int]]:
    """Where the terms occur in the text folded character by character, as spans of the original;
    spans that overlap there are one span."""
    folded, origin = "", []
    for i, char in enumerate(text):
        folded += normalise(char)
        origin += [i] * len(normalise(char))
    spans = sorted(
        (origin[at], origin[at + len(term) - 1] + 1)
        for term in terms
        for at in range(len(folded))
        if folded.startswith(term, at)
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(end, merged[-1][1])
        else:
            merged.append([start, end])
    return merged


def brute_lines(terms: list[str], context: int, province: str | None) -> list[dict]:
    """Every occurrence of the terms in each non-blank line of the records holding every term (in
    the title or the text), overlapping ones as one line."""
    lines = []
    for record in random_records():
        if province and record.province != province:
            continue
        if not all(t in normalise(record.title) or t in normalise(record.text) for t in terms):
            continue
        paragraphs = [p for p in record.text.split("\n") if p.strip()]
        for number, text in enumerate(paragraphs):
            for start, end in folded_spans(text, terms):
                lines.append(
                    {
                        "left": text[max(0, start - context) : start],
                        "match": text[start:end],
                        "right": text[end : end + context],
                        "id": record.id,
                        "district": record.district,
                        "city": record.city,
                        "province": record.province,
                        "year": record.year,
                        "paragraph": number + 1,
                        "start": start,
                    }
                )
    return lines


def unknown_last(value: object) -> tuple[bool, object]:
    return value is None, value if value is not None else ""


ORDERS = {
    "year": lambda ln: (
        unknown_last(ln["year"]),
        [unknown_last(ln[k]) for k in ("province", "city", "district")],
        ln["id"], ln["paragraph"], ln["start"],
    ),
    "place": lambda ln: (
        [unknown_last(ln[k]) for k in ("province", "city", "district")],
        unknown_last(ln["year"]),
        ln["id"], ln["paragraph"], ln["start"],
    ),
    "left": lambda ln: (ln["left"][::-1], ln["match"], ln["right"], ln["id"], ln["paragraph"], ln["start"]),
    "right": lambda ln: (ln["right"], ln["match"], ln["left"][::-1], ln["id"], ln["paragraph"], ln["start"]),
}  # fmt: skip
KEYS = ("left", "match", "right", "id", "district", "city", "province", "year", "paragraph")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    terms=st.lists(st.text(alphabet=TERMS, min_size=1, max_size=3), min_size=1, max_size=2),
    sort=st.sampled_from(sorted(ORDERS)),
    context=st.sampled_from([0, 1, 2, 3, 4, 5, 7, 200]),
    province=st.sampled_from([None, "辽宁省"]),
    per_page=st.sampled_from([7, 50, 500]),
    small=st.sampled_from([1, 3, kwic.SMALL]),
)
def test_concordance_lines_equal_a_brute_force_scan(
    random_client: FlaskClient,
    terms: list[str],
    sort: str,
    context: int,
    province: str | None,
    per_page: int,
    small: int,
) -> None:
    """Every order, ties included (few characters, short contexts), with the page's ranks narrowed
    key by key down to single lines (small) or sorted outright."""
    expected = sorted(brute_lines(terms, context, province), key=ORDERS[sort])
    params = [("q", " ".join(terms)), ("sort", sort), ("context", str(context))]
    params += [("per_page", str(per_page))] + ([("province", province)] if province else [])
    got = []
    page = 1
    with mock.patch.object(kwic, "SMALL", small):
        while True:
            data = get_json(random_client, "/api/concordance", [*params, ("page", str(page))])
            assert data["occurrences"] == len(expected)
            assert data["records"] == len({line["id"] for line in expected})
            got += data["lines"]
            if len(data["lines"]) < per_page:
                break
            page += 1
    assert [[line[k] for k in KEYS] for line in got] == [
        [line[k] for k in KEYS] for line in expected
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(terms=st.lists(st.text(alphabet=TERMS, min_size=1, max_size=4), min_size=1, max_size=2))
def test_trend_occurrences_count_every_folded_occurrence(
    random_client: FlaskClient, terms: list[str]
) -> None:
    """Overlaps included, in text with characters folding to several or to none ("." three
    times in "…"), per year of the records holding every term."""
    expected: dict[str, int] = {}
    for record in random_records():
        text, title = normalise(record.text), normalise(record.title)
        if all(t in title or t in text for t in terms):
            n = sum(overlapping(text, t) for t in terms)
            expected[str(record.year)] = expected.get(str(record.year), 0) + n
    [series] = get_json(random_client, "/api/trends", [("q", " ".join(terms))])["series"]
    got = {str(p["key"]): p["occurrences"] for p in series["points"]}
    got["None"] = series["unknown"]["occurrences"]
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


def test_concordance_page_and_totals_on_the_seeds(seeds: FlaskClient) -> None:
    data = get_json(seeds, "/api/concordance", [("q", PHRASE), ("context", "5"), ("sort", "right")])
    assert (data["occurrences"], data["records"], len(data["lines"])) == (10, 7, 10)
    assert all(len(line["left"]) <= 5 and len(line["right"]) <= 5 for line in data["lines"])
    assert [line["right"] for line in data["lines"]] == sorted(
        line["right"] for line in data["lines"]
    )
    assert {line["match"] for line in data["lines"]} == {PHRASE}
    trend = get_json(seeds, "/api/trends", [("q", PHRASE)])
    assert sum(p["occurrences"] for p in trend["series"][0]["points"]) == 10
    doc = lxml.html.fromstring(seeds.get(f"/concordance?q={PHRASE}&per_page=4&page=3").text)
    rows = doc.xpath("//table[@class='kwic']/tbody/tr")
    assert len(rows) == 2
    assert rows[0].xpath("td[@class='match']/mark/text()") == [PHRASE]
    link = urlsplit(rows[0].xpath("td[@class='source']/a/@href")[0])
    ninth = get_json(seeds, "/api/concordance", [("q", PHRASE)])["lines"][8]
    assert (link.path, parse_qsl(link.query)) == (f"/records/{ninth['id']}", [("q", PHRASE)])
    assert doc.xpath("//strong[@data-total]/text()") == ["10"]
    assert doc.xpath("//nav[@class='pages']/span[@aria-current]/text()") == ["3"]


def test_occurrence_export_holds_every_line_on_the_web_and_in_the_cli(
    seeds: FlaskClient, seeds_dir: Path
) -> None:
    data = get_json(
        seeds, "/api/concordance", [("q", PHRASE), ("sort", "left"), ("per_page", "500")]
    )
    response = seeds.get(f"/export?q={PHRASE}&level=occurrence&format=csv&sort=left")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(quote(f"{PHRASE}-语境.csv"))
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "编号", "标题", "常委会", "区县", "城市", "省份", "年份", "文种", "类别",
        "段落序号", "左文", "关键词", "右文", "链接",
    ]  # fmt: skip
    assert [(r[0], r[10], r[11], r[12]) for r in rows[1:]] == [
        (line["id"], line["left"], line["match"], line["right"]) for line in data["lines"]
    ]
    cli = CliRunner().invoke(
        main,
        ["--data-dir", str(seeds_dir), "export", PHRASE, "--level", "occurrence", "-o", "-",
         "--format", "jsonl", "--base-url", "http://localhost"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    web = seeds.get(f"/export?q={PHRASE}&level=occurrence&format=jsonl")
    assert cli.stdout_bytes == web.data


def test_search_page_links_to_the_research_views_with_its_query_and_filters(
    seeds: FlaskClient,
) -> None:
    doc = lxml.html.fromstring(
        seeds.get(f"/search?q={PHRASE}&mode=words&province=辽宁省&year=2025&page=2").text
    )
    trends, lines = doc.xpath("//p[@class='research-links']/a/@href")
    assert urlsplit(trends).path == "/trends"
    assert parse_qsl(urlsplit(trends).query) == [
        ("q", PHRASE), ("mode", "words"), ("province", "辽宁省"), ("year", "2025"),
    ]  # fmt: skip
    assert parse_qsl(urlsplit(lines).query) == [
        ("q", PHRASE),
        ("province", "辽宁省"),
        ("year", "2025"),
    ]
    assert urlsplit(lines).path == "/concordance"
    doc = lxml.html.fromstring(seeds.get("/districts").text)
    assert doc.xpath("//p[@class='research-links']/a/@href") == [
        "/trends?by=province",
        "/trends",
        "/concordance",
    ]


# --- places side by side --------------------------------------------------------------------


def test_compare_numbers_equal_the_per_place_searches(
    generated: FlaskClient, generated_dir: Path
) -> None:
    taxonomy = data_taxonomy(generated_dir)
    records = multi_year_records()
    data = get_json(
        generated,
        "/api/compare",
        [("district", "老边区"), ("district", "营口市"), ("district", "四川省"), ("q", PHRASE)],
    )
    assert [(p["place"], p["level"]) for p in data["places"]] == [
        ("老边区", "district"),
        ("营口市", "city"),
        ("四川省", "province"),
    ]
    for place in data["places"]:
        level, name = place["level"], place["place"]
        summaries = facet_counts(generated, [(level, name)], "year")
        hits = facet_counts(generated, [(level, name), ("q", PHRASE)], "year")
        known = [y for y in place["years"] if y["year"] is not None]
        assert {str(y["year"]): y["summaries"] for y in known if y["summaries"]} == summaries
        assert {str(y["year"]): y["hits"] for y in known if y["hits"]} == hits
        for year in place["years"]:
            mine = [r for r in records if getattr(r, level) == name and r.year == year["year"]]
            paras = [p for r in mine for p in r.text.split("\n") if p.strip()]
            assert year["paragraphs"] == len(paras)
            for category, share in year["categories"].items():
                held = sum(category in taxonomy.classify(p).categories for p in paras)
                assert share == (round(held / len(paras), 4) if paras else 0.0)


def test_compare_needs_two_to_four_places(seeds: FlaskClient) -> None:
    response = seeds.get("/api/compare?district=老边区")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "请选择 2 到 4 个地区进行比较，收到 1 个 (compare 2 to 4 places)"
    )


def test_paragraphs_new_in_the_later_year_are_marked() -> None:
    from webui.views.compare import marked_new

    earlier = "开展执法检查3次，专题询问1次。\n\n推进代表联络站建设。"
    later = "开展执法检查4次，专题询问2次。\n建成数字人大平台，实现线上履职。\n推进代表联络站建设。"
    assert marked_new(earlier, later) == [
        ("开展执法检查4次，专题询问2次。", False),
        ("建成数字人大平台，实现线上履职。", True),
        ("推进代表联络站建设。", False),
    ]


def test_search_and_districts_link_to_the_comparison(seeds: FlaskClient) -> None:
    doc = lxml.html.fromstring(
        seeds.get(f"/search?q={PHRASE}&district=老边区&district=西市区&year=2025").text
    )
    compare = doc.xpath("//p[@class='research-links']/a/@href")[2]
    assert urlsplit(compare).path == "/compare"
    assert parse_qsl(urlsplit(compare).query) == [
        ("district", "老边区"), ("district", "西市区"), ("q", PHRASE), ("year", "2025"),
    ]  # fmt: skip
    assert seeds.get(compare).status_code == 200
    doc = lxml.html.fromstring(seeds.get("/districts").text)
    boxes = doc.xpath("//input[@type='checkbox'][@form='cmp']/@value")
    assert "老边区" in boxes and len(boxes) == 7
    assert doc.xpath("//form[@id='cmp']/@action") == ["/compare"]


def district_years() -> dict[str, set[int]]:
    """The years of each district of the multi-year archive."""
    found: dict[str, set[int]] = {}
    for r in multi_year_records():
        if r.district and r.year:
            found.setdefault(r.district, set()).add(r.year)
    return found


def consecutive_years() -> tuple[str, int]:
    """The first district (by name) with summaries in two consecutive years, and the earlier one."""
    return min((d, y) for d, ys in district_years().items() for y in ys if y + 1 in ys)


def test_consecutive_years_side_by_side(generated: FlaskClient) -> None:
    from webui.views.compare import marked_new

    by_district = district_years()
    district, first = consecutive_years()
    records = [r for r in multi_year_records() if r.district == district]
    texts = {y: "\n".join(r.text for r in records if r.year == y) for y in (first, first + 1)}
    params = [("district", district), ("year", str(first))]
    data = get_json(generated, "/api/compare/years", params)
    earlier, later = data["years"]
    assert (earlier["year"], later["year"]) == (first, first + 1)
    assert [p["text"] for p in earlier["paragraphs"]] == texts[first].split("\n")
    assert [(p["text"], p["new"]) for p in later["paragraphs"]] == marked_new(
        texts[first], texts[first + 1]
    )
    last = max(by_district[district])
    assert generated.get(f"/api/compare/years?district={district}&year={last}").status_code == 404
    response = generated.get(f"/api/compare/years?district={district}")
    assert response.status_code == 400
    assert response.get_json()["error"].endswith("(one district and one year)")
    assert generated.get(f"/compare/years?{urlencode(params)}").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        [("q", "同段(代表 联络站)")],
        [("q", "sent:(代表 建议)")],
        [("q", "代表"), ("category", "监督")],
        [("q", "同段(代表 联络站) 人大"), ("category", "代表工作")],
    ],
)
def test_restricted_concordance_lines_are_the_marks_of_the_search_s_passages(
    seeds_dir: Path, seeds: FlaskClient, params: list[tuple[str, str]]
) -> None:
    """A 同段/同句 group or a category ticked under the query: the lines are exactly what the
    search's passages mark (only inside the qualifying units), no other occurrence of the terms;
    the trend's occurrences count them and its records are the search's."""
    search = parse_search(MultiDict(params))
    with Index.open(seeds_dir) as index:
        marked = sorted(
            (p.id, p.paragraph, p.snippet.text[start:end])
            for p in index.passages(search)
            for start, end in p.snippet.marks
        )
        lines = all_lines(index, ConcordanceRequest(search, sort="right"))
        records = {hit.id for hit in index.matches(search)}
        anywhere = all_lines(index, ConcordanceRequest(parse_search(MultiDict([("q", "代表")]))))
    assert marked and len(anywhere) > len(marked)
    assert sorted((line.id, line.paragraph, line.match) for line in lines) == marked
    data = get_json(seeds, "/api/concordance", [*params, ("per_page", "500")])
    assert (data["occurrences"], data["records"]) == (len(marked), len({m[0] for m in marked}))
    assert {line["id"] for line in data["lines"]} <= records
    trend = get_json(seeds, "/api/trends", params)["series"][0]
    assert sum(p["hits"] for p in trend["points"]) + trend.get("unknown", {}).get("hits", 0) == len(
        records
    )

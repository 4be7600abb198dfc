"""The web UI and JSON API on the seeds, through Flask's test client, with HTML checked by parsing."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from archive import Archive, Record
from indexer import Index
from indexer.params import parse_search
from webui import create_app
from webui.errors import SECURITY_HEADERS

PHRASE = "代表联络站"
YINGKOU = ("老边区", "鲅鱼圈区", "西市区", "盖州市", "站前区", "大石桥市")


def build_index(data_dir: Path) -> None:
    """Index the archive in data_dir with the indexer's own API."""
    Index(data_dir).update(Archive(data_dir))


def indexed_copy(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds with a built index, in a directory of our own (read-only for the tests)."""
    target = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(seeded_data_dir, target)
    build_index(target)
    return target


@pytest.fixture(scope="module")
def indexed_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed_copy(seeded_data_dir, tmp_path_factory)


@pytest.fixture
def app(indexed_dir: Path) -> Flask:
    return create_app({"DATA_DIR": str(indexed_dir), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page(client: FlaskClient, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.content_type == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.text)


def total(doc: lxml.html.HtmlElement) -> int:
    return int(doc.xpath("//p[@id='total']/strong/@data-total")[0])


def facet(doc: lxml.html.HtmlElement, name: str) -> dict[str, tuple[int, bool]]:
    """Facet checkboxes of one parameter: value -> (count, ticked)."""
    out = {}
    for box in doc.xpath(f"//aside[@id='facets']//input[@type='checkbox'][@name='{name}']"):
        count = box.getparent().xpath("span[@class='count']/text()")[0]
        out[box.get("value")] = (int(count), box.get("checked") is not None)
    return out


def marks(doc: lxml.html.HtmlElement, where: str) -> list[str]:
    return [m.text_content() for m in doc.xpath(f"{where}//mark")]


def records_of(data_dir: Path) -> list[Record]:
    return list(Archive(data_dir))


# --- search page -------------------------------------------------------------------------------


def test_home_page_browses_every_record_with_facets(client: FlaskClient, indexed_dir: Path) -> None:
    doc = page(client, "/")
    assert total(doc) == len(records_of(indexed_dir)) == 7
    assert len(doc.xpath("//li[@class='hit']")) == 7
    assert facet(doc, "province") == {"辽宁省": (6, False), "四川省": (1, False)}
    assert facet(doc, "city") == {"营口市": (6, False), "绵阳市": (1, False)}
    assert facet(doc, "district") == {d: (1, False) for d in (*YINGKOU, "安州区")}
    assert facet(doc, "year") == {"2025": (7, False)}
    assert facet(doc, "category")["代表工作"] == (6, False)  # not 站前区 (see test_categories)


def test_exact_phrase_marks_exactly_the_phrase(client: FlaskClient, indexed_dir: Path) -> None:
    doc = page(client, f"/search?q={PHRASE}")
    expected = [r for r in records_of(indexed_dir) if PHRASE in r.title + r.text]
    assert total(doc) == len(expected) == 7
    snippet_marks = marks(doc, "//p[@class='snippet']")
    assert snippet_marks and set(snippet_marks) == {PHRASE}
    links = doc.xpath("//li[@class='hit']/h2/a/@href")
    assert sorted(urlsplit(u).path for u in links) == sorted(f"/records/{r.id}" for r in expected)
    assert all(parse_qs(urlsplit(u).query) == {"q": [PHRASE]} for u in links)
    (json_link,) = doc.xpath("//p[@id='total']/a[@class='json']/@href")
    assert client.get(json_link).get_json()["total"] == 7


def test_result_shows_place_year_and_category_tags(client: FlaskClient, indexed_dir: Path) -> None:
    record = next(r for r in records_of(indexed_dir) if r.district == "老边区")
    doc = page(client, f"/search?q={PHRASE}&district=老边区")
    (hit,) = doc.xpath("//li[@class='hit']")
    assert hit.xpath("h2/a")[0].text_content() == record.title
    assert hit.xpath(".//span[@class='place']")[0].text_content() == "老边区 · 营口市 · 辽宁省"
    assert hit.xpath(".//span[@class='year']")[0].text_content() == "2025 年"
    assert hit.xpath(".//ul[@class='tags']/li/text()") == list(record.categories)


def test_district_facet_is_multi_select_with_counts_and_chips(client: FlaskClient) -> None:
    doc = page(client, f"/search?q={PHRASE}&district=老边区&district=站前区")
    assert total(doc) == 2
    districts = facet(doc, "district")
    # Each facet is counted with the other facets' filters only, so the other districts stay offered.
    assert districts == {d: (1, d in ("老边区", "站前区")) for d in (*YINGKOU, "安州区")}
    # A place outside the result still shows under its parents, with 0, so the tree stays whole.
    assert facet(doc, "city") == {"营口市": (2, False), "绵阳市": (0, False)}
    assert facet(doc, "province") == {"辽宁省": (2, False), "四川省": (0, False)}
    chips = doc.xpath("//ul[@class='chips']/li/a[@title]")
    assert [c.text_content().split()[0] for c in chips] == ["区县：老边区", "区县：站前区"]
    removed = page(client, chips[0].get("href"))
    assert total(removed) == 1
    assert facet(removed, "district")["站前区"] == (1, True)
    assert facet(removed, "district")["老边区"] == (1, False)


def test_place_facets_nest_province_city_district(client: FlaskClient) -> None:
    doc = page(client, "/")
    (laobian,) = doc.xpath("//input[@name='district'][@value='老边区']")
    ancestors = [
        box.get("value")
        for li in laobian.iterancestors("li")
        for box in li.xpath("label/input")
        if box is not laobian
    ]
    assert ancestors == ["营口市", "辽宁省"]


def test_filters_combine_across_facets(client: FlaskClient) -> None:
    assert total(page(client, "/search?province=四川省&category=监督")) == 1
    assert total(page(client, "/search?province=四川省&city=营口市")) == 0
    assert total(page(client, "/search?year=2025&district=盖州市")) == 1
    assert total(page(client, "/search?year=2020-2024")) == 0


def test_unknown_facet_value_is_an_empty_result_that_can_be_removed(client: FlaskClient) -> None:
    doc = page(client, "/search?district=不存在区")
    assert total(doc) == 0
    assert facet(doc, "district")["不存在区"] == (0, True)
    assert doc.xpath("//li[@class='empty']")


def submitted(doc: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """What a browser sends when the search form is submitted as it is (fields inside or form=sf)."""
    pairs = []
    fields = doc.xpath("//form[@id='sf']//*[@name] | //*[@form='sf'][@name]")
    for field in fields:
        kind = field.get("type", "text") if field.tag == "input" else field.tag
        if kind in ("checkbox", "radio") and field.get("checked") is None:
            continue
        if kind == "select":
            options = field.xpath("option[@selected]") or field.xpath("option")
            pairs.append((field.get("name"), options[0].get("value")))
        elif kind not in ("submit", "button"):
            pairs.append((field.get("name"), field.get("value") or ""))
    return pairs


@pytest.mark.parametrize(
    "query",
    [
        "year=2019",
        "year=2020-2024&year=2019",
        "q=代表&mode=words&scope=title&sort=-year&per_page=5&district=不存在区&year=2020-2025",
        "category=监督&city=营口市&per_page=100",
    ],
)
def test_submitting_the_form_keeps_every_selected_value(client: FlaskClient, query: str) -> None:
    """Ticking any box submits the form: no selected filter and no page size may fall out of it."""
    doc = page(client, f"/search?{query}")
    sent = parse_search(MultiDict(submitted(doc)))
    assert sent == parse_search(MultiDict(parse_qsl(query)))


def test_a_selected_year_without_records_keeps_a_ticked_box(client: FlaskClient) -> None:
    doc = page(client, "/search?year=2019&year=2020-2024")
    assert total(doc) == 0
    assert facet(doc, "year") == {"2025": (7, False), "2019": (0, True), "2020-2024": (0, True)}
    doc = page(client, "/search?year=2020-2025")
    assert facet(doc, "year") == {"2025": (7, False), "2020-2025": (7, True)}
    # 2025 is inside the ticked range: shown as selected, while its own box stays unticked.
    assert doc.xpath("//input[@name='year'][@value='2025']/ancestor::li[1]/@class") == ["selected"]


def test_the_page_size_is_carried_by_the_form_only_when_not_the_default(
    client: FlaskClient,
) -> None:
    hidden = "//form[@id='sf']//input[@type='hidden'][@name='per_page']/@value"
    assert page(client, "/search?per_page=5").xpath(hidden) == ["5"]
    assert page(client, "/search?per_page=20").xpath(hidden) == []


def test_pagination_keeps_the_search_state(client: FlaskClient) -> None:
    doc = page(
        client,
        f"/search?q={PHRASE}&per_page=3&district=老边区&district=站前区&district=西市区&district=盖州市",
    )
    assert total(doc) == 4
    assert len(doc.xpath("//li[@class='hit']")) == 3
    (following,) = doc.xpath("//nav[@class='pages']/a[@rel='next']/@href")
    assert parse_qs(urlsplit(following).query) == {
        "q": [PHRASE],
        "district": ["老边区", "站前区", "西市区", "盖州市"],
        "page": ["2"],
        "per_page": ["3"],
    }
    last = page(client, following)
    assert len(last.xpath("//li[@class='hit']")) == 1
    assert not last.xpath("//a[@rel='next']")
    assert last.xpath("//span[@aria-current='page']/text()") == ["2"]


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(client: FlaskClient) -> None:
    doc = page(client, f"/search?q={PHRASE}&per_page=3&page=5")
    assert total(doc) == 7
    assert not doc.xpath("//li[@class='hit']")
    (note,) = doc.xpath("//ol[@class='hits']/li")
    assert note.get("class") == "empty past-end"
    assert (
        " ".join(note.text_content().split())
        == "第 5 页已超出结果范围：共 7 条结果，最后一页是第 3 页。前往第 3 页"
    )
    (last,) = note.xpath("a/@href")
    assert parse_qs(urlsplit(last).query) == {"q": [PHRASE], "page": ["3"], "per_page": ["3"]}
    assert len(page(client, last).xpath("//li[@class='hit']")) == 1
    (previous,) = doc.xpath("//nav[@class='pages']/a[@rel='prev']/@href")
    assert parse_qs(urlsplit(previous).query)["page"] == ["3"]


def hit_order(doc: lxml.html.HtmlElement) -> list[tuple[str, str, str]]:
    """(record id, district, year) of each hit, in page order."""
    return [
        (
            urlsplit(hit.xpath("h2/a/@href")[0]).path.removeprefix("/records/"),
            hit.xpath(".//span[@class='place']")[0].text_content().split(" · ")[0],
            hit.xpath(".//span[@class='year']")[0].text_content(),
        )
        for hit in doc.xpath("//li[@class='hit']")
    ]


# The seeds are all from 2025, so the year sorts fall back to relevance; districts sort by code point.
# 3 and 2 occurrences of 代表联络站 first, then one each, shorter texts first (BM25)
BY_RELEVANCE = ("站前区", "盖州市", "老边区", "大石桥市", "鲅鱼圈区", "西市区", "安州区")
SEED_ORDER = {
    "relevance": BY_RELEVANCE,
    "year": BY_RELEVANCE,
    "-year": BY_RELEVANCE,
    "district": ("大石桥市", "安州区", "盖州市", "站前区", "老边区", "西市区", "鲅鱼圈区"),
}


@pytest.mark.parametrize("sort", SEED_ORDER)
def test_each_sort_gives_its_order(client: FlaskClient, indexed_dir: Path, sort: str) -> None:
    doc = page(client, f"/search?q={PHRASE}&sort={sort}")
    assert total(doc) == 7
    id_of = {r.district: r.id for r in records_of(indexed_dir)}
    assert hit_order(doc) == [(id_of[d], d, "2025 年") for d in SEED_ORDER[sort]]
    assert doc.xpath(f"//select[@name='sort']/option[@value='{sort}']/@selected")


def test_relevance_counts_exact_occurrences(client: FlaskClient) -> None:
    """README: BM25 over exact occurrences; 3 and 2 occurrences first, then shorter texts first."""
    doc = page(client, f"/search?q={PHRASE}")
    assert [d for _, d, _ in hit_order(doc)] == [
        "站前区",  # 3 occurrences
        "盖州市",  # 2 occurrences, 983 characters
        "老边区",  # 1 occurrence each, by length: 786
        "大石桥市",  # 1,025
        "鲅鱼圈区",  # 1,037
        "西市区",  # 1,095
        "安州区",  # 1,984
    ]


def test_mode_and_scope_switches_reflect_the_url(client: FlaskClient) -> None:
    doc = page(client, f"/search?q={PHRASE}&mode=words&scope=title")
    assert doc.xpath("//input[@name='mode'][@checked]/@value") == ["words"]
    assert doc.xpath("//input[@name='scope'][@checked]/@value") == ["title"]
    assert total(doc) == 0  # no seed title holds the phrase


def test_search_form_and_facets_work_without_javascript(client: FlaskClient) -> None:
    doc = page(client, "/")
    (form,) = doc.xpath("//form[@id='sf']")
    assert form.get("method") == "get"
    assert form.get("action") == "/search"
    boxes = doc.xpath("//input[@type='checkbox']")
    assert boxes and all(b.get("form") == "sf" for b in boxes)
    assert doc.xpath("//button[@type='submit'][@form='sf']")


@pytest.mark.parametrize(
    ("hostile", "status"),
    [("<script>alert(1)</script>", 200), ('"><script>alert(1)</script>', 400)],
)
def test_query_text_is_escaped_where_it_is_reflected(
    client: FlaskClient, hostile: str, status: int
) -> None:
    response = client.get("/search", query_string={"q": hostile})
    assert response.status_code == status
    doc = lxml.html.fromstring(response.text)
    assert doc.xpath("//input[@name='q']/@value") == ([hostile] if status == 200 else [])
    assert [s.get("src") for s in doc.xpath("//script")] == ["/static/app.js"]
    assert "<script>alert" not in response.text


@pytest.mark.parametrize("url", ["/search", "/api/search", "/export", "/records/387a6fb41bfe"])
def test_malformed_query_is_a_400_with_the_indexer_message(client: FlaskClient, url: str) -> None:
    response = client.get(url, query_string={"q": '"未闭合', "format": "csv"})
    assert response.status_code == 400
    message = '引号不成对：请检查查询中的 " (unbalanced quotes)'
    if url.startswith("/api"):
        assert response.get_json() == {"error": message, "status": 400}
    else:
        assert lxml.html.fromstring(response.text).xpath("//p[@class='message']/text()") == [
            message
        ]


# --- JSON API ----------------------------------------------------------------------------------


def test_api_search_has_the_cli_json_shape(client: FlaskClient) -> None:
    data = client.get(f"/api/search?q={PHRASE}&district=老边区").get_json()
    assert list(data) == ["query", "total", "hits", "facets"]
    assert data["query"] == PHRASE
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert list(hit) == [
        "id",
        "title",
        "committee",
        "district",
        "city",
        "province",
        "year",
        "doctype",
        "categories",
        "snippets",
    ]
    assert {hit["snippets"][0]["text"][a:b] for a, b in hit["snippets"][0]["marks"]} == {PHRASE}
    assert {v["value"]: v["count"] for v in data["facets"]["province"]} == {"辽宁省": 1}
    assert {v["value"]: v["count"] for v in data["facets"]["district"]}["安州区"] == 1


def test_api_facets_match_the_page(client: FlaskClient) -> None:
    data = client.get(f"/api/facets?q={PHRASE}&district=老边区").get_json()
    assert list(data) == ["query", "total", "facets"]
    doc = page(client, f"/search?q={PHRASE}&district=老边区")
    for name in ("province", "city", "district", "year", "category"):
        assert {v["value"]: v["count"] for v in data["facets"][name]} == {
            value: count for value, (count, _) in facet(doc, name).items() if count
        }


def test_api_record_has_metadata_and_full_text(client: FlaskClient, indexed_dir: Path) -> None:
    record = records_of(indexed_dir)[0]
    response = client.get(f"/api/records/{record.id}")
    data = response.get_json()
    assert [p["n"] for p in data.pop("paragraphs")] == list(range(1, record.text.count("\n\n") + 2))
    assert data == {**record.metadata(), "text": record.text}
    assert PHRASE.encode() in response.data  # UTF-8, not \\u escapes


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/api/search?page=-1",
            "参数 page 应为 1 到 1000 之间的整数，收到 '-1' (page must be a whole number from 1 to 1000)",
        ),
        (
            "/api/search?year=abc",
            "年份格式不对：'abc'，应为 2025 或 2020-2025 (year must be like 2025)",
        ),
        ("/api/facets?mode=fuzzy", "匹配方式参数无效：'fuzzy'，可选 exact、words (unknown mode)"),
        ("/api/records/zzz", "没有找到这个页面或记录 (Not Found)"),
    ],
)
def test_api_errors_are_json_with_a_message(client: FlaskClient, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == (404 if "records" in url else 400)
    assert response.get_json() == {"error": message, "status": response.status_code}


# --- record page -------------------------------------------------------------------------------


def test_record_page_shows_metadata_permalink_and_markdown(
    client: FlaskClient, indexed_dir: Path
) -> None:
    record = next(r for r in records_of(indexed_dir) if r.district == "安州区")
    doc = page(client, f"/records/{record.id}")
    assert doc.xpath("//h1")[0].text_content() == record.title
    meta = dict(
        zip(
            doc.xpath("//dl[@class='metadata']/dt/text()"),
            [dd.text_content() for dd in doc.xpath("//dl[@class='metadata']/dd")],
            strict=True,
        )
    )
    assert meta["常委会"] == record.committee
    assert meta["地区"] == "安州区 · 绵阳市 · 四川省"
    assert meta["年份"] == "2025"
    assert meta["来源"] == record.source
    assert meta["永久链接"] == f"http://localhost/records/{record.id}"
    paragraphs = doc.xpath("//div[@class='body']/p")
    assert len(paragraphs) >= 10
    assert not marks(doc, "//div[@class='body']")


def test_record_page_highlights_the_search_terms(client: FlaskClient, indexed_dir: Path) -> None:
    record = next(r for r in records_of(indexed_dir) if r.district == "站前区")
    doc = page(client, f"/records/{record.id}?q={PHRASE}")
    assert (
        marks(doc, "//div[@class='body']") == [PHRASE] * record.text.count(PHRASE) == [PHRASE] * 3
    )
    (back,) = doc.xpath("//p[@class='back']/a/@href")
    assert parse_qs(urlsplit(back).query) == {"q": [PHRASE]}


def test_record_page_lists_similar_summaries(client: FlaskClient, indexed_dir: Path) -> None:
    record = records_of(indexed_dir)[0]
    links = page(client, f"/records/{record.id}").xpath("//aside[@class='similar']//a/@href")
    assert 1 <= len(links) <= 5
    assert f"/records/{record.id}" not in links
    assert all(client.get(link).status_code == 200 for link in links)


@pytest.mark.parametrize(
    "url", ["/records/zzz", "/records/..%2F..%2Fetc%2Fpasswd", "/records/000000000000", "/nope"]
)
def test_unknown_pages_are_a_friendly_404(client: FlaskClient, url: str) -> None:
    doc = page(client, url, 404)
    assert doc.xpath("//section[@class='error']/@data-status") == ["404"]
    assert doc.xpath("//p[@class='message']/text()") == ["没有找到这个页面或记录 (Not Found)"]


# --- districts ---------------------------------------------------------------------------------


def test_districts_page_lists_provinces_cities_districts(client: FlaskClient) -> None:
    doc = page(client, "/districts")
    assert doc.xpath("//section[@class='province']/h2/text()") == [
        "辽宁省",
        "四川省",
    ]  # larger first
    liaoning = doc.xpath("//section[@class='province'][h2='辽宁省']")[0]
    assert liaoning.xpath("h3/text()") == ["营口市"]
    assert sorted(liaoning.xpath(".//ul[@class='places']/li/a/text()")) == sorted(YINGKOU)
    assert set(liaoning.xpath(".//span[@class='count']/text()")) == {"1 篇"}
    assert set(liaoning.xpath(".//span[@class='years']/text()")) == {"2025"}


def test_city_and_province_level_summaries_have_their_own_lines(seeded_copy: Path) -> None:
    """A summary with no district (a city's or province's own committee) used to make a 500."""
    archive = Archive(seeded_copy)
    laobian = next(r for r in archive if r.district == "老边区")
    with archive.writing():
        archive.write(
            dataclasses.replace(
                laobian, id="c00000000001", committee="营口市人大常委会", district=None, year=2024
            )
        )
        archive.write(
            dataclasses.replace(
                laobian,
                id="c00000000002",
                committee="辽宁省人大常委会",
                district=None,
                city=None,
                year=2023,
            )
        )
    build_index(seeded_copy)
    client = create_app({"DATA_DIR": str(seeded_copy)}).test_client()
    doc = page(client, "/districts")
    liaoning = doc.xpath("//section[@class='province'][h2='辽宁省']")[0]
    assert liaoning.xpath("h3/text()") == ["营口市"]

    def lines(places: lxml.html.HtmlElement) -> list[str]:
        return [" ".join(li.text_content().split()) for li in places.xpath("li")]

    own, yingkou = liaoning.xpath("ul[@class='places']")
    assert lines(own) == ["省级 1 篇 2023"]
    assert lines(yingkou) == [
        "市级 1 篇 2024",
        *(
            f"{d} 1 篇 2025"
            for d in ("大石桥市", "盖州市", "站前区", "老边区", "西市区", "鲅鱼圈区")
        ),
    ]
    assert yingkou.xpath("li/a/text()") == sorted(YINGKOU)
    assert total(page(client, "/")) == 9  # the facet tree takes them too


def test_api_districts_lists_every_place(client: FlaskClient) -> None:
    places = client.get("/api/districts").get_json()
    assert len(places) == 7
    assert {
        "province": "辽宁省",
        "city": "营口市",
        "district": "老边区",
        "count": 1,
        "years": [2025],
    } in places


def test_district_page_lists_its_summaries_by_year(client: FlaskClient, indexed_dir: Path) -> None:
    record = next(r for r in records_of(indexed_dir) if r.district == "老边区")
    doc = page(client, "/districts/老边区?city=营口市&province=辽宁省")
    assert doc.xpath("//h1/text()") == ["老边区"]
    assert doc.xpath("//ol[@class='timeline']/li/h2/text()") == ["2025"]
    assert doc.xpath("//ol[@class='timeline']//a/@href") == [f"/records/{record.id}"]
    page(client, "/districts/不存在区", 404)


def test_district_json_twin_has_the_page_s_records_by_year(
    client: FlaskClient, indexed_dir: Path
) -> None:
    record = next(r for r in records_of(indexed_dir) if r.district == "老边区")
    data = client.get("/api/districts/老边区?city=营口市&province=辽宁省").get_json()
    assert [list(data), data["district"], data["city"], data["province"], data["total"]] == [
        ["district", "city", "province", "total", "years"],
        "老边区",
        "营口市",
        "辽宁省",
        1,
    ]
    ((year,),) = [[y["year"] for y in data["years"]]]
    assert year == 2025
    (hit,) = data["years"][0]["records"]
    assert (hit["id"], hit["title"], hit["snippets"]) == (record.id, record.title, [])
    doc = page(client, "/districts/老边区?city=营口市&province=辽宁省")
    assert doc.xpath("//p[@class='lead']/a[@class='json']/@href") == [
        "/api/districts/%E8%80%81%E8%BE%B9%E5%8C%BA?city=%E8%90%A5%E5%8F%A3%E5%B8%82"
        "&province=%E8%BE%BD%E5%AE%81%E7%9C%81"
    ]
    missing = client.get("/api/districts/不存在区")
    assert missing.status_code == 404 and missing.is_json


# --- errors and headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/search?page=-1",
            "参数 page 应为 1 到 1000 之间的整数，收到 '-1' (page must be a whole number from 1 to 1000)",
        ),
        (
            "/search?year=abc",
            "年份格式不对：'abc'，应为 2025 或 2020-2025 (year must be like 2025)",
        ),
        ("/search?mode=fuzzy", "匹配方式参数无效：'fuzzy'，可选 exact、words (unknown mode)"),
        (
            "/search?sort=date",
            "排序参数无效：'date'，可选 relevance、year、-year、district (unknown sort)",
        ),
        ("/search?q=" + "代" * 10_000, "检索词过长：10000 个字符，最多 500 个 (query too long)"),
        (
            "/search?" + "&".join(["year=2025"] * 51),
            "参数 year 的取值过多：51 个，最多 50 个 (too many values)",
        ),
        (
            "/export?format=pdf",
            "导出格式无效：'pdf'，可选 csv、xlsx、json、jsonl、ris、bibtex (unknown export format)",
        ),
        (
            "/records/387a6fb41bfe?page=x",
            "参数 page 应为 1 到 1000 之间的整数，收到 'x' (page must be a whole number from 1 to 1000)",
        ),
    ],
)
def test_bad_parameters_get_a_400_page_with_the_message(
    client: FlaskClient, url: str, message: str
) -> None:
    doc = page(client, url, 400)
    assert doc.xpath("//p[@class='message']/text()") == [message]


def test_a_crash_is_a_friendly_500_without_a_traceback(indexed_dir: Path) -> None:
    app = create_app({"DATA_DIR": str(indexed_dir)})

    def broken() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    doc = lxml.html.fromstring(response.text)
    assert doc.xpath("//p[@class='message']/text()") == [
        "服务器内部错误，请稍后再试 (internal server error)"
    ]


@pytest.mark.parametrize("url", ["/search", "/api/search", "/export"])
def test_wrong_method_is_405_saying_which_methods_are_allowed(
    client: FlaskClient, url: str
) -> None:
    response = client.post(url)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}  # any order
    assert response.content_type == (
        "application/json" if url.startswith("/api/") else "text/html; charset=utf-8"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search?q=x",
        "/api/search",
        "/records/zzz",
        "/districts",
        "/help",
        "/export?format=json",
    ],
)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_pages_have_no_inline_script_or_style(client: FlaskClient, indexed_dir: Path) -> None:
    record = records_of(indexed_dir)[0]
    for url in (
        "/",
        f"/search?q={PHRASE}",
        f"/records/{record.id}?q={PHRASE}",
        "/districts",
        "/help",
    ):
        doc = page(client, url)
        assert all(s.get("src") and not (s.text or "").strip() for s in doc.xpath("//script"))
        assert not doc.xpath("//style | //*[@style] | //*[@onclick]")
        assert doc.xpath("/html/@lang") == ["zh-CN"]


def test_help_page_examples_all_work(client: FlaskClient) -> None:
    doc = page(client, "/help")
    examples = doc.xpath("//article[@class='help']//a/@href")
    assert len(examples) >= 7
    for url in examples:
        assert client.get(url).status_code == 200, url


# --- config ------------------------------------------------------------------------------------


def test_data_dir_comes_from_the_environment_unless_configured(
    monkeypatch: pytest.MonkeyPatch, indexed_dir: Path
) -> None:
    monkeypatch.setenv("CONGRESS_ARCHIVE_HOME", str(indexed_dir))
    assert create_app().config["DATA_DIR"] == str(indexed_dir)
    assert create_app({"DATA_DIR": "/elsewhere"}).config["DATA_DIR"] == "/elsewhere"
    monkeypatch.delenv("CONGRESS_ARCHIVE_HOME")
    assert create_app().config["DATA_DIR"] == "data"
    assert not create_app().debug


def test_missing_index_is_a_503_that_says_what_to_do(tmp_path: Path) -> None:
    client = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    response = client.get("/")
    assert response.status_code == 503
    message = lxml.html.fromstring(response.text).xpath("//p[@class='message']/text()")[0]
    assert "congress-archive index" in message
    assert client.get("/api/search").get_json()["status"] == 503


# --- a changed archive -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def changed_dir(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus earlier years of 老边区 and a hostile record, indexed."""
    target = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(seeded_data_dir, target)
    archive = Archive(target)
    laobian = next(r for r in archive if r.district == "老边区")
    with archive.writing():
        for year, record_id in ((2023, "a00000000023"), (2024, "a00000000024")):
            archive.write(
                dataclasses.replace(laobian, id=record_id, year=year, source=f"{year}.txt")
            )
        archive.write(
            Record(
                id="bad000000001",
                title="<script>alert('t')</script>标题",
                text=(
                    "## 小标题\n\n正文<script>alert('x')</script>代表联络站\n\n"
                    '[点我](javascript:alert(1)) <a href="javascript:alert(2)" onclick="x()">链接</a>\n\n'
                    '<img src=x onerror="alert(3)"><iframe src="https://evil.example"></iframe>'
                ),
                committee="<b>常委会</b>",
                district="老边区",
                city="营口市",
                province="辽宁省",
                year=2022,
                categories=("<i>监督</i>",),
                source="evil.html",
            )
        )
    build_index(target)
    return target


def test_record_page_links_previous_and_next_year(changed_dir: Path) -> None:
    client = create_app({"DATA_DIR": str(changed_dir)}).test_client()
    doc = page(client, "/records/a00000000024?q=代表")
    (prev,) = doc.xpath("//nav[@class='neighbours']/a[@rel='prev']")
    (nxt,) = doc.xpath("//nav[@class='neighbours']/a[@rel='next']")
    assert (prev.text_content(), urlsplit(prev.get("href")).path) == (
        "← 2023 年",
        "/records/a00000000023",
    )
    laobian = next(r for r in Archive(changed_dir) if r.district == "老边区" and r.year == 2025)
    assert (nxt.text_content(), urlsplit(nxt.get("href")).path) == (
        "2025 年 →",
        f"/records/{laobian.id}",
    )
    assert parse_qs(urlsplit(nxt.get("href")).query) == {"q": ["代表"]}
    timeline = page(client, "/districts/老边区?city=营口市")
    assert timeline.xpath("//ol[@class='timeline']/li/h2/text()") == [
        "2025",
        "2024",
        "2023",
        "2022",
    ]


@pytest.mark.parametrize(
    ("sort", "years"),
    [("year", [2022, 2023, 2024] + [2025] * 7), ("-year", [2025] * 7 + [2024, 2023, 2022])],
)
def test_year_sorts_order_by_year(changed_dir: Path, sort: str, years: list[int]) -> None:
    client = create_app({"DATA_DIR": str(changed_dir)}).test_client()
    order = hit_order(page(client, f"/search?q={PHRASE}&sort={sort}"))
    assert [int(y.removesuffix(" 年")) for _, _, y in order] == years
    laobian = [i for i, d, _ in order if d == "老边区"]
    assert (laobian[:3] if sort == "year" else laobian[-3:][::-1]) == [
        "bad000000001",
        "a00000000023",
        "a00000000024",
    ]


def test_hostile_record_renders_harmless_everywhere(changed_dir: Path) -> None:
    client = create_app({"DATA_DIR": str(changed_dir)}).test_client()
    for url in (
        "/records/bad000000001?q=代表联络站",
        "/search?q=代表联络站&district=老边区",
        "/districts/老边区",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        doc = lxml.html.fromstring(response.text)
        assert [s.get("src") for s in doc.xpath("//script")] == ["/static/app.js"], url
        assert not doc.xpath("//iframe | //img | //*[@onclick] | //*[@onerror]"), url
        assert not [
            h for h in doc.xpath("//@href") if h.strip().lower().startswith("javascript")
        ], url
    doc = page(client, "/records/bad000000001?q=代表联络站")
    assert doc.xpath("//h1")[0].text_content() == "<script>alert('t')</script>标题"
    assert marks(doc, "//div[@class='body']") == [PHRASE]
    assert doc.xpath("//div[@class='body']/h2/text()") == ["小标题"]


def test_a_damaged_record_file_gets_a_page_naming_it_not_a_traceback(
    seeded_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build_index(seeded_copy)
    archive = Archive(seeded_copy)
    victim = archive.ids()[0]
    path = archive.path(victim)
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2025", "year: 2025年"), "utf-8")
    client = create_app({"DATA_DIR": str(seeded_copy), "TESTING": True}).test_client()
    html = page(client, f"/records/{victim}", status=500)
    message = (
        "记录文件已损坏，请修正后重新建立索引："
        f"{victim}.md: year must be a whole number, not '2025年' "
        "(a record file is damaged: fix it, then run congress-archive index)"
    )
    assert message in html.text_content()
    assert str(seeded_copy) not in html.text_content()  # the server's folders stay private
    response = client.get(f"/api/records/{victim}")
    assert (response.status_code, response.json) == (500, {"error": message, "status": 500})
    assert "Traceback" not in caplog.text

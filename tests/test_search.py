"""Search behaviour users rely on: exact matching, the query language, filters, facets, snippets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive
from archive.records import LIST_FACETS
from indexer import Index, QueryError, SearchRequest
from indexer.analysis import normalise
from tests.test_search_corpus import TEXTS, build_archive


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Index, Archive]]:
    data_dir = tmp_path_factory.mktemp("corpus")
    archive = build_archive(data_dir)
    with Index(data_dir) as index:
        index.rebuild(archive)
        yield index, archive


def ids(index: Index, q: str = "", **kw: object) -> list[str]:
    """Ids of every hit; keywords that name a facet (district=…) are its filter."""
    filters = {name: kw.pop(name) for name in LIST_FACETS if name in kw}
    request = SearchRequest(q=q, per_page=100, filters=filters, **kw)  # type: ignore[arg-type]
    result = index.search(request)
    assert result.total == len(result.hits)
    return sorted(h.id for h in result.hits)


def scan(archive: Archive, needle: str) -> list[str]:
    """What exact mode must return: records whose normalised title or text contains the needle."""
    n = normalise(needle)
    return sorted(r.id for r in archive if n in normalise(r.title) or n in normalise(r.text))


SIMPLIFIED = "\n".join(t[6] for t in TEXTS.values())


def test_phrase_across_jieba_words_is_found(corpus):
    index, _ = corpus
    # jieba cuts 人大代表联络站 as 人大代表/联络站; exact mode still finds 代表联络站 inside it
    assert ids(index, "代表联络站") == ["a00000000001", "a00000000002"]
    assert ids(index, '"代表联络站"') == ["a00000000001", "a00000000002"]
    assert ids(index, "表联") == ["a00000000001", "a00000000002"]


def test_single_character_and_digits(corpus):
    index, archive = corpus
    assert ids(index, "涪") == ["a00000000004"]
    assert ids(index, "8") == scan(archive, "8")
    assert ids(index, "100%") == ["a00000000003"]


def test_normalisation_full_width_traditional_case(corpus):
    index, _ = corpus
    assert ids(index, "ＡＢＣ") == ["a00000000001"]
    assert ids(index, "abc") == ["a00000000001"]
    assert ids(index, "數字平臺") == ["a00000000001"]
    assert ids(index, "執法檢查") == ["a00000000001", "a00000000005"]


def test_and_or_not_title(corpus):
    index, _ = corpus
    assert ids(index, "执法检查 专题询问") == ["a00000000001", "a00000000005"]
    assert ids(index, "代表之家 OR 基层立法联系点") == [
        "a00000000001",
        "a00000000003",
        "a00000000004",
    ]
    assert ids(index, "执法检查 -生态环境") == ["a00000000001"]
    assert ids(index, "执法检查 NOT 生态环境") == ["a00000000001"]
    assert ids(index, "title:联络站") == ["a00000000001"]
    assert ids(index, "联络站") == ["a00000000001", "a00000000002"]
    assert ids(index, '"常委会 工作"') == []
    assert ids(index, "-人大代表") == [
        "a00000000002",
        "a00000000003",
        "a00000000004",
        "a00000000005",
    ]


def test_scope_title(corpus):
    index, _ = corpus
    assert ids(index, "人大常委会", scope="title") == [
        "a00000000002",
        "a00000000003",
        "a00000000005",
    ]


def test_empty_query_browses_everything(corpus):
    index, archive = corpus
    assert ids(index) == sorted(archive.ids())


def test_filters_or_within_and_across(corpus):
    index, _ = corpus
    assert ids(index, district=("盖州市", "安州区")) == ["a00000000002", "a00000000003"]
    assert ids(index, city=("绵阳市",)) == ["a00000000003", "a00000000004"]
    assert ids(index, province=("四川省",), category=("立法",)) == [
        "a00000000003",
        "a00000000005",
    ]
    assert ids(index, years=((2024, 2025),)) == [
        "a00000000001",
        "a00000000002",
        "a00000000003",
        "a00000000005",
    ]
    assert ids(index, years=((2025, 2025),), province=("辽宁省",)) == ["a00000000001"]


def test_several_years_are_each_of_them_not_the_span_between(corpus):
    index, _ = corpus
    request = SearchRequest(years=((2023, 2023), (2025, 2025)))
    assert ids(index, years=request.years) == [
        "a00000000001",
        "a00000000003",
        "a00000000004",
        "a00000000005",
    ]
    facet = {v.value: (v.count, v.selected) for v in index.search(request).facets["year"]}
    assert facet == {"2025": (3, True), "2024": (1, False), "2023": (1, True)}
    assert ids(index, "人大", district=("不存在区",)) == []


def test_facets_count_with_the_other_facets_filters(corpus):
    index, _ = corpus
    result = index.search(SearchRequest(filters={"province": ("四川省",)}, years=((2025, 2025),)))
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert result.total == 2
    # province counted with the year filter only: all 2025 records by province
    assert facets["province"] == {"辽宁省": 1, "四川省": 2}
    # year counted with the province filter only
    assert facets["year"] == {"2025": 2, "2023": 1}
    assert facets["city"] == {"绵阳市": 1}
    assert facets["district"] == {"安州区": 1}
    assert facets["category"] == {"立法": 2, "监督": 1}
    selected = [v.value for v in result.facets["province"] if v.selected]
    assert selected == ["四川省"]


def test_facets_of_a_query(corpus):
    index, _ = corpus
    result = index.search(SearchRequest(q="代表"))
    facets = {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()}
    assert result.total == 5
    assert facets["province"] == [("四川省", 2), ("辽宁省", 2)]
    assert facets["year"] == [("2025", 2), ("2024", 1), ("2023", 1)]
    assert facets["category"] == [("代表工作", 2), ("监督", 2), ("民生", 1), ("立法", 1)]
    # with a category ticked under a query, a record has a category when a paragraph of it (as
    # the taxonomy categorises paragraphs) holds a match: the filter and the counts alike
    ticked = index.search(SearchRequest(q="代表", filters={"category": ("代表工作",)}))
    assert sorted(h.id for h in ticked.hits) == ["a00000000001", "a00000000002", "a00000000004"]
    assert [(v.value, v.count) for v in ticked.facets["category"]] == [("代表工作", 3), ("监督", 2)]
    # a00000000005 is a 立法 record with a 立法 paragraph, but 执法检查 lies in its 监督 paragraph
    tied = index.search(SearchRequest(q="执法检查", filters={"category": ("立法",)}))
    assert tied.total == 0
    assert ids(index, "执法检查", category=("监督",)) == ["a00000000001", "a00000000005"]


def test_snippet_marks_exactly_the_match(corpus):
    index, _ = corpus
    (hit,) = index.search(SearchRequest(q="數字平臺")).hits
    marked = [s.text[a:b] for s in hit.snippets for a, b in s.marks]
    assert marked == ["数字平台"]
    hit = index.search(
        SearchRequest(q="执法检查 专题询问", filters={"district": ("鲅鱼圈区",)})
    ).hits[0]
    (snippet,) = hit.snippets
    assert [snippet.text[a:b] for a, b in snippet.marks] == ["执法检查", "专题询问"]
    assert len(snippet.text) <= 80


def test_passages_are_every_matching_paragraph(corpus):
    index, _ = corpus
    found = [
        (p.id, p.paragraph, p.snippet.text[slice(*p.snippet.marks[0])])
        for p in index.passages(SearchRequest(q="执法检查 OR 代表联络站"))
    ]
    assert sorted(found) == [
        ("a00000000001", 0, "代表联络站"),
        ("a00000000001", 1, "执法检查"),
        ("a00000000002", 1, "代表联络站"),
        ("a00000000005", 1, "执法检查"),
    ]


def test_matches_is_every_hit_in_sort_order(corpus):
    index, _ = corpus
    years = [h.year for h in index.matches(SearchRequest(q="人大", sort="year", per_page=1))]
    assert years == [2023, 2024, 2025, 2025, 2025, None]
    newest = [h.year for h in index.matches(SearchRequest(q="人大", sort="-year"))]
    assert newest == [2025, 2025, 2025, 2024, 2023, None]
    districts = [h.district for h in index.matches(SearchRequest(sort="district"))]
    assert districts == [*sorted(d for d in districts if d), None, None]


def test_paging(corpus):
    index, _ = corpus
    first = index.search(SearchRequest(q="人大", per_page=4))
    second = index.search(SearchRequest(q="人大", per_page=4, page=2))
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and len(second.hits) == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_relevance_prefers_title_and_shorter_texts(corpus):
    index, _ = corpus
    # once in each text: the shorter text (a4) ranks first
    hits = index.search(SearchRequest(q="代表之家")).hits
    assert [h.id for h in hits] == ["a00000000004", "a00000000001"]
    assert hits[0].score > hits[1].score
    # once in each text, and in a1's title: the title outweighs a1's longer text
    hits = index.search(SearchRequest(q="代表联络站")).hits
    assert [h.id for h in hits] == ["a00000000001", "a00000000002"]
    assert hits[0].score > hits[1].score
    assert [len(normalise(TEXTS[h.id][6])) for h in hits] == [84, 67]


def test_words_mode(corpus):
    index, _ = corpus
    assert ids(index, "代表建议 视察调研", mode="words") == ["a00000000003"]
    assert ids(index, "代表联络站", mode="words") == ["a00000000001", "a00000000002"]
    assert ids(index, "联络站", mode="words") == []  # inside the word 代表联络站: exact mode only
    with pytest.raises(QueryError):
        index.search(SearchRequest(q="，", mode="words"))


def test_similar_and_places(corpus):
    index, _ = corpus
    similar = index.similar("a00000000001", limit=3)
    assert similar and "a00000000001" not in [h.id for h in similar]
    places = [(p.province, p.city, p.district, p.count, p.years) for p in index.places()]
    assert places == [
        ("四川省", "绵阳市", "安州区", 1, (2025,)),
        ("四川省", "绵阳市", "涪城区", 1, (2023,)),
        ("四川省", None, None, 1, (2025,)),
        ("辽宁省", "营口市", "盖州市", 1, (2024,)),
        ("辽宁省", "营口市", "鲅鱼圈区", 1, (2025,)),
        (None, None, None, 1, ()),
    ]


def test_highlight_spans_in_original_text(corpus):
    index, _ = corpus
    text = "推动ＡＢＣ數字平臺上线"
    assert index.highlight(text, SearchRequest(q="abc 数字")) == [(2, 5), (5, 7)]


@pytest.mark.parametrize(
    "q",
    [
        '"代表',
        'a "b" "c',
        "OR 人大",
        "人大 OR",
        "人大 OR OR 代表",
        "NOT",
        "人大 NOT",
        "人大 OR -代表",
        "foo:人大",
        '""',
        "-",
        "人" * 501,
        " ".join(["人"] * 21),
    ],
)
def test_malformed_queries_raise_one_line_errors(corpus, q):
    index, _ = corpus
    with pytest.raises(QueryError) as info:
        index.search(SearchRequest(q=q))
    assert "\n" not in str(info.value) and str(info.value)


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(years=((2025, 2020),)),
        SearchRequest(mode="fuzzy"),  # type: ignore[arg-type]
        SearchRequest(sort="title"),  # type: ignore[arg-type]
        SearchRequest(page=0),
        SearchRequest(per_page=1000),
    ],
)
def test_bad_parameters(corpus, request_):
    index, _ = corpus
    with pytest.raises(QueryError):
        index.search(request_)


substrings = (
    st.integers(0, len(SIMPLIFIED) - 1)
    .flatmap(lambda start: st.integers(1, 8).map(lambda n: SIMPLIFIED[start : start + n]))
    .filter(lambda s: s.strip() and '"' not in s)
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(needle=substrings)
def test_exact_mode_equals_substring_scan(corpus, needle):
    index, archive = corpus
    assert ids(index, f'"{needle}"') == scan(archive, needle)


_S2T = opencc.OpenCC("s2t")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(needle=substrings)
def test_traditional_query_finds_simplified_text(corpus, needle):
    index, archive = corpus
    traditional = _S2T.convert(needle)
    assert ids(index, f'"{traditional}"') == scan(archive, traditional)
    if normalise(traditional) == normalise(needle):
        assert ids(index, f'"{traditional}"') == scan(archive, needle)


def test_index_missing(tmp_path: Path):
    from indexer import IndexMissing

    with pytest.raises(IndexMissing):
        Index.open(tmp_path)

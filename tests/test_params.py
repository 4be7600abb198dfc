"""Request parsing: every bad parameter is a ParamError with a message, and URLs round-trip."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from indexer.models import MODES, SCOPES, SORTS, SearchRequest
from indexer.params import (
    MAX_QUERY,
    ParamError,
    parse_search,
    parse_years,
    to_args,
    year_label,
)
from webui.navigation import without


def parse(*pairs: tuple[str, str]) -> SearchRequest:
    return parse_search(MultiDict(pairs))


def test_defaults_when_nothing_is_given() -> None:
    assert parse() == SearchRequest()


def test_all_parameters_are_read() -> None:
    request = parse(
        ("q", " 代表联络站 "),
        ("mode", "words"),
        ("scope", "title"),
        ("district", "老边区"),
        ("district", "站前区"),
        ("district", "老边区"),
        ("city", "营口市"),
        ("province", "辽宁省"),
        ("category", "监督"),
        ("year", "2020-2025"),
        ("sort", "-year"),
        ("page", "3"),
        ("per_page", "50"),
    )
    assert request == SearchRequest(
        q="代表联络站",
        mode="words",
        scope="title",
        filters={
            "province": ("辽宁省",),
            "city": ("营口市",),
            "district": ("老边区", "站前区"),
            "category": ("监督",),
        },
        years=((2020, 2025),),
        sort="-year",
        page=3,
        per_page=50,
    )


def test_empty_filter_values_from_a_form_are_ignored() -> None:
    assert parse(("district", ""), ("year", " "), ("page", "")) == SearchRequest()


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            (("page", "-1"),),
            "参数 page 应为 1 到 1000 之间的整数，收到 '-1' (page must be a whole number from 1 to 1000)",
        ),
        (
            (("page", "0"),),
            "参数 page 应为 1 到 1000 之间的整数，收到 '0' (page must be a whole number from 1 to 1000)",
        ),
        (
            (("page", "1001"),),
            "参数 page 应为 1 到 1000 之间的整数，收到 '1001' (page must be a whole number from 1 to 1000)",
        ),
        (
            (("page", "２"),),
            "参数 page 应为 1 到 1000 之间的整数，收到 '２' (page must be a whole number from 1 to 1000)",
        ),
        (
            (("per_page", "101"),),
            "参数 per_page 应为 1 到 100 之间的整数，收到 '101' (per_page must be a whole number from 1 to 100)",
        ),
        (
            (("year", "abc"),),
            "年份格式不对：'abc'，应为 2025 或 2020-2025 (year must be like 2025)",
        ),
        ((("year", "2025-2020"),), "年份区间颠倒：2025-2020 (year range reversed)"),
        ((("year", "1800"),), "年份超出范围：1800，应在 1949–2100 之间 (year out of range)"),
        ((("mode", "fuzzy"),), "匹配方式参数无效：'fuzzy'，可选 exact、words (unknown mode)"),
        ((("scope", "body"),), "检索范围参数无效：'body'，可选 all、title (unknown scope)"),
        (
            (("sort", "date"),),
            "排序参数无效：'date'，可选 relevance、year、-year、district (unknown sort)",
        ),
        (
            (("q", "代" * 10_000),),
            f"检索词过长：10000 个字符，最多 {MAX_QUERY} 个 (query too long)",
        ),
        ((("district", "区" * 65),), "参数 district 的取值过长：最多 64 个字符 (value too long)"),
        (
            tuple(("category", str(n)) for n in range(51)),
            "参数 category 的取值过多：51 个，最多 50 个 (too many values)",
        ),
        (
            tuple(("year", str(year)) for year in range(1949, 2000)),
            "参数 year 的取值过多：51 个，最多 50 个 (too many values)",
        ),
    ],
)
def test_bad_parameters_get_one_clear_message(
    pairs: tuple[tuple[str, str], ...], message: str
) -> None:
    with pytest.raises(ParamError) as caught:
        parse(*pairs)
    assert str(caught.value) == message


def test_several_years_select_each_of_them_not_the_span_between() -> None:
    assert parse_years(["2025", "2019", "2021-2022", "2025"]) == (
        (2019, 2019),
        (2021, 2022),
        (2025, 2025),
    )
    assert parse_years([]) == ()


def test_without_removes_one_value_or_a_whole_filter_and_resets_the_page() -> None:
    years = ((2018, 2018), (2020, 2021))
    request = SearchRequest(filters={"district": ("老边区", "站前区")}, years=years, page=4)
    assert without(request, "district", "老边区") == SearchRequest(
        filters={"district": ("站前区",)}, years=years
    )
    assert without(request, "year", "2018") == SearchRequest(
        filters={"district": ("老边区", "站前区")}, years=((2020, 2021),)
    )
    assert without(request, "year") == SearchRequest(filters={"district": ("老边区", "站前区")})
    assert year_label(request) == "2018+2020-2021"


requests = st.builds(
    SearchRequest,
    q=st.text(max_size=30).map(str.strip),
    mode=st.sampled_from(MODES),
    scope=st.sampled_from(SCOPES),
    filters=st.fixed_dictionaries({}, optional={
        "district": st.lists(st.text(min_size=1, max_size=8).map(str.strip).filter(bool),
                             unique=True, min_size=1, max_size=3).map(tuple),
        "category": st.lists(st.sampled_from(["监督", "立法", "代表工作"]), unique=True,
                             min_size=1).map(tuple),
    }),
    sort=st.sampled_from(SORTS),
    page=st.integers(1, 1000),
    per_page=st.integers(1, 100),
)  # fmt: skip


spans = st.lists(
    st.tuples(st.integers(1949, 2030), st.integers(2030, 2100)), unique=True, max_size=3
).map(lambda s: tuple(sorted(s)))


@given(requests, spans)
def test_every_request_survives_the_round_trip_through_its_url(
    request: SearchRequest, span: tuple[tuple[int, int], ...]
) -> None:
    """The URL carries the whole state: parsing a request's own parameters gives it back."""
    request = dataclasses.replace(request, years=span)
    assert parse_search(MultiDict(to_args(request))) == request


@given(st.lists(st.tuples(st.sampled_from(
    ["q", "mode", "scope", "sort", "page", "per_page", "year", "district", "category", "x"]
), st.text(max_size=12)), max_size=8))  # fmt: skip
def test_any_parameters_give_a_request_or_a_param_error(pairs: list[tuple[str, str]]) -> None:
    """Fuzz: nothing but ParamError ever escapes the parser."""
    try:
        request = parse_search(MultiDict(pairs))
    except ParamError as exc:
        assert str(exc)
    else:
        assert 1 <= request.page <= 1000

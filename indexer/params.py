"""Search parameters <-> SearchRequest: the one place their limits and rules live.

The web pages, the JSON API and the CLI only translate their inputs (a query string, click options)
into these calls; every check and every message is here, with its English gist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Protocol

from archive.records import LIST_FACETS
from indexer.models import (
    LINE_SORTS,
    MODES,
    SCOPES,
    SORTS,
    TREND_KEYS,
    ConcordanceRequest,
    QueryError,
    SearchRequest,
    Sort,
    TrendsRequest,
)

MAX_QUERY = 500
MAX_VALUE = 64
MAX_VALUES = 50
MAX_PAGE = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = SearchRequest().per_page
YEAR_MIN, YEAR_MAX = 1949, 2100
YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[-–~]\s*(\d{4})\s*)?$")
MAX_COMPARED = 6  # terms on one trends chart: more lines than a reader can tell apart
MAX_CONTEXT = 200
MAX_LINES = 500  # concordance lines per page
DEFAULT_LINES = ConcordanceRequest(SearchRequest()).per_page
MIN_PLACES, MAX_PLACES = 2, 4  # places side by side: fewer is no comparison, more do not fit
CHOICES = {"mode": MODES, "scope": SCOPES, "sort": SORTS}
LABELS = {"mode": "匹配方式", "scope": "检索范围", "sort": "排序", "by": "统计维度"}


class ParamError(QueryError):
    """A bad request parameter; the message (Chinese, English gist) is shown to the user."""


class Args(Protocol):
    """A multi-valued mapping of parameters, as werkzeug's MultiDict offers."""

    def getlist(self, key: str) -> list[str]: ...


def search_request(
    q: str = "",
    *,
    mode: str = "",
    scope: str = "",
    sort: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    years: Iterable[str] = (),
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> SearchRequest:
    """A checked SearchRequest from typed inputs; ParamError names the first bad one."""
    given = filters or {}
    unknown = set(given) - set(LIST_FACETS)
    if unknown:
        raise ParamError(f"未知筛选项：{sorted(unknown)[0]!r} (unknown filter)")
    request = SearchRequest(
        q=q.strip(),
        mode=_choice("mode", mode),  # type: ignore[arg-type]
        scope=_choice("scope", scope),  # type: ignore[arg-type]
        sort=_choice("sort", sort),  # type: ignore[arg-type]
        filters={
            name: values for name in LIST_FACETS if (values := _values(name, given.get(name, ())))
        },
        years=parse_years(years),
        page=page,
        per_page=per_page,
    )
    check(request)
    return request


def parse_search(args: Args, *, per_page: int | None = None) -> SearchRequest:
    """A checked SearchRequest from a query string's parameters (all text)."""
    return search_request(
        _single(args, "q"),
        mode=_single(args, "mode"),
        scope=_single(args, "scope"),
        sort=_single(args, "sort"),
        filters={name: args.getlist(name) for name in LIST_FACETS},
        years=args.getlist("year"),
        page=_integer(args, "page", 1, MAX_PAGE),
        per_page=per_page or _integer(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def parse_trends(args: Args) -> TrendsRequest:
    """The searches of a trends chart: the filters once, up to six repeated `q` values."""
    base = parse_search(_Without(args, "page", "per_page", "sort"))
    terms = list(dict.fromkeys(q.strip() for q in args.getlist("q") if q.strip()))
    if len(terms) > MAX_COMPARED:
        raise ParamError(
            f"最多比较 {MAX_COMPARED} 个检索词，收到 {len(terms)} 个 (at most {MAX_COMPARED} terms)"
        )
    searches = tuple(replace(base, q=q) for q in terms) or (base,)
    for search in searches:
        check(search)
    by = _single(args, "by").strip() or TREND_KEYS[0]
    if by not in TREND_KEYS:
        raise ParamError(_bad_choice("by", by, TREND_KEYS))
    return TrendsRequest(searches, by)


def parse_concordance(args: Args) -> ConcordanceRequest:
    """A concordance page from a query string: the search, its order, context width and page."""
    default = ConcordanceRequest(SearchRequest())
    return concordance_request(
        parse_search(_Without(args, "page", "per_page", "sort")),
        sort=_single(args, "sort").strip() or default.sort,
        context=_integer(args, "context", default.context, MAX_CONTEXT, low=0),
        page=_integer(args, "page", 1, MAX_PAGE),
        per_page=_integer(args, "per_page", DEFAULT_LINES, MAX_LINES),
    )


def concordance_request(
    search: SearchRequest,
    *,
    sort: str = "year",
    context: int = 30,
    page: int = 1,
    per_page: int = DEFAULT_LINES,
) -> ConcordanceRequest:
    """A checked ConcordanceRequest: lines need an exact full-text search."""
    if search.mode != "exact" or search.scope != "all":
        raise ParamError(
            "语境索引只支持精确匹配、全文范围 (concordance needs mode=exact, scope=all)"
        )
    if sort not in LINE_SORTS:
        raise ParamError(_bad_choice("sort", sort, LINE_SORTS))
    for name, value, low, high in (
        ("context", context, 0, MAX_CONTEXT),
        ("page", page, 1, MAX_PAGE),
        ("per_page", per_page, 1, MAX_LINES),
    ):
        if not low <= value <= high:
            raise ParamError(_bad_integer(name, str(value), low, high))
    return ConcordanceRequest(search, sort, context, page, per_page)


def concordance_args(request: ConcordanceRequest, **changes: object) -> list[tuple[str, str]]:
    """The parameters that reproduce a concordance page, defaults left out."""
    request = replace(request, **changes)  # type: ignore[arg-type]
    default = ConcordanceRequest(request.search)
    pairs = to_args(request.search)
    for name in ("sort", "context", "page", "per_page"):
        if getattr(request, name) != getattr(default, name):
            pairs.append((name, str(getattr(request, name))))
    return pairs


def trends_args(request: TrendsRequest) -> list[tuple[str, str]]:
    """The parameters that reproduce a trends page: every term, the shared filters, `by`."""
    pairs = [("q", search.q) for search in request.searches if search.q]
    pairs += [pair for pair in to_args(request.searches[0]) if pair[0] != "q"]
    return [*pairs, ("by", request.by)] if request.by != TREND_KEYS[0] else pairs


def parse_compare(args: Args) -> tuple[tuple[str, ...], SearchRequest]:
    """Two to four places (any level) and the search and filters they are compared under."""
    places = _values("district", args.getlist("district"))
    if not MIN_PLACES <= len(places) <= MAX_PLACES:
        raise ParamError(
            f"请选择 {MIN_PLACES} 到 {MAX_PLACES} 个地区进行比较，收到 {len(places)} 个 "
            f"(compare {MIN_PLACES} to {MAX_PLACES} places)"
        )
    return places, parse_search(_Without(args, "district", "page", "per_page", "sort"))


class _Without:
    """A query string's parameters with some left out (their meaning differs on this page)."""

    def __init__(self, args: Args, *names: str) -> None:
        self.args, self.names = args, names

    def getlist(self, key: str) -> list[str]:
        return [] if key in self.names else self.args.getlist(key)


def check(request: SearchRequest) -> None:
    """Every rule a request must keep, however it was made; ParamError names the first it breaks."""
    if len(request.q) > MAX_QUERY:
        raise ParamError(
            f"检索词过长：{len(request.q)} 个字符，最多 {MAX_QUERY} 个 (query too long)"
        )
    for name, choices in CHOICES.items():
        value = getattr(request, name)
        if value not in choices:
            raise ParamError(_bad_choice(name, value, choices))
    for name, low, high in (("page", 1, MAX_PAGE), ("per_page", 1, MAX_PER_PAGE)):
        value = getattr(request, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParamError(_bad_integer(name, str(value), low, high))
    for name, values in request.filters.items():
        _values(name, values)
    for low, high in request.years:
        _check_span(f"{low}-{high}", low, high)
    for text in (request.q, *(v for values in request.filters.values() for v in values)):
        if not text.isascii() and not _is_unicode(text):
            raise ParamError("检索条件含有无效字符（孤立代理项）(not valid Unicode text)")


def parse_years(values: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """'2025' or '2020-2025', repeatable: several values select each of them (OR), sorted."""
    years: set[tuple[int, int]] = set()
    values = list(values)
    if len(values) > MAX_VALUES:
        raise ParamError(_too_many("year", len(values)))
    for value in values:
        if not value.strip():
            continue
        match = YEAR_PATTERN.match(value)
        if not match:
            raise ParamError(
                f"年份格式不对：{value[:20]!r}，应为 2025 或 2020-2025 (year must be like 2025)"
            )
        low, high = int(match[1]), int(match[2] or match[1])
        _check_span(value, low, high)
        years.add((low, high))
    return tuple(sorted(years))


def year_values(request: SearchRequest) -> list[str]:
    """Each selected year or range as it is written in parameters: '2025', '2020-2025'."""
    return [str(low) if low == high else f"{low}-{high}" for low, high in request.years]


def year_label(request: SearchRequest) -> str | None:
    """The year filter in one label for chips and file names: '2025', '2020-2022', '2019+2025'."""
    return "+".join(year_values(request)) or None


def to_args(request: SearchRequest) -> list[tuple[str, str]]:
    """The parameters that reproduce a request, defaults left out so links stay short."""
    defaults = SearchRequest()
    pairs: list[tuple[str, str]] = []
    if request.q:
        pairs.append(("q", request.q))
    for name in ("mode", "scope"):
        if getattr(request, name) != getattr(defaults, name):
            pairs.append((name, getattr(request, name)))
    for name in LIST_FACETS:
        pairs += [(name, value) for value in request.selected(name)]
    pairs += [("year", value) for value in year_values(request)]
    if request.sort != defaults.sort:
        pairs.append(("sort", request.sort))
    if request.page != 1:
        pairs.append(("page", str(request.page)))
    if request.per_page != defaults.per_page:
        pairs.append(("per_page", str(request.per_page)))
    return pairs


def highlight_args(request: SearchRequest) -> list[tuple[str, str]]:
    """The parameters a record page needs to highlight a search's terms."""
    return to_args(SearchRequest(q=request.q, mode=request.mode, scope=request.scope))


def place_request(
    district: str, city: str | None, province: str | None, sort: Sort
) -> SearchRequest:
    """Every record of one district; its city and province tell same-named districts apart."""
    given = {"district": district, "city": city, "province": province}
    return SearchRequest(filters={k: (v,) for k, v in given.items() if v}, sort=sort)


def _check_span(value: str, low: int, high: int) -> None:
    if not (YEAR_MIN <= low <= YEAR_MAX and YEAR_MIN <= high <= YEAR_MAX):
        raise ParamError(
            f"年份超出范围：{value}，应在 {YEAR_MIN}–{YEAR_MAX} 之间 (year out of range)"
        )
    if low > high:
        raise ParamError(f"年份区间颠倒：{value} (year range reversed)")


def _is_unicode(text: str) -> bool:
    """False for text holding lone surrogates (undecodable bytes smuggled in as str)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _single(args: Args, name: str) -> str:
    values = args.getlist(name)
    return values[0] if values else ""


def _choice(name: str, value: str) -> str:
    value = value.strip() or CHOICES[name][0]
    if value not in CHOICES[name]:
        raise ParamError(_bad_choice(name, value, CHOICES[name]))
    return value


def _bad_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    return f"{LABELS[name]}参数无效：{value[:20]!r}，可选 {'、'.join(choices)} (unknown {name})"


def _integer(args: Args, name: str, default: int, high: int, low: int = 1) -> int:
    raw = _single(args, name).strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ParamError(_bad_integer(name, raw, low, high))
    return int(raw)


def _bad_integer(name: str, raw: str, low: int, high: int) -> str:
    return (
        f"参数 {name} 应为 {low} 到 {high} 之间的整数，收到 {raw[:20]!r} "
        f"({name} must be a whole number from {low} to {high})"
    )


def _too_many(name: str, count: int) -> str:
    return f"参数 {name} 的取值过多：{count} 个，最多 {MAX_VALUES} 个 (too many values)"


def _values(name: str, given: Iterable[str]) -> tuple[str, ...]:
    """A filter's values, trimmed and deduplicated in order, within the limits."""
    values = [v.strip() for v in given if v.strip()]
    if len(values) > MAX_VALUES:
        raise ParamError(_too_many(name, len(values)))
    for value in values:
        if len(value) > MAX_VALUE:
            raise ParamError(f"参数 {name} 的取值过长：最多 {MAX_VALUE} 个字符 (value too long)")
    return tuple(dict.fromkeys(values))

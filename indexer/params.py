"""Request parameters <-> the indexer's SearchRequest: one validation for the pages, the API and the CLI."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Protocol

from werkzeug.datastructures import MultiDict

from indexer.models import MODES, SCOPES, SORTS, QueryError, SearchRequest, Sort

MAX_QUERY = 500
MAX_VALUE = 64
MAX_VALUES = 50
MAX_PAGE = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = SearchRequest().per_page
YEAR_MIN, YEAR_MAX = 1949, 2100
PLACE_FACETS = ("province", "city", "district")
LIST_FACETS = (*PLACE_FACETS, "category")
YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[-–~]\s*(\d{4})\s*)?$")

LABELS = {"mode": "匹配方式", "scope": "检索范围", "sort": "排序"}


class Args(Protocol):
    """What both werkzeug's MultiDict and the CLI's option mapping offer."""

    def getlist(self, key: str) -> list[str]: ...


class ParamError(QueryError):
    """A bad request parameter; the message (Chinese) is shown to the user as it is."""


def parse_search(args: Args, *, per_page: int | None = None) -> SearchRequest:
    """Validate every parameter into a SearchRequest; ParamError names the first bad one."""
    q = _single(args, "q").strip()
    if len(q) > MAX_QUERY:
        raise ParamError(f"检索词过长：{len(q)} 个字符，最多 {MAX_QUERY} 个")
    lists = {name: _values(args, name) for name in LIST_FACETS}
    return SearchRequest(
        q=q,
        mode=_choice(args, "mode", MODES),  # type: ignore[arg-type]
        scope=_choice(args, "scope", SCOPES),  # type: ignore[arg-type]
        sort=_choice(args, "sort", SORTS),  # type: ignore[arg-type]
        years=parse_years(_values(args, "year")),
        page=_integer(args, "page", 1, 1, MAX_PAGE),
        per_page=per_page or _integer(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        **lists,
    )


def cli_args(query: str, options: dict[str, str | tuple[str, ...] | None]) -> MultiDict[str, str]:
    """Click options (repeated ones as tuples) as the query string they mirror, for parse_search."""
    args: MultiDict[str, str] = MultiDict([("q", query)])
    for name, value in options.items():
        for item in value if isinstance(value, tuple) else [value]:
            if item is not None:
                args.add(name, item)
    return args


def parse_years(values: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """'2025' or '2020-2025', repeatable: several values select each of them (OR), sorted."""
    years: set[tuple[int, int]] = set()
    for value in values:
        if not value.strip():
            continue
        match = YEAR_PATTERN.match(value)
        if not match:
            raise ParamError(f"年份格式不对：{value[:20]!r}，应为 2025 或 2020-2025")
        low, high = int(match[1]), int(match[2] or match[1])
        if not (YEAR_MIN <= low <= YEAR_MAX and YEAR_MIN <= high <= YEAR_MAX):
            raise ParamError(f"年份超出范围：{value}，应在 {YEAR_MIN}–{YEAR_MAX} 之间")
        if low > high:
            raise ParamError(f"年份区间颠倒：{value}")
        years.add((low, high))
    return tuple(sorted(years))


def year_values(request: SearchRequest) -> list[str]:
    """Each selected year or range as it is written in URLs: '2025', '2020-2025'."""
    return [str(low) if low == high else f"{low}-{high}" for low, high in request.years]


def year_label(request: SearchRequest) -> str | None:
    """The year filter in one label for chips and file names: '2025', '2020-2022', '2019+2025'."""
    return "+".join(year_values(request)) or None


def to_args(request: SearchRequest) -> list[tuple[str, str]]:
    """The URL parameters that reproduce a request, defaults left out so links stay short."""
    defaults = SearchRequest()
    pairs: list[tuple[str, str]] = []
    if request.q:
        pairs.append(("q", request.q))
    for name in ("mode", "scope"):
        if getattr(request, name) != getattr(defaults, name):
            pairs.append((name, getattr(request, name)))
    for name in LIST_FACETS:
        pairs += [(name, value) for value in getattr(request, name)]
    pairs += [("year", value) for value in year_values(request)]
    if request.sort != defaults.sort:
        pairs.append(("sort", request.sort))
    if request.page != 1:
        pairs.append(("page", str(request.page)))
    if request.per_page != defaults.per_page:
        pairs.append(("per_page", str(request.per_page)))
    return pairs


def place_request(
    district: str, city: str | None, province: str | None, sort: Sort
) -> SearchRequest:
    """Every record of one district; its city and province tell same-named districts apart."""
    return SearchRequest(
        district=(district,),
        city=(city,) if city else (),
        province=(province,) if province else (),
        sort=sort,
    )


def highlight_args(request: SearchRequest) -> list[tuple[str, str]]:
    """The parameters a record page needs to highlight a search's terms."""
    return to_args(SearchRequest(q=request.q, mode=request.mode, scope=request.scope))


def without(request: SearchRequest, name: str, value: str | None = None) -> SearchRequest:
    """The request with one filter value (or a whole filter) removed, back on page 1."""
    if name == "year":
        kept_years = tuple(
            span
            for span, label in zip(request.years, year_values(request), strict=True)
            if value is not None and label != value
        )
        return dataclasses.replace(request, years=kept_years, page=1)
    kept = tuple(v for v in getattr(request, name) if value is not None and v != value)
    return dataclasses.replace(request, page=1, **{name: kept})


def _single(args: Args, name: str) -> str:
    values = args.getlist(name)
    return values[0] if values else ""


def _choice(args: Args, name: str, choices: tuple[str, ...]) -> str:
    value = _single(args, name).strip() or choices[0]
    if value not in choices:
        allowed = "、".join(choices)
        raise ParamError(f"{LABELS[name]}参数无效：{value[:20]!r}，可选 {allowed}")
    return value


def _integer(args: Args, name: str, default: int, low: int, high: int) -> int:
    raw = _single(args, name).strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ParamError(f"参数 {name} 应为 {low} 到 {high} 之间的整数，收到 {raw[:20]!r}")
    return int(raw)


def _values(args: Args, name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_VALUES:
        raise ParamError(f"参数 {name} 的取值过多：{len(values)} 个，最多 {MAX_VALUES} 个")
    for value in values:
        if len(value) > MAX_VALUE:
            raise ParamError(f"参数 {name} 的取值过长：最多 {MAX_VALUE} 个字符")
    return tuple(dict.fromkeys(values))

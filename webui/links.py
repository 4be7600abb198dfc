"""URLs that carry a search's whole state, so every page can be bookmarked and shared."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for

from archive.records import PLACE_LEVELS
from indexer.exporting import linker
from indexer.models import ConcordanceRequest, SearchRequest, TrendsRequest
from indexer.params import DEFAULT_LINES, concordance_args, highlight_args, to_args, trends_args
from webui.navigation import without


def with_args(endpoint: str, pairs: list[tuple[str, str]], **values: Any) -> str:
    """url_for plus repeatable query parameters in a stable order."""
    query = urlencode(pairs)
    return url_for(endpoint, **values) + (f"?{query}" if query else "")


def search_url(request: SearchRequest, **changes: Any) -> str:
    """The search page for a request, optionally changed (e.g. page=3)."""
    return with_args("search.search", to_args(dataclasses.replace(request, **changes)))


def api_url(request: SearchRequest) -> str:
    """The JSON twin of a search page."""
    return with_args("search.api_search", to_args(request))


def remove_url(request: SearchRequest, name: str, value: str | None = None) -> str:
    """The search page with one filter value dropped, for a chip's × link."""
    return with_args("search.search", to_args(without(request, name, value)))


def record_url(record_id: str, request: SearchRequest | None = None, **values: Any) -> str:
    """A record's page, with the search terms to highlight when arriving from a search."""
    pairs = highlight_args(request) if request is not None else []
    return with_args("records.record", pairs, record_id=record_id, **values)


def export_url(request: SearchRequest, fmt: str, level: str) -> str:
    """The export of every match of a request (not just this page)."""
    pairs = to_args(dataclasses.replace(request, page=1, per_page=SearchRequest().per_page))
    return with_args("export.export_view", [*pairs, ("format", fmt), ("level", level)])


def research_url(endpoint: str, request: SearchRequest) -> str:
    """A research view of a search (its query and filters, from the start, in the view's order);
    the concordance always matches exactly in the full text."""
    if endpoint == "research.concordance_page":
        request = dataclasses.replace(request, mode="exact", scope="all")
    return with_args(endpoint, [*([("q", request.q)] if request.q else []), *kept_args(request)])


def kept_args(request: SearchRequest) -> list[tuple[str, str]]:
    """A search's match mode, scope and filters: what a research view's form carries along."""
    return [p for p in to_args(request) if p[0] not in ("q", "sort", "page", "per_page")]


def compare_url(request: SearchRequest) -> str | None:
    """The places a search is narrowed to (2-4 of one level) side by side, under its query and
    other filters; None when it is not narrowed so."""
    for level in ("district", "city", "province"):
        places = request.selected(level)
        if 2 <= len(places) <= 4:
            others = {k: v for k, v in request.filters.items() if k not in PLACE_LEVELS}
            rest = kept_args(dataclasses.replace(request, filters=others))
            pairs = [*(("district", p) for p in places), *([("q", request.q)] if request.q else [])]
            return with_args("compare.compare_page", [*pairs, *rest])
    return None


def trends_url(request: TrendsRequest, endpoint: str = "research.trends_page", **extra: str) -> str:
    """A trend's page, JSON or table download (extra: format=csv)."""
    return with_args(endpoint, [*trends_args(request), *extra.items()])


def concordance_url(request: ConcordanceRequest, **changes: Any) -> str:
    """A concordance page, optionally changed (e.g. page=2, sort='right')."""
    return with_args("research.concordance_page", concordance_args(request, **changes))


def concordance_api_url(request: ConcordanceRequest) -> str:
    return with_args("research.api_concordance", concordance_args(request))


def occurrence_export_url(request: ConcordanceRequest, fmt: str) -> str:
    """Every line of a concordance (not one page) as a download."""
    pairs = concordance_args(request, page=1, per_page=DEFAULT_LINES)
    return with_args("export.export_view", [*pairs, ("format", fmt), ("level", "occurrence")])


def base_url() -> str:
    """Where the archive is published: BASE_URL when configured, else the request's own host."""
    return current_app.config.get("BASE_URL") or request.url_root


def permalink(record_id: str) -> str:
    """A record's stable absolute address, as exports link to it."""
    return linker(base_url())(record_id)


def district_url(district: str, city: str | None, province: str | None) -> str:
    """A district's page, with its city and province to tell same-named districts apart."""
    pairs = [(k, v) for k, v in (("city", city), ("province", province)) if v]
    return with_args("browse.district", pairs, district=district)


HELPERS = {
    "search_url": search_url,
    "remove_url": remove_url,
    "api_url": api_url,
    "record_url": record_url,
    "export_url": export_url,
    "district_url": district_url,
    "permalink": permalink,
    "research_url": research_url,
    "kept_args": kept_args,
    "compare_url": compare_url,
    "trends_url": trends_url,
    "concordance_url": concordance_url,
    "concordance_api_url": concordance_api_url,
    "occurrence_export_url": occurrence_export_url,
}

"""Search page, its JSON twins (/api/search, /api/facets) and the query-language help page."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from indexer.models import SearchRequest, SearchResult
from indexer.params import DEFAULT_PER_PAGE, MAX_PAGE, parse_search
from webui.navigation import chips, flat, last_page, pagination, place_tree, year_nodes
from webui.services import get_index

bp = Blueprint("search", __name__)

SORT_LABELS = {
    "relevance": "相关度",
    "-year": "年份（新→旧）",
    "year": "年份（旧→新）",
    "district": "地区",
}


def run_search() -> tuple[SearchRequest, SearchResult]:
    """Parse the query string and search; bad parameters raise ParamError (a 400)."""
    search_request = parse_search(request.args)
    return search_request, get_index().search(search_request)


@bp.get("/")
@bp.get("/search")
def search() -> str:
    search_request, result = run_search()
    facets = result.facets
    return render_template(
        "search.html",
        req=search_request,
        result=result,
        places=place_tree(facets, get_index().places(), search_request),
        years=year_nodes(facets, search_request),
        doctypes=flat("doctype", facets.get("doctype", ()), search_request.selected("doctype")),
        categories=flat(
            "category", facets.get("category", ()), search_request.selected("category")
        ),
        chips=chips(search_request),
        pages=pagination(search_request.page, result.total, search_request.per_page, MAX_PAGE),
        last_page=last_page(result.total, search_request.per_page, MAX_PAGE),
        sort_labels=SORT_LABELS,
        default_per_page=DEFAULT_PER_PAGE,
    )


@bp.get("/api/search")
def api_search():  # type: ignore[no-untyped-def]
    _, result = run_search()
    return jsonify(result.to_json())


@bp.get("/api/facets")
def api_facets():  # type: ignore[no-untyped-def]
    _, result = run_search()
    data = result.to_json()
    return jsonify({key: data[key] for key in ("query", "total", "facets")})


@bp.get("/help")
def help_page() -> str:
    return render_template("help.html", req=SearchRequest())

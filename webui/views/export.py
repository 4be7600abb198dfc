"""Download every match of a search (not one page) as CSV, XLSX, JSON or JSONL."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TypeVar

from flask import Blueprint, Response, request, stream_with_context

from indexer import exporting as export
from indexer.params import parse_concordance, parse_search
from webui.links import base_url
from webui.services import get_archive, get_index

bp = Blueprint("export", __name__)
T = TypeVar("T")


def primed(items: Iterator[T]) -> Iterator[T]:
    """Start the search now, so a malformed query is a 400 before any byte is sent."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return chain([first], items)


@bp.get("/export")
def export_view() -> Response:
    fmt = request.args.get("format", "csv")
    level = request.args.get("level", "record")
    lines = parse_concordance(request.args) if level == "occurrence" else None
    search_request = lines.search if lines else parse_search(request.args)
    export.check(fmt, level)
    rows = export.rows_for(get_index(), get_archive(), search_request, level, base_url(), lines)
    chunks = export.stream(fmt, level, primed(rows), bom=request.args.get("bom", "1") != "0")
    response = Response(stream_with_context(chunks), content_type=export.FORMATS[fmt])
    name = export.filename(search_request, level, fmt)
    response.headers["Content-Disposition"] = export.content_disposition(name)
    return response

"""Download every match of a search (not one page) as CSV, XLSX, JSON or JSONL."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any, TypeVar

from flask import Blueprint, Response, request, stream_with_context, url_for

from webui import export
from webui.links import highlight_args, with_args
from webui.params import parse_search
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
    search_request = parse_search(request.args)
    fmt = request.args.get("format", "csv")
    level = request.args.get("level", "record")
    export.check(fmt, level)
    bom = request.args.get("bom", "1") != "0"
    index = get_index()
    rows: Iterator[dict[str, Any]]
    if level == "record":
        rows = export.record_rows(primed(index.matches(search_request)), get_archive(), record_link)
    else:
        args = highlight_args(search_request)

        def passage_link(record_id: str) -> str:
            return with_args("records.record", args, record_id=record_id, _external=True)

        rows = export.passage_rows(primed(index.passages(search_request)), passage_link)
    chunks = export.stream(fmt, level, rows, bom=bom)
    response = Response(stream_with_context(chunks), content_type=export.FORMATS[fmt])
    name = export.filename(search_request, level, fmt)
    response.headers["Content-Disposition"] = export.content_disposition(name)
    return response


def record_link(record_id: str) -> str:
    """A record's permalink."""
    return url_for("records.record", record_id=record_id, _external=True)

"""A record's page (sanitised Markdown, highlights, neighbours in time, similar records) and its JSON."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, jsonify, render_template, request

from archive import Record
from indexer import exporting
from indexer.models import Hit
from indexer.params import parse_search, place_request
from webui.links import permalink
from webui.render import render_markdown
from webui.services import get_archive, get_index

bp = Blueprint("records", __name__)
SIMILAR = 5


def load(record_id: str) -> Record:
    """The record, or a 404 for an unknown or malformed id."""
    try:
        return get_archive().get(record_id)
    except KeyError:
        abort(404)


def same_district(record: Record) -> list[Hit]:
    """Every record of the record's district, oldest first."""
    if not record.district:
        return []
    place = place_request(record.district, record.city, record.province, "year")
    return list(get_index().matches(place))


def neighbours(record: Record, hits: list[Hit]) -> tuple[Hit | None, Hit | None]:
    """The nearest earlier and later year's record of the same district."""
    if record.year is None:
        return None, None
    earlier = [h for h in hits if h.year is not None and h.year < record.year]
    later = [h for h in hits if h.year is not None and h.year > record.year]
    return (earlier[-1] if earlier else None), (later[0] if later else None)


@bp.get("/records/<record_id>")
def record(record_id: str) -> str:
    rec = load(record_id)
    search_request = parse_search(request.args)
    index = get_index()
    text_marks = index.highlight(rec.text, search_request) if search_request.q else []
    title_marks = index.highlight(rec.title, search_request) if search_request.q else []
    previous, following = neighbours(rec, same_district(rec))
    return render_template(
        "record.html",
        rec=rec,
        req=search_request,
        body=render_markdown(rec.text, text_marks),
        title_marks=title_marks,
        previous=previous,
        following=following,
        similar=index.similar(rec.id, limit=SIMILAR),
        citation=exporting.gbt7714(citation_row(rec), date.today().isoformat()),
    )


def citation_row(rec: Record) -> dict[str, object]:
    """The record as an export row, linked by its permalink: what its citations are made of."""
    return {**rec.metadata(), "link": permalink(rec.id), "text": rec.text}


@bp.get("/records/<record_id>/cite.<suffix>")
def cite(record_id: str, suffix: str) -> Response:
    """The record as one RIS or BibTeX entry, for a reference manager."""
    fmt = {exporting.SUFFIXES.get(f, f): f for f in exporting.CITATION_FORMATS}.get(suffix)
    if fmt is None:
        abort(404)
    rec = load(record_id)
    body = b"".join(exporting.stream(fmt, "record", [citation_row(rec)]))
    response = Response(body, content_type=exporting.FORMATS[fmt])
    name = f"{exporting.UNSAFE_NAME.sub('_', rec.title)[:80] or rec.id}.{suffix}"
    response.headers["Content-Disposition"] = exporting.content_disposition(name)
    return response


@bp.get("/api/records/<record_id>")
def api_record(record_id: str):  # type: ignore[no-untyped-def]
    rec = load(record_id)
    return jsonify({**rec.metadata(), "text": rec.text})

"""A record's page (sanitised Markdown, highlights, neighbours in time, similar records) and its JSON."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response, render_template, request

from archive import Record
from indexer.models import Hit
from indexer.params import parse_search, place_request
from webui.errors import error_response
from webui.render import render_markdown
from webui.services import get_archive, get_index

bp = Blueprint("records", __name__)
SIMILAR = 5
GONE = {
    "deleted": "这条记录已被删除 (this record was deleted)",
    "removed": "这条记录的来源文件已修改，不再包含它 (its source was edited and no longer holds it)",
    "merged": "这条记录已并入另一条记录 (it was merged into another record)",
}


def load(record_id: str) -> Record:
    """The record; 410 for an id the archive gave to a record that is gone (linking to where its
    text went), 404 for an unknown or malformed id."""
    archive = get_archive()
    try:
        return archive.get(record_id)
    except KeyError:
        gone = archive.gone(record_id)
    if gone is None:
        abort(404)
    given, successor = gone
    abort(make_response(error_response(410, GONE[given.fate], successor=successor)))


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
    )


@bp.get("/api/records/<record_id>")
def api_record(record_id: str):  # type: ignore[no-untyped-def]
    rec = load(record_id)
    return jsonify({**rec.metadata(), "text": rec.text})

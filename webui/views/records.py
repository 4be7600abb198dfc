"""A record's page (sanitised Markdown, highlights, neighbours in time, similar records) and its JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from markupsafe import Markup

from archive import Record
from archive.categories import data_taxonomy
from indexer.highlight import Span, paragraph_snippets, paragraphs
from indexer.models import Hit
from indexer.params import parse_search, place_request
from webui.errors import error_response
from webui.render import render_markdown
from webui.services import data_dir, get_archive, get_index

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


@dataclass(frozen=True)
class Paragraph:
    """One paragraph as the exports number it (from 1), its categories and its highlights."""

    n: int
    text: str
    categories: tuple[str, ...]
    marks: tuple[Span, ...] = ()

    def html(self) -> Markup:
        """The paragraph's sanitised Markdown, its categories as a small tag at the end."""
        html = render_markdown(self.text, self.marks)
        if not self.categories:
            return html
        tag = Markup('<span class="para-tags">{}</span>').format(" · ".join(self.categories))
        end = html.rfind("</")  # inside the paragraph's element, after its text
        return Markup(html[:end]) + tag + Markup(html[end:]) if end >= 0 else html + tag


def record_paragraphs(rec: Record, spans: Sequence[Span] = ()) -> list[Paragraph]:
    """The record's paragraphs, categorised by the data dir's taxonomy, with the spans' marks."""
    taxonomy = data_taxonomy(data_dir())
    marked = dict(paragraph_snippets(rec.text, list(spans))) if spans else {}
    return [
        Paragraph(
            number + 1,
            rec.text[start:end],
            taxonomy.classify(rec.text[start:end]).categories,
            marked[number].marks if number in marked else (),
        )
        for number, start, end in paragraphs(rec.text)
    ]


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
        body=Markup("\n").join(p.html() for p in record_paragraphs(rec, text_marks)),
        title_marks=title_marks,
        previous=previous,
        following=following,
        similar=index.similar(rec.id, limit=SIMILAR),
    )


@bp.get("/api/records/<record_id>")
def api_record(record_id: str):  # type: ignore[no-untyped-def]
    rec = load(record_id)
    paragraphs_json = [
        {"n": p.n, "text": p.text, "categories": list(p.categories)} for p in record_paragraphs(rec)
    ]
    return jsonify({**rec.metadata(), "text": rec.text, "paragraphs": paragraphs_json})

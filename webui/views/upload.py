"""Editor pages: upload files or a web address, and review what a batch made."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive.formats import MAX_BYTES, SUPPORTED_SUFFIXES
from webui import uploads
from webui.auth import body_limit, editor_only, require_editor
from webui.errors import error_response
from webui.services import get_archive

bp = Blueprint("upload", __name__)
FORM_OVERHEAD = 1024 * 1024  # multipart headers and the other fields
MAX_UPLOAD_BODY = MAX_BYTES + FORM_OVERHEAD  # beyond: the app's own 413 page
# The largest request `serve` reads at all: waitress answers a bare 413 to bigger ones before
# buffering them; the margin lets an upload just too large still get the app's page.
MAX_REQUEST = MAX_UPLOAD_BODY + FORM_OVERHEAD


@bp.get("/upload")
@editor_only
def upload() -> str:
    return render_template("upload.html", suffixes=sorted(SUPPORTED_SUFFIXES), limit=MAX_BYTES)


@bp.post("/upload")
@body_limit(MAX_UPLOAD_BODY)
def upload_post() -> Response | tuple[Any, int]:
    files = [(f.filename, f.stream) for f in request.files.getlist("files") if f.filename]
    url = request.form.get("url", "").strip()
    if not files and not url:
        return error_response(400, "请选择文件或填写网址 (no file and no address given)")
    batch = uploads.run(
        get_archive(),
        require_editor(),
        request.remote_addr or "-",
        files,
        url,
        bool(current_app.config.get("ALLOW_PRIVATE_URLS")),
    )
    return redirect(url_for("upload.batch", batch_id=batch.id), 303)


@bp.get("/batches/<batch_id>")
@editor_only
def batch(batch_id: str) -> str:
    archive = get_archive()
    try:
        found = uploads.load(archive, batch_id)
    except KeyError:
        abort(404)
    records = []
    for record_id in found.records:
        try:
            records.append((record_id, archive.get(record_id)))
        except KeyError:
            records.append((record_id, None))
    return render_template("batch.html", batch=found, records=records)

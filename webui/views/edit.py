"""Editor pages: correct a record, delete it, restore a previous version."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import history
from archive.doctype import DOCTYPES
from archive.records import CORRECTABLE
from webui import editing
from webui.auth import body_limit, editor_only, require_editor
from webui.errors import error_response
from webui.services import get_archive
from webui.views.records import load

bp = Blueprint("edit", __name__)
MAX_FORM = 25 * 1024 * 1024  # a record's text with room: the app's default limit is 64 KB


def _form_page(rec: Any, values: dict[str, Any], base: str, error: str | None, status: int) -> Any:
    return (
        render_template(
            "edit.html",
            rec=rec,
            values=values,
            base=base,
            error=error,
            places=editing.place_names(),
            categories=editing.category_names(get_archive()),
            doctypes=DOCTYPES,
        ),
        status,
    )


@bp.route("/records/<record_id>/edit", methods=["GET", "POST"])
@editor_only
@body_limit(MAX_FORM)
def edit(record_id: str) -> Any:
    rec = load(record_id)
    archive = get_archive()
    if request.method == "GET":
        values = {key: getattr(rec, key) for key in CORRECTABLE}
        return _form_page(rec, values, editing.digest(archive, record_id), None, 200)
    form = request.form
    entered = {key: form.get(key, "") for key in CORRECTABLE} | {
        "categories": form.getlist("categories")
    }
    base = form.get("base", "")
    try:
        known = editing.category_names(archive)
        values = editing.checked_values(form.get, form.getlist("categories"), known)
        corrections = editing.changes(rec, values)
        if corrections:
            editing.save(
                archive, record_id, corrections, require_editor(), _address(), "edit", base
            )
    except editing.EditError as exc:
        return _form_page(
            rec, entered, base, str(exc), 409 if isinstance(exc, editing.Conflict) else 400
        )
    names = "、".join(editing.FIELD_LABELS[key] for key in corrections)
    flash(f"已保存：{names}" if corrections else "没有改动 (nothing changed)")
    return redirect(url_for("records.record", record_id=record_id), 303)


@bp.post("/records/<record_id>/delete")
def delete(record_id: str) -> Response:
    load(record_id)
    editing.delete(get_archive(), record_id, require_editor(), _address())
    flash(f"已删除记录 {record_id} (deleted)")
    return redirect(url_for("search.search"), 303)


@bp.post("/records/<record_id>/restore")
def restore(record_id: str) -> Response:
    rec = load(record_id)
    archive = get_archive()
    try:
        old = history.version(archive, record_id, request.form.get("version", ""))
    except KeyError:
        abort(404)
    values = {key: getattr(old.record, key) for key in CORRECTABLE}
    corrections = editing.changes(rec, values)
    if corrections:
        editing.save(
            archive, record_id, corrections, require_editor(), _address(), "restore",
            version=old.name,
        )  # fmt: skip
    flash(f"已恢复 {old.when} 之前的版本 (restored)")
    return redirect(url_for("records.record", record_id=record_id), 303)


@bp.route("/records/<record_id>/split", methods=["GET", "POST"])
@editor_only
def split(record_id: str) -> Any:
    rec = load(record_id)
    parts = editing.paragraphs(rec.text)
    if request.method == "GET":
        return render_template("split.html", rec=rec, parts=parts, error=None)
    try:
        at = int(request.form.get("at", ""))
        made = editing.split(get_archive(), record_id, at, require_editor(), _address())[0]
    except (ValueError, editing.EditError) as exc:
        message = (
            str(exc)
            if isinstance(exc, editing.EditError)
            else "请选择拆分位置 (choose where to split)"
        )
        return render_template("split.html", rec=rec, parts=parts, error=message), 400
    flash(f"已拆分：后半部分成为新记录 {made} (split)")
    return redirect(url_for("records.record", record_id=made), 303)


@bp.post("/records/<record_id>/merge")
def merge(record_id: str) -> Any:
    load(record_id)
    other = request.form.get("other", "")
    try:
        editing.merge(get_archive(), record_id, other, require_editor(), _address())
    except (KeyError, editing.EditError) as exc:
        message = (
            str(exc) if isinstance(exc, editing.EditError) else "没有这条记录 (no such record)"
        )
        return error_response(400, message)
    flash(f"已将记录 {other} 并入这条记录 (merged)")
    return redirect(url_for("records.record", record_id=record_id), 303)


def record_siblings(record_id: str) -> list[Any]:
    """The other live records of a record's source, for the merge choice on its page."""
    archive = get_archive()
    return editing.siblings(archive, archive.get(record_id))


def record_history(record_id: str) -> list[history.Version]:
    """A record's previous versions for its page, shown to editors."""
    return history.versions(get_archive(), record_id)


def _address() -> str:
    return request.remote_addr or "-"

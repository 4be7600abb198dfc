"""Friendly error pages and JSON errors (never a stack trace), and the security headers on every reply."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from archive import StoreBusy, StoreError
from indexer.models import IndexMissing, QueryError
from webui.services import get_archive

MESSAGES = {
    400: "请求参数有误",
    401: "需要登录",
    409: "记录已被修改",
    413: "上传的内容过大",
    429: "尝试次数过多",
    404: "没有找到这个页面或记录",
    405: "不支持这种请求方式",
    410: "这条记录已不在档案中",
    500: "服务器内部错误，请稍后再试",
    503: "暂时无法处理请求",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def error_response(status: int, message: str, **extra: str | None) -> tuple[Response | str, int]:
    """A JSON error under /api/, otherwise an HTML page, both carrying the one-line message (and
    `extra`, e.g. a gone record's successor)."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status, **extra}), status
    title = MESSAGES.get(status, "出错了")
    page = render_template("error.html", status=status, title=title, message=message, **extra)
    return page, status


def init_app(app: Flask) -> None:
    """Register the error handlers and the header hook."""

    @app.errorhandler(IndexMissing)
    def no_index(exc: IndexMissing):  # type: ignore[no-untyped-def]
        return error_response(
            503,
            "还没有检索索引，请先运行 congress-archive index 建立索引 "
            "(no index yet: run congress-archive index)",
        )

    @app.errorhandler(QueryError)
    def bad_query(exc: QueryError):  # type: ignore[no-untyped-def]
        return error_response(400, str(exc))

    @app.errorhandler(StoreBusy)
    def busy(exc: StoreBusy):  # type: ignore[no-untyped-def]
        app.logger.warning("%s", exc)
        return error_response(503, "档案正忙，请稍后再试 (the archive is busy: try again)")

    @app.errorhandler(StoreError)
    def damaged_record(exc: StoreError):  # type: ignore[no-untyped-def]
        app.logger.error("%s", exc)  # the file and the reason, for whoever fixes the archive
        where = f"{get_archive().records_dir}/"
        return error_response(
            500,
            f"记录文件已损坏，请修正后重新建立索引：{str(exc).replace(where, '')} "
            "(a record file is damaged: fix it, then run congress-archive index)",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = f"{MESSAGES[status]} ({exc.name})" if status in MESSAGES else exc.name
        response = make_response(error_response(status, message))
        for name, value in exc.get_headers(request.environ):
            if name.lower() != "content-type":  # e.g. a 405's Allow: keep what werkzeug says
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, f"{MESSAGES[500]} (internal server error)")

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

"""Sign-in for editors: sessions, CSRF tokens on every write, and a limit on failed sign-ins."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import filelock
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers import Request, Response

from archive.store import atomic_write
from webui import accounts
from webui.errors import error_response
from webui.services import data_dir

bp = Blueprint("auth", __name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12
MAX_FAILURES = 5
FAILURE_WINDOW = 600.0  # seconds: 5 failed sign-ins for one name or one address in 10 minutes
SECRET_FILE = "secret_key"
SIGNED_OUT = "signed_out.json"  # session id -> its expiry: sign-out outlives restarts
View = TypeVar("View", bound=Callable[..., Any])


class Throttle:
    """Failed sign-ins per name and per address in a sliding window, shared by the server's threads."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def reserve(self, *keys: str) -> float | None:
        """Count an attempt as failed before its password is checked (None when a key reached the
        limit): check and count under one lock, so parallel requests cannot pass the limit."""
        now = time.monotonic()
        with self._lock:
            if any(len(self._recent(key, now)) >= self.limit for key in keys):
                return None
            for key in keys:
                self._recent(key, now).append(now)
        return now

    def release(self, reserved: float, *keys: str) -> None:
        """Uncount a reserved attempt whose password was right."""
        with self._lock:
            for key in keys:
                times = self._failures.get(key)
                if times is not None and reserved in times:
                    times.remove(reserved)


def editor_only(view: View) -> View:
    """Mark a view (also a GET one) as for signed-in editors; writes are so anyway."""
    view.editor_only = True  # type: ignore[attr-defined]
    return view


def body_limit(limit: int) -> Callable[[View], View]:
    """Let a view accept bodies up to `limit` bytes (the app's default is small), set before the
    guard reads the form for its CSRF token."""

    def mark(view: View) -> View:
        view.max_body = limit  # type: ignore[attr-defined]
        return view

    return mark


def current_editor() -> str | None:
    """The signed-in editor's name: a session of a live account, unchanged password, not signed
    out and younger than SESSION_HOURS."""
    name = session.get("user")
    if not isinstance(name, str):
        return None
    fresh = time.time() - float(session.get("at", 0)) < SESSION_HOURS * 3600
    revoked = session.get("sid") in _signed_out(data_dir())
    stamp = accounts.stamp(data_dir(), name)
    if not fresh or revoked or stamp is None or session.get("stamp") != stamp:
        return None
    return name


def csrf_token() -> str:
    """The session's CSRF token for forms and JSON writes, made on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


def _csrf_ok() -> bool:
    """Compared as UTF-8 bytes: compare_digest refuses non-ASCII text with a TypeError (a 500)."""
    expected = session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    return isinstance(expected, str) and hmac.compare_digest(
        expected.encode(), given.encode("utf-8", "surrogateescape")
    )


def _guard() -> Response | tuple[Any, int] | None:
    """Before every request: editors only where marked and on every write; a CSRF token on
    every write. Unknown routes and methods fall through to their 404/405."""
    g.editor = current_editor() if "user" in session else None
    if request.routing_exception is not None or request.endpoint is None:
        return None
    view = current_app.view_functions[request.endpoint]
    limit = getattr(view, "max_body", None)
    if limit:
        request.max_content_length = request.max_form_memory_size = limit
    public = request.endpoint in ("auth.login", "static")
    needs_editor = getattr(view, "editor_only", False) or (
        request.method not in SAFE_METHODS and not public
    )
    if needs_editor and g.editor is None:
        if request.path.startswith("/api/") or request.method not in SAFE_METHODS:
            return error_response(401, "请先登录 (sign in first)")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if request.method not in SAFE_METHODS and not _csrf_ok():
        return error_response(
            400, "表单已过期或来源不明，请刷新页面后重试 (missing or wrong CSRF token)"
        )
    return None


class DataDirSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the key kept in the data dir and made only when a
    session is first written: serving readers never adds a file to the archive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def _key(self, app: Flask) -> None:
        """Load the key (0600 file), making it on first use; a data dir that does not exist is
        not created for it (its key lives as long as the process)."""
        with self._lock:
            if app.secret_key:
                return
            path = self.folder / SECRET_FILE
            if not path.exists() and self.folder.is_dir():
                atomic_write(path, secrets.token_hex(32).encode())  # mkstemp makes it 0600
            app.secret_key = path.read_text().strip() if path.exists() else secrets.token_hex(32)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # nothing to verify yet
        self._key(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session.modified and session:
            self._key(app)
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Session cookie settings, the guard, and the template helpers."""
    if not app.config.get("SECRET_KEY"):
        app.session_interface = DataDirSessions(Path(app.config["DATA_DIR"]))
    app.config.update(
        SESSION_COOKIE_NAME="congress_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(app.config.get("BASE_URL") or "").startswith("https://"),
    )
    app.extensions["throttle"] = Throttle()
    app.before_request(_guard)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.register_blueprint(bp)


def _next_page() -> str:
    """Where to go after signing in: a path on this site only, never another host (browsers drop
    tabs and newlines and read a backslash as a slash, so those are refused outright)."""
    target = request.values.get("next", "")
    if any(c.isspace() or unicodedata.category(c)[0] == "C" or c == "\\" for c in target):
        return url_for("search.search")
    parts = urlsplit(target)
    local = not parts.scheme and not parts.netloc and parts.path.startswith("/")
    return target if local and not parts.path.startswith("//") else url_for("search.search")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=_next_page(), error=None)
    name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or "-"
    throttle: Throttle = current_app.extensions["throttle"]
    keys = (f"name:{name}", f"addr:{address}")
    reserved = throttle.reserve(*keys)
    if reserved is None:
        current_app.logger.warning(
            "sign-in refused for %r from %s: too many failures", name, address
        )
        message = "登录失败次数过多，请 10 分钟后再试 (too many failed sign-ins, try later)"
        page = render_template("login.html", next=_next_page(), error=message)
        return make_response(page, 429, {"Retry-After": str(int(FAILURE_WINDOW))})
    if not accounts.verify(data_dir(), name, password):
        current_app.logger.warning("failed sign-in for %r from %s", name, address)
        message = "用户名或密码错误 (wrong user name or password)"
        return render_template("login.html", next=_next_page(), error=message), 401
    throttle.release(reserved, *keys)
    session.clear()  # a new session: nothing planted before sign-in carries over
    session.update(
        user=name,
        stamp=accounts.stamp(data_dir(), name),
        sid=secrets.token_urlsafe(16),
        at=time.time(),
    )
    csrf_token()
    current_app.logger.info("%s signed in from %s", name, address)
    return redirect(_next_page(), 303)


def _signed_out(folder: Path) -> dict[str, float]:
    """Signed-out session ids and when they would have expired, shared by every `serve` process."""
    try:
        return dict(json.loads((folder / SIGNED_OUT).read_bytes()))
    except FileNotFoundError:
        return {}


def _sign_out(folder: Path, sid: str, expires: float) -> None:
    """Add a session id to the signed-out list (0600, atomic, under a lock so no id is lost), and
    drop those past their lifetime: no cookie of theirs is accepted anyway."""
    with filelock.FileLock(folder / f"{SIGNED_OUT}.lock", timeout=10):
        now = time.time()
        ids = {key: at for key, at in _signed_out(folder).items() if at > now}
        ids[sid] = expires
        atomic_write(folder / SIGNED_OUT, json.dumps(ids, sort_keys=True).encode())


@bp.post("/logout")
def logout() -> Response:
    sid = session.get("sid")
    if isinstance(sid, str):  # the old cookie no longer signs anyone in, here or after a restart
        _sign_out(data_dir(), sid, float(session.get("at", 0)) + SESSION_HOURS * 3600)
    session.clear()
    return redirect(url_for("search.search"), 303)


def require_editor() -> str:
    """The signed-in editor (views behind the guard always have one)."""
    if g.editor is None:
        abort(401)
    return str(g.editor)

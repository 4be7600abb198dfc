"""The web UI, JSON API and command line over the indexer's search API."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then CONGRESS_ARCHIVE_* environment variables, then test_config."""
    # Imported here, as in Flask's tutorial, so `webui.cli` loads without the web stack.
    from flask import Flask

    from webui import auth, errors
    from webui.editing import FIELD_LABELS
    from webui.links import HELPERS
    from webui.render import marked
    from webui.views import browse, compare, edit, export, records, research, search, upload

    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("CONGRESS_ARCHIVE_HOME", "data"),
        MAX_CONTENT_LENGTH=64 * 1024,  # the app only reads query strings; refuse large bodies
        BASE_URL=None,  # e.g. https://archive.example.org: links in exports and permalinks
        ALLOW_PRIVATE_URLS=False,  # fetch addresses on this machine or network (tests only)
    )
    app.config.from_prefixed_env("CONGRESS_ARCHIVE")
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    for module in (search, records, browse, export, research, compare, edit, upload):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    auth.init_app(app)
    app.jinja_env.globals.update(
        record_history=edit.record_history, record_siblings=edit.record_siblings
    )
    app.jinja_env.filters["label"] = FIELD_LABELS.get
    app.jinja_env.globals.update(HELPERS)
    app.jinja_env.filters["marked"] = marked
    return app

"""Serve's warm-up: what a first request of each kind would load is loaded before serving.

Searching loads parts of the index on first use: the segmenter (about 1 s), the generation's
arrays, the word statistics of words mode and more-like-this, the place tree, the taxonomy and the
page templates. `serve` asks its app once for each kind of page before it announces itself, so the
first visitor of each mode waits no longer than the next; then it maps every page of the texts
that exact phrases are verified in (the requests above read only some).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from webui.services import get_index


def warm_up(app: Flask) -> list[str]:
    """Answer one request of every kind inside the process, with a term and a record from the
    archive's own index: exact and words search (page and JSON), a record page with its similar
    records, trends and a concordance, then preload the index's texts. Returns the paths asked;
    none when there is no index yet."""
    client = app.test_client()
    listing = client.get("/api/search", query_string={"per_page": "1"})
    if listing.status_code != 200 or not listing.json["hits"]:
        return []
    hit: dict[str, Any] = listing.json["hits"][0]
    title = hit["title"] or hit["id"]
    term = {"q": title[:2]}
    asked = [
        ("/api/search", {"q": title[-4:]}),  # a phrase is checked in the texts: their pages load
        ("/search", term),
        ("/search", term | {"mode": "words"}),
        ("/api/search", term),
        ("/api/search", term | {"mode": "words"}),
        (f"/records/{hit['id']}", {}),
        ("/trends", term),
        ("/concordance", term),
    ]
    for path, params in asked:
        client.get(path, query_string=params)
    with app.app_context():
        get_index().preload()
    return [path for path, _ in asked]

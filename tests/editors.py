"""Helpers for the editor tests: accounts, signed-in HTTP clients, form tokens, a served copy."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from archive import Archive
from indexer import Index
from tests.load.server import Server
from webui import accounts

EDITOR = "alice"
PASSWORD = "correct horse 1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = re.compile(r'name="base" value="([^"]+)"')


@contextmanager
def served(seeded: Path, target: Path, *extra: str) -> Iterator[Server]:
    """A copy of the seeded archive, indexed, with an editor account, under a real `serve`."""
    shutil.copytree(seeded, target)
    Index(target).update(Archive(target))
    accounts.set_password(target, EDITOR, PASSWORD, new=True)
    with Server(target, threads=4, extra=extra) as server:
        yield server


def url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


def token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form on a page."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = TOKEN.search(page.text)
    assert found, path
    return found.group(1)


@contextmanager
def sign_in(base_url: str, name: str = EDITOR, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A client signed in as an editor (its cookie jar holds the session)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        reply = client.post(
            "/login",
            data={"username": name, "password": password, "csrf_token": token(client, "/login")},
        )
        assert reply.status_code == 303, reply.text
        yield client


def edit_form(client: httpx.Client, record_id: str) -> dict[str, str | list[str]]:
    """The edit form's fields as the page fills them in, ready to change and post."""
    from lxml import html

    page = client.get(f"/records/{record_id}/edit")
    assert page.status_code == 200
    form = html.fromstring(page.text).forms[-1]
    fields: dict[str, str | list[str]] = {}
    for name in form.inputs.keys():  # noqa: SIM118  (lxml's InputGetter has no __iter__)
        value = form.inputs[name].value
        fields[name] = list(value) if name == "categories" else (value or "")
    return fields

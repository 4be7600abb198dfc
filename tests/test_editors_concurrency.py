"""Searches without pause while an editor saves 50 corrections through a real `serve`: never an
error, and every answer is consistent (one record set, facets that add up, the edited record
with one of the values it was given)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx

from archive import Archive
from tests.editors import edit_form, served, sign_in, url

SAVES = 50
YEARS = [2000 + n for n in range(SAVES)]


def check(answer: dict, record_id: str, allowed: set[int]) -> int:
    """The edited record's year in a consistent answer over all 7 records."""
    assert answer["total"] == 7
    assert len(answer["hits"]) == 7
    years = Counter(str(hit["year"]) for hit in answer["hits"])
    assert {f["value"]: f["count"] for f in answer["facets"]["year"]} == dict(years)
    (edited,) = [hit for hit in answer["hits"] if hit["id"] == record_id]
    assert edited["year"] in allowed
    return int(edited["year"])


def test_searches_while_an_editor_saves_50_corrections(
    seeded_data_dir: Path, tmp_path: Path
) -> None:
    with served(seeded_data_dir, tmp_path / "data") as server:
        base = url(server)
        record_id = next(r.id for r in Archive(server.data_dir) if r.district == "老边区")
        original = Archive(server.data_dir).get(record_id).year
        allowed = {original, *YEARS}
        done = threading.Event()
        problems: list[str] = []
        answers = Counter[int]()

        def search() -> None:
            with httpx.Client(base_url=base, timeout=30) as reader:
                while not done.is_set():
                    reply = reader.get("/api/search", params={"per_page": "50"})
                    if reply.status_code != 200:
                        problems.append(f"{reply.status_code}: {reply.text[:200]}")
                        continue
                    try:
                        answers[check(reply.json(), record_id, allowed)] += 1
                    except AssertionError as exc:
                        problems.append(repr(exc))

        readers = [threading.Thread(target=search) for _ in range(2)]
        for reader in readers:
            reader.start()
        try:
            with sign_in(base) as editor:
                for year in YEARS:
                    form = edit_form(editor, record_id)
                    form["year"] = str(year)
                    reply = editor.post(f"/records/{record_id}/edit", data=form)
                    assert reply.status_code == 303, reply.text
                    after = editor.get("/api/search", params={"per_page": "50"}).json()
                    assert check(after, record_id, allowed) == year  # visible at once
        finally:
            done.set()
            for reader in readers:
                reader.join()
        log = server.log()
    assert problems == []
    assert sum(answers.values()) > SAVES  # the searches really ran during the saves
    assert len(answers) > 2  # and saw the record change
    assert "Traceback" not in log
    assert Archive(server.data_dir).get(record_id).year == YEARS[-1]

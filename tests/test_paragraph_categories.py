"""Paragraphs are classified once: ingest notes each paragraph's categories, and the index uses
them while the record's text and the taxonomy are the ones they were made of."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from archive import Archive
from archive.categories import Decision, Taxonomy, data_taxonomy, paragraphs
from indexer import Index
from indexer.writing import live_dir


def _paragraph_categories(data_dir: Path) -> list[np.ndarray]:
    """The index's packed paragraph categories, segment by segment."""
    return [np.load(f) for f in sorted(live_dir(data_dir).glob("*.xparacats"))]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the paragraphs the taxonomy classifies from now on."""
    classified: list[str] = []
    real = Taxonomy.classify

    def classify(self: Taxonomy, paragraph: str) -> Decision:
        classified.append(paragraph)
        return real(self, paragraph)

    monkeypatch.setattr(Taxonomy, "classify", classify)
    return classified


def test_the_index_takes_ingests_paragraph_categories_without_classifying(seeded_copy, monkeypatch):
    classified = _counting(monkeypatch)
    Index(seeded_copy).rebuild(Archive(seeded_copy))
    assert classified == []
    noted = _paragraph_categories(seeded_copy)
    assert noted and all(a.any() for a in noted)
    monkeypatch.setattr(Archive, "paragraph_categories", lambda *_: None)
    Index(seeded_copy).rebuild(Archive(seeded_copy))
    assert len(classified) == sum(len(paragraphs(r.text)) for r in Archive(seeded_copy))
    assert [a.tolist() for a in noted] == [a.tolist() for a in _paragraph_categories(seeded_copy)]


def test_a_text_edited_by_hand_is_classified_again(seeded_copy, monkeypatch):
    archive = Archive(seeded_copy)
    record = next(iter(archive))
    path = archive.path(record.id)
    path.write_text(path.read_text("utf-8") + "\n依法开展执法检查，督促改进工作。\n", "utf-8")
    classified = _counting(monkeypatch)
    Index(seeded_copy).rebuild(Archive(seeded_copy))
    assert classified == paragraphs(archive.get(record.id).text)


def test_an_edited_taxonomy_classifies_every_paragraph_again(seeded_copy, monkeypatch):
    taxonomy = seeded_copy / "categories.yaml"
    data_taxonomy(seeded_copy)  # the data dir's copy
    taxonomy.write_text(taxonomy.read_text("utf-8").replace("threshold: 3", "threshold: 4"))
    classified = _counting(monkeypatch)
    Index(seeded_copy).update(Archive(seeded_copy))
    assert len(classified) == sum(len(paragraphs(r.text)) for r in Archive(seeded_copy))


def test_a_damaged_note_means_classifying_not_failing(seeded_copy, monkeypatch):
    archive = Archive(seeded_copy)
    record = next(iter(archive))
    taxonomy = data_taxonomy(seeded_copy)
    noted = archive.paragraph_categories(record, taxonomy.digest)
    assert noted == tuple(taxonomy.classify(p).categories for p in paragraphs(record.text))
    note = seeded_copy / "extracted" / f"{record.id}.json"
    kept = json.loads(note.read_text("utf-8"))
    assert archive.paragraph_categories(record, "another taxonomy") is None
    kept["paragraphs"]["paragraphs"][0] = "监督"  # edited by hand: not a list of categories
    note.write_text(json.dumps(kept, ensure_ascii=False), "utf-8")
    assert archive.paragraph_categories(record, taxonomy.digest) is None
    kept["paragraphs"]["paragraphs"][0] = ["不存在的类别"]  # a name the taxonomy does not have
    note.write_text(json.dumps(kept, ensure_ascii=False), "utf-8")
    classified = _counting(monkeypatch)
    Index(seeded_copy).rebuild(Archive(seeded_copy))
    assert classified == paragraphs(record.text)
    note.write_text("{not json")
    assert archive.paragraph_categories(record, taxonomy.digest) is None

"""Extraction measured on 180 real documents (tests/data/metadata_eval) through the ingest pipeline.

Run with -s to see the table: `.venv/bin/pytest tests/test_metadata_eval.py -s`. The rules were
designed on a_01..a_28 and b_01..b_28; a_29..a_40 and b_29..b_40 were held out until they were
done, when they scored district 22, city 23, province 24, year 16, doctype 19 and all four place
and year fields 15 of 24, with 10 of 120 fields wrong. Their failures then led to the last rules
(see README), so their figures below are no longer a held-out measure.

c_01..c_30 (session and meeting news, reports, government reports, regulations, a yearbook page;
the autonomous regions among them) came later and were run once on the finished a/b rules before
any rule was written for them: district 28, city 29, province 26, year 26, doctype 27 of 30, all
four place and year fields 22 of 30, 5 of 150 fields wrong, and one document (c_23, a regulation
under its issuing committee's line) split into two records. That first run is the honest measure
for unseen documents; their misses then led to rules (see README), so c is no longer held out.

d_01..d_30 were labelled with c but kept outside the repository, unseen by whoever wrote rules,
until the rules written on a, b and c were done; their first run (FIRST_D_RUN) was the honest
measure of those rules on documents they never saw: year 25 of 30 and all four 24 of 30 (80%).
Their six misses (five years of session and meeting news and a year-end review, one city of a
law approved by its province) then led to rules, together with 46 further public pages read by
hand (see README), so d is no longer held out either: its floors below are today's figures.

e_01..e_40 were found and labelled by someone who never saw the rules or their output, kept outside
the repository until the rules above were finished, and run once (FIRST_E_RUN): the honest measure
of the finished rules on unseen documents. No rule has been written for them since, so their floors
are that first run and their misses (printed with -s) are still misses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.categories import default_taxonomy
from archive.formats import read_document
from archive.ingest import build_records

EVAL = Path(__file__).resolve().parent / "data" / "metadata_eval"
FIELDS = ("district", "city", "province", "year", "doctype")
PLACE_AND_YEAR = FIELDS[:4]
GROUPS = {
    "all": lambda name: True,
    "a": lambda name: name.startswith("a_"),
    "b": lambda name: name.startswith("b_"),
    "tuned": lambda name: name[0] in "ab" and int(name[2:4]) <= 28,
    "held out": lambda name: name[0] in "ab" and int(name[2:4]) > 28,
    "c": lambda name: name.startswith("c_"),
    "d": lambda name: name.startswith("d_"),
    "e": lambda name: name.startswith("e_"),
}
# Floors: the figures measured when the rules were done; a regression fails the test.
FLOORS = {
    "all": {
        "district": 180,
        "city": 179,
        "province": 179,
        "year": 177,
        "doctype": 180,
        "all four": 176,
    },
    "a": {"district": 40, "city": 40, "province": 40, "year": 40, "doctype": 40, "all four": 40},
    "b": {"district": 40, "city": 40, "province": 40, "year": 40, "doctype": 40, "all four": 40},
    "c": {"district": 30, "city": 30, "province": 30, "year": 30, "doctype": 30, "all four": 30},
    "d": {"district": 30, "city": 30, "province": 30, "year": 30, "doctype": 30, "all four": 30},
    "e": {"district": 40, "city": 39, "province": 39, "year": 37, "doctype": 40, "all four": 36},
}
MOST_WRONG = 1  # fields holding a wrong (non-null) value, over the whole set (e_40's year)
# The held-out 24 and c's 30 on their first run, before their failures led to rules (see the
# docstring).
FIRST_HELD_OUT_RUN = (
    "district 22, city 23, province 24, year 16, doctype 19, all four 15 of 24; 10 of 120 wrong"
)
FIRST_C_RUN = (
    "district 28, city 29, province 26, year 26, doctype 27, all four 22 of 30; 5 of 150 wrong;"
    " c_23 split into two records"
)
FIRST_D_RUN = (
    "district 30, city 29, province 30, year 25, doctype 30, all four 24 of 30; 2 of 150 wrong"
)
FIRST_E_RUN = (
    "district 40, city 39, province 39, year 37, doctype 40, all four 36 of 40; 1 of 200 wrong"
)


def _labels() -> list[dict]:
    rows = []
    for path in sorted(EVAL.glob("labels_*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        rows.extend(json.loads(line) for line in lines if line.strip())
    return rows


@pytest.fixture(scope="module")
def results() -> list[tuple[dict, dict]]:
    """(label, extracted fields) per document; each document must give exactly one record."""
    pairs = []
    for label in _labels():
        records = build_records(
            read_document(EVAL / label["file"]), label["file"], default_taxonomy()
        )
        assert len(records) == 1, label["file"]
        pairs.append((label, {f: getattr(records[0], f) for f in FIELDS}))
    return pairs


def _score(pairs: list[tuple[dict, dict]]) -> dict[str, int]:
    """Right values per field, documents with place and year all right, wrong non-null fields."""
    score = {f: sum(got[f] == label[f] for label, got in pairs) for f in FIELDS}
    score["all four"] = sum(all(got[f] == label[f] for f in PLACE_AND_YEAR) for label, got in pairs)
    score["wrong"] = sum(
        got[f] is not None and got[f] != label[f] for label, got in pairs for f in FIELDS
    )
    return score


def test_extraction_accuracy_on_real_documents(results):
    scores = {}
    print(f"\n{'':10}{'n':>4}" + "".join(f"{c:>10}" for c in (*FIELDS, "all four", "wrong")))
    for group, member in GROUPS.items():
        pairs = [(label, got) for label, got in results if member(label["file"])]
        scores[group] = score = _score(pairs)
        n = len(pairs)
        cells = [f"{score[c] / n:>10.0%}" for c in (*FIELDS, "all four")]
        print(f"{group:10}{n:>4}" + "".join(cells) + f"{score['wrong'] / (n * len(FIELDS)):>10.1%}")
    print(f"held out, first run: {FIRST_HELD_OUT_RUN}")
    print(f"c, first run: {FIRST_C_RUN}")
    print(f"d, first run (before its misses led to rules): {FIRST_D_RUN}")
    print(f"e, first run (never tuned on): {FIRST_E_RUN}")
    for label, got in results:
        wrong = [f"{f}: {got[f]} (label {label[f]})" for f in FIELDS if got[f] != label[f]]
        if wrong:
            print(f"{label['file']}: " + "; ".join(wrong))
    for group, floors in FLOORS.items():
        for column, floor in floors.items():
            assert scores[group][column] >= floor, (group, column, scores[group][column])
    assert scores["all"]["wrong"] <= MOST_WRONG

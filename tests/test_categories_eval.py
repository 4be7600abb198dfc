"""The paragraph classifier against 1,196 hand-labelled real paragraphs (tests/data/category_eval).

A paragraph's gold set is its primary and secondary categories with their parents (none for a
framing paragraph); the prediction is the decision's categories. Batches were labelled in turn,
each before the rules of the time were run on it, scored once as held out, then used to revise
the rules: the first batch (391 rows) split by document into "dev" (the first 70% of names, where
the first rules were designed) and "rest" (held out at first, 0.782 / 0.741, then used); "later"
= batches 2-6 (234 rows); "fresh" = batch 7 (31 rows), labelled after the fourth revision, held out
for the fifth (0.732 / 0.634); "independent" = batch 8 (249 rows, 54 documents), found and labelled
from GUIDE.md by a second labeller who never saw the rules or their output, kept outside the
repository until the fifth revision was done and scored once: 0.814 / 0.805, the held-out measure of
the fifth revision. The sixth revision was made from the misses of every batch, 7 and 8 included, so
no subset up to batch 8 is held out any more. "unseen" = batch 9 (291 rows, 62 documents), found and
labelled from GUIDE.md by a third labeller who never saw the rules, kept outside the repository until
the sixth revision was done and scored once: 0.865 / 0.854 (the fifth revision had 0.853 / 0.831 on
it, the rules before both 0.827 / 0.799). No rule has been written from it: it is the held-out
measure, and its floors are that first run. README (Categories) has every figure as it was when
held out.
Run with `-s` to see the table: pytest -s tests/test_categories_eval.py
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.categories import default_taxonomy

EVAL = Path(__file__).resolve().parent / "data" / "category_eval" / "paragraphs.jsonl"
ROWS = [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line.strip()]
FIRST = [row for row in ROWS if row.get("batch", 1) == 1]
DOCS = sorted({row["doc"] for row in FIRST})
DEV = set(DOCS[: round(len(DOCS) * 0.7)])
TAXONOMY = default_taxonomy()

Predict = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class Scores:
    """Per-category (precision, recall, F1, gold count), micro-F1 and macro-F1 of one subset,
    and the share of paragraphs whose whole set is right (framing ones count only here)."""

    per_category: dict[str, tuple[float, float, float, int]]
    micro: float
    macro: float
    exact: float
    size: int


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def gold(row: dict) -> set[str]:
    """The labels of a row with the parents they imply."""
    labels = {row["primary"], *row["secondary"]} - {None}
    return labels | {TAXONOMY.parents[c] for c in labels if c in TAXONOMY.parents}


def score(rows: list[dict], predict: Predict) -> Scores:
    """Micro-F1 pools every label decision; macro-F1 averages the F1 of the categories that occur
    (in the gold sets or the predictions) in these rows."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = 0
    for row in rows:
        truth, guess = gold(row), set(predict(row["text"]))
        exact += truth == guess
        tp.update(truth & guess)
        fp.update(guess - truth)
        fn.update(truth - guess)
    per_category = {c: (*_f1(tp[c], fp[c], fn[c]), tp[c] + fn[c]) for c in TAXONOMY.names}
    micro = _f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))[2]
    present = [c for c in TAXONOMY.names if tp[c] + fp[c] + fn[c]]
    macro = sum(per_category[c][2] for c in present) / len(present)
    return Scores(per_category, micro, macro, exact / len(rows), len(rows))


def deduplicated(rows: list[dict]) -> list[dict]:
    """The first row of each distinct text (各位代表: occurs 17 times)."""
    return list({row["text"]: row for row in reversed(rows)}.values())[::-1]


SUBSETS = {
    "all": ROWS,
    "dedup": deduplicated(ROWS),
    "dev": [r for r in FIRST if r["doc"] in DEV],
    "rest": [r for r in FIRST if r["doc"] not in DEV],
    "later": [r for r in ROWS if r.get("batch", 1) in (2, 3, 4, 5, 6)],
    "fresh": [r for r in ROWS if r.get("batch", 1) == 7],
    "independent": [r for r in ROWS if r.get("batch", 1) == 8],
    "unseen": [r for r in ROWS if r.get("batch", 1) == 9],
}


def classifier(text: str) -> tuple[str, ...]:
    return TAXONOMY.classify(text).categories


def table(results: dict[str, Scores]) -> str:
    """Per-category precision/recall/F1 of every subset, then micro and macro F1."""
    head = "category".ljust(8) + "".join(f" | {name:>14} P/R/F1 (n)" for name in results)
    lines = [head]
    for category in TAXONOMY.names:
        cells = "".join(
            " | {:.2f}/{:.2f}/{:.2f} ({:3d})    ".format(*s.per_category[category])
            for s in results.values()
        )
        lines.append(category.ljust(8, "\u3000") + cells)
    for name, s in results.items():
        lines.append(
            f"{name} ({s.size} paragraphs): micro-F1 {s.micro:.3f}, macro-F1 {s.macro:.3f},"
            f" whole set right {s.exact:.3f}"
        )
    return "\n".join(lines)


RESULTS = {name: score(rows, classifier) for name, rows in SUBSETS.items()}
# (micro-F1, macro-F1) the sixth revision reaches; the targets are 0.85 and 0.75. These are
# figures on seen text. When held out: "fresh" 0.732 / 0.634 (fifth revision), "independent" 0.814 /
# 0.805 (fifth revision); each later batch scored by the rules of its time, none seen, pools to
# 0.794 / 0.787 on 265 paragraphs (README, Categories).
FLOORS = {
    "all": (0.88, 0.88),
    "dedup": (0.88, 0.88),
    "dev": (0.93, 0.88),
    "rest": (0.87, 0.81),
    "later": (0.89, 0.88),
    "fresh": (0.75, 0.64),
    "independent": (0.88, 0.87),
    "unseen": (0.86, 0.85),
}


@pytest.mark.parametrize("subset", list(SUBSETS))
def test_classifier_reaches_its_floors(subset: str) -> None:
    if subset == "all":
        print("\n" + table(RESULTS))
    micro, macro = FLOORS[subset]
    assert RESULTS[subset].micro >= micro
    assert RESULTS[subset].macro >= macro

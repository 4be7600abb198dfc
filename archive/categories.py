"""Work categories from the editable taxonomy in data/categories.yaml, applied paragraph by paragraph."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Category:
    """A category, its keywords and its parent (sub-categories count for their parent too)."""

    name: str
    keywords: tuple[str, ...]
    parent: str | None = None
    ignore: tuple[str, ...] = ()  # phrases containing a keyword that do not mean the category

    def matches(self, paragraph: str) -> bool:
        for phrase in self.ignore:
            paragraph = paragraph.replace(phrase, "\0")
        return any(keyword in paragraph for keyword in self.keywords)


@cache
def taxonomy() -> tuple[Category, ...]:
    """The taxonomy shipped with the package, in file order (the order categories are listed in)."""
    data = yaml.safe_load(resources.files("archive").joinpath("data/categories.yaml").read_text())
    return tuple(
        Category(
            name,
            tuple(spec["keywords"]),
            spec.get("parent"),
            tuple(spec.get("ignore", ())),
        )
        for name, spec in data.items()
    )


def paragraph_categories(paragraph: str) -> set[str]:
    """The categories one paragraph is about, with the parents of its sub-categories."""
    found = set()
    for category in taxonomy():
        if category.matches(paragraph):
            found.add(category.name)
            if category.parent:
                found.add(category.parent)
    return found


def categorise(text: str) -> tuple[str, ...]:
    """A record's categories: the union over its paragraphs, in taxonomy order."""
    found = set()
    for paragraph in text.split("\n\n"):
        found |= paragraph_categories(paragraph)
    return tuple(c.name for c in taxonomy() if c.name in found)

"""Work categories of paragraphs from an editable YAML taxonomy of weighted evidence.

A paragraph scores each category by the weights of the terms it contains (a term may require
context words nearby in the same paragraph); framing paragraphs (session openings, who attended,
statistics overviews) score nothing. The best category at or above the threshold is the
paragraph's primary one; others that score high enough are secondary; sub-categories imply their
parent. `Decision.evidence` keeps the terms that decided, so `congress-archive categorise` can
show a user tuning the taxonomy why.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

TAXONOMY_FILE = "categories.yaml"
RULES = ("threshold", "secondary", "secondary_share", "overview", "overview_lead")
MAX_REPEATS = 3  # a term counts at most this often in one paragraph
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it
_REMOVED = "\0"  # stands in for text that must not match (ignored phrases, discounted passages)


class TaxonomyError(ValueError):
    """The taxonomy file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Term:
    """A word or phrase that is evidence for a category, counted only with one of `with_` present."""

    text: str
    weight: float
    with_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """A category, its evidence and its parent (sub-categories count for their parent too)."""

    name: str
    terms: tuple[Term, ...]
    parent: str | None = None
    ignore: tuple[str, ...] = ()  # phrases containing a term that do not mean the category

    @cached_property
    def _any_term(self) -> re.Pattern[str]:
        """Finds whether any of the terms is in a text (the ignored phrases only remove some)."""
        return re.compile("|".join(re.escape(term.text) for term in self.terms))

    def evidence(self, paragraph: str) -> tuple[tuple[str, float], ...]:
        """(term, weight x count) for each term found, after removing the ignored phrases."""
        if not self._any_term.search(paragraph):  # one scan; about half the paragraphs stop here
            return ()
        present = [term for term in self.terms if term.text in paragraph]
        for phrase in self.ignore:
            paragraph = paragraph.replace(phrase, _REMOVED)
        found = []
        rest = paragraph
        for term in present:  # longest first: 生态环境保护 counts once, not also as 环境保护
            if term.text not in rest:
                continue
            if not term.with_ or any(w in paragraph for w in term.with_):
                found.append((term.text, term.weight * min(rest.count(term.text), MAX_REPEATS)))
            rest = rest.replace(term.text, _REMOVED)
        return tuple(found)


@dataclass(frozen=True)
class Decision:
    """What one paragraph is about, and why."""

    primary: str | None
    secondary: tuple[str, ...]
    categories: tuple[str, ...]  # primary, secondary and their parents, in taxonomy order
    scores: Mapping[str, float]
    evidence: Mapping[str, tuple[tuple[str, float], ...]]
    framing: str | None = None  # the framing rule that matched, if any
    overview: bool = False  # several functions reach the threshold and none leads: a list


@dataclass(frozen=True)
class Taxonomy:
    """The categories and the rules that turn their evidence into decisions."""

    categories: tuple[Category, ...]
    threshold: float  # least score for a primary category
    secondary: float  # least score for a secondary category
    secondary_share: float  # ...and least share of the primary's score
    overview: int  # this many functions at the threshold (children count as their parent)...
    overview_lead: float  # ...and none this many times the next: a list, no category
    framing: tuple[re.Pattern[str], ...] = ()  # a paragraph matching one gets no category
    discount: tuple[re.Pattern[str], ...] = ()  # passages whose words are no evidence
    source: str = ""
    parents: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Category names in file order, the order categories are always listed in."""
        return tuple(c.name for c in self.categories)

    def classify(self, paragraph: str) -> Decision:
        """The primary and secondary categories of one paragraph, with the evidence for each."""
        text = paragraph.strip()
        for rule in self.framing:
            if rule.search(text):
                return Decision(None, (), (), {}, {}, framing=rule.pattern)
        for rule in self.discount:
            text = rule.sub(_REMOVED, text)
        evidence = {c.name: found for c in self.categories if (found := c.evidence(text))}
        scores = {name: sum(w for _, w in found) for name, found in evidence.items()}
        ranked = sorted(
            (n for n in scores if scores[n] >= self.threshold),
            key=lambda n: (-scores[n], self.names.index(n)),
        )
        if not ranked:
            return Decision(None, (), (), scores, evidence)
        if self._is_overview(ranked, scores):
            return Decision(None, (), (), scores, evidence, overview=True)
        primary = self._most_specific(ranked[0], ranked)
        floor = max(self.secondary, self.secondary_share * scores[primary])
        secondary = tuple(
            n
            for n in ranked
            if n != primary and n != self.parents.get(primary) and scores[n] >= floor
        )
        chosen = {primary, *secondary}
        chosen |= {self.parents[n] for n in chosen if n in self.parents}
        return Decision(
            primary,
            secondary,
            tuple(n for n in self.names if n in chosen),
            scores,
            {n: evidence[n] for n in self.names if n in chosen and n in evidence},
        )

    def _is_overview(self, ranked: list[str], scores: Mapping[str, float]) -> bool:
        """Many functions at the threshold and none dwelt on: a list such as a year's statistics."""
        functions: dict[str, float] = {}
        for name in ranked:
            top = self.parents.get(name, name)
            functions[top] = max(functions.get(top, 0.0), scores[name])
        if len(functions) < self.overview:
            return False
        first, second = sorted(functions.values(), reverse=True)[:2]
        return first < self.overview_lead * second

    def _most_specific(self, best: str, ranked: list[str]) -> str:
        """A parent wins only over several of its children: one child alone is more specific."""
        children = [n for n in ranked if self.parents.get(n) == best]
        return children[0] if len(children) == 1 else best

    def record_categories(self, text: str) -> tuple[str, ...]:
        """A record's categories: those that are some paragraph's primary, with their parents."""
        primaries = {self.classify(paragraph).primary for paragraph in paragraphs(text)}
        found = primaries | {self.parents[n] for n in primaries if n in self.parents}
        return tuple(n for n in self.names if n in found)


def explain(decision: Decision, threshold: float) -> list[str]:
    """Why a paragraph got its categories, one line each, for a user tuning the taxonomy."""
    if decision.framing:
        return [f"framing: matches {decision.framing}"]
    if not decision.primary:
        best = ", ".join(f"{n} {s:g}" for n, s in decision.scores.items()) or "no evidence"
        if decision.overview:
            return [f"overview: several functions reach {threshold:g} and none leads ({best})"]
        return [f"no category reaches {threshold:g} ({best})"]
    lines = []
    for name, found in decision.evidence.items():
        role = (
            "primary"
            if name == decision.primary
            else ("secondary" if name in decision.secondary else "parent")
        )
        terms = ", ".join(f"{term} {weight:g}" for term, weight in found)
        lines.append(f"{name} ({role}) {decision.scores[name]:g}: {terms}")
    return lines


def paragraphs(text: str) -> list[str]:
    """A record's paragraphs: its non-blank lines, as the exports' 段落序号 counts them."""
    return [line for line in text.split("\n") if line.strip()]


def _terms(name: str, spec: Any, source: str) -> tuple[Term, ...]:
    """A category's `terms`: {text: weight} or {text: {weight: w, with: [...]}}."""
    if not isinstance(spec, dict) or not spec:
        raise TaxonomyError(f"{source}: {name}: terms must be a mapping of term to weight")
    terms = []
    for text, value in spec.items():
        weight, context = (
            (value.get("weight"), value.get("with", [])) if isinstance(value, dict) else (value, [])
        )
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise TaxonomyError(f"{source}: {name}: weight of {text!r} must be a number")
        if not isinstance(context, list):
            raise TaxonomyError(f"{source}: {name}: `with` of {text!r} must be a list of words")
        terms.append(Term(str(text), float(weight), tuple(map(str, context))))
    return tuple(terms)


def _patterns(values: Iterable[Any], key: str, source: str) -> tuple[re.Pattern[str], ...]:
    """Compiled regular expressions, each error naming the file and the pattern."""
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(str(value)))
        except re.error as exc:
            raise TaxonomyError(f"{source}: {key}: bad pattern {value!r} ({exc})") from None
    return tuple(compiled)


def parse_taxonomy(text: str, source: str = "categories.yaml") -> Taxonomy:
    """A taxonomy from YAML text; TaxonomyError names the file and what is wrong."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise TaxonomyError(f"{source}: needs a `categories` mapping")
    categories = []
    for name, spec in data["categories"].items():
        if not isinstance(spec, dict):
            raise TaxonomyError(f"{source}: {name}: must be a mapping")
        ignore = spec.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
            raise TaxonomyError(f"{source}: {name}: ignore must be a list of phrases")
        terms = sorted(_terms(name, spec.get("terms"), source), key=lambda t: -len(t.text))
        categories.append(Category(str(name), tuple(terms), spec.get("parent"), tuple(ignore)))
    names = {c.name for c in categories}
    parents = {c.name: c.parent for c in categories if c.parent}
    for child, parent in parents.items():
        if parent not in names or parent in parents:
            raise TaxonomyError(f"{source}: {child}: parent {parent!r} is not a top category")
    try:
        rules = {key: float(data[key]) for key in RULES}
    except (KeyError, TypeError, ValueError):
        raise TaxonomyError(f"{source}: {', '.join(RULES)} must be numbers") from None
    return Taxonomy(
        tuple(categories),
        **rules | {"overview": int(rules["overview"])},
        framing=_patterns(data.get("framing", ()), "framing", source),
        discount=_patterns(data.get("discount", ()), "discount", source),
        source=source,
        parents=parents,
    )


def default_taxonomy_text() -> str:
    """The taxonomy shipped with the package."""
    return resources.files("archive").joinpath(f"data/{TAXONOMY_FILE}").read_text("utf-8")


def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, for callers without a data dir (tests, the evaluation)."""
    return parse_taxonomy(default_taxonomy_text(), f"archive/data/{TAXONOMY_FILE}")


def data_taxonomy(data_dir: str | Path) -> Taxonomy:
    """DATA_DIR/categories.yaml, the user's copy; the packaged default is copied there first."""
    path = Path(data_dir) / TAXONOMY_FILE
    try:
        if not path.exists():
            _install_default(path)
        stat = path.stat()
        return _parsed(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.__class__.__name__})") from None


@lru_cache(maxsize=8)
def _parsed(path: Path, mtime_ns: int, size: int) -> Taxonomy:
    """Parsed once per version of the file (a web server asks on every record page)."""
    return parse_taxonomy(path.read_text("utf-8"), str(path))


def _install_default(path: Path) -> None:
    """Copy the default into place atomically: a reader never sees half a file, nor a user's
    copy overwritten by a concurrent first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(default_taxonomy_text())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)

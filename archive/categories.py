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
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from archive.records import ParagraphCategories, text_digest

TAXONOMY_FILE = "categories.yaml"
RULES = ("threshold", "secondary", "secondary_share", "overview", "overview_lead")
# rules added later: a copy of the taxonomy without them keeps working, with them off
OPTIONAL_RULES = {"lead": 0, "list_functions": 0, "list_counts": 0}
MAX_REPEATS = 3  # a term counts at most this often in one paragraph
# Raise whenever a change of this module changes any decision: categories noted with another
# version's digest are made again (archive/store.py, `paragraph_categories`).
CLASSIFIER_VERSION = 1
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it
_REMOVED = "\0"  # stands in for text that must not match (ignored phrases, discounted passages)
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")
_LEAD_END = re.compile(r"[。！？!?：:]")
_ITEM = 12  # longest item of an enumeration
_BREAKS = "，。；、,;：:！？!?"  # what ends an item
_ENUMERATION = re.compile(f"[^{_BREAKS}]{{1,{_ITEM}}}(?:、[^{_BREAKS}]{{1,{_ITEM}}}){{2,}}")


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
    prefer: bool = False  # primary with `secondary_share` of the best score: a means (a platform)

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
    lists: tuple[str, ...] = ()  # passages that list several functions, no evidence


@dataclass(frozen=True)
class Taxonomy:
    """The categories and the rules that turn their evidence into decisions."""

    categories: tuple[Category, ...]
    threshold: float  # least score for a primary category
    secondary: float  # least score for a secondary category
    secondary_share: float  # ...and least share of the primary's score
    overview: int  # this many functions at the threshold (children count as their parent)...
    overview_lead: float  # ...and none this many times the next: a list, no category
    lead: int = 0  # an opening sentence of at most this many characters counts twice
    list_functions: int = 0  # a sentence with evidence of this many functions...
    list_counts: int = 0  # ...and this many counts ("8次") lists the year's work: no evidence
    count: re.Pattern[str] | None = None  # a count such as 8次, 17项, 447人次
    framing: tuple[re.Pattern[str], ...] = ()  # a paragraph matching one gets no category
    discount: tuple[re.Pattern[str], ...] = ()  # passages whose words are no evidence
    statistics: tuple[re.Pattern[str], ...] = ()  # counted clauses, no evidence if 2+ functions
    source: str = ""
    digest: str = ""  # of the classifier's version and the taxonomy's text: what categories came of
    parents: Mapping[str, str] = field(default_factory=dict)
    preferred: frozenset[str] = frozenset()  # the categories marked `prefer: true`

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
        text, lists = self._without_lists(text)
        text = self._without_statistics(text)
        for rule in self.discount:
            text = rule.sub(_REMOVED, text)
        evidence = {c.name: found for c in self.categories if (found := self._evidence(c, text))}
        scores = {name: sum(w for _, w in found) for name, found in evidence.items()}
        ranked = sorted(
            (n for n in scores if scores[n] >= self.threshold),
            key=lambda n: (-scores[n], self.names.index(n)),
        )
        if not ranked:
            return Decision(None, (), (), scores, evidence, lists=lists)
        if self._is_overview(ranked, scores):
            return Decision(None, (), (), scores, evidence, overview=True, lists=lists)
        primary = self._preferred(self._most_specific(ranked[0], ranked, scores), ranked, scores)
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
            lists=lists,
        )

    def _evidence(self, category: Category, text: str) -> tuple[tuple[str, float], ...]:
        """The category's evidence, the opening sentence's counted twice: a summary's paragraph
        names its subject first ("开展执法检查增强监督刚性。")."""
        found = category.evidence(text)
        end = _LEAD_END.search(text)
        lead = text[: end.end()] if end else text
        if len(lead) <= self.lead:
            again = found if lead == text else category.evidence(lead)
            found += tuple((f"lead:{term}", weight) for term, weight in again)
        return found

    def _without_lists(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The text without the passages that list several functions, and those passages:
        sentences counting their work ("召开会议8次，听取报告17项，任免74人次") and enumerations
        ("聚焦监督、代表、自身建设") name each function only in passing."""
        if not self.list_functions or self.count is None:
            return text, ()
        lists: list[str] = []

        def drop(passage: str) -> str:
            lists.append(passage)
            return _REMOVED

        kept = "".join(
            drop(sentence)
            if len(self.count.findall(sentence)) >= self.list_counts
            and self._lists_functions(sentence)
            else sentence
            for sentence in _SENTENCE.findall(text)
        )
        parts, last = [], 0
        for m in enumerations(kept):
            passage = m.group(0)
            parts += (
                kept[last : m.start()],
                drop(passage) if self._lists_functions(passage) else passage,
            )
            last = m.end()
        kept = "".join(parts) + kept[last:]
        return kept, tuple(lists)

    def _without_statistics(self, text: str) -> str:
        """The text without its statistics clauses when they count the work of two or more
        functions ("听取报告17项…任免74人次"); counts of one function's work are evidence for it
        ("提出代表建议37527件")."""
        clauses = [m.group(0) for rule in self.statistics for m in rule.finditer(text)]
        if not clauses or not self._lists_functions(_REMOVED.join(clauses), 2):
            return text
        for rule in self.statistics:
            text = rule.sub(_REMOVED, text)
        return text

    def _lists_functions(self, passage: str, least: int = 0) -> bool:
        """The passage has evidence of `least` (else `list_functions`) functions (children count
        as parents)."""
        functions: set[str] = set()
        for category in self.categories:
            function = self.parents.get(category.name, category.name)
            if function not in functions and category.evidence(passage):
                functions.add(function)
                if len(functions) >= (least or self.list_functions):
                    return True
        return False

    def _is_overview(self, ranked: list[str], scores: Mapping[str, float]) -> bool:
        """Many functions at the threshold and none dwelt on, or more functions still: a list
        such as a year's statistics, or a paragraph running through the year's work."""
        functions: dict[str, float] = {}
        for name in ranked:
            top = self.parents.get(name, name)
            functions[top] = max(functions.get(top, 0.0), scores[name])
        if len(functions) != self.overview:
            return len(functions) > self.overview
        first, second = sorted(functions.values(), reverse=True)[:2]
        return first < self.overview_lead * second

    def _most_specific(self, best: str, ranked: list[str], scores: Mapping[str, float]) -> str:
        """A parent wins over several of its children, and over one mentioned in passing: one
        child scoring `secondary_share` of the parent is more specific."""
        children = [n for n in ranked if self.parents.get(n) == best]
        if len(children) == 1 and scores[children[0]] >= self.secondary_share * scores[best]:
            return children[0]
        return best

    def _preferred(self, best: str, ranked: list[str], scores: Mapping[str, float]) -> str:
        """A preferred category with `secondary_share` of the best score is the subject: a
        paragraph describing a platform is about the platform, not the field it serves."""
        least = self.secondary_share * scores[best]
        return next((n for n in ranked if n in self.preferred and scores[n] >= least), best)

    def record_categories(self, text: str) -> tuple[str, ...]:
        """A record's categories: those that are some paragraph's primary, with their parents."""
        return self.categorised(text)[0]

    def categorised(self, text: str) -> tuple[tuple[str, ...], ParagraphCategories]:
        """A record's categories and each of its paragraphs' (one classification serves both)."""
        decisions = [self.classify(paragraph) for paragraph in paragraphs(text)]
        primaries = {d.primary for d in decisions}
        found = primaries | {self.parents[n] for n in primaries if n in self.parents}
        each = ParagraphCategories(
            self.digest, text_digest(text), tuple(d.categories for d in decisions)
        )
        return tuple(n for n in self.names if n in found), each


def explain(decision: Decision, threshold: float) -> list[str]:
    """Why a paragraph got its categories, one line each, for a user tuning the taxonomy."""
    if decision.framing:
        return [f"framing: matches {decision.framing}"]
    lines = [f"list, no evidence: {_shortened(passage)}" for passage in decision.lists]
    if not decision.primary:
        best = ", ".join(f"{n} {s:g}" for n, s in decision.scores.items()) or "no evidence"
        if decision.overview:
            return [
                *lines,
                f"overview: several functions reach {threshold:g} and none leads, or still more"
                f" reach it ({best})",
            ]
        return [*lines, f"no category reaches {threshold:g} ({best})"]
    for name, found in decision.evidence.items():
        role = (
            "primary"
            if name == decision.primary
            else ("secondary" if name in decision.secondary else "parent")
        )
        terms = ", ".join(f"{term} {weight:g}" for term, weight in found)
        lines.append(f"{name} ({role}) {decision.scores[name]:g}: {terms}")
    return lines


def _shortened(passage: str, limit: int = 30) -> str:
    """A listed passage as `categorise` shows it: its first characters."""
    return passage if len(passage) <= limit else passage[:limit] + "…"


def enumerations(text: str) -> Iterator[re.Match[str]]:
    """What `_ENUMERATION.finditer` finds, tried only where a match can start: an item opens a
    match only when it ends at a 、, so each 、 leaves one place to try (the start of the item
    before it), and a place that fails fails for every later start before that 、."""
    at = 0
    while (mark := text.find("、", at)) >= 0:
        start = mark
        while start > max(at, mark - _ITEM) and text[start - 1] not in _BREAKS:
            start -= 1
        found = _ENUMERATION.match(text, start) if start < mark else None
        if found:
            yield found
            at = found.end()
        else:
            at = mark + 1


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


def _patterns(
    values: Iterable[Any], key: str, source: str, count: str = ""
) -> tuple[re.Pattern[str], ...]:
    """Compiled regular expressions ({count} stands for the `count` pattern), each error naming
    the file and the pattern."""
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(str(value).replace("{count}", count)))
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
        prefer = spec.get("prefer", False)
        if not isinstance(prefer, bool):
            raise TaxonomyError(f"{source}: {name}: prefer must be true or false")
        terms = sorted(_terms(name, spec.get("terms"), source), key=lambda t: -len(t.text))
        categories.append(
            Category(str(name), tuple(terms), spec.get("parent"), tuple(ignore), prefer)
        )
    names = {c.name for c in categories}
    parents = {c.name: c.parent for c in categories if c.parent}
    for child, parent in parents.items():
        if parent not in names or parent in parents:
            raise TaxonomyError(f"{source}: {child}: parent {parent!r} is not a top category")
    try:
        rules = {key: float(data[key]) for key in RULES}
        optional = {key: int(data.get(key, off)) for key, off in OPTIONAL_RULES.items()}
    except (KeyError, TypeError, ValueError):
        raise TaxonomyError(f"{source}: {', '.join(RULES)} must be numbers") from None
    count = str(data.get("count", ""))
    return Taxonomy(
        tuple(categories),
        **rules | {"overview": int(rules["overview"])} | optional,
        count=_patterns([count], "count", source)[0] if count else None,
        framing=_patterns(data.get("framing", ()), "framing", source),
        discount=_patterns(data.get("discount", ()), "discount", source, count),
        statistics=_patterns(data.get("statistics", ()), "statistics", source, count),
        source=source,
        digest=hashlib.sha256(f"{CLASSIFIER_VERSION}\n{text}".encode()).hexdigest(),
        parents=parents,
        preferred=frozenset(c.name for c in categories if c.prefer),
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

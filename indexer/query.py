"""The query language: whitespace = AND, "phrases", OR, -term / NOT term, title:term."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import normalise
from indexer.models import QueryError

MAX_QUERY_CHARS = 500
MAX_TERMS = 20
FIELDS = ("title",)

_TOKEN = re.compile(r'\s*(?:(-?)([A-Za-z]+):)?(-?)(?:"([^"]*)("?)|([^\s"]+))')
_FIELD_ONLY = re.compile(r"(-?)([A-Za-z]+):$")


@dataclass(frozen=True)
class Term:
    """One term as typed, its matching form, and the field it is limited to (None = title or text)."""

    text: str
    norm: str
    field: str | None = None


@dataclass(frozen=True)
class Clause:
    """Alternatives joined by OR; a negated clause excludes records that match it."""

    terms: tuple[Term, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        """Terms whose matches a snippet marks."""
        return tuple(t for c in self.clauses if not c.negated for t in c.terms)


@dataclass(frozen=True)
class _Item:
    term: Term | None  # None for the operators
    op: str | None = None
    negated: bool = False


def _lex(q: str) -> list[_Item]:
    items: list[_Item] = []
    pos = 0
    while pos < len(q):
        if not q[pos:].strip():
            break
        m = _TOKEN.match(q, pos)
        if m is None:  # only a lone quote mark can get here
            raise QueryError('引号不成对：请检查查询中的 " (unbalanced quotes)')
        neg_field, field, neg, phrase, closing, bare = m.groups()
        pos = m.end()
        if phrase is not None and not closing:
            raise QueryError('引号不成对：请检查查询中的 " (unbalanced quotes)')
        negated = bool(neg_field or neg)
        if field is not None:
            field = field.lower()
            if field not in FIELDS:
                raise QueryError(f"未知字段 {field}:，可用字段：title: (unknown field)")
        text = phrase if phrase is not None else bare
        if field is None and phrase is None and text in ("OR", "NOT"):
            items.append(_Item(None, op=text))
            continue
        norm = normalise(text)
        if norm == "" and phrase is None and text != "-":
            continue  # only invisible format characters (zero-width space…): like white space
        if norm == "":
            raise QueryError('空的引号短语 "" (empty phrase)')
        if text == "-" and phrase is None:
            raise QueryError("“-” 后面需要一个词 (dangling '-')")
        items.append(_Item(Term(text, norm, field), negated=negated))
    return items


def parse(q: str) -> Query:
    """Parse query text; any malformed input raises QueryError with a one-line message."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：最多 {MAX_QUERY_CHARS} 个字符 (query too long)")
    items = _lex(q)
    clauses: list[Clause] = []
    pending_not = False
    join_or = False
    for item in items:
        if item.op == "OR":
            if not clauses or pending_not or join_or or clauses[-1].negated:
                raise QueryError("OR 两侧都需要词 (dangling OR)")
            join_or = True
            continue
        if item.op == "NOT":
            if pending_not or join_or:
                raise QueryError("NOT 后面需要一个词 (dangling NOT)")
            pending_not = True
            continue
        assert item.term is not None
        negated = item.negated or pending_not
        if join_or:
            if negated:
                raise QueryError("OR 不能连接排除的词 (OR with an excluded term)")
            clauses[-1] = Clause((*clauses[-1].terms, item.term))
        else:
            clauses.append(Clause((item.term,), negated))
        pending_not = join_or = False
    if join_or:
        raise QueryError("OR 两侧都需要词 (dangling OR)")
    if pending_not:
        raise QueryError("NOT 后面需要一个词 (dangling NOT)")
    if sum(len(c.terms) for c in clauses) > MAX_TERMS:
        raise QueryError(f"词太多：最多 {MAX_TERMS} 个 (too many terms)")
    return Query(tuple(clauses))

"""The query language: whitespace = AND, "phrases", OR, -term / NOT term, title:term, and groups
whose terms must share one paragraph or sentence: 同段(…) / para:(…), 同句(…) / sent:(…)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import normalise
from indexer.models import QueryError

MAX_QUERY_CHARS = 500
MAX_TERMS = 20
FIELDS = ("title",)
UNIT_NAMES = {"同段": "para", "para:": "para", "同句": "sent", "sent:": "sent"}  # as typed -> unit
CLOSE = ")）"

_GROUP = re.compile(r"\s*(-?)(同段|同句|para:|sent:)\s*[(（]", re.IGNORECASE)
_GROUP_TERM = re.compile(r'\s*(?:"([^"]*)("?)|([^\s"()（）]+))')
_NOT_A_TERM = re.compile(r"-|[A-Za-z]+:")  # an exclusion or a field inside a group
_GROUP_ONLY = "同段/同句的括号内只能写检索词或引号短语 (only terms inside para:/sent: groups)"

_TOKEN = re.compile(r'\s*(?:(-?)([A-Za-z]+):)?(-?)(?:"([^"]*)("?)|([^\s"]+))')
_FIELD_ONLY = re.compile(r"(-?)([A-Za-z]+):$")


@dataclass(frozen=True)
class Term:
    """One term as typed, its matching form, and the field it is limited to (None = title or text)."""

    text: str
    norm: str
    field: str | None = None


@dataclass(frozen=True)
class Group:
    """Terms that must all occur inside one paragraph (unit `para`) or one sentence (`sent`)."""

    unit: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Clause:
    """Alternatives joined by OR; a negated clause excludes records that match it."""

    terms: tuple[Term | Group, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        """Terms whose matches a snippet marks (a group's terms included)."""
        return tuple(t for c in self.clauses if not c.negated for t in _flat(c.terms))

    @property
    def groups(self) -> tuple[Group, ...]:
        """Every 同段/同句 group, excluded ones too."""
        return tuple(g for c in self.clauses for g in c.terms if isinstance(g, Group))


def _flat(items: tuple[Term | Group, ...]) -> tuple[Term, ...]:
    return tuple(t for i in items for t in (i.terms if isinstance(i, Group) else (i,)))


@dataclass(frozen=True)
class _Item:
    term: Term | Group | None  # None for the operators
    op: str | None = None
    negated: bool = False


def _group(q: str, pos: int, unit: str) -> tuple[Group, int]:
    """The terms of a group whose opening parenthesis ends at `pos`, and where the group ends."""
    terms: list[Term] = []
    while True:
        if not q[pos:].strip():
            raise QueryError("同段/同句缺少右括号 ) (unclosed para:/sent: group)")
        if _GROUP.match(q, pos):
            raise QueryError("同段/同句不能嵌套 (para:/sent: groups cannot be nested)")
        m = _GROUP_TERM.match(q, pos)
        if m is None:  # after white space: a closing or a stray opening parenthesis
            stripped = pos + len(q[pos:]) - len(q[pos:].lstrip())
            if q[stripped] not in CLOSE:
                raise QueryError(_GROUP_ONLY)
            if not terms:
                raise QueryError("同段/同句的括号内没有检索词 (empty para:/sent: group)")
            return Group(unit, tuple(terms)), stripped + 1
        phrase, closing, bare = m.groups()
        pos = m.end()
        if phrase is not None and not closing:
            raise QueryError('引号不成对：请检查查询中的 " (unbalanced quotes)')
        text = phrase if phrase is not None else bare
        if phrase is None and (text in ("OR", "NOT") or _NOT_A_TERM.match(text)):
            raise QueryError(_GROUP_ONLY)
        norm = normalise(text)
        if norm == "" and phrase is not None:
            raise QueryError('空的引号短语 "" (empty phrase)')
        if norm:  # only invisible format characters: like white space
            terms.append(Term(text, norm))


def _lex(q: str) -> list[_Item]:
    items: list[_Item] = []
    pos = 0
    while pos < len(q):
        if not q[pos:].strip():
            break
        opening = _GROUP.match(q, pos)
        if opening is not None:
            group, pos = _group(q, opening.end(), UNIT_NAMES[opening.group(2).lower()])
            items.append(_Item(group, negated=bool(opening.group(1))))
            continue
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
            if f"{field}:" in UNIT_NAMES:
                raise QueryError(
                    f"{field}: 后面需要括号，如 {field}:(词1 词2) ({field}: needs a group)"
                )
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
    if sum(len(_flat(c.terms)) for c in clauses) > MAX_TERMS:
        raise QueryError(f"词太多：最多 {MAX_TERMS} 个 (too many terms)")
    return Query(tuple(clauses))

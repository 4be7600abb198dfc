"""Split a document's text into district summaries and strip the debris of copied news articles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive import gazetteer

COMMITTEE = r"(?:人大常委会|人民代表大会常务委员会)"
_ANCHOR = re.compile(
    rf"^(?P<committee>[\u4e00-\u9fff]{{2,24}}?{COMMITTEE})(?:[:：—\s-]+(?P<title>.+))?$"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_BRACKET_HEADING = re.compile(r"^【(.{1,40})】$")
_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十]+）)\s*(.{1,40})$"
)
_ORIGINAL_TITLE = re.compile(r"^原标题[:：]\s*(.+)$")
_EDITORIAL_LINE = re.compile(
    r"^(?:责任编辑|编辑|责编|审核|审校|校对|来源|作者|初审|复审|终审)[:：].*$"
)
_CREDIT = re.compile(
    r"[（(]\s*(?:记者|通讯员|摄影|摄|图片|图|文)(?:[\s:：/／|]|(?=[\u4e00-\u9fff]{2,4}\s))[^（）()]{0,40}[）)]"
)
_DATE = re.compile(r"(?:19|20)\d\d(?:-\d\d?-\d\d?|年\d{1,2}月\d{1,2}日)")
HEAD_LINES = 8  # lines at the top that may hold an article's editorial lines
PREAMBLE_PROSE = 200  # more prose than this before the first committee line: not a compilation
_SENTENCE_END = "。！？；：，、,.!?;:"


@dataclass(frozen=True)
class Section:
    """One district summary cut from a document; `part` is its position in a compilation."""

    title: str
    body: str
    committee: str | None = None
    part: int | None = None


@dataclass(frozen=True)
class Split:
    """The summaries of one document and the compilation's own headings (context for metadata)."""

    sections: tuple[Section, ...]
    preamble: str = ""


def heading_text(line: str, *, keep_number: bool = True) -> str | None:
    """The text of a heading line (Markdown #, 【】 or a numbered 一、/（一） heading), else None."""
    for pattern in (_MD_HEADING, _BRACKET_HEADING, _NUMBERED_HEADING):
        match = pattern.match(line)
        if match and not match.group(1).endswith(tuple("。；")):
            text = line if pattern is _NUMBERED_HEADING and keep_number else match.group(1)
            return text.strip()
    return None


def anchor(line: str) -> tuple[str, str | None] | None:
    """(committee, title) when a line opens a district's summary: 鲅鱼圈区人大常委会, or a heading
    such as 一、盖州市人大常委会：履职担当践使命 that names the committee and the title together."""
    text = heading_text(line, keep_number=False) or line
    match = _ANCHOR.match(text)
    if not match:
        return None
    committee = match.group("committee")
    end = len(committee) - len(re.search(COMMITTEE + "$", committee).group(0))
    if gazetteer.name_before(committee, end) is None:
        return None  # 市人大常委会 alone names no place
    return committee, match.group("title")


def split_document(text: str, *, article: bool = False) -> Split:
    """One Section per district summary; a single summary (one district per file) gives one."""
    lines = [line.strip() for line in text.split("\n")]
    anchors = {i: found for i, line in enumerate(lines) if (found := anchor(line))}
    if anchors and _one_committee(anchors):
        first = min(anchors)
        if any(line and heading_text(line) is None for line in lines[:first]):
            anchors = {}  # under the document's own title: a law or report of that committee
        else:
            anchors = {first: anchors[first]}  # the others sign or repeat it
    if anchors and not _is_signature(lines, anchors):
        return _split_at_committees(lines, anchors, article=article)
    # No committee lines, one that closes the text (a signature), or one committee's own
    # document (a law or report under its title, signed by it): the file is one summary.
    return Split((_single(lines, article=article),), _dropped_date(lines))


def _one_committee(anchors: dict[int, tuple[str, str | None]]) -> bool:
    """Committee lines that all name one place, none with a title of its own (四川省人大常委会 …
    四川省人民代表大会常务委员会 over a date): one committee's document, not a compilation."""
    places = {
        gazetteer.name_before(c, len(c) - len(re.search(COMMITTEE + "$", c).group(0)))
        for c, _ in anchors.values()
    }
    return len(places) == 1 and all(title is None for _, title in anchors.values())


def _dropped_date(lines: list[str]) -> str:
    """The date on an editorial line that cleaning drops (来源:新疆日报 日期:2025-02-20): the
    item's dateline, kept as context for its year."""
    for line in lines[:HEAD_LINES]:
        if _EDITORIAL_LINE.match(line):
            date = _DATE.search(line)
            if date:
                return date.group(0)
    return ""


def _is_signature(lines: list[str], anchors: dict[int, tuple[str, str | None]]) -> bool:
    """Committee lines that sign a summary rather than open summaries: prose comes before the
    first (a compilation has only headings there), or a lone one has less text after it."""
    first = min(anchors)
    before = _prose(lines[:first])
    return before > PREAMBLE_PROSE or (len(anchors) == 1 and _prose(lines[first + 1 :]) < before)


def _prose(lines: list[str]) -> int:
    """Characters of non-heading text."""
    return sum(len(line) for line in lines if line and heading_text(line) is None)


def _split_at_committees(
    lines: list[str], anchors: dict[int, tuple[str, str | None]], *, article: bool
) -> Split:
    """A compilation: each committee line opens a summary, titled by the heading just above it."""
    starts = {}
    for at, (_, title) in anchors.items():
        above = at - 1
        while above >= 0 and not lines[above]:
            above -= 1
        has_title = title is None and above >= 0 and heading_text(lines[above]) is not None
        starts[at] = above if has_title else at
    order = sorted(anchors)
    sections = []
    for k, at in enumerate(order):
        end = starts[order[k + 1]] if k + 1 < len(order) else len(lines)
        committee, title = anchors[at]
        if title is None:
            title = heading_text(lines[starts[at]], keep_number=False) if starts[at] != at else None
        part = k + 1 if len(order) > 1 else None
        body = clean_body(lines[at + 1 : end], article=article)
        sections.append(Section(title or committee, body, committee, part))
    preamble = "\n".join(heading_text(line) or line for line in lines[: starts[order[0]]] if line)
    return Split(tuple(sections), preamble)


def _single(lines: list[str], *, article: bool) -> Section:
    """A whole file is one summary: its title is the 原标题, the first heading or the first line."""
    title = None
    rest = list(lines)
    for i, line in enumerate(rest):
        if not line:
            continue
        original = _ORIGINAL_TITLE.match(line)
        if original:
            title, article = original.group(1).strip(), True
            del rest[i]
        elif heading_text(line) or (len(line) <= 40 and not line.endswith(tuple(_SENTENCE_END))):
            title = heading_text(line) or line
            del rest[i]
        break
    article = article or any(_EDITORIAL_LINE.match(line) for line in rest)
    return Section(title or "", clean_body(rest, article=article))


def clean_body(lines: list[str], *, article: bool) -> str:
    """Markdown paragraphs with headings kept; for copied articles, captions and credits go."""
    paragraphs = []
    for raw in lines:
        line = (_CREDIT.sub("", raw) if article else raw).strip()
        if not line or _EDITORIAL_LINE.match(line) or _ORIGINAL_TITLE.match(line):
            continue
        heading = heading_text(line)
        if heading is None and article and _is_article_heading(line):
            heading = line  # an article's section heading, kept as a heading
        if heading is not None:
            under_heading = bool(paragraphs) and paragraphs[-1].startswith("## ")
            paragraphs.append(f"{'###' if under_heading else '##'} {heading}")
        elif not (article and _is_caption(line)):
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _is_article_heading(line: str) -> bool:
    """A short line without closing punctuation; a subtitle (—— …) stays a paragraph."""
    return len(line) <= 30 and not line.endswith(tuple(_SENTENCE_END)) and not line.startswith("—")


def _is_caption(line: str) -> bool:
    """A photo caption in a news article: one short sentence with no clause breaks."""
    return len(line) <= 40 and line.endswith("。") and not any(c in line for c in "，；：,;")

"""Turning record text into safe HTML: escaped snippets with marks, sanitised Markdown with highlights."""

from __future__ import annotations

import re
from collections.abc import Iterable

import markdown
import nh3
from markupsafe import Markup, escape

# Private-use characters mark highlight boundaries through Markdown rendering and sanitising.
OPEN, CLOSE = "\ue000", "\ue001"
PIECES = re.compile(f"(<[^>]*>|{OPEN}|{CLOSE})")
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
    "strong", "em", "b", "i", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Sorted, clipped, non-overlapping spans, so marks never nest or run past the text."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """Escape the text and wrap only the given spans in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in merge_spans(spans, len(text)):
        out += [
            escape(text[pos:start]),
            Markup("<mark>"),
            escape(text[start:end]),
            Markup("</mark>"),
        ]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def render_markdown(text: str, spans: Iterable[tuple[int, int]] = ()) -> Markup:
    """Markdown -> sanitised HTML (no scripts, no javascript: links), with the spans in <mark>."""
    source = text.replace(OPEN, "\ufffd").replace(CLOSE, "\ufffd")
    for start, end in reversed(merge_spans(spans, len(source))):
        source = source[:start] + OPEN + source[start:end] + CLOSE + source[end:]
    html = markdown.markdown(source, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(_place_marks(clean))


def _place_marks(html: str) -> str:
    """Wrap every text run between the boundary characters in <mark>, so marks never cross tags."""
    out: list[str] = []
    inside = False
    for part in PIECES.split(html):
        if part in (OPEN, CLOSE):
            inside = part == OPEN
        elif part.startswith("<"):
            for char in part:  # a span boundary inside a link's address moves to the next text
                if char in (OPEN, CLOSE):
                    inside = char == OPEN
            out.append(part.replace(OPEN, "").replace(CLOSE, ""))
        elif inside and part.strip():
            out.append(f"<mark>{part}</mark>")
        else:
            out.append(part)
    return "".join(out)

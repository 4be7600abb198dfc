"""Where a query matched in an original text: marked spans, keyword-in-context snippets, paragraphs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from indexer.analysis import fold
from indexer.models import Snippet

SNIPPET_CHARS = 80
MAX_SNIPPETS = 3

Span = tuple[int, int]


def find_spans(text: str, needles: Iterable[str]) -> list[Span]:
    """Every occurrence of each normalised needle in `text`, as sorted, merged original spans."""
    folded = fold(text)
    found: list[Span] = []
    for needle in set(needles):
        if not needle:
            continue
        at = folded.text.find(needle)
        while at >= 0:
            found.append(folded.to_original(at, at + len(needle)))
            at = folded.text.find(needle, at + 1)
    return merge(found)


def merge(spans: list[Span]) -> list[Span]:
    """Union of overlapping spans; touching ones stay apart (they are separate matches)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clip(spans: list[Span], start: int, end: int) -> tuple[Span, ...]:
    return tuple(
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    )


def _flat(text: str) -> str:
    """Line breaks shown as spaces; same length, so marks stay valid."""
    return text.replace("\r", " ").replace("\n", " ")


def snippets(text: str, spans: list[Span], within: Sequence[Span] = ()) -> tuple[Snippet, ...]:
    """Up to three ~80-character windows around the matches, each marking the matches it holds;
    with `within` (paragraphs), a window stays inside the one holding its first match."""
    if not spans:
        return (Snippet(_flat(text[:SNIPPET_CHARS])),) if text else ()
    windows: list[Snippet] = []
    covered = -1
    for s, e in spans:
        if s < covered:
            continue
        low, high = next(((a, b) for a, b in within if a <= s < b), (0, len(text)))
        pad = max(0, (SNIPPET_CHARS - (e - s)) // 2)
        start = max(low, min(s - pad, high - SNIPPET_CHARS))
        end = max(min(high, start + SNIPPET_CHARS), e)
        windows.append(Snippet(_flat(text[start:end]), _clip(spans, start, end)))
        covered = end
        if len(windows) == MAX_SNIPPETS:
            break
    return tuple(windows)


def paragraphs(text: str) -> Iterator[tuple[int, int, int]]:
    """(paragraph number, start, end) of each non-blank line of a text."""
    number = 0
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield number, start, end
            number += 1
        start = end + 1


def paragraph_snippets(text: str, spans: list[Span]) -> Iterator[tuple[int, Snippet]]:
    """Every paragraph holding a match (every paragraph when nothing is marked, i.e. browsing)."""
    for number, start, end in paragraphs(text):
        marks = _clip(spans, start, end)
        if marks or not spans:
            yield number, Snippet(text[start:end], marks)

"""Text analysis shared by indexing and querying: one normalisation, one jieba set-up per process."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jieba
import opencc
import rjieba

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"
HMM = False  # fixed: dictionary-only segmentation is deterministic and twice as fast as HMM

_T2S = opencc.OpenCC("t2s")


FOLD_CACHE_SIZE = 1 << 16  # folded code points kept: 3 times the CJK Unified Ideographs block
# (20,992), so real text never empties it; about 10 MB when full (measured with tracemalloc)


class _FoldTable(dict):
    """str.translate table that folds each character once (NFKC, traditional->simplified, casefold);
    invisible format characters (zero-width space, BOM, soft hyphen, bidi marks: category Cf),
    which text pasted from the web is full of, are dropped so they never split a phrase.

    Bounded: when FOLD_CACHE_SIZE code points are kept it starts afresh, so queries of rare
    characters cannot grow it without end (the characters in use come back at once)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if unicodedata.category(char) == "Cf":
            folded = ""
        else:
            folded = _T2S.convert(unicodedata.normalize("NFKC", char)).casefold()
        if len(folded) != 1:
            _UNEVEN.add(char)  # bounded too: Unicode's characters that change length
        if len(self) >= FOLD_CACHE_SIZE:
            self.clear()
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_UNEVEN: set[str] = set()  # characters folding to more or fewer than one: offsets shift


@dataclass(frozen=True)
class Folded:
    """A normalised text and, when lengths differ, where each of its characters came from."""

    text: str
    origin: tuple[int, ...] | None  # origin[i] = index in the original of normalised char i

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> str:
    """The matching form of a text: per character NFKC, traditional->simplified, case folded."""
    return text.translate(_FOLD)


def fold(text: str) -> Folded:
    """Normalise and keep the offset map needed to mark matches in the original text."""
    norm = text.translate(_FOLD)  # folds every new character first, so _UNEVEN knows them
    if _UNEVEN.isdisjoint(text):
        return Folded(norm, None)
    origin: list[int] = []
    for i, c in enumerate(text):
        origin.extend([i] * len(_FOLD[ord(c)]))
    return Folded(norm, tuple(origin))


# jieba's add_word counts a re-weighted word's old frequency in the total as well; jieba-rs
# replaces it. An entry segmentation can never reach (jieba looks words up only inside runs of
# hanzi, letters and digits) carries the difference, so both totals and so every route are equal.
_TOTAL_CARRIER = "\n"

_SEGMENTER: rjieba.Jieba | None = None
_SEGMENTER_LOCK = threading.Lock()


def reference_tokenizer() -> jieba.Tokenizer:
    """jieba's own tokenizer with the congress user dictionary: the segmentation we reproduce."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    with open(USER_DICT, "rb") as userdict:  # a path would leave jieba's file open
        tokenizer.load_userdict(userdict)
    return tokenizer


def segmenter() -> rjieba.Jieba:
    """The process's one segmenter: jieba-rs loaded with exactly jieba's dictionary and total.

    jieba-rs runs jieba's algorithm (blocks, DAG, max-probability route; HMM off) in Rust, about
    20 times faster; tests/test_analysis.py proves its output equals jieba.lcut(text, HMM=False).
    """
    global _SEGMENTER
    with _SEGMENTER_LOCK:
        if _SEGMENTER is None:
            reference = reference_tokenizer()
            fast = rjieba.Jieba.empty()
            total = 0
            for word, freq in reference.FREQ.items():
                if freq:  # zero marks a prefix of a word, not a word
                    fast.add_word(word, freq, None)
                    total += freq
            fast.add_word(_TOTAL_CARRIER, reference.total - total, None)
            _SEGMENTER = fast
        return _SEGMENTER


_WORDLIKE = re.compile(r"[^\W_]")  # exactly str.isalnum() for one character


def is_word(token: str) -> bool:
    """Words carry letters or digits; whitespace and punctuation are not indexed as words."""
    return _WORDLIKE.search(token) is not None


def cut(norm: str) -> list[str]:
    """jieba's segmentation of a normalised text (dictionary only, HMM off), every token."""
    return segmenter().cut(norm, HMM)


def word_counts(norm: str) -> Counter[str]:
    """How often each jieba word occurs in a normalised text: what a word field holds."""
    counts = Counter(cut(norm))
    for token in [t for t in counts if not t.isalnum() and not is_word(t)]:  # all-alnum: a word
        del counts[token]
    return counts


def words(norm: str) -> Iterator[tuple[str, int, int]]:
    """jieba words of a normalised text with their [start, end) offsets in it."""
    for word, start, end in segmenter().tokenize(norm, "default", HMM):
        if is_word(word):
            yield word, start, end

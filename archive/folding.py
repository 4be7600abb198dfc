"""The matching form of a text for metadata: one script, one width, no invisible characters.

Documents arrive in traditional script, full width, with zero-width characters and, from mirror
sites, pinyin after some characters (區(qū)); places and years are matched on this folded form,
while the record keeps the text as it was.
"""

from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")


class _FoldTable(dict):
    """str.translate table folding each character once: NFKC, traditional->simplified; invisible
    format characters (category Cf: zero-width space, BOM, soft hyphen) are dropped."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = ""
        if unicodedata.category(char) != "Cf":
            folded = _T2S.convert(unicodedata.normalize("NFKC", char))
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Mirror sites print a character's pinyin after it: 區(qū), 會(huì); spaces break words: 常 务委员会.
_PINYIN = re.compile(rf"\((?=[a-zü]*[{_TONE_MARKS}])[a-zü{_TONE_MARKS}]{{1,7}}\)")
_GAP = re.compile(r"(?<=[\u3007\u4e00-\u9fff])[ \t]+(?=[\u3007\u4e00-\u9fff])")


def fold(text: str) -> str:
    """Simplified, half-width text without invisible characters, pinyin glosses or spaces
    between Chinese characters; line breaks are kept (they separate titles and headings)."""
    return _GAP.sub("", _PINYIN.sub("", text.translate(_FOLD)))

"""The fast segmenter (jieba-rs) must cut every text exactly as jieba itself does (HMM off)."""

from __future__ import annotations

import functools
import random
from collections import Counter
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import Archive
from indexer import analysis
from indexer.analysis import (
    cut,
    fold,
    is_word,
    normalise,
    reference_tokenizer,
    word_counts,
    words,
)


@functools.cache
def reference() -> jieba.Tokenizer:
    return reference_tokenizer()


def jieba_cut(text: str) -> list[str]:
    return reference().lcut(text, HMM=False)


@functools.cache
def dictionary_words() -> tuple[str, ...]:
    return tuple(sorted(w for w, f in reference().FREQ.items() if f))


# What jieba treats specially: hanzi inside and just outside its block range (U+4E00-U+9FD5),
# the letters, digits and +#&._%- it keeps in a block, whitespace runs (\r\n), punctuation,
# full-width forms, astral hanzi and emoji; plus congress words from the user dictionary.
ALPHABET = (
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    | st.sampled_from(list("aZ09+#&._%-@!?,;:'\"()[] \t\n\r\u3000，。、；：“”（）《》—…·０Ａ"))
    | st.sampled_from(["\r\n", "𠀀", "😀", "é", "Ⅻ", "\u9fd5", "\u9fd6", "〇", "\u200b"])
    | st.sampled_from(["人大常委会", "代表联络站", "代表之家", "执法检查", "人大代表", "监督"])
    # Any other character but a lone surrogate, which no stored text or accepted query can hold
    # (readers decode strictly; indexer.params refuses it in one line).
    | st.characters(exclude_categories=("Cs",))
)
mixed_text = st.lists(ALPHABET, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(mixed_text)
def test_cut_equals_jieba_on_any_text(text: str) -> None:
    assert cut(text) == jieba_cut(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_cut_equals_jieba_on_runs_of_dictionary_words(picks: list[int]) -> None:
    """Adjacent dictionary words are where the route's probabilities compete."""
    vocabulary = dictionary_words()
    text = "".join(vocabulary[i % len(vocabulary)] for i in picks)
    assert cut(text) == jieba_cut(text)


def test_cut_equals_jieba_on_the_seed_texts(seeded_data_dir: Path) -> None:
    texts = [r.text for r in Archive(seeded_data_dir)]
    assert texts
    for text in texts:
        for variant in (text, normalise(text)):
            assert cut(variant) == jieba_cut(variant)


def test_cut_equals_jieba_on_many_sampled_word_runs() -> None:
    """A larger fixed sample than hypothesis draws: 20,000 runs of 1-6 dictionary words."""
    vocabulary = dictionary_words()
    rng = random.Random(20250101)
    for _ in range(20_000):
        text = "".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 6)))
        assert cut(text) == jieba_cut(text), text


def test_user_dictionary_words_stay_whole() -> None:
    assert cut("人大代表联络站开展执法检查") == ["人大", "代表联络站", "开展", "执法检查"]
    assert cut("全过程人民民主基层立法联系点") == ["全过程人民民主", "基层立法联系点"]


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_words_are_jiebas_word_tokens_with_their_offsets(text: str) -> None:
    expected = [t for t in reference().tokenize(text, HMM=False) if is_word(t[0])]
    got = list(words(text))
    assert got == expected
    assert all(text[start:end] == word for word, start, end in got)


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_word_counts_count_jiebas_word_tokens(text: str) -> None:
    expected = Counter(t for t in reference().lcut(text, HMM=False) if is_word(t))
    assert word_counts(text) == expected


def test_word_counts_keep_words_of_letters_and_signs() -> None:
    assert word_counts("学习c++语言，c++。") == Counter({"c++": 2, "学习": 1, "语言": 1})


@given(st.text(max_size=8))
def test_is_word_means_a_letter_or_digit(token: str) -> None:
    assert is_word(token) == any(c.isalnum() for c in token)


@pytest.mark.parametrize(
    ("token", "expected"),
    [("人大", True), ("2025", True), ("Ⅻ", True), ("_", False), ("，", False), (" ", False)],
)
def test_is_word_examples(token: str, expected: bool) -> None:
    assert is_word(token) is expected


UNEVEN = st.sampled_from(["㍿", "ﬁ", "İ", "ß", "①", "\u00ad", "Ａ", "數", "a", "人"])


@given(st.lists(UNEVEN | st.characters(), max_size=20).map("".join))
def test_fold_maps_every_normalised_character_back_to_its_origin(text: str) -> None:
    folded = fold(text)
    assert folded.text == normalise(text)
    for j, char in enumerate(folded.text):
        start, end = folded.to_original(j, j + 1)
        assert end - start == 1
        assert char in normalise(text[start:end])


def test_fold_of_characters_that_grow() -> None:
    folded = fold("㍿数字ﬁ")
    assert folded.text == "株式会社数字fi"
    origins = [folded.to_original(j, j + 1)[0] for j in range(len(folded.text))]
    assert origins == [0, 0, 0, 0, 1, 2, 3, 3]
    assert fold("數字平臺").origin is None


def test_the_fold_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folding many distinct rare characters keeps at most FOLD_CACHE_SIZE of them, and the
    results do not change when the cache starts afresh."""
    rare = "".join(map(chr, range(0x20000, 0x20000 + 3000))) + "ＡＢＣ數字\u200bﬁ"
    chunks = [rare[start : start + 100] for start in range(0, len(rare), 100)]
    expected = [fold(chunk) for chunk in chunks]  # with an unbounded cache
    assert expected[-1].text.endswith("abc数字fi") and expected[-1].origin is not None
    monkeypatch.setattr(analysis, "FOLD_CACHE_SIZE", 500)
    analysis._FOLD.clear()
    for chunk, folded in zip(chunks, expected, strict=True):
        assert fold(chunk) == folded
        assert len(analysis._FOLD) <= 500

"""The direct front matter writer: libyaml's bytes for any values, and the usual ones direct."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive import frontmatter
from archive.store import STORED_KEYS

# Characters where YAML's rules turn: indicators, spaces, breaks, quotes, controls, a BOM,
# surrogate-free astral characters, full-width forms; and the hanzi and digits of real values.
TRICKY = "#,[]{}&*!|>'\"%@`?:-. \t\n\r\x85\xa0\u2028\u2029\ufeff\ufffe\x00\x7f~=<\\/_+eE0x"
ALPHABET = st.sampled_from(TRICKY) | st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)
texts = (
    st.text(ALPHABET, max_size=12)
    | st.text(max_size=8)
    | st.sampled_from(["null", "true", "No", "~", "2025", "2025-01-02", "1_000", ".inf", "0x1F"])
    | st.sampled_from(["<<", "=", "---", "...", "a: b", "a #b", "a:", "- a", "安州区 老边区"])
)
values = st.none() | st.integers(-(10**20), 10**20) | texts | st.lists(texts, max_size=3)


def libyaml(meta: dict) -> str:
    return yaml.dump(
        meta, Dumper=frontmatter._Dumper, allow_unicode=True, sort_keys=False, width=1000
    )


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.sampled_from(STORED_KEYS), values, max_size=6))
@example({"title": "x" * 600 + " y"})
def test_the_writer_gives_libyamls_bytes_and_reads_back(meta):
    written = frontmatter.dump(meta)
    assert written == libyaml(meta)
    assert yaml.safe_load(written) == meta


def test_a_record_of_usual_values_is_written_directly():
    """The fast path is taken (the property test above alone would pass if it never were)."""
    usual = [
        "0009f209cdab",
        "创新监督方式 提升履职质效",
        "安州区4人大常委会",
        "/tmp/ing2/c20k/corpus.jsonl",
        "seeds/003_f064755b27ea1fff.txt",
        "e4b203b173085be6a344dd7995f6cc5a60214739f4dc4284cd63e1323ff51ad2",
        "https://example.org/news/2025-01-02.html",
        "关于《德州市城市绿化条例》的报告（2024年）",
    ]
    assert [frontmatter.plain(v) for v in usual] == [True] * len(usual)
    quoted = ["2025", "", " 前导空格", "a: b", "#标签", "null", "甲\n乙", "𠀀"]
    assert [frontmatter.plain(v) for v in quoted] == [False] * len(quoted)


def _read(front: str) -> object:
    """What YAML makes of a front matter, or the error's class."""
    try:
        return yaml.load(front, Loader=frontmatter._Loader)
    except yaml.YAMLError as exc:
        return exc.__class__


def _loaded(front: str) -> object:
    try:
        return frontmatter.load(front)
    except yaml.YAMLError as exc:
        return exc.__class__


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.sampled_from(STORED_KEYS), values, max_size=6))
def test_the_reader_reads_what_the_writer_wrote_as_yaml_does(meta):
    front = frontmatter.dump(meta)[:-1]  # a record file's front matter ends before `---`
    assert repr(frontmatter.load(front)) == repr(meta) == repr(_read(front))  # types too


lines = st.builds(
    "{}{}{}".format,
    st.sampled_from(STORED_KEYS) | texts,
    st.sampled_from([": ", ":", " : ", ": - ", "", "- "]),
    texts | st.sampled_from(["[]", "null", "Null", "-1", "05", "+5", "1.5", "[a]"]),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(lines, max_size=6).map("\n".join))
def test_the_reader_reads_any_text_as_yaml_does(front):
    assert repr(_loaded(front)) == repr(_read(front))  # types too: 1 == 1.0 == True


def test_a_record_of_usual_values_is_read_directly():
    """The direct reader is taken (the property tests above alone would pass if it never were)."""
    front = "id: 0009f209cdab\ntitle: 老边区人大常委会2025年工作总结\nyear: 2025\ncity: null\n"
    front += "categories:\n- 监督\n- 代表工作\ncorrected: []"
    assert frontmatter._plain_mapping(front) == {
        "id": "0009f209cdab",
        "title": "老边区人大常委会2025年工作总结",
        "year": 2025,
        "city": None,
        "categories": ["监督", "代表工作"],
        "corrected": [],
    }

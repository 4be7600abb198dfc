"""Snippets and record bodies: the text is escaped, only matches are marked, Markdown is sanitised."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from webui.render import marked, merge_spans, render_markdown


class Parsed(HTMLParser):
    """Text, marked text and every tag with its attributes, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.marks: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self.depth += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.depth:
            self.marks[-1] += data


def test_snippet_text_is_escaped_and_only_the_match_is_marked() -> None:
    html = marked('<script>alert("x")</script>代表联络站', [(27, 32)])
    assert html == ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<mark>代表联络站</mark>")
    assert Parsed(html).marks == ["代表联络站"]


def test_overlapping_and_out_of_range_spans_are_merged_and_clipped() -> None:
    assert merge_spans([(5, 9), (0, 2), (1, 3), (8, 40), (7, 7)], 10) == [(0, 3), (5, 10)]


texts = st.text(alphabet=st.sampled_from("代表联络站<>&\"' ab\n"), max_size=40)


@given(texts, st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=5))
def test_marked_keeps_the_text_and_marks_exactly_the_merged_spans(
    text: str, spans: list[tuple[int, int]]
) -> None:
    parsed = Parsed(marked(text, spans))
    assert "".join(parsed.text) == text
    assert parsed.marks == [text[a:b] for a, b in merge_spans(spans, len(text))]
    assert {tag for tag, _ in parsed.tags} <= {"mark"}


def test_markdown_keeps_headings_and_paragraphs() -> None:
    parsed = Parsed(render_markdown("## 依法监督\n\n第一段。\n\n第二段。"))
    assert [tag for tag, _ in parsed.tags] == ["h2", "p", "p"]


def test_hostile_markdown_renders_harmless() -> None:
    source = (
        "正文<script>alert(1)</script>\n\n"
        '[点我](javascript:alert(1)) <a href="javascript:alert(2)">链接</a>\n\n'
        '<img src=x onerror="alert(3)"><iframe src="https://evil.example"></iframe>'
        '<p onclick="alert(4)" style="x">段落</p>'
    )
    parsed = Parsed(render_markdown(source))
    assert "alert" not in "".join(parsed.text)
    tags = [tag for tag, _ in parsed.tags]
    assert not {"script", "img", "iframe", "style"} & set(tags)
    for tag, attrs in parsed.tags:
        assert set(attrs) <= {"href", "title", "rel"}, (tag, attrs)
        assert not (attrs.get("href") or "").startswith("javascript")


def test_highlights_in_markdown_never_cross_a_tag() -> None:
    text = "## 代表工作\n\n代表联络站建设\n\n- 代表\n- 联络站"
    start, end = text.index("代表联络站"), text.index("联络站", text.index("- 代表")) + 3
    html = render_markdown(text, [(3, 5), (start, start + 5), (text.index("- 代表") + 2, end)])
    parsed = Parsed(html)
    assert parsed.marks == ["代表", "代表联络站", "代表", "联络站"]
    assert "<li><mark>代表</mark></li>" in html  # closed and reopened around the list items


def test_boundary_characters_already_in_a_record_do_not_make_marks() -> None:
    parsed = Parsed(render_markdown("文本\ue000中\ue001间"))
    assert parsed.marks == []
    assert "".join(parsed.text) == "文本\ufffd中\ufffd间"

"""Splitting documents into one record per district summary, and cleaning copied articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.split import split_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
COMPILATION = (SEEDS / "000_28b25648c5712bde.txt").read_text(encoding="utf-8")
ARTICLE = (SEEDS / "003_f064755b27ea1fff.txt").read_text(encoding="utf-8")


def test_compilation_gives_six_summaries_titled_by_the_heading_above_each_committee():
    split = split_document(COMPILATION)
    assert [(s.part, s.committee, s.title) for s in split.sections] == [
        (1, "鲅鱼圈区人大常委会", "履职聚焦民生 法治护航发展"),
        (2, "盖州市人大常委会", "履职担当践使命 服务民生促发展"),
        (3, "大石桥市人大常委会", "踔厉奋发担使命 履职尽责谱新篇"),
        (4, "老边区人大常委会", "创新监督方式 提升履职质效"),
        (5, "站前区人大常委会", "强化思想引领 反映百姓心声"),
        (6, "西市区人大常委会", "拓宽民主渠道 增强监督实效"),
    ]


def test_compilation_headings_are_its_preamble_not_records():
    split = split_document(COMPILATION)
    assert split.preamble == "依法监督 履职为民\n各县（市）区人大2025年工作亮点"
    first = split.sections[0].body
    assert first.startswith("今年以来，在市人大常委会的有力指导")
    assert first.endswith("向全社会讲好鲅鱼圈人大故事。")
    assert "履职担当践使命" not in first  # the next summary's title is not this body's tail


def test_article_is_one_summary_without_editorial_debris():
    (section,) = split_document(ARTICLE).sections
    assert section.title == "履职担当促发展 砥砺奋进谱新篇"
    assert section.part is None
    body = section.body
    for debris in (
        "原标题",
        "河清镇人大组织代表视察河清菜市场改建项目实施情况。",
        "“县级领导进家站听民声”活动。",
        "黄土镇人大代表直播带货活动。",
        "记者 安峥",
        "供图",
        "编辑:郭成",
    ):
        assert debris not in body
    assert body.startswith("—— 安州区人大常委会2025年工作亮点综述\n\n岁序更替,华章日新。")
    assert "## 把稳方向之舵\n\n### 在忠诚履职中彰显政治担当\n\n常委会始终" in body
    assert body.endswith("为加快建设全省经济生态强区和社会主义现代化安州作出新的更大贡献!")


def test_numbered_headings_that_name_committees_split_and_inner_headings_stay():
    text = (
        "2025年工作总结\n"
        "一、鲅鱼圈区人大常委会：履职聚焦民生\n今年以来开展监督。\n（一）强化监督\n加强执法检查。\n"
        "二、盖州市人大常委会：履职担当践使命\n依法任免。"
    )
    split = split_document(text)
    assert split.preamble == "2025年工作总结"
    assert [(s.committee, s.title, s.body) for s in split.sections] == [
        (
            "鲅鱼圈区人大常委会",
            "履职聚焦民生",
            "今年以来开展监督。\n\n## （一）强化监督\n\n加强执法检查。",
        ),
        ("盖州市人大常委会", "履职担当践使命", "依法任免。"),
    ]


def test_bracket_headings_naming_committees_split():
    text = "【鲅鱼圈区人大常委会】\n今年以来开展监督。\n【盖州市人大常委会】\n依法任免。"
    assert [(s.part, s.committee, s.body) for s in split_document(text).sections] == [
        (1, "鲅鱼圈区人大常委会", "今年以来开展监督。"),
        (2, "盖州市人大常委会", "依法任免。"),
    ]


@pytest.mark.parametrize("sentences", [1, 4, 5, 20])
def test_one_district_per_file_with_a_signature_is_one_summary(sentences):
    prose = (
        "2025年，鲅鱼圈区人大常委会依法履职，开展执法检查和专题询问，推动民生实事落实。" * sentences
    )
    text = f"# 鲅鱼圈区人大常委会2025年工作总结\n\n{prose}\n\n鲅鱼圈区人大常委会\n2025年12月30日"
    split = split_document(text)
    (section,) = split.sections
    assert section.title == "鲅鱼圈区人大常委会2025年工作总结"
    assert section.body.startswith(prose)
    assert split.preamble == ""


def test_brackets_are_text_unless_a_copied_article_credits_a_photo():
    text = "# 标题\n\n今年以来，建成代表联络站（文化站）和图书馆（图书室）（记者 安峥 供图）。"
    (plain,) = split_document(text).sections
    assert plain.body == "今年以来，建成代表联络站（文化站）和图书馆（图书室）（记者 安峥 供图）。"
    (article,) = split_document(text, article=True).sections
    assert article.body == "今年以来，建成代表联络站（文化站）和图书馆（图书室）。"


def test_a_committee_of_no_named_place_opens_no_summary():
    text = "标题\n市人大常委会\n正文。"
    (section,) = split_document(text).sections
    assert section.committee is None
    assert section.title == "标题"


def test_a_law_under_its_issuing_committee_and_signed_by_it_is_one_document():
    text = (
        "四川省村务公开条例\n\n时间:2024-07-22 来源: 法律资料网\n\n四川省人大常委会\n\n"
        "（2009年7月22日四川省第十一届人民代表大会常务委员会第十次会议通过）\n\n"
        "《四川省村务公开条例》已由四川省第十一届人民代表大会常务委员会第十次会议于2009年7月22日通过，"
        "现予公布。\n\n四川省人民代表大会常务委员会\n2009年7月22日\n\n第一章 总 则\n\n"
        "第一条 为了规范村务公开，制定本条例。"
    )
    split = split_document(text)
    (section,) = split.sections
    assert (section.title, section.committee, section.part) == ("四川省村务公开条例", None, None)
    assert section.body.startswith("时间:2024-07-22 来源: 法律资料网\n\n四川省人大常委会")
    assert section.body.endswith("第一条 为了规范村务公开，制定本条例。")


def test_lines_of_two_committees_still_split():
    text = "各区工作亮点\n鲅鱼圈区人大常委会\n今年以来开展监督。\n盖州市人大常委会\n依法任免。"
    assert [s.committee for s in split_document(text).sections] == [
        "鲅鱼圈区人大常委会",
        "盖州市人大常委会",
    ]


def test_the_date_of_a_dropped_source_line_is_kept_as_context():
    text = "标题\n来源:新疆日报 日期:2025-02-20 11:15:39\n2月19日，会议召开。"
    split = split_document(text, article=True)
    (section,) = split.sections
    assert section.body == "2月19日，会议召开。"
    assert split.preamble == "2025-02-20"


def test_a_summary_opened_and_signed_by_its_committee_is_one_summary():
    text = "鲅鱼圈区人大常委会\n今年以来开展监督，依法任免，推动民生实事落实。\n鲅鱼圈区人大常委会\n2025年12月30日"
    (section,) = split_document(text).sections
    assert (section.committee, section.part) == ("鲅鱼圈区人大常委会", None)
    assert (
        section.body
        == "今年以来开展监督，依法任免，推动民生实事落实。\n\n鲅鱼圈区人大常委会\n\n2025年12月30日"
    )

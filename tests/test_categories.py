"""Work categories, per paragraph, from the editable taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.categories import categorise, paragraph_categories, taxonomy
from archive.split import split_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _paragraph(committee: str, start: str) -> str:
    text = (SEEDS / "000_28b25648c5712bde.txt").read_text(encoding="utf-8")
    (section,) = [s for s in split_document(text).sections if s.committee == committee]
    (paragraph,) = [p for p in section.body.split("\n\n") if p.startswith(start)]
    return paragraph


def test_taxonomy_lists_the_committee_powers_in_file_order():
    assert [c.name for c in taxonomy()] == [
        "立法",
        "监督",
        "司法监督",
        "财政预算监督",
        "民生",
        "生态环境",
        "决定与任免",
        "代表工作",
        "数字人大",
        "自身建设",
        "宣传",
    ]
    assert {c.name: c.parent for c in taxonomy() if c.parent} == {
        "司法监督": "监督",
        "财政预算监督": "监督",
        "民生": "监督",
        "生态环境": "监督",
    }


@pytest.mark.parametrize(
    ("committee", "start", "expected"),
    [
        ("大石桥市人大常委会", "数字赋能创新突破", {"数字人大", "代表工作"}),
        ("鲅鱼圈区人大常委会", "创新监督方式，提升司法监督刚性实效", {"监督", "司法监督"}),
        ("鲅鱼圈区人大常委会", "搭建多元平台", {"代表工作"}),
        ("盖州市人大常委会", "聚焦高质量发展靶向监督", {"监督", "财政预算监督"}),
        ("盖州市人大常委会", "聚焦生态环境保护持续监督", {"监督", "生态环境"}),
        ("盖州市人大常委会", "加强代表联络站规范建设", {"代表工作"}),
        ("西市区人大常委会", "省级基层立法联系点工作持续提升", {"立法", "监督", "民生"}),
    ],
)
def test_seed_paragraphs_get_their_categories(committee, start, expected):
    assert paragraph_categories(_paragraph(committee, start)) == expected


def test_ignored_phrases_do_not_trigger_a_category():
    assert "立法" not in paragraph_categories("首次建立法治化营商环境问题清单。")
    assert "宣传" not in paragraph_categories("承办市级宪法宣传周活动。")
    assert "立法" in paragraph_categories("配合完成20部法规立法调研。")


def test_record_categories_are_the_union_in_taxonomy_order():
    text = "开展代表进站活动。\n\n听取审议预算执行报告。"
    assert categorise(text) == ("监督", "财政预算监督", "代表工作")

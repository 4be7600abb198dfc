"""Committee, place (from the gazetteer, ambiguity settled by context) and work year."""

from __future__ import annotations

import pytest

from archive.metadata import Metadata, extract, main_committee, work_year


def test_district_committee_resolves_up_to_city_and_province():
    assert extract("标题", "今年以来开展监督。", "鲅鱼圈区人大常委会") == Metadata(
        "鲅鱼圈区人大常委会", "鲅鱼圈区", "营口市", "辽宁省", None, "工作总结"
    )


def test_county_level_city_is_a_district_of_its_prefecture():
    meta = extract("标题", "正文", "盖州市人大常委会")
    assert (meta.district, meta.city, meta.province) == ("盖州市", "营口市", "辽宁省")


def test_city_committee_has_no_district_and_province_committee_no_city():
    city = extract("营口市人大常委会工作报告", "2025年，营口市人大常委会依法履职。")
    assert (city.committee, city.district, city.city, city.province) == (
        "营口市人大常委会",
        None,
        "营口市",
        "辽宁省",
    )
    province = extract("标题", "2025年，辽宁省人大常委会依法履职。")
    assert (province.district, province.city, province.province) == (None, None, "辽宁省")


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("在长春市委的坚强领导下", ("朝阳区", "长春市", "吉林省")),
        ("首都北京的中心城区", ("朝阳区", "北京市", "北京市")),
        ("吉林省人大常委会指导", ("朝阳区", "长春市", "吉林省")),
        (
            "在区委的坚强领导下",
            ("朝阳区", None, None),
        ),  # nothing says which: unresolved, not guessed
    ],
)
def test_ambiguous_district_is_resolved_from_context_or_left_unresolved(context, expected):
    meta = extract("工作总结", f"2025年，朝阳区人大常委会{context}依法履职。")
    assert (meta.district, meta.city, meta.province) == expected


def test_compilation_context_settles_an_ambiguous_name():
    meta = extract(
        "标题", "今年以来依法履职。", "西湖区人大常委会", context="杭州市各区人大工作亮点"
    )
    assert (meta.city, meta.province) == ("杭州市", "浙江省")


def test_main_committee_ignores_mentions_of_the_level_above():
    text = "在市人大常委会的有力指导下，鲅鱼圈区人大常委会依法履职。鲅鱼圈区人大常委会开展监督。"
    assert main_committee(text) == "鲅鱼圈区人大常委会"
    assert main_committee("在市人大常委会的指导下") is None


@pytest.mark.parametrize(
    ("title", "body", "year"),
    [
        ("各县（市）区人大2025年工作亮点", "2026年，常委会将继续努力。", 2025),
        ("履职", "2025年，盖州市人大常委会依法履职。听取审议2024年环境状况的报告。", 2025),
        ("履职", "回望2025年，常委会依法履职。2026年，安州区人大常委会将继续踔厉奋发。", 2025),
        ("履职", "今年以来依法履职。", None),
        ("履职", "听取审议2024年环境状况的报告。", None),  # a year in passing is not the work year
    ],
)
def test_work_year_is_the_year_reported_on(title, body, year):
    assert work_year(title, body) == year

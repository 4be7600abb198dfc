"""Committee, place (from the evidence of every gazetteer mention), work year and doctype."""

from __future__ import annotations

import pytest

from archive import gazetteer
from archive.categories import default_taxonomy
from archive.doctype import DOCTYPES, classify
from archive.folding import fold
from archive.formats import Document
from archive.ingest import build_records
from archive.metadata import Metadata, extract, work_year


def place(title: str, body: str = "") -> tuple[str | None, str | None, str | None]:
    meta = extract(title, body)
    return meta.district, meta.city, meta.province


def test_folding_gives_simplified_half_width_text_without_debris():
    raw = "黃浦區(qū)人大常委會\u200b ２０２４年 人民代表大會 常務委員會"
    assert fold(raw) == "黄浦区人大常委会 2024年人民代表大会常务委员会"


def test_district_committee_resolves_up_to_city_and_province():
    assert extract("标题", "今年以来开展监督。", "鲅鱼圈区人大常委会") == Metadata(
        "鲅鱼圈区人大常委会", "鲅鱼圈区", "营口市", "辽宁省", None, "工作总结"
    )


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a county-level city's 市人大常委会 is a district of its prefecture
        (
            "慈溪市人大常委会2024年工作综述",
            "2024年，市人大常委会依法履职。",
            ("慈溪市", "宁波市", "浙江省"),
        ),
        # an autonomous prefecture is a city; its committee is named by level alone
        (
            "自治州人民代表大会常务委员会工作报告",
            "——2025年1月10日在昌吉回族自治州第十六届人民代表大会第五次会议上",
            (None, "昌吉回族自治州", "新疆维吾尔自治区"),
        ),
        # a county directly under its province has no city
        (
            "仙桃市人大常委会2024年工作亮点",
            "一年来，市人大常委会依法履职。",
            ("仙桃市", None, "湖北省"),
        ),
        # a municipality's district: the municipality is city and province; traditional script
        (
            "黃浦區人大常委會2024年工作綜述",
            "一年來，區人大常委會依法履職。",
            ("黄浦区", "上海市", "上海市"),
        ),
        # a provincial-level committee has only its province
        (
            "天津市人民代表大会常务委员会工作报告",
            "我受市人大常委会委托，向大会报告工作。",
            (None, None, "天津市"),
        ),
        ("广西壮族自治区人大常委会工作报告", "", (None, None, "广西壮族自治区")),
    ],
)
def test_levels(title, body, expected):
    assert place(title, body) == expected


def test_session_line_names_the_place_of_a_bare_committee():
    body = (
        "——2021年1月14日在新鄭市第十五屆人民代表大會第三次會議上\n"
        "我受市人大常委會委託，向大會報告工作，請予審議。\n過去一年的主要工作\n一年來，鄭州市人大常委會給予指導。"
    )
    meta = extract("市人大常委会工作报告", body)
    assert (meta.district, meta.city, meta.province, meta.year, meta.doctype) == (
        "新郑市",
        "郑州市",
        "河南省",
        2020,
        "工作报告",
    )
    assert meta.committee is None  # 新郑市 is never written with its committee here


def test_a_law_names_its_issuing_body():
    body = "市人大常委会召开第二十次会议，审议《德州市城市绿化条例（草案）》。"
    assert place("", body) == (None, "德州市", "山东省")


def test_a_citys_law_approved_by_its_province_is_the_citys():
    title = "开封市城市市容和环境卫生管理条例"
    body = (
        "（2016年6月28日开封市第十四届人民代表大会常务委员会第十七次会议通过"
        " 2016年7月29日河南省第十二届人民代表大会常务委员会第二十三次会议批准）"
    )
    meta = extract(title, body)
    assert (meta.district, meta.city, meta.province, meta.year, meta.doctype) == (
        None,
        "开封市",
        "河南省",
        2016,
        "法规",
    )


def test_the_province_approving_a_citys_law_does_not_make_the_gazette_page_provincial():
    # the province's decision to approve stands above the law with its own passing line
    body = (
        "（2018年9月29日某省人大常委会会议通过）\n"
        "安徽省第十三届人民代表大会常务委员会第五次会议审查了《宣城市文明行为促进条例》，"
        "决定予以批准，由宣城市人民代表大会常务委员会公布施行。\n"
        "（2018年8月29日宣城市第四届人民代表大会常务委员会第十一次会议通过"
        " 2018年9月29日安徽省第十三届人民代表大会常务委员会第五次会议批准）\n第一条 为了倡导文明行为，制定本条例。"
    )
    meta = extract("", body)
    assert (meta.district, meta.city, meta.province, meta.year, meta.doctype) == (
        None,
        "宣城市",
        "安徽省",
        2018,
        "法规",
    )
    # a city committee's meeting approving its budget is still the city's own
    body = "宣城市人民代表大会常务委员会第十次会议表决批准了2023年市级决算。"
    assert place("", body) == (None, "宣城市", "安徽省")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("2024年，市人大常委会依法履职，德州要发展，人大要作为。", (None, "德州市", "山东省")),
        ("市人大常委会会议在张家港大剧院举行。", ("张家港市", "苏州市", "江苏省")),
        ("区人大常委会为谱写鄞州新篇章贡献力量。", ("鄞州区", "宁波市", "浙江省")),
        (
            "区十五届人大五次会议在富阳影剧院举行。区人大常委会主任作报告。",
            ("富阳区", "杭州市", "浙江省"),
        ),
        ("县人大常委会举行会议。\n和县新闻，新鲜有料。", ("和县", "马鞍山市", "安徽省")),
        # everyday words are not short names: 绿水青山 is not 青山区, 金山银山 not 金山区
        ("区人大常委会践行绿水青山就是金山银山理念。", (None, None, None)),
        # a person's name is not a short name: 朱永昌 is not 永昌县
        ("县人大常委会副主任朱永昌出席。", (None, None, None)),
    ],
)
def test_short_names_count_only_where_they_stand_for_the_documents_own_place(body, expected):
    assert place("", body) == expected


def test_a_two_character_name_after_other_text_is_not_a_place():
    body = "县人大常委会举行第二十次会议，听取《关于舟永公路建设情况的报告》和县人大常委会农环委的报告。"
    assert place("", body) == (None, None, None)  # 和县 is 'and the county'


def test_unrelated_places_with_equal_support_stay_null():
    assert place("", "南京市和杭州市的代表交流了经验。") == (None, None, None)


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
    assert meta.committee == "朝阳区人大常委会"


def test_compilation_context_settles_an_ambiguous_name():
    meta = extract(
        "标题", "今年以来依法履职。", "西湖区人大常委会", context="杭州市各区人大工作亮点"
    )
    assert (meta.city, meta.province) == ("杭州市", "浙江省")


@pytest.mark.parametrize(
    ("title", "body", "year"),
    [
        ("各县（市）区人大2025年工作亮点", "2026年，常委会将继续努力。", 2025),
        ("履职", "2025年，盖州市人大常委会依法履职。听取审议2024年环境状况的报告。", 2025),
        ("履职", "回望2025年，常委会依法履职。2026年，安州区人大常委会将继续踔厉奋发。", 2025),
        ("履职", "今年以来依法履职。", None),
        ("履职", "听取审议2024年环境状况的报告。", None),  # a year in passing is not the work year
        ("履职", "2023年是省人大常委会依法履职的开局之年。", 2023),  # describes the year reported
        (
            "依法履职担使命",
            "——省十三届人大常委会五年工作综述\n2022年10月22日，党的二十大闭幕。",
            None,
        ),
        (
            "Page 172 - 2022静安年鉴",
            "区人大常委会举行会议。",
            2021,
        ),  # a yearbook records the year before
    ],
)
def test_summary_year_is_the_year_reported_on(title, body, year):
    assert work_year(fold(title), fold(body)) == year


@pytest.mark.parametrize(
    ("body", "year"),
    [
        # delivered early in 2024: reviews 2023
        ("——2024年1月26日在云南省第十四届人民代表大会第二次会议上\n过去一年的主要工作", 2023),
        # a session date in Chinese numerals
        ("——二〇二五年一月二十日在西藏自治区第十二届人民代表大会第三次会议上\n过去一年", 2024),
        # delivered in December: the heading names the year, not the session date
        ("——2022年12月27日在武昌区第十六届人民代表大会第二次会议上\n2022年主要工作", 2022),
        ("——2021年1月12日在房山区第八届人民代表大会第七次会议上\n2020年主要工作\n", 2020),
        # a term's review names no one year
        ("——2017年1月9日在荆州市第五届人民代表大会第一次会议上\n六年工作回顾\n六年来，…", None),
    ],
)
def test_a_report_to_the_congress_reviews_the_year_before_its_session(body, year):
    assert work_year("", fold(body), "工作报告") == year


def test_a_reports_title_names_its_session_year():
    title = fold("2017年沈阳市人民代表大会常务委员会工作报告")
    assert work_year(title, "各位代表：过去一年，常委会依法履职。", "工作报告") == 2016


def test_news_of_a_session_reports_the_year_the_report_reviews():
    body = "1月9日上午，恩施州第九届人民代表大会第三次会议开幕。州长说，2023年充满挑战。报告指出，2024年，恩施州将加快发展。"
    assert work_year("", body, "会议报道") == 2023


def test_news_of_a_committee_meeting_is_the_meetings_year():
    body = "3月25日，县十五届人大常委会召开第36次会议，听取2015年度工作报告，通过2016年工作要点。"
    assert work_year("", body, "会议报道") == 2016
    assert work_year("", "9月14日，市人大常委会召开主任会议。", "会议报道") is None
    # an account of a past year (2021年度, 2024年…完成情况) does not date the meeting
    body = "6月1日，县十九届人大常委会第二次主任会议召开，听取全县2021年度环境状况的调研报告。"
    assert work_year("", body, "会议报道") is None
    body = "1月9日，旗十八届人大常委会第26次会议召开，听取2024年民生实事项目完成情况的报告。"
    assert work_year("", body, "会议报道") is None
    # the end of a period is no year of the meeting; this year's candidate projects are
    body = (
        "1月4日，扎鲁特旗十六届人大常委会第三十次会议召开，审议2022年民生实事候选项目和"
        "第八个五年规划(2021——2025年)。"
    )
    assert work_year("", fold(body), "会议报道") == 2022


def test_news_from_a_session_dated_early_in_the_year_reports_the_year_before():
    body = "2025-01-15 23:49\n1月15日下午，乌审旗第十八届人民代表大会第四次会议预备会议召开。会议指出，2025年是收官之年。"
    assert work_year("", fold(body), "会议报道") == 2024


def test_news_from_a_session_reports_the_year_before_the_one_it_plans():
    body = "1月14日，参加陆良县第十八届人民代表大会第一次会议的代表分组讨论。报告总结了2021年各项工作，安排部署了2022年工作任务。"
    assert work_year("", fold(body), "会议报道") == 2021


def test_a_tie_between_years_goes_to_the_earlier_one():
    body = "2007年是我区取得重要进展的一年。《报告》明确了2008年工作的总体要求和奋斗目标。"
    assert work_year("", body) == 2007


def test_a_regulation_is_the_year_it_was_first_passed():
    body = (
        "（2010年10月15日黑龙江省第十一届人民代表大会常务委员会第二十次会议通过）\n"
        "1992年8月18日黑龙江省第七届人民代表大会常务委员会第二十八次会议通过的《黑龙江国营农场条例》同时废止。"
    )
    assert work_year("黑龙江省垦区条例", body, "法规") == 2010


@pytest.mark.parametrize(
    ("title", "body", "doctype"),
    [
        (
            "开封市城市市容和环境卫生管理条例",
            "（2016年6月28日开封市第十四届人民代表大会常务委员会第十七次会议通过）",
            "法规",
        ),
        ("", "现在，我代表市人民政府，向大会报告政府工作，请予审议。", "政府工作报告"),
        ("", "各位代表：\n我受区人大常委会委托，向大会报告工作，请予审议。", "工作报告"),
        ("", "现在，我代表旗人大常委会向大会报告工作。", "工作报告"),
        ("南宁市第十四届人民代表大会第二次会议隆重开幕", "2月15日上午，大会开幕。", "会议报道"),
        ("", "12月19日，临漳县十五届人大常委会举行第十三次会议。", "会议报道"),
        # captions before a news item's lede do not make it meeting news
        (
            "",
            "3月1日，市十四届人大常委会召开第一次会议。\n中原网讯(记者 李娜)市人大常委会走过了2014年。",
            "工作总结",
        ),
        (
            "奋力书写新答卷",
            "——写在省十四届人大四次会议召开之际\n2025年，省人大常委会依法履职。",
            "工作总结",
        ),
        ("", "共召开主任会议3次，常委会会议3次。区人大常委会依法履职。", "工作总结"),
        ("市场动态", "今日菜价平稳。", "其他"),
        # a third person delivering a report is news of the session
        (
            "",
            "1月20日上午，区十五届人大五次会议举行第二次全体会议。汤金华受区人大常委会的委托，作工作报告。",
            "会议报道",
        ),
        # a report named in 《》 is news about it; a dated item on a meeting is meeting news
        (
            "县人大代表围绕《政府工作报告》进行分组讨论",
            "发布日期：2022-02-15\n1月14日下午，代表分组讨论。",
            "会议报道",
        ),
        (
            "",
            "4月11日下午，县人大常委会主任来到第八代表团，与代表们一起审议政府工作报告。",
            "会议报道",
        ),
        ("", "5月26日，中方县五届人大常委会第四次会议在县行政中心四号会议室召开。", "会议报道"),
        ("", "7月21日，区人大常委会扩大会议在区文化馆举行。", "会议报道"),
        ("", "一年来，召开常委会会议8次、主任会议15次，区人大常委会依法履职。", "工作总结"),
        # a summary says so in its title or subtitle, whatever meeting it recalls
        (
            "",
            "人民至上践行民主——龙山县人民代表大会制度建立70周年工作综述\n"
            "1954年4月28日，龙山县召开了第一届人民代表大会第一次会议。",
            "工作总结",
        ),
    ],
)
def test_doctype(title, body, doctype):
    assert classify(fold(title), fold(body)) == doctype
    assert doctype in DOCTYPES


def test_a_stated_doctype_wins_over_extraction():
    text = "---\ndoctype: 其他\n---\n# 盖州市人大常委会2024年工作总结\n\n2024年，盖州市人大常委会依法履职。\n"
    plain = Document("markdown", text.split("---\n", 2)[2], "0" * 64)
    stated = Document("markdown", plain.text, "0" * 64, {"doctype": "其他"})
    assert build_records(plain, "a.md", default_taxonomy())[0].doctype == "工作总结"
    assert build_records(stated, "a.md", default_taxonomy())[0].doctype == "其他"


@pytest.mark.parametrize(
    ("name", "shorts"),
    [
        ("新疆维吾尔自治区", ("新疆",)),
        ("广西壮族自治区", ("广西",)),
        ("宁夏回族自治区", ("宁夏",)),
        ("西藏自治区", ("西藏",)),
        ("内蒙古自治区", ("内蒙古",)),
        ("鄂伦春自治旗", ()),  # named for its people alone
    ],
)
def test_an_autonomous_region_is_called_by_its_stem(name, shorts):
    assert gazetteer.short_names(name) == shorts


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "自治区人大常委会副主任作人大常委会工作报告。2025年，常委会从推进中国式现代化宁夏实践中"
            "找准履职定位。",
            (None, None, "宁夏回族自治区"),
        ),
        (
            "天山网-新疆日报讯 2月19日，自治区十四届人大常委会举行第47次主任会议。",
            (None, None, "新疆维吾尔自治区"),
        ),
        # the cities whose laws the region's committee approved do not make it a city's
        (
            "3月28日下午，自治区十四届人大常委会第八次会议在广西人民会堂闭幕。会议表决批准了"
            "南宁市居民生活用水二次供水管理规定、梧州市城市市容和环境卫生管理条例。",
            (None, None, "广西壮族自治区"),
        ),
        # a short name in passing is not the document's place
        ("自治区人大常委会举行会议，听取宁夏与内蒙古合作的报告。", (None, None, None)),
    ],
)
def test_a_regions_committee_named_by_level_takes_the_region_its_text_names(body, expected):
    assert place("", body) == expected


@pytest.mark.parametrize(
    ("name", "abbreviation"),
    [
        ("科尔沁右翼前旗", "科右前旗"),
        ("察哈尔右翼后旗", "察右后旗"),
        ("科尔沁左翼中旗", "科左中旗"),
        ("乌拉特前旗", "乌前旗"),
        ("土默特左旗", "土左旗"),
        ("巴林左旗", None),  # a two-character stem is written in full
        ("杭锦后旗", None),
        ("喀喇沁左翼蒙古族自治县", None),
    ],
)
def test_a_banner_named_for_its_wing_goes_by_its_abbreviation(name, abbreviation):
    assert gazetteer.abbreviation(name) == abbreviation


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("恩施州人大常委会工作报告", (None, "恩施土家族苗族自治州", "湖北省", "恩施州人大常委会")),
        (
            "黔东南州人大常委会2024年工作亮点",
            (None, "黔东南苗族侗族自治州", "贵州省", "黔东南州人大常委会"),
        ),
        (
            "石柱县人大常委会2024年工作综述",
            ("石柱土家族自治县", "重庆市", "重庆市", "石柱县人大常委会"),
        ),
        (
            "莫力达瓦旗人大常委会工作报告",
            ("莫力达瓦达斡尔族自治旗", "呼伦贝尔市", "内蒙古自治区", "莫力达瓦旗人大常委会"),
        ),
    ],
)
def test_an_autonomous_prefecture_or_county_by_its_stem_and_level_names_it_in_full(title, expected):
    meta = extract(title, "2024年，常委会依法履职。")
    assert (meta.district, meta.city, meta.province, meta.committee) == expected
    assert gazetteer.everyday_name("恩施土家族苗族自治州") == "恩施州"
    assert gazetteer.everyday_name("科尔沁右翼前旗") == "科右前旗"
    assert gazetteer.everyday_name("鄂伦春自治旗") is None  # named for its people alone


def test_a_banners_abbreviation_names_it_in_full():
    body = (
        "——在科右前旗第十八届人民代表大会第三次会议上\n"
        "现在，我代表科右前旗人民政府向大会报告工作，请予审议。"
    )
    meta = extract("2024年政府工作报告", body)
    assert (meta.district, meta.city, meta.province, meta.doctype) == (
        "科尔沁右翼前旗",
        "兴安盟",
        "内蒙古自治区",
        "政府工作报告",
    )


def test_a_roundup_of_a_citys_counties_is_the_citys():
    title = "笃行实干助推发展——2025年全市各地人大工作亮点回眸"
    body = (
        "2025年，全市各县（市、区）人大常委会依法履职，为推进中国式现代化南平实践作出人大贡献。\n"
        "延平：强化监督闭环\n延平区人大常委会坚持正确监督。延平区十八届人大三次会议交付议案。"
    )
    assert place(title, body) == (None, "南平市", "福建省")
    # a county's own summary that mentions the city's other counties stays the county's
    body = "2025年，延平区人大常委会依法履职。延平区十八届人大三次会议交付议案。"
    assert place("延平区人大常委会2025年工作亮点", body) == ("延平区", "南平市", "福建省")
    # a meeting of every county's committee, or attending it, is no roundup
    body = "全市各县（市、区）人大常委会主任座谈会在我区召开。2024年，延平区人大常委会依法履职。"
    assert place("", body) == ("延平区", "南平市", "福建省")
    body = "4月2日，延平区人大常委会主任参加全市各县（市、区）人大常委会主任座谈会。延平区人大常委会依法履职。"
    assert place("", body) == ("延平区", "南平市", "福建省")


@pytest.mark.parametrize(
    ("title", "body", "doctype"),
    [
        # a title that discusses a report is news about it
        (
            "省人大代表审议省人大常委会工作报告",
            "29.01.2016 10:13\n1月28日，出席省十二届人大四次会议的代表审议了省人大常委会工作报告。",
            "会议报道",
        ),
        ("代表们热议政府工作报告", "1月10日，代表们分组审议。", "会议报道"),
        (
            "——从全国人大常委会工作报告看人大工作新进展",
            "8日上午，委员长向十四届全国人大三次会议报告工作。",
            "会议报道",
        ),
        (
            "一图读懂北京市人大常委会工作报告",
            "1月17日上午，市人民代表大会第一次会议举行第二次全体会议。",
            "会议报道",
        ),
        # a yearbook's volume named by its year
        (
            "2023卷",
            "【议案建议办理】 2022年，自治区人大常委会办理代表建议515件。\n"
            "【十三届全国人大五次会议内蒙古代表团议案建议】 2022年3月5—11日，十三届全国人大五次会议召开期间。",
            "工作总结",
        ),
        # a committee's report copied from its review heading on
        (
            "上海市徐汇区人大常委会主任 李新华",
            "2024年的主要工作\n一年来，区人大常委会共召集人民代表大会会议2次。",
            "工作报告",
        ),
        # a short sentence setting the tone may open a session item before its date
        (
            "新闻中心",
            "热议辉煌成就，共绘发展蓝图。12月26日下午，出席县第十九届人民代表大会第二次会议的代表分组审议了各项报告。",
            "会议报道",
        ),
        # a long opening sentence is prose, not a news lede
        (
            "履职",
            "一年来，常委会紧紧围绕县委中心工作，依法履职，积极作为，取得了显著成效。12月26日，常委会审议了报告。",
            "工作总结",
        ),
        # a news lede whose first sentence holds a meeting of any kind; not an anniversary
        (
            "",
            "本报讯 昨天上午，区人大系统召开2021年工作思路研讨会，区人大常委会主任参加会议。",
            "会议报道",
        ),
        ("", "本报讯 党的二十大召开以来，区人大常委会认真学习，依法履职。", "工作总结"),
        # an item that opens on what the meeting did
        (
            "",
            "会议听取审议了县政府关于全县教育工作情况的报告，评议了盐务局的执法工作。",
            "会议报道",
        ),
        # news learnt at a session is news of it
        (
            "",
            "记者从市十五届人大六次会议上获悉，2022年，市人大常委会将着力加强自身建设。",
            "会议报道",
        ),
        # a relative day opens the news of a meeting
        (
            "",
            "近日，市人大常委会工作报告（稿）征求意见座谈会先后召开，副主任分别主持座谈会。",
            "会议报道",
        ),
    ],
)
def test_doctype_of_new_shapes(title, body, doctype):
    assert classify(fold(title), fold(body)) == doctype


@pytest.mark.parametrize(
    ("body", "doctype", "year"),
    [
        # a session at the start of a term reviews one year and the term: the one year
        (
            "2023年01月14日12:05 | 来源:西藏日报\n1月13日上午，西藏自治区第十二届人民代表大会第一次会议"
            "在拉萨隆重开幕。报告共分三部分:2022年及过去五年工作，今后五年目标任务。",
            "会议报道",
            2022,
        ),
        (
            "——2023年1月10日在某市第十五届人民代表大会第一次会议上\n一、2022年和过去五年工作回顾",
            "政府工作报告",
            2022,
        ),
        # a dateline written day.month.year: an early-2016 session reviews 2015
        (
            "29.01.2016 10:13\n1月28日，出席省十二届人大四次会议的代表审议了省人大常委会工作报告。"
            "报告客观总结了过去五年及去年一年的工作。",
            "会议报道",
            2015,
        ),
        ("2024/09/27\n9月26日，市人大常委会举行第二十次会议。", "会议报道", 2024),
        # a date glued to its time, on a session's news: early 2026 reviews 2025
        (
            "发布日期: 2026-02-0419:47:55\n2月4日上午，区十九届人大五次会议举行主席团第三次会议。",
            "会议报道",
            2025,
        ),
        # the delivery date on its own line after the session line
        (
            "——在科右前旗第十八届人民代表大会第三次会议上\n(2024年3月12日)\n各位代表：过去一年，…",
            "政府工作报告",
            2023,
        ),
        # a year whose subject is the committee is the year reported, unless it is planned
        ("这是2018年区人大常委会履职的宗旨。回首过去一年，常委会依法履职。", "工作总结", 2018),
        ("会议审议通过了2024年区人大常委会工作要点。", "工作总结", None),
        # what the committee must or means to do in a year plans it; 主要 and 重要 plan nothing
        ("主任指出，2021年，区人大常委会要围绕服务大局开展重点工作。", "工作总结", None),
        ("2021年，区人大常委会拟审议三部法规草案。", "工作总结", None),
        ("2023年，主要工作成效明显。", "工作总结", 2023),
        ("2023年，常委会重要议题均已办结。", "工作总结", 2023),
        # a history names many years and reports on none of them
        (
            "执法检查并不是人大工作启动之初就有的。1982年12月，现行宪法颁布实施。1983年3月，中央印发讲话要点。"
            "1983年5月，沈阳市人大常委会检查宪法实施。\n1985年4月，委员们强调不能只立法不监督。",
            "工作总结",
            None,
        ),
        # a review since the term began names no one year
        (
            "——2022年2月12日在呼和浩特市第十六届人民代表大会第一次会议上\n十五届以来工作回顾\n本届常委会共召开会议36次。",
            "工作报告",
            None,
        ),
        # a committee's report is the year whose first half it reviewed, not the year before's accounts
        (
            "各位代表：\n我受市第五届人民代表大会常务委员会的委托，向大会报告工作，请予审议。\n"
            "过去的一年，是新一届人大常委会开展工作的第一年。\n"
            "年中听取和审议了市政府关于2007年国民经济和社会发展计划及财政预算上半年执行情况的报告；"
            "审查和批准了2006年度市本级财政决算。",
            "工作报告",
            2007,
        ),
    ],
)
def test_year_of_new_shapes(body, doctype, year):
    assert work_year("", fold(body), doctype) == year


def test_a_yearbook_volume_named_by_its_year_records_the_year_before():
    body = "【议案建议办理】 2022年，自治区人大常委会办理代表建议515件。"
    assert work_year("2023卷", fold(body)) == 2022


def test_a_regulation_is_the_year_it_was_passed_not_the_day_it_takes_effect():
    title = "保山市文明行为促进条例2023年1月1日起施行"
    body = (
        "保山市人民代表大会常务委员会公告\n〔五届〕第五号\n《保山市文明行为促进条例》于2022年10月28日"
        "经保山市第五届人民代表大会常务委员会第四次会议通过，现予公布，自2023年1月1日起施行。"
    )
    assert work_year(fold(title), fold(body), "法规") == 2022


def test_the_date_on_a_dropped_source_line_dates_meeting_news():
    text = (
        "自治区十四届人大常委会举行第47次主任会议\n\n来源:天山网-新疆日报 日期:2025-02-20 11:15:39\n\n"
        "天山网-新疆日报讯(记者张磊报道)2月19日，自治区十四届人大常委会举行第47次主任会议。"
        "会议决定，自治区十四届人大常委会第十八次会议2月21日在乌鲁木齐召开。"
    )
    (record,) = build_records(Document("text", text, "0" * 64), "a.txt", default_taxonomy())
    assert "来源" not in record.text
    assert (record.district, record.city, record.province, record.year, record.doctype) == (
        None,
        None,
        "新疆维吾尔自治区",
        2025,
        "会议报道",
    )


FILLER = "会议听取了有关报告。" * 40  # pushes what follows past the lede


@pytest.mark.parametrize(
    ("body", "year"),
    [
        # a session: carrying out a year's plan reviews that year; next year's plan is its own
        (
            "1月9日，某市八届人大五次会议闭幕。大会通过了关于2020年国民经济和社会发展计划执行情况"
            "和2021年计划草案报告的决议。",
            2020,
        ),
        (
            "1月22日，区十届人大二次会议闭幕。会议通过了关于2021年计划执行情况与2022年计划的决议。",
            2021,
        ),
        # the projects put to the session are for its own year, which reviews the year before
        ("1月27日，县第十八届人大第五次会议各代表团审议了2024 年重点民生实事候选项目。", 2023),
        (
            "1月20日，县十六届人民代表大会第四次会议举行主席团会议，通报了2020年民生实事项目票决结果。",
            2019,
        ),
        ("1月22日，区十届人大二次会议闭幕。此次会议票决产生了2022年区政府10件民生实事项目。", 2021),
        # nothing settled for a year: the session's year is not said
        ("1月9日，某市八届人大五次会议闭幕。大会通过了关于政府工作报告的决议。", None),
        # deputies reviewing a report are a session; published in June on a January session
        (
            "发布日期: 2023-06-07\n1月18日，区人大代表分组审议区政府工作报告。报告提出了2023年主要工作任务。",
            2022,
        ),
        # a session put off to April: the past year's paragraph names 2019, not the 2020 described
        (
            "4月27日上午，县第十六届人民代表大会第四次会议召开。\n"
            "县人大常委会主任作工作报告。他说，2019年，是新中国成立70周年。一年来，常委会依法履职。\n"
            "2020年，是全面建成小康社会的收官之年。",
            2019,
        ),
        # a page's closing stamp names the paper and edition; a date in the last sentence does not
        (
            "本报讯 省十二届人大常委会第六十一次主任会议决定，11月30日举行常委会第二十四次会议。\n"
            "会议将审议有关人事任免事项。\n浙江工人日报 一版要闻 2015年11月25日 星期三",
            2015,
        ),
        ("本报讯 市人大常委会召开主任会议。" + FILLER + "要求2015年11月25日前完成整改。", None),
        # a forum's clock, and a closing line naming no paper or publishing, date nothing
        ("2月14日下午，市十六届人大四次会议主席团举行第一次会议。\nGMT+8, 2025-3-28 20:36", None),
        ("本报讯 市人大常委会召开主任会议。" + FILLER + "\n2015-11-25 20:36", None),
        # with nothing dated or settled, the year before the one the session plans
        ("记者从市十五届人大六次会议上获悉，2022年，市人大常委会将着力加强自身建设。", 2021),
        # a meeting in a later month than its dateline was the year before
        ("2023-01-05\n12月28日，县人大常委会召开第十次会议，听取有关报告。", 2022),
        ("2023-03-05\n3月1日，县人大常委会召开第十次会议，听取有关报告。", 2023),
        # nor does a deadline
        (
            "2023-03-05\n县人大常委会要求5月1日前完成整改。3月1日，县人大常委会召开第十次会议。",
            2023,
        ),
        # a date set for a later meeting does not date the news
        (
            "决定市十六届人大六次会议2026年1月17日召开\n2025年12月30日至31日，广州市第十六届人大常委会召开第四十五次会议。",
            2025,
        ),
        # a meeting: this year's debt limit or budget adjustment
        (
            "11月30日，省人大常委会举行第二十四次会议，审议批准本省2015年地方政府债务限额的议案。",
            2015,
        ),
        (
            "12月29日，县人大常委会第十一次会议召开，审查和批准了2022年县级财政预算调整的议案。",
            2022,
        ),
        # plans, made in the last quarter for the next year
        ("本报讯 市人大常委会12月15日召开主任会议，研究了市人大常委会2023年工作要点。", 2022),
        ("本报讯 市人大常委会2月24日召开会议，研究了市人大常委会2018年工作要点。", 2018),
        ("3月31日，全县人大工作会议召开，总结了2016年人大工作，安排部署2017年人大工作。", 2017),
        ("12月20日，全县人大工作会议召开，总结了2016年人大工作，安排部署2017年人大工作。", 2016),
        # a plan carried out is an account: it neither dates the meeting nor moves it back
        (
            "本报讯 12月20日，县人大常委会召开会议，听取2024年国民经济和社会发展计划执行情况的报告。",
            None,
        ),
        # a committee meeting held under its number prepares the session; it is no session item
        (
            "1月8日下午，区十五届人大常委会举行第22次会议。会议审议通过了关于将保障性安居工程"
            "建设纳入2015年度国民经济和社会发展计划的决议；审议并通过了区十五届人大四次会议有关事项。",
            2015,
        ),
    ],
)
def test_year_of_session_and_meeting_news(body, year):
    assert work_year("", fold(body), "会议报道") == year


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a gazette page: the province's approval above the city's law; the law is the city's
        (
            "",
            "（2018年9月29日某省人大常委会会议通过）\n"
            "安徽省第十三届人民代表大会常务委员会第五次会议审查了《宣城市文明行为促进条例》，"
            "决定予以批准，由宣城市人民代表大会常务委员会公布施行。\n"
            "（2018年8月29日宣城市第四届人民代表大会常务委员会第十一次会议通过"
            " 2018年9月29日安徽省第十三届人民代表大会常务委员会第五次会议批准）\n第一条 为了倡导文明行为，制定本条例。",
            (None, "宣城市", "安徽省", 2018, "法规"),
        ),
        # a city committee's meeting approving its budget is still the city's own
        (
            "",
            "宣城市人民代表大会常务委员会第十次会议表决批准了2023年市级决算。",
            (None, "宣城市", "安徽省", None, "工作总结"),
        ),
        # a report delivered in the first person, reprinted in a yearbook volume: the term's review
        (
            "2013卷",
            "——2013年1月27日在内蒙古自治区第十二届人民代表大会第一次会议上\n各位代表:\n"
            "我受自治区十一届人大常委会的委托，向大会报告本届常委会五年来的工作，请予审议。\n五年来的工作回顾",
            (None, None, "内蒙古自治区", None, "工作报告"),
        ),
        # a law approved rather than passed (an autonomous county's): the year it was approved
        (
            "法规库",
            "（1989年11月25日贵州省第七届人民代表大会常务委员会第十次会议批准 自1990年1月1日起施行）\n"
            "第一章 总则\n第一条 结合关岭布依族苗族自治县民族的政治、经济和文化的特点，制定本条例。\n"
            "第二条 自治县的自治机关是自治县人民代表大会和自治县人民政府。",
            ("关岭布依族苗族自治县", "安顺市", "贵州省", 1989, "法规"),
        ),
    ],
)
def test_place_year_and_doctype_of_laws_and_reprints(title, body, expected):
    meta = extract(title, body)
    assert (meta.district, meta.city, meta.province, meta.year, meta.doctype) == expected


@pytest.mark.parametrize(
    "body",
    [
        # a year in the past year's paragraph that is not the year reported (a meeting it heeds)
        "各位代表：\n一年来，常委会深入贯彻2021年中央人大工作会议精神，依法履职。",
        # last year's accounts in the past year's paragraph
        "各位代表：\n一年来，常委会审查批准了2023年度财政决算，依法履职。",
        # a plan for the first half of the session's year
        "各位代表：\n过去一年，常委会依法履职。\n2025年上半年，常委会将完成三部法规的审议。",
    ],
)
def test_a_reports_title_year_is_not_overruled_by_other_years(body):
    assert work_year(fold("2025年某区人大常委会工作报告"), fold(body), "工作报告") == 2024

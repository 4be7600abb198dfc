"""The kind of document (文种): its allowed values, and how a folded text shows which it is."""

from __future__ import annotations

import re

DOCTYPES = ("工作报告", "工作总结", "会议报道", "法规", "政府工作报告", "其他")

_N = r"[一二三四五六七八九十百零〇\d]+"
HEAD_LINES = 8  # lines of body that may hold a subtitle
LEAD = 300  # characters of body read with the title for how a document presents itself
# A law's own title, or the marks of its promulgation: 现予公布, (2016年6月28日…会议通过 or …批准),
# 第一条.
_LAW_TITLE = re.compile(r"(?:条例|规定|办法|规则|细则|决定)(?:\(草案\))?\s*[》>]?$", re.M)
_LAW_MARKS = re.compile(
    r"现予公布|特此公告|^\s*第一条|"
    r"\(\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日[^()]{0,80}?(?:通过|批准)",
    re.M,
)
# Delivered to the congress in the first person: 我代表市人民政府 / 我受区人大常委会委托 /
# 我代表旗人大常委会向大会报告.
_GOVERNMENT_REPORT = re.compile(r"我代表[^,，。\n]{0,12}人民政府")
_COMMITTEE_REPORT = re.compile(
    r"我受[^。\n]{0,40}?(?:常务委员会|常委会)[^。\n]{0,12}委托|"
    r"受[^。\n]{0,40}?(?:常务委员会|常委会)[^。\n]{0,4}委托[,，]?\s*我|"
    r"我代表[^,，。\n]{0,20}(?:常务委员会|常委会)[^,，。\n]{0,4}向大会"
)
_COMMITTEE_REPORT_TITLE = re.compile(
    r"(?:常务委员会|常委会)[^\n]{0,12}工作报告|^[^\n]{0,8}工作报告"
)
# News of a congress session or a standing committee meeting taking place (写在…会议召开之际
# marks an occasion, not the event; 召开常委会会议8次 counts meetings), or news learnt at a session
# (记者从市十五届人大六次会议上获悉).
_CONGRESS_SESSION = re.compile(
    rf"(?:人民代表大会|人大)\s*第?{_N}次会议[^。\n]{{0,25}}?(?:开幕|闭幕|召开|举行)(?!之际|前夕)|"
    rf"从[^。\n]{{0,20}}?(?:人民代表大会|人大)\s*第?{_N}次会议上?获悉"
)
_SC = r"(?:人大常委会|常务委员会|常委会)"
_MEETING = re.compile(
    rf"(?:召开|举行)了?(?:[^,，。;\n]{{0,25}}?(?:{_SC}|人民代表大会|人大)[^,，。;\n]{{0,6}}?)?"
    rf"第?{_N}次(?:主任|全体)?会议|"
    rf"{_SC}\s*(?:第?{_N}次)?(?:主任|扩大)?会议(?!{_N}次)[^,，。;\n]{{0,20}}?"
    rf"(?:召开|举行|开幕)(?!之际|前夕)|"
    rf"召开(?:主任会议|座谈会)(?!{_N}次)"
)
# A news item opening on the day of a meeting (4月11日下午，…审议政府工作报告; 近日，…征求意见座谈会
# 先后召开), perhaps after a short sentence that sets the tone (热议辉煌成就,共绘发展蓝图。12月26日
# 下午，…分组审议), or an item that opens on what the meeting did (会议听取审议了…, 会上…).
_EVENT = re.compile(
    r"^(?:[^。\n]{0,20}。)?[^。\n]{0,40}?(?:\d{1,2}月\d{1,2}日|近日|日前|昨天|昨日|今天|今日)"
    r"[^。\n]{0,80}?(?:会议|审议|座谈|讨论|征求意见)|"
    r"\A\s*(?:会议|会上)[,，]?(?:听取|审议|通过|表决|研究|讨论|决定)",
    re.M,
)
# A news item (本报讯, 1月20日讯) whose first sentence has a meeting of any kind taking place
# (区人大系统召开…研讨会, 召开…汇报会); not an anniversary (党的二十大召开以来).
_NEWS_MEETING = re.compile(
    r"(?:[网报]讯|日讯)[^。\n]{0,80}?(?:召开|举行)(?!以来|之际|前夕)[^。\n]{0,40}?(?<!委)会"
)
# A congress session named in a news item's lede, or its deputies at work: 代表团, 人大代表分组审议区
# 政府工作报告.
_CONGRESS = re.compile(
    rf"(?:人民代表大会|人大)\s*第?{_N}次会议|代表团|(?:代表|分组)[^。\n]{{0,10}}?审议[^。\n]{{0,20}}?工作报告"
)
_COMMITTEE_MEETING = re.compile(
    rf"(?:(?:常委会|常务委员会)\s*(?:(?:举行|召开)了?\s*)?(?:第?{_N}次)?(?:主任)?会议|主任会议)(?!{_N}次)"
)
_QUOTED = re.compile(r"《[^》]*》")
# A title that discusses a report is news about it: 省人大代表审议省人大常委会工作报告, 热议政府工作报告,
# 一图读懂…工作报告, 从全国人大常委会工作报告看….
_ABOUT_A_REPORT = re.compile(
    r"(?:审议|讨论|听取|热议|点赞|解读|读懂|聚焦)[^\n,，。]{0,16}?工作报告|从[^\n,，。]{0,16}?工作报告看"
)
# A yearbook's page (2022静安年鉴) or a volume of one, named by its year alone (2023卷).
_YEARBOOK = re.compile(r"年鉴|^\s*(?:19|20)\d\d\s*卷\s*$", re.M)
# A committee's report copied from its review heading on (2024年的主要工作, 一、2023年工作回顾).
_REVIEW_OPENING = re.compile(
    rf"^[\s#]*(?:{_N}、)?(?:(?:19|20)\d\d年|过去一年)的?(?:主要工作|工作回顾)\s*$", re.M
)
# A summary says so in its title: 工作综述, 亮点, 回眸, 工作回顾与展望.
_SUMMARY_TITLE = re.compile(r"综述|亮点|回眸|巡礼|工作总结|工作回顾")
_NEWS_LEDE = re.compile(r"[网报]讯\s*[(（]|[网报]讯\s")
_COMMITTEE = re.compile(r"人大常委会|人民代表大会常务委员会|人大常务委员会|常委会")


def classify(title: str, body: str, committee: str | None = None) -> str:
    """One of DOCTYPES for a folded title and body: a law, a government or a standing committee
    work report (delivered to the congress), news of a session or meeting, a committee's
    summary (综述, 亮点, a 年鉴 page; any text of a named committee), else 其他."""
    lead = f"{title}\n{lede(body)}"
    # 围绕《政府工作报告》进行分组讨论, 代表审议政府工作报告: news about the report
    own_title = _ABOUT_A_REPORT.sub("", _QUOTED.sub("", title))
    if _LAW_TITLE.search(title) or _LAW_MARKS.search(f"{title}\n{body[: 2 * LEAD]}"):
        return "法规"
    # a report delivered in the first person is one, even reprinted in a yearbook (2013卷)
    if _GOVERNMENT_REPORT.search(lead):
        return "政府工作报告"
    if _COMMITTEE_REPORT.search(lead):
        return "工作报告"
    if _YEARBOOK.search(title):
        return "工作总结"
    if "政府工作报告" in own_title:
        return "政府工作报告"
    if _COMMITTEE_REPORT_TITLE.search(own_title):
        return "工作报告"
    opening = "\n".join(body.split("\n")[:HEAD_LINES])
    if _REVIEW_OPENING.search(opening) and _COMMITTEE.search(lead):
        return "工作报告"
    if _SUMMARY_TITLE.search(_QUOTED.sub("", headline(title, body))):
        return "工作总结"
    news = lede(body)
    if _CONGRESS_SESSION.search(lead) or _MEETING.search(lead) or _EVENT.search(news):
        return "会议报道"
    if _NEWS_MEETING.search(news) or _ABOUT_A_REPORT.search(
        headline(title, body, first_line=False)
    ):
        return "会议报道"  # a meeting in a news lede; a title or subtitle discussing a report
    return "工作总结" if committee or _COMMITTEE.search(f"{title}\n{body}") else "其他"


def headline(title: str, body: str, first_line: bool = True) -> str:
    """The title with what may carry it in the body: the first line (unless `first_line` is
    False), and subtitles (——…工作综述) among the first lines."""
    lines = [line.strip() for line in body.split("\n")[:HEAD_LINES] if line.strip()]
    first = lines[:1] if first_line else []
    subtitles = [line for line in lines[len(first) :] if line.startswith("—")]
    return "\n".join([title, *first, *subtitles])


def about_a_session(title: str, body: str) -> bool:
    """News whose lede names a congress session (or its deputies at work) and no standing
    committee meeting: it reports on the year the session's reports review."""
    lead = f"{title}\n{lede(body)}"
    return bool(_CONGRESS.search(lead)) and not _COMMITTEE_MEETING.search(lead)


def lede(body: str) -> str:
    """How the text presents itself: a news item's 讯 paragraph (photo captions come before it),
    else its first LEAD characters."""
    news = _NEWS_LEDE.search(body[: 3 * LEAD])
    if news:
        start = body.rfind("\n", 0, news.start()) + 1
        return body[start : start + LEAD]
    return body[:LEAD]


def check(value: str) -> str | None:
    """Why a stated doctype is not allowed, on one line; None when it is."""
    if value in DOCTYPES:
        return None
    return f"doctype must be one of {', '.join(DOCTYPES)}, not {value!r}"

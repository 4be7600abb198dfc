"""The kind of document (文种): its allowed values, and how a folded text shows which it is."""

from __future__ import annotations

import re

DOCTYPES = ("工作报告", "工作总结", "会议报道", "法规", "政府工作报告", "其他")

_N = r"[一二三四五六七八九十百零〇\d]+"
LEAD = 300  # characters of body read with the title for how a document presents itself
# A law's own title, or the marks of its promulgation: 现予公布, (2016年6月28日…会议通过), 第一条.
_LAW_TITLE = re.compile(r"(?:条例|规定|办法|规则|细则|决定)(?:\(草案\))?\s*[》>]?$")
_LAW_MARKS = re.compile(
    r"现予公布|特此公告|^\s*第一条|"
    r"\(\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日[^()]{0,80}?通过",
    re.M,
)
# Delivered to the congress in the first person: 我代表市人民政府 / 我受区人大常委会委托 /
# 我代表旗人大常委会向大会报告.
_GOVERNMENT_REPORT = re.compile(r"我代表[^,，。\n]{0,12}人民政府")
_COMMITTEE_REPORT = re.compile(
    r"受[^。\n]{0,40}?(?:常务委员会|常委会)[^。\n]{0,12}委托|"
    r"我代表[^,，。\n]{0,20}(?:常务委员会|常委会)[^,，。\n]{0,4}向大会"
)
_COMMITTEE_REPORT_TITLE = re.compile(
    r"(?:常务委员会|常委会)[^\n]{0,12}工作报告|^[^\n]{0,8}工作报告"
)
# News of a congress session or a standing committee meeting taking place (写在…会议召开之际
# marks an occasion, not the event; 召开主任会议3次 counts meetings).
CONGRESS_SESSION = re.compile(
    rf"(?:人民代表大会|人大)\s*第?{_N}次会议[^。\n]{{0,25}}?(?:开幕|闭幕|召开|举行)(?!之际|前夕)"
)
_MEETING = re.compile(
    rf"(?:召开|举行)了?第?{_N}次(?:主任)?会议|召开主任会议(?!{_N}次)|"
    rf"常委会(?:第{_N}次)?会议\S{{0,3}}(?:召开|举行|开幕)(?!之际|前夕)"
)
_NEWS_LEDE = re.compile(r"[网报]讯\s*[(（]|[网报]讯\s")
_COMMITTEE = re.compile(r"人大常委会|人民代表大会常务委员会|人大常务委员会|常委会")


def classify(title: str, body: str, committee: str | None = None) -> str:
    """One of DOCTYPES for a folded title and body: a law, a government or a standing committee
    work report (delivered to the congress), news of a session or meeting, a committee's
    summary (综述, 亮点, a 年鉴 page; any text of a named committee), else 其他."""
    lead = f"{title}\n{lede(body)}"
    if _LAW_TITLE.search(title) or _LAW_MARKS.search(f"{title}\n{body[: 2 * LEAD]}"):
        return "法规"
    if "年鉴" in title:
        return "工作总结"
    if "政府工作报告" in title or _GOVERNMENT_REPORT.search(lead):
        return "政府工作报告"
    if _COMMITTEE_REPORT_TITLE.search(title) or _COMMITTEE_REPORT.search(lead):
        return "工作报告"
    if CONGRESS_SESSION.search(lead) or _MEETING.search(lead):
        return "会议报道"
    return "工作总结" if committee or _COMMITTEE.search(f"{title}\n{body}") else "其他"


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

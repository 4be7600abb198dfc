"""Metadata of a summary: committee, district -> city -> province, work year and document type,
all read from the folded text (simplified script, half width) while the record keeps the original."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from archive import gazetteer, places
from archive.doctype import LEAD, about_a_session, classify, headline
from archive.folding import fold
from archive.split import COMMITTEE

_COMMITTEE_MENTION = re.compile(COMMITTEE)
_Y = r"((?:19|20)\d\d)"
_N = r"[一二三四五六七八九十百零〇\d]+"
_YEAR = re.compile(rf"{_Y}年")
# Words near a year that mark it as the year being reported on, or as one looked ahead to.
_REPORTED_BEFORE = ("回望", "回顾", "过去的", "总结")
_REPORTED_AFTER = (
    "年，",
    "年,",
    "年以来",
    "年度",
    "年工作",
    "年的工作",
    "年全年",
    "年履职",
    "年是",
)
# The same, read in the paragraphs on the past year, where 2022年度 names last year's accounts.
_NAMED_AS_REPORTED = tuple(word for word in _REPORTED_AFTER if word != "年度")
# A year whose subject is the committee (2018年区人大常委会履职的宗旨, 2023年市人大常委会共召开…) is
# the year it reports on, unless what follows plans it (2024年市人大常委会工作要点).
_COMMITTEE_SUBJECT = re.compile(r"年[省市县区州旗盟]?(?:人大常委会|人大常务委员会|常委会)")
_AHEAD = ("将", "计划", "展望", "新的一年", "明年")
# A year whose subject, right after it, must or means to do something: 2021年,区人大常委会要围绕….
_SUBJECT_MUST = re.compile(
    r"[,，]?[^,，。;；\n]{0,10}?(?<![主重需只])(?:要|拟)(?!求|点|素|闻|是|的)"
)
# Words that look ahead only right after the year (2026年工作部署); further on they describe the
# year reported (2023年是…开局之年, 2025年是…谋划“十五五”的关键之年).
_AHEAD_NEAR = ("目标", "开局", "部署", "谋划", "安排", "任务", "要点", "要求")
_NEAR = 8
# 2020年…计划执行情况, 2007年…计划及财政预算上半年执行情况: a plan carried out, not one made
_PLAN_CARRIED_OUT = re.compile(r"计划[^,，。;；]{0,12}?(?:执行|完成)")
_CLAUSE_END = re.compile(r"[,，。;；、]")
# A report's review of one year: a heading `2020年主要工作`, `一、2013年工作回顾`, `关于2020年的
# 工作`, or `一是2016年工作回顾` / `回顾市政府2021年的工作` in a sentence. Plans are not reviews.
_REVIEW_HEADING = re.compile(
    rf"^[\s#]*(?:{_N}[、.]|\({_N}\))?\s*(?:关于)?{_Y}\s*年?(?:和[^\n]{{0,6}}?)?\s*的?\s*(?:主要)?"
    r"工作(?!安排|任务|建议|要点|计划|打算|思路|重点|目标)[^\n]{0,20}$",
    re.M,
)
_REVIEW_PHRASE = re.compile(
    rf"{_Y}年(?:和[^,。;\n]{{0,6}}?)?工作回顾|回顾[^,。;\n]{{0,8}}?{_Y}(?!\d)|"
    rf"{_Y}年(?:和|及|暨)(?:过去|近)?[两三四五]年(?:来)?的?(?:主要)?工作"
)
# A summary's headline or subtitle: `2024年工作综述`, `——2025年楚雄州人大常委会工作综述`.
_SUMMARY_HEADLINE = re.compile(rf"{_Y}年[^\n,。]{{0,20}}?(?:综述|总结|回眸|亮点|回顾)")
# The date a report was delivered: `——2021年1月12日在房山区第八届人民代表大会第七次会议上`.
# The date a report was delivered, before the session (`——2021年1月12日在…第七次会议上`) or
# after it on its own line (`——在…第三次会议上` / `(2024年3月12日)`).
_SESSION = rf"(?:人民代表大会\s*第{_N}次会议|届人大\s*{_N}次会议)"
_SESSION_DATE = re.compile(
    rf"{_Y}年(\d{{1,2}})月\d{{1,2}}日[^。]{{0,60}}?{_SESSION}|"
    rf"{_SESSION}上?\s*\)?\s*\(\s*{_Y}年(\d{{1,2}})月\d{{1,2}}日\s*\)"
)
_REPORT_TITLE_YEAR = re.compile(rf"{_Y}年[^\n]*工作报告")
_TERM_REVIEW = re.compile(
    r"(?:[二三四五六七八九十两]|(?<!\d)\d{1,2})年(?:来|以来|工作)|\d{1,2}周年(?:工作)?综述|"
    r"换届以来|届以来|任期"
)
_ONE_YEAR = re.compile(r"一年来|过去一年|过去的一年|这一年|去年以来")
# A yearbook's edition: 2022静安年鉴, or a volume named by its year alone (2023卷).
_YEARBOOK = re.compile(rf"{_Y}年?[^\n]{{0,8}}年鉴|^\s*{_Y}\s*卷\s*$", re.M)
# Passed (or, for a law approved rather than passed, 批准: an autonomous county's 自治条例) on that
# date: no other date (2023年1月1日起施行 above it) between the date and 通过.
_PASSED = re.compile(
    rf"{_Y}年\d{{1,2}}月\d{{1,2}}日(?:(?!施行|(?:19|20)\d\d年)[^()。]){{0,80}}?(?:通过|批准)"
)
# A news item's date: 2025-02-20, 2025/02/20, 2025.02.20, 2025年2月20日, or 29.01.2016.
_DATELINE = re.compile(
    rf"{_Y}(?:[-/.](\d\d?)[-/.]\d\d?|年(\d{{1,2}})月\d{{1,2}}日)|"
    rf"(?<![\d.])\d\d?\.(\d\d?)\.{_Y}(?![\d.])"
)
# Years that date a meeting by what it handles for the year under way: 2020年上半年, 2015年地方政府
# 债务限额, 调整2018年预算 or 2022年…预算调整, or plans (2016年工作要点, 2017年…计划, 2022年民生实事
# 候选项目, 安排部署2017年…工作), which a meeting in the last quarter makes for the year after its
# own; not an account of a past year (2021年度), a target (到2035年) or the end of a period
# (2021——2025年).
_MEETING_YEAR = re.compile(
    rf"(?<![到至—–~\-]){_Y}年(?:上半年|前三季度|[^,，。;；、\n]{{0,12}}?"
    r"(?:(要点|计划(?!的?(?:执行|完成))|候选)|限额|预算调整))|"
    rf"调整[^,，。;；\n]{{0,8}}?{_Y}年|"
    rf"(安排|部署|谋划)[^,，。;；\n]{{0,4}}?{_Y}年"
)
_MEETING_DAY = re.compile(r"(?<![\d年])(\d{1,2})月\d{1,2}日")
LAST_QUARTER = 10  # from October a meeting plans the next year
# A day that is no event's: set for a later meeting (…1月17日召开), a deadline (…5月1日前) or a
# start (…起).
_SCHEDULED = re.compile(r"\s*(?:上午|下午|晚上)?\s*(?:召开|举行|开幕)|前|起")
_CHINESE_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?"
)
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
# Dates spaced out in copies of PDFs and print layouts: 2024 年 1 月 27 日.
_SPACED_DATE = re.compile(r"(?<=\d)\s+(?=[年月日])|(?<=[年月])\s+(?=\d)")
# Characters within one clause and not into another year's words.
_SAME_YEAR = r"(?:(?!(?:19|20)\d\d年)[^,，。;；、\n])"
# A committee's report on the year it heard the year's first half carried out (听取…2007年国民经济和
# 社会发展计划及财政预算上半年执行情况的报告), not the year before's accounts (2006年度…决算), nor a
# plan for the next year's first half.
_HALF_YEAR = re.compile(rf"{_Y}年{_SAME_YEAR}{{0,24}}?上半年{_SAME_YEAR}{{0,12}}?(?:执行|完成)情况")
# What a congress session settles for the years it names: carrying out a year's plan, budget or
# projects reviews that year (2020年…计划执行情况, 对2023年民生实事项目推进情况测评); the plan,
# budget or projects put to it are for its own year (2021年计划草案, 2024年民生实事候选项目,
# 票决产生2022年…民生实事项目), which reviews the year before.
_CARRIED_OUT = re.compile(rf"{_Y}年{_SAME_YEAR}{{0,20}}?(?:执行|完成|推进|落实)情况")
_PUT_TO_SESSION = re.compile(
    rf"{_Y}年{_SAME_YEAR}{{0,16}}?(?:(?:计划|预算)(?!{_SAME_YEAR}{{0,2}}(?:执行|完成))|候选项目|项目票决)|"
    rf"票决(?:产生|确定)?了?{_Y}年"
)
# A publication stamp closing a news page: a date on one of its last lines, after the last
# sentence, that names the paper, its edition or the publishing (浙江工人日报 一版要闻 2015年11月25日
# 星期三).
_STAMP_LINES = 3
_PUBLISHED = re.compile(r"日报|晚报|报社|版|发布|刊发|日期|星期")
# A forum's or a crawler's clock line (GMT+8, 2025-3-28 20:36) dates nothing in the document.
_CLOCK_LINE = re.compile(r"^.*(?:GMT|UTC)\s*[+-]\s*\d.*$", re.M)


@dataclass(frozen=True)
class Metadata:
    """What extraction found; None where the document does not say."""

    committee: str | None
    district: str | None
    city: str | None
    province: str | None
    year: int | None
    doctype: str | None = None


def extract(title: str, body: str, committee: str | None = None, context: str = "") -> Metadata:
    """Metadata of one summary; `context` is the rest of the document (a compilation's headings)."""
    title, body, context = fold(title), fold(body), fold(context)
    doctype = classify(f"{context}\n{title}".strip(), body, committee)
    year = work_year(title, body, doctype) or work_year(context, "", doctype)
    if committee:
        return _from_committee(fold(committee), f"{title}\n{body}\n{context}", year, doctype)
    found = places.find(title, f"{body}\n{context}" if context else body)
    if found.place is None:
        return Metadata(found.committee, found.unresolved, None, None, year, doctype)
    place = found.place
    return Metadata(found.committee, place.district, place.city, place.province, year, doctype)


def _from_committee(committee: str, text: str, year: int | None, doctype: str) -> Metadata:
    """A stated committee (a compilation's committee line) names the place; context settles an
    ambiguous name, else the district is kept alone."""
    end = _COMMITTEE_MENTION.search(committee)
    name = gazetteer.name_before(committee, end.start()) if end else None
    place = gazetteer.resolve(name, text) if name else None
    if place is None:
        district = name if _is_district(name) else None
        return Metadata(committee, district, None, None, year, doctype)
    return Metadata(committee, place.district, place.city, place.province, year, doctype)


def _is_district(name: str | None) -> bool:
    """An unresolved name is kept as the district only when every place bearing it is a district."""
    places_named = gazetteer.places_by_name().get(name or "", ())
    return bool(places_named) and all(p.district == name for p in places_named)


def work_year(title: str, body: str, doctype: str = "工作总结") -> int | None:
    """The year whose work the folded document reports, by what kind of document it is."""
    title, body = (_arabic_dates(_unspaced(_CLOCK_LINE.sub("", part))) for part in (title, body))
    text = f"{title}\n{body}"
    if doctype == "法规":
        passed = _PASSED.search(text)  # stated first: later ones amend it or name other laws
        return int(passed.group(1)) if passed else None
    if doctype in ("工作报告", "政府工作报告") or (
        doctype == "会议报道" and about_a_session(title, body)
    ):
        return _reviewed_year(title, body, doctype)
    if doctype == "会议报道":
        dated = _news_date(text)
        return dated[0] if dated else _meeting_year(text)
    yearbook = _YEARBOOK.search(title)
    if yearbook:
        return int(yearbook.group(1) or yearbook.group(2)) - 1  # the 2022 yearbook records 2021
    summary = _SUMMARY_HEADLINE.search(headline(title, body))
    if summary:
        return int(summary.group(1))
    if _TERM_REVIEW.search(text) and not _ONE_YEAR.search(text):
        return None  # a term's review (五年工作综述) names no one year
    return scored_year(title, body)


def _reviewed_year(title: str, body: str, doctype: str) -> int | None:
    """A report to the congress (or news of the session) reviews the year its heading names;
    else the year before the session's when it met in the first half of the year (as nearly
    all do), the session's own year when later; a term's review names no one year."""
    text = f"{title}\n{body}"
    reviews = [m for m in (_REVIEW_HEADING.search(text), _REVIEW_PHRASE.search(text)) if m]
    if reviews:
        first = min(reviews, key=lambda m: m.start())
        return int(next(g for g in first.groups() if g))
    if _TERM_REVIEW.search(text) and not _ONE_YEAR.search(text):
        return None
    # when it met: the date the report was delivered, or a news item's dateline
    session = _SESSION_DATE.search(text)
    met = _year_month(session) if session else None
    if not met and doctype == "会议报道":
        met = _news_date(text)
    if met:
        year, month = met
        return year - 1 if month <= 6 else year
    settled = _settled_year(text) if doctype == "会议报道" else None
    if settled:
        return settled
    half = _HALF_YEAR.findall(text) if doctype == "工作报告" else []
    if len(set(half)) == 1:
        return int(half[0])  # the first half of the reported year was reviewed during it
    past = _past_year(body)
    if past:
        return past
    titled = _REPORT_TITLE_YEAR.search(title) if doctype != "会议报道" else None
    if titled:
        return int(titled.group(1)) - 1
    reported = scored_year("", body)
    if reported:
        return reported
    ahead = [m for m in _YEAR.finditer(body) if _looks_ahead(body[m.end() : m.end() + 12])]
    return int(ahead[0].group(1)) - 1 if ahead else None  # the year before the one planned


def _meeting_year(text: str) -> int | None:
    """The latest year a meeting handles as the year under way; its plans, made at a meeting in
    the last quarter (12月15日…研究2023年工作要点), are for the year after the meeting's."""
    day = _MEETING_DAY.search(text[:LEAD])
    late = bool(day) and int(day.group(1)) >= LAST_QUARTER
    years = [
        int(year or adjusted or planned) - (1 if (plan or planning) and late else 0)
        for year, plan, adjusted, planning, planned in _MEETING_YEAR.findall(text)
    ]
    return max(years, default=None)


def _settled_year(text: str) -> int | None:
    """The year a session reviews by what it settles: the year whose plan or budget was carried
    out, or the year before the one its plans and projects are for; the most named, then the
    first."""
    years = [(m.start(), int(m.group(1))) for m in _CARRIED_OUT.finditer(text)]
    years += [
        (m.start(), int(m.group(1) or m.group(2)) - 1) for m in _PUT_TO_SESSION.finditer(text)
    ]
    counts = Counter(year for _, year in years)
    return max(sorted(years), key=lambda item: counts[item[1]])[1] if years else None


def _news_date(text: str) -> tuple[int, int] | None:
    """The year and month of a news item's event: the year from its dateline (or closing stamp),
    the month from the day its lede opens on (发布日期: 2023-06-07 / 1月18日，代表分组审议…); an event
    in a later month than the dateline's was the year before (a January item on a December
    meeting). Dates set for a later meeting, deadlines and starts date nothing."""
    lead = text[:LEAD]
    date = _unscheduled(_DATELINE, lead) or _stamp(text)
    if date is None:
        return None
    year, month = _year_month(date)
    day = _unscheduled(_MEETING_DAY, lead)
    if day is None:
        return year, month
    event = int(day.group(1))
    return (year - 1 if event > month else year), event


def _unscheduled(pattern: re.Pattern[str], lead: str) -> re.Match[str] | None:
    """The first date in the lead that is no event's: not set for a later meeting
    (决定…于2026年1月17日召开), nor a deadline or a start."""
    return next(
        (
            m
            for m in pattern.finditer(lead)
            if not _SCHEDULED.match(lead, m.end()) and not lead.endswith("于", 0, m.start())
        ),
        None,
    )


def _past_year(body: str) -> int | None:
    """The one year named as the one reported (2019年，…, 2019年是…) and not looked ahead to, in the
    paragraphs that speak of the past year (他说，2019年，是…。一年来，…)."""
    years = {
        int(m.group(1))
        for line in body.split("\n")
        if _ONE_YEAR.search(line)
        for m in _YEAR.finditer(line)
        if line.startswith(_NAMED_AS_REPORTED, m.end() - 1)
        and not _looks_ahead(line[m.end() : m.end() + 20])
    }
    return years.pop() if len(years) == 1 else None


def _stamp(text: str) -> re.Match[str] | None:
    """The publication date closing a news page, on one of its last lines after the last
    sentence, beside the paper, its edition or the publishing (浙江工人日报 一版要闻 …
    2015年11月25日 星期三)."""
    lines = text.rstrip().split("\n")[-_STAMP_LINES:]
    tail = "\n".join(lines).rpartition("。")[2]
    stamps = (_DATELINE.search(line) for line in tail.split("\n") if _PUBLISHED.search(line))
    return next((stamp for stamp in stamps if stamp), None)


def _unspaced(text: str) -> str:
    """2024 年 1 月 27 日 -> 2024年1月27日."""
    return _SPACED_DATE.sub("", text)


def _year_month(date: re.Match[str]) -> tuple[int, int]:
    """The year and month of a matched date, whichever way round it is written."""
    numbers = [int(part) for part in date.groups() if part]
    year = next(n for n in numbers if n > 1900)
    return year, next(n for n in numbers if n <= 12)


def _looks_ahead(after: str) -> bool:
    """The words after `N年` plan that year: 将…, 计划, 工作任务/安排 right after it (in the same
    clause: 2021年各项工作，安排… plans nothing for 2021), or a subject that must or means to act
    (2021年，常委会要…)."""
    after = _PLAN_CARRIED_OUT.sub("", after)
    clause = _CLAUSE_END.split(after[:_NEAR], maxsplit=1)[0]
    return (
        any(w in after for w in _AHEAD)
        or any(w in clause for w in _AHEAD_NEAR)
        or bool(_SUBJECT_MUST.match(after))
    )


def scored_year(title: str, body: str) -> int | None:
    """The title's year, else the best-supported year in the body."""
    title_years = _YEAR.findall(title)
    if title_years:
        return int(title_years[0])
    scores: Counter[int] = Counter()
    for match in _YEAR.finditer(body):
        year = int(match.group(1))
        before = body[max(0, match.start() - 6) : match.start()]
        after = body[match.end() - 1 : match.end() + 20]
        at_paragraph_start = match.start() == 0 or body[match.start() - 1] == "\n"
        score = 1
        subject = _COMMITTEE_SUBJECT.match(after)
        if subject or any(after.startswith(word) for word in _REPORTED_AFTER):
            score += 2
        if any(word in before for word in _REPORTED_BEFORE) or at_paragraph_start:
            score += 2
        plans = after[subject.end() if subject else 1 :]
        if _looks_ahead(plans) or any(w in before for w in _AHEAD):
            score -= 4  # "2026年，常委会将…" looks ahead; it is not the year reported on
        scores[year] += score
    best = [(score, -year) for year, score in scores.items() if score > 1]
    if not best:
        return None
    year = -max(best)[1]  # on a tie the earlier year: the later one is planned
    mentions = Counter(int(y) for y in _YEAR.findall(body))
    # a history names many years, none of them reported on (1985年4月 after 1983年 twice)
    return year if mentions[year] == max(mentions.values()) else None


def _arabic_dates(text: str) -> str:
    """二〇二五年一月二十日 -> 2025年1月20日, so dates written in Chinese numerals are read too."""

    def number(chars: str) -> str:
        if len(chars) == 4:
            return "".join(str(_DIGITS[c]) for c in chars)
        tens, _, units = chars.rpartition("十")
        if "十" not in chars:
            return str(_DIGITS[chars])
        return str((_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0))

    return _CHINESE_DATE.sub(
        lambda m: "".join(
            f"{number(part)}{unit}" for part, unit in zip(m.groups(), "年月日", strict=True) if part
        ),
        text,
    )

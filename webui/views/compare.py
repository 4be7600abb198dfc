"""Places side by side (summaries, work categories and a query's hits per year), and one
district's two consecutive years with the paragraphs new in the later one marked."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request

from archive.categories import Taxonomy, data_taxonomy
from indexer.analysis import normalise
from indexer.highlight import paragraphs
from indexer.models import PlaceCount, SearchRequest, TrendsRequest
from indexer.params import ParamError, parse_compare, parse_search, place_request
from indexer.research import trends
from webui.links import with_args
from webui.navigation import chips
from webui.services import data_dir, get_archive, get_index

bp = Blueprint("compare", __name__)
LEVEL_LABELS = {"district": "区县", "city": "城市", "province": "省份"}
KEPT = 0.5  # a later paragraph is kept when this share of its bigrams was in the earlier year


@dataclass(frozen=True)
class PlaceYear:
    """One place's year: summaries, the query's hits, and the share of paragraphs per category."""

    year: int | None
    summaries: int
    hits: int | None  # None without a query
    paragraphs: int
    categories: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class PlaceColumn:
    name: str
    level: str  # the facet the name was found in
    search: SearchRequest  # the place's records under the page's filters and query
    years: list[PlaceYear]

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.name,
            "level": self.level,
            "years": [y.to_json() for y in self.years],
        }


def level_of(name: str, places: list[PlaceCount]) -> str:
    """The lowest level a place name is known at (an unknown name is taken as a district)."""
    for level in ("district", "city", "province"):
        if any(getattr(p, level) == name for p in places):
            return level
    return "district"


def category_shares(
    search: SearchRequest, taxonomy: Taxonomy
) -> dict[int | None, tuple[int, Counter[str]]]:
    """Per year: the paragraphs of the place's records and how many each category holds."""
    found: dict[int | None, tuple[int, Counter[str]]] = {}
    for passage in get_index().passages(dataclasses.replace(search, q="")):
        count, categories = found.get(passage.year, (0, Counter()))
        categories.update(taxonomy.classify(passage.snippet.text).categories)
        found[passage.year] = (count + 1, categories)
    return found


def place_column(
    name: str, search: SearchRequest, places: list[PlaceCount], taxonomy: Taxonomy
) -> PlaceColumn:
    level = level_of(name, places)
    narrowed = dataclasses.replace(search, filters={**search.filters, level: (name,)})
    [series] = trends(get_index(), TrendsRequest((narrowed,), "year"))
    shares = category_shares(narrowed, taxonomy)
    points = [*series.points, *([series.unknown] if series.unknown.total else [])]
    years = []
    for point in points:
        count, categories = shares.get(point.key, (0, Counter()))  # type: ignore[arg-type]
        years.append(
            PlaceYear(
                point.key,  # type: ignore[arg-type]
                point.total,
                point.hits if search.q else None,
                count,
                {
                    name: round(categories[name] / count, 4) if count else 0.0
                    for name in taxonomy.names
                },
            )
        )
    return PlaceColumn(name, level, narrowed, years)


def compare_data() -> tuple[SearchRequest, list[PlaceColumn]]:
    """What /compare and /api/compare show."""
    places, search = parse_compare(request.args)
    known = get_index().places()
    taxonomy = data_taxonomy(data_dir())
    return search, [place_column(name, search, known, taxonomy) for name in places]


@bp.get("/compare")
def compare_page() -> str:
    search, columns = compare_data()
    return render_template(
        "compare.html",
        req=search,
        columns=columns,
        chips=chips(search),
        categories=data_taxonomy(data_dir()).names,
        level_labels=LEVEL_LABELS,
        api=with_args("compare.api_compare", list(request.args.items(multi=True))),
    )


@bp.get("/api/compare")
def api_compare():  # type: ignore[no-untyped-def]
    search, columns = compare_data()
    return jsonify({"query": search.q, "places": [c.to_json() for c in columns]})


def bigrams(text: str) -> set[str]:
    norm = normalise(text)
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def marked_new(earlier: str, later: str) -> list[tuple[str, bool]]:
    """The later text's paragraphs, each with whether it is new: less than half of its character
    bigrams occur anywhere in the earlier text (rewording keeps a paragraph, new work does not)."""
    seen = bigrams(earlier)
    out = []
    for _, start, end in paragraphs(later):
        grams = bigrams(later[start:end])
        kept = sum(g in seen for g in grams) >= KEPT * len(grams) if grams else True
        out.append((later[start:end], not kept))
    return out


def years_data() -> dict[str, Any]:
    """One district's summaries of a year and of the next, the later one's new paragraphs marked."""
    district = request.args.get("district", "").strip()
    year = parse_search(request.args).years
    if not district or len(year) != 1 or year[0][0] != year[0][1]:
        raise ParamError(
            "请给出一个区县（district）和一个年份（year），例如 district=老边区&year=2024 "
            "(one district and one year)"
        )
    first = year[0][0]
    place = place_request(district, request.args.get("city"), request.args.get("province"), "year")
    hits = list(get_index().matches(place))
    texts = {
        y: "\n".join(get_archive().get(h.id).text for h in hits if h.year == y)
        for y in (first, first + 1)
    }
    if not all(texts.values()):
        abort(404)
    earlier = [(p, False) for p in (texts[first][s:e] for _, s, e in paragraphs(texts[first]))]
    later = marked_new(texts[first], texts[first + 1])
    return {
        "district": district,
        "years": [
            {"year": first, "paragraphs": [{"text": t, "new": n} for t, n in earlier]},
            {"year": first + 1, "paragraphs": [{"text": t, "new": n} for t, n in later]},
        ],
    }


@bp.get("/compare/years")
def years_page() -> str:
    return render_template("compare_years.html", data=years_data(), req=SearchRequest())


@bp.get("/api/compare/years")
def api_years():  # type: ignore[no-untyped-def]
    return jsonify(years_data())

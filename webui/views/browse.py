"""Browsing by place: provinces -> cities -> districts, and one district's summaries year by year."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request

from indexer.models import Hit, PlaceCount, SearchRequest
from indexer.params import place_request
from webui.services import get_index

bp = Blueprint("browse", __name__)
UNKNOWN = "（未标注）"


def year_spans(years: list[int]) -> str:
    """[2019, 2020, 2021, 2025] -> '2019–2021、2025'."""
    spans: list[list[int]] = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _order(name: str | None, places: list[PlaceCount]) -> tuple[bool, bool, int, str]:
    """The place's own summaries first, then places with more records, unknown places last."""
    return name is not None, name == UNKNOWN, -sum(p.count for p in places), name or ""


def level_label(place: PlaceCount) -> str:
    """What a summary with no district belongs to: its city's or its province's own committee."""
    if place.city:
        return "市级"
    return "省级" if place.province else "地区未标注"


def _district_order(place: PlaceCount) -> tuple[bool, str]:
    """The city's own summaries (no district) first, then its districts by name."""
    return place.district is not None, place.district or ""


def places_data() -> list[tuple[str, list[tuple[str | None, list[PlaceCount]]]]]:
    """Provinces -> cities -> places, ordered for reading: what /districts and its JSON show."""
    # A summary without a district is its city's own (city key = the city, a 市级 line) or, with no
    # city either, its province's own (city key None: a 省级 line directly under the province).
    tree: dict[str, dict[str | None, list[PlaceCount]]] = defaultdict(lambda: defaultdict(list))
    for place in get_index().places():
        city = place.city or (UNKNOWN if place.district else None)
        tree[place.province or UNKNOWN][city].append(place)
    provinces: list[tuple[str, list[tuple[str | None, list[PlaceCount]]]]] = []
    for province, cities in tree.items():
        grouped = [(city, sorted(places, key=_district_order)) for city, places in cities.items()]
        provinces.append((province, sorted(grouped, key=lambda kv: _order(*kv))))
    provinces.sort(key=lambda kv: _order(kv[0], [p for _, places in kv[1] for p in places]))
    return provinces


@bp.get("/districts")
def districts() -> str:
    return render_template(
        "districts.html",
        provinces=places_data(),
        year_spans=year_spans,
        level_label=level_label,
        req=SearchRequest(),
    )


@bp.get("/api/districts")
def api_districts():  # type: ignore[no-untyped-def]
    places = [place for _, cities in places_data() for _, group in cities for place in group]
    return jsonify([dataclasses.asdict(place) for place in places])


@dataclass(frozen=True)
class DistrictPage:
    """One district's summaries, newest year first."""

    district: str
    city: str | None
    province: str | None
    by_year: list[tuple[int | None, list[Hit]]]
    place: SearchRequest  # the search that lists them

    @property
    def total(self) -> int:
        return sum(len(hits) for _, hits in self.by_year)

    def to_json(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "city": self.city,
            "province": self.province,
            "total": self.total,
            "years": [
                {"year": year, "records": [hit.to_json() for hit in hits]}
                for year, hits in self.by_year
            ],
        }


def district_data(district: str) -> DistrictPage:
    """What /districts/<区县> and its JSON show; 404 for a place with no records."""
    city, province = request.args.get("city"), request.args.get("province")
    place = place_request(district, city, province, "-year")
    hits = list(get_index().matches(place))
    if not hits:
        abort(404)
    by_year = [(year, list(group)) for year, group in groupby(hits, key=lambda h: h.year)]
    return DistrictPage(district, hits[0].city, hits[0].province, by_year, place)


@bp.get("/districts/<district>")
def district(district: str) -> str:
    return render_template("district.html", page=district_data(district), req=SearchRequest())


@bp.get("/api/districts/<district>")
def api_district(district: str):  # type: ignore[no-untyped-def]
    return jsonify(district_data(district).to_json())

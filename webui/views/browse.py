"""Browsing by place: provinces -> cities -> districts, and one district's summaries year by year."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from itertools import groupby

from flask import Blueprint, abort, jsonify, render_template, request

from indexer.models import PlaceCount, SearchRequest
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


def _order(name: str, places: list[PlaceCount]) -> tuple[bool, int, str]:
    """Places with more records first, unknown places last, then by name."""
    return name == UNKNOWN, -sum(p.count for p in places), name


@bp.get("/districts")
def districts() -> str:
    tree: dict[str, dict[str, list[PlaceCount]]] = defaultdict(lambda: defaultdict(list))
    for place in get_index().places():
        tree[place.province or UNKNOWN][place.city or UNKNOWN].append(place)
    provinces = sorted(
        (
            (province, sorted(cities.items(), key=lambda kv: _order(*kv)))
            for province, cities in tree.items()
        ),
        key=lambda kv: _order(kv[0], [p for _, places in kv[1] for p in places]),
    )
    return render_template(
        "districts.html", provinces=provinces, year_spans=year_spans, req=SearchRequest()
    )


@bp.get("/api/districts")
def api_districts():  # type: ignore[no-untyped-def]
    return jsonify([dataclasses.asdict(place) for place in get_index().places()])


@bp.get("/districts/<district>")
def district(district: str) -> str:
    city, province = request.args.get("city"), request.args.get("province")
    place = SearchRequest(
        district=(district,),
        city=(city,) if city else (),
        province=(province,) if province else (),
        sort="-year",
    )
    hits = list(get_index().matches(place))
    if not hits:
        abort(404)
    by_year = [(year, list(group)) for year, group in groupby(hits, key=lambda h: h.year)]
    first = hits[0]
    return render_template(
        "district.html",
        district=district,
        city=first.city,
        province=first.province,
        by_year=by_year,
        total=len(hits),
        place=place,
        req=SearchRequest(),
    )

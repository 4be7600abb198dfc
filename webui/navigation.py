"""How a user moves through results: the facet tree (province -> city -> district), the selected
filters as removable chips, and pagination."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.records import LABELS, LIST_FACETS, PLACE_LEVELS
from indexer.models import FacetValue, PlaceCount, SearchRequest
from indexer.params import year_values


@dataclass
class FacetNode:
    """One checkbox: the parameter it sets, its value, its count, and the places inside it."""

    name: str
    value: str
    count: int
    selected: bool
    within: bool = False  # inside a selected year range: shown as selected, its own box unticked
    children: list[FacetNode] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Show the children when this or anything inside is selected."""
        return self.selected or any(c.open for c in self.children)


@dataclass(frozen=True)
class Chip:
    """A selected filter, shown with a link that removes it."""

    name: str
    label: str
    value: str | None


def flat(name: str, values: Iterable[FacetValue], chosen: Iterable[str]) -> list[FacetNode]:
    """Facet values as checkboxes; a chosen value the result lacks still shows, so it can be unticked."""
    nodes = [FacetNode(name, v.value, v.count, v.selected) for v in values]
    present = {n.value for n in nodes}
    return nodes + [FacetNode(name, value, 0, True) for value in chosen if value not in present]


def place_tree(
    facets: dict[str, tuple[FacetValue, ...]], places: Iterable[PlaceCount], request: SearchRequest
) -> list[FacetNode]:
    """Provinces holding cities holding districts; parents outside the result show with count 0."""
    parents: dict[str, dict[str, set[str]]] = {
        "city": defaultdict(set),
        "district": defaultdict(set),
    }
    for place in places:
        if place.city and place.province:
            parents["city"][place.city].add(place.province)
        if place.district and place.city:
            parents["district"][place.district].add(place.city)
    levels = {
        name: flat(name, facets.get(name, ()), request.selected(name)) for name in PLACE_LEVELS
    }
    orphans: list[FacetNode] = []
    # Bottom up, so a city added as a parent (count 0) is then placed under its province.
    for child_name, parent_name in (("district", "city"), ("city", "province")):
        by_value = {node.value: node for node in levels[parent_name]}
        for node in levels[child_name]:
            homes = sorted(parents[child_name].get(node.value, ()))
            if not homes:
                orphans.append(node)
            for value in homes:
                if value not in by_value:
                    by_value[value] = FacetNode(parent_name, value, 0, False)
                    levels[parent_name].append(by_value[value])
                by_value[value].children.append(node)
    return levels["province"] + orphans


def year_nodes(
    facets: dict[str, tuple[FacetValue, ...]], request: SearchRequest
) -> list[FacetNode]:
    """Years as the indexer orders them (newest first), then each selected year or range the result
    lacks; a box is ticked when its value is in the URL, so submitting the form keeps every one."""
    values = facets.get("year", ())
    chosen = year_values(request)
    nodes = [
        FacetNode("year", v.value, v.count, v.value in chosen, within=v.selected) for v in values
    ]
    present = {n.value for n in nodes}
    for (low, high), label in zip(request.years, chosen, strict=True):
        if label not in present:
            count = sum(v.count for v in values if low <= int(v.value) <= high)
            nodes.append(FacetNode("year", label, count, True))
    return nodes


def chips(request: SearchRequest) -> list[Chip]:
    """Every active filter, in sidebar order."""
    out = [
        Chip(name, f"{LABELS[name]}：{value}", value)
        for name in LIST_FACETS
        for value in request.selected(name)
    ]
    out += [Chip("year", f"{LABELS['year']}：{v}", v) for v in year_values(request)]
    return out


def without(request: SearchRequest, name: str, value: str | None = None) -> SearchRequest:
    """The request with one filter value (or a whole filter) removed, back on page 1."""
    if name == "year":
        kept_years = tuple(
            span
            for span, label in zip(request.years, year_values(request), strict=True)
            if value is not None and label != value
        )
        return dataclasses.replace(request, years=kept_years, page=1)
    kept = tuple(v for v in request.selected(name) if value is not None and v != value)
    filters = {k: v for k, v in request.filters.items() if k != name} | (
        {name: kept} if kept else {}
    )
    return dataclasses.replace(request, filters=filters, page=1)


def last_page(total: int, per_page: int, last_allowed: int) -> int:
    """The last page holding results (1 when there are none), never past what `page` accepts."""
    return min(max(1, -(-total // per_page)), last_allowed)


def pagination(page: int, total: int, per_page: int, last_allowed: int) -> list[int | None]:
    """Page numbers to link, None where a gap is shown: 1 … 4 5 6 … 20."""
    last = last_page(total, per_page, last_allowed)
    wanted = {1, last, *range(page - 2, page + 3)}
    shown = sorted(p for p in wanted if 1 <= p <= last)
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out

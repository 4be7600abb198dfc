"""Research views: term trends by year or place, and the concordance; each page's data function
feeds both the HTML page and its JSON twin."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from archive.records import LABELS
from indexer import exporting
from indexer.models import ConcordanceRequest, SearchRequest, TrendsRequest
from indexer.params import (
    DEFAULT_LINES,
    MAX_COMPARED,
    MAX_PAGE,
    parse_concordance,
    parse_trends,
)
from indexer.research import Concordance, Key, Series, concordance, trends
from webui.charts import Chart, bar_chart
from webui.links import search_url
from webui.navigation import chips, last_page, pagination
from webui.services import get_index

bp = Blueprint("research", __name__)
BY_LABELS = {"year": "年份", "province": "省份", "city": "城市", "district": "区县"}
LINE_SORT_LABELS = {
    "year": "年份",
    "place": "地区",
    "left": "左文（由近及远）",
    "right": "右文",
}
UNKNOWN = "（未标注）"
CHART_KEYS = 30  # places with the most records drawn; the table holds them all


def narrowed(search: SearchRequest, by: str, key: Key) -> SearchRequest:
    """The search limited to one key of a trend: what a bar links to."""
    if by == "year":
        return dataclasses.replace(search, years=((int(key), int(key)),), page=1)  # type: ignore[arg-type]
    return dataclasses.replace(search, filters={**search.filters, by: (str(key),)}, page=1)


def percent(share: float | None) -> str:
    """A share as a reader wants it: 57.1%; a gap as a dash."""
    return "—" if share is None else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class TrendsPage:
    """A trend: its request and one series per term."""

    request: TrendsRequest
    series: list[Series]

    @property
    def key_label(self) -> str:
        return BY_LABELS[self.request.by]

    @property
    def clipped(self) -> bool:
        """Whether the chart leaves out places (years are always all drawn)."""
        return self.request.by != "year" and len(self.series[0].points) > CHART_KEYS

    def charts(self) -> list[Chart]:
        """Share and raw counts, bar by bar; each bar opens the narrowed search."""
        drawn = len(self.series[0].points) if self.request.by == "year" else CHART_KEYS
        keys = [str(p.key) for p in self.series[0].points[:drawn]]
        by = self.request.by

        def label(s: int, k: int) -> str:
            point = self.series[s].points[k]
            name = self.series[s].q or "全部记录"
            return f"{keys[k]} · {name}：{point.hits} / {point.total} 篇（{percent(point.share)}）"

        def href(s: int, k: int) -> str:
            return search_url(narrowed(self.series[s].request, by, self.series[s].points[k].key))

        points = [s.points[:drawn] for s in self.series]
        share = [[None if p.share is None else p.share * 100 for p in row] for row in points]
        hits = [[None if p.total == 0 else p.hits for p in row] for row in points]
        return [
            bar_chart("命中记录占同条件记录的比例", "%", keys, share, label, href),
            bar_chart("命中记录数（篇）", "", keys, hits, label, href, whole=True),
        ]

    def table(self) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """The numbers of the chart as columns and rows (the unknown key last), for the page and
        the downloads alike."""
        columns = {"key": self.key_label, "total": "记录总数"}
        for i, s in enumerate(self.series):
            name = s.q or "全部记录"
            columns |= {
                f"hits{i}": f"{name}·命中记录",
                f"share{i}": f"{name}·占比",
                f"occurrences{i}": f"{name}·出现次数",
            }
        rows = []
        points = [*zip(*(s.points for s in self.series), strict=True)]
        unknown = tuple(s.unknown for s in self.series)
        if unknown and unknown[0].total:
            points.append(unknown)
        for group in points:
            row: dict[str, Any] = {
                "key": UNKNOWN if group[0].key is None else group[0].key,
                "total": group[0].total,
            }
            for i, point in enumerate(group):
                share = None if point.share is None else round(point.share, 4)
                row |= {
                    f"hits{i}": point.hits,
                    f"share{i}": share,
                    f"occurrences{i}": point.occurrences,
                }
            rows.append(row)
        return columns, rows

    def to_json(self) -> dict[str, Any]:
        return {"by": self.request.by, "series": [s.to_json() for s in self.series]}


def trends_data() -> TrendsPage:
    """What /trends, /api/trends and the table downloads show."""
    trend = parse_trends(request.args)
    return TrendsPage(trend, trends(get_index(), trend))


@bp.get("/trends")
def trends_page() -> str:
    page = trends_data()
    terms = [s.q for s in page.request.searches if s.q]
    return render_template(
        "trends.html",
        page=page,
        req=page.request.searches[0],
        terms=terms + [""] * (MAX_COMPARED - len(terms)),
        chips=chips(page.request.searches[0]),
        by_labels=BY_LABELS,
        percent=percent,
        labels=LABELS,
    )


@bp.get("/api/trends")
def api_trends():  # type: ignore[no-untyped-def]
    return jsonify(trends_data().to_json())


@bp.get("/trends/table")
def trends_table() -> Response:
    """The trend's table as CSV or XLSX."""
    fmt = request.args.get("format", "csv")
    page = trends_data()
    columns, rows = page.table()
    response = Response(exporting.table(fmt, columns, rows), content_type=exporting.FORMATS[fmt])
    terms = "+".join(s.q for s in page.request.searches if s.q)
    name = exporting.filename(dataclasses.replace(page.request.searches[0], q=terms), "record", fmt)
    stem, _, ext = name.rpartition(".")
    name = f"{stem}-按{page.key_label}统计.{ext}"
    response.headers["Content-Disposition"] = exporting.content_disposition(name)
    return response


def concordance_data() -> tuple[ConcordanceRequest, Concordance]:
    """What /concordance and /api/concordance show."""
    lines = parse_concordance(request.args)
    return lines, concordance(get_index(), lines)


def concordance_json(lines: ConcordanceRequest, found: Concordance) -> dict[str, Any]:
    return {
        "query": lines.search.q,
        "occurrences": found.occurrences,
        "records": found.records,
        "sort": lines.sort,
        "context": lines.context,
        "page": lines.page,
        "per_page": lines.per_page,
        "lines": [line.to_json() for line in found.lines],
    }


@bp.get("/concordance")
def concordance_page() -> str:
    lines, found = concordance_data()
    return render_template(
        "concordance.html",
        lines=lines,
        found=found,
        req=lines.search,
        chips=chips(lines.search),
        sort_labels=LINE_SORT_LABELS,
        pages=pagination(lines.page, found.occurrences, lines.per_page, MAX_PAGE),
        last_page=last_page(found.occurrences, lines.per_page, MAX_PAGE),
        default_per_page=DEFAULT_LINES,
    )


@bp.get("/api/concordance")
def api_concordance():  # type: ignore[no-untyped-def]
    return jsonify(concordance_json(*concordance_data()))

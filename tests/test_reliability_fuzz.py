"""Fuzzing with hypothesis: the search API and the whole web app only ever answer or refuse cleanly.

The indexer's public API returns a SearchResult or raises QueryError (its documented user error),
for any text and any parameters. The app answers any query string with 200 or 400 (never 500),
JSON that parses under /api/, and pages without executable markup. `make soak` runs many more
examples than `make test`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive
from indexer import Index, QueryError, SearchRequest, SearchResult
from tests.load.safety import active_markup
from webui import create_app

CI = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOAK = settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters users and attackers type: query syntax, CJK (also traditional and full-width),
# astral and combining characters, zero-width and control characters. Lone surrogates (not
# text, but a Python str may hold them) go only to the API: HTTP cannot carry them.
SYNTAX = '"-:()*?~^\\/[]{}<>&;=%+ \t\n　ORNTtitle'
typed = st.text(
    st.sampled_from(SYNTAX)
    | st.sampled_from(
        "代表联络站人大常委會監督（）「」ＡＢ１２𠀀😀\u0301\u200b\u200d\ufeff\x00\x7f"
    )
    | st.characters(exclude_categories=("Cs",)),
    max_size=60,
)
words = st.sampled_from(["OR", "NOT", "title:", "-", '"', "代表", "监督", "foo:"])
queries = typed | st.lists(words | typed, max_size=12).map(" ".join)
choice = st.sampled_from
values = st.lists(typed | choice(["辽宁省", "营口市", "老边区", "监督", "代表工作"]), max_size=3)
surrogates = st.text(st.characters(categories=("Cs",)) | st.sampled_from("代表 OR"), min_size=1)


@pytest.fixture(scope="module")
def indexed(seeded_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(seeded_data_dir, data)
    Index(data).update(Archive(data))
    return data


@pytest.fixture(scope="module")
def index(indexed: Path):  # type: ignore[no-untyped-def]
    with Index.open(indexed) as index:
        yield index


requests = st.builds(
    SearchRequest,
    q=queries | surrogates,
    mode=choice(["exact", "words", "", "EXACT", "regex"]),
    scope=choice(["all", "title", "body"]),
    filters=st.fixed_dictionaries(
        {
            "province": values.map(tuple),
            "city": values.map(tuple),
            "district": (values | st.lists(surrogates, max_size=2)).map(tuple),
            "category": values.map(tuple),
        }
    ),
    years=st.lists(st.tuples(st.integers(-10, 3000), st.integers(-10, 3000)), max_size=3).map(
        tuple
    ),
    sort=choice(["relevance", "year", "-year", "district", "random"]),
    page=st.integers(-2, 2000),
    per_page=st.integers(-1, 150),
)


def search_everything(index: Index, request: SearchRequest) -> None:
    """Each entry point of the search API: a result, or a QueryError with a one-line message."""
    try:
        result = index.search(request)
        hits = list(index.matches(request))
        passages = list(index.passages(request))
        if request.q:
            index.highlight("代表联络站𠀀😀" + request.q, request)
    except QueryError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert isinstance(result, SearchResult)
    assert result.total == len(hits)
    assert len(result.hits) <= request.per_page
    assert all(p.id in {h.id for h in hits} for p in passages)
    for name, counts in result.facets.items():
        # A record has one place and one year (several categories); a facet with a selection is
        # counted without its own filter, so only unselected ones are bounded by the total.
        selected = bool(request.years) if name == "year" else None
        if name != "category" and not (selected or request.selected(name)):
            assert sum(v.count for v in counts) <= result.total


@CI
@given(request=requests)
def test_search_api_answers_or_raises_query_error(index: Index, request: SearchRequest) -> None:
    search_everything(index, request)


@pytest.mark.soak
@SOAK
@given(request=requests)
def test_soak_search_api(index: Index, request: SearchRequest) -> None:
    search_everything(index, request)


@pytest.mark.parametrize("q", ["\ud800", "代表\udfff", "\udced\udca0\udc80"])
def test_lone_surrogates_in_a_query_are_a_query_error(index: Index, q: str) -> None:
    with pytest.raises(QueryError):
        index.search(SearchRequest(q=q))


# --- the web app ---------------------------------------------------------------------------------

NAMES = ["q", "mode", "scope", "sort", "page", "per_page", "year", "province", "city", "district"]
NAMES += ["category", "format", "level", "bom", "x", "", "q[]", "__proto__", "by", "context"]
PATHS = ["/", "/search", "/api/search", "/api/facets", "/export", "/records/387a6fb41bfe"]
PATHS += ["/api/records/387a6fb41bfe", "/districts", "/districts/老边区", "/help"]
PATHS += ["/trends", "/api/trends", "/trends/table", "/concordance", "/api/concordance"]
PATHS += ["/compare", "/api/compare", "/compare/years", "/records/387a6fb41bfe/cite.ris"]
pairs = st.lists(
    st.tuples(
        choice(NAMES),
        typed | choice(["2025", "2020-2025", "words", "title", "csv", "0", "left", "province"]),
    ),
    max_size=8,
)
raw_query = st.binary(max_size=80).map(lambda b: quote_from_bytes(b, safe=b"=&%+;"))


@pytest.fixture(scope="module")
def client(indexed: Path) -> FlaskClient:
    return create_app({"DATA_DIR": str(indexed)}).test_client()


def check_reply(client: FlaskClient, path: str, query_string: list | str) -> None:
    """200 or 400 (404 for a place or record that does not exist), never a server error."""
    reply = client.get(path, query_string=query_string)
    assert reply.status_code in (200, 400, 404), (path, query_string, reply.status_code)
    body = reply.get_data()
    if path.startswith("/api/") or reply.mimetype == "application/json":
        assert isinstance(json.loads(body), (dict, list))
    elif reply.mimetype == "text/html":
        assert active_markup(body.decode("utf-8")) == []


@CI
@given(path=choice(PATHS), params=pairs)
def test_any_parameters_get_200_or_400(client: FlaskClient, path: str, params: list) -> None:
    check_reply(client, path, params)


@CI
@given(path=choice(PATHS), query=raw_query)
def test_any_query_string_bytes_get_200_or_400(client: FlaskClient, path: str, query: str) -> None:
    check_reply(client, path, query)


@pytest.mark.soak
@SOAK
@given(path=choice(PATHS), params=pairs, query=raw_query)
def test_soak_web_parameters(client: FlaskClient, path: str, params: list, query: str) -> None:
    check_reply(client, path, params)
    check_reply(client, path, query)

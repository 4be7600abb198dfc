"""The `index` and `search` commands on the seeds, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from webui.cli import main


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_index_then_search_json(seeded_copy: Path):
    code, out = run(seeded_copy, "index")
    assert code == 0
    assert out.splitlines()[-1] == "index rebuilt: 7 added, 0 changed, 0 removed, 0 unchanged"
    code, out = run(seeded_copy, "index")
    assert out.splitlines()[-1] == "index updated: 0 added, 0 changed, 0 removed, 7 unchanged"

    code, out = run(seeded_copy, "search", "基层立法联系点", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "基层立法联系点"
    assert data["total"] == 2
    assert [(h["district"], h["city"], h["province"], h["year"]) for h in data["hits"]] == [
        ("西市区", "营口市", "辽宁省", 2025),
        ("站前区", "营口市", "辽宁省", 2025),
    ]
    assert set(data["hits"][0]) == {
        "id", "title", "committee", "district", "city", "province", "year", "doctype",
        "categories", "snippets",
    }  # fmt: skip
    marked = [
        snippet["text"][a:b]
        for hit in data["hits"]
        for snippet in hit["snippets"]
        for a, b in snippet["marks"]
    ]
    assert marked == ["基层立法联系点"] * 3
    assert data["facets"] == {
        "province": [{"value": "辽宁省", "count": 2}],
        "city": [{"value": "营口市", "count": 2}],
        "district": [{"value": "站前区", "count": 1}, {"value": "西市区", "count": 1}],
        "year": [{"value": "2025", "count": 2}],
        "doctype": [{"value": "工作总结", "count": 2}],
        # 西市区 only: 站前区's one long paragraph reads as an overview (test_categories.py)
        "category": [
            {"value": "代表工作", "count": 1},
            {"value": "数字人大", "count": 1},
            {"value": "监督", "count": 1},
            {"value": "立法", "count": 1},
        ],
    }


def test_search_filters_and_facets_under_selection(seeded_copy: Path):
    run(seeded_copy, "index")
    _code, out = run(
        seeded_copy, "search", "代表之家", "--district", "盖州市", "--district", "站前区",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert data["total"] == 0
    assert data["facets"]["district"] == [
        {"value": "大石桥市", "count": 1},
        {"value": "安州区", "count": 1},
        {"value": "老边区", "count": 1},
        {"value": "西市区", "count": 1},
        {"value": "盖州市", "count": 0},
        {"value": "站前区", "count": 0},
    ]


def test_search_text_marks_matches(seeded_copy: Path):
    run(seeded_copy, "index")
    _code, out = run(seeded_copy, "search", "基层立法联系点", "--limit", "1")
    lines = out.splitlines()
    assert lines[0] == "2 records match"
    assert "辽宁省 营口市 西市区" in lines[1]
    assert [line.count("[基层立法联系点]") for line in lines[2:]] == [2]


def test_search_errors_are_one_line(seeded_copy: Path, tmp_path: Path):
    code, out = run(tmp_path / "empty", "search", "人大")
    assert code == 1 and "no archive in" in out and len(out.splitlines()) == 1
    code, out = run(seeded_copy, "search", "人大")
    assert code == 1 and "还没有索引" in out and len(out.splitlines()) == 1
    run(seeded_copy, "index")
    code, out = run(seeded_copy, "search", '"人大')
    assert code == 1 and out.startswith("Error: 引号不成对")

"""Ingest end to end: seeds to records, idempotence, replacement, overrides, bad input."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive, formats, ingest, store
from archive.ingest import Progress, ingest_paths
from archive.records import make_id
from archive.workers import in_workers
from tests.formats_fixtures import SUMMARY, make_docx, make_pdf, news_page
from webui import cli
from webui.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
COMPILATION = SEEDS / "000_28b25648c5712bde.txt"
ARTICLE = SEEDS / "003_f064755b27ea1fff.txt"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_seeds_give_seven_records_with_their_metadata(seeded_data_dir):
    code, output = _run("--data-dir", str(seeded_data_dir), "records", "--format", "json")
    assert code == 0
    rows = json.loads(output)
    compilation = {
        "committee": None,
        "city": "营口市",
        "province": "辽宁省",
        "year": 2025,
        "doctype": "工作总结",
        "source": "seeds/000_28b25648c5712bde.txt",
    }
    expected = [
        {**compilation, "part": 1, "title": "履职聚焦民生 法治护航发展", "district": "鲅鱼圈区"},
        {**compilation, "part": 2, "title": "履职担当践使命 服务民生促发展", "district": "盖州市"},
        {
            **compilation,
            "part": 3,
            "title": "踔厉奋发担使命 履职尽责谱新篇",
            "district": "大石桥市",
        },
        {**compilation, "part": 4, "title": "创新监督方式 提升履职质效", "district": "老边区"},
        {**compilation, "part": 5, "title": "强化思想引领 反映百姓心声", "district": "站前区"},
        {**compilation, "part": 6, "title": "拓宽民主渠道 增强监督实效", "district": "西市区"},
    ]
    for row in expected:
        row["committee"] = row["district"] + "人大常委会"
        row["id"] = make_id(_sha(COMPILATION), row["part"])
    expected.append(
        {
            "id": make_id(_sha(ARTICLE), None),
            "title": "履职担当促发展 砥砺奋进谱新篇",
            "committee": "安州区人大常委会",
            "district": "安州区",
            "city": "绵阳市",
            "province": "四川省",
            "year": 2025,
            "doctype": "工作总结",
            "source": "seeds/003_f064755b27ea1fff.txt",
            "part": None,
        }
    )
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == 7
    for row in expected:
        got = dict(by_id[row["id"]])
        assert isinstance(got.pop("categories"), list)
        assert got == row
    assert list(rows[0]) == [
        "id",
        "title",
        "committee",
        "district",
        "city",
        "province",
        "year",
        "doctype",
        "categories",
        "source",
        "part",
    ]


def test_records_table_lists_each_record_on_a_line(seeded_data_dir):
    code, output = _run("--data-dir", str(seeded_data_dir), "records")
    assert code == 0
    lines = output.splitlines()
    assert lines[-1] == "7 records"
    article = make_id(_sha(ARTICLE), None)
    (line,) = [line for line in lines if line.startswith(article)]
    assert line.startswith(
        f"{article}  2025  四川省 绵阳市 安州区  履职担当促发展 砥砺奋进谱新篇  ["
    )


def test_ingest_is_idempotent_and_reports_what_it_did(tmp_path, monkeypatch):
    monkeypatch.chdir(SEEDS.parent)
    data = str(tmp_path / "data")
    assert _run("--data-dir", data, "ingest", "seeds") == (
        0,
        f"data dir: {data} (new archive)\n"
        "2 added, 0 updated, 0 unchanged, 0 failed, 0 skipped (7 records from these sources)\n",
    )
    before = {p.name: p.read_bytes() for p in (tmp_path / "data" / "records").iterdir()}
    assert _run("--data-dir", data, "ingest", "seeds") == (
        0,
        "0 added, 0 updated, 2 unchanged, 0 failed, 0 skipped (7 records from these sources)\n",
    )
    after = {p.name: p.read_bytes() for p in (tmp_path / "data" / "records").iterdir()}
    assert after == before


def test_a_changed_source_replaces_its_records_and_the_kept_ones_keep_their_ids(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    shutil.copy(COMPILATION, "compilation.txt")
    archive = Archive(tmp_path / "data")
    ingest_paths(archive, ["compilation.txt"])
    old_ids = {r.part: r.id for r in archive}
    text = COMPILATION.read_text(encoding="utf-8")
    Path("compilation.txt").write_text(text[: text.index("## 创新监督方式")], encoding="utf-8")
    report = ingest_paths(archive, ["compilation.txt"])
    assert (report.added, report.updated, report.unchanged, report.records) == (0, 1, 0, 3)
    assert {r.part: r.id for r in archive} == {part: old_ids[part] for part in (1, 2, 3)}
    assert sorted(r.district for r in archive) == ["大石桥市", "盖州市", "鲅鱼圈区"]


def test_a_users_correction_survives_reingesting_the_same_source(seeded_copy, monkeypatch):
    monkeypatch.chdir(SEEDS.parent)
    archive = Archive(seeded_copy)
    record_id = make_id(_sha(ARTICLE), None)
    path = archive.path(record_id)
    path.write_text(
        path.read_text(encoding="utf-8").replace("district: 安州区", "district: 涪城区"), "utf-8"
    )
    ingest_paths(archive, [SEEDS])
    assert archive.get(record_id).district == "涪城区"


def test_front_matter_overrides_extraction_and_an_unresolvable_name_stays_unresolved(tmp_path):
    source = tmp_path / "chaoyang.md"
    source.write_text(
        "---\ntitle: 朝阳区人大常委会工作综述\nyear: 2024\ncategories: [代表工作]\n---\n\n"
        "2025年，朝阳区人大常委会依法履职，开展执法检查。\n",
        encoding="utf-8",
    )
    archive = Archive(tmp_path / "data")
    report = ingest_paths(archive, [source])
    assert report.failures == []
    (record,) = list(archive)
    assert (record.title, record.year, record.categories) == (
        "朝阳区人大常委会工作综述",
        2024,
        ("代表工作",),
    )
    assert (record.committee, record.district, record.city, record.province) == (
        "朝阳区人大常委会",
        "朝阳区",
        None,
        None,
    )


def test_front_matter_place_is_completed_from_the_gazetteer(tmp_path):
    source = tmp_path / "x.md"
    source.write_text(
        "---\ndistrict: 朝阳区\ncity: 长春市\n---\n\n今年依法履职。\n", encoding="utf-8"
    )
    archive = Archive(tmp_path / "data")
    ingest_paths(archive, [source])
    (record,) = list(archive)
    assert (record.district, record.city, record.province) == ("朝阳区", "长春市", "吉林省")


def test_jsonl_rows_become_records_with_their_fields(tmp_path):
    source = tmp_path / "rows.jsonl"
    rows = [
        {"title": "甲", "text": "2025年，鲅鱼圈区人大常委会开展执法检查。"},
        {"title": "乙", "text": "代表进站。", "district": "西湖区", "city": "杭州市", "year": 2023},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    archive = Archive(tmp_path / "data")
    assert ingest_paths(archive, [source]).records == 2
    got = sorted(archive, key=lambda r: r.part)
    assert [(r.part, r.title, r.district, r.city, r.province, r.year) for r in got] == [
        (1, "甲", "鲅鱼圈区", "营口市", "辽宁省", 2025),
        (2, "乙", "西湖区", "杭州市", "浙江省", 2023),
    ]
    assert got[1].categories == ("代表工作",)


def test_bad_files_are_reported_skipped_and_nothing_stored_is_lost(seeded_copy, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (bad / "good.txt").write_text(
        "# 盖州市人大常委会2024年工作总结\n\n2024年，盖州市人大常委会依法履职，开展执法检查。\n",
        "utf-8",
    )
    before = {p.name: p.read_bytes() for p in (seeded_copy / "records").iterdir()}
    code, output = _run("--data-dir", str(seeded_copy), "ingest", str(bad))
    assert code == 1
    lines = output.splitlines()
    assert lines[-1] == (
        "1 added, 0 updated, 0 unchanged, 3 failed, 0 skipped (1 records from these sources)"
    )
    failures = sorted(line for line in lines if line.startswith("failed: "))
    assert [line.split(": ")[1].rsplit("/", 1)[-1] for line in failures] == [
        "broken.docx",
        "empty.txt",
        "junk.txt",
    ]
    after = {p.name: p.read_bytes() for p in (seeded_copy / "records").iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 1


@pytest.mark.parametrize("env", [True, False])
def test_data_dir_comes_from_the_option_or_the_environment(tmp_path, monkeypatch, env):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("# 标题\n\n2025年，盖州市人大常委会依法履职。\n", "utf-8")
    if env:
        monkeypatch.setenv("CONGRESS_ARCHIVE_HOME", str(tmp_path / "home"))
        code, _ = _run("ingest", "a.txt")
        assert len(Archive(tmp_path / "home")) == 1
    else:
        monkeypatch.delenv("CONGRESS_ARCHIVE_HOME", raising=False)
        code, _ = _run("ingest", "a.txt")
        assert len(Archive(tmp_path / "data")) == 1
    assert code == 0


def test_every_format_ingests_to_records_with_metadata(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "page.html").write_text(news_page(), encoding="utf-8")
    (folder / "report.docx").write_bytes(make_docx())
    (folder / "scan.pdf").write_bytes(
        make_pdf(
            [["西市区人大常委会2025年工作总结", "2025年，西市区人大常委会依法履职，开展执法检查。"]]
        )
    )
    (folder / "gbk.txt").write_bytes(SUMMARY.encode("gb18030"))
    (folder / "utf16.md").write_bytes(
        ("\ufeff# 盖州市人大常委会2025年工作总结\n\n" + SUMMARY).encode("utf-16-le")
    )
    archive = Archive(tmp_path / "data")
    report = ingest_paths(archive, [folder])
    assert report.failures == []
    got = sorted((Path(r.source).name, r.district, r.city, r.year) for r in archive)
    assert got == [
        ("gbk.txt", "盖州市", "营口市", None),  # only "2025年累计…" in passing: no work year
        ("page.html", "安州区", "绵阳市", 2025),
        ("report.docx", "盖州市", "营口市", 2025),
        ("scan.pdf", "西市区", "营口市", 2025),
        ("utf16.md", "盖州市", "营口市", 2025),
    ]


def test_a_source_field_override_does_not_break_reingest(tmp_path):
    source = tmp_path / "rows.jsonl"
    row = {
        "title": "甲",
        "text": "2025年，朝阳区人大常委会在长春市委领导下开展执法检查。",
        "source": "人民网",
    }
    source.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    archive = Archive(tmp_path / "data")
    assert ingest_paths(archive, [source]).added == 1
    assert ingest_paths(archive, [source]).unchanged == 1
    (record,) = list(archive)
    assert record.source == "人民网"
    row["text"] = row["text"].replace("执法检查", "专题询问")
    source.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    assert ingest_paths(archive, [source]).updated == 1
    (record,) = list(archive)  # replaced, not duplicated
    assert "专题询问" in record.text


def test_a_record_file_removed_by_hand_counts_as_deleted(seeded_copy, monkeypatch):
    monkeypatch.chdir(SEEDS.parent)
    archive = Archive(seeded_copy)
    corrected, lost = make_id(_sha(COMPILATION), 1), make_id(_sha(COMPILATION), 2)
    path = archive.path(corrected)
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2025", "year: 2024"), "utf-8")
    archive.path(lost).unlink()
    report = ingest_paths(archive, [SEEDS])
    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)
    assert archive.get(corrected).year == 2024
    assert lost not in archive.ids()
    assert [r.district for r in archive.deleted()] == ["盖州市"]
    report = ingest_paths(archive, [SEEDS], restore_deleted=True)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert archive.get(lost).district == "盖州市"
    assert archive.get(corrected).year == 2024


def test_a_record_missing_from_an_archive_made_before_the_registry_is_written_again(
    seeded_copy, monkeypatch
):
    monkeypatch.chdir(SEEDS.parent)
    archive = Archive(seeded_copy)
    (seeded_copy / "registry.json").unlink()  # as an older version left it
    lost = make_id(_sha(COMPILATION), 2)
    archive.path(lost).unlink()  # e.g. a crash in the middle of that version's first ingest
    report = ingest_paths(archive, [SEEDS])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert archive.get(lost).district == "盖州市"


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("city: 营口市", ("鲅鱼圈区", "营口市", "辽宁省")),  # agrees with extraction: kept whole
        ("province: 辽宁省", ("鲅鱼圈区", "营口市", "辽宁省")),
        ("district: 老边区", ("老边区", "营口市", "辽宁省")),  # disagrees: completed upwards
        ("city: 长春市", (None, "长春市", "吉林省")),  # no district of 长春 is known here
    ],
)
def test_stated_place_fields_override_extraction_one_by_one(tmp_path, front, expected):
    source = tmp_path / "a.md"
    source.write_text(
        f"---\n{front}\n---\n\n# 标题\n\n2025年，鲅鱼圈区人大常委会依法履职，开展执法检查。\n",
        "utf-8",
    )
    archive = Archive(tmp_path / "data")
    ingest_paths(archive, [source])
    (record,) = list(archive)
    assert (record.district, record.city, record.province) == expected


def test_a_missing_path_is_one_failure_and_the_batch_goes_on(tmp_path, monkeypatch):
    monkeypatch.chdir(SEEDS.parent)
    data = str(tmp_path / "data")
    code, output = _run("--data-dir", data, "ingest", "seeds", "nope.txt")
    assert code == 1
    assert output.splitlines() == [
        f"data dir: {data} (new archive)",
        "failed: nope.txt: cannot read the file (No such file or directory)",
        "2 added, 0 updated, 0 unchanged, 1 failed, 0 skipped (7 records from these sources)",
    ]


def test_an_address_of_another_scheme_is_refused_as_an_address(tmp_path):
    """ftp://… is not read as a path (whose `//` would collapse): fetching refuses its scheme."""
    code, output = _run("--data-dir", str(tmp_path / "data"), "ingest", "ftp://127.0.0.1/x")
    assert code == 1
    assert (
        "failed: ftp://127.0.0.1/x: 只支持 http 和 https 地址 (only http/https, not ftp)\n"
        in output
    )


def _bulk(folder: Path, count: int) -> Path:
    """A JSONL of `count` summaries."""
    rows = [
        {"title": f"甲区人大常委会{i}", "text": f"今年以来，开展监督{i}次。"} for i in range(count)
    ]
    path = folder / "bulk.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_a_jsonl_over_the_limit_is_streamed_in_batches(tmp_path, monkeypatch):
    """Past the size limit a JSONL is still ingested, its records group-committed as they come."""
    monkeypatch.setattr(formats, "MAX_BYTES", 100)
    monkeypatch.setattr(store, "BATCH_FILES", 10)
    commits = []
    monkeypatch.setattr(store, "_sync", lambda data_dir, files: commits.append(len(files)))
    source = _bulk(tmp_path, 12)
    archive = Archive(tmp_path / "data")
    report = ingest_paths(archive, [source])
    assert (report.added, report.records) == (1, 12)
    assert commits == [10, 10, 5]  # the kept source, then a note and a record per summary
    ids = [make_id(_sha(source), part) for part in range(1, 13)]
    assert sorted(ids) == archive.ids()
    assert [archive.get(i).text for i in ids] == [f"今年以来，开展监督{i}次。" for i in range(12)]
    assert archive.source_path(_sha(source)).read_bytes() == source.read_bytes()
    assert ingest_paths(archive, [source]).summary() == (
        "0 added, 0 updated, 1 unchanged, 0 failed, 0 skipped (12 records from these sources)"
    )


def test_a_large_jsonl_made_in_worker_processes_gives_the_same_files(tmp_path, monkeypatch):
    """Past PARALLEL_MIN_ROWS a JSONL's records are made in worker processes, a chunk at a time:
    the archive holds the same bytes, in the same order of ids, as when made in-process."""
    rows = [
        {"title": f"第{i}号", "text": f"{SUMMARY}\n今年以来，开展执法检查{i}次。", "year": 2000 + i}
        for i in range(7)
    ]
    source = tmp_path / "bulk.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    alone = Archive(tmp_path / "alone")
    ingest_paths(alone, [source])
    monkeypatch.setattr(ingest, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 2)
    chunks: list[int] = []

    def counted(fn, rows):  # type: ignore[no-untyped-def]
        return in_workers(fn, (chunks.append(len(chunk)) or chunk for chunk in rows))

    monkeypatch.setattr(ingest, "in_workers", counted)
    pooled = Archive(tmp_path / "pooled")
    assert ingest_paths(pooled, [source]).records == 7
    assert chunks == [2, 2, 2, 1]
    assert pooled.ids() == alone.ids()
    for folder in ("records", "extracted"):
        files = sorted((tmp_path / "alone" / folder).iterdir())
        assert [f.read_bytes() for f in files] == [
            (tmp_path / "pooled" / folder / f.name).read_bytes() for f in files
        ]
    assert (
        json.loads((tmp_path / "pooled" / "registry.json").read_text())["sources"]
        == (json.loads((tmp_path / "alone" / "registry.json").read_text())["sources"])
    )


def test_ingest_reports_progress_by_record_and_by_file(tmp_path):
    bulk = _bulk(tmp_path, 2)
    (tmp_path / "b.txt").write_text(SUMMARY, encoding="utf-8")
    seen: list[Progress] = []
    ingest_paths(Archive(tmp_path / "data"), [bulk, tmp_path / "b.txt"], progress=seen.append)
    assert seen == [
        Progress(0, 2, 1, 0.25),
        Progress(0, 2, 2, 0.5),
        Progress(1, 2, 2, 0.5),
        Progress(1, 2, 3, 0.5),
        Progress(2, 2, 3, 1.0),
    ]


def test_ingest_prints_plain_progress_lines_when_not_on_a_terminal(tmp_path, monkeypatch):
    clock = itertools.count(0.0)
    monkeypatch.setattr(cli, "monotonic", lambda: next(clock))  # one second per progress call
    monkeypatch.setattr(cli, "PLAIN_EVERY", 1.0)
    bulk = _bulk(tmp_path, 2)
    (tmp_path / "b.txt").write_text(SUMMARY, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "data"), "ingest", str(bulk), str(tmp_path / "b.txt")]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"data dir: {tmp_path / 'data'} (new archive)",
        "ingesting: 0/2 files, 1 records, 1 records/s, 0:00:03 left",
        "ingesting: 0/2 files, 2 records, 1 records/s, 0:00:02 left",
        "ingesting: 1/2 files, 2 records, 1 records/s, 0:00:03 left",
        "ingesting: 1/2 files, 3 records, 1 records/s, 0:00:04 left",
        "ingesting: 2/2 files, 3 records, 1 records/s, 0:00:00 left",
    ]


def test_a_streamed_jsonl_changed_after_its_check_gives_the_records_of_the_checked_bytes(
    tmp_path, monkeypatch
):
    """The second reading of a large JSONL is from the kept copy, whose digest was verified:
    a file rewritten in between cannot give records of other bytes under the checked digest."""
    monkeypatch.setattr(formats, "MAX_BYTES", 100)
    source = _bulk(tmp_path, 3)
    checked = source.read_bytes()
    keep = Archive.keep_source

    def keep_then_edit(archive: Archive, path: Path, sha256: str) -> None:
        keep(archive, path, sha256)
        path.write_text('{"title": "别的", "text": "别的内容。"}\n', encoding="utf-8")

    monkeypatch.setattr(Archive, "keep_source", keep_then_edit)
    archive = Archive(tmp_path / "data")
    assert ingest_paths(archive, [source]).records == 3
    ids = [make_id(hashlib.sha256(checked).hexdigest(), part) for part in (1, 2, 3)]
    assert [archive.get(i).text for i in ids] == [f"今年以来，开展监督{i}次。" for i in range(3)]


def _folder_ingest(folder: Path, data: Path) -> tuple[str, list[tuple[str, str]], list]:
    archive = Archive(data)
    report = ingest_paths(archive, [folder])
    failed = [(Path(f.path).name, f.reason) for f in (*report.failures, *report.skipped)]
    records = sorted((r.id, r.metadata(), r.text) for r in archive)
    notes = sorted(p.read_bytes() for p in (data / "extracted").iterdir())
    return report.summary(), failed, [*records, *notes]


def test_many_files_read_ahead_in_workers_ingest_as_one_at_a_time(tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(7):
        text = SUMMARY.replace("2025", str(2015 + i))
        (folder / f"{i}.txt").write_text(f"第{i}篇\n\n{text}", "utf-8")
    (folder / "3b.txt").write_text("   \n", "utf-8")  # no text: fails in the worker
    (folder / "5b.exe").write_bytes(b"MZ")  # skipped, never read
    (folder / "2b.jsonl").write_text('{"title": "甲", "text": "代表进站。"}\n', "utf-8")
    monkeypatch.setattr(ingest, "CHUNK_FILES", 2)
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 10**6)
    one_at_a_time = _folder_ingest(folder, tmp_path / "a")
    pools = []
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(ingest, "in_workers", lambda *a: pools.append(a) or in_workers(*a))
    ahead = _folder_ingest(folder, tmp_path / "b")
    assert len(pools) == 1  # the files were read in workers
    assert ahead == one_at_a_time
    assert ahead[:2] == (
        "8 added, 0 updated, 0 unchanged, 1 failed, 1 skipped (8 records from these sources)",
        [("3b.txt", "no text in the file"), ("5b.exe", "unsupported file type")],
    )

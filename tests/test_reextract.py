"""`congress-archive reextract`: today's rules on the kept sources, never undoing a correction."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from click.testing import CliRunner

from archive import Archive
from tests.conftest import SEEDS
from webui.cli import main

LAOBIAN = "老边区"


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def files(data_dir: Path) -> dict[str, bytes]:
    """Every record file and note, to show a dry run writes nothing."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for folder in ("records", "extracted")
        for p in sorted((data_dir / folder).iterdir())
    }


def as_if_an_older_version_wrote(archive: Archive, record_id: str, **values: object) -> None:
    """The record as an older extraction left it: its values, noted as extraction's own."""
    with archive.writing():
        archive.rewrite(dataclasses.replace(archive.get(record_id), **values))


def laobian(archive: Archive) -> str:
    return next(r.id for r in archive if r.district == LAOBIAN)


def test_dry_run_shows_each_field_it_would_change_and_writes_nothing(seeded_copy: Path) -> None:
    archive = Archive(seeded_copy)
    record_id = laobian(archive)
    as_if_an_older_version_wrote(archive, record_id, year=2019, district=None, doctype=None)
    before = files(seeded_copy)
    code, out, err = run(seeded_copy, "reextract", "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{record_id}  district: null -> {LAOBIAN}",
        f"{record_id}  year: 2019 -> 2025",
        f"{record_id}  doctype: null -> 工作总结",
        "2 sources: would change 3 fields in 1 records, 0 failed",
    ]
    assert files(seeded_copy) == before


def test_reextract_applies_todays_rules_and_keeps_corrections(seeded_copy: Path) -> None:
    archive = Archive(seeded_copy)
    record_id = laobian(archive)
    as_if_an_older_version_wrote(archive, record_id, year=2019, district=None)
    # A person corrects the title by hand in the record file.
    path = archive.path(record_id)
    title = archive.get(record_id).title
    path.write_text(path.read_text("utf-8").replace(f"title: {title}", "title: 老边区2025年亮点"))
    code, out, _ = run(seeded_copy, "reextract")
    assert code == 0
    assert out.splitlines()[-1] == "2 sources: changed 2 fields in 1 records, 0 failed"
    record = archive.get(record_id)
    assert (record.district, record.year, record.title) == (LAOBIAN, 2025, "老边区2025年亮点")
    assert record.corrected == ("title",)
    code, out, _ = run(seeded_copy, "reextract")
    assert out == "2 sources: changed 0 fields in 0 records, 0 failed\n"


def test_a_correction_survives_reextract_a_changed_source_and_a_re_ingest(
    seeded_copy: Path, tmp_path: Path
) -> None:
    archive = Archive(seeded_copy)
    record_id = laobian(archive)
    path = archive.path(record_id)
    path.write_text(path.read_text("utf-8").replace("year: 2025", "year: 2020"))
    assert run(seeded_copy, "reextract")[0] == 0
    assert archive.get(record_id).year == 2020
    # The source edited (a paragraph added at the end) and ingested from another folder.
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    compilation = next(p for p in sources.iterdir() if LAOBIAN in p.read_text("utf-8"))
    compilation.write_text(compilation.read_text("utf-8") + "\n\n附：本文有删节。\n", "utf-8")
    assert run(seeded_copy, "ingest", str(sources))[0] == 0
    assert run(seeded_copy, "ingest", str(sources))[1].startswith("0 added, 0 updated, 2 unchanged")
    record = archive.get(record_id)
    assert (record.year, record.corrected) == (2020, ("year",))
    assert run(seeded_copy, "reextract")[0] == 0
    assert archive.get(record_id).year == 2020


def test_reextract_needs_an_archive(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "none", "reextract")
    assert code == 1
    assert err.endswith(
        f"Error: no archive in {(tmp_path / 'none').resolve()} (missing or empty)\n"
    )

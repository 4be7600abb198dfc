"""Backup while `serve` runs, restore into a new data dir: the same records and the same answers."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from tests.load.server import SEEDS, Server, cli_ok, run_cli

QUERIES = [
    {},
    {"q": "代表联络站"},
    {"q": "监督", "district": "老边区"},
    {"q": "数字人大", "mode": "words"},
]


def answers(server: Server) -> list[dict]:
    """The search API's answers to QUERIES."""
    with server.client() as client:
        return [client.get("/api/search", params).json() for params in QUERIES]


def test_a_backup_taken_while_serving_restores_to_the_same_archive(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli_ok(data, "ingest", SEEDS)
    listed = json.loads(cli_ok(data, "records", "--format", "json"))
    cli_ok(data, "delete", listed[0]["id"])
    record = data / "records" / f"{listed[1]['id']}.md"
    record.write_text(record.read_text("utf-8").replace("year: 2025", "year: 2019"), "utf-8")
    cli_ok(data, "index")
    backup = tmp_path / "archive.tar.gz"
    with Server(data) as server:
        before = answers(server)
        assert cli_ok(data, "backup", backup) == (
            f"6 records, 1 deleted, 2 sources -> {backup} ({backup.stat().st_size / 1e6:.1f} MB)\n"
        )
        assert answers(server) == before  # the server went on answering
    with tarfile.open(backup) as tar:
        top = {name.split("/")[0] for name in tar.getnames()}
    assert top == {
        "congress-archive-backup.json",
        "categories.yaml",  # the taxonomy ingest used, copied into the data dir on first use
        "records",
        "extracted",
        "deleted",
        "sources",
        "registry.json",
    }
    restored = tmp_path / "restored"
    assert cli_ok(restored, "restore", backup) == (
        f"6 records, 1 deleted, 2 sources -> {restored}; now run congress-archive index\n"
    )
    cli_ok(restored, "index")
    for args in (["records", "--format", "json"], ["records", "--deleted", "--format", "json"]):
        assert cli_ok(restored, *args) == cli_ok(data, *args)
    with Server(restored) as server:
        assert answers(server) == before
    # re-ingesting the sources into the restored archive keeps the deletion and the correction
    assert cli_ok(restored, "ingest", SEEDS).startswith("0 added, 0 updated, 2 unchanged,")
    assert cli_ok(restored, "records", "--format", "json") == cli_ok(
        data, "records", "--format", "json"
    )


def test_restore_refuses_a_non_empty_archive_without_force_and_a_file_that_is_no_backup(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    cli_ok(data, "ingest", SEEDS / "003_f064755b27ea1fff.txt")
    backup = tmp_path / "one.tar.gz"
    cli_ok(data, "backup", backup)
    other = tmp_path / "other"
    cli_ok(other, "ingest", SEEDS)
    cli_ok(other, "index")
    refused = run_cli(other, "restore", backup)
    assert (refused.returncode, refused.stderr) == (
        1,
        f"Error: {other} is not empty: restore into a new folder, "
        "or pass --force to replace what it holds\n",
    )
    assert len(json.loads(cli_ok(other, "records", "--format", "json"))) == 7
    nowhere = run_cli(other, "backup", tmp_path / "nodir" / "a.tar.gz")
    assert (nowhere.returncode, nowhere.stderr) == (
        1,
        f"Error: 没有这个文件夹：{tmp_path / 'nodir'} (no such folder)\n",
    )
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"not a tar file")
    bad = run_cli(other, "restore", "--force", not_a_backup)
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"Error: {not_a_backup}: not a readable backup (")
    assert len(bad.stderr.splitlines()) == 1
    assert len(json.loads(cli_ok(other, "records", "--format", "json"))) == 7  # nothing lost
    fresh = tmp_path / "fresh"
    assert run_cli(fresh, "restore", not_a_backup).returncode == 1
    assert not fresh.exists()  # a failed restore into a new folder leaves none behind
    cli_ok(fresh, "restore", backup)
    assert len(json.loads(cli_ok(fresh, "records", "--format", "json"))) == 1
    cli_ok(other, "restore", "--force", backup)
    assert len(json.loads(cli_ok(other, "records", "--format", "json"))) == 1
    assert not (other / "index").exists()  # the old index went with the old archive
    assert sorted(p.name for p in other.iterdir()) == [
        "archive.lock",
        "categories.yaml",
        "deleted",
        "extracted",
        "records",
        "registry.json",
        "sources",
    ]

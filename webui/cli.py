"""The `congress-archive` command: a thin click layer over the archive, indexer and web UI."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from archive import Archive, StoreError
from archive.ingest import ingest_paths


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("CONGRESS_ARCHIVE_HOME", "data"),
    show_default="./data, or $CONGRESS_ARCHIVE_HOME",
    help="Where the archive and the index live.",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path) -> None:
    """Searchable archive of local people's congress standing committee work summaries."""
    ctx.obj = data_dir


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def ingest(data_dir: Path, paths: tuple[Path, ...]) -> None:
    """Read files and folders (recursively) into records in the archive."""
    try:
        report = ingest_paths(Archive(data_dir), paths)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    for failure in report.failures:
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)
    click.echo(report.summary())
    if report.failures:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def records(data_dir: Path, fmt: str) -> None:
    """List the archive's records with their metadata."""
    try:
        rows = [record.metadata() for record in Archive(data_dir)]
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        place = " ".join(v for v in (row["province"], row["city"], row["district"]) if v) or "-"
        categories = ",".join(row["categories"]) or "-"
        click.echo(f"{row['id']}  {row['year'] or '-'}  {place}  {row['title']}  [{categories}]")
    click.echo(f"{len(rows)} records")

"""The `congress-archive` command: a thin click layer over the archive, indexer and web UI."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from time import monotonic
from typing import Any, TextIO

import click

from archive import Archive, StoreError
from archive.categories import TaxonomyError, data_taxonomy, explain, paragraphs
from archive.ingest import Progress, ingest_paths
from archive.records import LABELS, LIST_FACETS
from archive.reextract import recategorise as recategorise_archive
from archive.reextract import reextract as reextract_archive
from indexer.exporting import FORMATS as EXPORT_FORMATS
from indexer.exporting import LEVELS as EXPORT_LEVELS
from indexer.models import MODES, SCOPES, SORTS, SearchRequest
from indexer.params import MAX_CONTEXT

DATA_DIR_TYPE = click.Path(file_okay=False, path_type=Path)
# Nothing to do on a dir with no archive: these stop with one line naming it.
NEEDS_ARCHIVE = frozenset({"index", "serve", "backup", "search", "export", "delete"})
MAKES_ARCHIVE = frozenset({"ingest", "restore"})
PLAIN_EVERY = 10.0  # seconds between ingest's progress lines when stderr is not a terminal
BAR_EVERY = 0.1  # seconds between redraws of its progress bar on a terminal
BAR_STEPS = 1000  # the bar's length: the share of the work done, in thousandths


class DataDirGroup(click.Group):
    """Commands that take --data-dir after their name too, and say which dir they use when it
    holds no archive."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.append(
            click.Option(
                ["--data-dir"],
                type=DATA_DIR_TYPE,
                expose_value=False,
                callback=_use_data_dir,
                help="Where the archive and the index live (also accepted before the command).",
            )
        )
        super().add_command(cmd, name)


def _use_data_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Take a --data-dir given after the command; name the dir when there is no archive in it."""
    if value is not None:
        ctx.obj = value
    data_dir = Path(ctx.obj)
    if ctx.resilient_parsing or isinstance(ctx.command, click.Group) or Archive(data_dir).exists():
        return  # a group (`users`) leaves it to its commands, which may name the dir later
    where = data_dir.resolve()
    if ctx.info_name in NEEDS_ARCHIVE:
        raise click.ClickException(
            f"no archive in {where} (missing or empty): run congress-archive ingest, "
            "or name the archive with --data-dir"
        )
    if ctx.info_name in MAKES_ARCHIVE:
        click.echo(f"data dir: {where} (new archive)", err=True)
    else:
        click.echo(f"data dir: {where} holds no archive (missing or empty)", err=True)


@click.group(cls=DataDirGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=DATA_DIR_TYPE,
    default=lambda: os.environ.get("CONGRESS_ARCHIVE_HOME", "data"),
    show_default="./data, or $CONGRESS_ARCHIVE_HOME",
    help="Where the archive and the index live.",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path) -> None:
    """Searchable archive of local people's congress standing committee work summaries."""
    ctx.obj = data_dir


def place_line(*levels: str | None) -> str:
    """Province city district as the text listings show them; '-' when nothing is known."""
    return " ".join(v for v in levels if v) or "-"


@main.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--restore-deleted", is_flag=True, help="Bring back deleted records of these sources."
)
@click.option(
    "--urls",
    "url_file",
    type=click.File(encoding="utf-8"),
    help="A file of web addresses to fetch, one a line (# starts a comment).",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Also fetch addresses on this machine or a private network (for tests).",
)
@click.pass_obj
def ingest(
    data_dir: Path,
    paths: tuple[str, ...],
    restore_deleted: bool,
    url_file: TextIO | None,
    allow_private_urls: bool,
) -> None:
    """Read files and folders (recursively), and web pages (http:// or https:// addresses),
    into records in the archive."""
    urls = [p for p in paths if is_url(p)] + (read_urls(url_file) if url_file else [])
    files = [Path(p) for p in paths if not is_url(p)]
    if not files and not urls:
        raise click.UsageError("give files, folders or web addresses to ingest")
    try:
        with ingest_progress() as progress:
            report = ingest_paths(
                Archive(data_dir), files, restore_deleted, urls, allow_private_urls, progress
            )
    except (StoreError, TaxonomyError) as exc:
        raise click.ClickException(str(exc)) from None
    for skipped in report.skipped:
        click.echo(f"skipped: {skipped.path}: {skipped.reason}", err=True)
    for failure in report.failures:
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)
    click.echo(report.summary())
    if report.failures:
        sys.exit(1)


def is_url(argument: str) -> bool:
    """Whether an ingest argument is an address (scheme://…) rather than a path; fetching refuses
    every scheme but http and https in one line."""
    return bool(ADDRESS.match(argument))


ADDRESS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_urls(lines: TextIO) -> list[str]:
    """The addresses of a file of addresses: one a line, blank lines and # comments skipped."""
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


@contextmanager
def ingest_progress() -> Iterator[Callable[[Progress], None]]:
    """Ingest's progress on stderr, so a long one is seen moving: a bar (files, records, rate, time
    left) on a terminal, else a plain line every PLAIN_EVERY seconds (logs and CI keep them)."""
    start = last = monotonic()
    terminal = sys.stderr.isatty()
    with click.progressbar(
        length=BAR_STEPS,
        label="ingesting",
        file=sys.stderr,
        item_show_func=lambda line: line,
        hidden=not terminal,
    ) as bar:

        def progress(done: Progress) -> None:
            nonlocal last
            now = monotonic()
            if now - last < (BAR_EVERY if terminal else PLAIN_EVERY):
                return
            last = now
            if terminal:
                bar.update(
                    round(done.fraction * BAR_STEPS) - bar.pos, progress_line(done, now - start)
                )
            else:
                click.echo(f"ingesting: {progress_line(done, now - start, left=True)}", err=True)

        yield progress


def progress_line(done: Progress, elapsed: float, left: bool = False) -> str:
    """Files and records done and the rate; with `left`, the time left (a bar shows its own)."""
    line = (
        f"{done.files}/{done.total_files} files, {done.records:,} records, "
        f"{done.records / elapsed if elapsed else 0:,.0f} records/s"
    )
    if left and done.fraction:
        line += f", {timedelta(seconds=round(elapsed * (1 - done.fraction) / done.fraction))} left"
    return line


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--deleted", is_flag=True, help="List the deleted records instead.")
@click.pass_obj
def records(data_dir: Path, fmt: str, deleted: bool) -> None:
    """List the archive's records with their metadata."""
    archive = Archive(data_dir)
    try:
        rows = [record.metadata() for record in (archive.deleted() if deleted else archive)]
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        place = place_line(row["province"], row["city"], row["district"])
        categories = ",".join(row["categories"]) or "-"
        click.echo(f"{row['id']}  {row['year'] or '-'}  {place}  {row['title']}  [{categories}]")
    click.echo(f"{len(rows)} {'deleted records' if deleted else 'records'}")


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.pass_obj
def delete(data_dir: Path, ids: tuple[str, ...]) -> None:
    """Delete records for good: re-ingesting their source leaves them out (unless
    `ingest --restore-deleted`); their permalinks answer 410."""
    archive = Archive(data_dir)
    problems = 0
    try:
        with archive.writing():
            for record_id in ids:
                try:
                    record = archive.get(record_id)
                except KeyError:
                    gone = archive.registry.gone(record_id)
                    state = f"already {gone.fate}" if gone else "no such record"
                    click.echo(f"failed: {record_id}: {state}", err=True)
                    problems += 1
                    continue
                archive.delete(record_id)
                click.echo(f"deleted: {record_id}  {record.title}")
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(ids) - problems} deleted, {problems} failed; run congress-archive index")
    if problems:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(data_dir: Path, file: Path) -> None:
    """Write a consistent .tar.gz of the archive (records, deleted, sources, registry and every
    other file of the data dir but the rebuildable index), also while `serve` runs."""
    from archive.backup import backup as write_backup

    try:
        counts = write_backup(Archive(data_dir), file)
    except (StoreError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{counts.summary()} -> {file} ({file.stat().st_size / 1e6:.1f} MB)")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the archive already in the data dir.")
@click.pass_obj
def restore(data_dir: Path, file: Path, force: bool) -> None:
    """Restore a backup into an empty or new data dir (a non-empty one only with --force)."""
    from archive.backup import restore as read_backup

    try:
        counts = read_backup(file, data_dir, force)
    except (StoreError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{counts.summary()} -> {data_dir.resolve()}; now run congress-archive index")


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
def categorise(data_dir: Path, file: TextIO) -> None:
    """Show the categories of each paragraph (non-blank line) of a text, and the evidence, as
    DATA_DIR/categories.yaml decides them; FILE is plain UTF-8 text, - (the default) stdin."""
    try:
        taxonomy = data_taxonomy(data_dir)
        text = file.read()
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name}: not UTF-8 text") from None
    for number, paragraph in enumerate(paragraphs(text), start=1):
        decision = taxonomy.classify(paragraph)
        click.echo(f"[{number}] {' '.join(decision.categories) or '-'}  {paragraph.strip()}")
        for line in explain(decision, taxonomy.threshold):
            click.echo(f"    {line}")


@main.command()
@click.pass_obj
def recategorise(data_dir: Path) -> None:
    """Re-apply DATA_DIR/categories.yaml to every stored record (user-corrected ones are kept);
    run `index` afterwards so that search sees the new categories."""
    try:
        report = recategorise_archive(Archive(data_dir), data_taxonomy(data_dir))
    except (StoreError, TaxonomyError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


@main.command()
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_obj
def reextract(data_dir: Path, dry_run: bool) -> None:
    """Run today's splitting and extraction again on every kept source and show, field by field,
    what changes; fields a person corrected are never touched. Run `index` afterwards."""
    archive = Archive(data_dir)
    if not archive.exists():
        raise click.ClickException(f"no archive in {data_dir.resolve()} (missing or empty)")
    try:
        report = reextract_archive(archive, dry_run=dry_run)
    except (StoreError, TaxonomyError) as exc:
        raise click.ClickException(str(exc)) from None
    for change in report.changes:
        click.echo(change.line())
    for failure in report.failures:
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)
    click.echo(report.summary())
    if report.failures:
        sys.exit(1)


def search_options(command: Callable[..., None]) -> Callable[..., None]:
    """The query and filters that `search` and `export` share, named like the URL parameters."""
    options = [
        click.argument("query", required=False, default=""),
        click.option("--mode", type=click.Choice(MODES), default="exact", show_default=True),
        click.option("--scope", type=click.Choice(SCOPES), default="all", show_default=True),
        *(
            click.option(f"--{name}", multiple=True, help=f"{LABELS[name]}; repeatable (OR).")
            for name in LIST_FACETS
        ),
        click.option("--year", multiple=True, help="2025 or 2020-2025; repeatable (OR)."),
        click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def request_from(options: dict[str, Any], per_page: int | None = None) -> SearchRequest:
    """The checked SearchRequest of `search_options`' values (QueryError when one is bad)."""
    from indexer.params import DEFAULT_PER_PAGE, search_request

    return search_request(
        options.pop("query"),
        mode=options.pop("mode"),
        scope=options.pop("scope"),
        sort=options.pop("sort"),
        filters={name: options.pop(name) for name in LIST_FACETS},
        years=options.pop("year"),
        per_page=per_page or DEFAULT_PER_PAGE,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Let editors fetch addresses on this machine or a private network (for tests).",
)
@click.pass_obj
def serve(data_dir: Path, host: str, port: int, threads: int, allow_private_urls: bool) -> None:
    """Serve the web UI and JSON API with waitress (a production server, never debug mode)."""
    import waitress

    from webui import create_app
    from webui.views.upload import MAX_REQUEST
    from webui.warmup import warm_up

    app = create_app({"DATA_DIR": str(data_dir), "ALLOW_PRIVATE_URLS": allow_private_urls})
    try:  # bind first, so a busy port is one line, not a traceback
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="congress-archive",
            max_request_body_size=MAX_REQUEST,
        )  # fmt: skip
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    warm_up(app)  # connections wait in the listen queue meanwhile
    click.echo(f"Serving {data_dir.resolve()} on http://{host}:{port}", err=True)
    server.run()


@main.command()
@search_options
@click.option(
    "--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), help="Default: the suffix."
)
@click.option("--level", type=click.Choice(EXPORT_LEVELS), default="record", show_default=True)
@click.option(
    "--context",
    type=click.IntRange(0, MAX_CONTEXT),
    default=30,
    show_default=True,
    help="Level occurrence: characters of context on each side of a match.",
)
@click.option(
    "--bom/--no-bom", default=True, show_default=True, help="UTF-8 BOM in CSV, for Excel."
)
@click.option(
    "--base-url",
    default=lambda: os.environ.get("CONGRESS_ARCHIVE_BASE_URL", ""),
    show_default="$CONGRESS_ARCHIVE_BASE_URL, else relative links",
    help="Where the archive is published, e.g. https://archive.example.org: prefix of the links.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    help="The file to write; - for standard output.",
)
@click.pass_obj
def export(
    data_dir: Path, output: Path, fmt: str | None, level: str, context: int, bom: bool,
    base_url: str, **options: Any,
) -> None:  # fmt: skip
    """Export EVERY record (or paragraph) matching QUERY; an empty query exports everything."""
    from indexer import Index, QueryError, exporting
    from indexer.params import concordance_request

    to_stdout = str(output) == "-"
    if to_stdout and not fmt:
        raise click.ClickException(
            f"标准输出没有后缀，请用 --format 指定格式：{'、'.join(EXPORT_FORMATS)} "
            "(standard output has no suffix: give --format)"
        )
    if not to_stdout and not output.resolve().parent.is_dir():
        raise click.ClickException(f"没有这个文件夹：{output.resolve().parent} (no such folder)")
    suffix = "" if to_stdout else output.suffix.lstrip(".").lower()
    fmt = fmt or {v: k for k, v in exporting.SUFFIXES.items()}.get(suffix, suffix)
    if fmt not in EXPORT_FORMATS:
        shown = f"'{fmt}'" if fmt else "none"
        names = [f".{exporting.SUFFIXES.get(f, f)}" for f in EXPORT_FORMATS]
        raise click.ClickException(
            f"导出格式无效：{shown}，可选 {'、'.join(EXPORT_FORMATS)}，或用 --format 指定 "
            f"(unknown export format {shown}: name the file {', '.join(names[:-1])} or "
            f"{names[-1]}, or give --format)"
        )
    try:
        request = request_from(options)
        lines = concordance_request(request, context=context) if level == "occurrence" else None
        with Index.open(data_dir) as index:
            rows = exporting.rows_for(index, Archive(data_dir), request, level, base_url, lines)
            counted = exporting.Counted(rows)
            chunks = exporting.stream(fmt, level, counted, bom=bom)
            if to_stdout:
                out = sys.stdout.buffer
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
            else:
                exporting.write_file(output, chunks)
    except BrokenPipeError:  # `export … -o - | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except (QueryError, StoreError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if not base_url:
        click.echo(
            "links are relative (/records/…): give --base-url or set CONGRESS_ARCHIVE_BASE_URL",
            err=True,
        )
    where = "standard output" if to_stdout else str(output)
    click.echo(f"{counted.count} rows -> {where}", err=True)


@main.command()
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the live one, then swap.")
@click.pass_obj
def index(data_dir: Path, rebuild: bool) -> None:
    """Bring the search index up to date with the archive (incrementally unless --rebuild)."""
    from indexer import Index

    idx = Index(data_dir)
    archive = Archive(data_dir)
    with click.progressbar(length=0, label="indexing", file=sys.stderr) as bar:
        done = [0]

        def progress(count: int, total: int) -> None:
            bar.length = total
            bar.update(count - done[0])
            done[0] = count

        try:
            report = (idx.rebuild if rebuild else idx.update)(archive, progress)
        except (StoreError, TaxonomyError) as exc:  # paragraphs are categorised while indexing
            raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


@main.command()
@search_options
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def search(data_dir: Path, limit: int, fmt: str, **options: Any) -> None:
    """Search the index: exact phrases by default; facets count the whole result set."""
    from indexer import Index, QueryError

    try:
        request = request_from(options, per_page=limit)
        with Index.open(data_dir) as index:
            result = index.search(request)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} records match")
    for hit in result.hits:
        place = place_line(hit.province, hit.city, hit.district)
        click.echo(f"{hit.id}  {hit.year or '-'}  {place}  {hit.title}")
        for snippet in hit.snippets:
            text, last = [], 0
            for start, end in snippet.marks:
                text += [snippet.text[last:start], "[", snippet.text[start:end], "]"]
                last = end
            click.echo("    " + "".join([*text, snippet.text[last:]]))


@main.group(cls=DataDirGroup)
def users() -> None:
    """Editor accounts (DATA_DIR/users.json): who may upload and correct records."""


def _password(from_stdin: bool) -> str:
    """A new password: the first line of standard input, or prompted twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _accounts(action: Callable[[], None], done: str) -> None:
    """Run an account change; an AccountError is one line and exit 1."""
    from webui.accounts import AccountError

    try:
        action()
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(done)


def _password_command(command: Callable[..., None]) -> Callable[..., None]:
    """The arguments of the commands that set a password: the name and where it comes from."""
    command = click.pass_obj(command)
    command = click.option(
        "--password-stdin", is_flag=True, help="Read the password from standard input."
    )(command)
    return click.argument("name")(command)


def _set_password(data_dir: Path, name: str, from_stdin: bool, new: bool, done: str) -> None:
    """Add an account (`new`) or change its password, with the password read or prompted."""
    from webui import accounts

    password = _password(from_stdin)
    _accounts(lambda: accounts.set_password(data_dir, name, password, new=new), done)


@users.command("add")
@_password_command
def users_add(data_dir: Path, name: str, password_stdin: bool) -> None:
    """Add an editor account."""
    _set_password(data_dir, name, password_stdin, True, f"added: {name}")


@users.command("passwd")
@_password_command
def users_passwd(data_dir: Path, name: str, password_stdin: bool) -> None:
    """Set a new password; the account's open sessions end."""
    _set_password(data_dir, name, password_stdin, False, f"password changed: {name}")


@users.command("remove")
@click.argument("name")
@click.pass_obj
def users_remove(data_dir: Path, name: str) -> None:
    """Remove an editor account; its open sessions end."""
    from webui import accounts

    _accounts(lambda: accounts.remove(data_dir, name), f"removed: {name}")


@users.command("list")
@click.pass_obj
def users_list(data_dir: Path) -> None:
    """List the editor accounts."""
    from webui import accounts

    names = sorted(accounts.load(data_dir))
    for name in names:
        click.echo(name)
    click.echo(f"{len(names)} accounts")

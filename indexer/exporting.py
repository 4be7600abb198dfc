"""Exports of every match (not one page) as CSV, XLSX, JSON or JSONL, streamed row by row.

The web's /export and `congress-archive export` both write these bytes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import xlsxwriter

from archive import Archive, StoreError
from archive.records import FIELDS, HIT_KEYS, LABELS, LIST_FACETS, METADATA_KEYS, PLACE_LEVELS
from indexer.models import ConcordanceRequest, Hit, Passage, SearchRequest, plain
from indexer.params import ParamError, highlight_args, year_label
from indexer.research import Line, all_lines
from indexer.searching import Index

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
CITATION_FORMATS = ("ris", "bibtex")  # reference managers' formats: one entry per record
SUFFIXES = {"bibtex": "bib"}  # a format's file suffix where it is not the format's name
ARCHIVE_NAME = "人大常委会工作总结档案"
LEVELS = ("record", "passage", "occurrence")
TABLE_FORMATS = ("csv", "xlsx")  # tables that are not search rows, e.g. a trend
# Column key -> header shown in CSV and XLSX (JSON keeps the keys). Records: the API's keys + link.
RECORD_COLUMNS = {f.name: f.label for f in FIELDS} | {"link": "链接", "text": "全文"}
PASSAGE_COLUMNS = (  # the paragraph's own categories, not the record's
    {"record_id": LABELS["id"]}
    | {key: LABELS[key] for key in HIT_KEYS if key not in ("id", "categories")}
    | {"paragraph": "段落序号", "paragraph_categories": "段落类别"}
    | {"text": "段落", "matches": "命中", "link": "链接"}
)
OCCURRENCE_COLUMNS = (
    {"record_id": LABELS["id"]}
    | {key: LABELS[key] for key in HIT_KEYS if key != "id"}
    | {"paragraph": "段落序号", "left": "左文", "match": "关键词", "right": "右文", "link": "链接"}
)
BOM = "\ufeff".encode()
LIST_SEPARATOR = "；"
XLSX_CELL_LIMIT = 32767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')
CHUNK = 64 * 1024

Link = Callable[[str], str]


def columns(level: str) -> dict[str, str]:
    """The columns of an export level, in order."""
    return {"record": RECORD_COLUMNS, "passage": PASSAGE_COLUMNS}.get(level, OCCURRENCE_COLUMNS)


def linker(base_url: str, request: SearchRequest | None = None) -> Link:
    """Links to record pages under base_url; given a search, they highlight its terms."""
    query = urlencode(highlight_args(request)) if request else ""
    prefix = base_url.rstrip("/") + "/records/"
    return lambda record_id: prefix + record_id + (f"?{query}" if query else "")


def rows_for(
    index: Index,
    archive: Archive,
    request: SearchRequest,
    level: str,
    base_url: str,
    lines: ConcordanceRequest | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of an export: every matching record, paragraph, or occurrence (in `lines`' order
    and context width)."""
    if level == "record":
        return record_rows(index.matches(request), archive, linker(base_url), index.text)
    if level == "passage":
        return passage_rows(index.passages(request), linker(base_url, request))
    found = all_lines(index, lines or ConcordanceRequest(request))
    return occurrence_rows(found, linker(base_url, request))


def record_rows(
    hits: Iterable[Hit], archive: Archive, link: Link, indexed: Callable[[str], str | None]
) -> Iterator[dict[str, Any]]:
    """One row per matching record with its full text; a record gone since indexing is skipped,
    and a damaged record file gives the record as indexed rather than cutting the export short."""
    for hit in hits:
        try:
            record = archive.get(hit.id)
        except KeyError:
            continue
        except StoreError:
            text = indexed(hit.id)
            if text is not None:
                yield (
                    dict.fromkeys(METADATA_KEYS) | hit.fields | {"link": link(hit.id), "text": text}
                )
            continue
        yield {**record.metadata(), "link": link(record.id), "text": record.text}


def passage_rows(passages: Iterable[Passage], link: Link) -> Iterator[dict[str, Any]]:
    """One row per matching paragraph, with its categories and the matched strings it contains."""
    for passage in passages:
        snippet = passage.snippet
        found = (snippet.text[start:end] for start, end in snippet.marks)
        yield {
            "record_id": passage.id,
            **{
                key: plain(value) for key, value in passage.fields.items() if key in PASSAGE_COLUMNS
            },
            "paragraph": passage.paragraph + 1,  # the indexer counts from 0, readers from 1
            "paragraph_categories": list(passage.categories),
            "text": snippet.text,
            "matches": list(dict.fromkeys(found)),
            "link": link(passage.id),
        }


def occurrence_rows(lines: Iterable[Line], link: Link) -> Iterator[dict[str, Any]]:
    """One row per occurrence: its record, paragraph, left context, match and right context."""
    for line in lines:
        row = line.to_json()
        yield {"record_id": row.pop("id"), **row, "link": link(line.id)}


def table(fmt: str, headers: dict[str, str], rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A table of numbers that is not a search's rows (a trend) as CSV or XLSX, like the exports."""
    if fmt not in TABLE_FORMATS:
        raise ParamError(
            f"表格格式无效：{fmt[:20]!r}，可选 {'、'.join(TABLE_FORMATS)} (unknown table format)"
        )
    if fmt == "csv":
        return _csv(list(headers), headers, rows, bom=True)
    return _xlsx(list(headers), headers, rows)


def stream(
    fmt: str, level: str, rows: Iterable[dict[str, Any]], *, bom: bool = True
) -> Iterator[bytes]:
    """The export file's bytes, a chunk at a time, so memory stays flat however many rows."""
    check(fmt, level)
    keys = list(columns(level))
    if fmt == "csv":
        return _csv(keys, columns(level), rows, bom)
    if fmt == "xlsx":
        return _xlsx(keys, columns(level), rows)
    if fmt == "json":
        return _json(keys, rows)
    if fmt == "jsonl":
        return (_json_line(keys, row) + b"\n" for row in rows)
    if fmt == "ris":
        return (_ris(row).encode() for row in rows)
    if fmt == "bibtex":
        return (_bibtex(row).encode() for row in rows)
    raise AssertionError(fmt)  # check() refuses unknown formats before rows are read


def check(fmt: str, level: str) -> None:
    """Refuse an unknown format or level with a message for the user."""
    if fmt not in FORMATS:
        raise ParamError(
            f"导出格式无效：{fmt[:20]!r}，可选 {'、'.join(FORMATS)} (unknown export format)"
        )
    if level not in LEVELS:
        raise ParamError(
            f"导出层级无效：{level[:20]!r}，可选 {'、'.join(LEVELS)} (unknown export level)"
        )
    if fmt in CITATION_FORMATS and level != "record":
        raise ParamError(f"{fmt} 格式只能按记录导出 ({fmt} exports records only)")


def filename(request: SearchRequest, level: str, fmt: str) -> str:
    """A file name that says what the export holds, e.g. 代表联络站-营口市-2025.csv."""
    parts = [request.q.replace('"', "")]
    for name in (*reversed(PLACE_LEVELS), *(f for f in LIST_FACETS if f not in PLACE_LEVELS)):
        parts += request.selected(name)
    parts.append(year_label(request) or "")
    parts.append({"record": "", "passage": "段落", "occurrence": "语境"}[level])
    stem = UNSAFE_NAME.sub("_", "-".join(p for p in parts if p)).strip("._-")[:80]
    return f"{stem or '全部记录'}.{SUFFIXES.get(fmt, fmt)}"


def content_disposition(name: str) -> str:
    """attachment with an ASCII fallback and the UTF-8 name percent-encoded (RFC 6266 / 5987)."""
    stem, _, ext = name.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "", stem).strip("._-")
    fallback = f"congress-archive-{ascii_stem}.{ext}" if ascii_stem else f"congress-archive.{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def place_name(row: dict[str, Any]) -> str:
    """Province, city and district as one name, each level once: 辽宁省营口市老边区."""
    levels = [row.get(level) for level in PLACE_LEVELS]
    return "".join(dict.fromkeys(level for level in levels if level))


def gbt7714(row: dict[str, Any], accessed: str) -> str:
    """A GB/T 7714-2015 reference to an online resource ([EB/OL]) with the date it was cited;
    an unknown committee or year is left out, as the standard allows."""
    author = f"{row['committee']}. " if row.get("committee") else ""
    year = f"({row['year']})" if row.get("year") else ""
    return f"{author}{row['title']}[EB/OL]. {year}[{accessed}]. {row['link']}."


def _ris(row: dict[str, Any]) -> str:
    """One RIS entry (a report), as Zotero, EndNote and NoteExpress import it."""
    tags = [
        ("TY", "RPRT"),
        ("TI", row["title"]),
        ("AU", row.get("committee")),
        ("PB", row.get("committee")),
        ("PY", row.get("year")),
        ("CY", place_name(row) or None),
        *(("KW", category) for category in row.get("categories") or ()),
        ("UR", row["link"]),
        ("ID", row["id"]),
        ("DB", ARCHIVE_NAME),
    ]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value not in (None, "")]
    return "\r\n".join([*lines, "ER  - ", "", ""])


BIBTEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(value: Any) -> str:
    """A value as BibTeX text: LaTeX's special characters escaped, on one line."""
    return "".join(BIBTEX_SPECIAL.get(c, c) for c in _one_line(value))


def _bibtex(row: dict[str, Any]) -> str:
    """One BibTeX @misc entry keyed by the record id; the title and the corporate author are
    braced so their case and spaces are kept."""
    fields = [
        ("title", f"{{{_tex(row['title'])}}}"),
        ("author", f"{{{_tex(row['committee'])}}}" if row.get("committee") else None),
        ("year", row.get("year")),
        ("address", _tex(place_name(row)) or None),
        ("keywords", _tex(", ".join(row.get("categories") or ())) or None),
        ("url", _one_line(row["link"]).replace("{", "%7B").replace("}", "%7D")),
        ("note", f"{ARCHIVE_NAME} {row['id']}"),
    ]
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields if value is not None)
    return f"@misc{{congress-{row['id']},\n{body}\n}}\n\n"


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def write_file(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> None:
    """Write an export beside its target and rename it into place: a failure leaves no half file."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".export-", dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's owner-only 0600
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


class Counted:
    """Pass rows through while counting them, for a closing message."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _cell(value: Any) -> str:
    """A row value as spreadsheet text: lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _csv(
    keys: list[str], headers: dict[str, str], rows: Iterable[dict[str, Any]], bom: bool
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str]) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue().encode()

    yield (BOM if bom else b"") + line([headers[k] for k in keys])
    for row in rows:
        # A cell starting like a formula would run in Excel; a leading apostrophe keeps it text.
        cells = (_cell(row[k]) for k in keys)
        yield line(["'" + c if c.startswith(FORMULA_START) else c for c in cells])


def _xlsx(
    keys: list[str], headers: dict[str, str], rows: Iterable[dict[str, Any]]
) -> Iterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="congress-export-") as tmpdir:
        path = os.path.join(tmpdir, "export.xlsx")
        workbook = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "tmpdir": tmpdir, "strings_to_numbers": False,
             "strings_to_formulas": False, "strings_to_urls": False},
        )  # fmt: skip
        sheet = workbook.add_worksheet("导出")
        bold = workbook.add_format({"bold": True})
        for col, key in enumerate(keys):
            sheet.write_string(0, col, headers[key], bold)
            sheet.set_column(col, col, 60 if key == "text" else 14)
        for row_number, row in enumerate(rows, start=1):
            for col, key in enumerate(keys):
                value = row[key]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(row_number, col, value)
                else:
                    sheet.write_string(row_number, col, _cell(value)[:XLSX_CELL_LIMIT])
        workbook.close()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


def _json_line(keys: list[str], row: dict[str, Any]) -> bytes:
    return json.dumps({k: row[k] for k in keys}, ensure_ascii=False).encode()


def _json(keys: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    yield b"["
    for number, row in enumerate(rows):
        yield (b",\n" if number else b"\n") + _json_line(keys, row)
    yield b"\n]\n"

"""Reading every source format into plain text, so the rest of the archive never sees bytes."""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import json
import logging
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import yaml

from archive import doctype
from archive.records import GIVEN_KEYS, MetadataError, check_metadata

MB = 1024 * 1024
MAX_BYTES = 20 * MB  # a whole province's summaries are < 1 MB of text; 20 MB leaves room for images
# A .jsonl is a bulk export: beyond MAX_BYTES it is streamed line by line (UTF-8), without limit.
MAX_UNZIPPED_BYTES = 100 * MB  # what a .docx may expand to in memory
MAX_ZIP_RATIO = 100  # Word's XML compresses ~5-20:1; bombs compress 1000:1
MAX_ZIP_ENTRIES = 2000
MAX_PDF_PAGES = 1000

SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ".jsonl"}
)

# A .jsonl row carries its text and any of the fields a source may state (GIVEN_KEYS);
# `check_metadata` knows each one's type.
JSONL_KEYS = ("text", *GIVEN_KEYS)

NOT_TEXT = "not text (binary data)"

# pypdf logs each repair it makes on a damaged file (some at ERROR level); the user gets our
# one-line message instead.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


class FormatError(Exception):
    """A source that cannot be read; str(exc) is a one-line message for the user (no traceback, no path)."""


@dataclass(frozen=True)
class JsonlRows:
    """The rows of a .jsonl too large to hold: read from the file again each time they are
    iterated, one line at a time, so memory stays flat whatever its size."""

    path: Path
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as f:
            yield from _jsonl_rows(_utf8_lines(f))


@dataclass(frozen=True)
class Document:
    """What a source file holds, decoded; splitting and metadata come later."""

    kind: str
    text: str
    sha256: str
    front_matter: dict[str, Any] = field(default_factory=dict)
    rows: tuple[dict[str, Any], ...] | JsonlRows = ()


def read_document(path: Path, suffix: str | None = None) -> Document:
    """Read one source file of any supported kind (by `suffix`, else the file's own: a kept
    source's bytes have none); every failure is a one-line FormatError."""
    suffix = (path.suffix if suffix is None else suffix).lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(none)"
        raise FormatError(
            f"unsupported file type {shown} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    if suffix == ".jsonl" and _size(path) > MAX_BYTES:
        return _stream_jsonl(path)
    raw = _read_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    if suffix in (".txt", ".md", ".markdown"):
        text = decode_text(raw)
        if suffix == ".txt":
            return Document("text", _require_text(text), digest)
        front_matter, body = split_front_matter(text)
        return Document("markdown", _require_text(body), digest, front_matter)
    if suffix in (".html", ".htm"):
        return Document("html", html_to_text(raw), digest)
    if suffix == ".docx":
        return Document("docx", docx_to_text(raw), digest)
    if suffix == ".pdf":
        return Document("pdf", pdf_to_text(raw), digest)
    return Document("jsonl", "", digest, rows=parse_jsonl(decode_text(raw)))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing by size before anything is read into memory."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                raise FormatError(_too_big(size))
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise FormatError(
            f"cannot read the file ({exc.strerror or exc.__class__.__name__})"
        ) from None
    if len(raw) > MAX_BYTES:  # grew while we looked, or a special file without a size
        raise FormatError(_too_big(len(raw)))
    if not raw:
        raise FormatError("empty file")
    return raw


def _size(path: Path) -> int:
    """The file's size in bytes (0 when it cannot be read: `_read_bytes` says why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _stream_jsonl(path: Path) -> Document:
    """A large .jsonl, checked line by line while it is hashed (a bad line refuses the whole
    file, as for a small one); its rows are read again when they are used."""
    digest = hashlib.sha256()

    def hashed(f: io.BufferedReader) -> Iterator[bytes]:
        for line in f:
            digest.update(line)
            yield line

    try:
        with path.open("rb") as f:
            count = sum(1 for _ in _jsonl_rows(_utf8_lines(hashed(f))))
    except OSError as exc:
        raise FormatError(
            f"cannot read the file ({exc.strerror or exc.__class__.__name__})"
        ) from None
    if not count:
        raise FormatError("no records in the file")
    return Document("jsonl", "", digest.hexdigest(), rows=JsonlRows(path, count))


def _utf8_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """A streamed .jsonl's lines as text: UTF-8, a BOM at the start allowed, CRLF or LF."""
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise FormatError(f"line {number}: invalid UTF-8 at byte {exc.start}") from None


def _too_big(size: int) -> str:
    return f"file is {size / MB:.1f} MB; the limit is {MAX_BYTES // MB} MB — split it first"


def _require_text(text: str) -> str:
    if not text.strip():
        raise FormatError("no text in the file")
    return text


# ---------------------------------------------------------------------------------------------
# Plain text: the encoding comes from the bytes, never from the file name.

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_UTF_WITHOUT_BOM = ["utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be"]
# Chinese legacy encodings in order of preference when a text reads equally well in both:
# the archive is mainland-first. cp950 is Big5 as Windows writes it (a superset of big5).
_LEGACY = ("gb18030", "cp950")
_LEGACY_NAMES = {"gb18030": "GB18030", "cp950": "Big5"}
_CHINESE_SCORE = 0.6  # share of common characters below which a reading is mojibake
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls but tab and newlines
_SCORE_SAMPLE = 65536  # characters enough to tell GB18030 from Big5 without scanning 20 MB


def decode_text(raw: bytes) -> str:
    """Bytes of a text file -> str with '\\n' newlines and no BOM, the text otherwise untouched."""
    text = _decode(raw)[0]
    if len(_CONTROL.findall(text)) > 0.05 * len(text):  # junk that happens to decode
        raise FormatError(NOT_TEXT)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_encoding(raw: bytes) -> str:
    """The name of the encoding `decode_text` reads these bytes with."""
    return _decode(raw)[1]


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name): BOM, then UTF-16 without BOM, then UTF-8, then GB18030 or Big5."""
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), name
            except UnicodeDecodeError as exc:
                raise FormatError(
                    f"starts with a {name} byte order mark but is not valid {name}"
                    f" (byte {exc.start})"
                ) from None
    if b"\0" in raw:  # text in a legacy or UTF-8 encoding never holds NUL; UTF-16 often does
        match = charset_normalizer.from_bytes(raw, cp_isolation=_UTF_WITHOUT_BOM).best()
        if match is None:
            raise FormatError(NOT_TEXT)
        return str(match), match.encoding.replace("_", "-").upper()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = _best_chinese_reading(raw)
        if legacy is not None and legacy[0] >= _CHINESE_SCORE:
            return legacy[1], legacy[2]
        if _mostly_utf8(raw):
            raise FormatError(f"invalid UTF-8 at byte {exc.start}") from None
        raise FormatError(
            "cannot decode the text: it is not UTF-8, UTF-16, GB18030/GBK or Big5"
        ) from None
    if not text.isascii() and max(map(ord, text)) < 0x800:
        # No CJK in it as UTF-8, only accents: short GB18030 text can look like that.
        legacy = _best_chinese_reading(raw)
        if legacy is not None and legacy[0] == 1 and sum(map(_is_hanzi, legacy[1])) >= 2:
            return legacy[1], legacy[2]
    return text, "UTF-8"


def _best_chinese_reading(raw: bytes) -> tuple[float, str, str] | None:
    """(score, text, name) of the legacy Chinese encoding that reads as the most common characters."""
    best: tuple[float, str, str] | None = None
    for codec in _LEGACY:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _common_share(text, _common_characters(codec))
        if best is None or score > best[0]:  # strict: ties keep the earlier, preferred codec
            best = (score, text, _LEGACY_NAMES[codec])
    return best


def _common_share(text: str, common: frozenset[str]) -> float:
    """Share of non-ASCII characters that are common in the codec's own language."""
    wide = [c for c in text[:_SCORE_SAMPLE] if ord(c) > 0x7F]
    if not wide:
        return 1.0
    return sum(c in common for c in wide) / len(wide)


@functools.cache
def _common_characters(codec: str) -> frozenset[str]:
    """The codec's own table of frequent characters and punctuation, read from the codec itself.

    GB2312 level 1 (rows B0-D7) holds the 3755 most used simplified hanzi; Big5 A440-C67E the
    5401 常用字. Text decoded with the wrong codec lands mostly outside these ranges.
    """
    if codec == "gb18030":
        rows = [(0xA1, 0xA1), (0xA3, 0xA3), (0xB0, 0xD7)]
        trails = range(0xA1, 0xFF)
        source = "gb2312"
    else:
        rows = [(0xA1, 0xA3), (0xA4, 0xC6)]
        trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
        source = "big5"
    chars = set()
    for first, last in rows:
        for lead in range(first, last + 1):
            for trail in trails:
                char = bytes((lead, trail)).decode(source, "ignore")  # "" where undefined
                if len(char) == 1 and ord(char) > 0x7F:
                    chars.add(char)
    return frozenset(chars)


def _is_hanzi(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _mostly_utf8(raw: bytes) -> bool:
    """UTF-8 with a few damaged bytes: say so, rather than read it as mojibake."""
    text = raw[: _SCORE_SAMPLE * 4].decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) >= 0x800 and c != "\ufffd")
    return good >= 4 * bad


# ---------------------------------------------------------------------------------------------
# Markdown front matter and .jsonl rows: the fields a user sets by hand, checked for type.

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (when the first line is '---') and the body after it."""
    first, newline, rest = text.partition("\n")
    if first.rstrip() != "---":
        return {}, text
    end = _FRONT_MATTER_END.search(rest) if newline else None
    if end is None:
        raise FormatError("front matter: no closing '---' line")
    try:
        data = yaml.safe_load(rest[: end.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise FormatError(f"front matter: not valid YAML{where}") from None
    except RecursionError:
        raise FormatError("front matter: nested too deeply") from None
    except ValueError as exc:  # a value YAML recognises but cannot build, e.g. 2025-13-45
        raise FormatError(f"front matter: not valid YAML ({_one_line(exc)})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FormatError("front matter: must be 'field: value' lines")
    body = rest[end.end() :].lstrip("\n")
    return _checked(data, GIVEN_KEYS, "front matter: "), body


def _checked(data: dict[Any, Any], allowed: tuple[str, ...], prefix: str) -> dict[str, Any]:
    """The fields as check_metadata accepts them, categories trimmed of stray spaces; a doctype
    must be one of doctype.DOCTYPES."""
    try:
        checked = check_metadata(data, allowed, prefix)
    except MetadataError as exc:
        raise FormatError(str(exc)) from None
    wrong_doctype = doctype.check(checked["doctype"]) if "doctype" in checked else None
    if wrong_doctype:
        raise FormatError(prefix + wrong_doctype)
    if "categories" in checked:
        checked["categories"] = [c.strip() for c in checked["categories"] if c.strip()]
    return checked


def parse_jsonl(text: str) -> tuple[dict[str, Any], ...]:
    """One record per line; blank lines are skipped; the first bad line is named."""
    rows = tuple(_jsonl_rows(text.split("\n")))
    if not rows:
        raise FormatError("no records in the file")
    return rows


def _jsonl_rows(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The checked rows of a .jsonl's lines, one at a time; the first bad line is named."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        prefix = f"line {number}: "
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"{prefix}not valid JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise FormatError(f"{prefix}nested too deeply") from None
        if not isinstance(row, dict):
            raise FormatError(f"{prefix}must be a JSON object")
        try:
            json.dumps(row, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise FormatError(
                f"{prefix}holds a lone surrogate escape (e.g. \\ud800), not text"
            ) from None
        row = _checked(row, JSONL_KEYS, prefix)
        for required in ("title", "text"):
            if not row.get(required, "").strip():
                raise FormatError(f"{prefix}{required} is missing or empty")
        yield row


# ---------------------------------------------------------------------------------------------
# HTML pages saved from news sites: the article, not the site around it.

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_LABELS = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"})
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+", re.M)


def html_to_text(raw: bytes) -> str:
    """The article's main text; headings become '## ' lines, paragraphs are separated by blank lines."""
    import trafilatura

    page = _decode_html(raw)
    options = {
        "include_comments": False,
        "include_images": False,
        "include_links": False,
        "include_tables": True,
        "deduplicate": False,
    }
    try:
        body = trafilatura.extract(page, output_format="markdown", **options)
        metadata = trafilatura.extract_metadata(page) if body and body.strip() else None
    except Exception as exc:  # lxml and trafilatura fail in many ways on broken markup
        raise FormatError(f"cannot read the page ({_one_line(exc)})") from None
    if not body or not body.strip():
        raise FormatError("no main text found in the page")
    title = (metadata.title or "").strip() if metadata is not None else ""
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    body = _MD_HEADING.sub("## ", body)
    if title and body.split("\n", 1)[0].lstrip("# ").strip() != title:
        body = f"## {title}\n\n{body}"
    return re.sub(r"\n{3,}", "\n\n", body) + "\n"


def _decode_html(raw: bytes) -> str:
    """Strict UTF-8 first (Chinese legacy bytes are almost never valid UTF-8), then a Chinese
    <meta charset> when the bytes agree with it; any other label (pages often declare the wrong
    one, and a single-byte codec such as iso-8859-1 decodes anything) goes to detection."""
    if not any(raw.startswith(bom) for bom, _, _ in _BOMS):
        try:
            return raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            pass
        declared = _META_CHARSET.search(raw[:4096])
        label = declared.group(1).decode("ascii").lower() if declared else ""
        codec = "gb18030" if label in _GB_LABELS else "cp950" if label == "big5" else None
        if codec:
            try:
                return raw.decode(codec).replace("\r\n", "\n")
            except UnicodeDecodeError:
                pass
    return decode_text(raw)


# ---------------------------------------------------------------------------------------------
# Word .docx: paragraphs and table cells in document order.

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def docx_to_text(raw: bytes) -> str:
    """Paragraphs in order, heading styles as '## ' lines, table cells as paragraphs."""
    import docx

    check_zip(raw, ".docx")
    package = _bounded_copy(raw, ".docx")
    try:
        document = docx.Document(package)
        blocks = list(_docx_blocks(document))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise FormatError(f"not a valid .docx ({_docx_reason(exc)})") from None
    return _require_text("\n\n".join(blocks)) + "\n"


def check_zip(raw: bytes, kind: str) -> None:
    """Refuse a zip bomb by the archive's own declared sizes, before anything is inflated.

    zipfile never inflates an entry past its declared size (it stops and fails the CRC check),
    so the declared sizes are a safe bound.
    """
    if raw.startswith(_OLE_MAGIC):
        raise FormatError(f"an old Word .doc file named {kind}; save it as .docx in Word first")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError, EOFError…: all mean a damaged zip
        raise FormatError(f"not a valid {kind} (truncated or not a zip archive)") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FormatError(
            f"refused: the {kind} holds {len(entries)} parts (limit {MAX_ZIP_ENTRIES});"
            " possible zip bomb"
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNZIPPED_BYTES:
        raise FormatError(
            f"refused: the {kind} would expand to {total / MB:.1f} MB"
            f" (limit {MAX_UNZIPPED_BYTES // MB} MB); possible zip bomb"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > MB and ratio > MAX_ZIP_RATIO:
            raise FormatError(
                f"refused: a part of the {kind} is compressed {ratio:.0f}:1"
                f" (limit {MAX_ZIP_RATIO}:1); possible zip bomb"
            )


def _bounded_copy(raw: bytes, kind: str) -> io.BytesIO:
    """Re-pack the zip from its parts read in small chunks, so no part inflates past its declared
    size: zipfile's one-shot read() (what python-docx calls) inflates a whole deflate stream first,
    which headers that understate a part's size would turn into gigabytes."""
    copy = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(io.BytesIO(raw)) as source,
            zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as target,
        ):
            for entry in source.infolist():
                with source.open(entry) as part:
                    data = b"".join(iter(lambda part=part: part.read(64 * 1024), b""))
                target.writestr(entry.filename, data)
    except Exception:  # a bad CRC (a lying header), truncation, an unknown compression…
        raise FormatError(f"not a valid {kind} (damaged zip archive)") from None
    copy.seek(0)
    return copy


def _docx_blocks(container: Any) -> Iterator[str]:
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if text:
                yield f"## {text}" if _is_heading(item) else text
            continue
        seen = set()
        for row in item.rows:
            for cell in row.cells:
                if cell._tc in seen:  # a merged cell appears once per grid column it spans
                    continue
                seen.add(cell._tc)
                yield from _docx_blocks(cell)


def _is_heading(paragraph: Any) -> bool:
    name = (paragraph.style.name or "") if paragraph.style is not None else ""
    return name == "Title" or name.startswith("Heading")


def _docx_reason(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "a part is damaged"
    if isinstance(exc, KeyError) or "content type" in str(exc):
        return "no Word document inside"
    return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:100] if lines else exc.__class__.__name__


# ---------------------------------------------------------------------------------------------
# PDF: the text layer, page by page, with lines that the layout wrapped joined again.

_SENTENCE_END = "。！？；：…」』”）】!?;:."
_MIN_WRAP_WIDTH = 40  # narrower than 20 hanzi, a page's lines are headings, not a text column
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—–\s]*$")


def pdf_to_text(raw: bytes) -> str:
    """The text layer joined page by page; a PDF without one must be OCR'd first."""
    if b"%PDF-" not in raw[:1024]:
        raise FormatError("not a valid PDF (no %PDF header)")
    if b"%%EOF" not in raw[-2048:]:
        raise FormatError("not a valid PDF (truncated: no %%EOF marker at the end)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about every repair it makes
        pages = _pdf_pages(raw)
    if not any(pages):
        raise FormatError("no text layer; OCR it first")
    return "\n\n".join(_unwrap(pages)) + "\n"


def _pdf_pages(raw: bytes) -> list[list[str]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FormatError("the PDF is password-protected; remove the password first")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise FormatError(
                f"PDF has {count} pages; the limit is {MAX_PDF_PAGES} — split it first"
            )
        return [_page_lines(page.extract_text() or "") for page in reader.pages]
    except FormatError:
        raise
    except RecursionError:
        raise FormatError("not a valid PDF (its objects refer to each other endlessly)") from None
    except Exception as exc:  # pypdf raises many kinds (and lxml/zlib errors) on damaged files
        raise FormatError(f"not a valid PDF ({_one_line(exc)})") from None


def _page_lines(text: str) -> list[str]:
    """A page's non-empty lines without a lone page number at its top or bottom."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    if lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def _unwrap(pages: list[list[str]]) -> list[str]:
    """Paragraphs: a line as wide as the page's text that does not end a sentence continues."""
    paragraphs: list[str] = []
    joining = False
    for lines in pages:
        full = max((_width(line) for line in lines), default=_MIN_WRAP_WIDTH)
        for line in lines:
            if joining:
                paragraphs[-1] = _join(paragraphs[-1], line)
            else:
                paragraphs.append(line)
            wide = _width(line) >= max(0.9 * full, _MIN_WRAP_WIDTH)
            joining = wide and line[-1] not in _SENTENCE_END
    return paragraphs


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _join(left: str, right: str) -> str:
    """Chinese runs on without a space; a Latin word wrapped at a line end gets one back."""
    if left[-1].isascii() and right[0].isascii() and left[-1] != "-":
        return f"{left} {right}"
    return left + right

"""Hostile files and damaged state through the real commands: one-line errors, nothing stored lost."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.formats_fixtures import hand_made_pdf, make_docx
from tests.load.server import CLI, SEEDS, Server, cli_ok, run_cli, run_measured

MB = 1024 * 1024
PEAK_RSS_LIMIT = 600 * MB  # the formats' own limits keep an ingest to a few hundred MB
LYING_RSS_LIMIT = 250 * MB  # a 40 KB document plus the 100 MB a .docx may expand to, and then some


def honest_bomb() -> bytes:
    """A real .docx plus 200 MB of zeros that deflate to 200 KB: the sizes tell the truth."""
    out = io.BytesIO(make_docx())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(200):
            part.write(bytes(MB))
    return out.getvalue()


def lying_bomb(padding_mb: int) -> bytes:
    """document.xml followed by megabytes of spaces, its zip headers claiming the original size."""
    original = make_docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            entry = zipfile.ZipInfo(info.filename)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(entry, "w") as part:
                part.write(data)
                if info.filename == "word/document.xml":
                    document = data
                    for _ in range(padding_mb):
                        part.write(b" " * MB)
    raw = bytearray(out.getvalue())
    crc, size = zlib.crc32(document), len(document)
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as check:
        local = check.getinfo("word/document.xml").header_offset
    struct.pack_into("<I", raw, local + 14, crc)
    struct.pack_into("<I", raw, local + 22, size)
    central = raw.index(b"PK\x01\x02")  # the central directory's entries, in order
    while not raw[central + 46 :].startswith(b"word/document.xml"):
        central = raw.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", raw, central + 16, crc)
    struct.pack_into("<I", raw, central + 24, size)
    return bytes(raw)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def looping_pdfs() -> dict[str, bytes]:
    """A page tree that holds itself, and a form XObject that draws itself."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
    resources = b"/Resources << /XObject << /X 4 0 R >> >>"
    return {
        "tree-loop.pdf": hand_made_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"
        ),
        "xobject-loop.pdf": hand_made_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page + resources + b" /Contents 5 0 R >>",
            stream(b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] " + resources, b"/X Do"),
            stream(b"", b"/X Do"),
        ),
    }


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data_dir / "records").iterdir())}


def good_source(folder: Path, mark: str) -> Path:
    """A seed compilation made distinct, so it adds records."""
    text = (SEEDS / "003_f064755b27ea1fff.txt").read_text(encoding="utf-8")
    path = folder / "good.txt"
    path.write_text(f"{text}\n\n{mark}\n", encoding="utf-8")
    return path


def assert_one_line_failures(stderr: str, expected: dict[str, str]) -> None:
    """Exactly one `failed: FILE: reason` line per bad file, with the reason the user is told."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == len(expected), lines
    reasons = {}
    for line in lines:
        assert line.startswith("failed: "), line
        path, _, reason = line[len("failed: ") :].partition(": ")
        reasons[Path(path).name] = reason
    assert set(reasons) == set(expected), reasons
    for name, start in expected.items():
        assert reasons[name].startswith(start), (name, reasons[name])


def test_hostile_files_fail_one_line_each_and_the_rest_is_ingested(
    seeded_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(seeded_copy)
    sources = tmp_path / "sources"
    sources.mkdir()
    good_source(sources, "（附：可靠性测试来源）")
    (sources / "bomb.docx").write_bytes(honest_bomb())
    with open(sources / "big.txt", "wb") as big:  # 50 MB of real Chinese text
        line = "今年以来，区人大常委会依法履职，代表联络站建设全面推进。\n".encode()
        big.write(line * (50 * MB // len(line) + 1))
    for name, raw in looping_pdfs().items():
        (sources / name).write_bytes(raw)

    done, peak = run_measured(seeded_copy, "ingest", sources)

    assert done.returncode == 1, done.stderr
    assert_one_line_failures(
        done.stderr,
        {
            "bomb.docx": "refused: ",
            "big.txt": "file is 50.0 MB; the limit is 20 MB — split it first",
            "tree-loop.pdf": "not a valid PDF (",
            "xobject-loop.pdf": "no text layer; OCR it first",
        },
    )
    assert done.stdout.startswith("1 added, 0 updated, 0 unchanged, 4 failed, 0 skipped (")
    assert peak < PEAK_RSS_LIMIT, f"ingest peaked at {peak / MB:.0f} MB"
    after = snapshot(seeded_copy)
    assert {name: after[name] for name in before} == before  # nothing stored was touched
    assert len(after) > len(before)
    assert not [name for name in after if name.startswith(".tmp-")]
    cli_ok(seeded_copy, "index")
    assert "可靠性测试来源" in cli_ok(seeded_copy, "search", "可靠性测试来源", "--format", "json")


def test_a_docx_whose_headers_lie_about_its_size_stays_bounded(
    seeded_copy: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lying.docx").write_bytes(lying_bomb(300))  # 300 KB on disk
    done, peak = run_measured(seeded_copy, "ingest", sources)
    assert "Traceback" not in done.stderr, done.stderr
    assert peak < LYING_RSS_LIMIT, f"ingest peaked at {peak / MB:.0f} MB"
    if done.returncode:  # refused: one clear line
        assert_one_line_failures(done.stderr, {"lying.docx": "not a valid .docx"})
    else:  # read only what the headers promise: the real document
        assert done.stdout.startswith("1 added")


def test_lone_surrogate_in_jsonl_is_a_one_line_error(seeded_copy: Path, tmp_path: Path) -> None:
    before = snapshot(seeded_copy)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a-surrogate.jsonl").write_text(
        '{"title": "\\ud800标题", "text": "代表联络站\\udfff正文"}\n', encoding="utf-8"
    )
    good_source(sources, "（附：代理对测试）")
    done = run_cli(seeded_copy, "ingest", sources)
    assert done.returncode == 1
    assert_one_line_failures(done.stderr, {"a-surrogate.jsonl": "line 1: "})
    assert done.stdout.startswith("1 added, 0 updated, 0 unchanged, 1 failed, 0 skipped (")
    after = snapshot(seeded_copy)
    assert {name: after[name] for name in before} == before


@pytest.mark.parametrize("raw", [b"\xed\xa0\x80", b"\xff\xfe"])
def test_cli_search_with_undecodable_bytes(seeded_copy: Path, raw: bytes) -> None:
    cli_ok(seeded_copy, "index")
    done = subprocess.run(
        [os.fsencode(CLI), b"--data-dir", os.fsencode(seeded_copy), b"search", raw],
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert done.returncode in (0, 1)
    if done.returncode:
        assert stderr.startswith("Error: ") and stderr.count("\n") == 1, stderr


def damaged(good: str, field: str, line: str) -> str:
    """The record file with one front matter line replaced (or added before the closing ---)."""
    text, count = re.subn(rf"^{field}: .*$", line, good, count=1, flags=re.MULTILINE)
    return text if count else good.replace("\n---\n", f"\n{line}\n---\n", 1)


@pytest.mark.parametrize(
    ("field", "line", "message"),
    [
        ("categories", "categories: [", "front matter is not valid YAML"),
        ("year", "year: 2025年", "year must be a whole number"),
        ("id", "id: ../../etc/passwd", "id in front matter does not match the file name"),
    ],
)
def test_a_damaged_record_is_named_and_the_live_index_keeps_serving(
    seeded_copy: Path, field: str, line: str, message: str
) -> None:
    cli_ok(seeded_copy, "index")
    total = cli_ok(seeded_copy, "search", "代表")
    victim = sorted((seeded_copy / "records").glob("*.md"))[0]
    good = victim.read_text(encoding="utf-8")
    stray = seeded_copy / "records" / "evil.md"  # not a record id: never read
    stray.write_text("---\nid: ../../etc/passwd\n---\n\n无关\n", encoding="utf-8")
    victim.write_text(damaged(good, field, line), encoding="utf-8")
    for command in (["index"], ["index", "--rebuild"], ["records"]):
        done = run_cli(seeded_copy, *command)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        errors = [e for e in done.stderr.splitlines() if e.startswith("Error: ")]
        assert len(errors) == 1 and victim.name in errors[0] and message in errors[0], done.stderr
    assert cli_ok(seeded_copy, "search", "代表") == total  # the old index still answers
    with Server(seeded_copy) as server, server.client() as client:
        assert client.get("/api/search", {"q": "代表"}).json()["total"] > 0
        page = client.get(f"/records/{victim.stem}")
        assert b"Traceback" not in page.body and page.status in (200, 404, 500)
    victim.write_text(good, encoding="utf-8")
    assert cli_ok(seeded_copy, "index").startswith("index updated: 0 added")
    assert stray.exists()


def test_serve_on_a_busy_port_says_so_in_one_line(seeded_copy: Path) -> None:
    cli_ok(seeded_copy, "index")
    with Server(seeded_copy) as server:
        done = run_cli(seeded_copy, "serve", "--port", str(server.port), timeout=60)
        assert server.alive()
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and str(server.port) in lines[0], (
        lines
    )


BULK_RSS_LIMIT = 300 * MB  # less than the file: its rows are streamed, never held


@pytest.mark.soak
def test_a_bulk_jsonl_of_hundreds_of_mb_ingests_in_flat_memory(tmp_path):
    """A 290 MB export of 80,000 summaries is one source, read line by line: ingested whole,
    with the ingest's peak RSS below the file's size."""
    text = (SEEDS / "003_f064755b27ea1fff.txt").read_text(encoding="utf-8").replace("\n", "")
    body = (text * (4000 // len(text.encode()) + 1))[: 4000 // 3]
    bulk = tmp_path / "bulk.jsonl"
    with bulk.open("w", encoding="utf-8") as f:
        for i in range(80_000):
            row = {"title": f"第{i}号总结", "text": f"{body}第{i}份。"}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    assert bulk.stat().st_size > 280 * MB

    done, peak = run_measured(tmp_path / "data", "ingest", bulk, timeout=3600)

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "1 added, 0 updated, 0 unchanged, 0 failed, 0 skipped (80000 records from these sources)\n"
    )
    assert peak < BULK_RSS_LIMIT, f"ingest peaked at {peak / MB:.0f} MB"
    assert len(list((tmp_path / "data" / "records").iterdir())) == 80_000

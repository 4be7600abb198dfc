"""How often GB18030 vs Big5 is told right on short snippets: `python -m tests.formats_encoding_bench`.

Compares charset-normalizer on its own (restricted to the two codecs) with archive.formats, on
random snippets of the seeds (simplified, as GB18030) and of their traditional form (as Big5).
"""

from __future__ import annotations

import random
from pathlib import Path

import charset_normalizer
import opencc

from archive.formats import FormatError, detect_encoding

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LENGTHS = (2, 4, 8, 16, 40)
SAMPLES = 200


def charset_normalizer_guess(raw: bytes) -> str:
    match = charset_normalizer.from_bytes(raw, cp_isolation=["gb18030", "big5"]).best()
    return {"gb18030": "GB18030", "big5": "Big5"}.get(match.encoding, "") if match else ""


def archive_guess(raw: bytes) -> str:
    try:
        return detect_encoding(raw)
    except FormatError:
        return ""


def main() -> None:
    simplified = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    simplified = "".join(simplified.split())
    traditional = opencc.OpenCC("s2t").convert(simplified)
    rng = random.Random(2025)
    print("codec    chars  n    charset-normalizer  archive.formats")
    for codec, name, source in (("gb18030", "GB18030", simplified), ("big5", "Big5", traditional)):
        for length in LENGTHS:
            snippets = []
            while len(snippets) < SAMPLES:
                start = rng.randrange(len(source) - length)
                try:
                    raw = source[start : start + length].encode(codec)
                except UnicodeEncodeError:
                    continue
                if not raw.isascii():
                    snippets.append(raw)
            theirs = sum(charset_normalizer_guess(raw) == name for raw in snippets)
            ours = sum(archive_guess(raw) == name for raw in snippets)
            print(f"{name:8} {length:5}  {SAMPLES}  {theirs:18}  {ours:15}")


if __name__ == "__main__":
    main()

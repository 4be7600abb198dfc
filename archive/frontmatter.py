"""A record's YAML front matter, written directly for the usual values: the bytes libyaml writes.

Ingest writes one front matter per record; libyaml's emitter, driven from Python, cost more than
the rest of writing a record. The declared fields hold short texts, numbers, nulls and lists of
short texts, which YAML writes plainly (`district: 老边区`); those are written here, and a value
that YAML would quote, fold or tag (`title: '2025'`, a leading `#`, a line break) makes the whole
mapping go through libyaml. `tests/test_frontmatter.py` checks the output equals libyaml's, byte
for byte, for any values. Reading is the same in reverse (the index reads every record): a front
matter that `dump` would write as it stands is read directly, anything else by libyaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

# libyaml's C emitter when PyYAML has it (its wheels do): ~10x faster than pure Python.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INTEGER = re.compile("-?[1-9][0-9]{0,17}|0")  # as `dump` writes an int (longer: libyaml reads)
WIDTH = 1000  # YAML folds a plain text at a space past this column; no field is that long
_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()  # what a plain scalar would be read back as
_RESOLVED = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first characters it has rules for
_LEADING = frozenset("#,[]{}&*!|>'\"%@`?:- ")  # indicators that may not open a plain scalar
# Anything but printable characters of the Basic Multilingual Plane, and the breaks and BOM in it.
_UNPRINTABLE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")


def dump(meta: Mapping[str, Any]) -> str:
    """`meta` as a YAML block mapping, in its order, exactly as libyaml writes it."""
    lines = [_line(key, value) for key, value in meta.items()]
    if lines and None not in lines:
        return "".join(lines)  # type: ignore[arg-type]
    return yaml.dump(dict(meta), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)


def load(front: str) -> Any:
    """What YAML reads in a front matter (yaml.YAMLError when it cannot): read directly when
    `dump` would write what is read back as exactly this text, else by libyaml."""
    meta = _plain_mapping(front)
    return yaml.load(front, Loader=_Loader) if meta is None else meta


def _plain_mapping(front: str) -> dict[str, Any] | None:
    """The mapping in a front matter of plain `key: value` lines and lists of plain items,
    when writing it again gives the same text (so YAML reads the same values); else None."""
    meta: dict[str, Any] = {}
    lines = front.split("\n")
    i = 0
    while i < len(lines):
        key, sep, text = lines[i].partition(": ")
        i += 1
        if not sep and key.endswith(":"):  # a list, one `- item` a line
            key, value = key[:-1], []
            while i < len(lines) and lines[i].startswith("- "):
                value.append(lines[i][2:])
                i += 1
        elif sep:
            value = None if text == "null" else [] if text == "[]" else text
            if isinstance(value, str) and _INTEGER.fullmatch(value):
                value = int(value)
        else:
            return None
        if key in meta:
            return None
        meta[key] = value
    again = [_line(key, value) for key, value in meta.items()]
    return meta if None not in again and "".join(again) == front + "\n" else None  # type: ignore[arg-type]


def _line(key: Any, value: Any) -> str | None:
    """One `key: value` entry, or None when YAML would write it in some other way."""
    if not (isinstance(key, str) and plain(key)):
        return None
    if value is None:
        return f"{key}: null\n"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{key}: {value}\n"
    if isinstance(value, str):
        return f"{key}: {value}\n" if plain(value) else None
    if isinstance(value, list) and all(isinstance(v, str) and plain(v) for v in value):
        return f"{key}:\n" + "".join(f"- {v}\n" for v in value) if value else f"{key}: []\n"
    return None


def plain(text: str) -> bool:
    """Whether YAML writes `text` as it is, unquoted, on one line, and reads it back as text:
    printable characters of the Basic Multilingual Plane, no indicator where YAML looks for one,
    no space at either end, nothing that reads as a number, date, boolean or null."""
    if not text or len(text) > WIDTH // 2 or text[0] in _LEADING or text[-1] in " :":
        return False
    if text.startswith(("---", "...")) or ": " in text or " #" in text:
        return False
    if _UNPRINTABLE.search(text):
        return False
    if text[0] not in _RESOLVED:  # the resolver looks only at texts opening with these
        return True
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR

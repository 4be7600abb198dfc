"""A Whoosh segment writer without Whoosh's per-posting costs, for documents added in bulk.

Whoosh's `add_document` sends every posting through a sorting pool (a tuple and a size estimate
each, then one sort of all postings) and, while writing, looks each posting's field length up again
through a column reader. Here postings are kept as compact arrays of term and payload ids, ordered
by term once per field with numpy, and written with the lengths remembered at add time. The files
written are byte for byte those of `add_document` (tests/test_index_writer.py).
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


class _FieldPostings:
    """One field's postings in add order: term, document and (weight, value) ids, plus lengths."""

    def __init__(self) -> None:
        self.terms: dict[bytes, int] = {}
        self.payloads: dict[tuple[float, bytes], int] = {}
        self.term_ids = array("i")
        self.docnums = array("i")
        self.payload_ids = array("i")
        self.lengths: dict[int, int] = {}  # docnum -> length as Whoosh stores it (one byte)

    def add(self, docnum: int, items: Any, scorable: bool) -> int:
        """Take one document's (term, freq, weight, value) items; returns the field length."""
        items = list(items)
        if not items:
            return 0
        terms, payloads = self.terms, self.payloads
        tbytes, freqs, weights, vbytes = zip(*items, strict=True)
        self.term_ids.extend([terms.setdefault(t, len(terms)) for t in tbytes])
        self.payload_ids.extend(
            [
                payloads.setdefault((w, v or b""), len(payloads))
                for w, v in zip(weights, vbytes, strict=True)
            ]
        )
        self.docnums.extend([docnum] * len(items))
        length = sum(freqs)
        if not scorable:
            return 0
        stored = length_to_byte(length)
        if stored:  # a zero byte reads back as no length
            self.lengths[docnum] = byte_to_length(stored)
        return length

    def write(self, fieldwriter: Any, fieldname: str, fieldobj: Any) -> None:
        """Write the field's terms in byte order, each term's postings in docnum order."""
        if not self.terms:
            return  # Whoosh starts a field only for its first posting
        ordered = sorted(self.terms)
        rank = np.empty(len(ordered), np.int64)
        rank[[self.terms[t] for t in ordered]] = np.arange(len(ordered))
        term_rank = rank[np.frombuffer(self.term_ids, np.int32)]
        order = np.argsort(term_rank, kind="stable")  # stable: docnums stay ascending
        docnums = np.frombuffer(self.docnums, np.int32)[order].tolist()
        payload_ids = np.frombuffer(self.payload_ids, np.int32)[order].tolist()
        counts = np.bincount(term_rank, minlength=len(ordered)).tolist()
        payloads = list(self.payloads)
        lengths = self.lengths
        add = fieldwriter.add
        fieldwriter.start_field(fieldname, fieldobj)
        at = 0
        for tbytes, count in zip(ordered, counts, strict=True):
            fieldwriter.start_term(tbytes)
            for i in range(at, at + count):
                docnum = docnums[i]
                weight, vbytes = payloads[payload_ids[i]]
                add(docnum, weight, vbytes, lengths.get(docnum))
            fieldwriter.finish_term()
            at += count
        fieldwriter.finish_field()


class BulkSegmentWriter(SegmentWriter):
    """Writes one new segment for the caller to commit; `add` replaces Whoosh's `add_document`."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix, _lk=False, compound=False)  # a compound file would swallow ours
        self._fields: dict[str, _FieldPostings] = {}

    def add(self, **fields: object) -> None:
        """Add one document, each value as its field's `index()` takes it (no boosts, vectors,
        columns or spelling: the schema has none)."""
        self._check_state()
        self._check_fields(self.schema, fields)
        writer = self.perdocwriter
        writer.start_doc(self.docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = 0
            if field.indexed:
                postings = self._fields.setdefault(name, _FieldPostings())
                length = postings.add(self.docnum, field.index(value), field.scorable)
            writer.add_field(name, field, value if field.stored else None, length)
        writer.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        for name in sorted(self._fields):
            self._fields[name].write(self.fieldwriter, name, self.schema[name])
        self.fieldwriter.close()

    def finish(self) -> Any:
        """Write the segment's files and return the segment, uncommitted (the parent commits)."""
        segment = self._finalize_segment()
        self.is_closed = True
        return segment

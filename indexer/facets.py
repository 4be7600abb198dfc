"""Filters and facet counts over docnum masks; each facet is counted with the OTHER facets' filters."""

from __future__ import annotations

import numpy as np

from archive.records import FACETS, TEXT_FACETS
from indexer.models import FacetValue, SearchRequest
from indexer.reading import Snapshot


def filter_masks(snapshot: Snapshot, request: SearchRequest) -> dict[str, np.ndarray]:
    """One mask per facet that the request filters on (OR within a facet)."""
    masks: dict[str, np.ndarray] = {}
    for name in TEXT_FACETS:
        wanted = set(request.selected(name))
        if wanted:
            vocab = snapshot.vocabularies[name]
            ids = [i for i, v in enumerate(vocab.values) if v in wanted]
            masks[name] = np.isin(vocab.ids, ids)
    if request.selected("category"):
        columns = category_columns(snapshot, request)
        masks["category"] = snapshot.category_matrix[:, columns].any(axis=1)
    if request.years:
        masks["year"] = np.zeros(len(snapshot.year), dtype=bool)
        for low, high in request.years:
            masks["year"] |= (snapshot.year >= low) & (snapshot.year <= high)
    return masks


def category_columns(snapshot: Snapshot, request: SearchRequest) -> list[int]:
    """The columns of snapshot.category_values that the request's category filter ticks."""
    wanted = set(request.selected("category"))
    return [i for i, c in enumerate(snapshot.category_values) if c in wanted]


def apply_filters(match: np.ndarray, masks: dict[str, np.ndarray], skip: str = "") -> np.ndarray:
    """The match narrowed by every filter but `skip`'s."""
    result = match
    for name, mask in masks.items():
        if name != skip:
            result = result & mask
    return result


def facet_counts(
    snapshot: Snapshot,
    match: np.ndarray,
    masks: dict[str, np.ndarray],
    request: SearchRequest,
    categories: np.ndarray,
) -> dict[str, tuple[FacetValue, ...]]:
    """Counts per facet value over the whole result set, most frequent first (years newest first);
    `categories` is each document's categories as the category filter sees them (column-major, so
    each column is counted in one pass over contiguous memory)."""
    facets: dict[str, tuple[FacetValue, ...]] = {}
    for name in FACETS:
        base = apply_filters(match, masks, skip=name)
        selected = set(request.selected(name))
        if name in TEXT_FACETS:
            vocab = snapshot.vocabularies[name]
            counts = _tally(vocab.ids, base, len(vocab.values))
            pairs = list(zip(vocab.values, counts.tolist(), strict=True))
        elif name == "category":
            counts = np.array([np.count_nonzero(column & base) for column in categories.T], int)
            pairs = list(zip(snapshot.category_values, counts.tolist(), strict=True))
        else:
            counts = _tally(snapshot.year_ids, base, len(snapshot.year_values))
            present = np.flatnonzero(counts)
            years = snapshot.year_values[present].tolist()
            pairs = [(str(y), c) for y, c in zip(years, counts[present].tolist(), strict=True)]
            pairs.sort(key=lambda p: p[0], reverse=True)
            facets[name] = tuple(FacetValue(v, c, request.year_selected(int(v))) for v, c in pairs)
            continue
        values = [FacetValue(v, c, v in selected) for v, c in pairs if c or v in selected]
        values.sort(key=lambda f: (-f.count, f.value))
        facets[name] = tuple(values)
    return facets


def _tally(ids: np.ndarray, base: np.ndarray, size: int) -> np.ndarray:
    """Documents of the mask `base` per value id (0..size-1); id -1 (unknown) is not counted."""
    return np.bincount(ids[base] + 1, minlength=size + 1)[1:]

"""Bar charts drawn as SVG on the server: geometry here, markup in templates/_chart.html.

No JavaScript and no inline style (the CSP forbids it): bars carry classes for their colour and
their numbers as attributes, so a chart is readable, linkable and testable as plain markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PLOT_HEIGHT = 180.0
LEFT, TOP, RIGHT = 52.0, 12.0, 12.0
BAR, GROUP_GAP = 18.0, 16.0


@dataclass(frozen=True)
class Bar:
    """One value of one series at one key, with the search it links to."""

    series: int
    key: str
    value: float
    x: float
    y: float
    width: float
    height: float
    label: str  # what a reader hears and sees on hover
    href: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class KeyLabel:
    """A key under its group of bars; `gap` when the key has no records at all."""

    x: float
    text: str
    gap: bool


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    width: float
    height: float
    top: float  # the value at the top of the plot
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    keys: tuple[KeyLabel, ...]
    slanted: bool  # long key labels (places) are drawn at an angle

    @property
    def plot_height(self) -> float:
        return PLOT_HEIGHT


def nice_step(top: float) -> float:
    """A tick step of 1, 2, 2.5 or 5 times a power of ten giving about four ticks up to `top`."""
    raw = max(top, 1e-9) / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def bar_chart(
    title: str,
    unit: str,
    keys: Sequence[str],
    values: Sequence[Sequence[float | None]],
    label: Callable[[int, int], str],
    href: Callable[[int, int], str],
    *,
    whole: bool = False,
) -> Chart:
    """Grouped bars: values[series][key]; None is a gap (the key has no records), not a zero.
    `whole` keeps ticks on whole numbers (counts)."""
    largest = max((v for row in values for v in row if v is not None), default=0.0)
    step = max(nice_step(largest), 1.0) if whole else nice_step(largest or 1.0)
    top = step * max(1, math.ceil(largest / step))
    slanted = any(len(k) > 4 for k in keys)
    group = len(values) * BAR + GROUP_GAP
    width = LEFT + RIGHT + max(len(keys), 1) * group
    bottom = TOP + PLOT_HEIGHT
    bars = []
    for s, row in enumerate(values):
        for k, value in enumerate(row):
            if value is None:
                continue
            height = round(value / top * PLOT_HEIGHT, 2)
            x = LEFT + k * group + GROUP_GAP / 2 + s * BAR
            bars.append(
                Bar(s, keys[k], value, x, round(bottom - height, 2), BAR - 2, height,
                    label(s, k), href(s, k))
            )  # fmt: skip
    ticks = tuple(
        Tick(round(bottom - i * step / top * PLOT_HEIGHT, 2), f"{i * step:g}{unit}")
        for i in range(round(top / step) + 1)
    )
    labels = tuple(
        KeyLabel(LEFT + k * group + group / 2, key, all(row[k] is None for row in values))
        for k, key in enumerate(keys)
    )
    height = bottom + (8 + 13 * max((len(k) for k in keys), default=2) * 0.75 if slanted else 22)
    return Chart(title, unit, width, height, top, bottom, tuple(bars), ticks, labels, slanted)

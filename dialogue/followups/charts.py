"""The dashboard's chart, drawn on the server as SVG: per unit, a bar of done / in progress / overdue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .counts import GroupRow

WIDTH = 320  # the SVG's own units; it scales to the page's width
ROW = 34
LABEL = 14
BAR = 14


@dataclass
class Segment:
    x: float
    width: float
    count: int
    kind: str  # done, open, overdue


@dataclass
class Bar:
    y: int
    label: str
    total: int
    segments: list[Segment]


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    more: int


def unit_chart(groups: Sequence[GroupRow], limit: int = 20) -> Chart:
    """``groups`` are the dashboard's rows by unit (already ordered, overdue first). Cancelled work is left out."""
    shown = [g for g in groups if g.counts.finished + g.counts.open > 0][:limit]
    biggest = max((g.counts.finished + g.counts.open for g in shown), default=0) or 1
    bars = []
    for index, group in enumerate(shown):
        y = index * ROW
        x = 0.0
        segments = []
        for kind, count in (
            ("done", group.counts.finished),
            ("open", group.counts.open_on_time),
            ("overdue", group.counts.overdue),
        ):
            width = WIDTH * count / biggest
            if count:
                segments.append(Segment(round(x, 2), round(width, 2), count, kind))
            x += width
        bars.append(Bar(y, group.name, group.counts.finished + group.counts.open, segments))
    return Chart(WIDTH, max(len(bars) * ROW, ROW), bars, max(len(groups) - len(shown), 0))

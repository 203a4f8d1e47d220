"""The one rule for "held on D" as intervals: what a holding comes from, and the union and
lookup of half-open date intervals (DESIGN.md: holds, held until, collection).

The engine's per-person holdings (``skills.coverage.engine.Holdings``) and the overview's
held-until dates (``skills.coverage.overview``) are both built on these names.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from skills.coverage.data import ActivityRef

# Stands for "never expires" / "open-ended" so that intervals compare as plain dates.
NEVER = date.max


class Source(NamedTuple):
    """What an interval of holding comes from: the activity and the completion whose
    expiry (or, for a collection, whose leaving the window) ends it."""

    activity: ActivityRef
    completion_id: int | None
    completed_on: date


class Interval(NamedTuple):
    start: date
    end: date  # exclusive; NEVER when open-ended
    src: Source | None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of half-open intervals; touching ones join. Keeps the source of each end."""
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: (i.start, i.end)):
        if out and iv.start <= out[-1].end:
            if iv.end > out[-1].end:
                out[-1] = Interval(out[-1].start, iv.end, iv.src)
        else:
            out.append(iv)
    return out


def containing(intervals: list[Interval], day: date) -> Interval | None:
    for iv in intervals:
        if iv.start <= day < iv.end:
            return iv
    return None

"""The one rule behind each unit figure of DESIGN.md "What each figure means", over facts the
loaders have already worked out (who is in the unit, who holds what): the unit report
(``engine.build_unit_report``), the overview and the trend (``skills.overview.services``) all call
these, so a rule changed here changes every page.

    from skills.coverage.figures import count_once, counted_for_compliance, grace_deadline
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TypeVar

from skills.coverage.holdings import Interval, add_months
from skills.coverage.presence import intersect

T = TypeVar("T")


def grace_deadline(posting_start: date, grace_from: date, grace_months: int) -> date:
    """DESIGN.md, requirement status: the deadline is the posting's start (or the version's
    ``grace_from``, if later) plus the grace months."""
    return add_months(max(posting_start, grace_from), grace_months)


def counted_for_compliance(mandatory: bool, held: bool, day: date, deadline: date) -> bool:
    """DESIGN.md, compliance: a mandatory requirement counts when held, or once its deadline
    has passed (those not held within their grace period are left out)."""
    return mandatory and (held or day >= deadline)


def count_once(lines: Iterable[tuple[object, T]]) -> list[T]:
    """One person's counted requirement lines as ``(capability and level, line)``, over all
    their postings in the unit: two postings asking for the same thing count once."""
    seen: set = set()
    out: list[T] = []
    for key, line in lines:
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out


def sole_holder(holders: Sequence[int]) -> int | None:
    """DESIGN.md, single point of failure: exactly one person in the unit holds it."""
    return holders[0] if len(holders) == 1 else None


def points_counted(
    points: Sequence[date], present: list[Interval], held: list[Interval]
) -> list[tuple[int, int]]:
    """DESIGN.md, headcount and forecast: the runs ``[lo, hi)`` of ``points`` (sorted days)
    at which a person counts, in the unit (``present``) and holding (``held``) at once."""
    out = []
    for span in intersect(present, held):
        lo, hi = bisect_left(points, span.start), bisect_left(points, span.end)
        if lo < hi:
            out.append((lo, hi))
    return out

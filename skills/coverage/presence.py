"""The one rule for "in the unit on D" (DESIGN.md: a person is in a unit; the last funded
day): a posting as the engine reads it, its last day, and a person's days in a unit.

    from skills.coverage.presence import PostingRecord, posting_record, presence, intersect

The rule itself (the last funded day, and "in post on D" in SQL) is written once in
``people.models`` (``last_funded_day``, ``in_post_on``, ``Posting.objects.current_on``) and
re-exported here; ``PostingRecord.current_on`` is its Python form over loaded postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from people.models import in_post_on, last_funded_day
from skills.coverage.data import RoleRef
from skills.coverage.holdings import NEVER, Interval, merge


@dataclass
class PostingRecord:
    id: int
    person_id: int
    unit_code: str
    unit_name: str
    role_id: int
    role: RoleRef
    start: date
    end: date | None
    fund_name: str | None
    fund_ends_on: date | None  # after any what-if override
    last_day: date | None

    def current_on(self, day: date) -> bool:
        """DESIGN.md: in post on ``day`` (start <= day <= last funded day), as ``in_post_on``."""
        return self.start <= day and (self.last_day is None or day <= self.last_day)


def posting_record(p, fund_ends: dict[str, date]) -> PostingRecord:
    """A ``people.models.Posting`` (fund, unit, role profile selected) as the engine reads
    it; ``fund_ends`` (fund code -> date) moves funds' end dates (a what-if)."""
    fund_ends_on = None
    if p.fund_id:
        fund_ends_on = fund_ends.get(p.fund.code, p.fund.ends_on)
    return PostingRecord(
        id=p.pk,
        person_id=p.person_id,
        unit_code=p.unit.code,
        unit_name=p.unit.name,
        role_id=p.role_profile_id,
        role=RoleRef(code=p.role_profile.code, name=p.role_profile.name),
        start=p.start,
        end=p.end,
        fund_name=p.fund.name if p.fund_id else None,
        fund_ends_on=fund_ends_on,
        last_day=last_funded_day(p.end, fund_ends_on),
    )


def days_in_unit(postings: list[PostingRecord]) -> list[Interval]:
    """Days in the unit as half-open intervals (the last day in post included)."""
    return merge(
        Interval(r.start, r.last_day + timedelta(days=1) if r.last_day else NEVER, None)
        for r in postings
    )


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i].start, b[j].start), min(a[i].end, b[j].end)
        if start < end:
            out.append(Interval(start, end, None))
        if a[i].end < b[j].end:
            i += 1
        else:
            j += 1
    return out


__all__ = [
    "PostingRecord",
    "days_in_unit",
    "in_post_on",
    "intersect",
    "last_funded_day",
    "posting_record",
]

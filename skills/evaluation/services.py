"""Evaluation of a unit's specials and volunteers (issue 7): hours deployed per month against
the commitment agreed, capabilities only they provide, who has not been deployed in six months,
and skills held but never used in a deployment.

Pure computation over a fixed handful of queries (never one per person), on top of the unit's
``UnitReport`` (DESIGN.md, Specials and volunteers): holdings and "not deployed in 6 months"
come from the engine, not recomputed here.

- A **month** is a calendar month that has ended on or before the as-of date; the evaluation
  shows the last 12.
- **Hours deployed** in a month: deployments dated in it, of specials and volunteers, recorded
  against the unit (or a unit inside it), or against no unit while the person was in the unit.
- **Commitment agreed** for a month: over the specials and volunteers in the unit on the month
  end, the hours a month agreed on their posting there (``Posting.commitment_hours_per_month``),
  or else on their person record (``Person.monthly_hours_commitment``). None when nobody in the
  unit has a commitment recorded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from people.models import Deployment, PersonType, Posting, Unit
from skills.coverage import UnitReport, build_unit_report
from skills.coverage.data import CapabilityRef, PersonRef, UnitRef
from skills.dates import add_months, month_end

SPECIAL_TYPES = (PersonType.SPECIAL, PersonType.VOLUNTEER)
MONTHS = 12


@dataclass(frozen=True)
class MonthLine:
    month_end: date
    hours: Decimal
    committed: Decimal | None  # None: no commitment recorded for anyone in the unit
    people: int  # specials and volunteers in the unit on the month end

    @property
    def share(self) -> float | None:
        """Hours deployed ÷ hours committed; None when nothing was committed."""
        if not self.committed:
            return None
        return float(self.hours / self.committed)


@dataclass(frozen=True)
class OnlyProvided:
    """A capability that, from ``level`` up, only specials or volunteers in the unit hold."""

    capability: CapabilityRef
    level: int
    holders: tuple[PersonRef, ...]
    asked_for: bool  # a target or a mandatory requirement of the unit asks for it at that level


@dataclass(frozen=True)
class UnusedSkill:
    capability: CapabilityRef
    level: int


@dataclass(frozen=True)
class PersonEvaluation:
    """One special or volunteer in the unit on the as-of date."""

    person: PersonRef
    commitment: Decimal | None  # hours a month agreed, None if not recorded
    hours_12_months: Decimal  # hours deployed for the unit in the 12 months shown
    last_deployed_on: date | None
    not_deployed_6_months: bool
    unused: tuple[UnusedSkill, ...]  # held on the as-of date, never used in a deployment


@dataclass(frozen=True)
class UnitEvaluation:
    unit: UnitRef
    as_of: date
    specials: int
    volunteers: int
    months: tuple[MonthLine, ...]
    only_provided: tuple[OnlyProvided, ...]
    people: tuple[PersonEvaluation, ...]

    @property
    def hours_12_months(self) -> Decimal:
        return sum((m.hours for m in self.months), Decimal(0))

    @property
    def committed_12_months(self) -> Decimal | None:
        values = [m.committed for m in self.months if m.committed is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def share_12_months(self) -> float | None:
        committed = self.committed_12_months
        return float(self.hours_12_months / committed) if committed else None

    @property
    def not_deployed(self) -> tuple[PersonEvaluation, ...]:
        return tuple(p for p in self.people if p.not_deployed_6_months)

    @property
    def with_unused_skills(self) -> tuple[PersonEvaluation, ...]:
        return tuple(p for p in self.people if p.unused)


def months_up_to(as_of: date, count: int = MONTHS) -> list[date]:
    """The last ``count`` month ends on or before ``as_of``, oldest first."""
    last = as_of if month_end(as_of) == as_of else as_of.replace(day=1) - timedelta(days=1)
    return [month_end(add_months(last.replace(day=1), -i)) for i in range(count - 1, -1, -1)]


def evaluate_unit(
    unit: Unit, *, as_of: date, report: UnitReport | None = None, months: int = MONTHS
) -> UnitEvaluation:
    """The evaluation of ``unit``'s specials and volunteers as of ``as_of``. Pass the unit's
    report (as of the same date) to avoid building it again."""
    if report is None:
        report = build_unit_report(unit, as_of=as_of)
    assert report.as_of == as_of, "the report must be as of the same date"
    month_ends = months_up_to(as_of, months)
    window_start = month_ends[0].replace(day=1)
    unit_ids = Unit.objects.descendant_ids([unit.pk])

    postings = list(
        Posting.objects.filter(
            unit_id__in=unit_ids,
            person__person_type__in=SPECIAL_TYPES,
            start__lte=max(as_of, month_ends[-1]),
        )
        .select_related("fund", "person")
        .order_by("start", "pk")
    )
    postings_of: dict[int, list[Posting]] = defaultdict(list)
    for posting in postings:
        postings_of[posting.person_id].append(posting)
    person_commitment = {p.person_id: p.person.monthly_hours_commitment for p in postings}

    def in_unit(pid: int, day: date) -> list[Posting]:
        return [p for p in postings_of.get(pid, ()) if p.is_current_on(day)]

    def commitment(pid: int, day: date) -> Decimal | None:
        current = in_unit(pid, day)
        agreed = [p.commitment_hours_per_month for p in current if p.commitment_hours_per_month]
        if agreed:
            return sum(agreed, Decimal(0))
        if current and person_commitment.get(pid):
            return Decimal(person_commitment[pid])
        return None

    deployments = (
        Deployment.objects.counted()
        .filter(
            person_id__in=postings_of.keys(),
            deployed_on__gte=window_start,
            deployed_on__lte=month_ends[-1],
        )
        .values_list("person_id", "unit_id", "deployed_on", "hours")
    )
    hours_by_month: dict[date, Decimal] = defaultdict(Decimal)
    hours_by_person: dict[int, Decimal] = defaultdict(Decimal)
    for pid, unit_id, day, hours in deployments:
        counts = unit_id in unit_ids if unit_id is not None else bool(in_unit(pid, day))
        if counts:
            hours_by_month[month_end(day)] += hours
            hours_by_person[pid] += hours

    month_lines = []
    for end in month_ends:
        here = [pid for pid in postings_of if in_unit(pid, end)]
        agreed = [c for c in (commitment(pid, end) for pid in here) if c is not None]
        month_lines.append(
            MonthLine(
                month_end=end,
                hours=hours_by_month.get(end, Decimal(0)),
                committed=sum(agreed, Decimal(0)) if agreed else None,
                people=len(here),
            )
        )

    sv = report.specials_and_volunteers
    lines = {line.person.id: line for line in sv.people}
    not_deployed = {p.id for p in sv.not_deployed_6_months}
    used = _capabilities_used(lines.keys(), as_of)
    holdings = {line.person.id: line.holdings for line in report.people}
    people = []
    for pid, line in lines.items():
        people.append(
            PersonEvaluation(
                person=line.person,
                commitment=commitment(pid, as_of),
                hours_12_months=hours_by_person.get(pid, Decimal(0)),
                last_deployed_on=line.last_deployed_on,
                not_deployed_6_months=pid in not_deployed,
                unused=tuple(
                    UnusedSkill(h.capability, h.level)
                    for h in sorted(holdings.get(pid, ()), key=lambda h: h.capability.code)
                    if h.capability.code not in used.get(pid, set())
                ),
            )
        )
    people.sort(key=lambda p: (p.person.name, p.person.id))

    return UnitEvaluation(
        unit=report.unit,
        as_of=as_of,
        specials=sv.specials,
        volunteers=sv.volunteers,
        months=tuple(month_lines),
        only_provided=_only_provided(report),
        people=tuple(people),
    )


def _capabilities_used(person_ids, as_of: date) -> dict[int, set[str]]:
    """Capability codes each person used in any deployment dated on or before ``as_of``."""
    through = Deployment.capabilities.through
    rows = (
        through.objects.filter(
            deployment__person_id__in=list(person_ids),
            deployment__deployed_on__lte=as_of,
            deployment__rejected_at__isnull=True,
        )
        .values_list("deployment__person_id", "capability__code")
        .distinct()
    )
    used: dict[int, set[str]] = defaultdict(set)
    for pid, code in rows:
        used[pid].add(code)
    return used


def _only_provided(report: UnitReport) -> tuple[OnlyProvided, ...]:
    """For each capability held in the unit, the lowest level from which every holder (at that
    level or higher) is a special or a volunteer."""
    holders: dict[str, list[tuple[int, PersonRef]]] = defaultdict(list)
    caps: dict[str, CapabilityRef] = {}
    for line in report.people:
        for holding in line.holdings:
            holders[holding.capability.code].append((holding.level, line.person))
            caps[holding.capability.code] = holding.capability
    asked = {(d.capability.code, d.level) for d in report.specials_and_volunteers.depended_on}
    out = []
    for code in sorted(holders):
        for level in sorted({lv for lv, _ in holders[code]}):
            at_level = [p for lv, p in holders[code] if lv >= level]
            if all(p.person_type in SPECIAL_TYPES for p in at_level):
                out.append(
                    OnlyProvided(
                        capability=caps[code],
                        level=level,
                        holders=tuple(sorted(at_level, key=lambda p: (p.name, p.id))),
                        asked_for=any(c == code and lv >= level for c, lv in asked),
                    )
                )
                break
    return tuple(out)

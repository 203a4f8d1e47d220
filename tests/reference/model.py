"""A small, slow, obviously-correct reading of DESIGN.md "What each figure means".

Written straight from the definitions, one person and one day at a time, with plain loops.
It reads the models of the three apps into plain records and never imports the coverage
engine (skills.coverage, skills.overview, people.self_service, people.directory), nor
skills.dates: the calendar rule is written out again here.

Every function takes the as-of date D explicitly. Nothing is cached, merged or clever: if a
figure here disagrees with the register, re-read the definition quoted in the docstring.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from courses.models import Activity, ActivityCapability, Completion
from people.models import Person, Posting, Unit
from skills.models import Requirement, ResilienceTarget

LOOKAHEAD = timedelta(days=90)  # DESIGN.md: met / expiring look 90 days ahead
VERIFIED, PENDING = "verified", "pending"
SPECIAL_TYPES = ("special", "volunteer")


def add_months(day: date, months: int) -> date:
    """ "N months after X" keeps the day of the month, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def forecast_month_ends(day: date, count: int = 12) -> list[date]:
    """ "the first is the last day of D's month if that is after D, else of the next month"."""
    first = last_day_of_month(day)
    if first <= day:
        first = last_day_of_month(day + timedelta(days=1))
    out = [first]
    while len(out) < count:
        out.append(last_day_of_month(out[-1] + timedelta(days=1)))
    return out[:count]


# --- plain records of what the register holds -------------------------------------------------


@dataclass
class Act:
    id: int
    code: str
    kind: str
    validity_months: int | None
    threshold: int | None
    labs: list[int] = field(default_factory=list)
    evidences: list[tuple[int, int]] = field(default_factory=list)  # (capability id, level)


@dataclass
class Comp:
    id: int
    person_id: int
    activity_id: int
    completed_on: date
    expires_on: date | None
    status: str


@dataclass
class Post:
    id: int
    person_id: int
    unit_id: int
    role_id: int
    start: date
    end: date | None
    fund_ends_on: date | None


@dataclass
class Req:
    role_id: int
    capability_id: int
    level: int
    mandatory: bool
    grace_months: int
    grace_from: date
    valid_from: date
    draft: bool
    retired: bool


@dataclass
class Tgt:
    unit_id: int | None
    unit_kind: str
    capability_id: int
    level: int
    minimum: int
    valid_from: date
    draft: bool
    retired: bool


class World:
    """Everything the register knows, read once into plain lists."""

    def __init__(self):
        self.units = {u.pk: u for u in Unit.objects.all()}
        self.people = {p.pk: p for p in Person.objects.all()}
        self.activities: dict[int, Act] = {}
        for a in Activity.objects.all():
            self.activities[a.pk] = Act(a.pk, a.code, a.kind, a.validity_months, a.threshold)
        for link in Activity.labs.through.objects.all():
            self.activities[link.from_activity_id].labs.append(link.to_activity_id)
        for ev in ActivityCapability.objects.all():
            self.activities[ev.activity_id].evidences.append((ev.capability_id, ev.level))
        self.completions = [
            Comp(c.pk, c.person_id, c.activity_id, c.completed_on, c.expires_on, c.status)
            for c in Completion.objects.all()
        ]
        self.postings = [
            Post(
                p.pk,
                p.person_id,
                p.unit_id,
                p.role_profile_id,
                p.start,
                p.end,
                p.fund.ends_on if p.fund_id else None,
            )
            for p in Posting.objects.select_related("fund")
        ]
        self.requirements = [
            Req(
                r.role_profile_id,
                r.capability_id,
                r.level,
                r.mandatory,
                r.grace_months,
                r.grace_from,
                r.valid_from,
                r.draft,
                r.retired,
            )
            for r in Requirement.objects.all()
        ]
        self.targets = [
            Tgt(
                t.unit_id,
                t.unit_kind,
                t.capability_id,
                t.level,
                t.minimum,
                t.valid_from,
                t.draft,
                t.retired,
            )
            for t in ResilienceTarget.objects.all()
        ]

    # --- holdings ---------------------------------------------------------------------------

    def expiry(self, c: Comp) -> date | None:
        """ "the record's own expiry if it gives one, otherwise the completion date plus the
        activity's validity in months; no validity means it never expires"."""
        if c.expires_on:
            return c.expires_on
        validity = self.activities[c.activity_id].validity_months
        return add_months(c.completed_on, validity) if validity else None

    def valid_on(self, c: Comp, day: date) -> bool:
        """ "valid on D when its date <= D < its expiry"."""
        expiry = self.expiry(c)
        return c.completed_on <= day and (expiry is None or day < expiry)

    def counting(self, person_id: int, cutoff: date, with_pending: bool = False) -> list[Comp]:
        """Completions that count: verified (and, when asked, pending), dated <= cutoff."""
        statuses = (VERIFIED, PENDING) if with_pending else (VERIFIED,)
        return [
            c
            for c in self.completions
            if c.person_id == person_id and c.status in statuses and c.completed_on <= cutoff
        ]

    def evidences(self, activity_id: int, cap: int, level: int) -> bool:
        """ "evidences C at level L or higher"."""
        return any(c == cap and lv >= level for c, lv in self.activities[activity_id].evidences)

    def collection_labs_in_window(self, coll: Act, comps: list[Comp], day: date) -> dict:
        """Lab id -> its latest completion L with L <= D < L + validity (any L <= D with no
        validity), for the collection's labs."""
        latest: dict[int, date] = {}
        for c in comps:
            if c.activity_id not in coll.labs or c.completed_on > day:
                continue
            window_end = (
                add_months(c.completed_on, coll.validity_months) if coll.validity_months else None
            )
            in_window = window_end is None or day < window_end
            if in_window and c.completed_on > latest.get(c.activity_id, date.min):
                latest[c.activity_id] = c.completed_on
        return latest

    def sources(self, person_id, cap, level, day, cutoff, with_pending=False) -> list:
        """What makes the person hold (cap, level or higher) on ``day``, counting completions
        dated <= cutoff: a list of "held until" dates (None = never), empty when not held."""
        comps = self.counting(person_id, cutoff, with_pending)
        out = []
        for c in comps:
            if self.evidences(c.activity_id, cap, level) and self.valid_on(c, day):
                out.append(self.expiry(c))
        for coll in self.activities.values():
            if coll.kind != "collection" or not self.evidences(coll.id, cap, level):
                continue
            labs = self.collection_labs_in_window(coll, comps, day)
            if len(labs) >= (coll.threshold or 1):
                # "held until the threshold-th most recent of those labs plus the validity"
                recent = sorted(labs.values(), reverse=True)[(coll.threshold or 1) - 1]
                out.append(
                    add_months(recent, coll.validity_months) if coll.validity_months else None
                )
        return out

    def holds(self, person_id, cap, level, day, cutoff=None, with_pending=False) -> bool:
        cutoff = day if cutoff is None else cutoff
        return bool(self.sources(person_id, cap, level, day, cutoff, with_pending))

    def held_until(self, person_id, cap, level, day) -> date | None:
        """ "the latest expiry among such completions (or never)"."""
        ends = self.sources(person_id, cap, level, day, day)
        assert ends, "not held"
        return None if None in ends else max(ends)

    def holdings(self, person_id, day) -> dict[int, tuple[int, date | None]]:
        """Capability id -> (highest level held on D, held until at that level)."""
        caps = {cap for a in self.activities.values() for cap, _ in a.evidences}
        out = {}
        for cap in caps:
            for level in (3, 2, 1):
                if self.holds(person_id, cap, level, day):
                    out[cap] = (level, self.held_until(person_id, cap, level, day))
                    break
        return out

    # --- presence -----------------------------------------------------------------------------

    def inside(self, unit_id: int) -> set[int]:
        """The unit and every unit inside it, at any depth."""
        out = {unit_id}
        changed = True
        while changed:
            changed = False
            for u in self.units.values():
                if u.parent_id in out and u.pk not in out:
                    out.add(u.pk)
                    changed = True
        return out

    def last_day(self, p: Post) -> date | None:
        """The end date, or the fund's end date if that comes first."""
        days = [d for d in (p.end, p.fund_ends_on) if d is not None]
        return min(days) if days else None

    def current(self, p: Post, day: date) -> bool:
        last = self.last_day(p)
        return p.start <= day and (last is None or day <= last)

    def postings_in(self, unit_id: int, person_id: int, day: date) -> list[Post]:
        units = self.inside(unit_id)
        return [
            p
            for p in self.postings
            if p.person_id == person_id and p.unit_id in units and self.current(p, day)
        ]

    def people_in(self, unit_id: int, day: date) -> set[int]:
        return {pid for pid in self.people if self.postings_in(unit_id, pid, day)}

    # --- versions ---------------------------------------------------------------------------

    @staticmethod
    def _in_force(rows, row, series, day) -> bool:
        """In force on D: adopted, valid_from <= D, not superseded by a later adopted version
        of its series dated <= D, and not retired."""
        if row.draft or row.valid_from > day:
            return False
        later = [
            r
            for r in rows
            if series(r) == series(row) and not r.draft and row.valid_from < r.valid_from <= day
        ]
        return not later and not row.retired

    def requirements_of(self, role_id: int, day: date) -> list[Req]:
        def series(r):
            return (r.role_id, r.capability_id, r.level)

        return [
            r
            for r in self.requirements
            if r.role_id == role_id and self._in_force(self.requirements, r, series, day)
        ]

    def targets_of(self, unit_id: int, day: date) -> dict[tuple[int, int], int]:
        """(capability, level) -> minimum: the unit's own target replaces its kind's."""
        unit = self.units[unit_id]

        def series(t):
            return (t.unit_id or 0, t.unit_kind, t.capability_id, t.level)

        out: dict[tuple[int, int], int] = {}
        for own in (False, True):
            for t in self.targets:
                mine = (
                    t.unit_id == unit_id
                    if own
                    else (t.unit_id is None and t.unit_kind == unit.kind)
                )
                if mine and self._in_force(self.targets, t, series, day):
                    out[(t.capability_id, t.level)] = t.minimum
        return out

    # --- a person's requirement status ------------------------------------------------------------

    def deadline(self, r: Req, posting: Post) -> date:
        return add_months(max(posting.start, r.grace_from), r.grace_months)

    def status(self, person_id: int, r: Req, posting: Post, day: date) -> str:
        if self.holds(person_id, r.capability_id, r.level, day):
            # "still held on D + 90 days counting only completions dated <= D"
            if self.holds(person_id, r.capability_id, r.level, day + LOOKAHEAD, cutoff=day):
                return "met"
            return "expiring"
        if self.holds(person_id, r.capability_id, r.level, day, with_pending=True):
            return "pending"
        if day < self.deadline(r, posting):
            return "due"
        return "missing"

    def pathway(self, person_id: int, day: date, postings: list[Post] | None = None) -> dict:
        """Posting id -> {(capability, level): (status, deadline, mandatory)}, for the
        person's postings current on D (any unit), or the ones given."""
        if postings is None:
            postings = [
                p for p in self.postings if p.person_id == person_id and self.current(p, day)
            ]
        out = {}
        for p in postings:
            out[p.id] = {
                (r.capability_id, r.level): (
                    self.status(person_id, r, p, day),
                    self.deadline(r, p),
                    r.mandatory,
                )
                for r in self.requirements_of(p.role_id, day)
            }
        return out

    # --- a unit's figures ---------------------------------------------------------------------

    def compliance(self, unit_id: int, day: date) -> tuple[int, int]:
        """(met or expiring, counted) over everyone in the unit on D and the mandatory
        requirements of the roles of their postings there, each (capability, level) once per
        person, leaving out those not held whose deadline has not passed (with two postings
        asking for it, left out only if no deadline has passed)."""
        met = counted = 0
        for pid in self.people_in(unit_id, day):
            asked: dict[tuple[int, int], list[date]] = {}
            for p in self.postings_in(unit_id, pid, day):
                for r in self.requirements_of(p.role_id, day):
                    if r.mandatory:
                        asked.setdefault((r.capability_id, r.level), []).append(self.deadline(r, p))
            for (cap, level), deadlines in asked.items():
                held = self.holds(pid, cap, level, day)
                if not held and all(day < d for d in deadlines):
                    continue
                counted += 1
                met += held
        return met, counted

    def holders(self, unit_id: int, cap: int, level: int, day: date, cutoff=None) -> set[int]:
        """People in the unit on ``day`` holding (cap, level or higher): each person once."""
        return {
            pid for pid in self.people_in(unit_id, day) if self.holds(pid, cap, level, day, cutoff)
        }

    def asked_pairs(self, unit_id: int, day: date) -> set[tuple[int, int]]:
        """(capability, level) pairs a target of the unit, or a mandatory requirement of a
        role posted in the unit, asks for."""
        pairs = set(self.targets_of(unit_id, day))
        for pid in self.people_in(unit_id, day):
            for p in self.postings_in(unit_id, pid, day):
                for r in self.requirements_of(p.role_id, day):
                    if r.mandatory:
                        pairs.add((r.capability_id, r.level))
        return pairs

    def single_points_of_failure(self, unit_id: int, day: date) -> dict[tuple[int, int], int]:
        out = {}
        for cap, level in self.asked_pairs(unit_id, day):
            who = self.holders(unit_id, cap, level, day)
            if len(who) == 1:
                out[(cap, level)] = next(iter(who))
        return out

    def target_figures(self, unit_id: int, day: date, horizon: int = 12) -> dict:
        """(capability, level) -> headcount, shortfall, holders, forecast, cliff date."""
        out = {}
        ends = forecast_month_ends(day, horizon)
        for (cap, level), minimum in self.targets_of(unit_id, day).items():
            who = self.holders(unit_id, cap, level, day)
            # "assuming no new training: only completions dated <= D"
            forecast = [len(self.holders(unit_id, cap, level, m, cutoff=day)) for m in ends]
            shortfall = max(minimum - len(who), 0)
            cliff = None
            if shortfall:
                cliff = day
            else:
                for m, n in zip(ends, forecast, strict=True):
                    if n < self.targets_of(unit_id, m).get((cap, level), 0):
                        cliff = m
                        break
            out[(cap, level)] = {
                "minimum": minimum,
                "headcount": len(who),
                "shortfall": shortfall,
                "holders": who,
                "forecast": dict(zip(ends, forecast, strict=True)),
                "cliff_date": cliff,
            }
        return out

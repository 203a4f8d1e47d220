"""The training plan's input for a unit or a force as of a date, from the register (issue 16,
point 4).

Everything about who is in a unit, what they hold and until when, and which targets are in
force at each month end comes from the coverage engine's unit report (``build_unit_report``):
no second rule for "held on D" or "in the unit on D". Offerings come from
``courses.Offering``.

Existing bookings (booked or attended, not cancelled, on an offering not cancelled) count as
planned completions: the person holds what the activity evidences from the offering's end
date for its validity (``PlanPerson.planned``), so no second booking is proposed for a gap
it closes, and a prerequisite it gives counts from then. The "before" headcounts of a plan
are therefore the register's *with* existing bookings (and without the plan), and the
explanations count them too. A booking also keeps its person off that offering and off any
offering on the same days (``PlanPerson.busy``). A booking whose completion is recorded
counts through that completion (the register's), not as planned.

Known simplifications (say so to the coordinator): the engine gives each person's best level
per capability with its held-until date; the levels below are taken as held until the same
date (they may in fact last longer). A person's time in a unit is one spell, from their
earliest current posting's start to their latest posting's last day (a gap between postings
in the unit counts as in the unit). The cap per person counts proposals, not existing
bookings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from courses.models import ActivityCapability, ActivityPrerequisite, Booking, Offering
from people.access import units_of_force
from people.models import Unit
from skills.coverage import build_unit_report
from skills.dates import add_months, month_ends_after
from skills.plan.model import (
    NEVER,
    Budget,
    Pair,
    PlanInput,
    PlanOffering,
    PlanPerson,
    PlanTarget,
    Spell,
)


def _ancestors(unit_ids, parents: dict[int, int | None]) -> set[int]:
    """The units and every unit they sit inside."""
    out = set()
    for pk in unit_ids:
        while pk is not None and pk not in out:
            out.add(pk)
            pk = parents.get(pk)
    return out


def _open_offerings(unit_ids: set[int], force_ids: set[int], as_of: date, last: date):
    """Offerings starting after ``as_of`` and by the horizon, not cancelled, open to one of
    the units (listed itself or a unit it sits inside — ``unit_ids`` holds both —, or a force
    it belongs to; none listed: the owner force's units)."""
    return (
        Offering.objects.filter(starts_on__gt=as_of, starts_on__lte=last, cancelled=False)
        .filter(
            Q(open_to_units__in=unit_ids)
            | Q(open_to_forces__in=force_ids)
            | Q(open_to_units__isnull=True, open_to_forces__isnull=True, owner_force__in=force_ids)
        )
        .distinct()
        .select_related("activity")
        .annotate(taken=Count("bookings", filter=~Q(bookings__status=Booking.Status.CANCELLED)))
        .order_by("starts_on", "pk")
    )


def _grants(activity_ids) -> dict[int, list[Pair]]:
    grants = defaultdict(list)
    for activity_id, code, level in ActivityCapability.objects.filter(
        activity_id__in=set(activity_ids)
    ).values_list("activity_id", "capability__code", "level"):
        grants[activity_id].append((code, level))
    return grants


def _prerequisites(activity_ids) -> dict[int, list[Pair]]:
    out = defaultdict(list)
    for activity_id, code, level in ActivityPrerequisite.objects.filter(
        activity_id__in=set(activity_ids)
    ).values_list("activity_id", "capability__code", "level"):
        out[activity_id].append((code, level))
    return out


def _existing_bookings(person_ids) -> tuple[dict, dict]:
    """Per person: holdings planned by their active bookings (every level granted, from the
    offering's end for the activity's validity) and the days those bookings take. One query
    for the bookings and one for what their activities evidence."""
    rows = list(
        Booking.objects.filter(
            person_id__in=person_ids,
            status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED],
            offering__cancelled=False,
        ).values_list(
            "person_id",
            "offering__starts_on",
            "offering__ends_on",
            "offering__activity_id",
            "offering__activity__validity_months",
        )
    )
    grants = _grants(r[3] for r in rows)
    planned: dict[int, list] = defaultdict(list)
    busy: dict[int, list] = defaultdict(list)
    for person_id, starts_on, ends_on, activity_id, validity in rows:
        busy[person_id].append((starts_on, ends_on))
        until = NEVER if validity is None else add_months(ends_on, validity)
        for code, level in grants[activity_id]:
            for lower in range(1, level + 1):
                planned[person_id].append(((code, lower), ends_on, until))
    return planned, busy


def _person_parts(line, unit_code: str):
    """From a unit report's person line: what they hold until when, their role's mandatory
    requirements, and their spell in the unit."""
    postings = [p for p in line.postings if p.unit_code == unit_code] or list(line.postings)
    held: dict[Pair, date] = {}
    for h in line.holdings:
        until = h.held_until or NEVER
        for lower in range(1, h.level + 1):
            key = (h.capability.code, lower)
            held[key] = max(held.get(key, date.min), until)
    needs = frozenset(
        (r.capability.code, r.level) for p in postings for r in p.requirements if r.mandatory
    )
    last_days = [p.last_day for p in postings]
    leaves_on = None if any(d is None for d in last_days) or not last_days else max(last_days)
    ending = next((p for p in postings if p.last_day == leaves_on), None)
    because = (
        f"leaves (fund {ending.fund} ends)"
        if ending and ending.fund and leaves_on is not None
        else "leaves"
    )
    spell = Spell(min((p.start for p in postings), default=None), leaves_on, because)
    return held, needs, spell


def _targets(report, month_ends, unit_code: str | None) -> list[PlanTarget]:
    targets = []
    for t in report.targets:
        minimums = {
            m: n
            for m, n in zip(
                month_ends, t.forecast_minimums or (t.minimum,) * len(month_ends), strict=False
            )
            if n
        }
        targets.append(PlanTarget(t.capability.code, t.level, minimums, unit=unit_code))
    return targets


def _offerings(offerings_qs, open_to) -> list[PlanOffering]:
    """``open_to(offering, booked person ids)``: the person ids it is open to (None: all)."""
    offerings_qs = list(offerings_qs)
    activity_ids = [o.activity_id for o in offerings_qs]
    grants, prerequisites = _grants(activity_ids), _prerequisites(activity_ids)
    booked = defaultdict(set)
    for offering_id, person_id in (
        Booking.objects.active()
        .filter(offering__in=[o.pk for o in offerings_qs])
        .values_list("offering_id", "person_id")
    ):
        booked[offering_id].add(person_id)
    return [
        PlanOffering(
            id=o.pk,
            title=o.activity.title,
            grants=tuple(sorted(grants[o.activity_id])),
            starts_on=o.starts_on,
            ends_on=o.ends_on,
            places=max(0, o.places - o.taken),
            cost_pence=o.cost_pence,
            validity_months=o.activity.validity_months,
            prerequisites=tuple(sorted(prerequisites[o.activity_id])),
            open_to=open_to(o, booked[o.pk]),
        )
        for o in offerings_qs
        if grants[o.activity_id]
    ]


def _with_bookings(people: list[PlanPerson]) -> list[PlanPerson]:
    planned, busy = _existing_bookings([p.id for p in people])
    out = []
    for p in people:
        if p.id in planned or p.id in busy:
            p = PlanPerson(
                id=p.id,
                name=p.name,
                held=p.held,
                joins_on=p.joins_on,
                leaves_on=p.leaves_on,
                leaves_because=p.leaves_because,
                needs=p.needs,
                units=p.units,
                planned=tuple(sorted(planned.get(p.id, ()))),
                busy=tuple(sorted(busy.get(p.id, ()))),
            )
        out.append(p)
    return out


def build_unit_plan(
    unit, *, as_of: date, horizon: int = 12, budget: Budget | None = None, time_limit=60.0
) -> PlanInput:
    """The plan's input for one unit (its targets count everyone in it, sub-units included)."""
    report = build_unit_report(unit, as_of=as_of, horizon=horizon)
    month_ends = [p.month_end for p in report.forecast]
    last = month_ends[-1] if month_ends else as_of
    people = []
    for line in report.people:
        held, needs, spell = _person_parts(line, report.unit.code)
        people.append(
            PlanPerson(
                id=line.person.id,
                name=line.person.name,
                held=held,
                joins_on=spell.joins_on,
                leaves_on=spell.leaves_on,
                leaves_because=spell.leaves_because,
                needs=needs,
            )
        )
    people = _with_bookings(people)
    force_ids = set(unit.forces.values_list("pk", flat=True))
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    everyone = frozenset(p.id for p in people)
    offerings = _offerings(
        _open_offerings(_ancestors([unit.pk], parents), force_ids, as_of, last),
        lambda o, booked: everyone - booked if booked else None,
    )
    return PlanInput(
        as_of=as_of,
        month_ends=month_ends,
        people=people,
        targets=_targets(report, month_ends, None),
        offerings=offerings,
        budget=budget or Budget(),
        time_limit=time_limit,
    )


def build_force_plan(
    force, *, as_of: date, horizon: int = 12, budget: Budget | None = None, time_limit=60.0
) -> PlanInput:
    """The plan's input for every unit of ``force`` (``people.access.units_of_force``: the
    units it is a member of, joint units included, and every unit inside them), one budget
    shared.

    Each unit's targets are separate ``PlanTarget``s naming the unit's code: a target counts
    only the people in that unit on the day (a parent unit's, its sub-units' people too, as
    in its report). A person in two of the force's units is one ``PlanPerson`` with a spell
    in each (``units``), so they are proposed, capped and costed once. An offering is in the
    plan when it is open to any unit of the force, and open to the people of the units it is
    open to (its listed units or units inside them, units of its listed forces; none listed:
    the owner force's units).

    Queries: one unit report per unit (the engine's fixed handful of queries each, so the
    count grows with the number of units, tens for a force, never with people), then a
    fixed handful for the unit tree, offerings and bookings."""
    units = list(
        units_of_force(force).prefetch_related("forces").select_related("parent").order_by("code")
    )
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    unit_forces = {u.pk: {f.pk for f in u.forces.all()} for u in units}
    month_ends: list[date] = []
    targets: list[PlanTarget] = []
    parts: dict[int, dict] = {}
    members: dict[int, set[int]] = defaultdict(set)  # unit pk -> person ids
    for unit in units:
        report = build_unit_report(unit, as_of=as_of, horizon=horizon)
        month_ends = [p.month_end for p in report.forecast]
        targets.extend(_targets(report, month_ends, unit.code))
        for line in report.people:
            held, needs, spell = _person_parts(line, unit.code)
            members[unit.pk].add(line.person.id)
            entry = parts.setdefault(
                line.person.id, {"name": line.person.name, "held": held, "needs": set()}
            )
            entry["needs"] |= needs
            entry.setdefault("units", {})[unit.code] = spell
    if not units:
        month_ends = month_ends_after(as_of, horizon)
    last = month_ends[-1] if month_ends else as_of
    people = []
    for pid, entry in parts.items():
        spells = list(entry["units"].values())
        joins = [s.joins_on for s in spells]
        leaves = [s.leaves_on for s in spells]
        leaves_on = None if any(d is None for d in leaves) else max(leaves)
        because = next((s.leaves_because for s in spells if s.leaves_on == leaves_on), "")
        people.append(
            PlanPerson(
                id=pid,
                name=entry["name"],
                held=entry["held"],
                joins_on=None if any(d is None for d in joins) else min(joins),
                leaves_on=leaves_on,
                leaves_because=because if leaves_on is not None else "",
                needs=frozenset(entry["needs"]),
                units=dict(entry["units"]),
            )
        )
    people = _with_bookings(people)

    force_ids = {f for fs in unit_forces.values() for f in fs}
    offerings_qs = list(_open_offerings(_ancestors(unit_forces, parents), force_ids, as_of, last))
    # Which of the force's units each offering is open to (two queries for the lists).
    ids = [o.pk for o in offerings_qs]
    listed_units, listed_forces = defaultdict(set), defaultdict(set)
    for oid, uid in Offering.open_to_units.through.objects.filter(offering_id__in=ids).values_list(
        "offering_id", "unit_id"
    ):
        listed_units[oid].add(uid)
    for oid, fid in Offering.open_to_forces.through.objects.filter(offering_id__in=ids).values_list(
        "offering_id", "force_id"
    ):
        listed_forces[oid].add(fid)

    def open_units(o) -> set[int]:
        if not listed_units[o.pk] and not listed_forces[o.pk]:
            return {u for u, fs in unit_forces.items() if o.owner_force_id in fs}
        return {
            u
            for u, fs in unit_forces.items()
            if _ancestors([u], parents) & listed_units[o.pk] or fs & listed_forces[o.pk]
        }

    def open_to(o, booked) -> frozenset[int]:
        return frozenset(pid for u in open_units(o) for pid in members[u]) - booked

    return PlanInput(
        as_of=as_of,
        month_ends=month_ends,
        people=people,
        targets=targets,
        offerings=_offerings(offerings_qs, open_to),
        budget=budget or Budget(),
        time_limit=time_limit,
    )

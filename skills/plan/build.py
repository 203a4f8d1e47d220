"""The training plan's input for a unit as of a date, from the register (issue 16, point 4).

Everything about who is in the unit, what they hold and until when, and which targets are in
force at each month end comes from the coverage engine's unit report (``build_unit_report``):
no second rule for "held on D" or "in the unit on D". Offerings come from
``courses.Offering``.

Known simplifications (say so to the coordinator): the engine gives each person's best level
per capability with its held-until date; the levels below are taken as held until the same
date (they may in fact last longer). Active bookings are not yet counted as planned
completions: a person is only kept off an offering they are already booked onto.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from courses.models import ActivityCapability, Booking, Offering
from skills.coverage import build_unit_report
from skills.plan.model import NEVER, Budget, PlanInput, PlanOffering, PlanPerson, PlanTarget


def _open_offerings(unit, as_of: date, last: date):
    """Offerings starting after ``as_of`` and by the horizon, not cancelled, open to the unit
    (listed itself or a unit it sits inside, or a force it belongs to; none listed: the owner
    force's units)."""
    force_ids = list(unit.forces.values_list("pk", flat=True))
    unit_ids, parent = [unit.pk], unit.parent
    while parent is not None:
        unit_ids.append(parent.pk)
        parent = parent.parent
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


def build_unit_plan(
    unit, *, as_of: date, horizon: int = 12, budget: Budget | None = None, time_limit=60.0
) -> PlanInput:
    report = build_unit_report(unit, as_of=as_of, horizon=horizon)
    month_ends = [p.month_end for p in report.forecast]
    last = month_ends[-1] if month_ends else as_of
    people = []
    for line in report.people:
        postings = [p for p in line.postings if p.unit_code == report.unit.code] or list(
            line.postings
        )
        held: dict[tuple[str, int], date] = {}
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
        people.append(
            PlanPerson(
                id=line.person.id,
                name=line.person.name,
                held=held,
                joins_on=min((p.start for p in postings), default=None),
                leaves_on=leaves_on,
                leaves_because=because,
                needs=needs,
            )
        )
    targets = []
    for t in report.targets:
        minimums = {
            m: n
            for m, n in zip(
                month_ends, t.forecast_minimums or (t.minimum,) * len(month_ends), strict=False
            )
            if n
        }
        targets.append(PlanTarget(t.capability.code, t.level, minimums))
    offerings_qs = list(_open_offerings(unit, as_of, last))
    grants = defaultdict(list)
    for activity_id, code, level in ActivityCapability.objects.filter(
        activity_id__in={o.activity_id for o in offerings_qs}
    ).values_list("activity_id", "capability__code", "level"):
        grants[activity_id].append((code, level))
    booked = defaultdict(set)
    for offering_id, person_id in (
        Booking.objects.active()
        .filter(offering__in=offerings_qs)
        .values_list("offering_id", "person_id")
    ):
        booked[offering_id].add(person_id)
    everyone = frozenset(p.id for p in people)
    offerings = [
        PlanOffering(
            id=o.pk,
            title=o.activity.title,
            grants=tuple(sorted(grants[o.activity_id])),
            starts_on=o.starts_on,
            ends_on=o.ends_on,
            places=max(0, o.places - o.taken),
            cost_pence=o.cost_pence,
            validity_months=o.activity.validity_months,
            open_to=everyone - booked[o.pk] if booked[o.pk] else None,
        )
        for o in offerings_qs
        if grants[o.activity_id]
    ]
    return PlanInput(
        as_of=as_of,
        month_ends=month_ends,
        people=people,
        targets=targets,
        offerings=offerings,
        budget=budget or Budget(),
        time_limit=time_limit,
    )

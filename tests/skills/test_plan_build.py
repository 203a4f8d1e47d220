"""The training plan built from the register for a unit (issue 16): the engine's figures in,
the offerings open to the unit, one booking that covers a fund's end."""

from datetime import date

from courses.models import Booking, Offering
from people.models import Fund
from skills.plan.build import build_unit_plan
from skills.plan.explain import explain
from skills.plan.model import solve
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, person, target


def offering(act, force, start, cost, **fields):
    return Offering.objects.create(
        activity=act,
        starts_on=start,
        ends_on=start,
        places=4,
        cost_pence=cost,
        owner_force=force,
        **fields,
    )


def test_unit_plan_covers_a_fund_ending(cast, unit):
    course = activity("NET", {"NETINV": 2}, title="Network investigation")
    target(unit, "NETINV", 2, 2)
    fund = Fund.objects.create(code="uplift", name="Cyber Uplift", ends_on=date(2025, 6, 15))
    ann = person(cast.norfolk, "Ann", "Able")
    finn = person(cast.norfolk, "Finn", "Hale")
    dev = person(cast.norfolk, "Dev", "Patel")
    posted(ann, unit, start=date(2024, 1, 1))
    posted(finn, unit, start=date(2024, 1, 1), fund=fund)
    posted(dev, unit, start=date(2024, 1, 1))
    completed(ann, course, date(2024, 2, 1))
    completed(finn, course, date(2024, 2, 1))

    chosen = offering(course, cast.norfolk, date(2025, 4, 10), 60000)
    elsewhere = UnitFactory(code="OTHER", name="Other unit", region=cast.eastern)
    closed = offering(course, cast.norfolk, date(2025, 4, 12), 100)
    closed.open_to_units.set([elsewhere])  # open to another unit only
    offering(course, cast.norfolk, date(2025, 4, 14), 50, cancelled=True)
    full = offering(course, cast.norfolk, date(2025, 4, 16), 70)
    full.places = 1
    full.save()
    Booking.objects.create(offering=full, person=ann)  # its one place is taken
    # Open to the unit and to its force (counted once); one place taken, one cancelled.
    chosen.open_to_units.set([unit])
    chosen.open_to_forces.set([cast.norfolk])
    Booking.objects.create(offering=chosen, person=ann)
    Booking.objects.create(offering=chosen, person=finn, status=Booking.Status.CANCELLED)

    data = build_unit_plan(unit, as_of=D, horizon=6, time_limit=10)
    assert data.month_ends[0] == date(2025, 4, 30)
    assert [o.id for o in data.offerings] == [chosen.pk, full.pk]
    assert {o.id: o.places for o in data.offerings} == {chosen.pk: 3, full.pk: 0}
    [t] = data.targets
    assert (t.label, set(t.minimums.values())) == ("NETINV L2", {2})
    finn_in = next(p for p in data.people if p.id == finn.pk)
    assert finn_in.leaves_on == date(2025, 6, 15)

    result = solve(data)
    assert {(p.person_id, p.offering_id) for p in result.proposals} == {(dev.pk, chosen.pk)}
    assert result.shortfalls == []
    [line] = explain(data, result)
    assert line.text == (
        "Dev Patel: Network investigation, 10 April 2025 — keeps NETINV L2 at 2 after"
        " Finn Hale leaves (fund Cyber Uplift ends) on 15 June 2025"
    )

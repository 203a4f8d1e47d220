"""The training plan from the register (issue 16, point 4): existing bookings count as planned
completions, prerequisites come from the catalogue, and a booking's days are taken."""

from datetime import date

from courses.models import ActivityPrerequisite, Booking, Offering
from people.models import Fund
from skills.models import Capability
from skills.plan.build import build_unit_plan
from skills.plan.model import solve
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, target


def offering(act, force, start, cost, end=None):
    return Offering.objects.create(
        activity=act,
        starts_on=start,
        ends_on=end or start,
        places=4,
        cost_pence=cost,
        owner_force=force,
    )


def booked(result):
    return {(p.person_id, p.offering_id) for p in result.proposals}


def cast_of_four(cast, unit):
    """NETINV L2: Ann holds it, Finn holds it until his fund ends on 15 June; Dev and Eve do
    not hold it."""
    course = activity("NET", {"NETINV": 2}, title="Network investigation")
    fund = Fund.objects.create(code="uplift", name="Cyber Uplift", ends_on=date(2025, 6, 15))
    ann = person(cast.norfolk, "Ann", "Able")
    finn = person(cast.norfolk, "Finn", "Hale")
    dev = person(cast.norfolk, "Dev", "Patel")
    eve = person(cast.norfolk, "Eve", "Moss")
    for who in (ann, dev, eve):
        posted(who, unit, start=date(2024, 1, 1))
    posted(finn, unit, start=date(2024, 1, 1), fund=fund)
    completed(ann, course, date(2024, 2, 1))
    completed(finn, course, date(2024, 2, 1))
    return course, ann, finn, dev, eve


def test_an_existing_booking_closes_the_gap_no_second_booking(cast, unit):
    course, ann, finn, dev, eve = cast_of_four(cast, unit)
    target(unit, "NETINV", 2, 2)
    planned = offering(course, cast.norfolk, date(2025, 5, 12), 90000)
    cheap = offering(course, cast.norfolk, date(2025, 4, 10), 100)
    booking = Booking.objects.create(offering=planned, person=dev)

    data = build_unit_plan(unit, as_of=D, horizon=6, time_limit=10)
    dev_in = next(p for p in data.people if p.id == dev.pk)
    assert (("NETINV", 2), date(2025, 5, 12), date.max) in dev_in.planned
    assert dev_in.busy == ((date(2025, 5, 12), date(2025, 5, 12)),)
    result = solve(data)
    # Dev's booking covers Finn's leaving from the May month end: nothing is proposed, and
    # the "before" headcount (with existing bookings, without the plan) already shows it.
    assert result.proposals == []
    assert result.headcount_before["NETINV L2"][date(2025, 6, 30)] == 2
    assert result.headcount_before["NETINV L2"][date(2025, 4, 30)] == 2  # Finn still there

    # An attended booking counts the same; a cancelled one does not.
    booking.status = Booking.Status.ATTENDED
    booking.save()
    assert solve(build_unit_plan(unit, as_of=D, horizon=6, time_limit=10)).proposals == []
    booking.status = Booking.Status.CANCELLED
    booking.save()
    result = solve(build_unit_plan(unit, as_of=D, horizon=6, time_limit=10))
    assert {p.offering_id for p in result.proposals} == {cheap.pk}


def test_a_booking_that_ended_before_the_as_of_date_counts_from_its_end(cast, unit):
    """Attended in March, the completion not yet recorded: held from the course's end."""
    course, ann, finn, dev, eve = cast_of_four(cast, unit)
    target(unit, "NETINV", 2, 3)
    done = offering(course, cast.norfolk, date(2025, 3, 10), 500, end=date(2025, 3, 12))
    Booking.objects.create(offering=done, person=eve, status=Booking.Status.ATTENDED)
    data = build_unit_plan(unit, as_of=D, horizon=6, time_limit=10)
    result = solve(data)
    assert result.headcount_before["NETINV L2"][date(2025, 4, 30)] == 3


def test_prerequisites_from_the_catalogue(cast, unit):
    """The practitioner course needs NETINV L1. Eve has it (a foundation course); Dev does
    not, so he is never proposed, and the target of 3 stays short by 1 after Finn leaves."""
    course, ann, finn, dev, eve = cast_of_four(cast, unit)
    target(unit, "NETINV", 2, 3)
    course.title = "Network investigation: practitioner"
    course.save()
    ActivityPrerequisite.objects.create(
        activity=course, capability=Capability.objects.get(code="NETINV"), level=1
    )
    foundation = activity("NET-F", {Capability.objects.get(code="NETINV"): 1}, title="Found")
    completed(eve, foundation, date(2024, 6, 1))
    run = offering(course, cast.norfolk, date(2025, 4, 10), 60000)

    data = build_unit_plan(unit, as_of=D, horizon=6, time_limit=10)
    [planned] = data.offerings
    assert planned.prerequisites == (("NETINV", 1),)
    result = solve(data)
    assert booked(result) == {(eve.pk, run.pk)}
    [short] = result.shortfalls
    assert short.worst == 1

    # With the foundation held, Dev is proposed too.
    completed(dev, foundation, date(2024, 6, 1))
    result = solve(build_unit_plan(unit, as_of=D, horizon=6, time_limit=10))
    assert booked(result) == {(eve.pk, run.pk), (dev.pk, run.pk)}


def test_no_proposal_on_the_days_of_an_existing_booking(cast, unit):
    """Dev is booked on another course on 9-11 April; the network course on 10 April clashes
    with it, so only Eve is proposed, and the target of 3 stays short by 1."""
    course, ann, finn, dev, eve = cast_of_four(cast, unit)
    target(unit, "NETINV", 2, 3)
    other = activity("OSINT-F", {"OSINT": 1}, title="Open source research")
    Booking.objects.create(
        offering=offering(other, cast.norfolk, date(2025, 4, 9), 100, end=date(2025, 4, 11)),
        person=dev,
    )
    run = offering(course, cast.norfolk, date(2025, 4, 10), 60000)
    result = solve(build_unit_plan(unit, as_of=D, horizon=6, time_limit=10))
    assert booked(result) == {(eve.pk, run.pk)}
    assert result.shortfalls[0].worst == 1

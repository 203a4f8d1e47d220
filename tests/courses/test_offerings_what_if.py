"""Issue 16, point 3: bookings count in the forecast as planned completions only when the unit
report's what-if asks ("count booked training as done on its end date")."""

from datetime import date

import pytest
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from courses.models import Booking, BookingStatus, Offering
from courses.offerings.bookings import planned_from_bookings
from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role, target, target_line, unit  # noqa: F401

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE = date(2025, 4, 30), date(2025, 5, 31), date(2025, 6, 30)


@pytest.fixture
def booked(cast, unit):  # noqa: F811
    """NETINV L2 needs 2. Ann and Fay hold it; Fay leaves on 15 May 2025, so from the May
    month end only Ann is counted: 1 of 2, short. Nia is booked on a NET course ending
    20 May 2025."""
    target(unit, "NETINV", 2, 2)
    course = activity("NET", {"NETINV": 2})
    pursue = role("PURSUE", ("NETINV", 2))
    ann = person(cast.norfolk, "Ann", "Able")
    fay = person(cast.norfolk, "Fay", "Leaving")
    nia = person(cast.norfolk, "Nia", "New")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    posted(fay, unit, start=date(2024, 1, 1), end=date(2025, 5, 15), role=pursue)
    posted(nia, unit, start=date(2024, 1, 1), role=pursue)
    completed(ann, course, date(2024, 2, 1))
    completed(fay, course, date(2024, 2, 1))
    offering = Offering.objects.create(
        activity=course,
        starts_on=date(2025, 5, 19),
        ends_on=date(2025, 5, 20),
        places=4,
        cost_pence=120000,
        owner_force=cast.norfolk,
    )
    booking = Booking.objects.create(offering=offering, person=nia)
    return offering, booking, nia


def headcounts(report):
    return [(p.month_end, p.headcounts["NETINV L2"]) for p in report.forecast[:3]]


def test_without_the_what_if_the_booking_changes_nothing(unit, booked):  # noqa: F811
    report = build_unit_report(unit, as_of=D)

    assert headcounts(report) == [(APRIL, 2), (MAY, 1), (JUNE, 1)]
    assert target_line(report, "NETINV", 2).cliff_date == MAY
    assert report.what_if is None


def test_the_booking_counts_from_the_offerings_end_when_asked(unit, booked):  # noqa: F811
    from skills.coverage import WhatIf

    offering, booking, nia = booked
    planned = planned_from_bookings([unit.pk], D)
    assert [(p.activity_code, p.person_ids, p.completed_on) for p in planned] == [
        ("NET", frozenset({nia.pk}), date(2025, 5, 20))
    ]

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(planned=planned))

    # Nia counts from 20 May: at the May month end Ann and Nia, 2 of 2.
    assert headcounts(report) == [(APRIL, 2), (MAY, 2), (JUNE, 2)]
    assert target_line(report, "NETINV", 2).cliff_date is None
    # Today's figures are untouched: the course has not happened yet.
    assert target_line(report, "NETINV", 2).headcount == 2


def test_cancelled_bookings_and_cancelled_offerings_do_not_count(unit, booked):  # noqa: F811
    offering, booking, nia = booked
    booking.status = BookingStatus.CANCELLED
    booking.save()
    assert planned_from_bookings([unit.pk], D) == ()

    Booking.objects.create(offering=offering, person=nia)
    offering.cancelled = True
    offering.save()
    assert planned_from_bookings([unit.pk], D) == ()


def test_bookings_of_people_outside_the_unit_do_not_count(cast, unit, booked):  # noqa: F811
    offering, booking, nia = booked
    Booking.objects.create(offering=offering, person=cast.kent_person)

    assert [p.person_ids for p in planned_from_bookings([unit.pk], D)] == [frozenset({nia.pk})]


def test_report_page_counts_bookings_only_with_the_box_ticked(client, cast, unit, booked):  # noqa: F811
    client.force_login(cast.chief)
    url = reverse("skills:unit_report", args=[unit.code])

    plain = client.get(f"{url}?as_of=2025-03-31")
    asked = client.get(f"{url}?as_of=2025-03-31&bookings=on")

    assert plain.status_code == asked.status_code == 200
    assert target_line(plain.context["report"], "NETINV", 2).cliff_date == MAY
    assert target_line(asked.context["report"], "NETINV", 2).cliff_date is None
    assert "Count booked training as done on its end date" in plain.content.decode()
    assert "NET completed on 2025-05-20 by Nia New" in asked.content.decode()


def test_one_active_booking_per_person_and_offering(booked):
    offering, booking, nia = booked
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(offering=offering, person=nia)
    booking.status = BookingStatus.CANCELLED
    booking.save()
    Booking.objects.create(offering=offering, person=nia)  # a new booking after cancelling
    assert Booking.objects.filter(person=nia).count() == 2


def test_a_booking_is_never_deleted(booked):
    offering, booking, nia = booked
    with pytest.raises(models.ProtectedError):
        booking.delete()
    assert Booking.objects.filter(pk=booking.pk).exists()


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"ends_on": date(2025, 5, 18)}, "offering_ends_after_start"),
    ],
)
def test_offering_dates_are_checked_by_the_database(booked, fields, constraint):
    offering, booking, nia = booked
    Offering.objects.filter(pk=offering.pk)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Offering.objects.filter(pk=offering.pk).update(**fields)

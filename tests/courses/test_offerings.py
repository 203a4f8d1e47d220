"""Issue 16, point 3: coordinators record course offerings and book people onto them
(booked → attended → completion recorded, or cancelled)."""

from datetime import date

import pytest
from django.urls import reverse

from courses.models import Booking, BookingStatus, Completion, Offering, Status
from people.models import Role
from tests.factories import activity, granted

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(cast):
    return Offering.objects.create(
        activity=activity("NET", {"NETINV": 2}, title="Network investigation"),
        starts_on=date(2025, 5, 19),
        ends_on=date(2025, 5, 20),
        places=1,
        cost_pence=120050,
        location="Norwich",
        owner_force=cast.norfolk,
    )


def day(prefix, d):
    return {f"{prefix}_0": d.day, f"{prefix}_1": d.month, f"{prefix}_2": d.year}


def test_coordinator_records_an_offering_with_govuk_dates(client, cast):
    act = activity("OS", {"OSINT": 1}, title="Open source basics")
    client.force_login(cast.coordinator)
    data = {
        "activity": act.pk,
        **day("starts_on", date(2025, 6, 2)),
        **day("ends_on", date(2025, 6, 4)),
        "places": "12",
        "cost": "450.50",
        "online": "on",
        "owner_force": cast.norfolk.pk,
        "open_to_units": [cast.norfolk_unit.pk],
    }

    response = client.post(reverse("courses:offering_create"), data)

    offering = Offering.objects.get()
    assert response.status_code == 302
    assert response["Location"] == offering.get_absolute_url()
    assert (offering.starts_on, offering.ends_on, offering.places, offering.cost_pence) == (
        date(2025, 6, 2),
        date(2025, 6, 4),
        12,
        45050,
    )
    assert list(offering.open_to_units.all()) == [cast.norfolk_unit]
    assert offering.created_by == cast.coordinator
    assert offering.history.exists()  # the open-to lists are kept in it too
    page = client.get(offering.get_absolute_url()).content.decode()
    assert "£450.50" in page and "Norfolk cyber crime unit" in page


def test_an_offering_ending_before_it_starts_is_refused_in_words(client, cast):
    act = activity("OS", {"OSINT": 1})
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:offering_create"),
        {
            "activity": act.pk,
            **day("starts_on", date(2025, 6, 4)),
            **day("ends_on", date(2025, 6, 2)),
            "places": "3",
            "location": "Ipswich",
            "owner_force": cast.norfolk.pk,
        },
    )
    assert response.status_code == 200
    assert "The last day must be the same as or after the first day" in response.content.decode()
    assert not Offering.objects.exists()


def test_booking_beyond_the_places_is_refused_with_a_clear_message(client, cast, offering):
    client.force_login(cast.coordinator)
    url = reverse("courses:offering_book", args=[offering.pk])

    response = client.post(url, {"people": [cast.officer.pk, cast.colleague.pk]})

    assert response.status_code == 200
    assert "Only 1 place left on this offering: you chose 2 people" in response.content.decode()
    assert not Booking.objects.exists()
    assert client.post(url, {"people": [cast.colleague.pk]}).status_code == 302
    assert Booking.objects.get().person == cast.colleague


def test_only_people_the_offering_is_open_to_can_be_booked(client, cast, offering):
    # Open to nothing listed: the owner's force, Norfolk. Kim Kentish is in Kent.
    client.force_login(cast.admin)
    url = reverse("courses:offering_book", args=[offering.pk])
    page = client.get(url).content.decode()
    assert "Sam Jones" in page and "Kim Kentish" not in page

    response = client.post(url, {"people": [cast.kent_person.pk]})
    assert response.status_code == 200
    assert not Booking.objects.exists()

    offering.open_to_forces.set([cast.kent])
    assert "Kim Kentish" in client.get(url).content.decode()


def test_a_coordinator_of_another_force_does_not_find_it(client, cast, offering):
    booking = Booking.objects.create(offering=offering, person=cast.colleague)
    client.force_login(cast.outsider)
    assert client.get(offering.get_absolute_url()).status_code == 404
    assert client.get(reverse("courses:offering_book", args=[offering.pk])).status_code == 404
    assert client.get(reverse("courses:booking_cancel", args=[booking.pk])).status_code == 404
    listing = client.get(reverse("courses:offering_list")).content.decode()
    assert "Network investigation" not in listing
    assert "No offerings are recorded yet" in listing


def test_attended_then_completion_recorded_through_the_completion_service(client, cast, offering):
    booking = Booking.objects.create(offering=offering, person=cast.colleague)
    client.force_login(cast.coordinator)

    client.post(reverse("courses:booking_attended", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED

    response = client.post(
        reverse("courses:booking_complete", args=[booking.pk]),
        day("completed_on", date(2025, 5, 20)),
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    completion = Completion.objects.get()
    assert booking.status == BookingStatus.COMPLETED and booking.completion == completion
    assert (completion.completed_on, completion.status) == (date(2025, 5, 20), Status.VERIFIED)
    assert completion.verified_by == cast.coordinator
    assert [h.status for h in booking.history.order_by("history_date")] == [
        "booked",
        "attended",
        "completed",
    ]


def test_a_coordinators_own_completion_waits_for_a_second_person(client, cast, offering):
    granted(cast.officer_user, Role.COORDINATOR, force=cast.norfolk)
    booking = Booking.objects.create(offering=offering, person=cast.officer)
    client.force_login(cast.officer_user)

    client.post(
        reverse("courses:booking_complete", args=[booking.pk]),
        day("completed_on", date(2025, 5, 20)),
    )

    assert Completion.objects.get(person=cast.officer).status == Status.PENDING


def test_cancelling_asks_first_frees_the_place_and_keeps_the_booking(client, cast, offering):
    booking = Booking.objects.create(offering=offering, person=cast.colleague)
    client.force_login(cast.coordinator)
    url = reverse("courses:booking_cancel", args=[booking.pk])

    question = client.get(url)
    assert "Cancel the booking of Sam Jones?" in question.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED

    client.post(url, {"note": "Court commitment"})

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.cancelled_by, booking.note) == (cast.coordinator, "Court commitment")
    book = reverse("courses:offering_book", args=[offering.pk])
    assert client.post(book, {"people": [cast.officer.pk]}).status_code == 302
    assert Booking.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost", "ten pounds", "Enter the cost in pounds, for example 1200.00"),
        ("cost", "-1", "Enter a cost of 0 or more"),
        ("places", "-3", "Enter places of 0 or more"),
        ("places", "9" * 30, "Enter places of 10000 or fewer"),
        ("starts_on_2", "20250", "The year of the first day must have 4 numbers"),
    ],
)
def test_silly_input_is_answered_in_words_never_a_500(client, cast, field, value, message):
    act = activity("OS", {"OSINT": 1})
    client.force_login(cast.coordinator)
    data = {
        "activity": act.pk,
        **day("starts_on", date(2025, 6, 2)),
        **day("ends_on", date(2025, 6, 4)),
        "places": "3",
        "location": "Ipswich",
        "owner_force": cast.norfolk.pk,
        field: value,
    }
    response = client.post(reverse("courses:offering_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Offering.objects.exists()


def test_unknown_offerings_bookings_and_people_are_not_found(client, cast, offering):
    client.force_login(cast.coordinator)
    assert client.get(reverse("courses:offering_detail", args=[999999])).status_code == 404
    assert client.get(reverse("courses:booking_detail", args=[999999])).status_code == 404
    book = reverse("courses:offering_book", args=[offering.pk])
    response = client.post(book, {"people": ["999999", "not-a-number"]})
    assert response.status_code == 200
    assert not Booking.objects.exists()

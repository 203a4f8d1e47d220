"""Issue 16, point 3: a coordinator of the owning force cancels an offering after checking the
bookings it cancels; the offering and its open bookings are cancelled together, attributably,
and nothing is deleted. A cancelled offering cannot be booked."""

from datetime import date

import pytest
from django.urls import reverse

from courses.models import Booking, BookingStatus, Offering
from courses.offerings import services as service
from tests.factories import PersonFactory, activity, completed

pytestmark = pytest.mark.django_db

FUTURE = date(2099, 5, 19)


@pytest.fixture
def offering(cast):
    return Offering.objects.create(
        activity=activity("NET", {"NETINV": 2}, title="Network investigation"),
        starts_on=FUTURE,
        ends_on=date(2099, 5, 20),
        places=5,
        location="Norwich",
        owner_force=cast.norfolk,
    )


def _url(offering):
    return reverse("courses:offering_cancel", args=[offering.pk])


def test_the_check_page_lists_the_bookings_it_cancels_and_changes_nothing(client, cast, offering):
    Booking.objects.create(offering=offering, person=cast.colleague)
    Booking.objects.create(offering=offering, person=cast.officer, status=BookingStatus.ATTENDED)
    gone = PersonFactory(force=cast.norfolk, first_name="Gail", last_name="Gone")
    Booking.objects.create(offering=offering, person=gone, status=BookingStatus.CANCELLED)
    client.force_login(cast.coordinator)

    page = client.get(_url(offering))

    assert page.status_code == 200
    text = page.content.decode()
    assert "2 bookings will be cancelled with it" in text
    assert "Sam Jones" in text and cast.officer.full_name in text
    assert "Gail Gone" not in text  # cancelled already
    assert "Cancel the offering and 2 bookings" in text
    offering.refresh_from_db()
    assert not offering.cancelled
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).count() == 1
    detail = client.get(offering.get_absolute_url()).content.decode()
    assert _url(offering) in detail


def test_posting_cancels_the_offering_and_its_open_bookings_attributably(client, cast, offering):
    open_one = Booking.objects.create(offering=offering, person=cast.colleague)
    attended = Booking.objects.create(
        offering=offering, person=cast.officer, status=BookingStatus.ATTENDED
    )
    dee = PersonFactory(force=cast.norfolk, first_name="Dee", last_name="Done")
    done = Booking.objects.create(
        offering=offering,
        person=dee,
        status=BookingStatus.COMPLETED,
        completion=completed(dee, offering.activity, date(2099, 5, 20)),
    )
    client.force_login(cast.coordinator)

    response = client.post(_url(offering), {"note": "Trainer unavailable"})

    assert response.status_code == 302
    assert response["Location"] == offering.get_absolute_url()
    offering.refresh_from_db()
    assert offering.cancelled
    for booking in (open_one, attended):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert (booking.cancelled_by, booking.note) == (cast.coordinator, "Trainer unavailable")
        assert booking.cancelled_at is not None
        last = booking.history.first()
        assert last.history_user == cast.coordinator
        assert "Trainer unavailable" in last.history_change_reason
    done.refresh_from_db()
    assert done.status == BookingStatus.COMPLETED  # the completion stands
    last = offering.history.first()
    assert (last.cancelled, last.history_user) == (True, cast.coordinator)
    assert Offering.objects.count() == 1 and Booking.objects.count() == 3  # nothing deleted
    # A second go says so and changes nothing.
    again = client.post(_url(offering), {"note": "twice"}, follow=True)
    assert "cancelled already" in again.content.decode()
    open_one.refresh_from_db()
    assert open_one.note == "Trainer unavailable"


def test_it_is_one_transaction(cast, offering, monkeypatch):
    Booking.objects.create(offering=offering, person=cast.colleague)
    Booking.objects.create(offering=offering, person=cast.officer)
    saved = []
    real_save = Booking.save

    def failing_save(self, *args, **kwargs):
        saved.append(self.pk)
        if len(saved) == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Booking, "save", failing_save)
    with pytest.raises(RuntimeError):
        service.cancel_offering(offering=offering, by=cast.coordinator)
    monkeypatch.undo()

    offering.refresh_from_db()
    assert not offering.cancelled
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.BOOKED}


def test_a_cancelled_offering_is_not_bookable(client, cast, offering):
    service.cancel_offering(offering=offering, by=cast.coordinator)
    client.force_login(cast.coordinator)
    url = reverse("courses:offering_book", args=[offering.pk])

    shown = client.get(url, follow=True)
    posted = client.post(url, {"people": [cast.colleague.pk]}, follow=True)

    for response in (shown, posted):
        assert response.redirect_chain == [(offering.get_absolute_url(), 302)]
        assert "nobody can be booked onto it" in response.content.decode()
    assert not Booking.objects.exists()
    detail = client.get(offering.get_absolute_url()).content.decode()
    assert "Book people" not in detail and _url(offering) not in detail
    with pytest.raises(Exception, match="cancelled"):
        service.book(offering=offering, people=[cast.colleague], booked_by=cast.coordinator)


def test_only_a_coordinator_of_the_owning_force_may_cancel(client, cast, offering):
    offering.open_to_forces.set([cast.norfolk, cast.kent])
    client.force_login(cast.outsider)  # Kent: sees it, may book Kent people, may not cancel
    assert client.get(offering.get_absolute_url()).status_code == 200
    assert client.get(_url(offering)).status_code == 403
    assert client.post(_url(offering)).status_code == 403
    client.force_login(cast.officer_user)
    assert client.post(_url(offering)).status_code == 403
    offering.refresh_from_db()
    assert not offering.cancelled
    client.force_login(cast.coordinator)
    assert client.get(reverse("courses:offering_cancel", args=[999999])).status_code == 404


def test_a_silly_note_is_refused_in_words(client, cast, offering):
    client.force_login(cast.coordinator)
    response = client.post(_url(offering), {"note": "x" * 501})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    offering.refresh_from_db()
    assert not offering.cancelled


def test_the_list_filters_open_and_cancelled(client, cast, offering):
    other = Offering.objects.create(
        activity=activity("OS", {"OSINT": 1}, title="Open source basics"),
        starts_on=FUTURE,
        ends_on=FUTURE,
        places=3,
        owner_force=cast.norfolk,
        cancelled=True,
    )
    client.force_login(cast.coordinator)
    url = reverse("courses:offering_list")

    def titles(query):
        table = client.get(url, query).context["table"]
        return {row.record.pk for row in table.rows}

    assert titles({}) == {offering.pk}
    assert titles({"status": "open"}) == {offering.pk}
    assert titles({"status": "cancelled"}) == {other.pk}
    assert titles({"status": "all"}) == {offering.pk, other.pk}
    assert titles({"status": "nonsense"}) == {offering.pk}
    assert client.get(url, {"status": "nonsense"}).status_code == 200

"""Course offerings and bookings: who may be booked, and the changes a booking goes through
(booked → attended → completion recorded, or cancelled). Every change is kept in the history;
nothing is deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses import services
from courses.models import Booking, BookingStatus, Offering
from people.models import Force, Person, Posting, Unit


def coordinated_forces(user):
    """Forces of the people this user coordinates: the forces whose offerings they may record
    and change."""
    if user.is_superuser:
        return Force.objects.all()
    return Force.objects.filter(pk__in=Person.objects.coordinated_by(user).values("force_id"))


def offerings_for(user):
    """Offerings a coordinator works with: recorded by a force they coordinate, or open to
    a unit or force with someone they coordinate. Anyone else's are not found."""
    if user.is_superuser:
        return Offering.objects.all()
    people = Person.objects.coordinated_by(user)
    forces = coordinated_forces(user)
    units = Unit.objects.filter(postings__person__in=people)
    return Offering.objects.filter(
        Q(owner_force__in=forces) | Q(open_to_units__in=units) | Q(open_to_forces__in=forces)
    ).distinct()


def may_change(user, offering: Offering) -> bool:
    return coordinated_forces(user).filter(pk=offering.owner_force_id).exists()


def eligible_people(user, offering: Offering, on):
    """People the user coordinates who, on ``on``, are in a unit the offering is open to, or
    of (or in a unit of) a force it is open to. Neither list filled in: the owner's force."""
    unit_ids = Unit.objects.descendant_ids(offering.open_to_units.values_list("pk", flat=True))
    force_ids = set(offering.open_to_forces.values_list("pk", flat=True))
    if not unit_ids and not force_ids:
        force_ids = {offering.owner_force_id}
    current = Posting.objects.current_on(on)
    in_open = Q(pk__in=current.filter(unit_id__in=unit_ids).values("person_id"))
    of_force = Q(force_id__in=force_ids) | Q(
        pk__in=current.filter(unit__forces__in=force_ids).values("person_id")
    )
    return Person.objects.coordinated_by(user).filter(in_open | of_force).distinct()


def places_left(offering: Offering) -> int:
    return max(0, offering.places - offering.bookings.active().count())


@transaction.atomic
def book(*, offering: Offering, people, booked_by, note: str = "") -> list[Booking]:
    """Book people onto the offering: refused as a whole beyond its places, or for anyone
    already booked."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if offering.cancelled:
        raise ValidationError("This offering is cancelled: nobody can be booked onto it.")
    people = list(people)
    already = set(
        offering.bookings.active()
        .filter(person__in=people)
        .values_list("person__first_name", "person__last_name")
    )
    if already:
        names = ", ".join(f"{first} {last}" for first, last in sorted(already))
        raise ValidationError(f"Already booked onto this offering: {names}.")
    left = places_left(offering)
    if len(people) > left:
        raise ValidationError(
            f"Only {left} place{'' if left == 1 else 's'} left on this offering: you chose "
            f"{len(people)} people. Choose fewer, or add places to the offering."
        )
    return [
        Booking.objects.create(offering=offering, person=p, booked_by=booked_by, note=note)
        for p in people
    ]


def _require(booking: Booking, *statuses) -> None:
    if booking.status not in statuses:
        raise ValidationError(
            f"This booking is {booking.get_status_display().lower()}: that cannot be done now."
        )


@transaction.atomic
def mark_attended(*, booking: Booking, by) -> Booking:
    _require(booking, BookingStatus.BOOKED)
    booking.status = BookingStatus.ATTENDED
    booking._change_reason = f"attended, marked by {by}"
    booking.save()
    return booking


@transaction.atomic
def record_completion(*, booking: Booking, by, completed_on, certificate_number="") -> Booking:
    """Through the completion service, so the four-eyes rule holds: a coordinator's own
    completion waits for a second person."""
    _require(booking, BookingStatus.BOOKED, BookingStatus.ATTENDED)
    completion = services.record_completion(
        person=booking.person,
        activity=booking.offering.activity,
        completed_on=completed_on,
        recorded_by=by,
        certificate_number=certificate_number,
    )
    booking.status = BookingStatus.COMPLETED
    booking.completion = completion
    booking.save()
    return booking


@transaction.atomic
def cancel(*, booking: Booking, by, note: str = "") -> Booking:
    _require(booking, BookingStatus.BOOKED, BookingStatus.ATTENDED)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_by = by
    booking.cancelled_at = timezone.now()
    if note:
        booking.note = note
    booking.save()
    return booking


OPEN_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED)


def bookings_cancelled_with(offering: Offering):
    """The bookings cancelling the offering cancels too: booked or attended, not those whose
    completion is recorded (the completion stands)."""
    return offering.bookings.filter(status__in=OPEN_STATUSES)


@transaction.atomic
def cancel_offering(*, offering: Offering, by, note: str = "") -> list[Booking]:
    """Cancel the offering and its open bookings together, each change in its history with
    who did it and why; nothing is deleted. Refused if it is cancelled already."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if offering.cancelled:
        raise ValidationError("This offering is cancelled already.")
    reason = f"offering cancelled by {by}" + (f": {note}" if note else "")
    now = timezone.now()
    cancelled = list(bookings_cancelled_with(offering).select_for_update().order_by("pk"))
    for booking in cancelled:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_by = by
        booking.cancelled_at = now
        if note:
            booking.note = note
        booking._change_reason = reason[:100]  # the history's reason holds 100
        booking.save()
    offering.cancelled = True
    offering._change_reason = reason[:100]
    offering.save()
    return cancelled

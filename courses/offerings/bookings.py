"""Bookings as planned completions, for the unit report's what-if ("count booked training as
done on its end date"). Bookings never count anywhere else."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from courses.models import Booking, BookingStatus
from people.models import Posting
from skills.coverage import PlannedCompletion

# Booked or attended: the completion is still to be recorded. A booking marked completed has
# its completion recorded, which counts (or not) on its own.
PLANNED_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED)


def planned_from_bookings(unit_ids, as_of: date) -> tuple[PlannedCompletion, ...]:
    """The active bookings of the people in these units on ``as_of``, onto offerings still
    running, as planned completions dated each offering's end: one cohort per activity and
    end date (one query)."""
    people = Posting.objects.current_on(as_of).filter(unit_id__in=unit_ids).values("person_id")
    rows = (
        Booking.objects.filter(
            person_id__in=people, status__in=PLANNED_STATUSES, offering__cancelled=False
        )
        .values_list("offering__activity__code", "offering__ends_on", "person_id")
        .order_by()
    )
    cohorts: dict[tuple[str, date], set[int]] = defaultdict(set)
    for code, ends_on, person_id in rows:
        cohorts[(code, ends_on)].add(person_id)
    return tuple(
        PlannedCompletion(activity_code=code, person_ids=frozenset(ids), completed_on=ends_on)
        for (code, ends_on), ids in sorted(cohorts.items())
    )

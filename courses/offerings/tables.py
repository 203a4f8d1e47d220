"""django-tables2 tables for course offerings and their bookings."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from courses.models import Booking, Offering


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


class OfferingTable(tables.Table):
    activity = tables.Column(
        verbose_name="Activity",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("activity__title",),
        attrs={"row_header": True},
    )
    starts_on = tables.DateColumn(verbose_name="First day", format="j M Y")
    ends_on = tables.DateColumn(verbose_name="Last day", format="j M Y")
    where = tables.Column(verbose_name="Where", empty_values=(), order_by=("online", "location"))
    places = tables.Column(verbose_name="Places", attrs={"numeric": True})
    booked = tables.Column(verbose_name="Booked", attrs={"numeric": True})
    cost_pence = tables.Column(verbose_name="Cost per place", attrs={"numeric": True})
    owner_force = tables.Column(verbose_name="Recorded for", order_by=("owner_force__name",))

    class Meta:
        model = Offering
        fields = ("activity", "starts_on", "ends_on", "where", "places", "booked", "cost_pence")
        empty_text = "No offerings match. Clear the search, or record an offering."
        order_by = ("starts_on",)

    caption = "Course offerings"
    caption_class = "govuk-visually-hidden"
    noun_plural = "offerings"

    def render_activity(self, record):
        text = record.activity.title
        return f"{text} (cancelled)" if record.cancelled else text

    def render_where(self, record):
        if record.online:
            return f"Online, {record.location}" if record.location else "Online"
        return record.location

    def render_cost_pence(self, value):
        return pounds(value)

    def render_owner_force(self, record):
        return record.owner_force.name


class BookingTable(tables.Table):
    person = tables.Column(
        verbose_name="Person",
        order_by=("person__last_name", "person__first_name"),
        attrs={"row_header": True},
    )
    status = tables.Column(verbose_name="Status")
    booked_by = tables.Column(verbose_name="Booked by", default="–")
    created_at = tables.DateTimeColumn(verbose_name="Booked", format="j M Y")
    action = tables.Column(
        verbose_name=format_html('<span class="govuk-visually-hidden">{}</span>', "Action"),
        empty_values=(),
        orderable=False,
    )

    class Meta:
        model = Booking
        fields = ("person", "status", "booked_by", "created_at")
        empty_text = "Nobody is booked onto this offering yet."
        order_by = ("person",)

    caption = "Bookings"
    noun_plural = "bookings"

    def __init__(self, *args, coordinated=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinated = coordinated

    def render_person(self, record):
        p = record.person
        return f"{p.full_name}, {p.staff_number}"

    def render_booked_by(self, value):
        return value.email

    def render_status(self, record):
        if record.completion_id:
            return format_html(
                '{} (<a class="govuk-link" href="{}">the record</a>)',
                record.get_status_display(),
                reverse("courses:completion_detail", args=[record.completion_id]),
            )
        return record.get_status_display()

    def render_action(self, record):
        if record.person_id not in self.coordinated or record.status not in ("booked", "attended"):
            return ""
        name = record.person.full_name
        return format_html(
            '<a class="govuk-link" href="{}">Update<span class="govuk-visually-hidden"> the '
            "booking of {}</span></a>",
            reverse("courses:booking_detail", args=[record.pk]),
            name,
        )


class CancelledBookingTable(tables.Table):
    """The bookings cancelling an offering would cancel (its check-your-answers page)."""

    person = tables.Column(verbose_name="Person", orderable=False, attrs={"row_header": True})
    force = tables.Column(verbose_name="Force", accessor="person__force__name", orderable=False)
    status = tables.Column(verbose_name="Status now", orderable=False)
    booked_by = tables.Column(verbose_name="Booked by", default="–", orderable=False)

    class Meta:
        model = Booking
        fields = ("person", "force", "status", "booked_by")
        empty_text = "Nobody is booked: no booking is cancelled with it."

    caption = "Bookings that will be cancelled"
    noun_plural = "bookings"

    def render_person(self, record):
        p = record.person
        return f"{p.full_name}, {p.staff_number}"

    def render_booked_by(self, value):
        return value.email

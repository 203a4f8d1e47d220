"""Coordinator pages for course offerings and bookings (issue 16, point 3). Every page starts
from what the user coordinates (courses.offerings.services → people.access rules): another force's
offering is not found."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from courses.models import Booking, BookingStatus, Offering
from courses.offerings import services as service
from courses.offerings.forms import (
    BookForm,
    BookingCompletionForm,
    CancelBookingForm,
    CancelOfferingForm,
    OfferingForm,
)
from courses.offerings.tables import (
    BookingTable,
    CancelledBookingTable,
    OfferingTable,
    pounds,
)
from people.access import can_coordinate


def _require_coordinator(request) -> None:
    if not can_coordinate(request.user):
        raise PermissionDenied("Only training coordinators may do this.")


def _offering_for(request, pk) -> Offering:
    _require_coordinator(request)
    return get_object_or_404(
        service.offerings_for(request.user).select_related("activity", "owner_force"), pk=pk
    )


def _offering_to_change(request, pk) -> Offering:
    offering = _offering_for(request, pk)
    if not service.may_change(request.user, offering):
        raise PermissionDenied("Only a coordinator of the force that recorded it may change it.")
    return offering


def _booking_to_change(request, pk) -> Booking:
    """A booking onto an offering the user sees, of a person they coordinate; else 404."""
    _require_coordinator(request)
    from people.models import Person

    return get_object_or_404(
        Booking.objects.select_related("offering__activity", "person__force").filter(
            offering__in=service.offerings_for(request.user),
            person__in=Person.objects.coordinated_by(request.user),
        ),
        pk=pk,
    )


OPEN, CANCELLED, EVERY = "open", "cancelled", "all"


class OfferingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by activity or location")
    status = django_filters.ChoiceFilter(
        method="by_status",
        label="Status",
        choices=[(OPEN, "Open"), (CANCELLED, "Cancelled"), (EVERY, "Open and cancelled")],
        empty_label=None,
        widget=forms.Select,
    )
    include_past = django_filters.BooleanFilter(
        method="past", label="Include offerings that have ended", widget=forms.CheckboxInput
    )

    class Meta:
        model = Offering
        fields = ["q"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self._past = bool(data and data.get("include_past"))
        status = (data or {}).get("status")
        self._status = status if status in (CANCELLED, EVERY) else OPEN

    @property
    def qs(self):
        qs = super().qs
        if self._status == OPEN:
            qs = qs.filter(cancelled=False)
        elif self._status == CANCELLED:
            qs = qs.filter(cancelled=True)
        if self._past:
            return qs
        return qs.filter(ends_on__gte=timezone.localdate())

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(activity__title__icontains=value)
            | Q(activity__code__icontains=value)
            | Q(location__icontains=value)
        )

    def by_status(self, queryset, name, value):
        return queryset  # applied in ``qs``: open unless asked (an unknown value too)

    def past(self, queryset, name, value):
        return queryset


@login_required
@require_GET
def offering_list(request):
    _require_coordinator(request)
    offerings = (
        service.offerings_for(request.user)
        .select_related("activity", "owner_force")
        .annotate(booked=Count("bookings", filter=~Q(bookings__status=BookingStatus.CANCELLED)))
    )
    offering_filter = OfferingFilter(request.GET or None, queryset=offerings)
    table = OfferingTable(offering_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "courses/offering_list.html",
        {"filter": offering_filter, "table": table, "any": offerings.exists()},
    )


def _save(form, offering: Offering, user) -> Offering:
    data = form.cleaned_data
    offering.activity = data["activity"]
    offering.starts_on = data["starts_on"]
    offering.ends_on = data["ends_on"]
    offering.places = data["places"]
    offering.cost_pence = int(round((data["cost"] or 0) * 100))
    offering.online = data["online"]
    offering.location = data["location"].strip()
    offering.owner_force = data["owner_force"]
    offering.save()
    offering.open_to_units.set(data["open_to_units"])
    offering.open_to_forces.set(data["open_to_forces"])
    return offering


@login_required
@require_http_methods(["GET", "POST"])
def offering_create(request):
    _require_coordinator(request)
    forces = service.coordinated_forces(request.user)
    form = OfferingForm(request.POST or None, user=request.user, forces=forces)
    if request.method == "POST" and form.is_valid():
        offering = _save(form, Offering(created_by=request.user), request.user)
        messages.success(request, f"Offering recorded: {offering}.")
        return redirect(offering)
    return render(request, "courses/offering_form.html", {"form": form, "offering": None})


@login_required
@require_http_methods(["GET", "POST"])
def offering_edit(request, pk):
    offering = _offering_to_change(request, pk)
    forces = service.coordinated_forces(request.user)
    form = OfferingForm(
        request.POST or None,
        user=request.user,
        forces=forces,
        initial=OfferingForm.initial_from(offering),
    )
    if request.method == "POST" and form.is_valid():
        booked = offering.bookings.active().count()
        if form.cleaned_data["places"] < booked:
            form.add_error("places", f"{booked} people are booked: enter {booked} places or more")
        else:
            _save(form, offering, request.user)
            messages.success(request, "The offering was saved.")
            return redirect(offering)
    return render(request, "courses/offering_form.html", {"form": form, "offering": offering})


def _offering_rows(offering: Offering) -> list[tuple[str, object]]:
    units = ", ".join(u.name for u in offering.open_to_units.order_by("name"))
    forces = ", ".join(f.name for f in offering.open_to_forces.order_by("name"))
    if not units and not forces:
        forces = f"{offering.owner_force.name} (its units)"
    where = offering.location
    if offering.online:
        where = f"Online, {where}" if where else "Online"
    return [
        ("Activity", f"{offering.activity.title} ({offering.activity.provider})"),
        ("First day", f"{offering.starts_on:%-d %B %Y}"),
        ("Last day", f"{offering.ends_on:%-d %B %Y}"),
        ("Where", where),
        ("Places", offering.places),
        ("Places left", service.places_left(offering)),
        ("Cost per place", pounds(offering.cost_pence)),
        ("Open to units", units),
        ("Open to forces", forces),
        ("Recorded for", offering.owner_force.name),
        ("Status", "Cancelled" if offering.cancelled else "Running"),
    ]


@login_required
@require_GET
def offering_detail(request, pk):
    offering = _offering_for(request, pk)
    bookings = offering.bookings.select_related("person__force", "booked_by")
    may_change = service.may_change(request.user, offering)
    from people.models import Person

    mine = set(
        Person.objects.coordinated_by(request.user)
        .filter(bookings__offering=offering)
        .values_list("pk", flat=True)
    )
    table = BookingTable(bookings, coordinated=mine)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "courses/offering_detail.html",
        {
            "offering": offering,
            "table": table,
            "may_change": may_change,
            "places_left": service.places_left(offering),
            "rows": _offering_rows(offering),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offering_cancel(request, pk):
    """Check your answers: the offering and the bookings cancelled with it; POST cancels them
    together (courses.offerings.services.cancel_offering). Nothing is deleted."""
    offering = _offering_to_change(request, pk)
    if offering.cancelled:
        messages.info(request, "This offering is cancelled already.")
        return redirect(offering)
    bookings = (
        service.bookings_cancelled_with(offering)
        .select_related("person__force", "booked_by")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    count = bookings.count()
    form = CancelOfferingForm(request.POST or None, count=count)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = service.cancel_offering(
                offering=offering, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            n = len(cancelled)
            messages.success(
                request,
                f"The offering was cancelled, with {n} booking{'' if n == 1 else 's'}.",
            )
        return redirect(offering)
    kept = offering.bookings.filter(status=BookingStatus.COMPLETED).count()
    return render(
        request,
        "courses/offering_cancel.html",
        {
            "offering": offering,
            "form": form,
            "rows": _offering_rows(offering),
            "bookings": CancelledBookingTable(bookings),
            "count": count,
            "kept": kept,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offering_book(request, pk):
    offering = _offering_for(request, pk)
    if offering.cancelled:
        messages.error(request, "This offering is cancelled: nobody can be booked onto it.")
        return redirect(offering)
    people = (
        service.eligible_people(request.user, offering, offering.starts_on)
        .exclude(pk__in=offering.bookings.active().values("person_id"))
        .select_related("force")
        .order_by("last_name", "first_name", "pk")
    )
    form = BookForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            made = service.book(
                offering=offering, people=form.cleaned_data["people"], booked_by=request.user
            )
        except ValidationError as error:
            form.add_error("people", error)
        else:
            messages.success(request, f"{len(made)} booked onto {offering.activity.title}.")
            return redirect(offering)
    return render(
        request,
        "courses/offering_book.html",
        {
            "offering": offering,
            "form": form,
            "places_left": service.places_left(offering),
            "nobody": not people.exists(),
        },
    )


@login_required
@require_GET
def booking_detail(request, pk):
    booking = _booking_to_change(request, pk)
    return render(request, "courses/booking_detail.html", {"booking": booking})


@login_required
@require_POST
def booking_attended(request, pk):
    booking = _booking_to_change(request, pk)
    try:
        service.mark_attended(booking=booking, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{booking.person.full_name} attended.")
    return redirect(reverse("courses:booking_detail", args=[booking.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def booking_complete(request, pk):
    booking = _booking_to_change(request, pk)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        messages.info(request, "This booking is no longer open.")
        return redirect(reverse("courses:booking_detail", args=[booking.pk]))
    form = BookingCompletionForm(
        request.POST or None, initial={"completed_on": booking.offering.ends_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.record_completion(
                booking=booking,
                by=request.user,
                completed_on=form.cleaned_data["completed_on"],
                certificate_number=form.cleaned_data["certificate_number"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Completion recorded for {booking.person.full_name}.")
            return redirect(booking.offering)
    return render(request, "courses/booking_complete.html", {"booking": booking, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, pk):
    booking = _booking_to_change(request, pk)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        messages.info(request, "This booking is no longer open.")
        return redirect(reverse("courses:booking_detail", args=[booking.pk]))
    form = CancelBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service.cancel(booking=booking, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"The booking of {booking.person.full_name} was cancelled.")
        return redirect(booking.offering)
    return render(request, "courses/booking_cancel.html", {"booking": booking, "form": form})

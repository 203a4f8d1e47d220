"""The officer's own pages: pathway, competence statement, subject-access export and the
reminders sent to them. Coordinators and chief officers reach the statement and export of
anyone they may see through ``Person.objects.visible_to``; everyone else gets 404."""

from __future__ import annotations

import json
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from courses.models import Completion, Source
from people.models import Person, Reminder
from people.self_service.services import (
    export_data,
    pathway_for,
    render_statement_pdf,
    statement_data,
)
from skills.dates import parse_as_of

FORMATS = ("html", "pdf", "json")


def _own_person(request) -> Person | None:
    """The signed-in user's own record, or None."""
    return Person.objects.filter(user=request.user).select_related("force", "force__region").first()


def _person_for(request, pk) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("force", "force__region", "user"),
        pk=pk,
    )


def _own_or_404(request) -> Person:
    person = _own_person(request)
    if person is None:
        raise Http404("This account is not linked to a person on the register.")
    return person


def _as_of(request) -> date:
    """``?as_of=YYYY-MM-DD``, default today; a bad or out-of-range date raises ValueError
    with what to enter (skills.dates.parse_as_of)."""
    try:
        return parse_as_of(request.GET.get("as_of"), default=timezone.localdate())
    except ValidationError as error:
        raise ValueError(error.messages[0]) from error


def _submissions(person: Person):
    return (
        Completion.objects.filter(person=person, source=Source.SUBMITTED)
        .select_related("activity")
        .order_by("-recorded_at", "-pk")
    )


@login_required
@require_GET
def pathway(request):
    """The signed-in person's pathway for each current posting (DESIGN.md, pathway)."""
    person = _own_person(request)
    if person is None:
        return render(request, "people/pathway_no_record.html")
    try:
        as_of = _as_of(request)
    except ValueError as error:
        return render(request, "400.html", {"message": str(error)}, status=400)
    return render(
        request,
        "people/pathway.html",
        {
            "person": person,
            "as_of": as_of,
            "today": timezone.localdate(),
            "postings": pathway_for(person, as_of),
            "submissions": _submissions(person),
        },
    )


def _json_response(payload: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _statement_response(request, person: Person, *, own: bool):
    try:
        as_of = _as_of(request)
    except ValueError as error:
        return render(request, "400.html", {"message": str(error)}, status=400)
    fmt = request.GET.get("format", "html")
    if fmt not in FORMATS:
        return HttpResponseBadRequest("The format is one of html, pdf or json.")
    data = statement_data(person, as_of)
    stem = f"statement-{person.force.code}-{person.staff_number}-{as_of.isoformat()}"
    if fmt == "json":
        return _json_response(data, f"{stem}.json")
    if fmt == "pdf":
        response = HttpResponse(render_statement_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return response
    return render(
        request,
        "people/statement.html",
        {"s": data, "person": person, "own": own, "as_of": as_of},
    )


@login_required
@require_GET
def statement(request):
    """The signed-in person's competence statement (``?as_of=``, ``?format=pdf|json``)."""
    return _statement_response(request, _own_or_404(request), own=True)


@login_required
@require_GET
def person_statement(request, pk):
    """Anyone's competence statement, for those who may see them."""
    person = _person_for(request, pk)
    own = person.user_id == request.user.pk
    return _statement_response(request, person, own=own)


def _export_response(person: Person) -> HttpResponse:
    stem = f"register-export-{person.force.code}-{person.staff_number}"
    return _json_response(export_data(person), f"{stem}.json")


@login_required
@require_GET
def export(request):
    """Subject-access export of the signed-in person's own record, as JSON."""
    return _export_response(_own_or_404(request))


@login_required
@require_GET
def person_export(request, pk):
    """Subject-access export of anyone the user may see, as JSON."""
    return _export_response(_person_for(request, pk))


@login_required
@require_GET
def reminders(request):
    """The reminders sent to the signed-in person."""
    person = _own_person(request)
    if person is None:
        return render(request, "people/pathway_no_record.html")
    return render(
        request,
        "people/reminders.html",
        {"person": person, "reminders": Reminder.objects.filter(person=person)},
    )

"""Specials and volunteers evaluation per unit, and the inspection pack of a force or region,
mounted at /evaluation/.

The evaluation is for coordinators, chief officers and leads whose grants reach the unit; the
pack for chief officers and regional and national leads whose grants reach the force or region.
Officers get 403; a unit, force or region outside the user's scope is simply not found (404).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from people.access import (
    forces_packed_for,
    regions_packed_for,
    units_of_force,
    units_of_region,
    units_overseen_by,
)
from people.models import Grant, Role
from skills.coverage import build_unit_report
from skills.coverage.redact import as_seen_by
from skills.dates import parse_as_of
from skills.evaluation import pack as packs
from skills.evaluation.services import evaluate_unit
from skills.jobs import services as report_jobs

EVALUATION_ROLES = [Role.COORDINATOR, Role.CHIEF_OFFICER, Role.REGIONAL_LEAD, Role.NATIONAL_LEAD]


# --- scope ----------------------------------------------------------------------------------


def _scope(user, roles):
    """The user's grants of ``roles``; PermissionDenied when they hold none of them."""
    if user.is_superuser:
        return None
    scope = Grant.objects.scope_for(user, roles=roles)
    if not scope.roles:
        raise PermissionDenied
    return scope


def units_evaluated_by(user):
    """Units whose evaluation the user may read: those their oversight grants cover (not the
    units they are merely posted to; people.access holds the rule)."""
    _scope(user, EVALUATION_ROLES)
    return units_overseen_by(user, EVALUATION_ROLES)


def _as_of(request) -> tuple[date, str]:
    """``?as_of=YYYY-MM-DD``, default today; a bad or out-of-range date falls back to today
    with a message (skills.dates.parse_as_of)."""
    today = timezone.localdate()
    try:
        return parse_as_of(request.GET.get("as_of"), default=today), ""
    except ValidationError as error:
        return today, f"{error.messages[0]}: showing today instead"


def _pack_as_of(request) -> tuple[date | None, HttpResponse | None]:
    """A pack is a document of record: a bad date is refused (400, saying what to enter),
    never replaced by today."""
    try:
        return parse_as_of(request.GET.get("as_of"), default=timezone.localdate()), None
    except ValidationError as error:
        return None, render(request, "400.html", {"message": error.messages[0]}, status=400)


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def unit_evaluation(request, code):
    unit = get_object_or_404(units_evaluated_by(request.user), code=code)
    as_of, error = _as_of(request)
    report = build_unit_report(unit, as_of=as_of)
    evaluation = evaluate_unit(unit, as_of=as_of, report=report)
    section = packs.UnitSection(report=report, evaluation=evaluation, is_root=True)
    u = packs.unit_context(as_seen_by(request.user, section))
    try:
        pack_forces = list(forces_packed_for(request.user).filter(units=unit).order_by("name"))
    except PermissionDenied:
        pack_forces = []
    return render(
        request,
        "skills/evaluation/unit.html",
        {
            "unit": unit,
            "as_of": as_of,
            "as_of_error": error,
            "u": u,
            "pack_forces": pack_forces,
            "breadcrumbs": [
                ("Home", reverse("home")),
                ("Deployment log", reverse("deployments:list")),
            ],
        },
    )


def _pdf(pack) -> HttpResponse:
    response = HttpResponse(packs.render_pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response


@login_required
@require_GET
def force_pack(request, force):
    forces = forces_packed_for(request.user)
    # A code wins over a primary key that happens to look the same.
    found = forces.filter(code=force).first()
    if found is None and force.isdigit():
        found = forces.filter(pk=int(force)).first()
    if found is None:
        raise Http404("No such force in your scope")
    as_of, refused = _pack_as_of(request)
    if refused:
        return refused
    if units_of_force(found).count() > report_jobs.inline_pack_units():
        # Too big to assemble within a request: the worker does it (skills.jobs.services).
        job = report_jobs.start_pack(user=request.user, scope="force", code=found.code, as_of=as_of)
        return redirect("skills:scope_job", pk=job.pk)
    return _pdf(as_seen_by(request.user, packs.build_force_pack(found, as_of=as_of)))


@login_required
@require_GET
def region_pack(request, code):
    region = get_object_or_404(regions_packed_for(request.user), code=code)
    as_of, refused = _pack_as_of(request)
    if refused:
        return refused
    if units_of_region(region).count() > report_jobs.inline_pack_units():
        job = report_jobs.start_pack(
            user=request.user, scope="region", code=region.code, as_of=as_of
        )
        return redirect("skills:scope_job", pk=job.pk)
    return _pdf(as_seen_by(request.user, packs.build_region_pack(region, as_of=as_of)))

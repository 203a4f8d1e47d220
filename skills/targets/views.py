"""The "Schedule a target change" page for one unit: the form, a "check your answers" step that
writes nothing, then the new version of the unit's target series (recorded, by simple-history's
middleware, as made by this user).

Who: chief officers whose grants reach the unit, and superusers. Anyone else with no chief
officer grant gets 403; a chief officer asking for a unit outside their grants gets 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from people.access import units_overseen_by
from people.models import Grant, Role, Unit
from skills.coverage.engine import target_versions, targets_on
from skills.models import ResilienceTarget
from skills.report.renderers import capability_label, long_date
from skills.targets.forms import CARRIED, ScheduleTargetForm
from skills.targets.tables import InForceTable, PendingTable, set_for
from skills.versions import today

SCHEDULE_ROLES = [Role.CHIEF_OFFICER]


def may_schedule(user, unit) -> bool:
    """Whether ``user`` may schedule a change to ``unit``'s targets."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return units_overseen_by(user, roles=SCHEDULE_ROLES).filter(pk=unit.pk).exists()


def _unit_for(user, code) -> Unit:
    if not user.is_superuser and not Grant.objects.scope_for(user, roles=SCHEDULE_ROLES).roles:
        raise PermissionDenied("Only chief officers may schedule a target change.")
    try:
        return units_overseen_by(user, roles=SCHEDULE_ROLES).get(code=code)
    except Unit.DoesNotExist:
        raise Http404("No such unit in your scope.") from None


def _in_force(unit) -> dict[tuple[int, int], ResilienceTarget]:
    """(capability id, level) -> the target version in force for ``unit`` today: its own, or
    its kind's where it has none of its own (the engine's rule)."""
    day = today()
    return targets_on(target_versions([unit.pk], [unit.kind], day, day), unit.pk, unit.kind, day)


def _pending(unit):
    """The unit's own versions not yet counting: drafts and those scheduled after today."""
    return (
        ResilienceTarget.objects.filter(unit=unit)
        .filter(Q(draft=True) | Q(valid_from__gt=today()))
        .select_related("capability", "unit")
        .order_by("valid_from", "capability__name", "level")
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request, code):
    unit = _unit_for(request.user, code)
    in_force = _in_force(unit)
    rows = sorted(in_force.values(), key=lambda t: (t.capability.name, t.level))
    form = ScheduleTargetForm(request.POST or None)
    context = {
        "unit": unit,
        "form": form,
        "in_force": InForceTable(rows),
        "pending": PendingTable(_pending(unit)),
        "breadcrumbs": _breadcrumbs(unit),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        current = in_force.get((data["capability"].pk, data["level"]))
        duplicate = ResilienceTarget.objects.filter(
            unit=unit,
            capability=data["capability"],
            level=data["level"],
            valid_from=data["valid_from"],
        ).exists()
        if duplicate:
            form.add_error(
                "valid_from",
                f"This unit already has a version of {data['capability'].name} "
                f"L{data['level']} from {long_date(data['valid_from'])}: choose another date",
            )
        elif "confirm" in request.POST:
            return _save(request, unit, form, data, context, current)
        elif "change" in request.POST:
            pass  # back from "check your answers": the form again, as it was filled in
        else:
            context.update(
                {
                    "check": True,
                    "what": capability_label(data["capability"], data["level"]),
                    "current": current,
                    "current_set_for": set_for(current) if current and not current.unit_id else "",
                    "cited": [str(e) for e in current.expectations.all()] if current else [],
                    "data": data,
                    "carried": {k: request.POST.get(k, "") for k in CARRIED},
                }
            )
            return render(request, "skills/targets/check.html", context)
    return render(request, "skills/targets/schedule.html", context)


def _breadcrumbs(unit):
    return [
        ("Home", reverse("home")),
        ("Coverage", reverse("coverage:overview")),
        (unit.name, reverse("skills:unit_report", args=[unit.code])),
    ]


def _save(request, unit, form, data, context, current):
    try:
        with transaction.atomic():
            version = ResilienceTarget.objects.create(
                unit=unit,
                capability=data["capability"],
                level=data["level"],
                minimum=data["minimum"],
                valid_from=data["valid_from"],
                draft=data["draft"],
            )
            # The new version answers the same inspection expectations as the one it replaces,
            # so the report's traceability does not lose them when the minimum changes.
            if current is not None:
                version.expectations.set(list(current.expectations.all()))
    except IntegrityError:
        form.add_error(
            "valid_from",
            "This unit already has a version of this target from that date: choose another date",
        )
        return render(request, "skills/targets/schedule.html", context)
    impact = (
        reverse("skills:requirement_impact")
        + "?"
        + urlencode({"version": f"t{version.pk}", "unit": unit.code})
    )
    stage = "saved as a draft" if version.draft else "scheduled"
    messages.success(
        request,
        format_html(
            '{}: a minimum of {} from {}, {}. <a class="govuk-notification-banner__link" '
            'href="{}">See its impact on {}</a>',
            capability_label(version.capability, version.level),
            version.minimum,
            long_date(version.valid_from),
            stage,
            impact,
            unit.name,
        ),
    )
    return redirect("skills:target_schedule", code=unit.code)

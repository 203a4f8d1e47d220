"""The deployment log of specials and volunteers (issue 7), mounted at /deployments/.

Coordinators, chief officers and leads see the deployments of the people in their scope;
anyone with their own record sees their own. A coordinator records deployments for the people
they coordinate (confirmed at once); a person records their own (not confirmed until a
coordinator of theirs confirms it). Another force's deployments are simply not found (404).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from people.access import can_coordinate, units_overseen_by
from people.deployments.forms import DeploymentFilter, DeploymentForm, RejectDeploymentForm
from people.deployments.tables import DeploymentTable
from people.models import Deployment, Person, PersonType, Unit

PER_PAGE = 25


# --- services ---------------------------------------------------------------------------


def may_confirm(user, deployment: Deployment) -> bool:
    """A coordinator of the person confirms; nobody confirms their own deployment."""
    if deployment.person.user_id is not None and deployment.person.user_id == user.pk:
        return False
    return can_coordinate(user, deployment.person)


@transaction.atomic
def record_deployment(
    *,
    person: Person,
    deployed_on: date,
    hours: Decimal,
    task: str,
    unit: Unit | None,
    capabilities,
    recorded_by,
) -> Deployment:
    """Records a deployment. Confirmed at once when a coordinator of the person records it;
    unconfirmed when the person records their own."""
    own = person.user_id is not None and person.user_id == recorded_by.pk
    confirmed = not own and can_coordinate(recorded_by, person)
    deployment = Deployment(
        person=person,
        deployed_on=deployed_on,
        hours=hours,
        task=task,
        unit=unit,
        recorded_by=recorded_by,
        confirmed_by=recorded_by if confirmed else None,
    )
    deployment._change_reason = (
        f"recorded and confirmed by {recorded_by}" if confirmed else f"recorded by {recorded_by}"
    )
    deployment.save()
    deployment.capabilities.set(capabilities)
    return deployment


@transaction.atomic
def confirm_deployment(*, deployment: Deployment, by) -> bool:
    """Confirms the deployment as ``by``; False if it was already confirmed. Four eyes holds
    here, whatever calls it: only a coordinator of the person, never the person themselves."""
    locked = Deployment.objects.select_for_update().select_related("person").get(pk=deployment.pk)
    if not may_confirm(by, locked):
        raise PermissionDenied("Only a coordinator of the person confirms, never the person.")
    if locked.confirmed_by_id is not None or locked.rejected_by_id is not None:
        return False
    locked.confirmed_by = by
    locked._change_reason = f"confirmed by {by}"
    locked.save(update_fields=["confirmed_by"])
    return True


@transaction.atomic
def reject_deployment(*, deployment: Deployment, by, reason: str) -> bool:
    """Rejects an unconfirmed deployment as ``by``, with the reason, kept in its history;
    False if it was already confirmed or rejected. The same four eyes as confirming."""
    locked = Deployment.objects.select_for_update().select_related("person").get(pk=deployment.pk)
    if not may_confirm(by, locked):
        raise PermissionDenied("Only a coordinator of the person rejects, never the person.")
    if locked.confirmed_by_id is not None or locked.rejected_by_id is not None:
        return False
    locked.rejected_by = by
    locked.rejected_at = timezone.now()
    locked.rejection_reason = reason
    locked._change_reason = f"rejected by {by}: {reason}"
    locked.save(update_fields=["rejected_by", "rejected_at", "rejection_reason"])
    return True


def hours_label(hours) -> str:
    """``7.5``, ``12``: hours without trailing zeros (databases differ in the scale they
    return for a sum)."""
    value = Decimal(hours or 0).normalize()
    return f"{value:f}"


# --- lookups ----------------------------------------------------------------------------


def _visible_deployments(user):
    return Deployment.objects.filter(person__in=Person.objects.visible_to(user))


def _deployment_for(request, pk) -> Deployment:
    return get_object_or_404(
        _visible_deployments(request.user).select_related(
            "person__force", "person__user", "unit", "confirmed_by", "recorded_by"
        ),
        pk=pk,
    )


def _people_to_record_for(user):
    """The people the user may record deployments for: the specials and volunteers they
    coordinate (whose use the evaluation measures), and themself."""
    q = Q(
        pk__in=Person.objects.coordinated_by(user)
        .filter(person_type__in=[PersonType.SPECIAL, PersonType.VOLUNTEER])
        .values("pk")
    )
    if getattr(user, "person", None) is not None:
        q |= Q(pk=user.person.pk)
    return Person.objects.filter(q).select_related("force").order_by("last_name", "first_name")


def _may_evaluate(user, unit: Unit) -> bool:
    # The evaluation pages' rule (skills/evaluation/views.py): oversight grants reaching the unit.
    return units_overseen_by(user).filter(pk=unit.pk).exists()


def _may_record(user) -> bool:
    return can_coordinate(user) or getattr(user, "person", None) is not None


# --- pages ------------------------------------------------------------------------------


@login_required
def deployment_list(request):
    units = Unit.objects.visible_to(request.user).order_by("name")
    deployments = (
        _visible_deployments(request.user)
        .select_related("person__force", "unit", "confirmed_by")
        .prefetch_related("capabilities")
        .order_by("-deployed_on", "-pk")
    )
    filterset = DeploymentFilter(request.GET, queryset=deployments, units=units)
    shown = filterset.qs
    totals = shown.counted().order_by().aggregate(hours=Sum("hours"))
    table = DeploymentTable(shown)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    chosen = filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None
    return render(
        request,
        "people/deployments/list.html",
        {
            "filter": filterset,
            "table": table,
            "total_hours": hours_label(totals["hours"]),
            "may_record": _may_record(request.user),
            "evaluated_unit": chosen if chosen and _may_evaluate(request.user, chosen) else None,
            "breadcrumbs": [("Home", reverse("home"))],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record(request):
    if not _may_record(request.user):
        raise PermissionDenied("Only coordinators and people on the register record deployments.")
    people = _people_to_record_for(request.user)
    initial = {}
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    form = DeploymentForm(
        request.POST or None,
        initial=initial,
        people=people,
        units=Unit.objects.visible_to(request.user).order_by("name"),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deployment = record_deployment(
            person=data["person"],
            deployed_on=data["deployed_on"],
            hours=data["hours"],
            task=data["task"],
            unit=data["unit"],
            capabilities=data["capabilities"],
            recorded_by=request.user,
        )
        if deployment.confirmed_by_id:
            messages.success(request, f"Deployment recorded for {deployment.person.full_name}.")
        else:
            messages.success(
                request, "Deployment recorded. It counts once a coordinator confirms it."
            )
        return redirect("deployments:detail", pk=deployment.pk)
    return render(
        request,
        "people/deployments/record.html",
        {"form": form, "only_person": form.only_person},
    )


@login_required
def detail(request, pk):
    deployment = _deployment_for(request, pk)
    history = list(
        deployment.history.select_related("history_user").order_by("-history_date", "-pk")
    )
    rows = [
        ("Person", f"{deployment.person.full_name}, {deployment.person.staff_number}"),
        ("Force", deployment.person.force.name),
        ("Date deployed", deployment.deployed_on.strftime("%-d %B %Y")),
        ("Hours", str(deployment.hours)),
        ("Task", deployment.task),
        ("Unit", str(deployment.unit) if deployment.unit else "No particular unit"),
        (
            "Capabilities used",
            ", ".join(c.name for c in deployment.capabilities.order_by("name")) or "None recorded",
        ),
        ("Recorded by", str(deployment.recorded_by) if deployment.recorded_by else ""),
        ("Confirmed by", str(deployment.confirmed_by) if deployment.confirmed_by else "Not yet"),
    ]
    if deployment.rejected_by_id:
        rows += [
            (
                "Rejected by",
                f"{deployment.rejected_by} on "
                f"{timezone.localtime(deployment.rejected_at):%-d %B %Y}",
            ),
            ("Reason for rejecting", deployment.rejection_reason),
        ]
    undecided = deployment.confirmed_by_id is None and deployment.rejected_by_id is None
    return render(
        request,
        "people/deployments/detail.html",
        {
            "deployment": deployment,
            "rows": rows,
            "history": history,
            "may_confirm": undecided and may_confirm(request.user, deployment),
        },
    )


@login_required
@require_POST
def confirm(request, pk):
    deployment = _deployment_for(request, pk)
    if not may_confirm(request.user, deployment):
        raise PermissionDenied("Only a coordinator of the person confirms a deployment.")
    if confirm_deployment(deployment=deployment, by=request.user):
        messages.success(request, "Deployment confirmed.")
    else:
        messages.info(request, "This deployment was already confirmed.")
    return redirect("deployments:detail", pk=deployment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reject(request, pk):
    """Asks for the reason and shows what is rejected before it is (GOV.UK "check before a
    destructive action"); the deployment stays in the log, marked rejected."""
    deployment = _deployment_for(request, pk)
    if not may_confirm(request.user, deployment):
        raise PermissionDenied("Only a coordinator of the person rejects a deployment.")
    if deployment.confirmed_by_id or deployment.rejected_by_id:
        messages.info(request, "This deployment was already confirmed or rejected.")
        return redirect("deployments:detail", pk=deployment.pk)
    form = RejectDeploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if reject_deployment(
            deployment=deployment, by=request.user, reason=form.cleaned_data["reason"]
        ):
            messages.success(request, "Deployment rejected. It does not count.")
        else:
            messages.info(request, "This deployment was already confirmed or rejected.")
        return redirect("deployments:detail", pk=deployment.pk)
    rows = [
        ("Person", f"{deployment.person.full_name}, {deployment.person.staff_number}"),
        ("Date deployed", deployment.deployed_on.strftime("%-d %B %Y")),
        ("Hours", str(deployment.hours)),
        ("Task", deployment.task),
        ("Recorded by", str(deployment.recorded_by) if deployment.recorded_by else ""),
    ]
    return render(
        request,
        "people/deployments/reject.html",
        {"deployment": deployment, "form": form, "rows": rows},
        status=400 if form.errors else 200,
    )

"""Pages for inspection actions, mounted at /actions/. Coordinators and chief officers change
their force's actions; regional and national leads read; officers get 403; another force's
plans are simply not found (404)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.imports.services import ImportHasErrors
from courses.tables import ImportErrorTable
from people.models import Force
from skills.actions import services as actions
from skills.actions.forms import ActionForm, EvidenceForm, ImportForm, PlanForm, UpdateForm
from skills.actions.tables import ActionTable, SideBySideTable, status_tag
from skills.models import Expectation
from skills.models.actions import Action, ActionPlan, ActionStatus, EvidenceKind

# --- lookups -------------------------------------------------------------------------------


def _require_reader(request) -> None:
    if not actions.may_read_actions(request.user):
        raise PermissionDenied("Only coordinators, chief officers and leads see action plans.")


def _force_for(request, code) -> Force:
    _require_reader(request)
    return get_object_or_404(actions.forces_visible_to(request.user), code=code)


def _plan_for(request, pk) -> ActionPlan:
    _require_reader(request)
    return get_object_or_404(
        actions.plans_visible_to(request.user).select_related(
            "force", "owner", "expectation__inspection"
        ),
        pk=pk,
    )


def _action_for(request, pk) -> Action:
    _require_reader(request)
    return get_object_or_404(
        actions.actions_visible_to(request.user).select_related(
            "plan__force", "plan__owner", "plan__expectation__inspection"
        ),
        pk=pk,
    )


def _require_editor(request, force: Force) -> None:
    if not actions.may_edit(request.user, force):
        raise PermissionDenied("Only the force's coordinators and chief officers change actions.")


# --- views ---------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    """The forces the user may see, with open and overdue counts, and the expectations that
    have plans (each opens the side-by-side view)."""
    _require_reader(request)
    today = timezone.localdate()
    forces = list(actions.forces_visible_to(request.user).order_by("name"))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Action.objects.filter(plan__force__in=forces)
        .exclude(status=ActionStatus.CLOSED)
        .values_list("plan__force_id", "due_on")
    )
    for force_id, due_on in rows:
        counts[force_id][0] += 1
        counts[force_id][1] += due_on < today
    expectations = (
        Expectation.objects.filter(action_plans__force__in=forces)
        .select_related("inspection")
        .distinct()
    )
    return render(
        request,
        "skills/actions/index.html",
        {
            "forces": [(f, *counts[f.pk]) for f in forces],
            "expectations": expectations,
            "may_import": actions.forces_editable_by(request.user).exists(),
        },
    )


@login_required
@require_GET
def force_actions(request, code):
    """A force's actions not yet closed, by inspection."""
    force = _force_for(request, code)
    today = timezone.localdate()
    open_actions = (
        Action.objects.filter(plan__force=force)
        .exclude(status=ActionStatus.CLOSED)
        .select_related("plan__expectation__inspection", "plan__force")
        .order_by("plan__expectation__inspection__published", "plan__expectation__pk", "due_on")
    )
    by_inspection: dict = {}
    for action in open_actions:
        by_inspection.setdefault(action.plan.expectation.inspection, []).append(action)
    groups = [
        ActionTable(items, caption=str(inspection), as_of=today)
        for inspection, items in by_inspection.items()
    ]
    plans = ActionPlan.objects.filter(force=force).select_related(
        "expectation__inspection", "owner"
    )
    return render(
        request,
        "skills/actions/force.html",
        {
            "force": force,
            "groups": groups,
            "plans": plans,
            "overdue": sum(1 for a in open_actions if a.is_overdue_on(today)),
            "may_edit": actions.may_edit(request.user, force),
            "today": today,
        },
    )


@login_required
@require_GET
def expectation_status(request, pk):
    """Every force the user may see, side by side, for one expectation."""
    _require_reader(request)
    expectation = get_object_or_404(Expectation.objects.select_related("inspection"), pk=pk)
    today = timezone.localdate()
    lines = actions.status_by_force(user=request.user, expectation=expectation, as_of=today)
    table = SideBySideTable(lines)
    return render(
        request,
        "skills/actions/expectation.html",
        {"expectation": expectation, "table": table, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request, code):
    force = _force_for(request, code)
    _require_editor(request, force)
    form = PlanForm(request.POST or None, force=force)
    if request.method == "POST" and form.is_valid():
        expectation = form.cleaned_data["expectation"]
        if ActionPlan.objects.filter(force=force, expectation=expectation).exists():
            form.add_error("expectation", f"{force.name} already has a plan for {expectation}")
        else:
            plan = actions.create_plan(
                force=force,
                expectation=expectation,
                owner=form.cleaned_data["owner"],
                by=request.user,
            )
            return redirect(plan)
    return render(
        request,
        "skills/actions/plan_new.html",
        {"force": force, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    may_edit = actions.may_edit(request.user, plan.force)
    form = ActionForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        _require_editor(request, plan.force)
        if form.is_valid():
            try:
                action = actions.add_action(plan=plan, by=request.user, **form.cleaned_data)
            except IntegrityError:
                form.add_error("reference", "This plan already has an action with that reference")
            else:
                messages.success(request, f"Action {action.reference} added.")
                return redirect(plan)
    today = timezone.localdate()
    table = ActionTable(
        plan.actions.select_related("plan__expectation", "plan__force"),
        caption="Actions",
        as_of=today,
    )
    return render(
        request,
        "skills/actions/plan.html",
        {"plan": plan, "table": table, "form": form, "may_edit": may_edit},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    action = _action_for(request, pk)
    may_edit = actions.may_edit(request.user, action.plan.force)
    today = timezone.localdate()
    update_form = evidence_form = None
    if may_edit:
        posted = request.POST if request.method == "POST" else None
        which = request.POST.get("form") if posted else None
        update_form = UpdateForm(
            posted if which == "update" else None,
            initial={"on": today, "status": action.status},
            prefix="update",
            has_evidence=action.evidence_links.exists(),
        )
        evidence_form = EvidenceForm(
            posted if which == "evidence" else None,
            initial={"as_of": today, "kind": EvidenceKind.RESILIENCE_REPORT},
            prefix="evidence",
            user=request.user,
        )
    if request.method == "POST":
        _require_editor(request, action.plan.force)
        which = request.POST.get("form")
        if which == "update" and update_form.is_valid():
            data = update_form.cleaned_data
            actions.add_update(
                action=action,
                on=data["on"],
                text=data["text"],
                status=data["status"],
                by=request.user,
            )
            messages.success(request, "Update added.")
            return redirect(action)
        if which == "evidence" and evidence_form.is_valid():
            actions.add_evidence(action=action, by=request.user, **evidence_form.cleaned_data)
            messages.success(request, "Evidence linked.")
            return redirect(action)
    failed = any(f is not None and f.errors for f in (update_form, evidence_form))
    return render(
        request,
        "skills/actions/action.html",
        {
            "action": action,
            "status_tag": status_tag(action, today),
            "updates": action.updates.select_related("by"),
            "evidence": action.evidence_links.all(),
            "update_form": update_form,
            "evidence_form": evidence_form,
        },
        status=400 if failed else 200,
    )


@login_required
@require_GET
def export(request, code):
    """The force's actions as CSV or XLSX (formula cells neutralised)."""
    force = _force_for(request, code)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    today = timezone.localdate()
    qs = Action.objects.filter(plan__force=force)
    if fmt == "xlsx":
        body = actions.export_xlsx(qs, today)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = actions.export_csv(qs, today), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="actions-{force.code}-{today}.{fmt}"'
    return response


# --- import from the web -------------------------------------------------------------------

SESSION_KEY = "skills_action_imports"


def _upload_dir() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "imports"


def _require_importer(request) -> None:
    _require_reader(request)
    if not actions.forces_editable_by(request.user).exists():
        raise PermissionDenied("Only coordinators and chief officers import actions.")


def _pending(request, token) -> dict:
    """The upload this session made under ``token``, else 404; the path comes from the
    server-issued token only."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404("No such upload: upload the file again.")
    path = _upload_dir() / f"{token}{entry['suffix']}"
    if not path.exists():
        raise Http404("The uploaded file has expired: upload it again.")
    return {**entry, "path": path}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        token = secrets.token_urlsafe(24)
        folder = _upload_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(folder / f"{token}{suffix}", "xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "user": request.user.pk,
            "filename": Path(upload.name).name[:200],
            "suffix": suffix,
        }
        request.session[SESSION_KEY] = pending
        return redirect("actions:import_preview", token=token)
    return render(
        request,
        "skills/actions/import_upload.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _preview_page(request, token, pending, *, preview=None, refused=(), status=200):
    errors = preview.errors if preview is not None else []
    bad = preview.bad_rows if preview else 0
    table = ImportErrorTable(
        errors,
        caption=f"{len(errors)} problem{pluralize(len(errors))} in {bad} row{pluralize(bad)}",
    )
    return render(
        request,
        "skills/actions/import_preview.html",
        {
            "token": token,
            "pending": pending,
            "preview": preview,
            "refused": list(refused),
            "error_table": table,
        },
        status=status,
    )


@login_required
@require_GET
def import_preview(request, token):
    _require_importer(request)
    pending = _pending(request, token)
    with open(pending["path"], "rb") as fileobj:
        try:
            preview = actions.preview_actions(
                fileobj, filename=pending["filename"], user=request.user
            )
        except ValidationError as error:
            return _preview_page(request, token, pending, refused=error.messages)
    return _preview_page(request, token, pending, preview=preview)


@login_required
@require_POST
def import_confirm(request, token):
    """Imports every row or none; with any bad row, shows the preview again."""
    _require_importer(request)
    pending = _pending(request, token)
    with open(pending["path"], "rb") as fileobj:
        try:
            result = actions.import_actions(
                fileobj, filename=pending["filename"], user=request.user
            )
        except ImportHasErrors as error:
            return _preview_page(request, token, pending, preview=error.preview, status=400)
        except ValidationError as error:
            return _preview_page(request, token, pending, refused=error.messages, status=400)
    request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    pending["path"].unlink(missing_ok=True)
    messages.success(
        request,
        f"Imported {result.rows} row{pluralize(result.rows)}: {result.created} created, "
        f"{result.changed} changed, {result.unchanged} left as they were.",
    )
    return redirect("actions:index")

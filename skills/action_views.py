"""Pages for inspection actions, mounted at /actions/. Coordinators and chief officers change
their force's actions; regional and national leads read; officers get 403; another force's
plans are simply not found (404)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from pathlib import Path

import django_tables2 as tables
from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.imports import ImportHasErrors
from courses.tables import ImportErrorTable
from people.forms import refuse_control_characters, refuse_control_characters_but_lines
from people.models import Force
from skills import actions
from skills.action_models import Action, ActionPlan, ActionStatus, EvidenceKind
from skills.date_input import date_input
from skills.dates import check_as_of
from skills.models import Expectation

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


# --- forms ---------------------------------------------------------------------------------


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return helper


class ExpectationChoiceField(forms.ModelChoiceField):
    # A bare "HMIC 2015 5.56" means little in a list: show what the expectation says too.
    def label_from_instance(self, obj):
        text = obj.text if len(obj.text) <= 90 else obj.text[:89].rstrip() + "…"
        return f"{obj}: {text}"


class PlanForm(forms.Form):
    expectation = ExpectationChoiceField(
        queryset=Expectation.objects.select_related("inspection"),
        empty_label="Choose an expectation",
        error_messages={"required": "Choose the expectation"},
    )
    owner = forms.EmailField(
        label="Owner's email", help_text="The person with a login in the force who owns it."
    )

    def __init__(self, *args, force, **kwargs):
        self.force = force
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("expectation"), Field.text("owner"), Submit("save", "Create"))

    def clean_owner(self):
        email = self.cleaned_data["owner"].lower()
        owner = actions.find_owner(force=self.force, email=email)
        if owner is None:
            message = actions.no_owner_message(self.force, email)
            raise ValidationError(message[0].upper() + message[1:])
        return owner


class ActionForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        help_text='Your numbering, e.g. "1" or "A2".',
        validators=[refuse_control_characters],
    )
    title = forms.CharField(
        label="What will be done", max_length=300, validators=[refuse_control_characters]
    )
    due_on = date_input("Due date", "due date", validators=[check_as_of])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("reference", field_width=5),
            Field.text("title"),
            Field("due_on"),
            Submit("add", "Add action"),
        )


class UpdateForm(forms.Form):
    on = date_input("Date", "date of the update", validators=[check_as_of])
    status = forms.ChoiceField(choices=ActionStatus.choices)
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, has_evidence=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_evidence = has_evidence
        self.helper = _helper(
            Field("on"),
            Field("status"),
            Field.textarea("text"),
            Submit("update", "Add update"),
        )

    def clean(self):
        data = super().clean()
        unchanged = data.get("status") == self.initial.get("status")
        no_note = not (data.get("text") or "").strip()
        if unchanged and no_note:
            self.add_error("text", "Say what changed, or choose a new status")
        elif data.get("status") == ActionStatus.CLOSED and no_note and not self.has_evidence:
            # An inspector asks what closed it: evidence or a note must say.
            self.add_error("text", "Say why the action is closed, or add evidence first")
        return data


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, widget=forms.RadioSelect)
    unit_code = forms.CharField(label="Unit code", max_length=40)
    as_of = date_input(
        "As of",
        "date of the figures",
        help_text="The date of the figures, for example 27 3 2025",
        validators=[check_as_of],
    )
    note = forms.CharField(max_length=300, required=False, validators=[refuse_control_characters])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("unit_code", field_width=10),
            Field("as_of"),
            Field.text("note"),
            Submit("evidence", "Link evidence"),
        )

    def clean_unit_code(self):
        from people.models import Unit

        code = self.cleaned_data["unit_code"].strip()
        if not Unit.objects.visible_to(self.user).filter(code=code).exists():
            raise ValidationError(f"No unit {code} that you can see")
        return code


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file with a header row (docs/actions.md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a CSV or XLSX file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("file"), Submit("upload", "Upload and preview"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise ValidationError("The file must be a CSV or an XLSX file")
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file must be smaller than {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB"
            )
        return upload


# --- tables --------------------------------------------------------------------------------


def _status_tag(action: Action, as_of) -> str:
    colour = {
        ActionStatus.CLOSED: "govuk-tag--green",
        ActionStatus.EVIDENCE_SUBMITTED: "govuk-tag--light-blue",
        ActionStatus.IN_PROGRESS: "govuk-tag--yellow",
    }.get(action.status, "govuk-tag--grey")
    tag = format_html(
        '<strong class="govuk-tag {}">{}</strong>', colour, action.get_status_display()
    )
    if action.is_overdue_on(as_of):
        tag += format_html(' <strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")
    return tag


class ActionTable(tables.Table):
    reference = tables.Column(verbose_name="Action", orderable=False)
    expectation = tables.Column(
        verbose_name="Expectation", accessor="plan__expectation", orderable=False
    )
    title = tables.Column(verbose_name="What will be done", orderable=False)
    due_on = tables.Column(verbose_name="Due", orderable=False)
    status = tables.Column(verbose_name="Status", orderable=False, empty_values=())

    class Meta:
        empty_text = "No actions."

    def __init__(self, data, *, caption: str, as_of, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.as_of = as_of

    def render_reference(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), record.reference
        )

    def render_expectation(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            record.plan.get_absolute_url(),
            record.plan.expectation.reference,
        )

    def render_due_on(self, value):
        return f"{value:%-d %b %Y}"

    def render_status(self, record):
        return _status_tag(record, self.as_of)


class PlanCountColumn(tables.Column):
    """A count of a force's actions; "–" where the force has no plan (nothing to count)."""

    def __init__(self, verbose_name, **kwargs):
        super().__init__(verbose_name=verbose_name, attrs={"numeric": True}, **kwargs)

    def render(self, value, record):
        return "–" if record.plan_id is None else value


class SideBySideTable(tables.Table):
    caption = "Every force's status"
    force = tables.Column(verbose_name="Force", attrs={"row_header": True})
    owner = tables.Column(verbose_name="Owner", default="–")
    total = PlanCountColumn("Actions")
    opened = PlanCountColumn("Open")
    in_progress = PlanCountColumn("In progress")
    evidence_submitted = PlanCountColumn("Evidence submitted")
    closed = PlanCountColumn("Closed")
    overdue = PlanCountColumn("Overdue")

    class Meta:
        orderable = False
        empty_text = "No forces."

    def render_force(self, record):
        if record.plan_id is None:
            return format_html("{} (no plan recorded)", record.force)
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("actions:plan_detail", args=[record.plan_id]),
            record.force,
        )


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
        "skills/actions_index.html",
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
        "skills/actions_force.html",
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
        "skills/actions_expectation.html",
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
        "skills/actions_plan_new.html",
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
        "skills/actions_plan.html",
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
        "skills/actions_action.html",
        {
            "action": action,
            "status_tag": _status_tag(action, today),
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
        "skills/actions_import_upload.html",
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
        "skills/actions_import_preview.html",
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

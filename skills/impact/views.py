"""The impact page: what a draft or scheduled requirement or target version would change in a
unit (or a force's units) the viewer oversees, before it takes effect (skills/impact/services.py):
a GET form for versions made in the admin, and an upload of a catalogue file not yet loaded
(for who may make versions). Nothing is written by looking."""

from __future__ import annotations

import tempfile
from pathlib import Path

import django_tables2 as tables
from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from courses.uploads import refuse_oversized_body
from people.access import has_oversight, units_of_force, units_overseen_by
from skills.catalogue import FILES as CATALOGUE_FILES
from skills.catalogue import CatalogueError
from skills.date_input import date_input
from skills.dates import check_as_of
from skills.impact.services import ImpactError, impact_of_catalogue, impact_of_versions
from skills.models import Requirement, ResilienceTarget
from skills.report.query import as_seen_by
from skills.report.renderers import capability_label, day_label
from skills.report.tables import ROW_HEADER, person_link, tag
from skills.versions import today

NOT_ASKED = "not asked"


def pending_versions(units):
    """Draft and scheduled versions the viewer may look at: every requirement's, kinds' targets
    and the targets of units they oversee (two queries)."""
    day = today()
    pending = Q(draft=True) | Q(valid_from__gt=day)
    requirements = Requirement.objects.filter(pending).select_related("role_profile", "capability")
    targets = (
        ResilienceTarget.objects.filter(pending)
        .filter(Q(unit__isnull=True) | Q(unit__in=units))
        .select_related("unit", "capability")
    )
    out = [(f"r{r.pk}", r) for r in requirements.order_by("role_profile__code", "order", "pk")]
    out += [(f"t{t.pk}", t) for t in targets.order_by("unit_kind", "capability__code", "pk")]
    return out


def _label(version) -> str:
    stage = "draft" if version.draft else "scheduled"
    what = "retired" if version.retired else stage
    return f"{version} — {what}, from {version.valid_from.isoformat()}"


def one_of_unit_or_force(form, data):
    unit, force = data.get("unit"), data.get("force")
    if not unit and not force and not form.has_error("unit") and not form.has_error("force"):
        form.add_error("unit", "Choose a unit or a force")
    elif unit and force:
        form.add_error("force", "Choose a unit or a force, not both")
    return data


class ImpactForm(forms.Form):
    version = forms.MultipleChoiceField(
        label="Versions to look at",
        widget=forms.CheckboxSelectMultiple,
        help_text="Drafts and versions scheduled after today.",
        error_messages={"required": "Choose at least one version to look at"},
    )
    unit = forms.ChoiceField(
        label="Unit",
        required=False,
        help_text="Its people and targets, and those of the units inside it.",
    )
    force = forms.ChoiceField(
        label="Or a force",
        required=False,
        help_text="Each of its units you oversee, and the force's total.",
    )
    as_of = date_input(
        "As of",
        "date of the figures",
        required=False,
        help_text="For example, 30 4 2027. Leave blank for the day the first version counts.",
        validators=[check_as_of],
        iso_in_address=True,
    )

    def __init__(self, *args, versions, units, forces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(key, _label(v)) for key, v in versions]
        self.fields["unit"].choices = [("", "Choose a unit")] + [
            (u.code, f"{u.name} ({u.code})") for u in units
        ]
        self.fields["force"].choices = [("", "Choose a force")] + [(f.code, f.name) for f in forces]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.checkboxes("version", small=True),
            Field.select("unit"),
            Field.select("force"),
            Field("as_of"),
            Submit("look", "Show the impact"),
        )

    def clean(self):
        return one_of_unit_or_force(self, super().clean())


class _Table(tables.Table):
    def __init__(self, data, *, visible_ids=None, **kwargs):
        self.visible_ids = visible_ids
        super().__init__(data, **kwargs)


class StatusChangeTable(_Table):
    caption = "People whose requirement status changes"
    person = tables.Column(verbose_name="Person", attrs=ROW_HEADER)
    role = tables.Column(verbose_name="Role")
    requirement = tables.Column(verbose_name="Requirement", empty_values=())
    before = tables.Column(verbose_name="Before", empty_values=())
    after = tables.Column(verbose_name="After", empty_values=())
    deadline = tables.Column(verbose_name="Deadline after", empty_values=())

    class Meta:
        empty_text = "Nobody's requirement status changes."
        orderable = False

    def render_person(self, value):
        return person_link(value, self.visible_ids)

    def render_requirement(self, record):
        kind = "mandatory" if record.mandatory else "recommended"
        return f"{capability_label(record.capability, record.level)} ({kind})"

    def render_before(self, value):
        return tag(value) if value else NOT_ASKED

    def render_after(self, value):
        return tag(value) if value else NOT_ASKED

    def render_deadline(self, record):
        return day_label(record.deadline) if record.after else "–"


class TargetChangeTable(_Table):
    caption = "Targets that change"
    target = tables.Column(verbose_name="Target", empty_values=(), attrs=ROW_HEADER)
    minimum = tables.Column(verbose_name="Minimum", empty_values=())
    headcount = tables.Column(verbose_name="Holders", attrs={"numeric": True})
    shortfall = tables.Column(verbose_name="Short by", empty_values=())
    cliff = tables.Column(verbose_name="Falls short on", empty_values=())
    places = tables.Column(verbose_name="More holders needed", attrs={"numeric": True})

    class Meta:
        empty_text = "No target changes."
        orderable = False

    def render_target(self, record):
        text = capability_label(record.capability, record.level)
        return format_html_join("", "{} {}", [(text, tag("short") if record.becomes_short else "")])

    def render_minimum(self, record):
        return f"{_num(record.minimum_before)} → {_num(record.minimum_after)}"

    def render_shortfall(self, record):
        return f"{record.shortfall_before} → {record.shortfall_after}"

    def render_cliff(self, record):
        return f"{_day(record.cliff_before)} → {_day(record.cliff_after)}"


class SinglePointTable(_Table):
    caption = "Single points of failure it creates"
    capability = tables.Column(
        verbose_name="Capability and level", empty_values=(), attrs=ROW_HEADER
    )
    person = tables.Column(verbose_name="Only holder")

    class Meta:
        empty_text = "It creates no single point of failure."
        orderable = False

    def render_capability(self, record):
        return capability_label(record.capability, record.level)

    def render_person(self, value):
        return person_link(value, self.visible_ids)


class TrainingTable(_Table):
    caption = "Training that would close the gap"
    need = tables.Column(verbose_name="Capability and level", empty_values=(), attrs=ROW_HEADER)
    people = tables.Column(verbose_name="People now due or missing", attrs={"numeric": True})
    places = tables.Column(verbose_name="More holders a target needs", attrs={"numeric": True})
    activities = tables.Column(verbose_name="Activities that give it", empty_values=())

    class Meta:
        empty_text = "No new gap to close."
        orderable = False

    def render_need(self, record):
        return capability_label(record.capability, record.level)

    def render_activities(self, value):
        if not value:
            return "None in the catalogue"
        return format_html_join(", ", "{} ({})", [(a.title, a.kind) for a in value])


def _num(value):
    return "none" if value is None else str(value)


def _day(value):
    return day_label(value) if value else "never"


def _percent(value):
    return "–" if value is None else f"{value * 100:.0f}%"


class UnitTotalsTable(_Table):
    caption = "Each unit"
    unit = tables.Column(verbose_name="Unit", empty_values=(), attrs=ROW_HEADER)
    changed = tables.Column(verbose_name="People whose status changes", empty_values=())
    short = tables.Column(verbose_name="Targets that become short", empty_values=())
    single = tables.Column(verbose_name="Single points of failure created", empty_values=())
    compliance = tables.Column(verbose_name="Compliance", empty_values=())

    class Meta:
        empty_text = "None of its units is in your scope."
        orderable = False

    def render_unit(self, record):
        return format_html(
            '<a class="govuk-link" href="#unit-{}">{}</a>', record.unit.code, record.unit.name
        )

    def render_changed(self, record):
        return len({c.person.id for c in record.changes})

    def render_short(self, record):
        return len(record.targets_short)

    def render_single(self, record):
        return len(record.single_points_created)

    def render_compliance(self, record):
        return _change(record.compliance_before, record.compliance_after)


def _change(before, after) -> str:
    return f"{_percent(before.value)} before, {_percent(after.value)} after"


def _unit_section(u, visible, *, named: bool) -> dict:
    """One unit's figures and tables; ``named`` puts the unit's name in each caption (a force
    shows several units, and each table's region needs a name of its own)."""
    tables_ = {
        "changes": StatusChangeTable(u.changes, visible_ids=visible),
        "targets": TargetChangeTable(u.targets, visible_ids=visible),
        "single_points": SinglePointTable(u.single_points_created, visible_ids=visible),
        "training": TrainingTable(u.training, visible_ids=visible),
    }
    if named:
        for table in tables_.values():
            table.caption = f"{table.caption}: {u.unit.name}"
    return {
        "unit": u,
        "rows": [
            ("Compliance", _change(u.compliance_before, u.compliance_after)),
            ("People whose status changes", len({c.person.id for c in u.changes})),
            ("Targets that become short", len(u.targets_short)),
            ("Single points of failure created", len(u.single_points_created)),
        ],
        "report_url": reverse("skills:unit_report", kwargs={"code": u.unit.code}),
        **tables_,
    }


def _forces_of(units):
    """Forces with a unit the viewer oversees (the forces they may choose)."""
    seen = {}
    for unit in units:
        for force in unit.forces.all():
            seen[force.pk] = force
    return sorted(seen.values(), key=lambda f: f.name)


@login_required
def requirement_impact(request):
    """The form, and with versions and a unit (or a force) chosen, their impact on that unit
    (or on each of the force's units the viewer oversees, and the force's total)."""
    if not has_oversight(request.user):
        raise PermissionDenied
    units = list(units_overseen_by(request.user).order_by("name").prefetch_related("forces"))
    forces = _forces_of(units)
    chosen_code = request.GET.get("unit")
    if chosen_code and chosen_code not in {u.code for u in units}:
        raise Http404("No such unit in your scope")
    chosen_force = request.GET.get("force")
    if chosen_force and chosen_force not in {f.code for f in forces}:
        raise Http404("No such force in your scope")
    versions = pending_versions([u.pk for u in units])
    # A link from the admin names a version only: the form opens with it ticked.
    bound = "look" in request.GET or (
        "version" in request.GET and ("unit" in request.GET or "force" in request.GET)
    )
    form = ImpactForm(request.GET if bound else None, versions=versions, units=units, forces=forces)
    if not bound:
        form.initial = {
            "version": request.GET.getlist("version"),
            "unit": chosen_code or "",
            "force": chosen_force or "",
        }
    context = {
        "form": form,
        "has_versions": bool(versions),
        "impact": None,
        "catalogue_url": (
            reverse("skills:requirement_impact_catalogue")
            if may_look_at_a_catalogue(request.user)
            else None
        ),
    }
    status = 200
    if bound and form.is_valid():
        picked = form.cleaned_data["version"]
        force = next((f for f in forces if f.code == form.cleaned_data["force"]), None)
        if force is not None:
            # The force's units (people.access), of those the viewer oversees.
            of_force = set(units_of_force(force).values_list("pk", flat=True))
            scope = [u for u in units if u.pk in of_force]
        else:
            scope = [u for u in units if u.code == form.cleaned_data["unit"]]
        try:
            impact = impact_of_versions(
                {int(k[1:]) for k in picked if k[0] == "r"},
                {int(k[1:]) for k in picked if k[0] == "t"},
                units=scope,
                on=form.cleaned_data.get("as_of"),
            )
        except ImpactError as exc:
            form.add_error("version", str(exc))
            status = 400
        else:
            impact, visible = as_seen_by(request.user, impact)
            context.update(_results(impact, visible, force))
    elif bound:
        status = 400
    context["breadcrumbs"] = [("Home", reverse("home")), ("Coverage", reverse("coverage:overview"))]
    return render(request, "skills/impact.html", context, status=status)


def _results(impact, visible, force) -> dict:
    """What the template shows: one unit's figures, or a force's total and each unit's."""
    head = [("As of", day_label(impact.on)), ("Looking at", "; ".join(impact.versions))]
    if force is None:
        section = _unit_section(impact.units[0], visible, named=False)
        return {
            "impact": impact,
            "unit": section["unit"],
            "summary_rows": head + section["rows"],
            "sections": [section],
            "force_impact": None,
        }
    total = next(f for f in impact.forces if f.force.code == force.code)
    training = TrainingTable(total.training, visible_ids=visible)
    training.caption = f"Training that would close the gap: {force.name} in total"
    return {
        "impact": impact,
        "unit": None,
        "force_impact": total,
        "force_name": force.name,
        "summary_rows": head
        + [
            ("Units", len(impact.units)),
            ("Compliance", _change(total.compliance_before, total.compliance_after)),
            ("People whose status changes", total.people_changed),
            ("Targets that become short", total.targets_short),
            ("Single points of failure created", total.single_points_created),
        ],
        "unit_totals": UnitTotalsTable(impact.units, visible_ids=visible),
        "force_training": training,
        "sections": [_unit_section(u, visible, named=True) for u in impact.units],
    }


# --- a catalogue file not yet loaded ---------------------------------------------------------

# A catalogue file is a few hundred kilobytes at national scale (the shipped ones: < 100 KB).
CATALOGUE_MAX_BYTES = 1024 * 1024
MAX_PROBLEMS_SHOWN = 20


def may_look_at_a_catalogue(user) -> bool:
    """Whoever may make requirement and target versions in the admin (an administrator; a
    member of staff given both permissions), and oversees some unit to look at."""
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("skills.add_requirement")
        and user.has_perm("skills.add_resiliencetarget")
        and has_oversight(user)
    )


class CatalogueImpactForm(forms.Form):
    file = forms.FileField(
        label="Catalogue file",
        help_text="One YAML file as in skills/catalogue (its README), at most 1 MB.",
        error_messages={"required": "Choose a catalogue file", "empty": "The file is empty"},
    )
    kind = forms.ChoiceField(
        label="Which catalogue file is it?",
        choices=[(name, name) for name in CATALOGUE_FILES],
        initial="targets.yaml",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which catalogue file it is"},
    )
    effective = date_input(
        "In force from",
        "date it would take effect",
        help_text="For example, 1 4 2027. A changed entry becomes a version from this day.",
        validators=[check_as_of],
    )
    unit = ImpactForm.base_fields["unit"]
    force = ImpactForm.base_fields["force"]
    as_of = date_input(
        "As of",
        "date of the figures",
        required=False,
        help_text="For example, 30 4 2027. Leave blank for the day it would take effect.",
        validators=[check_as_of],
    )

    def __init__(self, *args, units, forces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Choose a unit")] + [
            (u.code, f"{u.name} ({u.code})") for u in units
        ]
        self.fields["force"].choices = [("", "Choose a force")] + [(f.code, f.name) for f in forces]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("file"),
            Field.radios("kind", small=True),
            Field("effective"),
            Field.select("unit"),
            Field.select("force"),
            Field("as_of"),
            Submit("look", "Show the impact"),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CATALOGUE_MAX_BYTES:
            raise forms.ValidationError("The file must be 1 MB or smaller")
        return upload

    def clean(self):
        return one_of_unit_or_force(self, super().clean())


@login_required
@require_http_methods(["GET", "POST"])
@refuse_oversized_body(lambda: CATALOGUE_MAX_BYTES, what="Catalogue files")
def catalogue_impact(request):
    """Upload one catalogue file and see the impact of everything in it that differs from what
    is in force: it is loaded as drafts inside a transaction that is rolled back."""
    if not may_look_at_a_catalogue(request.user):
        raise PermissionDenied
    units = list(units_overseen_by(request.user).order_by("name").prefetch_related("forces"))
    forces = _forces_of(units)
    form = CatalogueImpactForm(
        request.POST or None, request.FILES or None, units=units, forces=forces
    )
    context = {"form": form, "impact": None, "problems": []}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            force = next((f for f in forces if f.code == data["force"]), None)
            if force is not None:
                of_force = set(units_of_force(force).values_list("pk", flat=True))
                scope = [u for u in units if u.pk in of_force]
            else:
                scope = [u for u in units if u.code == data["unit"]]
            try:
                impact = _catalogue_impact(data["file"], data["kind"], data, scope)
            except CatalogueError as exc:
                problems = exc.problems
                shown = problems[:MAX_PROBLEMS_SHOWN]
                more = len(problems) - len(shown)
                if more:
                    shown.append(f"and {more} more problem{'s' if more != 1 else ''}")
                form.add_error("file", f"The file cannot be read as {data['kind']}")
                context["problems"] = shown
            else:
                status = 200
                impact, visible = as_seen_by(request.user, impact)
                context.update(_results(impact, visible, force))
                context["unchanged"] = not impact.version_count
    context["breadcrumbs"] = [
        ("Home", reverse("home")),
        ("Coverage", reverse("coverage:overview")),
        ("Impact of a change", reverse("skills:requirement_impact")),
    ]
    return render(request, "skills/impact_catalogue.html", context, status=status)


def _catalogue_impact(upload, kind, data, units):
    """The upload, saved under its catalogue name in a directory of its own, looked at."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(Path(tmp) / kind, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return impact_of_catalogue(
            Path(tmp),
            effective=data["effective"],
            units=units,
            on=data.get("as_of"),
            name=f"{kind} ({Path(upload.name).name[:100]})",
        )

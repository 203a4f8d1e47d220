"""The unit resilience report: one page, and the same report downloaded as PDF, CSV, XLSX,
JSON or standalone HTML. Thin: parse the GET form, ask the engine once, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from people.access import has_oversight
from people.models import Fund, Person, Posting, Unit
from skills import renderers
from skills.coverage import build_unit_report
from skills.coverage.redact import WITHHELD_NAME, people_in, withhold_names
from skills.forms import ReportForm
from skills.tables import (
    DependedTable,
    DeploymentTable,
    ExpectationTable,
    ExpiringTable,
    MatrixTable,
    SinglePointTable,
    TargetTable,
)

MATRIX_PER_PAGE = 25
# Query-string keys that belong to the page only, not to the report a download repeats.
PAGE_ONLY = ("m-page", "format")


def _unit_for_report(request, code) -> Unit:
    """The unit, if the user has oversight and it is in their scope: officers are refused
    (403), units outside the scope are not found (404)."""
    if not has_oversight(request.user):
        raise PermissionDenied
    return get_object_or_404(
        Unit.objects.visible_to(request.user).select_related("parent").prefetch_related("forces"),
        code=code,
    )


def _people_choices(user, unit_ids, as_of) -> list[tuple[int, str]]:
    """Who may leave or join a cohort in a what-if: the people in the unit on the as-of date
    (one query over the unit tree's postings); people outside the viewer's scope by force and
    type only (one more query)."""
    postings = (
        Posting.objects.current_on(as_of)
        .filter(unit_id__in=unit_ids)
        .select_related("person__force")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    postings = list(postings)
    visible = _visible_ids(user, [p.person_id for p in postings])
    choices: dict[int, str] = {}
    for p in postings:
        person = p.person
        if person.pk in visible:
            label = f"{person.full_name}, {person.staff_number} ({person.force.name})"
        else:
            label = (
                f"{WITHHELD_NAME}: {person.get_person_type_display().lower()} "
                f"#{person.pk} ({person.force.name})"
            )
        choices.setdefault(person.pk, label)
    return list(choices.items())


def _form_for(request, unit: Unit):
    today = timezone.localdate()
    # The people to choose from are those in the unit on the date asked for, if it is a date.
    probe = ReportForm({"as_of": request.GET.get("as_of", "")})
    as_of = (
        probe.cleaned_data["as_of"] if probe.is_valid() and probe.cleaned_data["as_of"] else today
    )
    unit_ids = Unit.objects.descendant_ids([unit.pk])
    funds = Fund.objects.filter(postings__unit_id__in=unit_ids).distinct().order_by("name")
    form = ReportForm(
        request.GET or None, people=_people_choices(request.user, unit_ids, as_of), funds=funds
    )
    return form, today


def _report_for(form: ReportForm, unit: Unit, today):
    """The report the valid form asks for, or None with the engine's objection on the form."""
    if form.is_bound and not form.is_valid():
        return None
    if not form.is_bound:
        return build_unit_report(unit, as_of=today)
    try:
        return build_unit_report(
            unit,
            as_of=form.as_of_or(today),
            horizon=form.horizon_or(),
            what_if=form.what_if(),
        )
    except ValueError as exc:
        form.add_error(None, str(exc))
        return None


def _download_query(request) -> str:
    query = request.GET.copy()
    for key in PAGE_ONLY:
        query.pop(key, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


@login_required
def unit_report(request, code, fmt=None):
    """The report page, or with ``fmt`` (``report.pdf`` or ``?format=pdf``) a download of the
    same report."""
    unit = _unit_for_report(request, code)
    fmt = fmt or request.GET.get("format") or None
    if fmt is not None and fmt not in renderers.FORMATS:
        raise Http404(f"No report format {fmt!r}")
    form, today = _form_for(request, unit)
    report = _report_for(form, unit, today)
    if report is not None:
        report = _as_seen_by(request, report)

    if fmt is not None and report is not None:
        rendered = renderers.render_report(report, fmt, leavers=_leavers(form))
        response = HttpResponse(rendered.content, content_type=rendered.content_type)
        response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
        return response

    errors = form.errors if form.is_bound else {}
    context = {
        "unit": unit,
        "form": form,
        "report": report,
        "dates_open": any(name in errors for name in ("as_of", "horizon")),
        "what_if_open": bool(report and report.what_if)
        or any(name not in ("as_of", "horizon") for name in errors),
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Units", reverse("people:unit_list")),
            (unit.name, unit.get_absolute_url()),
        ],
    }
    if report is not None:
        context.update(_report_context(request, report, form))
    return render(request, "skills/report.html", context, status=200 if report else 400)


def _report_context(request, report, form) -> dict:
    visible = _visible_people(request, report)
    matrix = MatrixTable(report, prefix="m-", visible_ids=visible)
    RequestConfig(request, paginate={"per_page": MATRIX_PER_PAGE}).configure(matrix)
    sv = report.specials_and_volunteers
    download_query = _download_query(request)
    return {
        "summary": report.summary,
        "compliance": renderers.percent(report.summary.compliance),
        "earliest_cliff": renderers.earliest_cliff_date(report),
        "total_shortfall": sum(t.shortfall for t in report.targets),
        "short_targets": [t for t in report.targets if not t.is_met],
        "what_if_lines": renderers.what_if_lines(report.what_if, report, _leavers(form)),
        "matrix": matrix,
        "target_table": TargetTable(report.targets, visible_ids=visible),
        "spof_table": SinglePointTable(report.single_points_of_failure, visible_ids=visible),
        "expiring_table": ExpiringTable(report.expiring, visible_ids=visible),
        "deployment_table": DeploymentTable(
            sv.people,
            not_deployed_ids={p.id for p in sv.not_deployed_6_months},
            visible_ids=visible,
        ),
        "depended_table": DependedTable(sv.depended_on, visible_ids=visible),
        "expectation_table": ExpectationTable(report.expectations, visible_ids=visible),
        "forecast_section": next(s for s in renderers.sections(report) if s.slug == "forecast"),
        "chart_svg": mark_safe(renderers.forecast_chart_svg(report)),  # noqa: S308 - pygal's SVG
        "downloads": [
            (
                label,
                reverse("skills:unit_report_download", args=[report.unit.code, fmt])
                + download_query,
                fmt,
            )
            for fmt, label in (
                ("pdf", "PDF"),
                ("csv", "CSV"),
                ("xlsx", "XLSX"),
                ("json", "JSON"),
                ("html", "HTML"),
            )
        ],
        "horizon": report.horizon,
    }


def _visible_ids(user, ids) -> frozenset[int]:
    return frozenset(
        Person.objects.visible_to(user).filter(pk__in=set(ids)).values_list("pk", flat=True)
    )


def _as_seen_by(request, report):
    """A joint unit's report counts people of every member force, but names only the people
    the viewer may see; the others keep their force and person type (one query)."""
    ids = people_in(report)
    visible = _visible_ids(request.user, ids)
    request._report_visible_ids = visible
    return report if visible >= ids else withhold_names(report, visible)


def _visible_people(request, report) -> frozenset[int]:
    """Who in the report the viewer may open (links only to records in the viewer's scope)."""
    visible = getattr(request, "_report_visible_ids", None)
    if visible is None:
        visible = _visible_ids(request.user, people_in(report))
    return visible


def _leavers(form) -> dict[int, str]:
    """Names of the people a what-if may remove: they are no longer in the report."""
    return dict(form.fields["without"].choices)

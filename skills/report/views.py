"""The unit resilience report: one page, and the same report downloaded as PDF, CSV, XLSX,
JSON or standalone HTML. Thin: parse the GET form, ask the engine once, render."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from people.access import has_oversight
from people.models import Unit
from skills.coverage import build_unit_report
from skills.coverage.redact import people_in
from skills.dates import parse_as_of
from skills.jobs.services import inline_pdf_people, start_report_pdf
from skills.report import query as report_query
from skills.report import renderers
from skills.report.tables import (
    DependedTable,
    DeploymentTable,
    ExpectationTable,
    ExpiringTable,
    MatrixTable,
    SinglePointTable,
    TargetTable,
)

MATRIX_PER_PAGE = 25
EXPIRING_PER_PAGE = 25
SPECIALS_PER_PAGE = 25
# Query-string keys that belong to the page only, not to the report a download repeats: the
# tables' pages and sorting, and the what-if's person search.
PAGE_ONLY = ("m-page", "e-page", "e-sort", "s-page", "s-sort", "who", "who-page", "format")


def unit_for_report(request, code) -> Unit:
    """The unit, if the user has oversight and it is in their scope: officers are refused
    (403), units outside the scope are not found (404)."""
    if not has_oversight(request.user):
        raise PermissionDenied
    return get_object_or_404(
        Unit.objects.visible_to(request.user).select_related("parent").prefetch_related("forces"),
        code=code,
    )


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
    unit = unit_for_report(request, code)
    fmt = fmt or request.GET.get("format") or None
    if fmt is not None and fmt not in renderers.FORMATS:
        raise Http404(f"No report format {fmt!r}")
    form, today = report_query.report_form(request.user, request.GET, unit)
    report = report_query.report_for(form, unit, today)
    if report is not None:
        report = _as_seen_by(request, report, unit)

    if fmt == "pdf" and report is not None and report.summary.people > inline_pdf_people():
        # Too big to draw within a request: the worker draws it (skills.jobs.services).
        job = start_report_pdf(user=request.user, unit=unit, query=_download_query(request)[1:])
        return redirect("skills:report_job", code=unit.code, pk=job.pk)
    if fmt is not None and report is not None:
        rendered = renderers.render_report(report, fmt, leavers=report_query.leavers(form))
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
        or bool(form.people_search.text)
        or any(name not in ("as_of", "horizon") for name in errors),
        "people_search": form.people_search,
        "search_pages": _search_pages(request, form.people_search),
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
    expiring = ExpiringTable(report.expiring, prefix="e-", visible_ids=visible)
    RequestConfig(request, paginate={"per_page": EXPIRING_PER_PAGE}).configure(expiring)
    deployments = DeploymentTable(
        sv.people,
        prefix="s-",
        not_deployed_ids={p.id for p in sv.not_deployed_6_months},
        visible_ids=visible,
    )
    RequestConfig(request, paginate={"per_page": SPECIALS_PER_PAGE}).configure(deployments)
    download_query = _download_query(request)
    return {
        "summary": report.summary,
        "compliance": renderers.percent(report.summary.compliance),
        "earliest_cliff": renderers.earliest_cliff_date(report),
        "total_shortfall": sum(t.shortfall for t in report.targets),
        "short_targets": [t for t in report.targets if not t.is_met],
        "what_if_lines": renderers.what_if_lines(
            report.what_if, report, report_query.leavers(form)
        ),
        "matrix": matrix,
        "target_table": TargetTable(report.targets, visible_ids=visible),
        "spof_table": SinglePointTable(report.single_points_of_failure, visible_ids=visible),
        "expiring_table": expiring,
        "deployment_table": deployments,
        "depended_table": DependedTable(sv.depended_on, visible_ids=visible),
        "expectation_table": ExpectationTable(
            report.expectations,
            visible_ids=visible,
            trace_url=reverse("skills:unit_trace", args=[report.unit.code])
            + f"?as_of={report.as_of.isoformat()}",
        ),
        "forecast_section": renderers.forecast_section(report),
        "chart_svg": mark_safe(renderers.forecast_chart_svg(report)),  # noqa: S308 - pygal's SVG
        "forecast_key": renderers.forecast_key(report),
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


def _as_seen_by(request, report, unit):
    report, request._report_visible_ids = report_query.as_seen_by(request.user, report, unit)
    return report


def _visible_people(request, report) -> frozenset[int] | None:
    """Who in the report the viewer may open (links only to records in the viewer's scope);
    None: everyone in it."""
    if hasattr(request, "_report_visible_ids"):
        return request._report_visible_ids
    return report_query.visible_ids(request.user, people_in(report))


def _search_pages(request, search) -> dict | None:
    """The GOV.UK pagination of the what-if's person search (``who-page``), or None."""
    page = search.page
    if page is None or page.paginator.num_pages < 2:
        return None
    query = request.GET.copy()
    query.pop("format", None)

    def href(number):
        query["who-page"] = number
        return f"?{query.urlencode()}#what-if"

    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else None,
        "next": href(page.next_page_number()) if page.has_next() else None,
        "items": [
            {"number": n, "href": href(n), "current": n == page.number}
            if n != page.paginator.ELLIPSIS
            else {"ellipsis": True}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
        ],
    }


def _evidence_for(rows, as_of) -> dict[tuple[int, str], list]:
    """(person id, capability code) -> the verified completions, valid on ``as_of``, of
    activities evidencing that capability at the row's level or higher: what an inspector
    opens behind a met requirement (one query)."""
    from courses.models import Completion

    wanted = {(r.person.id, r.requirement.capability.code): r.requirement.level for r in rows}
    if not wanted:
        return {}
    completions = (
        Completion.objects.verified()
        .filter(
            person_id__in={pid for pid, _ in wanted},
            completed_on__lte=as_of,
            activity__evidences__capability__code__in={code for _, code in wanted},
        )
        .select_related("activity")
        .prefetch_related("activity__evidences__capability")
        .distinct()
        .order_by("-completed_on")
    )
    out: dict[tuple[int, str], list] = {}
    for completion in completions:
        if not completion.is_valid_on(as_of):
            continue
        for evidence in completion.activity.evidences.all():
            key = (completion.person_id, evidence.capability.code)
            if key in wanted and evidence.level >= wanted[key]:
                out.setdefault(key, []).append(completion)
    return out


@dataclass(frozen=True)
class TraceRow:
    person: object  # PersonRef
    posting: object  # PostingRequirements
    requirement: object  # RequirementLine
    evidence: tuple = ()


@login_required
def unit_trace(request, code):
    """From an expectation's figure ("41 of 47 requirements met") to the requirements counted
    for it, the people, and the evidence behind each (``?expectation=KEY&as_of=``)."""
    unit = unit_for_report(request, code)
    today = timezone.localdate()
    try:
        as_of = parse_as_of(request.GET.get("as_of"), default=today)
    except ValidationError as error:
        return render(request, "400.html", {"message": error.messages[0]}, status=400)
    key = request.GET.get("expectation", "")
    report = _as_seen_by(request, build_unit_report(unit, as_of=as_of, horizon=0), unit)
    line = next((e for e in report.expectations if e.key == key), None)
    if line is None:
        raise Http404("The unit's targets and requirements do not cite that expectation.")
    visible = _visible_people(request, report)
    rows = [
        TraceRow(person=person_line.person, posting=posting, requirement=req)
        for person_line in report.people
        for posting in person_line.postings
        for req in posting.requirements
        if req.counted and any(e.key == key for e in req.expectations)
    ]
    if visible is None:  # the viewer may see everyone in the report
        visible = frozenset(r.person.id for r in rows)
    shown = [r for r in rows if r.person.id in visible and r.requirement.status in HELD]
    evidence = _evidence_for(shown, as_of)
    rows = [
        dataclasses.replace(
            r, evidence=tuple(evidence.get((r.person.id, r.requirement.capability.code), ()))
        )
        for r in rows
    ]
    rows.sort(key=lambda r: (r.requirement.status in HELD, r.person.name))
    targets = [t for t in report.targets if any(e.key == key for e in t.expectations)]
    return render(
        request,
        "skills/report_trace.html",
        {
            "unit": unit,
            "as_of": as_of,
            "line": line,
            "words": renderers.expectation_label(line),
            "rows": rows,
            "targets": targets,
            "visible": visible,
            "report_url": reverse("skills:unit_report", args=[unit.code])
            + f"?as_of={as_of.isoformat()}",
            "breadcrumbs": [
                ("Home", reverse("home")),
                ("Units", reverse("people:unit_list")),
                (unit.name, unit.get_absolute_url()),
                ("Resilience report", reverse("skills:unit_report", args=[unit.code])),
            ],
        },
    )


# A requirement counted as met for an expectation (DESIGN.md Traceability).
HELD = ("met", "expiring")

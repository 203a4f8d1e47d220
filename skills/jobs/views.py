"""The page of a large unit's report PDF being drawn in the background, and its download.

Only the user who asked for the PDF sees the job, and only while they may still see the unit."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from courses import jobs
from courses.models import Job, JobKind
from skills.jobs.services import pack_path, pdf_path
from skills.report.views import unit_for_report

REFRESH_SECONDS = 3


def _job_for(request, code, pk):
    unit = unit_for_report(request, code)
    job = get_object_or_404(
        Job,
        pk=pk,
        kind=JobKind.REPORT_PDF,
        started_by=request.user,
        params__unit=unit.code,
    )
    return unit, jobs.check_alive(job)


@login_required
@require_GET
def report_job(request, code, pk):
    unit, job = _job_for(request, code, pk)
    drawn = job.finished and job.outcome.get("result") == "drawn"
    return render(
        request,
        "skills/report_job.html",
        {
            "unit": unit,
            "job": job,
            "drawn": drawn,
            "refresh": None if job.finished else REFRESH_SECONDS,
            "download_url": reverse("skills:report_job_download", args=[unit.code, job.pk]),
            "report_url": reverse("skills:unit_report", args=[unit.code]),
            "breadcrumbs": [
                ("Home", reverse("home")),
                ("Units", reverse("people:unit_list")),
                (unit.name, unit.get_absolute_url()),
                ("Resilience report", reverse("skills:unit_report", args=[unit.code])),
            ],
        },
    )


@login_required
@require_GET
def report_job_download(request, code, pk):
    _, job = _job_for(request, code, pk)
    path = pdf_path(job)
    if job.outcome.get("result") != "drawn" or not path.exists():
        raise Http404("This PDF is not ready.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.outcome["filename"],
        content_type="application/pdf",
    )


# --- the inspection pack and the trend, worked out in the background -------------------------

SCOPE_JOB_KINDS = (JobKind.PACK, JobKind.TREND)


def _scope_job_for(request, pk) -> Job:
    """The user's own pack or trend job, and only while they may still see its scope."""
    from people.access import forces_packed_for, regions_packed_for

    job = get_object_or_404(Job, pk=pk, kind__in=SCOPE_JOB_KINDS, started_by=request.user)
    if job.kind == JobKind.PACK:
        try:
            if job.params.get("scope") == "force":
                visible = forces_packed_for(request.user).filter(code=job.params.get("code"))
            else:
                visible = regions_packed_for(request.user).filter(code=job.params.get("code"))
            seen = visible.exists()
        except PermissionDenied:
            seen = False
        if not seen:
            raise Http404("No such job in your scope")
    return jobs.check_alive(job)


def _trend_url(job: Job) -> str:
    query = {"force": job.params.get("force", ""), "as_of": job.params.get("as_of", "")}
    for key in ("function", "person_type"):
        if job.params.get(key):
            query[key] = job.params[key]
    return f"{reverse('coverage:trend')}?{urlencode(query)}"


@login_required
@require_GET
def scope_job(request, pk):
    job = _scope_job_for(request, pk)
    ready = job.finished and job.outcome.get("result") in ("drawn", "worked_out")
    if job.kind == JobKind.PACK:
        back_url, back_label = reverse("coverage:overview"), "Back to the coverage overview"
        what = "inspection pack"
    else:
        back_url, back_label = _trend_url(job), "Back to the trend"
        what = "trend"
    return render(
        request,
        "skills/scope_job.html",
        {
            "job": job,
            "what": what,
            "ready": ready,
            "refresh": None if job.finished else REFRESH_SECONDS,
            "download_url": reverse("skills:scope_job_download", args=[job.pk])
            if job.kind == JobKind.PACK
            else "",
            "trend_url": _trend_url(job) if job.kind == JobKind.TREND else "",
            "back_url": back_url,
            "back_label": back_label,
            "breadcrumbs": [("Home", reverse("home")), ("Coverage", reverse("coverage:overview"))],
        },
    )


@login_required
@require_GET
def scope_job_download(request, pk):
    job = _scope_job_for(request, pk)
    path = pack_path(job)
    if job.kind != JobKind.PACK or job.outcome.get("result") != "drawn" or not path.exists():
        raise Http404("This pack is not ready.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.outcome["filename"],
        content_type="application/pdf",
    )

"""The page of a large unit's report PDF being drawn in the background, and its download.

Only the user who asked for the PDF sees the job, and only while they may still see the unit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from courses import jobs
from courses.models import Job, JobKind
from skills.report_jobs import pdf_path
from skills.views import _unit_for_report

REFRESH_SECONDS = 3


def _job_for(request, code, pk):
    unit = _unit_for_report(request, code)
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

"""A large unit's report PDF, drawn by the background worker (docs/jobs.md).

xhtml2pdf takes seconds per page, so the PDF of a unit with more than
REGISTER_INLINE_PDF_PEOPLE people would hold a web worker past its timeout. The download link
then starts a job instead: the worker rebuilds the same report for the same user and query
(skills.report_query), writes the PDF beside the evidence (readable by the service only) and
the job's page offers it to the user who asked for it."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

from courses import jobs
from courses.models import Job, JobKind, JobStatus
from people.models import Unit
from skills import renderers, report_query


def inline_pdf_people() -> int:
    return int(getattr(settings, "REGISTER_INLINE_PDF_PEOPLE", 60))


def reports_dir() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "reports"


def pdf_path(job: Job) -> Path:
    return reports_dir() / f"report-{job.pk}.pdf"


def start_report_pdf(*, user, unit: Unit, query: str) -> Job:
    """Queues the PDF of ``unit`` as ``user`` sees it, for the report form's ``query``; a
    second click while that PDF is still being drawn gets the job already under way."""
    params = {"unit": unit.code, "query": query}
    waiting = Job.objects.filter(
        kind=JobKind.REPORT_PDF,
        started_by=user,
        params=params,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).first()
    if waiting is not None and not jobs.check_alive(waiting).finished:
        return waiting
    return jobs.start_job(kind=JobKind.REPORT_PDF, user=user, params=params)


def _draw(job: Job, reporter) -> dict:
    reporter.stage("Drawing the PDF")
    user = job.started_by
    # Scope is asked again: a grant withdrawn since the click means no PDF.
    unit = Unit.objects.visible_to(user).filter(code=job.params["unit"]).first()
    if unit is None:
        return {"result": "refused", "messages": ["You can no longer see this unit."]}
    form, today = report_query.report_form(user, QueryDict(job.params["query"]), unit)
    report = report_query.report_for(form, unit, today)
    if report is None:
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return {"result": "refused", "messages": messages or ["The report could not be drawn."]}
    report, _ = report_query.as_seen_by(user, report)
    rendered = renderers.render_report(report, "pdf", leavers=report_query.leavers(form))
    folder = reports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = pdf_path(job)
    part = path.with_suffix(".part")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(rendered.content)
    part.replace(path)  # a killed worker leaves a .part, never a half PDF under the real name
    return {
        "result": "drawn",
        "filename": rendered.filename,
        "bytes": len(rendered.content),
        "people": report.summary.people,
    }


jobs.register(
    JobKind.REPORT_PDF,
    _draw,
    failure="Drawing the PDF failed unexpectedly. Try again; if it fails again, tell your "
    "administrator the time it happened.",
    died="The background worker stopped while drawing the PDF. Ask for it again.",
)

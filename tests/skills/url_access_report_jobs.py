"""Who may follow a large unit's report PDF drawn in the background (format: tests/access.py).

Only the user who asked for it: here the Norfolk coordinator. Every other reader of the
unit's report gets 404 (the job is not theirs); the officer 403 (no oversight)."""

from __future__ import annotations

from courses.models import Job, JobKind, JobStatus
from tests.access import Rule


def _coordinators_job(cast):
    job = Job.objects.create(
        kind=JobKind.REPORT_PDF,
        started_by=cast.coordinator,
        params={"unit": cast.norfolk_unit.code, "query": ""},
        status=JobStatus.RUNNING,
    )
    return {"code": cast.norfolk_unit.code, "pk": job.pk}


RULES = {
    "skills:report_job": Rule(allowed=frozenset({"coordinator"}), kwargs=_coordinators_job),
    "skills:report_job_download": Rule(
        allowed=frozenset(),
        kwargs=_coordinators_job,
        skip="answers 404 until the PDF is drawn; tests/skills/test_report_pdf_job.py downloads "
        "a drawn one and checks that nobody else can",
    ),
}

"""Who may follow an inspection pack or trend worked out in the background (format:
tests/access.py). Only the user who asked for it, and only while the scope is still theirs:
here Norfolk's chief officer; everyone else gets 404 (the job is not theirs)."""

from __future__ import annotations

from courses.models import Job, JobKind, JobStatus
from tests.access import Rule


def _chiefs_pack(cast):
    job = Job.objects.create(
        kind=JobKind.PACK,
        started_by=cast.chief,
        params={"scope": "force", "code": cast.norfolk.code, "as_of": "2025-03-31"},
        status=JobStatus.RUNNING,
    )
    return {"pk": job.pk}


RULES = {
    "skills:scope_job": Rule(allowed=frozenset({"chief_officer"}), kwargs=_chiefs_pack),
    "skills:scope_job_download": Rule(
        allowed=frozenset(),
        kwargs=_chiefs_pack,
        skip="answers 404 until the pack is drawn; tests/skills/test_scope_jobs.py downloads "
        "a drawn one and checks that nobody else can",
    ),
}

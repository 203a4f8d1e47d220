"""Who may open each courses: URL (format: tests/access.py)."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from courses.models import Completion, Job, JobKind, JobStatus, Status
from tests.access import EVERYONE, Rule
from tests.factories import ActivityFactory

# The smallest valid PNG: a real image, so the evidence view has something to stream.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

READERS = frozenset({"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"})
CHANGERS = frozenset({"coordinator", "admin"})
# The outsider coordinates Kent: pages that list only their own scope open for them too.
COORDINATORS = frozenset({"coordinator", "admin", "outsider"})


def _activity(cast):
    return ActivityFactory(code="ACCESS-COURSE", title="Access check course")


def _pending_completion(cast) -> Completion:
    """A pending completion of the Norfolk colleague, with an evidence file."""
    completion, _ = Completion.objects.get_or_create(
        person=cast.colleague,
        activity=_activity(cast),
        completed_on=date(2025, 1, 10),
        defaults={"status": Status.PENDING, "source": Completion.Source.SUBMITTED},
    )
    if not completion.evidence_file:
        storage = completion.evidence_file.storage
        name = "url-access/certificate.png"
        if not storage.exists(name):
            storage.save(name, ContentFile(PNG))
        completion.evidence_file.name = name
        completion.save(update_fields=["evidence_file"])
    return completion


def _completion_pk(cast) -> dict:
    return {"pk": _pending_completion(cast).pk}


def _coordinators_job(cast) -> dict:
    """A finished import started by the Norfolk coordinator."""
    job, _ = Job.objects.get_or_create(
        kind=JobKind.IMPORT_APPLY,
        upload="url-access-job",
        defaults={
            "started_by": cast.coordinator,
            "import_kind": "completions",
            "filename": "completions.csv",
            "status": JobStatus.DONE,
            "outcome": {
                "result": "imported",
                "rows": 1,
                "created": 1,
                "changed": 0,
                "unchanged": 0,
            },
        },
    )
    return {"pk": job.pk}


def _offering(cast):
    from courses.models import Offering

    offering, _ = Offering.objects.get_or_create(
        activity=_activity(cast),
        starts_on=date(2025, 5, 19),
        defaults={
            "ends_on": date(2025, 5, 20),
            "places": 4,
            "owner_force": cast.norfolk,
            "location": "Norwich",
        },
    )
    return offering


def _offering_pk(cast) -> dict:
    return {"pk": _offering(cast).pk}


def _booking_pk(cast) -> dict:
    from courses.models import Booking

    booking, _ = Booking.objects.get_or_create(offering=_offering(cast), person=cast.colleague)
    return {"pk": booking.pk}


RULES = {
    "courses:activity_list": Rule(allowed=EVERYONE),
    "courses:activity_detail": Rule(
        allowed=EVERYONE, kwargs=lambda cast: {"code": _activity(cast).code}
    ),
    "courses:completion_detail": Rule(allowed=READERS, kwargs=_completion_pk),
    "courses:correct_completion": Rule(allowed=CHANGERS, kwargs=_completion_pk),
    "courses:withdraw_completion": Rule(allowed=CHANGERS, kwargs=_completion_pk),
    "courses:review_completion": Rule(allowed=CHANGERS, kwargs=_completion_pk),
    "courses:evidence_file": Rule(allowed=READERS, kwargs=_completion_pk),
    "courses:record_completion": Rule(
        allowed=CHANGERS, kwargs=lambda cast: {"person_pk": cast.colleague.pk}
    ),
    "courses:record_cohort": Rule(allowed=COORDINATORS),
    "courses:submit_completion": Rule(allowed=COORDINATORS | {"officer"}),
    "courses:verification_queue": Rule(allowed=COORDINATORS),
    # Offerings: coordinators only; the Kent coordinator does not find a Norfolk offering.
    "courses:offering_list": Rule(allowed=COORDINATORS),
    "courses:offering_create": Rule(allowed=COORDINATORS),
    "courses:offering_detail": Rule(allowed=CHANGERS, kwargs=_offering_pk),
    "courses:offering_edit": Rule(allowed=CHANGERS, kwargs=_offering_pk),
    "courses:offering_book": Rule(allowed=CHANGERS, kwargs=_offering_pk),
    "courses:offering_cancel": Rule(allowed=CHANGERS, kwargs=_offering_pk),
    "courses:booking_detail": Rule(allowed=CHANGERS, kwargs=_booking_pk),
    "courses:booking_attended": Rule(allowed=CHANGERS, kwargs=_booking_pk, method="post"),
    "courses:booking_complete": Rule(allowed=CHANGERS, kwargs=_booking_pk),
    "courses:booking_cancel": Rule(allowed=CHANGERS, kwargs=_booking_pk),
    "courses:import_upload": Rule(allowed=COORDINATORS),
    # An upload is reachable only from the session that made it: a token from anywhere else is
    # not found, even for coordinators (tests/courses/test_import_views.py covers the journey).
    "courses:import_preview": Rule(
        allowed=frozenset(), kwargs=lambda cast: {"token": "not-from-this-session"}
    ),
    "courses:import_confirm": Rule(
        allowed=frozenset(),
        kwargs=lambda cast: {"token": "not-from-this-session"},
        method="post",
    ),
    # A job is seen only by the coordinator who started it (tests/courses/test_import_jobs.py).
    "courses:job_detail": Rule(allowed=frozenset({"coordinator"}), kwargs=_coordinators_job),
    "courses:job_progress": Rule(allowed=frozenset({"coordinator"}), kwargs=_coordinators_job),
}

"""Services that record, verify, reject, withdraw and correct completions."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Completion, Source, Status
from courses.services import (
    correct_completion,
    record_cohort,
    record_completion,
    reject_completion,
    submit_completion,
    verify_completion,
    withdraw_completion,
)
from tests.factories import ActivityFactory, PersonFactory, completed

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def course(db):
    return ActivityFactory(code="ROCU-NET-INV", title="Network investigation", validity_months=36)


@pytest.fixture
def submitted(cast, course):
    return submit_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.officer_user,
        certificate_number="NI-2025-044",
    )


def test_recorded_completion_is_verified_by_the_recorder_at_once(cast, course):
    completion = record_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2025, 3, 3),
        recorded_by=cast.coordinator,
    )
    assert completion.status == Status.VERIFIED
    assert completion.source == Source.RECORDED
    assert completion.verified_by == cast.coordinator
    assert completion.verified_at is not None
    # Expiry comes from the activity (36 months) and is not stored.
    assert completion.expires_on is None
    assert completion.expiry() == date(2028, 3, 3)
    history = completion.history.get()
    assert history.history_user == cast.coordinator
    assert history.history_change_reason == "recorded"


def test_a_certificate_expiry_overrides_the_activity_validity(cast, course):
    completion = record_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2025, 3, 3),
        recorded_by=cast.coordinator,
        expires_on=date(2026, 1, 31),
    )
    assert completion.expiry() == date(2026, 1, 31)


def test_recording_the_same_activity_twice_on_one_day_is_refused(cast, course):
    record_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2025, 3, 3),
        recorded_by=cast.coordinator,
    )
    with pytest.raises(ValidationError, match="already has a record"):
        record_completion(
            person=cast.officer,
            activity=course,
            completed_on=date(2025, 3, 3),
            recorded_by=cast.coordinator,
        )


def test_cohort_of_30_is_recorded_in_one_call_with_history(
    cast, course, django_assert_max_num_queries
):
    people = [PersonFactory(force=cast.norfolk) for _ in range(30)]
    with django_assert_max_num_queries(12):
        created = record_cohort(
            activity=course,
            people=people,
            completed_on=date(2025, 3, 14),
            recorded_by=cast.coordinator,
        )
    assert len(created) == 30
    records = Completion.objects.filter(activity=course, completed_on=date(2025, 3, 14))
    assert records.count() == 30
    assert set(records.values_list("status", flat=True)) == {Status.VERIFIED}
    assert set(records.values_list("verified_by", flat=True)) == {cast.coordinator.pk}
    history = Completion.history.filter(activity=course)
    assert history.count() == 30
    assert set(history.values_list("history_user", flat=True)) == {cast.coordinator.pk}


def test_cohort_leaves_alone_people_already_recorded_that_day(cast, course):
    completed(cast.officer, course, date(2025, 3, 14))
    created = record_cohort(
        activity=course,
        people=[cast.officer, cast.colleague],
        completed_on=date(2025, 3, 14),
        recorded_by=cast.coordinator,
    )
    assert [c.person for c in created] == [cast.colleague]
    assert Completion.objects.filter(person=cast.officer).count() == 1


def test_submission_needs_evidence(cast, course):
    with pytest.raises(ValidationError, match="Upload the certificate"):
        submit_completion(
            person=cast.officer,
            activity=course,
            completed_on=date(2025, 2, 10),
            submitted_by=cast.officer_user,
        )


def test_submission_is_pending_with_its_evidence_file(cast, course, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    upload = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    completion = submit_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.officer_user,
        evidence_file=upload,
    )
    assert completion.status == Status.PENDING
    assert completion.source == Source.SUBMITTED
    assert completion.verified_by is None
    assert completion.evidence_file.name.endswith(".pdf")
    assert not completion.counts


def test_verifying_emails_the_person_and_records_the_verifier(
    cast, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        completion = verify_completion(
            completion=submitted, verified_by=cast.coordinator, note="checked with the ROCU"
        )
    assert completion.status == Status.VERIFIED
    assert completion.verified_by == cast.coordinator
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["officer@norfolk.police.uk"]
    assert "has been verified" in mailoutbox[0].body
    assert "checked with the ROCU" in mailoutbox[0].body
    assert completion.history.latest().history_change_reason == "verified: checked with the ROCU"


def test_rejecting_needs_a_reason_and_emails_it(
    cast, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="reason"):
        reject_completion(completion=submitted, rejected_by=cast.coordinator, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        completion = reject_completion(
            completion=submitted,
            rejected_by=cast.coordinator,
            reason="The certificate number is not GIAC's",
        )
    assert completion.status == Status.REJECTED
    assert completion.status_reason == "The certificate number is not GIAC's"
    assert len(mailoutbox) == 1
    assert "was not verified" in mailoutbox[0].body
    assert "The certificate number is not GIAC's" in mailoutbox[0].body
    assert completion.history.latest().history_user == cast.coordinator


def test_only_pending_records_can_be_verified(cast, submitted):
    verify_completion(completion=submitted, verified_by=cast.coordinator)
    with pytest.raises(ValidationError, match="Only records waiting for verification"):
        verify_completion(completion=submitted, verified_by=cast.coordinator)
    with pytest.raises(ValidationError, match="this one is verified"):
        reject_completion(completion=submitted, rejected_by=cast.coordinator, reason="late")


def test_withdrawing_keeps_the_row_and_its_reason_in_history(cast, course):
    completion = completed(cast.officer, course, date(2024, 6, 1))
    withdraw_completion(
        completion=completion,
        withdrawn_by=cast.coordinator,
        reason="Recorded against the wrong officer",
    )
    completion.refresh_from_db()
    assert completion.status == Status.WITHDRAWN
    assert completion.status_reason == "Recorded against the wrong officer"
    latest = completion.history.latest()
    assert latest.status == Status.WITHDRAWN
    assert latest.history_user == cast.coordinator
    assert latest.history_change_reason == "withdrawn: Recorded against the wrong officer"
    # A withdrawn record no longer blocks a correct one on the same day.
    record_completion(
        person=cast.officer,
        activity=course,
        completed_on=date(2024, 6, 1),
        recorded_by=cast.coordinator,
    )


def test_correcting_changes_only_the_named_details_with_a_reason(cast, course):
    completion = completed(cast.officer, course, date(2024, 6, 1))
    correct_completion(
        completion=completion,
        corrected_by=cast.coordinator,
        reason="Date on the certificate",
        completed_on=date(2024, 6, 3),
        certificate_number="NI-77",
    )
    completion.refresh_from_db()
    assert completion.completed_on == date(2024, 6, 3)
    assert completion.certificate_number == "NI-77"
    assert completion.expiry() == date(2027, 6, 3)
    latest = completion.history.latest()
    assert latest.history_user == cast.coordinator
    assert latest.history_change_reason.startswith("corrected completed on, certificate number")
    with pytest.raises(ValidationError, match="cannot be corrected"):
        correct_completion(
            completion=completion, corrected_by=cast.coordinator, reason="x", person=cast.colleague
        )
    with pytest.raises(ValidationError, match="after the date"):
        correct_completion(
            completion=completion,
            corrected_by=cast.coordinator,
            reason="x",
            expires_on=date(2024, 1, 1),
        )


# --- four eyes (docs/four-eyes.md) ----------------------------------------------------------


@pytest.fixture
def coordinator_record(cast):
    """The Norfolk coordinator's own record on the register."""
    return PersonFactory(
        force=cast.norfolk,
        staff_number="C-77",
        first_name="Cora",
        last_name="Ord",
        user=cast.coordinator,
    )


def test_nobody_verifies_their_own_evidence(cast, course, coordinator_record):
    own = submit_completion(
        person=coordinator_record,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.coordinator,
        certificate_number="NI-1",
    )
    with pytest.raises(ValidationError, match="cannot verify your own training record"):
        verify_completion(completion=own, verified_by=cast.coordinator)
    own.refresh_from_db()
    assert own.status == Status.PENDING
    assert own.verified_by is None


def test_whoever_submitted_evidence_for_someone_cannot_verify_it(cast, course):
    claimed = submit_completion(
        person=cast.colleague,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.coordinator,
        certificate_number="NI-2",
    )
    with pytest.raises(ValidationError, match="another coordinator must verify it"):
        verify_completion(completion=claimed, verified_by=cast.coordinator)
    claimed.refresh_from_db()
    assert claimed.status == Status.PENDING


def test_a_second_coordinator_verifies_the_first_ones_evidence(cast, course, coordinator_record):
    from people.models import Role
    from tests.factories import UserFactory, granted

    second = UserFactory(email="second@norfolk.police.uk")
    granted(second, Role.COORDINATOR, force=cast.norfolk)
    own = submit_completion(
        person=coordinator_record,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.coordinator,
        certificate_number="NI-3",
    )
    done = verify_completion(completion=own, verified_by=second)
    assert done.status == Status.VERIFIED
    assert done.verified_by == second


def test_recording_a_completion_for_oneself_leaves_it_pending(cast, course, coordinator_record):
    own = record_completion(
        person=coordinator_record,
        activity=course,
        completed_on=date(2025, 3, 3),
        recorded_by=cast.coordinator,
    )
    assert own.status == Status.PENDING
    assert own.verified_by is None
    assert not own.counts
    assert own.history.get().history_change_reason == (
        "recorded for themselves: waits for a second person"
    )


def test_a_cohort_including_the_recorder_leaves_their_record_pending(
    cast, course, coordinator_record
):
    created = record_cohort(
        activity=course,
        people=[coordinator_record, cast.colleague],
        completed_on=date(2025, 3, 3),
        recorded_by=cast.coordinator,
    )
    status = {c.person_id: (c.status, c.verified_by_id) for c in created}
    assert status[coordinator_record.pk] == (Status.PENDING, None)
    assert status[cast.colleague.pk] == (Status.VERIFIED, cast.coordinator.pk)


def test_an_administrator_override_needs_a_reason_and_is_recorded(cast, course):
    from people.models import Person

    admin_record = Person.objects.create(
        force=cast.norfolk,
        staff_number="A-1",
        person_type="staff",
        first_name="Ad",
        last_name="Min",
        user=cast.admin,
    )
    own = submit_completion(
        person=admin_record,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.admin,
        certificate_number="NI-4",
    )
    with pytest.raises(ValidationError, match="cannot verify your own"):
        verify_completion(completion=own, verified_by=cast.admin)
    done = verify_completion(
        completion=own, verified_by=cast.admin, override_reason="sole assessor, board approved"
    )
    assert done.status == Status.VERIFIED
    assert done.history.latest().history_change_reason == (
        "verified by administrator override: sole assessor, board approved"
    )


def test_a_coordinators_override_reason_is_ignored(cast, course, coordinator_record):
    own = submit_completion(
        person=coordinator_record,
        activity=course,
        completed_on=date(2025, 2, 10),
        submitted_by=cast.coordinator,
        certificate_number="NI-5",
    )
    with pytest.raises(ValidationError):
        verify_completion(completion=own, verified_by=cast.coordinator, override_reason="trust me")

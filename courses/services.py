"""Writes across models for completions: recording, cohorts, submitting, verifying, rejecting,
withdrawing and correcting. Each is one atomic, attributable change (STYLE.md §1).

Scope checks (may this user act on this person) belong to callers, through
``Person.objects.coordinated_by(user)``; services check the record's own invariants and the
four-eyes rule (docs/four-eyes.md): nobody verifies their own record or evidence they
submitted, and a completion someone records for themselves waits for a second person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from courses.evidence import validate_evidence_file
from courses.models import Activity, ActivityKind, Completion, Source, Status
from people.forms import single_line
from people.models import Person

logger = logging.getLogger(__name__)

CORRECTABLE_FIELDS = ("completed_on", "expires_on", "certificate_number", "evidence_link")


def _check_activity(activity: Activity) -> None:
    if activity.kind == ActivityKind.COLLECTION:
        raise ValidationError(
            f"{activity.title} is a lab collection: record the labs it groups instead"
        )


def _check_dates(completed_on: date, expires_on: date | None) -> None:
    if completed_on > timezone.localdate():
        raise ValidationError("The date completed cannot be in the future")
    if expires_on is not None and expires_on <= completed_on:
        raise ValidationError("The expiry date must be after the date it was completed")


def _check_no_live_duplicate(
    person: Person, activity: Activity, completed_on: date, *, exclude_pk=None
) -> None:
    live = Completion.objects.filter(
        person=person, activity=activity, completed_on=completed_on
    ).exclude(status=Status.WITHDRAWN)
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    if live.exists():
        raise ValidationError(
            f"{person.full_name} already has a record of {activity.title} on "
            f"{completed_on:%d %B %Y}: correct that record instead"
        )


def is_own_record(person: Person, user) -> bool:
    """Whether ``person`` is ``user``'s own record (four eyes: they may not verify it)."""
    return user is not None and person.user_id is not None and person.user_id == user.pk


def _check_four_eyes(completion: Completion, user, override_reason: str) -> str:
    """Refuses a verification by the person themselves or by whoever submitted or recorded
    the evidence. An administrator may override with a reason, which is returned to be kept
    in history; "" when no override was needed."""
    own = is_own_record(completion.person, user)
    submitted = completion.recorded_by_id is not None and completion.recorded_by_id == user.pk
    if not (own or submitted):
        return ""
    override_reason = (override_reason or "").strip()
    if user.is_superuser and override_reason:
        return override_reason
    if own:
        raise ValidationError(
            "You cannot verify your own training record: another coordinator must check it"
        )
    raise ValidationError(
        "You submitted this evidence, so another coordinator must verify it (four eyes)"
    )


def _save(completion: Completion, *, user, reason: str) -> Completion:
    """Saves with django-simple-history attribution (works outside a request too)."""
    completion._history_user = user
    completion._change_reason = reason[:100]
    completion.full_clean(exclude=["evidence_file"])
    completion.save()
    return completion


@transaction.atomic
def record_completion(
    *,
    person: Person,
    activity: Activity,
    completed_on: date,
    recorded_by,
    expires_on: date | None = None,
    certificate_number: str = "",
    evidence_link: str = "",
    evidence_file=None,
    source: str = Source.RECORDED,
) -> Completion:
    """A completion recorded by a coordinator: verified at once, by them; one they record for
    themselves stays pending until a second person verifies it (four eyes)."""
    _check_activity(activity)
    _check_dates(completed_on, expires_on)
    _check_no_live_duplicate(person, activity, completed_on)
    if evidence_file:
        validate_evidence_file(evidence_file)
    own = is_own_record(person, recorded_by)
    now = timezone.now()
    completion = Completion(
        person=person,
        activity=activity,
        completed_on=completed_on,
        expires_on=expires_on,
        certificate_number=certificate_number or "",
        evidence_link=evidence_link or "",
        source=source,
        status=Status.PENDING if own else Status.VERIFIED,
        recorded_by=recorded_by,
        verified_by=None if own else recorded_by,
        verified_at=None if own else now,
    )
    if evidence_file:
        completion.evidence_file = evidence_file
    reason = "recorded for themselves: waits for a second person" if own else "recorded"
    return _save(completion, user=recorded_by, reason=reason)


@transaction.atomic
def record_cohort(
    *,
    activity: Activity,
    people: Iterable[Person],
    completed_on: date,
    recorded_by,
    expires_on: date | None = None,
) -> list[Completion]:
    """One course run on one date for many people, verified at once (the recorder's own record,
    if they are in the cohort, stays pending for a second person). People who already have
    a live record of the activity on that date are left alone; returns the records created."""
    _check_activity(activity)
    _check_dates(completed_on, expires_on)
    people = list({p.pk: p for p in people}.values())
    if not people:
        raise ValidationError("Select at least one person who completed it")
    already = set(
        Completion.objects.filter(
            activity=activity, completed_on=completed_on, person__in=[p.pk for p in people]
        )
        .exclude(status=Status.WITHDRAWN)
        .values_list("person_id", flat=True)
    )
    now = timezone.now()
    new = [
        Completion(
            person=person,
            activity=activity,
            completed_on=completed_on,
            expires_on=expires_on,
            source=Source.RECORDED,
            status=Status.PENDING if is_own_record(person, recorded_by) else Status.VERIFIED,
            recorded_by=recorded_by,
            verified_by=None if is_own_record(person, recorded_by) else recorded_by,
            verified_at=None if is_own_record(person, recorded_by) else now,
        )
        for person in people
        if person.pk not in already
    ]
    if not new:
        return []
    return bulk_create_with_history(
        new,
        Completion,
        batch_size=500,
        default_user=recorded_by,
        default_change_reason=f"recorded with a cohort of {len(people)}",
    )


@transaction.atomic
def submit_completion(
    *,
    person: Person,
    activity: Activity,
    completed_on: date,
    submitted_by,
    evidence_file=None,
    evidence_link: str = "",
    certificate_number: str = "",
    expires_on: date | None = None,
) -> Completion:
    """Training done elsewhere, claimed with evidence; pending until a coordinator checks it."""
    if not (evidence_file or evidence_link or certificate_number):
        raise ValidationError(
            "Upload the certificate, or give its certificate number or a link to it"
        )
    _check_activity(activity)
    _check_dates(completed_on, expires_on)
    _check_no_live_duplicate(person, activity, completed_on)
    if evidence_file:
        validate_evidence_file(evidence_file)
    completion = Completion(
        person=person,
        activity=activity,
        completed_on=completed_on,
        expires_on=expires_on,
        certificate_number=certificate_number or "",
        evidence_link=evidence_link or "",
        source=Source.SUBMITTED,
        status=Status.PENDING,
        recorded_by=submitted_by,
    )
    if evidence_file:
        completion.evidence_file = evidence_file
    return _save(completion, user=submitted_by, reason="submitted for verification")


def _lock(completion: Completion) -> Completion:
    """Re-reads the record under a row lock so two coordinators cannot decide it twice."""
    return (
        Completion.objects.select_for_update()
        .select_related("person", "activity")
        .get(pk=completion.pk)
    )


def _require_pending(completion: Completion, action: str) -> None:
    if completion.status != Status.PENDING:
        raise ValidationError(
            f"Only records waiting for verification can be {action}: this one is "
            f"{completion.get_status_display().lower()}"
        )


def _email_outcome(completion: Completion, template: str, subject: str, **context) -> None:
    """Emails the person the outcome once the change is committed (never for a rollback)."""
    recipient = completion.person.email
    if not recipient:
        return
    body = render_to_string(f"courses/email/{template}.txt", {"completion": completion, **context})

    subject = single_line(subject)  # a title with a line break must not break the header

    def send():
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])

    transaction.on_commit(send, robust=True)


@transaction.atomic
def verify_completion(
    *, completion: Completion, verified_by, note: str = "", override_reason: str = ""
) -> Completion:
    """A coordinator accepts submitted evidence; the person is emailed. Never the person
    themselves nor whoever submitted it, unless an administrator overrides with a reason."""
    completion = _lock(completion)
    _require_pending(completion, "verified")
    override = _check_four_eyes(completion, verified_by, override_reason)
    completion.status = Status.VERIFIED
    completion.verified_by = verified_by
    completion.verified_at = timezone.now()
    completion.status_reason = ""
    reason = f"verified: {note.strip()}" if note.strip() else "verified"
    if override:
        reason = f"verified by administrator override: {override}"
        logger.warning(
            "Four-eyes override: %s verified completion %s (%s)",
            verified_by,
            completion.pk,
            override,
        )
    _save(completion, user=verified_by, reason=reason)
    _email_outcome(
        completion,
        "completion_verified",
        f"Your training record has been verified: {completion.activity.title}",
        note=note.strip(),
    )
    return completion


@transaction.atomic
def reject_completion(*, completion: Completion, rejected_by, reason: str) -> Completion:
    """A coordinator refuses submitted evidence, with a reason the person is emailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for rejecting the evidence")
    completion = _lock(completion)
    _require_pending(completion, "rejected")
    completion.status = Status.REJECTED
    completion.status_reason = reason[:500]
    # Who rejected it and when is kept in history; verified_by stays for verifications only.
    _save(completion, user=rejected_by, reason=f"rejected: {reason}")
    _email_outcome(
        completion,
        "completion_rejected",
        f"Your training record was not verified: {completion.activity.title}",
        reason=reason,
    )
    return completion


@transaction.atomic
def withdraw_completion(*, completion: Completion, withdrawn_by, reason: str) -> Completion:
    """Takes a record out of every figure; the row and its reason stay in history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the record is being withdrawn")
    completion = _lock(completion)
    if completion.status == Status.WITHDRAWN:
        raise ValidationError("This record has already been withdrawn")
    completion.status = Status.WITHDRAWN
    completion.status_reason = reason[:500]
    return _save(completion, user=withdrawn_by, reason=f"withdrawn: {reason}")


@transaction.atomic
def correct_completion(
    *, completion: Completion, corrected_by, reason: str, **changes
) -> Completion:
    """Corrects completed_on, expires_on, certificate_number or evidence_link, with a reason
    kept in history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the record is being corrected")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            f"These details cannot be corrected here: {', '.join(sorted(unknown))}"
        )
    completion = _lock(completion)
    if completion.status == Status.WITHDRAWN:
        raise ValidationError("A withdrawn record cannot be corrected")
    for name in ("certificate_number", "evidence_link"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    changed = {k: v for k, v in changes.items() if getattr(completion, k) != v}
    if not changed:
        raise ValidationError("Nothing has changed: change a detail, or go back")
    for name, value in changed.items():
        setattr(completion, name, value)
    _check_dates(completion.completed_on, completion.expires_on)
    if "completed_on" in changed:
        _check_no_live_duplicate(
            completion.person,
            completion.activity,
            completion.completed_on,
            exclude_pk=completion.pk,
        )
    fields = ", ".join(name.replace("_", " ") for name in changed)
    return _save(completion, user=corrected_by, reason=f"corrected {fields}: {reason}")

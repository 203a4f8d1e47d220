"""The verification queue and the review page: coordinators verify or reject submitted
evidence of the people they coordinate."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Completion, Source, Status
from tests.factories import PersonFactory, activity, completed, posted

QUEUE = reverse("courses:verification_queue")


@pytest.fixture
def giac(db):
    return activity("GCFA", {"FORENSICS": 3}, title="GIAC forensic analyst", validity_months=48)


@pytest.fixture
def osint(db):
    return activity("OSINT-FOUND", {"OSINT": 1}, title="OSINT foundation")


# Clear of the cast's numbers and of PersonFactory's sequence, which can reach 1234.
STAFF_NUMBERS = (f"N{n}" for n in itertools.count(1))


def submitted(person, act, on, *, days_ago: int, **fields) -> Completion:
    completion = completed(
        person,
        act,
        on,
        status=Status.PENDING,
        source=Source.SUBMITTED,
        certificate_number="C-1",
        **fields,
    )
    # recorded_at is auto_now_add: set the submission time afterwards.
    Completion.objects.filter(pk=completion.pk).update(
        recorded_at=timezone.now() - timedelta(days=days_ago)
    )
    return completion


def review(completion) -> str:
    return reverse("courses:review_completion", args=[completion.pk])


def test_queue_lists_pending_records_of_people_coordinated_oldest_first(client, cast, giac, osint):
    newer = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=1)
    older = submitted(cast.colleague, osint, date(2025, 1, 5), days_ago=9)
    completed(cast.colleague, giac, date(2025, 1, 6))  # verified: not waiting
    submitted(cast.kent_person, giac, date(2025, 1, 7), days_ago=20)  # Kent: not theirs
    client.force_login(cast.coordinator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    rows = [row.record for row in response.context["table"].page.object_list]
    assert rows == [older, newer]
    page = response.content.decode()
    assert review(older) in page and review(newer) in page
    assert "Kentish" not in page


def test_queue_filters_by_person_activity_and_unit(client, cast, giac, osint):
    jane = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=1)
    sam = submitted(cast.colleague, osint, date(2025, 1, 5), days_ago=9)
    suffolk_joint = PersonFactory(
        force=cast.norfolk, staff_number=next(STAFF_NUMBERS), first_name="Jo", last_name="Joint"
    )
    posted(suffolk_joint, cast.joint_unit, start=date(2024, 1, 1))
    jo = submitted(suffolk_joint, giac, date(2025, 1, 8), days_ago=3)
    client.force_login(cast.coordinator)

    def listed(**query):
        table = client.get(QUEUE, query).context["table"]
        return [row.record for row in table.page.object_list]

    assert listed(q="jane smith") == [jane]
    assert listed(q="2345") == [sam]
    assert listed(activity=giac.pk) == [jo, jane]
    assert listed(unit=cast.joint_unit.code) == [jo]
    assert listed(unit=cast.norfolk_unit.code) == [sam, jane]


def test_queue_is_paginated(client, cast, giac):
    people = [
        PersonFactory(force=cast.norfolk, staff_number=next(STAFF_NUMBERS)) for _ in range(30)
    ]
    for n, person in enumerate(people):
        submitted(person, giac, date(2025, 1, 1), days_ago=60 - n)
    client.force_login(cast.coordinator)
    first = client.get(QUEUE).context["table"]
    assert first.paginator.count == 30
    assert len(first.page.object_list) == 25
    second = client.get(QUEUE, {"page": 2}).context["table"]
    assert [row.record.person for row in second.page.object_list] == people[25:]


def test_queue_query_count_does_not_grow_with_rows(client, cast, giac):
    client.force_login(cast.coordinator)
    for _ in range(3):
        submitted(
            PersonFactory(force=cast.norfolk, staff_number=next(STAFF_NUMBERS)),
            giac,
            date(2025, 1, 1),
            days_ago=5,
        )
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for _ in range(20):
        submitted(
            PersonFactory(force=cast.norfolk, staff_number=next(STAFF_NUMBERS)),
            giac,
            date(2025, 1, 1),
            days_ago=5,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert len(response.context["table"].page.object_list) == 23
    assert len(many) == len(few)


def test_officers_and_read_only_roles_get_403_on_the_queue(client, cast):
    for user in (cast.officer_user, cast.chief, cast.regional_lead, cast.national_lead):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403


def test_coordinator_verifies_and_the_officer_is_emailed(
    client, cast, giac, django_capture_on_commit_callbacks
):
    pending = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=2)
    client.force_login(cast.coordinator)
    assert client.get(review(pending)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review(pending), {"decision": "verify", "note": "certificate checked with GIAC"}
        )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    pending.refresh_from_db()
    assert pending.status == Status.VERIFIED
    assert pending.verified_by == cast.coordinator
    assert pending.verified_at is not None
    assert pending.history.first().history_change_reason == (
        "verified: certificate checked with GIAC"
    )
    assert [m.to for m in mail.outbox] == [["officer@norfolk.police.uk"]]


def test_rejecting_needs_a_reason(client, cast, giac):
    pending = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=2)
    client.force_login(cast.coordinator)
    response = client.post(review(pending), {"decision": "reject", "note": ""})
    assert response.status_code == 200
    assert "Give the reason for rejecting the evidence" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING

    client.post(review(pending), {"decision": "reject", "note": "certificate is for 2019"})
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert pending.status_reason == "certificate is for 2019"


def test_a_reviewed_record_cannot_be_decided_again(client, cast, giac):
    done = completed(cast.officer, giac, date(2025, 2, 1))
    client.force_login(cast.coordinator)
    response = client.post(review(done), {"decision": "reject", "note": "changed my mind"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.status == Status.VERIFIED


def test_outsider_cannot_see_or_verify_norfolk_evidence(client, cast, giac):
    pending = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=2)
    client.force_login(cast.outsider)
    assert client.get(review(pending)).status_code == 404
    assert client.post(review(pending), {"decision": "verify"}).status_code == 404
    assert client.get(QUEUE).context["table"].paginator.count == 0
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_an_officer_cannot_verify_their_own_submission(client, cast, giac):
    pending = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=2)
    client.force_login(cast.officer_user)
    assert client.get(review(pending)).status_code == 403
    assert client.post(review(pending), {"decision": "verify"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_chief_officer_can_see_but_not_verify(client, cast, giac):
    pending = submitted(cast.officer, giac, date(2025, 2, 1), days_ago=2)
    client.force_login(cast.chief)
    detail = client.get(reverse("courses:completion_detail", args=[pending.pk]))
    assert detail.status_code == 200
    assert review(pending) not in detail.content.decode()
    assert client.post(review(pending), {"decision": "verify"}).status_code == 403


def test_a_coordinator_cannot_verify_evidence_they_submitted_through_the_review_page(
    client, cast, giac
):
    """Four eyes holds in the service, whatever page calls it."""
    own = PersonFactory(force=cast.norfolk, staff_number="N-own", user=cast.coordinator)
    pending = submitted(own, giac, date(2025, 2, 1), days_ago=2, recorded_by=cast.coordinator)
    client.force_login(cast.coordinator)
    response = client.post(review(pending), {"decision": "verify", "note": "fine"})
    assert response.status_code == 200
    assert "cannot verify your own training record" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert pending.verified_by is None

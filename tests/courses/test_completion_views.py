"""The completion page, recording one completion, correcting and withdrawing it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from courses import services
from courses.models import Completion, Status
from tests.factories import activity, completed


def date_fields(name: str, day: date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def ccna(db):
    return activity("CCNA", {"NETWORK": 2}, title="Networking essentials", validity_months=1)


@pytest.fixture
def recorded(cast, ccna):
    return services.record_completion(
        person=cast.colleague,
        activity=ccna,
        completed_on=date(2025, 1, 31),
        recorded_by=cast.coordinator,
        certificate_number="NE-4412",
    )


# --- the completion page ------------------------------------------------------------------


def test_completion_page_shows_the_record_its_expiry_and_who_recorded_it(client, cast, recorded):
    client.force_login(cast.chief)
    response = client.get(reverse("courses:completion_detail", args=[recorded.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Networking essentials" in page
    assert "Sam Jones" in page
    assert reverse("people:person_detail", args=[cast.colleague.pk]) in page
    assert "31 January 2025" in page
    # One month after 31 January clamps to the last day of February.
    assert "28 February 2025 (activity validity)" in page
    assert "NE-4412" in page
    assert 'govuk-tag govuk-tag--green">Verified<' in page
    assert "coordinator@norfolk.police.uk" in page
    # The chief officer is read-only: no buttons to change it.
    assert reverse("courses:withdraw_completion", args=[recorded.pk]) not in page


def test_completion_page_history_says_who_changed_it_and_why(client, cast, recorded):
    services.correct_completion(
        completion=recorded,
        corrected_by=cast.coordinator,
        reason="date on the certificate is 30 January",
        completed_on=date(2025, 1, 30),
    )
    client.force_login(cast.coordinator)
    response = client.get(reverse("courses:completion_detail", args=[recorded.pk]))
    history = response.context["history"]
    assert [line.what for line in history] == ["Changed", "Recorded (recorded by a coordinator)"]
    assert history[0].who == cast.coordinator
    assert history[0].reason == "corrected completed on: date on the certificate is 30 January"
    assert history[0].changes == ["date completed: 2025-01-31 → 2025-01-30"]
    assert "date on the certificate is 30 January" in response.content.decode()


def test_officer_sees_their_own_completion_but_not_a_colleagues(client, cast, ccna, recorded):
    own = completed(cast.officer, ccna, date(2025, 2, 3))
    client.force_login(cast.officer_user)
    assert client.get(reverse("courses:completion_detail", args=[own.pk])).status_code == 200
    response = client.get(reverse("courses:completion_detail", args=[recorded.pk]))
    assert response.status_code == 404


def test_outsider_cannot_see_the_completion(client, cast, recorded):
    client.force_login(cast.outsider)
    response = client.get(reverse("courses:completion_detail", args=[recorded.pk]))
    assert response.status_code == 404


# --- recording one completion -----------------------------------------------------------


def test_coordinator_records_a_verified_completion_for_a_person(client, cast, ccna):
    client.force_login(cast.coordinator)
    url = reverse("courses:record_completion", args=[cast.colleague.pk])
    response = client.post(
        url,
        {
            "activity": ccna.pk,
            **date_fields("completed_on", date(2025, 1, 31)),
            "certificate_number": "NE-1",
        },
    )
    completion = Completion.objects.get(person=cast.colleague)
    assert response.status_code == 302
    assert response["Location"] == completion.get_absolute_url()
    assert completion.status == Status.VERIFIED
    assert completion.recorded_by == cast.coordinator
    assert completion.verified_by == cast.coordinator
    assert completion.expiry() == date(2025, 2, 28)
    assert completion.certificate_number == "NE-1"


def test_recording_refuses_an_expiry_before_the_completion_date(client, cast, ccna):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:record_completion", args=[cast.colleague.pk]),
        {
            "activity": ccna.pk,
            **date_fields("completed_on", date(2025, 1, 31)),
            **date_fields("expires_on", date(2025, 1, 31)),
        },
    )
    assert response.status_code == 200
    assert "The expiry date must be after the date it was completed" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Completion.objects.exists()


def test_recording_a_second_live_record_on_the_same_day_is_refused(client, cast, ccna, recorded):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:record_completion", args=[cast.colleague.pk]),
        {"activity": ccna.pk, **date_fields("completed_on", date(2025, 1, 31))},
    )
    assert response.status_code == 200
    assert "already has a record of Networking essentials" in response.content.decode()
    assert Completion.objects.count() == 1


def test_read_only_roles_cannot_record_a_completion(client, cast, ccna):
    for user in (cast.chief, cast.regional_lead, cast.national_lead):
        client.force_login(user)
        url = reverse("courses:record_completion", args=[cast.colleague.pk])
        assert client.get(url).status_code == 403
        data = {"activity": ccna.pk, **date_fields("completed_on", date(2025, 1, 31))}
        assert client.post(url, data).status_code == 403
    assert not Completion.objects.exists()


def test_outsider_cannot_record_a_completion_for_a_norfolk_person(client, cast, ccna):
    client.force_login(cast.outsider)
    url = reverse("courses:record_completion", args=[cast.colleague.pk])
    assert client.get(url).status_code == 404
    data = {"activity": ccna.pk, **date_fields("completed_on", date(2025, 1, 31))}
    assert client.post(url, data).status_code == 404
    assert not Completion.objects.exists()


# --- correcting -------------------------------------------------------------------------


def test_coordinator_corrects_a_record_with_a_reason(client, cast, recorded):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:correct_completion", args=[recorded.pk]),
        {
            **date_fields("completed_on", date(2025, 1, 31)),
            **date_fields("expires_on", date(2028, 1, 31)),
            "certificate_number": "NE-4412",
            "evidence_link": "",
            "reason": "certificate valid for three years",
        },
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.expires_on == date(2028, 1, 31)
    latest = recorded.history.first()
    assert latest.history_user == cast.coordinator
    assert latest.history_change_reason == "corrected expires on: certificate valid for three years"


def test_a_correction_needs_a_reason(client, cast, recorded):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:correct_completion", args=[recorded.pk]),
        {**date_fields("completed_on", date(2025, 1, 20)), "reason": ""},
    )
    assert response.status_code == 200
    assert "Say why the record is being corrected" in response.content.decode()
    recorded.refresh_from_db()
    assert recorded.completed_on == date(2025, 1, 31)


def test_outsider_and_read_only_roles_cannot_correct(client, cast, recorded):
    url = reverse("courses:correct_completion", args=[recorded.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.chief)
    assert client.get(url).status_code == 403


# --- withdrawing ------------------------------------------------------------------------


def test_withdrawing_needs_a_reason_and_keeps_the_row(client, cast, recorded):
    client.force_login(cast.coordinator)
    url = reverse("courses:withdraw_completion", args=[recorded.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "It is not deleted" in page.content.decode()

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Say why the record is being withdrawn" in refused.content.decode()
    recorded.refresh_from_db()
    assert recorded.status == Status.VERIFIED

    response = client.post(url, {"reason": "entered against the wrong officer"})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == Status.WITHDRAWN
    assert recorded.status_reason == "entered against the wrong officer"
    assert Completion.objects.filter(pk=recorded.pk).exists()
    assert recorded.history.first().history_change_reason == (
        "withdrawn: entered against the wrong officer"
    )
    detail = client.get(reverse("courses:completion_detail", args=[recorded.pk]))
    assert 'govuk-tag--grey">Withdrawn<' in detail.content.decode()
    assert detail.context["history"][0].what == "Withdrawn"


def test_outsider_cannot_withdraw_and_read_only_roles_are_forbidden(client, cast, recorded):
    url = reverse("courses:withdraw_completion", args=[recorded.pk])
    client.force_login(cast.outsider)
    assert client.post(url, {"reason": "no"}).status_code == 404
    client.force_login(cast.regional_lead)
    assert client.post(url, {"reason": "no"}).status_code == 403
    client.force_login(cast.officer_user)
    assert client.post(url, {"reason": "no"}).status_code == 404
    recorded.refresh_from_db()
    assert recorded.status == Status.VERIFIED


def test_activities_are_listed_alphabetically_whatever_their_case(client, cast):
    from tests.factories import activity as make_activity

    make_activity("CISSP", title="CISSP")
    make_activity("CAPTURE", title="Capturing digital evidence")
    make_activity("BASICS", title="basics of cyber crime")
    client.force_login(cast.coordinator)
    rows = client.get(reverse("courses:activity_list")).context["table"].rows
    titles = [row.record.title for row in rows]
    assert titles == sorted(titles, key=str.lower)
    assert titles.index("Capturing digital evidence") < titles.index("CISSP")


@pytest.mark.parametrize("name", ["courses:record_completion", "courses:submit_completion"])
def test_a_completion_dated_before_1990_is_refused_in_words(client, cast, ccna, name):
    """Issue 15 point 4: 1 January 1899 was once recorded and verified."""
    client.force_login(cast.coordinator)
    url = (
        reverse(name, args=[cast.colleague.pk])
        if name == "courses:record_completion"
        else reverse(name)
    )
    response = client.post(
        url,
        {
            "person": cast.colleague.pk,
            "activity": ccna.pk,
            **date_fields("completed_on", date(1899, 1, 1)),
            "certificate_number": "NE-1",
        },
    )
    assert response.status_code == 200
    assert (
        "The date it was completed must be on or after 1 January 1990" in response.content.decode()
    )
    assert not Completion.objects.exists()


def test_recording_what_is_already_pending_asks_first(client, cast, ccna):
    """Issue 15 point 4: a check-your-answers page before a second record of a pending one."""
    pending = completed(cast.colleague, ccna, date(2025, 1, 10), status=Status.PENDING)
    client.force_login(cast.coordinator)
    url = reverse("courses:record_completion", args=[cast.colleague.pk])
    fields = {"activity": ccna.pk, **date_fields("completed_on", date(2025, 1, 31))}

    response = client.post(url, fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sam Jones already has Networking essentials waiting for verification" in page
    assert reverse("courses:completion_detail", args=[pending.pk]) in page
    assert "31 January 2025" in page
    assert Completion.objects.count() == 1

    response = client.post(url, {**fields, "confirmed": "yes"})
    assert response.status_code == 302
    assert Completion.objects.filter(status=Status.VERIFIED).count() == 1

"""Forms for recording training answer impossible or part-filled input with a message the
coordinator can act on, never a server error."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from courses.models import Completion, Status
from tests.factories import activity, completed

COHORT = reverse("courses:record_cohort")


@pytest.fixture
def course(db):
    return activity("OSINT-FOUND", {"OSINT": 1}, title="OSINT foundation", validity_months=36)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "3", "", "Enter the day, month and year of the date it was completed"),
        ("", "", "2025", "Enter the day, month and year of the date it was completed"),
        ("31", "2", "2025", "The date it was completed must be a real date"),
        ("32", "13", "2025", "The date it was completed must be a real date"),
        ("0", "0", "0", "The year of the date it was completed must have 4 numbers"),
        ("1", "1", "99999999999999999999", "must have 4 numbers"),
    ],
)
def test_a_part_filled_or_impossible_date_is_refused_in_words(
    client, cast, course, day, month, year, message
):
    client.force_login(cast.coordinator)
    response = client.post(
        COHORT,
        {
            "activity": course.pk,
            "completed_on_0": day,
            "completed_on_1": month,
            "completed_on_2": year,
            "people": [cast.officer.pk],
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Completion.objects.exists()


def test_a_blank_expiry_year_is_refused_not_taken_as_no_expiry(client, cast, course):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("courses:record_completion", args=[cast.officer.pk]),
        {
            "activity": course.pk,
            **{"completed_on_0": "14", "completed_on_1": "3", "completed_on_2": "2025"},
            **{"expires_on_0": "14", "expires_on_1": "3", "expires_on_2": ""},
        },
    )
    assert response.status_code == 200
    assert "Enter the day, month and year of the expiry date" in response.content.decode()
    assert not Completion.objects.exists()


def test_a_person_number_too_big_for_the_database_is_refused(client, cast, course):
    client.force_login(cast.coordinator)
    response = client.post(
        COHORT,
        {
            "activity": course.pk,
            **{"completed_on_0": "14", "completed_on_1": "3", "completed_on_2": "2025"},
            "people": ["99999999999999999999999"],
        },
    )
    assert response.status_code == 200
    assert "Select people from the list" in response.content.decode()
    assert not Completion.objects.exists()


SILLY = ["", " ", "abc", "-1", "0", "1.5", "99999999999999999999999", "<script>", "x" * 2000]
FIELDS = (
    "activity",
    "person",
    "people",
    "kind",
    "decision",
    "note",
    "reason",
    "certificate_number",
    "evidence_link",
    "completed_on_0",
    "completed_on_1",
    "completed_on_2",
    "expires_on_0",
    "expires_on_1",
    "expires_on_2",
)


def test_every_recording_form_answers_silly_input_without_a_server_error(client, cast, course):
    """Nonsense in every field gets a page back; a server error would raise here."""
    pending = completed(cast.officer, course, date(2025, 1, 10), status=Status.PENDING)
    forms = [
        reverse("courses:record_cohort"),
        reverse("courses:record_completion", args=[cast.colleague.pk]),
        reverse("courses:submit_completion"),
        reverse("courses:correct_completion", args=[pending.pk]),
        reverse("courses:review_completion", args=[pending.pk]),
        reverse("courses:import_upload"),
        # Last: a silly but non-empty reason does withdraw the record.
        reverse("courses:withdraw_completion", args=[pending.pk]),
    ]
    client.force_login(cast.coordinator)
    for url in forms:
        for value in SILLY:
            response = client.post(url, dict.fromkeys(FIELDS, value))
            assert response.status_code < 500, (url, value)
            response = client.get(url, {"unit": value, "activity": value, "person": value})
            assert response.status_code < 500, (url, value)
    assert Completion.objects.count() == 1

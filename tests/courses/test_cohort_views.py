"""Recording a cohort: one course run on one date, many people, one submission."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Completion, Status
from tests.factories import PersonFactory, activity, completed, posted

URL = reverse("courses:record_cohort")


# Clear of the cast's numbers and of PersonFactory's sequence, which can reach 1234.
STAFF_NUMBERS = (f"N{n}" for n in itertools.count(1))


def date_fields(name: str, day: date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def course(db):
    return activity("OSINT-FOUND", {"OSINT": 1}, title="OSINT foundation", validity_months=36)


def norfolk_people(cast, count: int, unit=None):
    people = [
        PersonFactory(
            force=cast.norfolk, staff_number=next(STAFF_NUMBERS), last_name=f"Cohort{n:02d}"
        )
        for n in range(count)
    ]
    for person in people:
        posted(person, unit or cast.norfolk_unit, start=date(2024, 6, 1))
    return people


def test_a_cohort_of_thirty_is_recorded_in_one_submission(client, cast, course):
    people = norfolk_people(cast, 30)
    client.force_login(cast.coordinator)
    response = client.post(
        URL,
        {
            "activity": course.pk,
            **date_fields("completed_on", date(2025, 3, 14)),
            "people": [p.pk for p in people],
        },
    )
    assert response.status_code == 200
    assert len(response.context["recorded"]) == 30
    assert response.context["had_it"] == []
    records = Completion.objects.filter(activity=course, completed_on=date(2025, 3, 14))
    assert records.count() == 30
    assert set(records.values_list("status", flat=True)) == {Status.VERIFIED}
    assert set(records.values_list("recorded_by", flat=True)) == {cast.coordinator.pk}
    page = response.content.decode()
    assert "30 completions of OSINT foundation on 14 March 2025" in page
    assert "Cohort00" in page and "Cohort29" in page


def test_confirmation_lists_who_already_had_it(client, cast, course):
    people = norfolk_people(cast, 3)
    completed(people[0], course, date(2025, 3, 14))
    client.force_login(cast.coordinator)
    response = client.post(
        URL,
        {
            "activity": course.pk,
            **date_fields("completed_on", date(2025, 3, 14)),
            "people": [p.pk for p in people],
        },
    )
    assert response.context["recorded"] == people[1:]
    assert response.context["had_it"] == [people[0]]
    assert Completion.objects.filter(activity=course).count() == 3
    assert "Already had it on that date (1)" in response.content.decode()


def test_an_expiry_given_for_the_cohort_applies_to_everyone(client, cast, course):
    people = norfolk_people(cast, 2)
    client.force_login(cast.coordinator)
    client.post(
        URL,
        {
            "activity": course.pk,
            **date_fields("completed_on", date(2025, 3, 14)),
            **date_fields("expires_on", date(2026, 3, 14)),
            "people": [p.pk for p in people],
        },
    )
    assert set(Completion.objects.values_list("expires_on", flat=True)) == {date(2026, 3, 14)}


def test_no_one_selected_is_an_error(client, cast, course):
    client.force_login(cast.coordinator)
    response = client.post(
        URL, {"activity": course.pk, **date_fields("completed_on", date(2025, 3, 14))}
    )
    assert response.status_code == 200
    assert "Select at least one person who completed it" in response.content.decode()
    assert not Completion.objects.exists()


def test_the_unit_filter_lists_only_people_in_that_unit(client, cast, course):
    joint = norfolk_people(cast, 2, unit=cast.joint_unit)
    client.force_login(cast.coordinator)
    response = client.get(URL, {"unit": cast.joint_unit.code})
    listed = list(response.context["form"].fields["people"].queryset)
    assert listed == sorted(joint, key=lambda p: p.last_name)
    everyone = client.get(URL).context["form"].fields["people"].queryset
    assert set(everyone) == {cast.officer, cast.colleague, *joint}


def test_outsider_neither_sees_nor_records_norfolk_people(client, cast, course):
    client.force_login(cast.outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["people"].queryset) == [cast.kent_person]
    assert "Sam Jones" not in response.content.decode()
    response = client.post(
        URL,
        {
            "activity": course.pk,
            **date_fields("completed_on", date(2025, 3, 14)),
            "people": [cast.colleague.pk],
        },
    )
    assert response.status_code == 200
    assert "not one of the available choices" in response.content.decode()
    assert not Completion.objects.exists()


def test_outsider_cannot_open_a_cohort_members_record(client, cast, course):
    record = completed(cast.colleague, course, date(2025, 3, 14))
    client.force_login(cast.outsider)
    response = client.get(reverse("courses:completion_detail", args=[record.pk]))
    assert response.status_code == 404


def test_officers_and_read_only_roles_cannot_record_a_cohort(client, cast, course):
    for user in (cast.officer_user, cast.chief, cast.regional_lead):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        response = client.post(
            URL,
            {
                "activity": course.pk,
                **date_fields("completed_on", date(2025, 3, 14)),
                "people": [cast.colleague.pk],
            },
        )
        assert response.status_code == 403
    assert not Completion.objects.exists()


def test_cohort_form_query_count_does_not_grow_with_people(client, cast, course):
    client.force_login(cast.coordinator)
    norfolk_people(cast, 5)
    client.get(URL)  # warm the session and the grant cache
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    norfolk_people(cast, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.content.decode().count('name="people"') == 47
    assert len(many) == len(few)


def test_select_everyone_ticks_the_whole_list_and_keeps_the_activity(client, cast, course):
    joint = norfolk_people(cast, 3, unit=cast.joint_unit)
    client.force_login(cast.coordinator)
    response = client.get(
        URL, {"unit": cast.joint_unit.code, "activity": course.code, "select": "all"}
    )
    form = response.context["form"]
    assert list(form.initial["people"]) == joint
    assert form.initial["activity"] == course
    assert response.content.decode().count('checked="checked"') == 3


def test_select_everyone_keeps_the_activity_and_dates_already_typed(client, cast, course):
    """Issue 15 point 1: selecting is a submit of the form itself, so nothing typed is lost and
    nothing is recorded yet."""
    joint = norfolk_people(cast, 3, unit=cast.joint_unit)
    client.force_login(cast.coordinator)
    response = client.post(
        f"{URL}?unit={cast.joint_unit.code}",
        {
            "activity": course.pk,
            **date_fields("completed_on", date(2025, 3, 14)),
            "select": "all",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" not in html
    assert html.count('checked="checked"') == 3
    assert f'<option value="{course.pk}" selected>' in html
    assert 'name="completed_on_0" value="14"' in html
    assert 'name="completed_on_2" value="2025"' in html
    assert not Completion.objects.filter(activity=course).exists()

    response = client.post(
        f"{URL}?unit={cast.joint_unit.code}",
        {"activity": course.pk, "people": [p.pk for p in joint], "select": "none"},
    )
    assert response.content.decode().count('checked="checked"') == 0

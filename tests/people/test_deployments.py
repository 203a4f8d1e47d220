"""The deployment log (people.deployments.views.py): who sees which deployments, recording by a
coordinator (confirmed at once) or by the person (unconfirmed), confirming with history kept,
filters, and form errors shown as a GOV.UK error summary."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Deployment, PersonType
from tests.factories import CapabilityFactory, PersonFactory, UnitFactory, posted

LIST = reverse("deployments:list")
RECORD = reverse("deployments:record")


def deployment(who, on=date(2025, 3, 1), hours="4", **fields):
    return Deployment.objects.create(
        person=who, deployed_on=on, hours=Decimal(hours), task=fields.pop("task", "OSINT"), **fields
    )


def form_data(person, *, day=date(2025, 3, 1), hours="7.5", unit=None, capabilities=()):
    data = {
        "person": person.pk,
        "deployed_on_0": day.day,
        "deployed_on_1": day.month,
        "deployed_on_2": day.year,
        "hours": hours,
        "task": "OSINT support to a fraud investigation",
        "capabilities": [c.pk for c in capabilities],
    }
    if unit is not None:
        data["unit"] = unit.pk
    return data


@pytest.fixture
def special(cast):
    who = PersonFactory(
        force=cast.norfolk, first_name="Sam", last_name="Special", person_type=PersonType.SPECIAL
    )
    posted(who, cast.norfolk_unit, start=date(2024, 1, 1))
    return who


def test_coordinator_sees_their_forces_deployments_not_kents(cast, client, special):
    deployment(special, task="Norfolk task")
    deployment(cast.kent_person, task="Kent task")
    client.force_login(cast.coordinator)

    page = client.get(LIST).content.decode()

    assert "Norfolk task" in page
    assert "Kent task" not in page


def test_officer_sees_only_their_own_deployments(cast, client, special):
    deployment(cast.officer, task="My own task")
    deployment(special, task="Someone else's task")
    client.force_login(cast.officer_user)

    page = client.get(LIST).content.decode()

    assert "My own task" in page
    assert "Someone else&#x27;s task" not in page


def test_log_is_newest_first_and_totals_the_hours(cast, client, special):
    deployment(special, on=date(2025, 1, 5), task="older task", hours="2")
    deployment(special, on=date(2025, 3, 5), task="newer task", hours="3.5")
    client.force_login(cast.coordinator)

    page = client.get(LIST).content.decode()

    assert page.index("newer task") < page.index("older task")
    assert "2 deployments, 5.5 hours in all" in page


def test_log_filters_by_month_unit_person_and_confirmation(cast, client, special):
    other_unit = UnitFactory(code="NOR-DFU", region=cast.eastern, forces=[cast.norfolk])
    posted(special, other_unit, start=date(2024, 1, 1))
    deployment(special, on=date(2025, 2, 3), task="february task", unit=cast.norfolk_unit)
    deployment(
        special, on=date(2025, 3, 3), task="march task", unit=other_unit, confirmed_by=cast.admin
    )
    deployment(cast.colleague, on=date(2025, 3, 4), task="colleague task")
    client.force_login(cast.coordinator)

    def tasks(query):
        page = client.get(LIST, query).content.decode()
        return [t for t in ("february task", "march task", "colleague task") if t in page]

    assert tasks({"month": "2025-03"}) == ["march task", "colleague task"]
    assert tasks({"unit": cast.norfolk_unit.pk}) == ["february task"]
    assert tasks({"person": "Sam Special"}) == ["february task", "march task"]
    assert tasks({"confirmed": "yes"}) == ["march task"]
    assert tasks({"confirmed": "no"}) == ["february task", "colleague task"]


def test_a_bad_month_shows_an_error_not_a_500(cast, client):
    client.force_login(cast.coordinator)

    response = client.get(LIST, {"month": "March"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Enter the month as year and month" in response.content.decode()


def test_the_month_is_typed_in_month_and_year_boxes(cast, client, special):
    """Issue 15 point 7: the GOV.UK date input (month and year) gives what ?month= gives."""
    client.force_login(cast.coordinator)
    for day, task in [(date(2025, 3, 5), "march task"), (date(2025, 4, 5), "april task")]:
        deployment(special, on=day, task=task, recorded_by=cast.coordinator)

    boxes = client.get(LIST, {"month_0": "3", "month_1": "2025"})
    address = client.get(LIST, {"month": "2025-03"})
    wrong = client.get(LIST, {"month_0": "13", "month_1": "2025"})

    page = boxes.content.decode()
    assert 'id="id_month_0"' in page and 'id="id_month_1"' in page
    assert "govuk-date-input" in page
    assert [d.task for d in boxes.context["table"].data] == ["march task"]
    assert [d.task for d in address.context["table"].data] == ["march task"]
    assert "Enter the month as a number from 1 to 12" in wrong.content.decode()


def test_coordinator_records_a_deployment_confirmed_at_once(cast, client, special):
    osint = CapabilityFactory(code="OSINT", name="Open-source intelligence")
    client.force_login(cast.coordinator)

    response = client.post(RECORD, form_data(special, unit=cast.norfolk_unit, capabilities=[osint]))

    made = Deployment.objects.get()
    assert response.status_code == 302
    assert (made.person, made.hours, made.unit) == (special, Decimal("7.5"), cast.norfolk_unit)
    assert list(made.capabilities.all()) == [osint]
    assert made.recorded_by == cast.coordinator
    assert made.confirmed_by == cast.coordinator
    assert made.history.get().history_change_reason.startswith("recorded and confirmed by")


def test_officer_records_their_own_deployment_unconfirmed(cast, client):
    client.force_login(cast.officer_user)

    page = client.get(RECORD).content.decode()
    response = client.post(RECORD, form_data(cast.officer))

    assert "Jane Smith" in page
    made = Deployment.objects.get()
    assert response.status_code == 302
    assert made.person == cast.officer
    assert made.confirmed_by is None
    assert made.recorded_by == cast.officer_user


def test_officer_cannot_record_for_someone_else(cast, client, special):
    client.force_login(cast.officer_user)

    response = client.post(RECORD, form_data(special))

    assert response.status_code == 200
    assert not Deployment.objects.exists()
    assert "govuk-error-summary" in response.content.decode()


def test_kent_coordinator_cannot_record_for_a_norfolk_person(cast, client, special):
    client.force_login(cast.outsider)

    response = client.post(RECORD, form_data(special))

    assert response.status_code == 200
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": "0"}, "Hours must be at least 0.25"),
        ({"hours": "25"}, "Hours must be 24 or fewer"),
        ({"hours": "lots"}, "Enter the hours as a number"),
        ({"task": ""}, "Enter the task"),
        ({"deployed_on_0": "", "deployed_on_1": "", "deployed_on_2": ""}, "Enter the date"),
        ({"deployed_on_1": "13"}, ""),
    ],
)
def test_invalid_deployments_show_an_error_summary(cast, client, special, change, message):
    client.force_login(cast.coordinator)

    response = client.post(RECORD, {**form_data(special), **change})

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert not Deployment.objects.exists()


def test_a_deployment_in_the_future_is_refused(cast, client, special):
    client.force_login(cast.coordinator)

    response = client.post(RECORD, form_data(special, day=timezone.localdate() + timedelta(days=1)))

    assert "must be today or in the past" in response.content.decode()
    assert not Deployment.objects.exists()


def test_the_unit_must_be_one_the_person_was_posted_to_that_day(cast, client, special):
    client.force_login(cast.coordinator)

    response = client.post(RECORD, form_data(special, unit=cast.joint_unit))

    assert "Sam Special was not posted to NSJ-CCU on 1 March 2025" in response.content.decode()
    assert not Deployment.objects.exists()


def test_coordinator_confirms_a_deployment_and_history_says_who(cast, client):
    made = deployment(cast.officer, recorded_by=cast.officer_user)
    client.force_login(cast.coordinator)

    response = client.post(reverse("deployments:confirm", args=[made.pk]))

    made.refresh_from_db()
    assert response.status_code == 302
    assert made.confirmed_by == cast.coordinator
    latest = made.history.order_by("-history_date").first()
    assert latest.history_change_reason == f"confirmed by {cast.coordinator}"
    assert latest.history_user == cast.coordinator
    page = client.get(reverse("deployments:detail", args=[made.pk])).content.decode()
    assert f"confirmed by {cast.coordinator}" in page


def test_confirming_twice_keeps_the_first_confirmation(cast, client):
    made = deployment(cast.officer, confirmed_by=cast.admin)
    client.force_login(cast.coordinator)

    client.post(reverse("deployments:confirm", args=[made.pk]))

    made.refresh_from_db()
    assert made.confirmed_by == cast.admin


def test_nobody_confirms_their_own_deployment(cast, client):
    made = deployment(cast.officer)
    client.force_login(cast.officer_user)

    response = client.post(reverse("deployments:confirm", args=[made.pk]))

    made.refresh_from_db()
    assert response.status_code == 403
    assert made.confirmed_by is None


def test_the_confirm_service_itself_refuses_the_person_and_non_coordinators(cast):
    """Four eyes is a rule of the service, not only of the page."""
    from django.core.exceptions import PermissionDenied

    from people.deployments.views import confirm_deployment
    from people.models import Role
    from tests.factories import granted

    granted(cast.officer_user, Role.COORDINATOR, force=cast.norfolk)
    made = deployment(cast.officer)
    for user in (cast.officer_user, cast.chief, cast.outsider):
        with pytest.raises(PermissionDenied):
            confirm_deployment(deployment=made, by=user)
    made.refresh_from_db()
    assert made.confirmed_by is None
    assert confirm_deployment(deployment=made, by=cast.coordinator) is True


def test_outsider_gets_404_for_a_norfolk_deployment(cast, client):
    made = deployment(cast.officer)
    client.force_login(cast.outsider)

    assert client.get(reverse("deployments:detail", args=[made.pk])).status_code == 404
    assert client.post(reverse("deployments:confirm", args=[made.pk])).status_code == 404


def test_coordinator_records_for_specials_and_volunteers_only(cast, client):
    client.force_login(cast.coordinator)

    response = client.post(RECORD, form_data(cast.colleague))

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Deployment.objects.exists()


def test_log_filtered_to_a_unit_links_to_its_evaluation(cast, client):
    client.force_login(cast.chief)

    page = client.get(LIST, {"unit": cast.norfolk_unit.pk}).content.decode()

    assert reverse("evaluation:unit", args=["NOR-CCU"]) in page


def test_log_query_count_does_not_grow_with_deployments(
    cast, client, special, django_assert_max_num_queries
):
    osint = CapabilityFactory(code="OSINT", name="Open-source intelligence")
    for i in range(30):
        made = deployment(special, on=date(2025, 1, 1) + timedelta(days=i), confirmed_by=cast.admin)
        made.capabilities.set([osint])
    client.force_login(cast.coordinator)

    with django_assert_max_num_queries(14):
        response = client.get(LIST)

    assert response.status_code == 200

"""Every date a person types in the skills pages is the GOV.UK date input (day, month and
year boxes), refusing an impossible date with a message (issue 15, point 7). GET filters
still take ``?as_of=YYYY-MM-DD`` in the address."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from skills.models.actions import ActionStatus
from tests.skills.test_actions import afi1, norfolk_action, norfolk_plan  # noqa: F401
from tests.skills.test_overview_views import landscape  # noqa: F401
from tests.skills.test_report_views import reported, reported_unit  # noqa: F401

OVERVIEW = reverse("coverage:overview")


def boxes(name: str, day: date | tuple) -> dict[str, str]:
    d, m, y = (day.day, day.month, day.year) if isinstance(day, date) else day
    return {f"{name}_0": str(d), f"{name}_1": str(m), f"{name}_2": str(y)}


def has_boxes(page: str, field_id: str) -> bool:
    return all(f'id="{field_id}_{i}"' in page for i in range(3)) and "govuk-date-input" in page


# --- actions (POST forms) -------------------------------------------------------------------


def test_action_update_date_is_day_month_year_and_refuses_30_february(
    cast,
    client,
    norfolk_action,  # noqa: F811
):
    client.force_login(cast.chief)
    url = reverse("actions:action_detail", args=[norfolk_action.pk])
    page = client.get(url).content.decode()
    assert has_boxes(page, "id_update-on")
    assert "31/03/2025" not in page

    response = client.post(
        url,
        {
            "form": "update",
            **boxes("update-on", (30, 2, 2025)),
            "update-status": "in_progress",
            "update-text": "Started",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The date of the update must be a real date, for example 27 3 2025" in page
    assert 'href="#id_update-on_0"' in page or 'href="#id_update-on"' in page
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.OPEN

    response = client.post(
        url,
        {
            "form": "update",
            **boxes("update-on", date(2025, 3, 20)),
            "update-status": "in_progress",
            "update-text": "Started",
        },
    )
    assert response.status_code == 302
    assert norfolk_action.updates.get().on == date(2025, 3, 20)


def test_action_due_date_is_day_month_year(cast, client, norfolk_plan):  # noqa: F811
    client.force_login(cast.chief)
    url = reverse("actions:plan_detail", args=[norfolk_plan.pk])
    assert has_boxes(client.get(url).content.decode(), "id_due_on")

    response = client.post(
        url, {"reference": "9", "title": "Train two", **boxes("due_on", (31, 4, 2025))}
    )
    assert response.status_code == 400
    assert "The due date must be a real date" in response.content.decode()

    response = client.post(url, {"reference": "9", "title": "Train two", "due_on_0": "31"})
    assert response.status_code == 400
    assert "Enter the day, month and year of the due date" in response.content.decode()

    response = client.post(
        url, {"reference": "9", "title": "Train two", **boxes("due_on", date(2025, 6, 30))}
    )
    assert response.status_code == 302
    assert norfolk_plan.actions.get(reference="9").due_on == date(2025, 6, 30)


def test_evidence_as_of_is_day_month_year(cast, client, norfolk_action):  # noqa: F811
    client.force_login(cast.chief)
    url = reverse("actions:action_detail", args=[norfolk_action.pk])
    assert has_boxes(client.get(url).content.decode(), "id_evidence-as_of")

    response = client.post(
        url,
        {
            "form": "evidence",
            "evidence-kind": "report",
            "evidence-unit_code": "NOR-CCU",
            **boxes("evidence-as_of", (31, 2, 2025)),
        },
    )
    assert response.status_code == 400
    assert "The date of the figures must be a real date" in response.content.decode()


# --- GET filters: boxes, and ?as_of=YYYY-MM-DD in the address still works -----------------


def test_overview_as_of_is_boxes_and_the_iso_address_fills_them(
    cast,
    landscape,  # noqa: F811
    client,
):
    client.force_login(cast.chief)

    response = client.get(OVERVIEW, {"as_of": "2025-03-31"})
    page = response.content.decode()
    assert response.status_code == 200
    assert has_boxes(page, "id_as_of")
    assert 'name="as_of_0" value="31"' in page
    assert 'name="as_of_2" value="2025"' in page
    by_address = response.context["overview"].as_of

    response = client.get(OVERVIEW, boxes("as_of", date(2025, 3, 31)))
    assert response.status_code == 200
    assert by_address == response.context["overview"].as_of == date(2025, 3, 31)

    response = client.get(OVERVIEW, boxes("as_of", (29, 2, 2025)))
    assert response.status_code == 200
    assert "The date of the figures must be a real date" in response.content.decode()


def test_report_dates_are_boxes_and_the_iso_address_fills_them(client, cast, reported):  # noqa: F811
    client.force_login(cast.chief)
    url = reverse("skills:unit_report", args=[reported.unit.code])

    by_address = client.get(f"{url}?as_of=2025-03-31")
    page = by_address.content.decode()
    assert by_address.status_code == 200
    for name in ("id_as_of", "id_fund_ends", "id_cohort_on"):
        assert has_boxes(page, name), name
    assert 'name="as_of_1" value="3"' in page

    by_boxes = client.get(url, boxes("as_of", date(2025, 3, 31)))
    assert by_boxes.status_code == 200
    assert by_boxes.context["summary"] == by_address.context["summary"]

    response = client.get(
        url, {**boxes("as_of", date(2025, 3, 31)), **boxes("cohort_on", (31, 9, 2025))}
    )
    assert response.status_code == 400
    assert "The cohort&#x27;s completion date must be a real date" in response.content.decode()

"""Units list and unit page: scoped, counted in the database, linking only visible people."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from people.models import Fund
from tests.factories import PersonFactory, UnitFactory, posted


def _people_today(response) -> dict[str, int]:
    return {u.code: u.people_today for u in response.context["table"].data}


def test_coordinator_lists_norfolk_units_with_people_today(client, cast):
    today = timezone.localdate()
    posted(cast.colleague, cast.joint_unit, start=today - timedelta(days=10))
    # Ended yesterday, and a fund that ran out yesterday: neither is counted today.
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), end=today - timedelta(days=1))
    spent = Fund.objects.create(code="spent", name="Spent fund", ends_on=today - timedelta(days=1))
    leaver = PersonFactory(force=cast.suffolk)
    posted(leaver, cast.joint_unit, start=date(2024, 1, 1), fund=spent)
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_list"))
    assert _people_today(response) == {"NSJ-CCU": 1, "NOR-CCU": 2}


def test_officer_lists_only_units_they_are_posted_to(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:unit_list"))
    assert _people_today(response) == {"NOR-CCU": 2}


def test_outsider_lists_only_kent_units(client, cast):
    client.force_login(cast.outsider)
    response = client.get(reverse("people:unit_list"))
    assert _people_today(response) == {"KEN-CCU": 1}


def test_outsider_gets_404_on_norfolk_units(client, cast):
    client.force_login(cast.outsider)
    for unit in (cast.norfolk_unit, cast.joint_unit):
        response = client.get(reverse("people:unit_detail", args=[unit.code]))
        assert response.status_code == 404


def test_unit_list_query_count_does_not_grow_with_units_or_people(
    client, cast, django_assert_max_num_queries
):
    for n in range(20):
        unit = UnitFactory(code=f"EXTRA-{n}", region=cast.eastern, forces=[cast.norfolk])
        for _ in range(3):
            posted(PersonFactory(force=cast.norfolk), unit, start=date(2024, 1, 1))
    client.force_login(cast.coordinator)
    # 11: one of them reads the directories' origins, kept for a minute after (the CSP).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("people:unit_list"))
    assert _people_today(response)["EXTRA-7"] == 3


def test_unit_page_lists_people_in_it_today_and_in_units_inside_it(client, cast):
    team = UnitFactory(
        code="NOR-TEAM", name="Norfolk team", region=cast.eastern, forces=[cast.norfolk]
    )
    team.parent = cast.norfolk_unit
    team.save()
    newcomer = PersonFactory(force=cast.norfolk, first_name="Nia", last_name="New")
    posted(newcomer, team, start=date(2024, 5, 1))
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_detail", args=["NOR-CCU"]))
    names = [p.person.full_name for p in response.context["table"].data]
    assert names == ["Sam Jones", "Nia New", "Jane Smith"]
    assert list(response.context["sub_units"]) == [team]


def test_officer_sees_their_own_line_of_the_unit_and_no_colleague(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:unit_detail", args=["NOR-CCU"]))
    html = response.content.decode()
    assert f'href="{cast.officer.get_absolute_url()}"' in html
    assert "Sam Jones" not in html
    assert [p.person for p in response.context["table"].data] == [cast.officer]
    # The headcount says how many of the two she can see (issue 15: "2" above a list of one).
    assert (
        "People in the unit today",
        "2 (you can see 1 of them; the others' records are not shown to you)",
    ) in response.context["summary_rows"]


def test_coordinator_sees_the_plain_headcount_of_people_they_can_all_see(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_detail", args=["NOR-CCU"]))
    assert ("People in the unit today", "2") in response.context["summary_rows"]
    assert len(response.context["table"].data) == 2


def test_officer_gets_404_on_a_unit_they_are_not_posted_to(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:unit_detail", args=[cast.joint_unit.code]))
    assert response.status_code == 404

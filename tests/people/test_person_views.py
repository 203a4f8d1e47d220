"""People list and person page: scoped, searchable, bounded queries."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from courses.models import Status
from people.models import PersonType
from tests.factories import PersonFactory, activity, completed, posted


def test_officer_opens_their_own_page(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:person_detail", args=[cast.officer.pk]))
    assert response.status_code == 200
    assert b"Jane Smith" in response.content


def test_officer_gets_404_on_a_colleagues_page(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:person_detail", args=[cast.colleague.pk]))
    assert response.status_code == 404


def test_officer_may_not_list_people(client, cast):
    client.force_login(cast.officer_user)
    assert client.get(reverse("people:person_list")).status_code == 403


def test_outsider_gets_404_on_norfolk_people(client, cast):
    client.force_login(cast.outsider)
    for person in (cast.officer, cast.colleague):
        response = client.get(reverse("people:person_detail", args=[person.pk]))
        assert response.status_code == 404


def test_outsider_lists_only_kent_people(client, cast):
    client.force_login(cast.outsider)
    response = client.get(reverse("people:person_list"))
    names = [p.full_name for p in response.context["table"].data]
    assert names == ["Kim Kentish"]


def test_coordinator_lists_their_force_in_name_order(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"))
    names = [p.full_name for p in response.context["table"].data]
    assert names == ["Sam Jones", "Jane Smith"]


def test_coordinator_searches_by_name(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"), {"q": "jane smith"})
    names = [p.full_name for p in response.context["table"].data]
    assert names == ["Jane Smith"]


def test_coordinator_searches_by_staff_number(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"), {"q": "2345"})
    names = [p.full_name for p in response.context["table"].data]
    assert names == ["Sam Jones"]


def test_search_never_reaches_outside_the_scope(client, cast):
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"), {"q": "Kentish"})
    assert list(response.context["table"].data) == []
    assert b"No people match your search." in response.content


def test_filter_by_type_and_unit_posted_to_today(client, cast):
    special = PersonFactory(
        force=cast.norfolk, person_type=PersonType.SPECIAL, first_name="Sid", last_name="Special"
    )
    posted(special, cast.joint_unit, start=date(2024, 6, 1))
    # Left the joint unit: not "posted to today".
    leaver = PersonFactory(
        force=cast.norfolk, person_type=PersonType.SPECIAL, first_name="Lee", last_name="Leaver"
    )
    posted(leaver, cast.joint_unit, start=date(2023, 1, 1), end=date(2024, 1, 31))
    client.force_login(cast.coordinator)

    by_type = client.get(reverse("people:person_list"), {"person_type": "special"})
    assert [p.full_name for p in by_type.context["table"].data] == ["Lee Leaver", "Sid Special"]

    by_unit = client.get(reverse("people:person_list"), {"unit": cast.joint_unit.pk})
    assert [p.full_name for p in by_unit.context["table"].data] == ["Sid Special"]


def test_list_shows_current_units(client, cast):
    posted(cast.colleague, cast.joint_unit, start=date(2020, 1, 1), end=date(2020, 12, 31))
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"), {"q": "2345"})
    (row,) = response.context["table"].rows
    # The joint-unit posting ended in 2020.
    assert row.get_cell("current_units") == '<span class="register-nowrap">NOR-CCU</span>'


def test_list_is_paginated_at_25(client, cast):
    for n in range(30):
        PersonFactory(force=cast.norfolk, last_name=f"Zed{n:02}")
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_list"))
    table = response.context["table"]
    assert len(table.page.object_list) == 25
    assert table.paginator.count == 32
    assert b"Showing 1 to 25 of 32 people" in response.content


def test_list_query_count_does_not_grow_with_people(client, cast, django_assert_max_num_queries):
    for _ in range(40):
        person = PersonFactory(force=cast.norfolk)
        posted(person, cast.norfolk_unit, start=date(2024, 1, 1))
        posted(person, cast.joint_unit, start=date(2024, 2, 1))
    client.force_login(cast.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:person_list"))
    assert response.status_code == 200


def test_person_page_shows_postings_and_completions(client, cast):
    course = activity(
        "GCFE", title="GIAC Certified Forensic Examiner", provider="GIAC", validity_months=48
    )
    completed(cast.officer, course, date(2021, 6, 30))
    completed(
        cast.officer,
        activity("OSINT-1", title="OSINT basics"),
        date(2025, 1, 5),
        status=Status.PENDING,
    )
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_detail", args=[cast.officer.pk]))
    html = response.content.decode()
    assert "Norfolk cyber crime unit" in html
    assert "1 Jan 2024" in html  # posting start
    assert "GIAC Certified Forensic Examiner" in html
    assert "30 Jun 2025" in html  # 30 June 2021 + 48 months
    assert "Never expires" in html  # OSINT basics has no validity
    assert '<strong class="govuk-tag govuk-tag--light-blue">Pending</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Verified</strong>' in html


def test_person_page_shows_pathway_statement_link_and_history(client, cast):
    """Issue 15 point 5: pathway status, the competence statement, and who changed what."""
    from django.utils import timezone

    from people.models import Posting
    from tests.skills.conftest import role

    today = timezone.localdate()
    pursue = role("PAGE-PURSUE", ("NETINV", 2), ("OSINT", 1))
    Posting.objects.filter(person=cast.colleague).update(role_profile=pursue)
    completed(cast.colleague, activity("PAGE-NETINV", {"NETINV": 2}), date(today.year - 1, 1, 5))
    colleague = cast.colleague
    colleague.rank = "DC"
    colleague._change_reason = "promoted"
    colleague.save()

    client.force_login(cast.coordinator)
    response = client.get(reverse("people:person_detail", args=[colleague.pk]))
    page = response.content.decode()
    (posting,) = response.context["pathway"]
    assert posting.progress == 0.5
    assert "50%" in page
    assert [(r.capability.code, r.status) for r in posting.requirements] == [
        ("NETINV", "met"),
        ("OSINT", "missing"),
    ]
    assert reverse("me:person_statement", args=[colleague.pk]) in page
    history = response.context["history"]
    assert history[0]["why"] == "promoted"
    assert history[0]["changed"] == "rank"
    assert history[-1]["changed"] == "Added to the register"
    assert "promoted" in page


def test_outsider_gets_404_on_the_person_page_with_its_pathway(client, cast):
    client.force_login(cast.outsider)
    response = client.get(reverse("people:person_detail", args=[cast.colleague.pk]))
    assert response.status_code == 404

"""Home sends each role where its work starts."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory


def test_officer_lands_on_their_pathway(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("me:pathway")


TASK_URLS = ("courses:verification_queue", "courses:record_cohort", "courses:import_upload")


def test_coordinators_start_from_their_work(client, cast):
    """Issue 15 point 2: verification queue, record a cohort, record one person, import."""
    for user in (cast.coordinator, cast.outsider):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200, user
        html = response.content.decode()
        for name in TASK_URLS:
            assert f'href="{reverse(name)}"' in html, (user, name)
        assert "Your work" in html


def test_coordinator_home_lists_their_people_missing_due_and_expiring(client, cast, settings):
    from datetime import date, timedelta

    from django.utils import timezone

    from people.models import Posting
    from tests.factories import PersonFactory, activity, completed, posted
    from tests.skills.conftest import role

    today = timezone.localdate()
    pursue = role("HOME-PURSUE", ("NETINV", 2), ("OSINT", 1, {"grace": 6}), ("TRIAGE", 1))
    Posting.objects.filter(person=cast.colleague).update(role_profile=pursue)
    posted(cast.kent_person, cast.kent_unit, start=date(2024, 1, 1), role=pursue)
    course = activity("HOME-NETINV", {"NETINV": 2}, validity_months=12)
    completed(cast.colleague, course, today - timedelta(days=330))
    newcomer = PersonFactory(force=cast.norfolk, first_name="Nia", last_name="New")
    posted(newcomer, cast.norfolk_unit, start=today - timedelta(days=10), role=pursue)

    client.force_login(cast.coordinator)
    response = client.get(reverse("home"))
    rows = [
        (row["person"].name, row["requirement"].capability.code, row["requirement"].status)
        for row in response.context["work"]
    ]
    assert ("Sam Jones", "NETINV", "expiring") in rows
    assert ("Sam Jones", "TRIAGE", "missing") in rows
    assert ("Nia New", "OSINT", "due") in rows
    assert not any(name == "Kim Kentish" for name, _, _ in rows)  # Kent is not theirs
    statuses = [status for _, _, status in rows]
    assert statuses == sorted(statuses, key=["missing", "due", "expiring"].index)
    assert "Sam Jones" in response.content.decode()


def test_coordinator_home_query_count_does_not_grow_with_people(
    client, cast, django_assert_max_num_queries
):
    from datetime import date

    from tests.factories import PersonFactory, posted

    client.force_login(cast.coordinator)
    client.get(reverse("home"))
    for n in range(30):
        person = PersonFactory(force=cast.norfolk, staff_number=f"H{n}", last_name=f"Home{n}")
        posted(person, cast.norfolk_unit, start=date(2024, 1, 1))
    with django_assert_max_num_queries(25):
        client.get(reverse("home"))


def test_pending_submissions_are_counted_for_the_coordinator(client, cast):
    from datetime import date

    from courses.models import Status
    from tests.factories import activity, completed

    completed(cast.colleague, activity("SANS-FOR500"), date(2026, 1, 5), status=Status.PENDING)
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_list"))
    assert response.context["pending"] == 1
    client.force_login(cast.outsider)
    assert client.get(reverse("people:unit_list")).context["pending"] == 0


def test_chief_officers_and_leads_land_on_coverage(client, cast):
    try:
        target = reverse("coverage:overview")
    except NoReverseMatch:
        target = reverse("people:unit_list")
    for user in (cast.chief, cast.regional_lead, cast.national_lead, cast.admin):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302, user
        assert response["Location"] == target, user


def test_user_with_no_record_and_no_grant_is_told_they_have_no_access_yet(client, db):
    client.force_login(UserFactory(email="new@norfolk.police.uk"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"You do not have access to the register yet" in response.content


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_navigation_offers_people_only_to_oversight(client, cast):
    client.force_login(cast.officer_user)
    items = client.get(reverse("people:unit_list")).context["nav_items"]
    labels = [i["label"] for i in items]
    assert [i for i in labels if i in ("Home", "People", "Units")] == ["Home", "Units"]
    assert "Your pathway" in labels
    assert "Directory" not in labels and "Coverage" not in labels
    assert [i["label"] for i in items if i["active"]] == ["Units"]
    client.force_login(cast.coordinator)
    items = client.get(reverse("people:person_list")).context["nav_items"]
    labels = [i["label"] for i in items]
    assert [i for i in labels if i in ("Home", "People", "Units")] == ["Home", "People", "Units"]
    assert "Directory" in labels and "Verification" in labels
    assert [i["label"] for i in items if i["active"]] == ["People"]

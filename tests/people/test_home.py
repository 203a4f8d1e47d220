"""Home sends each role where its work starts."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory


def test_officer_lands_on_their_pathway(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("me:pathway")


def test_coordinators_land_on_their_units_with_the_verification_queue(client, cast):
    for user in (cast.coordinator, cast.outsider):
        client.force_login(user)
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("people:unit_list"), user
        assert reverse("courses:verification_queue") in response.content.decode(), user


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

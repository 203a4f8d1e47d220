"""Home sends each role where its work starts."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import UserFactory


def test_officer_goes_to_their_own_record(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[cast.officer.pk])


def test_oversight_roles_and_admin_go_to_the_units_list(client, cast):
    for user in (
        cast.coordinator,
        cast.chief,
        cast.regional_lead,
        cast.national_lead,
        cast.admin,
        cast.outsider,
    ):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302, user
        assert response["Location"] == reverse("people:unit_list"), user


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
    assert [i["label"] for i in items if i["label"] in ("Home", "People", "Units")] == [
        "Home",
        "Units",
    ]
    assert [i["label"] for i in items if i["active"]] == ["Units"]
    client.force_login(cast.coordinator)
    items = client.get(reverse("people:person_list")).context["nav_items"]
    assert [i["label"] for i in items][:3] == ["Home", "People", "Units"]
    assert [i["label"] for i in items if i["active"]] == ["People"]

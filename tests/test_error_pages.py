"""Refusals and missing pages are GOV.UK pages that say what to do, not Django's bare text."""

from __future__ import annotations

from django.urls import reverse


def test_not_found_page_says_what_may_have_happened(client, cast):
    client.force_login(cast.coordinator)
    response = client.get("/imports/no-such-preview/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "upload the file again" in page
    assert "govuk-template" in page


def test_forbidden_page_tells_the_officer_to_ask_for_access(client, cast):
    client.force_login(cast.officer_user)
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()

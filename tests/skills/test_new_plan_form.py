"""The new-plan form names its empty choice and shows expectations with their text
(issue 15, point 10)."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.skills.conftest import expectation


def test_new_plan_form_has_no_dashes_and_shows_what_each_expectation_says(cast, client):
    expectation("HMIC-2015-DIGITAL 5.56", "Forces should record digital skills centrally.")
    client.force_login(cast.chief)

    response = client.get(reverse("actions:plan_new", args=["norfolk"]))
    page = response.content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)

    assert response.status_code == 200
    assert "---------" not in page
    assert options[0] == "Choose an expectation"
    assert any(
        "5.56" in o and "Forces should record digital skills centrally." in o for o in options
    )


def test_another_forces_new_plan_form_is_not_found(cast, client):
    client.force_login(cast.outsider)

    assert client.get(reverse("actions:plan_new", args=["norfolk"])).status_code == 404

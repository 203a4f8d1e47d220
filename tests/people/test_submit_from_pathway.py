"""'Submit it with your evidence' on the pathway starts with the activity chosen, and the
activity list sorts case-insensitively (issue 15, point 10)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import AS_OF
from tests.factories import activity
from tests.people.test_pathway import pursue  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_pathway_links_each_activity_to_the_submit_form_with_it_chosen(
    cast,
    pursue,  # noqa: F811
    client,
):
    client.force_login(cast.officer_user)

    html = client.get(reverse("me:pathway"), {"as_of": AS_OF.isoformat()}).content.decode()
    crypto = html.split('id="requirement-CRYPTO-1"')[1].split('class="govuk-summary-card"')[0]
    link = f"{reverse('courses:submit_completion')}?activity=CRYPTO-COURSE"
    assert link in crypto

    form = client.get(link).content.decode()
    chosen = re.search(r'<option value="(\d+)" selected>([^<]+)</option>', form)
    assert chosen and "(CRYPTO-COURSE)" in chosen.group(2)


def test_an_unknown_activity_code_leaves_nothing_chosen(cast, client):
    client.force_login(cast.officer_user)

    form = client.get(reverse("courses:submit_completion"), {"activity": "NOPE"})

    assert form.status_code == 200
    assert not re.search(r"<option value=\"\d+\" selected>", form.content.decode())


def test_activities_sort_case_insensitively(cast, client):
    for code, title in [("B", "beta course"), ("A", "Alpha course"), ("C", "Charlie course")]:
        activity(code, {"OSINT": 1}, title=title)
    client.force_login(cast.officer_user)

    form = client.get(reverse("courses:submit_completion")).content.decode()
    titles = re.findall(r'<option value="\d+"[^>]*>([^<]+) —', form)

    assert titles == ["Alpha course", "beta course", "Charlie course"]

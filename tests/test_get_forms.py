"""GET forms (filters, report dates, what-if) never carry the CSRF token: it would end up in
addresses, server logs and Referer headers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

GET_FORM = re.compile(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", re.S | re.I)


@pytest.mark.parametrize(
    "url",
    [
        lambda cast: reverse("skills:unit_report", args=[cast.norfolk_unit.code]),
        lambda cast: reverse("coverage:overview"),
        lambda cast: reverse("people:person_list"),
        lambda cast: reverse("directory:search"),
        lambda cast: reverse("deployments:list"),
        lambda cast: reverse("courses:verification_queue"),
        lambda cast: reverse("courses:record_cohort"),
        lambda cast: reverse("courses:activity_list"),
    ],
)
def test_get_forms_carry_no_csrf_token(client, cast, url):
    client.force_login(cast.coordinator)
    page = client.get(url(cast)).content.decode()
    forms = GET_FORM.findall(page)
    assert forms, "the page has a GET form"
    for form in forms:
        assert "csrfmiddlewaretoken" not in form

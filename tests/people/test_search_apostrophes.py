"""Names with an apostrophe are found however the apostrophe is typed (issue 15, point 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.skills.conftest import person


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("O\u2019Brien", "o'brien"), ("O'Brien", "O\u2019Brien"), ("O\u2019Brien", "O\u2019Brien")],
)
def test_a_curly_or_straight_apostrophe_finds_the_person(client, cast, stored, typed):
    person(cast.norfolk, "Siobhan", stored, staff_number="7001")
    client.force_login(cast.coordinator)

    response = client.get(reverse("people:person_list"), {"q": typed})

    assert [p.last_name for p in response.context["table"].data] == [stored]


def test_another_forces_obrien_is_not_found(client, cast):
    person(cast.kent, "Siobhan", "O\u2019Brien", staff_number="7002")
    client.force_login(cast.coordinator)

    response = client.get(reverse("people:person_list"), {"q": "O'Brien"})

    assert list(response.context["table"].data) == []

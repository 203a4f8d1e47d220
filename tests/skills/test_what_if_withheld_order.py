"""The what-if list never sorts 'Name withheld' rows by the surname it hides (issue 15)."""

from __future__ import annotations

from datetime import date

from people.models import Unit
from skills.report.query import people_choices
from tests.factories import posted
from tests.skills.conftest import person


def test_withheld_people_follow_the_named_and_sort_by_what_their_label_shows(cast):
    zulu = person(cast.suffolk, "Zoe", "Zulu", staff_number="5001")
    aardvark = person(cast.suffolk, "Abe", "Aardvark", staff_number="5002")
    nora = person(cast.norfolk, "Nora", "North", staff_number="4001")
    for who in (zulu, aardvark, nora):
        posted(who, cast.joint_unit, start=date(2024, 1, 1))

    choices = people_choices(
        cast.chief, Unit.objects.descendant_ids([cast.joint_unit.pk]), date(2025, 3, 31)
    )
    mine = [pk for pk, _ in choices if pk in {zulu.pk, aardvark.pk, nora.pk}]
    labels = dict(choices)

    assert mine == [nora.pk, zulu.pk, aardvark.pk]
    assert "Aardvark" not in labels[aardvark.pk] and "Zulu" not in labels[zulu.pk]

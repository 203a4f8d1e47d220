"""DESIGN.md: specials and volunteers: how many, what the unit depends on them alone for,
hours deployed in the 12 months up to D and who has not been deployed in the 6 months up
to D."""

from datetime import date
from decimal import Decimal

import pytest

from people.models import Deployment, PersonType
from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role, target


def deployed(who, on, hours):
    return Deployment.objects.create(person=who, deployed_on=on, hours=Decimal(hours), task="OSINT")


@pytest.fixture
def crew(cast, unit):
    special = person(cast.norfolk, "Sam", "Special", person_type=PersonType.SPECIAL)
    volunteer = person(cast.norfolk, "Val", "Volunteer", person_type=PersonType.VOLUNTEER)
    idle = person(cast.norfolk, "Ida", "Idle", person_type=PersonType.SPECIAL)
    officer = person(cast.norfolk, "Ann", "Able")
    for who in (special, volunteer, idle, officer):
        posted(who, unit, start=date(2024, 1, 1))
    return special, volunteer, idle, officer


def test_counts_specials_and_volunteers_in_the_unit(unit, crew):
    sv = build_unit_report(unit, as_of=D).specials_and_volunteers

    assert (sv.specials, sv.volunteers) == (2, 1)


def test_hours_deployed_in_the_12_months_up_to_the_as_of_date(unit, crew):
    special, volunteer, idle, officer = crew
    deployed(special, date(2024, 3, 31), "8")  # exactly 12 months before: outside
    deployed(special, date(2024, 4, 1), "7.5")
    deployed(volunteer, D, "4")
    deployed(volunteer, date(2025, 4, 1), "6")  # after D
    deployed(officer, date(2025, 1, 1), "10")  # not a special or volunteer

    sv = build_unit_report(unit, as_of=D).specials_and_volunteers

    assert sv.hours_deployed_12_months == Decimal("11.5")
    hours = {line.person.name: line.hours_12_months for line in sv.people}
    assert hours == {"Ida Idle": 0, "Sam Special": Decimal("7.5"), "Val Volunteer": 4}


def test_not_deployed_in_the_6_months_up_to_the_as_of_date(unit, crew):
    special, volunteer, idle, officer = crew
    deployed(special, date(2024, 9, 30), "3")  # exactly 6 months before: outside
    deployed(volunteer, date(2024, 10, 1), "3")

    sv = build_unit_report(unit, as_of=D).specials_and_volunteers

    assert [p.name for p in sv.not_deployed_6_months] == ["Ida Idle", "Sam Special"]


def test_capability_held_only_by_specials_and_volunteers_is_depended_on(unit, crew):
    special, volunteer, idle, officer = crew
    target(unit, "CRYPTO", 1, 1)
    target(unit, "OSINT", 2, 1)
    target(unit, "MALWARE", 2, 1)  # nobody holds it: a gap, not a dependence
    posted(
        officer, unit, start=date(2024, 6, 1), role=role("P", ("DARKWEB", 1, {"mandatory": False}))
    )
    completed(special, activity("CRY", {"CRYPTO": 2}), date(2024, 2, 1))
    completed(volunteer, activity("CRY1", {"CRYPTO": 1, "DARKWEB": 1}), date(2024, 2, 1))
    completed(special, activity("OS", {"OSINT": 2}), date(2024, 2, 1))
    completed(officer, activity("OS2", {"OSINT": 2}), date(2024, 2, 1))

    sv = build_unit_report(unit, as_of=D).specials_and_volunteers

    assert [(d.capability.code, d.level, len(d.holders)) for d in sv.depended_on] == [
        ("CRYPTO", 1, 2),
        ("DARKWEB", 1, 1),
    ]

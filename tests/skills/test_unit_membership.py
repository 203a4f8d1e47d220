"""DESIGN.md: who is "in" a unit on a date: postings to it or a unit inside it, the end date
as the last day in post, a fund's end date as the last funded day, every force of a joint
unit."""

from datetime import date

import pytest

from people.models import Fund
from skills.coverage import build_unit_report
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, person, target, target_line


@pytest.fixture
def course(db):
    return activity("NET", {"NETINV": 2})


def people_in(report) -> list[str]:
    return [line.person.name for line in report.people]


def test_joint_unit_counts_people_from_both_forces(cast, course):
    target(cast.joint_unit, "NETINV", 2, 2)
    norfolk = person(cast.norfolk, "Nora", "Norfolk")
    suffolk = person(cast.suffolk, "Sue", "Suffolk")
    for who in (norfolk, suffolk):
        posted(who, cast.joint_unit, start=date(2024, 1, 1))
        completed(who, course, date(2024, 2, 1))

    report = build_unit_report(cast.joint_unit, as_of=D)

    assert people_in(report) == ["Nora Norfolk", "Sue Suffolk"]
    assert target_line(report, "NETINV", 2).headcount == 2
    assert report.unit.is_joint
    assert [f.code for f in report.unit.forces] == ["norfolk", "suffolk"]


def test_people_of_a_unit_inside_it_are_counted_in_the_parent(cast, unit, course):
    team = UnitFactory(code="TST-TEAM", parent=unit, region=cast.eastern, forces=[cast.norfolk])
    inner = UnitFactory(code="TST-CELL", parent=team, region=cast.eastern, forces=[cast.norfolk])
    target(unit, "NETINV", 2, 1)
    deep = person(cast.norfolk, "Dee", "Deep")
    posted(deep, inner, start=date(2024, 1, 1))
    completed(deep, course, date(2024, 2, 1))
    top = person(cast.norfolk, "Tom", "Top")
    posted(top, unit, start=date(2024, 1, 1))

    parent_report = build_unit_report(unit, as_of=D)
    team_report = build_unit_report(team, as_of=D)

    assert people_in(parent_report) == ["Dee Deep", "Tom Top"]
    assert target_line(parent_report, "NETINV", 2).headcount == 1
    assert people_in(team_report) == ["Dee Deep"]
    assert parent_report.people[0].posting.unit_code == "TST-CELL"


def test_ended_posting_counts_up_to_its_last_day_only(cast, unit):
    leaver = person(cast.norfolk, "Lee", "Leaver")
    posted(leaver, unit, start=date(2024, 1, 1), end=D)

    assert people_in(build_unit_report(unit, as_of=D)) == ["Lee Leaver"]
    assert people_in(build_unit_report(unit, as_of=date(2025, 4, 1))) == []


def test_posting_not_yet_started_is_not_counted(cast, unit):
    joiner = person(cast.norfolk, "Jo", "Joiner")
    posted(joiner, unit, start=date(2025, 4, 1))

    assert people_in(build_unit_report(unit, as_of=D)) == []


def test_fund_s_end_ends_the_posting_when_it_comes_first(cast, unit):
    fund = Fund.objects.create(code="PTF", name="Police Transformation Fund", ends_on=D)
    funded = person(cast.norfolk, "Fay", "Funded")
    posted(funded, unit, start=date(2024, 1, 1), end=date(2026, 3, 31), fund=fund)

    on_last_funded_day = build_unit_report(unit, as_of=D)
    after = build_unit_report(unit, as_of=date(2025, 4, 1))

    assert people_in(on_last_funded_day) == ["Fay Funded"]
    assert on_last_funded_day.people[0].last_day == D
    assert on_last_funded_day.people[0].posting.fund == "Police Transformation Fund"
    assert people_in(after) == []


def test_people_of_other_units_are_not_counted(cast, unit, course):
    target(unit, "NETINV", 2, 1)
    completed(cast.officer, course, date(2024, 2, 1))  # posted to the Norfolk unit

    report = build_unit_report(unit, as_of=D)

    assert people_in(report) == []
    assert target_line(report, "NETINV", 2).headcount == 0

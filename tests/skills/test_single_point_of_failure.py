"""DESIGN.md: a single point of failure is a (capability, level) a target or a mandatory
requirement asks for that exactly one person in the unit holds."""

from datetime import date

from skills.coverage import WhatIf, build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, requirement_of, role, target, target_line


def test_capability_held_by_exactly_one_person_is_a_single_point_of_failure(cast, unit):
    target(unit, "MALWARE", 2, 1)
    expert = person(cast.norfolk, "Ed", "Expert")
    posted(expert, unit, start=date(2024, 1, 1))
    completed(expert, activity("MAL", {"MALWARE": 3}), date(2024, 2, 1))

    report = build_unit_report(unit, as_of=D)

    assert [
        (s.capability.code, s.level, s.person.id, s.asked_by)
        for s in report.single_points_of_failure
    ] == [("MALWARE", 2, expert.pk, ("target",))]
    assert report.summary.single_points_of_failure == 1


def test_mandatory_requirement_of_a_posted_role_is_asked_for_too(cast, unit):
    pursue = role("PURSUE", ("OSINT", 1), ("CRYPTO", 1, {"mandatory": False}))
    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.norfolk, "Bob", "Baker")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    posted(bob, unit, start=date(2024, 1, 1), role=pursue)
    completed(ann, activity("OS", {"OSINT": 1, "CRYPTO": 1}), date(2024, 2, 1))

    report = build_unit_report(unit, as_of=D)

    assert [(s.capability.code, s.asked_by) for s in report.single_points_of_failure] == [
        ("OSINT", ("requirement",))
    ]


def test_two_holders_or_none_is_not_a_single_point_of_failure(cast, unit):
    target(unit, "NETINV", 2, 1)
    target(unit, "DARKWEB", 2, 1)
    course = activity("NET", {"NETINV": 2})
    for first in ("Ann", "Bob"):
        who = person(cast.norfolk, first, "Holder")
        posted(who, unit, start=date(2024, 1, 1))
        completed(who, course, date(2024, 2, 1))

    report = build_unit_report(unit, as_of=D)

    assert report.single_points_of_failure == ()
    assert target_line(report, "DARKWEB", 2).shortfall == 1


def test_without_the_only_holder_the_single_point_of_failure_becomes_a_gap(cast, unit):
    target(unit, "MALWARE", 2, 1)
    triage = role("TRIAGE", ("MALWARE", 2))
    expert = person(cast.norfolk, "Ed", "Expert")
    other = person(cast.norfolk, "Ola", "Other")
    posted(expert, unit, start=date(2024, 1, 1), role=triage)
    posted(other, unit, start=date(2024, 1, 1), role=triage)
    completed(expert, activity("MAL", {"MALWARE": 2}), date(2024, 2, 1))

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(without_people=frozenset({expert.pk})))

    assert report.single_points_of_failure == ()
    line = target_line(report, "MALWARE", 2)
    assert (line.headcount, line.shortfall, line.cliff_date) == (0, 1, D)
    assert requirement_of(report, other, "MALWARE").status == "missing"

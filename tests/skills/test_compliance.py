"""DESIGN.md: a unit's compliance, leaving out requirements not held whose deadline has not
passed; no figure when nothing is counted."""

from datetime import date

import pytest

from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role


def test_compliance_is_none_when_nobody_is_in_the_unit(unit):
    summary = build_unit_report(unit, as_of=D).summary

    assert (summary.compliance, summary.requirements_counted, summary.people) == (None, 0, 0)


def test_compliance_is_none_when_every_requirement_is_still_due(cast, unit):
    newcomer = person(cast.norfolk, "Nia", "New")
    posted(newcomer, unit, start=date(2025, 3, 1), role=role("P", ("NETINV", 2, {"grace": 6})))

    summary = build_unit_report(unit, as_of=D).summary

    assert summary.compliance is None
    assert summary.requirements_counted == 0


def test_compliance_counts_met_and_expiring_over_counted_mandatory_requirements(cast, unit):
    pursue = role(
        "PURSUE",
        ("NETINV", 2),
        ("OSINT", 1, {"grace": 12}),
        ("CRYPTO", 1, {"mandatory": False}),
    )
    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.norfolk, "Bob", "Baker")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    posted(bob, unit, start=date(2025, 1, 1), role=pursue)
    completed(ann, activity("NET", {"NETINV": 2}, validity_months=12), date(2024, 5, 1))
    completed(ann, activity("OS", {"OSINT": 1}), date(2024, 3, 1))
    # Bob: NETINV missing (grace 0), OSINT due until 2026 and left out, CRYPTO recommended.

    summary = build_unit_report(unit, as_of=D).summary

    # Counted: Ann NETINV (expiring), Ann OSINT (met), Bob NETINV (missing).
    assert (summary.requirements_counted, summary.requirements_met) == (3, 2)
    assert summary.compliance == pytest.approx(2 / 3)


def test_pending_requirement_past_its_deadline_counts_as_not_met(cast, unit):
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), role=role("P", ("NETINV", 2)))
    completed(ann, activity("NET", {"NETINV": 2}), date(2025, 3, 1), status="pending")

    summary = build_unit_report(unit, as_of=D).summary

    assert (summary.requirements_counted, summary.requirements_met, summary.compliance) == (
        1,
        0,
        0.0,
    )


def test_people_whose_posting_has_ended_are_not_counted(cast, unit):
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), end=date(2025, 3, 30), role=role("P", ("X", 1)))

    assert build_unit_report(unit, as_of=D).summary.compliance is None

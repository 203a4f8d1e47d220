"""DESIGN.md: Expiry, valid, holds, held until; only verified completions dated on or before
the as-of date count."""

from datetime import date

import pytest

from courses.models import Status
from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, requirement_of, role, target, target_line


@pytest.fixture
def officer(cast, unit):
    target(unit, "NETINV", 2, 1)
    jane = person(cast.norfolk, "Jane", "Smith")
    posted(jane, unit, start=date(2024, 1, 1), role=role("PURSUE", ("NETINV", 2)))
    return jane


def status(unit, officer, as_of=D):
    return requirement_of(build_unit_report(unit, as_of=as_of), officer, "NETINV").status


def test_completion_stops_counting_on_its_expiry_date(unit, officer):
    completed(officer, activity("CERT", {"NETINV": 2}, validity_months=12), date(2024, 3, 31))

    report = build_unit_report(unit, as_of=D)

    assert target_line(report, "NETINV", 2).headcount == 0
    assert requirement_of(report, officer, "NETINV").status == "missing"
    assert report.people[0].holdings == ()


def test_completion_still_counts_on_the_day_before_its_expiry(unit, officer):
    completed(officer, activity("CERT", {"NETINV": 2}, validity_months=12), date(2024, 3, 31))

    report = build_unit_report(unit, as_of=date(2025, 3, 30))

    line = requirement_of(report, officer, "NETINV")
    assert (line.status, line.held_until) == ("expiring", date(2025, 3, 31))
    assert target_line(report, "NETINV", 2).headcount == 1


def test_completion_dated_after_the_as_of_date_is_ignored(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2025, 4, 1))

    assert status(unit, officer) == "missing"
    assert status(unit, officer, as_of=date(2025, 4, 1)) == "met"


def test_record_s_own_expiry_replaces_the_activity_s_validity(unit, officer):
    course = activity("COURSE", {"NETINV": 2})  # no validity: would never expire
    completed(officer, course, date(2022, 1, 1), expires_on=date(2025, 3, 31))

    assert status(unit, officer) == "missing"
    assert status(unit, officer, as_of=date(2025, 3, 30)) == "expiring"


def test_activity_without_validity_is_held_for_ever(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2010, 6, 1))

    line = requirement_of(build_unit_report(unit, as_of=D), officer, "NETINV")

    assert (line.status, line.held_until) == ("met", None)


def test_31_january_plus_one_month_expires_on_the_last_day_of_february(unit, officer):
    monthly = activity("MONTHLY", {"NETINV": 2}, validity_months=1)
    completed(officer, monthly, date(2025, 1, 31))

    held = requirement_of(build_unit_report(unit, as_of=date(2025, 2, 27)), officer, "NETINV")

    assert held.held_until == date(2025, 2, 28)
    assert status(unit, officer, as_of=date(2025, 2, 28)) == "missing"


def test_leap_year_31_january_plus_one_month_is_29_february(unit, officer):
    completed(officer, activity("MONTHLY", {"NETINV": 2}, validity_months=1), date(2024, 1, 31))

    held = requirement_of(build_unit_report(unit, as_of=date(2024, 2, 28)), officer, "NETINV")

    assert held.held_until == date(2024, 2, 29)
    assert status(unit, officer, as_of=date(2024, 2, 29)) == "missing"


@pytest.mark.parametrize("bad", [Status.REJECTED, Status.WITHDRAWN])
def test_rejected_and_withdrawn_completions_never_count(unit, officer, bad):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2024, 6, 1), status=bad)

    report = build_unit_report(unit, as_of=D)

    assert requirement_of(report, officer, "NETINV").status == "missing"
    assert target_line(report, "NETINV", 2).headcount == 0


def test_pending_completion_shows_as_pending_but_does_not_count(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2024, 6, 1), status="pending")

    report = build_unit_report(unit, as_of=D)

    assert requirement_of(report, officer, "NETINV").status == "pending"
    assert target_line(report, "NETINV", 2).headcount == 0


def test_verified_completion_counts_from_its_completion_date(unit, officer):
    """What the register knows now: verified today, it counts in a report of last year."""
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2024, 6, 1))

    assert status(unit, officer, as_of=date(2024, 6, 1)) == "met"
    assert status(unit, officer, as_of=date(2024, 5, 31)) == "missing"


def test_higher_level_evidences_the_lower_level_but_not_the_reverse(cast, unit, officer):
    completed(officer, activity("EXPERT", {"NETINV": 3}), date(2024, 6, 1))
    other = person(cast.norfolk, "Ola", "Other")
    posted(other, unit, start=date(2024, 1, 1), role=role("AWARE", ("NETINV", 1)))
    completed(other, activity("AWARENESS", {"NETINV": 1}), date(2024, 6, 1))

    report = build_unit_report(unit, as_of=D)

    assert requirement_of(report, officer, "NETINV").status == "met"
    assert [h.id for h in target_line(report, "NETINV", 2).holders] == [officer.pk]
    holding = report.people[1].holding("NETINV")  # Smith sorts after Other
    assert (holding.level, holding.held_until) == (3, None)


def test_held_until_is_the_latest_expiry_of_the_valid_completions(unit, officer):
    completed(officer, activity("A", {"NETINV": 2}, validity_months=12), date(2024, 9, 1))
    completed(officer, activity("B", {"NETINV": 2}, validity_months=24), date(2023, 10, 1))

    line = requirement_of(build_unit_report(unit, as_of=D), officer, "NETINV")

    assert line.held_until == date(2025, 10, 1)

"""DESIGN.md: requirement status (met, expiring, pending, due, missing) and pathway progress."""

from datetime import date

import pytest

from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, requirement_of, role


@pytest.fixture
def officer(cast, unit):
    jane = person(cast.norfolk, "Jane", "Smith")
    posted(jane, unit, start=date(2024, 1, 1), role=role("PURSUE", ("NETINV", 2)))
    return jane


def line(unit, who, as_of=D):
    return requirement_of(build_unit_report(unit, as_of=as_of), who, "NETINV")


def test_held_past_the_next_90_days_is_met(unit, officer):
    # 31 March 2025 + 90 days = 29 June 2025; expiry on 30 June is after it.
    completed(officer, activity("CERT", {"NETINV": 2}, validity_months=12), date(2024, 6, 30))

    assert (line(unit, officer).status, line(unit, officer).held_until) == (
        "met",
        date(2025, 6, 30),
    )


def test_expiring_on_the_90th_day_is_expiring(unit, officer):
    completed(officer, activity("CERT", {"NETINV": 2}, validity_months=12), date(2024, 6, 29))

    assert line(unit, officer).status == "expiring"
    assert line(unit, officer).held_until == date(2025, 6, 29)


def test_met_looks_only_at_completions_dated_on_or_before_the_as_of_date(unit, officer):
    cert = activity("CERT", {"NETINV": 2}, validity_months=12)
    completed(officer, cert, date(2024, 5, 1))
    completed(officer, cert, date(2025, 4, 15))  # the renewal comes after D

    assert line(unit, officer).status == "expiring"
    assert line(unit, officer, as_of=date(2025, 4, 15)).status == "met"


def test_pending_completion_that_would_satisfy_it_makes_it_pending(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2025, 3, 1), status="pending")

    assert line(unit, officer).status == "pending"


def test_pending_completion_dated_after_the_as_of_date_is_not_pending(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2025, 4, 1), status="pending")

    assert line(unit, officer).status == "missing"


def test_pending_completion_at_too_low_a_level_is_not_pending(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 1}), date(2025, 3, 1), status="pending")

    assert line(unit, officer).status == "missing"


def test_rejected_evidence_leaves_it_missing(unit, officer):
    completed(officer, activity("COURSE", {"NETINV": 2}), date(2025, 3, 1), status="rejected")

    assert line(unit, officer).status == "missing"


def test_requirement_is_due_until_the_grace_period_runs_out_then_missing(cast, unit):
    newcomer = person(cast.norfolk, "Nia", "New")
    posted(newcomer, unit, start=date(2025, 1, 15), role=role("P", ("NETINV", 2, {"grace": 2})))

    before = line(unit, newcomer, as_of=date(2025, 3, 14))
    on_deadline = line(unit, newcomer, as_of=date(2025, 3, 15))

    assert (before.status, before.deadline, before.counted) == ("due", date(2025, 3, 15), False)
    assert (on_deadline.status, on_deadline.counted) == ("missing", True)


def test_grace_period_from_31_january_ends_on_the_last_day_of_february(cast, unit):
    newcomer = person(cast.norfolk, "Nia", "New")
    posted(newcomer, unit, start=date(2025, 1, 31), role=role("P", ("NETINV", 2, {"grace": 1})))

    assert line(unit, newcomer, as_of=date(2025, 2, 27)).status == "due"
    assert line(unit, newcomer, as_of=date(2025, 2, 28)).status == "missing"


def test_grace_is_counted_from_the_start_of_the_posting_in_this_unit(cast, unit):
    mover = person(cast.norfolk, "Mo", "Mover")
    posted(mover, cast.kent_unit, start=date(2020, 1, 1), end=date(2025, 2, 28))
    posted(mover, unit, start=date(2025, 3, 1), role=role("P", ("NETINV", 2, {"grace": 6})))

    assert line(unit, mover).status == "due"
    assert line(unit, mover).deadline == date(2025, 9, 1)


def test_pathway_progress_is_met_and_expiring_over_mandatory_requirements(cast, unit):
    pathway = role(
        "PATH",
        ("A", 1),
        ("B", 1),
        ("C", 1),
        ("D", 1, {"mandatory": False}),
    )
    jo = person(cast.norfolk, "Jo", "Path")
    posted(jo, unit, start=date(2024, 1, 1), role=pathway)
    completed(jo, activity("ACT-A", {"A": 1}), date(2024, 2, 1))  # met
    completed(jo, activity("ACT-B", {"B": 1}, validity_months=12), date(2024, 4, 30))  # expiring
    completed(jo, activity("ACT-D", {"D": 1}), date(2024, 2, 1))  # recommended, met

    report = build_unit_report(unit, as_of=D)
    statuses = [r.status for r in report.people[0].requirements]

    assert statuses == ["met", "expiring", "missing", "met"]
    assert report.people[0].progress == pytest.approx(2 / 3)


def test_pathway_progress_is_none_for_a_role_without_mandatory_requirements(cast, unit):
    jo = person(cast.norfolk, "Jo", "Path")
    posted(jo, unit, start=date(2024, 1, 1), role=role("OPT", ("A", 1, {"mandatory": False})))

    assert build_unit_report(unit, as_of=D).people[0].progress is None

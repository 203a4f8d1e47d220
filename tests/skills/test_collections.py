"""DESIGN.md: a collection of labs is held when `threshold` distinct labs were completed in
its window; held until the threshold-th most recent lab leaves the window."""

from datetime import date

import pytest

from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, requirement_of, role, target, target_line


@pytest.fixture
def labs(db):
    return [activity(f"LAB-{i}", kind="lab", title=f"Lab {i}") for i in range(1, 5)]


@pytest.fixture
def collection(labs):
    coll = activity(
        "COLL-NET",
        {"NETINV": 2},
        kind="collection",
        title="Network investigation collection",
        threshold=3,
        validity_months=12,
    )
    coll.labs.set(labs)
    return coll


@pytest.fixture
def officer(cast, unit, collection):
    target(unit, "NETINV", 2, 1)
    jane = person(cast.norfolk, "Jane", "Smith")
    posted(jane, unit, start=date(2024, 1, 1), role=role("PURSUE", ("NETINV", 2)))
    return jane


def netinv(unit, who, as_of=D):
    return requirement_of(build_unit_report(unit, as_of=as_of), who, "NETINV")


def test_collection_one_lab_short_is_not_held(unit, officer, labs):
    completed(officer, labs[0], date(2024, 7, 1))
    completed(officer, labs[1], date(2025, 1, 20))

    assert netinv(unit, officer).status == "missing"


def test_collection_exactly_at_threshold_is_held_until_its_oldest_lab_leaves(unit, officer, labs):
    completed(officer, labs[0], date(2024, 5, 10))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2025, 1, 20))

    line = netinv(unit, officer)

    assert (line.status, line.held_until) == ("expiring", date(2025, 5, 10))
    assert netinv(unit, officer, as_of=date(2025, 5, 10)).status == "missing"


def test_collection_is_held_from_the_date_of_the_lab_that_reaches_the_threshold(
    unit, officer, labs
):
    completed(officer, labs[0], date(2024, 5, 10))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2025, 1, 20))

    assert netinv(unit, officer, as_of=date(2025, 1, 19)).status == "missing"
    assert netinv(unit, officer, as_of=date(2025, 1, 20)).status == "met"


def test_held_until_uses_the_threshold_th_most_recent_lab(unit, officer, labs):
    completed(officer, labs[0], date(2024, 4, 15))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2024, 8, 1))
    completed(officer, labs[3], date(2025, 1, 20))

    line = netinv(unit, officer)

    # Most recent: 20 Jan 2025, 1 Aug 2024, 1 Jul 2024 -> held until 1 Jul 2025.
    assert (line.status, line.held_until) == ("met", date(2025, 7, 1))


def test_each_lab_counts_at_its_latest_completion(unit, officer, labs):
    completed(officer, labs[0], date(2024, 5, 1))
    completed(officer, labs[0], date(2024, 12, 1))
    completed(officer, labs[1], date(2024, 9, 1))
    completed(officer, labs[2], date(2024, 10, 1))

    assert netinv(unit, officer).held_until == date(2025, 9, 1)


def test_the_same_lab_twice_counts_once(unit, officer, labs):
    completed(officer, labs[0], date(2024, 6, 1))
    completed(officer, labs[0], date(2024, 9, 1))
    completed(officer, labs[1], date(2024, 10, 1))

    assert netinv(unit, officer).status == "missing"


def test_a_lab_leaves_the_window_on_the_day_its_validity_ends(unit, officer, labs):
    completed(officer, labs[0], date(2024, 3, 31))  # window ends on 31 March 2025 = D
    completed(officer, labs[1], date(2024, 6, 1))
    completed(officer, labs[2], date(2024, 7, 1))

    assert netinv(unit, officer).status == "missing"
    assert netinv(unit, officer, as_of=date(2025, 3, 30)).held_until == date(2025, 3, 31)


def test_a_lab_completed_after_the_as_of_date_does_not_count(unit, officer, labs):
    completed(officer, labs[0], date(2024, 6, 1))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2025, 4, 1))

    assert netinv(unit, officer).status == "missing"


def test_recorded_completion_of_the_collection_itself_counts(unit, officer, collection):
    completed(officer, collection, date(2024, 10, 1))

    line = netinv(unit, officer)

    assert (line.status, line.held_until) == ("met", date(2025, 10, 1))


def test_pending_lab_that_would_reach_the_threshold_makes_it_pending(unit, officer, labs):
    completed(officer, labs[0], date(2024, 6, 1))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2025, 3, 1), status="pending")

    report = build_unit_report(unit, as_of=D)

    assert requirement_of(report, officer, "NETINV").status == "pending"
    assert target_line(report, "NETINV", 2).headcount == 0


def test_collection_lapse_is_listed_as_expiring_and_explains_the_cliff(unit, officer, labs):
    first = completed(officer, labs[0], date(2024, 5, 10))
    completed(officer, labs[1], date(2024, 7, 1))
    completed(officer, labs[2], date(2025, 1, 20))

    report = build_unit_report(unit, as_of=D)

    (expiring,) = report.expiring
    assert (expiring.activity.code, expiring.completion_id, expiring.expires_on) == (
        "COLL-NET",
        first.pk,
        date(2025, 5, 10),
    )
    netinv_target = target_line(report, "NETINV", 2)
    assert netinv_target.cliff_date == date(2025, 5, 31)
    (cause,) = netinv_target.causes
    assert cause.why == "activity Network investigation collection expires on 2025-05-10"


def test_collection_without_validity_never_lapses(unit, officer, labs, collection):
    collection.validity_months = None
    collection.save()
    for lab, day in zip(
        labs[:3], [date(2015, 1, 1), date(2016, 1, 1), date(2017, 1, 1)], strict=True
    ):
        completed(officer, lab, day)

    line = netinv(unit, officer)

    assert (line.status, line.held_until) == ("met", None)

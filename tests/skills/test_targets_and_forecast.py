"""DESIGN.md: headcount and shortfall per resilience target, the forecast at month ends, the
cliff date and the causes of each fall."""

from datetime import date

import pytest

from people.models import Fund
from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, target, target_line


@pytest.fixture
def course(db):
    return activity("NET", {"NETINV": 2})


def holder(cast, unit, course, first, last, **posting):
    who = person(cast.norfolk, first, last)
    posted(who, unit, start=date(2024, 1, 1), **posting)
    completed(who, course, date(2024, 2, 1))
    return who


def test_headcount_and_shortfall(cast, unit, course):
    target(unit, "NETINV", 2, 3)
    holder(cast, unit, course, "Ann", "Able")
    holder(cast, unit, course, "Bob", "Baker")

    line = target_line(build_unit_report(unit, as_of=D), "NETINV", 2)

    assert (line.minimum, line.headcount, line.shortfall) == (3, 2, 1)
    assert [p.name for p in line.holders] == ["Ann Able", "Bob Baker"]


def test_shortfall_is_zero_when_the_minimum_is_exceeded(cast, unit, course):
    target(unit, "NETINV", 2, 1)
    holder(cast, unit, course, "Ann", "Able")
    holder(cast, unit, course, "Bob", "Baker")

    line = target_line(build_unit_report(unit, as_of=D), "NETINV", 2)

    assert (line.headcount, line.shortfall, line.cliff_date) == (2, 0, None)


def test_unit_s_own_target_replaces_its_kind_s_for_the_same_capability_and_level(unit):
    target("force cyber crime unit", "NETINV", 2, 3)
    target("force cyber crime unit", "OSINT", 2, 2)
    target("regional cyber crime unit", "DARKWEB", 2, 1)
    target(unit, "NETINV", 2, 1)

    report = build_unit_report(unit, as_of=D)

    assert [(t.key, t.minimum, t.scope) for t in report.targets] == [
        ("NETINV L2", 1, "unit"),
        ("OSINT L2", 2, "kind"),
    ]


def test_forecast_month_ends_start_after_the_as_of_date(unit):
    target(unit, "NETINV", 2, 1)

    end_of_month = build_unit_report(unit, as_of=D)
    mid_month = build_unit_report(unit, as_of=date(2025, 3, 15), horizon=3)

    assert len(end_of_month.forecast) == 12
    assert end_of_month.forecast[0].month_end == date(2025, 4, 30)
    assert end_of_month.forecast[-1].month_end == date(2026, 3, 31)
    assert [p.month_end for p in mid_month.forecast] == [
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
    ]


def test_horizon_is_at_most_36_months(unit):
    assert len(build_unit_report(unit, as_of=D, horizon=36).forecast) == 36
    with pytest.raises(ValueError):
        build_unit_report(unit, as_of=D, horizon=37)


def test_fund_ending_inside_the_horizon_sets_the_cliff_date_and_its_cause(cast, unit, course):
    target(unit, "NETINV", 2, 2)
    fund = Fund.objects.create(
        code="PTF", name="Police Transformation Fund", ends_on=date(2025, 6, 15)
    )
    holder(cast, unit, course, "Ann", "Able")
    funded = holder(cast, unit, course, "Fay", "Funded", fund=fund)

    report = build_unit_report(unit, as_of=D)
    line = target_line(report, "NETINV", 2)

    assert [p.headcounts["NETINV L2"] for p in report.forecast[:4]] == [2, 2, 1, 1]
    assert line.cliff_date == date(2025, 6, 30)
    (cause,) = line.causes
    assert (cause.person.id, cause.kind, cause.on, cause.at) == (
        funded.pk,
        "fund",
        date(2025, 6, 15),
        date(2025, 6, 30),
    )
    assert cause.why == "fund Police Transformation Fund ends on 2025-06-15"


def test_posting_end_is_the_cause_when_it_comes_before_the_fund_s_end(cast, unit, course):
    target(unit, "NETINV", 2, 1)
    fund = Fund.objects.create(
        code="PTF", name="Police Transformation Fund", ends_on=date(2026, 1, 1)
    )
    holder(cast, unit, course, "Lee", "Leaver", end=date(2025, 8, 20), fund=fund)

    line = target_line(build_unit_report(unit, as_of=D), "NETINV", 2)

    assert line.cliff_date == date(2025, 8, 31)
    assert [(c.kind, c.why) for c in line.causes] == [("posting", "posting ends on 2025-08-20")]


def test_expiry_is_the_cause_when_the_accreditation_lapses_first(cast, unit):
    target(unit, "NETINV", 2, 1)
    gcih = activity("GCIH", {"NETINV": 3}, title="GIAC GCIH", validity_months=48)
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), end=date(2025, 12, 31))
    completed(ann, gcih, date(2021, 5, 1))

    line = target_line(build_unit_report(unit, as_of=D), "NETINV", 2)

    assert line.cliff_date == date(2025, 5, 31)
    assert [(c.kind, c.on, c.why) for c in line.causes] == [
        ("expiry", date(2025, 5, 1), "activity GIAC GCIH expires on 2025-05-01")
    ]


def test_target_already_short_has_the_as_of_date_as_its_cliff_date(unit):
    target(unit, "NETINV", 2, 1)

    line = target_line(build_unit_report(unit, as_of=D), "NETINV", 2)

    assert (line.shortfall, line.cliff_date, line.causes) == (1, D, ())


def test_forecast_assumes_no_new_training(cast, unit, course):
    target(unit, "NETINV", 2, 1)
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1))
    completed(ann, course, date(2025, 5, 1))  # recorded ahead, dated after D

    report = build_unit_report(unit, as_of=D)

    assert [p.headcounts["NETINV L2"] for p in report.forecast[:3]] == [0, 0, 0]


def test_forecast_counts_a_posting_that_starts_inside_the_horizon(cast, unit, course):
    target(unit, "NETINV", 2, 1)
    joiner = person(cast.norfolk, "Jo", "Joiner")
    posted(joiner, unit, start=date(2025, 5, 10))
    completed(joiner, course, date(2024, 2, 1))

    report = build_unit_report(unit, as_of=D)

    assert [p.headcounts["NETINV L2"] for p in report.forecast[:3]] == [0, 1, 1]
    assert target_line(report, "NETINV", 2).cliff_date == D

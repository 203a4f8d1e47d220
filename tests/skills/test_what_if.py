"""Issue 4, what-if: recompute as if people left, a fund ended on another date, or a planned
cohort completed — writing nothing."""

from datetime import date

import pytest
from django.apps import apps

from people.models import Fund
from skills.coverage import PlannedCompletion, WhatIf, build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, requirement_of, role, target, target_line


def row_counts() -> dict[str, int]:
    """Rows in every table, history tables included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def setting(cast, unit):
    target(unit, "NETINV", 2, 2)
    fund = Fund.objects.create(
        code="PTF", name="Police Transformation Fund", ends_on=date(2026, 3, 31)
    )
    course = activity("NET", {"NETINV": 2})
    pursue = role("PURSUE", ("NETINV", 2))
    ann = person(cast.norfolk, "Ann", "Able")
    fay = person(cast.norfolk, "Fay", "Funded")
    new = person(cast.norfolk, "Nia", "New")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    posted(fay, unit, start=date(2024, 1, 1), fund=fund, role=pursue)
    posted(new, unit, start=date(2024, 1, 1), role=pursue)
    completed(ann, course, date(2024, 2, 1))
    completed(fay, course, date(2024, 2, 1))
    return ann, fay, new, fund


def test_without_people_recomputes_as_if_they_left_and_writes_nothing(unit, setting):
    ann, fay, new, fund = setting
    before = row_counts()

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(without_people=frozenset({ann.pk})))

    assert row_counts() == before
    assert [line.person.name for line in report.people] == ["Fay Funded", "Nia New"]
    line = target_line(report, "NETINV", 2)
    assert (line.headcount, line.shortfall, line.cliff_date) == (1, 1, D)
    assert build_unit_report(unit, as_of=D).summary.people == 3


def test_fund_ending_earlier_moves_the_cliff_date_and_writes_nothing(unit, setting):
    ann, fay, new, fund = setting
    assert target_line(build_unit_report(unit, as_of=D), "NETINV", 2).cliff_date is None
    before = row_counts()

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(fund_ends={"PTF": date(2025, 7, 31)}))

    assert row_counts() == before
    fund.refresh_from_db()
    assert fund.ends_on == date(2026, 3, 31)
    line = target_line(report, "NETINV", 2)
    assert line.cliff_date == date(2025, 8, 31)
    assert [c.why for c in line.causes] == ["fund Police Transformation Fund ends on 2025-07-31"]


def test_unknown_fund_code_is_refused(unit, setting):
    with pytest.raises(ValueError, match="No fund with code NOPE"):
        build_unit_report(unit, as_of=D, what_if=WhatIf(fund_ends={"NOPE": D}))


def test_planned_cohort_counts_as_verified_and_writes_nothing(unit, setting):
    ann, fay, new, fund = setting
    before = row_counts()
    plan = PlannedCompletion(activity_code="NET", person_ids=frozenset({new.pk}), completed_on=D)

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(planned=(plan,)))

    assert row_counts() == before
    assert target_line(report, "NETINV", 2).headcount == 3
    assert requirement_of(report, new, "NETINV").status == "met"
    assert report.summary.compliance == 1.0


def test_planned_cohort_after_the_as_of_date_shows_in_the_forecast_only(unit, setting):
    ann, fay, new, fund = setting
    target(unit, "OSINT", 1, 1)
    activity("OS", {"OSINT": 1})
    plan = PlannedCompletion(
        activity_code="OS", person_ids=frozenset({new.pk, ann.pk}), completed_on=date(2025, 5, 12)
    )

    report = build_unit_report(unit, as_of=D, what_if=WhatIf(planned=(plan,)))

    assert target_line(report, "OSINT", 1).headcount == 0
    assert [p.headcounts["OSINT L1"] for p in report.forecast[:3]] == [0, 2, 2]
    assert target_line(report, "OSINT", 1).cliff_date == D


def test_unknown_activity_code_is_refused(unit, setting):
    plan = PlannedCompletion(activity_code="NOPE", person_ids=frozenset({1}), completed_on=D)

    with pytest.raises(ValueError, match="No activity with code NOPE"):
        build_unit_report(unit, as_of=D, what_if=WhatIf(planned=(plan,)))

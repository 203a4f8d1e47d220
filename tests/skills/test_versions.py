"""Requirements and targets that change over time (DESIGN.md, "Planning ahead": Versions)."""

from datetime import date

from skills.coverage import build_unit_report
from skills.models import ResilienceTarget
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role, target, target_line


def _two_holders(cast, unit):
    target(unit, "NETINV", 2, 2)
    pursue = role("PURSUE", ("NETINV", 2))
    net = activity("NET", {"NETINV": 2})
    for first in ("Ann", "Bob"):
        who = person(cast.norfolk, first, "Able")
        posted(who, unit, start=date(2024, 1, 1), role=pursue)
        completed(who, net, date(2024, 2, 1))


def _raise_from(unit, day, minimum):
    old = ResilienceTarget.objects.get(unit=unit)
    return ResilienceTarget.objects.create(
        unit=unit, capability=old.capability, level=old.level, minimum=minimum, valid_from=day
    )


def test_a_target_raised_from_april_shows_its_new_minimum_from_the_april_month_end(cast, unit):
    _two_holders(cast, unit)
    before = build_unit_report(unit, as_of=D, horizon=3)
    _raise_from(unit, date(2025, 4, 1), 3)

    march = build_unit_report(unit, as_of=D, horizon=3)
    line = target_line(march, "NETINV", 2)
    assert (line.minimum, line.headcount, line.shortfall) == (2, 2, 0)
    assert line.forecast_minimums == (3, 3, 3)
    # Two holders all along; the minimum is 3 from the 30 April month end.
    assert line.cliff_date == date(2025, 4, 30)
    assert target_line(before, "NETINV", 2).cliff_date is None

    april = target_line(build_unit_report(unit, as_of=date(2025, 4, 30), horizon=0), "NETINV", 2)
    assert (april.minimum, april.shortfall, april.cliff_date) == (3, 1, date(2025, 4, 30))


def test_a_past_report_is_unchanged_by_a_new_version(cast, unit):
    _two_holders(cast, unit)
    _raise_from(unit, date(2025, 4, 1), 3)

    past = target_line(build_unit_report(unit, as_of=date(2025, 3, 1), horizon=0), "NETINV", 2)
    assert (past.minimum, past.shortfall, past.cliff_date) == (2, 0, None)


def test_a_draft_version_counts_nowhere(cast, unit):
    _two_holders(cast, unit)
    draft = _raise_from(unit, date(2025, 4, 1), 3)
    draft.draft = True
    draft.save()

    line = target_line(build_unit_report(unit, as_of=date(2025, 4, 30), horizon=1), "NETINV", 2)
    assert (line.minimum, line.cliff_date, line.forecast_minimums) == (2, None, (2,))

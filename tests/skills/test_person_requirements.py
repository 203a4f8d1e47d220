"""The officer's pathway: per current posting, the role's requirements in order with their
statuses, deadlines, held-until dates and the pathway progress."""

from datetime import date

from skills.coverage import person_holdings, person_requirements
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role


def test_pathway_lists_each_current_posting_most_recent_first(cast, unit):
    jane = person(cast.norfolk, "Jane", "Smith")
    posted(jane, cast.kent_unit, start=date(2020, 1, 1), end=date(2023, 12, 31))  # ended
    posted(jane, unit, start=date(2024, 1, 1), role=role("PURSUE", ("NETINV", 2), ("OSINT", 1)))
    posted(
        jane,
        cast.joint_unit,
        start=date(2025, 1, 1),
        role=role("PROTECT", ("ADVICE", 2, {"grace": 6})),
    )
    completed(jane, activity("NET", {"NETINV": 2}, validity_months=36), date(2024, 2, 1))

    protect, pursue = person_requirements(jane, D)

    assert (protect.unit_code, protect.role.code) == ("NSJ-CCU", "PROTECT")
    assert [(r.capability.code, r.status, r.deadline) for r in protect.requirements] == [
        ("ADVICE", "due", date(2025, 7, 1))
    ]
    assert protect.progress == 0.0
    assert [(r.order, r.capability.code, r.status, r.held_until) for r in pursue.requirements] == [
        (1, "NETINV", "met", date(2027, 2, 1)),
        (2, "OSINT", "missing", None),
    ]
    assert pursue.progress == 0.5


def test_no_current_posting_means_no_pathway(cast):
    leaver = person(cast.norfolk, "Lee", "Leaver")
    posted(leaver, cast.norfolk_unit, start=date(2020, 1, 1), end=date(2024, 12, 31))

    assert person_requirements(leaver, D) == ()


def test_holdings_show_the_highest_level_held_and_until_when(cast):
    jane = person(cast.norfolk, "Jane", "Smith")
    completed(jane, activity("NET1", {"NETINV": 1}), date(2020, 1, 1))
    completed(jane, activity("NET3", {"NETINV": 3}, validity_months=12), date(2024, 6, 1))
    completed(jane, activity("OLD", {"OSINT": 2}, validity_months=12), date(2023, 1, 1))

    holdings = person_holdings(jane, D)

    assert [(h.capability.code, h.level, h.held_until) for h in holdings] == [
        ("NETINV", 3, date(2025, 6, 1))
    ]

"""DESIGN.md: completions of people in the unit that stop being valid in the 90 days after
the as-of date (D < expiry <= D + 90), with the capabilities that depend on them."""

from datetime import date

from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person


def test_expiring_lists_expiries_after_the_as_of_date_up_to_90_days(cast, unit):
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1))
    cert = activity("CERT", {"NETINV": 2, "MALWARE": 1}, title="GIAC GCIH")
    completed(ann, cert, date(2022, 1, 1), expires_on=D)  # already stopped counting
    on_day_90 = completed(ann, cert, date(2022, 2, 1), expires_on=date(2025, 6, 29))
    completed(ann, cert, date(2022, 3, 1), expires_on=date(2025, 6, 30))  # day 91
    tomorrow = completed(ann, cert, date(2022, 4, 1), expires_on=date(2025, 4, 1))
    completed(ann, cert, date(2022, 5, 1), expires_on=date(2025, 5, 1), status="pending")

    report = build_unit_report(unit, as_of=D)

    assert [(e.completion_id, e.expires_on) for e in report.expiring] == [
        (tomorrow.pk, date(2025, 4, 1)),
        (on_day_90.pk, date(2025, 6, 29)),
    ]
    assert [(c.capability.code, c.level) for c in report.expiring[0].capabilities] == [
        ("MALWARE", 1),
        ("NETINV", 2),
    ]
    assert report.summary.expiring == 2


def test_people_who_have_left_are_not_listed(cast, unit):
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), end=date(2025, 3, 1))
    completed(ann, activity("CERT", {"NETINV": 2}, validity_months=12), date(2024, 5, 1))

    assert build_unit_report(unit, as_of=D).expiring == ()

"""Requirements and targets that change over time (DESIGN.md, "Planning ahead": Versions)."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from skills.coverage import build_unit_report
from skills.models import Requirement, ResilienceTarget
from skills.versions import VersionInForce
from tests.factories import activity, completed, posted
from tests.skills.conftest import (
    D,
    capability,
    expectation,
    person,
    requirement_of,
    role,
    target,
    target_line,
)


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
    old = ResilienceTarget.objects.get(unit=unit)
    ResilienceTarget.objects.create(
        unit=unit, capability=old.capability, level=2, minimum=3, valid_from=date(2025, 4, 1),
        draft=True,
    )  # fmt: skip

    line = target_line(build_unit_report(unit, as_of=date(2025, 4, 30), horizon=1), "NETINV", 2)
    assert (line.minimum, line.cliff_date, line.forecast_minimums) == (2, None, (2,))


def _new_mandatory_osint(profile, day):
    return Requirement.objects.create(
        role_profile=profile, order=2, capability=capability("OSINT"), level=1, mandatory=True,
        grace_months=3, valid_from=day, grace_from=day,
    )  # fmt: skip


def test_a_new_mandatory_requirement_gives_people_in_post_its_grace_then_is_missing(cast, unit):
    pursue = role("PURSUE", ("NETINV", 2))
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    completed(ann, activity("NET", {"NETINV": 2}), date(2024, 2, 1))
    _new_mandatory_osint(pursue, date(2025, 4, 1))

    before = build_unit_report(unit, as_of=D, horizon=0)
    assert [r.capability.code for r in before.people[0].requirements] == ["NETINV"]
    assert before.summary.compliance == 1.0

    # In post since 2024, yet the deadline is 1 April 2025 + 3 months.
    may = build_unit_report(unit, as_of=date(2025, 5, 31), horizon=0)
    osint = requirement_of(may, ann, "OSINT")
    assert (osint.status, osint.deadline, osint.counted) == ("due", date(2025, 7, 1), False)
    assert may.summary.compliance == 1.0

    july = build_unit_report(unit, as_of=date(2025, 7, 1), horizon=0)
    assert requirement_of(july, ann, "OSINT").status == "missing"
    assert (july.summary.requirements_counted, july.summary.compliance) == (2, 0.5)

    # Re-run for the past: the new requirement is not there.
    again = build_unit_report(unit, as_of=D, horizon=0)
    assert [r.capability.code for r in again.people[0].requirements] == ["NETINV"]


# --- a version that has counted is never edited -----------------------------------------


def test_a_version_in_force_refuses_to_be_changed_or_deleted(cast, unit):
    kept = target(unit, "NETINV", 2, 2, expectations=["HMIC-2015-DIGITAL 5.56"])
    kept = ResilienceTarget.objects.get(pk=kept.pk)
    kept.minimum = 3
    with pytest.raises(VersionInForce, match="make a new version|Make a new version"):
        kept.save()
    with pytest.raises(VersionInForce):
        ResilienceTarget.objects.get(pk=kept.pk).delete()
    with pytest.raises(VersionInForce), transaction.atomic():
        ResilienceTarget.objects.get(pk=kept.pk).expectations.add(
            expectation("HMIC-2015-DIGITAL 7.33")
        )
    stored = ResilienceTarget.objects.get(pk=kept.pk)
    assert stored.minimum == 2
    assert [e.key for e in stored.expectations.all()] == ["HMIC-2015-DIGITAL 5.56"]


def test_a_scheduled_or_draft_version_may_still_be_changed(cast, unit):
    target(unit, "NETINV", 2, 2)
    later = _raise_from(unit, date(2099, 4, 1), 3)  # scheduled: after today
    later.minimum = 4
    later.save()
    later.expectations.add(expectation("HMIC-2015-DIGITAL 7.33"))
    assert ResilienceTarget.objects.get(pk=later.pk).minimum == 4
    ResilienceTarget.objects.get(pk=later.pk).delete()
    assert ResilienceTarget.objects.filter(unit=unit).count() == 1


def _admin_values(t, **changes):
    values = {
        "unit_kind": "",
        "unit": t.unit_id,
        "capability": t.capability_id,
        "level": t.level,
        "minimum": t.minimum,
        "valid_from": t.valid_from.isoformat(),
        "expectations": [e.pk for e in t.expectations.all()],
    }
    values.update(changes)
    return values


def test_the_admin_refuses_to_edit_a_version_in_force_and_says_to_make_a_new_one(
    cast, unit, client
):
    kept = target(unit, "NETINV", 2, 2)
    client.force_login(cast.admin)
    url = reverse("admin:skills_resiliencetarget_change", args=[kept.pk])

    response = client.post(url, _admin_values(kept, minimum=3))

    assert response.status_code == 200
    assert "a version in force is never changed" in response.content.decode()
    assert ResilienceTarget.objects.get(pk=kept.pk).minimum == 2
    # Nor can it be deleted there.
    delete = reverse("admin:skills_resiliencetarget_delete", args=[kept.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ResilienceTarget.objects.filter(pk=kept.pk).exists()


def test_the_admin_makes_a_new_version_from_a_later_date_not_from_today(cast, unit, client):
    kept = target(unit, "NETINV", 2, 2)
    client.force_login(cast.admin)
    url = reverse("admin:skills_resiliencetarget_change", args=[kept.pk])

    today_ = client.post(
        url, _admin_values(kept, minimum=3, valid_from="2020-01-01", _saveasnew="1")
    )
    assert today_.status_code == 200
    assert "takes effect after today" in today_.content.decode()
    assert ResilienceTarget.objects.filter(unit=unit).count() == 1

    saved = client.post(
        url, _admin_values(kept, minimum=3, valid_from="2099-04-01", _saveasnew="1")
    )
    assert saved.status_code == 302
    versions = list(ResilienceTarget.objects.series_of(kept).values_list("minimum", "valid_from"))
    assert versions == [(2, kept.valid_from), (3, date(2099, 4, 1))]


def test_the_role_admin_refuses_to_change_a_requirement_in_force(cast, client):
    pursue = role("PURSUE", ("NETINV", 2))
    req = pursue.requirements.get()
    client.force_login(cast.admin)
    prefix = "requirements"
    data = {
        "code": "PURSUE", "name": "Pursue role",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": req.pk, f"{prefix}-0-role_profile": pursue.pk,
        f"{prefix}-0-order": 1, f"{prefix}-0-capability": req.capability_id,
        f"{prefix}-0-level": 2, f"{prefix}-0-mandatory": "on", f"{prefix}-0-grace_months": 6,
        f"{prefix}-0-valid_from": req.valid_from.isoformat(),
        f"{prefix}-0-grace_from": req.grace_from.isoformat(),
    }  # fmt: skip
    url = reverse("admin:skills_roleprofile_change", args=[pursue.pk])

    response = client.post(url, data)
    assert response.status_code == 200
    assert "a version in force is never changed" in response.content.decode()
    assert Requirement.objects.get(pk=req.pk).grace_months == 0

    deleting = client.post(url, {**data, f"{prefix}-0-grace_months": 0, f"{prefix}-0-DELETE": "on"})
    assert deleting.status_code == 200
    assert Requirement.objects.filter(pk=req.pk).exists()

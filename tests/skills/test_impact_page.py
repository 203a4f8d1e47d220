"""The impact page: a unit's counts equal the difference of its two reports either side of the
version's date; only units the viewer oversees; nothing written by looking."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from skills.coverage import build_unit_report
from skills.models import Requirement, ResilienceTarget
from tests.factories import activity, completed, posted
from tests.skills.conftest import capability, person, role, target
from tests.skills.test_impact import _rows

APRIL = date(2099, 4, 1)  # scheduled: after today
JULY = date(2099, 7, 1)


@pytest.fixture
def scheduled(cast, unit):
    """Two holders of NETINV L2 (never expiring); from 1 April 2099 the target is raised
    from 2 to 3 and OSINT L1 becomes mandatory with a 3-month grace period."""
    target(unit, "NETINV", 2, 2)
    pursue = role("PURSUE", ("NETINV", 2))
    net = activity("NET", {"NETINV": 2})
    activity("OSINT-1", {"OSINT": 1}, title="Open source basics")
    for first in ("Ann", "Bob"):
        who = person(cast.norfolk, first, "Able")
        posted(who, unit, start=date(2024, 1, 1), role=pursue)
        completed(who, net, date(2024, 2, 1))
    raised = ResilienceTarget.objects.create(
        unit=unit, capability=capability("NETINV"), level=2, minimum=3, valid_from=APRIL
    )
    osint = Requirement.objects.create(
        role_profile=pursue, order=2, capability=capability("OSINT"), level=1, mandatory=True,
        grace_months=3, valid_from=APRIL, grace_from=APRIL,
    )  # fmt: skip
    return raised, osint


def _url(raised, osint, unit, **more):
    query = f"version=t{raised.pk}&version=r{osint.pk}&unit={unit.code}"
    query += "".join(f"&{k}={v}" for k, v in more.items())
    return f"{reverse('skills:requirement_impact')}?{query}"


def test_the_page_counts_equal_the_difference_of_two_reports(cast, unit, client, scheduled):
    raised, osint = scheduled
    march = build_unit_report(unit, as_of=date(2099, 3, 31), horizon=12)
    july = build_unit_report(unit, as_of=JULY, horizon=12)
    client.force_login(cast.chief)
    before = _rows()  # after logging in, which writes a session

    response = client.get(_url(raised, osint, unit, as_of="2099-07-01"))

    assert response.status_code == 200
    assert _rows() == before
    u = response.context["unit"]
    changed = {
        (line.person.id, r.capability.code)
        for line in july.people
        for r in line.requirements
        if r.capability.code == "OSINT"
    }
    assert {(c.person.id, c.capability.code) for c in u.changes} == changed
    assert {c.after for c in u.changes} == {"missing"}
    assert (u.compliance_before.counted, u.compliance_before.met) == (
        march.summary.requirements_counted, march.summary.requirements_met,
    ) == (2, 2)  # fmt: skip
    assert (u.compliance_after.counted, u.compliance_after.met) == (
        july.summary.requirements_counted, july.summary.requirements_met,
    ) == (4, 2)  # fmt: skip
    (t,) = u.targets_short
    july_line = next(line for line in july.targets if line.capability.code == "NETINV")
    assert (t.minimum_after, t.shortfall_after, t.cliff_after) == (
        july_line.minimum, july_line.shortfall, july_line.cliff_date,
    ) == (3, 1, JULY)  # fmt: skip
    page = response.content.decode()
    assert "100% before, 50% after" in page
    summary = dict(response.context["summary_rows"])
    assert summary["People whose status changes"] == 2
    assert summary["Targets that become short"] == 1
    assert summary["Single points of failure created"] == 0
    assert "Open source basics" in page


def test_as_of_its_date_people_are_due_with_their_deadline(cast, unit, client, scheduled):
    raised, osint = scheduled
    client.force_login(cast.coordinator)

    response = client.get(_url(raised, osint, unit))

    assert response.status_code == 200
    assert response.context["impact"].on == APRIL
    changes = response.context["unit"].changes
    assert {(c.before, c.after, c.deadline) for c in changes} == {(None, "due", JULY)}
    assert "2099-07-01" in response.content.decode()


def test_only_units_the_viewer_oversees_and_only_pending_versions(cast, unit, client, scheduled):
    raised, osint = scheduled
    client.force_login(cast.outsider)  # Kent's coordinator
    assert client.get(_url(raised, osint, unit)).status_code == 404
    client.force_login(cast.officer_user)
    assert client.get(_url(raised, osint, unit)).status_code == 403

    client.force_login(cast.chief)
    kept = ResilienceTarget.objects.get(unit=unit, valid_from__lt=APRIL)
    response = client.get(
        f"{reverse('skills:requirement_impact')}?version=t{kept.pk}&unit={unit.code}"
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    # The form lists the pending versions only.
    form = client.get(reverse("skills:requirement_impact")).context["form"]
    assert {k for k, _ in form.fields["version"].choices} == {f"t{raised.pk}", f"r{osint.pk}"}


def test_the_admin_links_a_pending_version_to_its_impact(cast, unit, client, scheduled):
    raised, _ = scheduled
    client.force_login(cast.admin)
    listing = client.get(reverse("admin:skills_resiliencetarget_changelist")).content.decode()
    link = f"{reverse('skills:requirement_impact')}?version=t{raised.pk}"
    assert f'href="{link}"' in listing
    assert listing.count("See its impact") == 1  # the version in force has none

    response = client.get(link)
    assert response.status_code == 200
    assert response.context["form"].initial["version"] == [f"t{raised.pk}"]
    assert response.context["impact"] is None


def test_the_date_is_typed_in_day_month_year_boxes_and_the_address_may_give_it(
    cast, unit, client, scheduled
):
    """Issue 15 point 7: the GOV.UK date input here too; boxes and ?as_of= give one answer."""
    raised, osint = scheduled
    client.force_login(cast.chief)

    by_address = client.get(_url(raised, osint, unit, as_of="2099-07-01"))
    by_boxes = client.get(_url(raised, osint, unit, as_of_0="1", as_of_1="7", as_of_2="2099"))
    impossible = client.get(_url(raised, osint, unit, as_of_0="30", as_of_1="2", as_of_2="2099"))

    page = by_boxes.content.decode()
    assert all(f'id="id_as_of_{i}"' in page for i in range(3))
    assert 'value="2099"' in by_address.content.decode()
    assert {c.person.id for c in by_boxes.context["unit"].changes} == {
        c.person.id for c in by_address.context["unit"].changes
    }
    assert by_boxes.context["unit"].changes
    assert "must be a real date" in impossible.content.decode()

"""The impact of a change on a force (issue 16, point 2): each of its units, and a total that is
the sum of the units' figures; a bounded number of queries per unit (none per person)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Unit
from skills.impact.services import impact_of_versions
from skills.models import Requirement, ResilienceTarget
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import capability, person, role, target
from tests.skills.test_impact import _rows

APRIL = date(2099, 4, 1)  # scheduled: after today
JULY = date(2099, 7, 1)
TODAY = date(2099, 1, 1)


def _unit(cast, code):
    return UnitFactory(code=code, name=f"Unit {code}", region=cast.eastern, forces=[cast.norfolk])


@pytest.fixture
def force_case(cast):
    """Three Norfolk units. From 1 April 2099 OSINT L1 is mandatory for PURSUE (no grace) and
    unit A's NETINV L2 target is raised from 2 to 3.

    A: Ann, Bob hold NETINV L2 (target 2 → 3), neither OSINT.
    B: Cat holds NETINV and OSINT, Dan NETINV only (target 2).
    C: Eve holds NETINV (target 1)."""
    pursue = role("PURSUE", ("NETINV", 2))
    net = activity("NET", {"NETINV": 2})
    osint_course = activity("OSINT-1", {"OSINT": 1}, title="Open source basics")
    units = {code: _unit(cast, code) for code in ("TST-A", "TST-B", "TST-C")}
    target(units["TST-A"], "NETINV", 2, 2)
    target(units["TST-B"], "NETINV", 2, 2)
    target(units["TST-C"], "NETINV", 2, 1)
    people = {}
    for code, names in {
        "TST-A": ("Ann", "Bob"),
        "TST-B": ("Cat", "Dan"),
        "TST-C": ("Eve",),
    }.items():
        for first in names:
            who = person(cast.norfolk, first, "Test")
            posted(who, units[code], start=date(2024, 1, 1), role=pursue)
            completed(who, net, date(2024, 2, 1))
            people[first] = who
    completed(people["Cat"], osint_course, date(2024, 3, 1))
    raised = ResilienceTarget.objects.create(
        unit=units["TST-A"], capability=capability("NETINV"), level=2, minimum=3, valid_from=APRIL
    )
    osint = Requirement.objects.create(
        role_profile=pursue, order=2, capability=capability("OSINT"), level=1, mandatory=True,
        grace_months=0, valid_from=APRIL, grace_from=APRIL,
    )  # fmt: skip
    return units, people, raised, osint, pursue, net


def _impact(units, raised, osint):
    return impact_of_versions(
        {osint.pk}, {raised.pk}, units=list(units.values()), on=JULY, horizon=0, today=TODAY
    )


def test_the_force_total_is_the_sum_of_its_units(cast, force_case):
    units, people, raised, osint, *_ = force_case
    before = _rows()

    impact = _impact(units, raised, osint)

    assert _rows() == before
    a, b, c = impact.units
    assert [u.unit.code for u in impact.units] == ["TST-A", "TST-B", "TST-C"]
    # By hand, unit by unit.
    assert {(ch.person.id, ch.after) for ch in a.changes} == {
        (people["Ann"].pk, "missing"), (people["Bob"].pk, "missing"),
    }  # fmt: skip
    assert {(ch.person.id, ch.after) for ch in b.changes} == {
        (people["Cat"].pk, "met"), (people["Dan"].pk, "missing"),
    }  # fmt: skip
    assert {(ch.person.id, ch.after) for ch in c.changes} == {(people["Eve"].pk, "missing")}
    assert [(u.compliance_before.counted, u.compliance_before.met) for u in (a, b, c)] == [
        (2, 2), (2, 2), (1, 1),
    ]  # fmt: skip
    assert [(u.compliance_after.counted, u.compliance_after.met) for u in (a, b, c)] == [
        (4, 2), (4, 3), (2, 1),
    ]  # fmt: skip
    assert [len(u.targets_short) for u in (a, b, c)] == [1, 0, 0]
    assert [(s.capability.code, s.person.id) for s in b.single_points_created] == [
        ("OSINT", people["Cat"].pk)
    ]
    assert a.single_points_created == c.single_points_created == ()

    (force,) = impact.forces
    assert force.force.code == "norfolk"
    assert force.units == ("TST-A", "TST-B", "TST-C")
    # The total: the sum of the units (no unit is inside another here).
    assert force.people_changed == sum(len({ch.person.id for ch in u.changes}) for u in (a, b, c))
    assert force.people_changed == 5
    assert force.targets_short == sum(len(u.targets_short) for u in (a, b, c)) == 1
    assert force.single_points_created == 1
    assert (force.compliance_before.counted, force.compliance_before.met) == (5, 5)
    assert (force.compliance_after.counted, force.compliance_after.met) == (10, 6)
    assert force.compliance_after.value == pytest.approx(0.6)
    needs = {n.key: (n.people, n.places) for n in force.training}
    per_unit = {}
    for u in (a, b, c):
        for n in u.training:
            people_, places = per_unit.get(n.key, (0, 0))
            per_unit[n.key] = (people_ + n.people, places + n.places)
    assert needs == per_unit == {"NETINV L2": (0, 1), "OSINT L1": (4, 0)}
    osint_need = next(n for n in force.training if n.key == "OSINT L1")
    assert [act.code for act in osint_need.activities] == ["OSINT-1"]


def test_the_command_gives_each_unit_and_the_force_total(cast, force_case):
    units, people, raised, osint, *_ = force_case
    args = ["requirement_impact", "--target", str(raised.pk), "--requirement", str(osint.pk)]
    args += ["--force", "norfolk", "--on", "2099-07-01", "--horizon", "0"]
    out = io.StringIO()
    call_command(*args, stdout=out)
    data = json.loads(out.getvalue())
    out = io.StringIO()
    call_command(*args, "--format", "csv", stdout=out)
    mine = [u for u in data["units"] if u["unit"] in units]
    assert len(mine) == 3
    # Norfolk's units include joint ones, which also count in their other forces' totals.
    force = next(f for f in data["forces"] if f["force"] == "norfolk")
    assert set(units) <= set(force["units"])
    assert force["people_changed"] == 5 + sum(
        len({c["person_id"] for c in u["status_changes"]})
        for u in data["units"]
        if u["unit"] not in units
    )
    rows = {(r[0], r[1]): r for r in csv.reader(io.StringIO(out.getvalue()))}
    assert rows[("force people whose status changes", "norfolk")][8] == str(force["people_changed"])
    assert rows[("force targets short", "norfolk")][8] == str(force["targets_short"])


def test_a_unit_inside_another_is_counted_once_in_the_force_total(cast, force_case):
    units, people, raised, osint, *_ = force_case
    Unit.objects.filter(pk=units["TST-C"].pk).update(parent=units["TST-B"])
    units["TST-C"].refresh_from_db()

    impact = _impact(units, raised, osint)

    b = next(u for u in impact.units if u.unit.code == "TST-B")
    assert {ch.person.id for ch in b.changes} == {
        people["Cat"].pk,
        people["Dan"].pk,
        people["Eve"].pk,
    }  # fmt: skip (B's report covers C inside it)
    (force,) = impact.forces
    assert force.people_changed == 5  # Eve once
    assert (force.compliance_after.counted, force.compliance_after.met) == (10, 6)


def _queries(units, raised, osint) -> int:
    with CaptureQueriesContext(connection) as captured:
        _impact(units, raised, osint)
    return len(captured)


def test_a_force_of_three_units_costs_a_fixed_number_of_queries(
    cast, force_case, django_assert_max_num_queries
):
    units, people, raised, osint, pursue, net = force_case
    # Two reports a unit (before, after) of at most 12 queries each, and 6 for the whole:
    # choosing the versions, the activities and the unit tree (70 when written).
    with django_assert_max_num_queries(3 * 2 * 12 + 6):
        _impact(units, raised, osint)
    few = _queries(units, raised, osint)
    # Three times the people: not one query more (no query per person).
    for code, unit in units.items():
        for i in range(2 * len(people)):
            who = person(cast.norfolk, f"More{i}", code)
            posted(who, unit, start=date(2024, 1, 1), role=pursue)
            completed(who, net, date(2024, 2, 1))
    assert _queries(units, raised, osint) == few


def test_the_page_shows_a_force_total_and_each_unit(cast, client, force_case):
    units, people, raised, osint, *_ = force_case
    client.force_login(cast.chief)
    url = reverse("skills:requirement_impact")
    query = f"?version=t{raised.pk}&version=r{osint.pk}&force=norfolk&as_of=2099-07-01"
    before = _rows()

    response = client.get(url + query)

    assert response.status_code == 200
    assert _rows() == before
    total = response.context["force_impact"]
    impact = response.context["impact"]
    codes = [u.unit.code for u in impact.units]
    assert {"TST-A", "TST-B", "TST-C"} <= set(codes)
    assert total.people_changed == sum(len({c.person.id for c in u.changes}) for u in impact.units)
    assert total.targets_short == sum(len(u.targets_short) for u in impact.units) >= 1
    summary = dict(response.context["summary_rows"])
    assert summary["People whose status changes"] == total.people_changed
    assert summary["Units"] == len(codes)
    page = response.content.decode()
    for code in ("TST-A", "TST-B", "TST-C"):
        assert f'id="unit-{code}"' in page and f'href="#unit-{code}"' in page
    assert "Training that would close the gap: Norfolk" in page


def test_the_page_offers_only_forces_in_scope_and_one_of_unit_or_force(cast, client, force_case):
    units, people, raised, osint, *_ = force_case
    url = reverse("skills:requirement_impact")
    versions = f"?version=t{raised.pk}&version=r{osint.pk}"
    client.force_login(cast.outsider)  # Kent's coordinator
    form = client.get(url).context["form"]
    assert {code for code, _ in form.fields["force"].choices} == {"", "kent"}
    assert client.get(url + versions + "&force=norfolk").status_code == 404
    client.force_login(cast.chief)
    neither = client.get(url + versions + "&look=1")
    both = client.get(url + versions + "&force=norfolk&unit=TST-A")
    assert (neither.status_code, both.status_code) == (400, 400)
    assert "Choose a unit or a force" in neither.content.decode()
    assert "Choose a unit or a force, not both" in both.content.decode()

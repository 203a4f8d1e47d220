"""A force-wide training plan (issue 16, point 4): every unit of the force, each unit's targets
counting only its own people, a person in two units counted once, one budget."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Offering
from skills.plan.build import build_force_plan
from skills.plan.explain import explain, explain_shortfalls
from skills.plan.model import Budget, solve
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, person, target


def offering(act, force, start, cost, units):
    o = Offering.objects.create(
        activity=act, starts_on=start, ends_on=start, places=4, cost_pence=cost, owner_force=force
    )
    o.open_to_units.set(units)
    return o


def force_with_two_units(cast):
    """Norfolk: NOR-CCU (Jane and Pat hold NETINV L2, Sam does not) and the joint NSJ-CCU
    (Pat again, and Dev, who does not). Course A is open to NOR-CCU at £600; course B to
    NSJ-CCU at £100. Kent's unit and course are not Norfolk's."""
    nor = cast.norfolk_unit
    nsj = cast.joint_unit
    course = activity("NET", {"NETINV": 2}, title="Network investigation")
    pat = person(cast.norfolk, "Pat", "Both")
    dev = person(cast.suffolk, "Dev", "Patel")
    posted(pat, nor, start=date(2024, 1, 1))
    posted(pat, nsj, start=date(2024, 1, 1))
    posted(dev, nsj, start=date(2024, 1, 1))
    completed(cast.officer, course, date(2024, 2, 1))
    completed(pat, course, date(2024, 2, 1))
    a = offering(course, cast.norfolk, date(2025, 4, 10), 60000, [nor])
    b = offering(course, cast.norfolk, date(2025, 4, 10), 10000, [nsj])
    offering(course, cast.kent, date(2025, 4, 10), 1, [cast.kent_unit])
    return course, pat, dev, a, b


def booked(result):
    return {(p.person_id, p.offering_id) for p in result.proposals}


def test_a_target_counts_only_its_units_people(cast):
    """NOR-CCU needs 3: only Sam can close it, on course A. Course B is cheaper, and Dev could
    take it, but Dev is not in NOR-CCU: pooled over the force, B would wrongly be chosen."""
    _, pat, dev, a, b = force_with_two_units(cast)
    target(cast.norfolk_unit, "NETINV", 2, 3)

    data = build_force_plan(cast.norfolk, as_of=D, horizon=6, time_limit=10)
    assert [t.label for t in data.targets] == ["NETINV L2 in NOR-CCU"]
    ids = sorted(p.id for p in data.people)
    assert ids == sorted([cast.officer.pk, cast.colleague.pk, pat.pk, dev.pk])  # Pat once
    both = next(p for p in data.people if p.id == pat.pk)
    assert set(both.units) == {"NOR-CCU", "NSJ-CCU"}
    assert sorted(o.id for o in data.offerings) == sorted([a.pk, b.pk])  # not Kent's

    result = solve(data)
    assert booked(result) == {(cast.colleague.pk, a.pk)}
    assert result.cost_pence == 60000
    assert result.headcount_before["NETINV L2 in NOR-CCU"][date(2025, 4, 30)] == 2
    assert set(result.headcount_after["NETINV L2 in NOR-CCU"].values()) == {3}
    assert result.shortfalls == []
    [line] = explain(data, result)
    assert line.text == (
        "Sam Jones: Network investigation, 10 April 2025 — brings NETINV L2 in NOR-CCU up to"
        " 3 (minimum 3) from 30 April 2025"
    )


def test_each_units_target_is_closed_from_its_own_offering_within_one_budget(cast):
    """NSJ-CCU needs 2 as well: Pat holds it there; Dev on course B (the only one open to
    him) closes it. Both bookings: £700. Within £650 only one fits, and either leaves one
    target short by 1 at every month end; Dev's also ends NSJ-CCU resting on Pat alone, so it
    is the one, and NOR-CCU's shortfall is reported with what closing it costs (Sam, £600)."""
    _, pat, dev, a, b = force_with_two_units(cast)
    target(cast.norfolk_unit, "NETINV", 2, 3)
    target(cast.joint_unit, "NETINV", 2, 2)

    data = build_force_plan(cast.norfolk, as_of=D, horizon=6, time_limit=10)
    assert sorted(t.label for t in data.targets) == [
        "NETINV L2 in NOR-CCU",
        "NETINV L2 in NSJ-CCU",
    ]
    result = solve(data)
    assert booked(result) == {(cast.colleague.pk, a.pk), (dev.pk, b.pk)}
    assert result.cost_pence == 70000
    assert set(result.headcount_after["NETINV L2 in NSJ-CCU"].values()) == {2}

    data = build_force_plan(
        cast.norfolk, as_of=D, horizon=6, budget=Budget(money_pence=65000), time_limit=10
    )
    result = solve(data)
    assert booked(result) == {(dev.pk, b.pk)}
    [short] = result.shortfalls
    assert short.target.label == "NETINV L2 in NOR-CCU"
    assert short.cost_to_close_pence == 60000 and short.bookings_to_close == 1
    assert explain_shortfalls(result) == [
        "NETINV L2 in NOR-CCU is short by up to 1 from 30 April 2025: closing it would take"
        " 1 booking costing £600.00"
    ]
    [line] = explain(data, result)
    assert line.text == (
        "Dev Patel: Network investigation, 10 April 2025 — brings NETINV L2 in NSJ-CCU up to"
        " 2 (minimum 2) from 30 April 2025"
    )


def test_force_plan_queries_grow_with_units_not_people(cast):
    force_with_two_units(cast)
    target(cast.norfolk_unit, "NETINV", 2, 3)
    with CaptureQueriesContext(connection) as few:
        build_force_plan(cast.norfolk, as_of=D, horizon=6)
    for n in range(10):
        extra = person(cast.norfolk, f"Extra{n}", "Person")
        posted(extra, cast.norfolk_unit, start=date(2024, 1, 1))
        posted(extra, cast.joint_unit, start=date(2024, 1, 1))
    with CaptureQueriesContext(connection) as many:
        build_force_plan(cast.norfolk, as_of=D, horizon=6)
    assert len(many) == len(few)
    # A third unit adds a unit report's queries, not more.
    UnitFactory(
        code="NOR-DFU", name="Norfolk forensic unit", region=cast.eastern, forces=[cast.norfolk]
    )
    with CaptureQueriesContext(connection) as more_units:
        build_force_plan(cast.norfolk, as_of=D, horizon=6)
    assert len(few) < len(more_units) < 2 * len(few)

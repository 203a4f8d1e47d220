"""The coverage overview (skills/overview/services.py): each unit's figures are those of its unit
report, roll-ups are the sums of their units, and the query count does not grow with units or
people."""

from __future__ import annotations

from datetime import date

import pytest

from courses.models import Status
from people.models import Fund, PersonType
from skills.coverage import WhatIf, build_unit_report
from skills.models import Capability, Function
from skills.overview.services import (
    build_overview,
    build_trend,
    roll_ups_in_scope,
    trend_month_ends,
    units_in_scope,
)
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, person, role, target

TRAINING = "HMIC-2015-DIGITAL 5.56"
CAPACITY = "HMICFRS-2019-CYBER Q2"
KIND = "force cyber crime unit"


@pytest.fixture
def landscape(cast):
    return build_landscape(cast)


def build_landscape(cast):
    """Norfolk's unit (with a team inside it), the Norfolk and Suffolk joint unit, a Suffolk
    unit and Kent's unit, with targets of their kind and their own, requirements citing
    expectations, a fund and a posting that end, pending and expiring completions and a special."""
    target(KIND, "NETINV", 2, 2, [CAPACITY])
    target(KIND, "VICTIM", 1, 1, [CAPACITY])
    protect = Capability.objects.get(code="VICTIM")
    protect.function = Function.PROTECT
    protect.save()
    target(cast.norfolk_unit, "NETINV", 2, 1, [CAPACITY])  # replaces the kind's for Norfolk
    target(cast.joint_unit, "MALWARE", 3, 1)
    target(cast.kent_unit, "MALWARE", 3, 1)
    pursue = role(
        "PURSUE",
        ("NETINV", 2, {"expectations": [TRAINING]}),
        ("OSINT", 1, {"expectations": [TRAINING], "grace": 6}),
        ("MALWARE", 3, {"mandatory": False}),
    )
    protector = role("PROTECT", ("VICTIM", 1, {"expectations": [TRAINING]}))
    team = UnitFactory(
        code="NOR-TEAM",
        name="Norfolk dark web team",
        region=cast.eastern,
        forces=[cast.norfolk],
        parent=cast.norfolk_unit,
        kind="specialist capability team",
    )
    suffolk_unit = UnitFactory(
        code="SUF-CCU", name="Suffolk cyber crime unit", region=cast.eastern, forces=[cast.suffolk]
    )
    fund = Fund.objects.create(code="TF", name="Transformation fund", ends_on=date(2025, 6, 30))
    net = activity("NET", {"NETINV": 2}, validity_months=36)
    osint = activity("OS", {"OSINT": 1})
    victim = activity("VIC", {"VICTIM": 1}, validity_months=12)
    malware = activity("MAL", {"MALWARE": 3})

    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.norfolk, "Bob", "Baker")
    cat = person(cast.suffolk, "Cat", "Cole", person_type=PersonType.SPECIAL)
    dan = person(cast.norfolk, "Dan", "Dane")
    eve = person(cast.suffolk, "Eve", "Evans")
    kim = person(cast.kent, "Kim", "Kay")
    posted(ann, cast.norfolk_unit, start=date(2023, 1, 1), role=pursue)
    posted(bob, cast.norfolk_unit, start=date(2023, 1, 1), role=pursue, fund=fund)
    posted(dan, team, start=date(2024, 6, 1), role=pursue, end=date(2025, 8, 31))
    posted(cat, cast.joint_unit, start=date(2024, 1, 1), role=protector)
    posted(eve, cast.joint_unit, start=date(2025, 3, 1), role=pursue)
    posted(ann, cast.joint_unit, start=date(2024, 1, 1), role=protector)
    posted(eve, suffolk_unit, start=date(2022, 1, 1), role=pursue)
    posted(kim, cast.kent_unit, start=date(2022, 1, 1), role=pursue)
    completed(ann, net, date(2023, 2, 1))
    completed(ann, osint, date(2023, 2, 1))
    completed(ann, victim, date(2024, 5, 1))  # expires 2025-05-01: expiring on D
    completed(bob, net, date(2024, 1, 1))
    completed(bob, osint, date(2025, 1, 1), status=Status.PENDING)
    completed(dan, net, date(2024, 7, 1))
    completed(dan, malware, date(2024, 7, 1))
    completed(cat, victim, date(2025, 1, 10))
    completed(eve, net, date(2021, 1, 1))  # expired 2024-01-01
    completed(eve, malware, date(2022, 1, 1))
    completed(kim, net, date(2024, 1, 1))
    # Kim also holds malware triage through a collection of labs (2 of 3 within 12 months),
    # and Eve victim care through a certificate with its own expiry.
    labs = [activity(f"LAB-{i}", kind="lab", title=f"Lab {i}") for i in range(3)]
    coll = activity(
        "COLL", {"MALWARE": 3}, kind="collection", title="Malware labs", threshold=2,
        validity_months=12,
    )  # fmt: skip
    coll.labs.set(labs)
    completed(kim, labs[0], date(2024, 6, 30))
    completed(kim, labs[1], date(2024, 9, 15))
    completed(kim, labs[2], date(2023, 1, 1))
    completed(kim, labs[1], date(2023, 1, 1))
    completed(eve, victim, date(2024, 10, 1), expires_on=date(2025, 6, 15))
    return {"team": team, "suffolk": suffolk_unit, "people": [ann, bob, cat, dan, eve, kim]}


def _units(cast, landscape):
    team, suffolk = landscape["team"], landscape["suffolk"]
    return [cast.norfolk_unit, cast.joint_unit, cast.kent_unit, team, suffolk]


def _assert_same_as_report(line, report):
    assert line.people == report.summary.people
    assert line.compliance == report.summary.compliance
    assert line.requirements_counted == report.summary.requirements_counted
    assert line.requirements_met == report.summary.requirements_met
    assert [(c.key, c.minimum, c.headcount, c.shortfall, c.cliff_date) for c in line.cells] == [
        (t.key, t.minimum, t.headcount, t.shortfall, t.cliff_date) for t in report.targets
    ]
    assert [(s.capability.code, s.level, p.id) for s, p in line.single_points_of_failure] == [
        (s.capability.code, s.level, s.person.id) for s in report.single_points_of_failure
    ]
    assert line.expectations == report.expectations
    assert line.targets_met == report.summary.targets_met
    assert line.targets_short == report.summary.targets_short


@pytest.mark.parametrize("as_of", [D, date(2025, 7, 15), date(2024, 2, 29)])
def test_each_units_figures_equal_its_unit_report(cast, landscape, as_of):
    overview = build_overview(_units(cast, landscape), as_of=as_of)

    assert len(overview.units) == 5
    for unit in _units(cast, landscape):
        report = build_unit_report(unit, as_of=as_of)
        _assert_same_as_report(overview.unit(unit.code), report)


def test_the_hand_built_figures_are_the_expected_ones(cast, landscape):
    overview = build_overview(_units(cast, landscape), as_of=D)
    norfolk = overview.unit("NOR-CCU")

    # The cast's two officers, Ann, Bob and Dan (in the team inside the unit).
    assert norfolk.people == 5
    (netinv,) = [c for c in norfolk.cells if c.key == "NETINV L2"]
    assert (netinv.minimum, netinv.headcount, netinv.shortfall) == (1, 3, 0)
    # Bob's fund ends 2025-06-30, Dan's posting 2025-08-31, Ann's course expires 2026-02-01.
    assert netinv.cliff_date == date(2026, 2, 28)
    # Ann alone holds victim care, until 2025-05-01: a single point of failure, and the
    # target falls short at the May month end.
    victim = norfolk.cell("VICTIM L1")
    assert (victim.headcount, victim.shortfall) == (1, 0)
    assert victim.cliff_date == date(2025, 5, 31)
    assert victim.single_point_of_failure
    assert norfolk.earliest_cliff_date == date(2025, 5, 31)
    # Requirements counted: NETINV for each of three, OSINT for Ann (met), Bob (pending,
    # deadline passed), Dan (met? no: due until 2024-12-01, so missing on D).
    assert (norfolk.requirements_met, norfolk.requirements_counted) == (4, 6)
    joint = overview.unit("NSJ-CCU")
    # Eve's network investigation expired; Cat and Ann both hold victim care.
    assert [(s.capability.code, p.name) for s, p in joint.single_points_of_failure] == [
        ("MALWARE", "Eve Evans"),
        ("NETINV", "Ann Able"),
        ("OSINT", "Ann Able"),
    ]
    assert joint.cell("NETINV L2").single_point_of_failure
    assert not joint.cell("VICTIM L1").single_point_of_failure
    assert (joint.cell("NETINV L2").shortfall, joint.cell("NETINV L2").cliff_date) == (1, D)
    # Kim's collection is held until the second latest lab leaves the window (2025-06-30).
    malware = overview.unit("KEN-CCU").cell("MALWARE L3")
    assert (malware.headcount, malware.cliff_date) == (1, date(2025, 6, 30))


def test_force_and_region_roll_ups_are_the_sum_of_their_units(cast, landscape):
    overview = build_overview(_units(cast, landscape), as_of=D)
    by_code = {u.unit.code: u for u in overview.units}
    norfolk = overview.force("norfolk")
    suffolk = overview.force("suffolk")
    eastern = overview.region("eastern")

    # The team inside Norfolk's unit counts through it; the joint unit counts in both forces.
    assert norfolk.unit_codes == ("NSJ-CCU", "NOR-CCU")
    assert suffolk.unit_codes == ("NSJ-CCU", "SUF-CCU")
    assert set(eastern.unit_codes) == {"NSJ-CCU", "NOR-CCU", "SUF-CCU"}
    for roll_up in (norfolk, suffolk, eastern):
        units = [by_code[c] for c in roll_up.unit_codes]
        assert roll_up.people == sum(u.people for u in units)
        assert roll_up.requirements_met == sum(u.requirements_met for u in units)
        assert roll_up.requirements_counted == sum(u.requirements_counted for u in units)
        assert roll_up.targets_total == sum(u.targets_total for u in units)
        assert roll_up.targets_met == sum(u.targets_met for u in units)
        assert roll_up.shortfall == sum(u.shortfall for u in units)
        assert roll_up.single_points_of_failure == sum(
            len(u.single_points_of_failure) for u in units
        )
        for key, (headcount, minimum) in roll_up.headcounts.items():
            cells = [u.cell(key) for u in units if u.cell(key)]
            assert headcount == sum(c.headcount for c in cells)
            assert minimum == sum(c.minimum for c in cells)
    assert norfolk.people == 5 + 3
    assert norfolk.compliance == pytest.approx(
        (by_code["NOR-CCU"].requirements_met + by_code["NSJ-CCU"].requirements_met)
        / (by_code["NOR-CCU"].requirements_counted + by_code["NSJ-CCU"].requirements_counted)
    )
    assert overview.force("kent").unit_codes == ("KEN-CCU",)
    assert overview.region("south-east").people == 2  # Kim and the cast's Kent special


def test_filter_by_function_keeps_only_that_functions_capabilities(cast, landscape):
    overview = build_overview(_units(cast, landscape), as_of=D, function=Function.PROTECT)

    assert [c.capability.code for c in overview.columns] == ["VICTIM"]
    norfolk = overview.unit("NOR-CCU")
    assert [c.key for c in norfolk.cells] == ["VICTIM L1"]
    # Only the protect role's VICTIM requirement counts; none of Norfolk's postings has it.
    assert norfolk.requirements_counted == 0
    assert norfolk.compliance is None
    joint = overview.unit("NSJ-CCU")
    # Cat (met) and Ann (expiring) in the joint unit both count.
    assert (joint.requirements_met, joint.requirements_counted) == (2, 2)


def test_filter_by_person_type_counts_only_those_people(cast, landscape):
    units = _units(cast, landscape)
    overview = build_overview(units, as_of=D, person_type=PersonType.SPECIAL)

    others = frozenset(p.pk for p in landscape["people"] if p.person_type != PersonType.SPECIAL)
    others |= {cast.officer.pk, cast.colleague.pk}
    for unit in units:
        report = build_unit_report(unit, as_of=D, what_if=WhatIf(without_people=others))
        _assert_same_as_report(overview.unit(unit.code), report)
    assert overview.unit("NSJ-CCU").people == 1


def test_expectations_view_counts_match_the_unit_reports(cast, landscape):
    overview = build_overview(_units(cast, landscape), as_of=D)
    expectations = {e.key: e for e in overview.expectations()}

    assert set(expectations) == {TRAINING, CAPACITY}
    for unit in _units(cast, landscape):
        report = build_unit_report(unit, as_of=D)
        for line in report.expectations:
            tally = next(t for t in expectations[line.key].units if t.code == unit.code)
            assert (tally.targets_met, tally.targets_total) == (
                line.targets_met,
                line.targets_total,
            )
            assert (tally.requirements_met, tally.requirements_total) == (
                line.requirements_met,
                line.requirements_total,
            )
    training = expectations[TRAINING]
    norfolk_unit = next(t for t in training.units if t.code == "NOR-CCU")
    # Ann meets every requirement citing 5.56; Bob (OSINT pending) and Dan (OSINT missing) not.
    assert (norfolk_unit.people_meeting, norfolk_unit.people_applying) == (1, 3)
    norfolk = next(t for t in training.forces if t.code == "norfolk")
    joint = next(t for t in training.units if t.code == "NSJ-CCU")
    assert norfolk.requirements_total == norfolk_unit.requirements_total + joint.requirements_total
    assert norfolk.people_applying == norfolk_unit.people_applying + joint.people_applying


def test_trend_points_equal_the_unit_reports_as_of_each_month_end(cast, landscape):
    units = _units(cast, landscape)
    trend = build_trend(units, as_of=date(2025, 8, 15))

    assert [p.month_end for p in trend.points] == trend_month_ends(date(2025, 8, 15))
    assert trend.points[0].month_end == date(2024, 8, 31)
    assert trend.points[-1].month_end == date(2025, 7, 31)
    for point in trend.points:
        for unit in units:
            report = build_unit_report(unit, as_of=point.month_end, horizon=0)
            people, compliance, headcount, minimum = point.units[unit.code]
            assert people == report.summary.people
            assert compliance == report.summary.compliance
            assert headcount == sum(t.headcount for t in report.targets)
            assert minimum == sum(t.minimum for t in report.targets)
        norfolk = point.forces["norfolk"]
        assert norfolk[0] == point.units["NOR-CCU"][0] + point.units["NSJ-CCU"][0]


def test_trend_month_ends_include_the_as_of_date_when_it_is_a_month_end():
    assert trend_month_ends(date(2025, 3, 31), 3) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]
    assert trend_month_ends(date(2024, 3, 30), 2) == [date(2024, 1, 31), date(2024, 2, 29)]


def test_a_chief_officer_of_one_force_sees_nothing_of_another(cast, landscape):
    codes = set(units_in_scope(cast.chief).values_list("code", flat=True))

    assert codes == {"NOR-CCU", "NOR-TEAM", "NSJ-CCU"}
    forces, regions = roll_ups_in_scope(cast.chief)
    overview = build_overview(units_in_scope(cast.chief), as_of=D, forces=forces, regions=regions)
    # The joint unit is Suffolk's too, but only Norfolk is summed: a "Suffolk" row of it
    # alone would read as the whole force.
    assert [f.code for f in overview.forces] == ["norfolk"]
    assert overview.regions == ()
    assert overview.unit("KEN-CCU") is None
    assert overview.force("kent") is None
    assert overview.region("south-east") is None


def test_a_regional_lead_sees_every_force_of_their_region_and_no_other(cast, landscape):
    forces, regions = roll_ups_in_scope(cast.regional_lead)
    overview = build_overview(
        units_in_scope(cast.regional_lead), as_of=D, forces=forces, regions=regions
    )

    assert {u.unit.code for u in overview.units} == {"NOR-CCU", "NOR-TEAM", "NSJ-CCU", "SUF-CCU"}
    assert {f.code for f in overview.forces} == {"norfolk", "suffolk"}
    assert [r.code for r in overview.regions] == ["eastern"]


def test_officers_without_oversight_have_no_scope(cast, landscape):
    assert not units_in_scope(cast.officer_user).exists()
    assert roll_ups_in_scope(cast.national_lead) == (None, None)
    assert units_in_scope(cast.national_lead).count() == 5
    assert units_in_scope(cast.admin).count() == 5


def _grow(cast, name: str, n_units: int, n_people: int):
    pursue = role(name, ("NETINV", 2), ("OSINT", 1))
    net = activity(f"{name}-NET", {"NETINV": 2}, validity_months=24)
    units = []
    for i in range(n_units):
        unit = UnitFactory(code=f"{name}-{i}", region=cast.eastern, forces=[cast.norfolk])
        target(unit, "NETINV", 2, 2)
        units.append(unit)
        for j in range(n_people):
            who = person(cast.norfolk, f"P{j}", f"{name}{i}")
            posted(who, unit, start=date(2024, 1, 1), role=pursue)
            completed(who, net, date(2024, 2, 1))
    return units


def test_query_count_does_not_grow_with_units_or_people(cast, django_assert_max_num_queries):
    target(KIND, "VICTIM", 1, 1, [CAPACITY])
    small = _grow(cast, "SMALL", 2, 2)
    with django_assert_max_num_queries(18) as small_ctx:
        build_overview(small, as_of=D)
    large = small + _grow(cast, "LARGE", 8, 6)
    with django_assert_max_num_queries(18) as large_ctx:
        overview = build_overview(large, as_of=D)
    assert len(large_ctx.captured_queries) == len(small_ctx.captured_queries)
    assert overview.force("norfolk").people == 2 * 2 + 8 * 6
    with django_assert_max_num_queries(18):
        build_trend(large, as_of=D)


@pytest.mark.parametrize("as_of", [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)])
def test_expiry_at_month_ends_counts_as_the_unit_report_counts_it(cast, unit, as_of):
    target(unit, "NETINV", 1, 1)
    monthly = activity("MONTHLY", {"NETINV": 1}, validity_months=1)
    yearly = activity("YEARLY", {"NETINV": 1}, validity_months=12)
    for i, (act, on) in enumerate(
        [
            (monthly, date(2024, 1, 31)),  # expires 2024-02-29
            (monthly, date(2024, 1, 28)),  # expires 2024-02-28
            (yearly, date(2023, 2, 28)),  # expires 2024-02-28
            (yearly, date(2023, 3, 1)),  # expires 2024-03-01
        ]
    ):
        who = person(cast.norfolk, f"P{i}", "Edge")
        posted(who, unit, start=date(2023, 1, 1))
        completed(who, act, on)

    (cell,) = build_overview([unit], as_of=as_of).unit(unit.code).cells
    (line,) = build_unit_report(unit, as_of=as_of).targets

    assert (cell.headcount, cell.cliff_date) == (line.headcount, line.cliff_date)
    assert (
        cell.headcount == {date(2024, 2, 28): 2, date(2024, 2, 29): 1, date(2024, 3, 1): 0}[as_of]
    )


def test_an_empty_scope_has_no_units_and_no_roll_ups(db):
    overview = build_overview([], as_of=D)

    assert (overview.units, overview.forces, overview.regions) == ((), (), ())
    assert overview.expectations() == ()
    assert build_trend([], as_of=D).points[-1].units == {}

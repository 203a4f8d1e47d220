"""The impact of a requirement or target change (issue 16, point 2): the difference of two runs
of the coverage engine, person by person and target by target, with nothing written."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import pytest
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command

from skills.catalogue import CATALOGUE_DIR, load_catalogue
from skills.coverage import build_unit_report
from skills.impact.services import ImpactError, impact_of_catalogue, impact_of_versions
from skills.models import Requirement, ResilienceTarget
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, capability, person, role, target

APRIL = date(2025, 4, 1)


def _rows() -> dict:
    """Every table's row count, history included, and the versions' values."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    counts["versions"] = sorted(
        Requirement.objects.values_list("pk", "order", "valid_from", "draft", "retired")
    ) + sorted(ResilienceTarget.objects.values_list("pk", "minimum", "valid_from", "draft"))
    return counts


def _two_holders(cast, unit):
    target(unit, "NETINV", 2, 2)
    pursue = role("PURSUE", ("NETINV", 2))
    net = activity("NET", {"NETINV": 2})
    for first in ("Ann", "Bob"):
        who = person(cast.norfolk, first, "Able")
        posted(who, unit, start=date(2024, 1, 1), role=pursue)
        completed(who, net, date(2024, 2, 1))
    return pursue


def _raise_target(unit, minimum=3, draft=False):
    old = ResilienceTarget.objects.get(unit=unit)
    return ResilienceTarget.objects.create(
        unit=unit, capability=old.capability, level=2, minimum=minimum, valid_from=APRIL,
        draft=draft,
    )  # fmt: skip


def test_a_target_raised_from_2_to_3_from_a_future_date_shows_short_with_its_cliff(cast, unit):
    _two_holders(cast, unit)
    raised = _raise_target(unit)
    before = _rows()

    impact = impact_of_versions(target_ids={raised.pk}, units=[unit], on=D, horizon=3, today=D)

    (u,) = impact.units
    (t,) = u.targets
    assert (t.minimum_before, t.minimum_after, t.headcount) == (2, 2, 2)
    assert (t.shortfall_before, t.shortfall_after) == (0, 0)
    # Two holders all along; three needed from the 30 April month end.
    assert (t.cliff_before, t.cliff_after, t.places, t.becomes_short) == (
        None, date(2025, 4, 30), 1, True,
    )  # fmt: skip
    (need,) = u.training
    assert (need.capability.code, need.level, need.people, need.places) == ("NETINV", 2, 0, 1)
    assert [a.code for a in need.activities] == ["NET"]
    assert u.changes == ()
    assert _rows() == before

    # By default, as of the day it takes effect: short by one at once.
    on_the_day = impact_of_versions(target_ids={raised.pk}, units=[unit], horizon=0, today=D)
    (t,) = on_the_day.units[0].targets
    assert on_the_day.on == APRIL
    assert (t.minimum_after, t.shortfall_after, t.cliff_after) == (3, 1, APRIL)


def test_a_new_mandatory_requirement_with_grace_shows_people_due_with_their_deadline(cast, unit):
    pursue = role("PURSUE", ("NETINV", 2))
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    completed(ann, activity("NET", {"NETINV": 2}), date(2024, 2, 1))
    activity("OSINT-2", {"OSINT": 2}, title="Open source level 2")
    osint = Requirement.objects.create(
        role_profile=pursue, order=2, capability=capability("OSINT"), level=1, mandatory=True,
        grace_months=3, valid_from=APRIL, grace_from=APRIL, draft=True,
    )  # fmt: skip
    before = _rows()

    impact = impact_of_versions(
        requirement_ids={osint.pk}, units=[unit], on=date(2025, 5, 31), horizon=0, today=D
    )

    (u,) = impact.units
    (change,) = u.changes
    assert change.person.id == ann.pk
    # In post since 2024, yet the deadline is 1 April 2025 + 3 months.
    assert (change.before, change.after, change.deadline) == (None, "due", date(2025, 7, 1))
    assert (u.compliance_before.value, u.compliance_after.value) == (1.0, 1.0)
    (need,) = u.training
    assert (need.capability.code, need.level, need.people) == ("OSINT", 1, 1)
    assert [a.code for a in need.activities] == ["OSINT-2"]
    (force,) = impact.forces
    assert (force.force.code, force.people_changed) == ("norfolk", 1)
    assert _rows() == before

    july = impact_of_versions(
        requirement_ids={osint.pk}, units=[unit], on=date(2025, 7, 1), horizon=0, today=D
    )
    (change,) = july.units[0].changes
    assert change.after == "missing"
    assert (july.units[0].compliance_after.counted, july.units[0].compliance_after.met) == (2, 1)


def test_the_impact_equals_the_difference_of_two_reports_either_side_of_the_date(cast, unit):
    pursue = role("PURSUE", ("NETINV", 2))
    net = activity("NET", {"NETINV": 2})
    osint_course = activity("OSINT-1", {"OSINT": 1})
    ann, bob = person(cast.norfolk, "Ann", "Able"), person(cast.norfolk, "Bob", "Bell")
    for who in (ann, bob):
        posted(who, unit, start=date(2024, 1, 1), role=pursue)
        completed(who, net, date(2024, 2, 1))
    completed(ann, osint_course, date(2024, 3, 1))
    osint = Requirement.objects.create(
        role_profile=pursue,
        order=2,
        capability=capability("OSINT"),
        level=1,
        mandatory=True,
        grace_months=0,
        valid_from=APRIL,
        grace_from=APRIL,
    )  # fmt: skip (scheduled, seen from 31 March)
    march = build_unit_report(unit, as_of=D, horizon=0)
    july = build_unit_report(unit, as_of=date(2025, 7, 1), horizon=0)

    impact = impact_of_versions(
        requirement_ids={osint.pk}, units=[unit], on=date(2025, 7, 1), horizon=0, today=D
    )

    (u,) = impact.units
    assert (u.compliance_before.counted, u.compliance_before.met) == (
        march.summary.requirements_counted, march.summary.requirements_met,
    ) == (2, 2)  # fmt: skip
    assert (u.compliance_after.counted, u.compliance_after.met) == (
        july.summary.requirements_counted, july.summary.requirements_met,
    ) == (4, 3)  # fmt: skip

    def statuses(report):
        return {
            (line.person.id, r.capability.code): r.status
            for line in report.people
            for r in line.requirements
        }

    old, new = statuses(march), statuses(july)
    differing = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert {(c.person.id, c.capability.code) for c in u.changes} == differing
    assert {(c.person.id, c.after) for c in u.changes} == {(ann.pk, "met"), (bob.pk, "missing")}

    def spofs(report):
        return {(s.capability.code, s.person.id) for s in report.single_points_of_failure}

    assert {(s.capability.code, s.person.id) for s in u.single_points_created} == (
        spofs(july) - spofs(march)
    ) == {("OSINT", ann.pk)}  # fmt: skip
    (need,) = u.training
    assert (need.capability.code, need.people, [a.code for a in need.activities]) == (
        "OSINT", 1, ["OSINT-1"],
    )  # fmt: skip


def test_versions_in_force_or_unknown_are_refused(cast, unit):
    kept = target(unit, "NETINV", 2, 2)
    with pytest.raises(ImpactError, match="in force since the beginning"):
        impact_of_versions(target_ids={kept.pk}, units=[unit], today=D)
    with pytest.raises(ImpactError, match="No requirement or target version 999999"):
        impact_of_versions(target_ids={999999}, units=[unit], today=D)
    with pytest.raises(ImpactError, match="at least one"):
        impact_of_versions(units=[unit], today=D)


def test_a_catalogue_not_yet_loaded_is_looked_at_and_nothing_is_written(cast, tmp_path):
    load_catalogue()
    unit = UnitFactory(
        code="TST-FCCU", name="Test force unit", kind="force cyber crime unit",
        region=cast.eastern, forces=[cast.norfolk],
    )  # fmt: skip
    directory = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "targets.yaml"
    targets = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = targets[0]["targets"][0]  # force cyber crime unit: CYBER-INVESTIGATION L2, 3
    first["minimum"] = 4
    path.write_text(yaml.safe_dump(targets, sort_keys=False), encoding="utf-8")
    before = _rows()

    impact = impact_of_catalogue(directory, effective=date(2099, 4, 1), units=[unit], horizon=0)

    assert _rows() == before
    changed = {t.key: t for t in impact.units[0].targets}
    assert list(changed) == ["CYBER-INVESTIGATION L2"]
    t = changed["CYBER-INVESTIGATION L2"]
    assert (t.minimum_before, t.minimum_after, t.shortfall_before, t.shortfall_after) == (
        3, 4, 3, 4,
    )  # fmt: skip
    assert t.becomes_short


def test_the_command_gives_json_and_csv(cast, unit):
    _two_holders(cast, unit)
    old = ResilienceTarget.objects.get(unit=unit)
    raised = ResilienceTarget.objects.create(
        unit=unit, capability=old.capability, level=2, minimum=3, valid_from=date(2099, 4, 1)
    )
    before = _rows()
    out = io.StringIO()
    call_command(
        "requirement_impact", "--target", str(raised.pk), "--unit", unit.code, "--horizon", "0",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["on"] == "2099-04-01"
    (t,) = data["units"][0]["targets"]
    assert (t["minimum_before"], t["minimum_after"], t["shortfall_after"], t["cliff_after"]) == (
        2, 3, 1, "2099-04-01",
    )  # fmt: skip
    assert data["forces"][0]["targets_short"] == 1

    out = io.StringIO()
    call_command(
        "requirement_impact", "--target", str(raised.pk), "--force", "norfolk", "--horizon", "0",
        "--format", "csv", stdout=out,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:3] == ["section", "unit", "person"]
    assert ["target", unit.code, "", "NETINV", "2"] in [r[:5] for r in rows]
    assert _rows() == before

    with pytest.raises(CommandError, match="--unit CODE or --force CODE"):
        call_command("requirement_impact", "--target", str(raised.pk), stdout=out)
    with pytest.raises(CommandError, match="in force since the beginning"):
        call_command("requirement_impact", "--target", str(old.pk), "--unit", unit.code)

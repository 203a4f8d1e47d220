"""DESIGN.md: for each expectation cited by the unit's targets or requirements, targets met of
targets citing it, and requirements met or expiring of those counted for compliance."""

from datetime import date

from skills.coverage import build_unit_report
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role, target

TRAINING = "HMIC-2015-DIGITAL 5.56"
CAPACITY = "HMICFRS-2019-CYBER Q2"


def test_each_expectation_counts_the_targets_and_requirements_citing_it(cast, unit):
    target(unit, "NETINV", 2, 1, [CAPACITY])
    target(unit, "MALWARE", 2, 1, [CAPACITY])
    pursue = role(
        "PURSUE",
        ("NETINV", 2, {"expectations": [TRAINING]}),
        ("OSINT", 1, {"expectations": [TRAINING], "grace": 12}),
    )
    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.norfolk, "Bob", "Baker")
    cat = person(cast.norfolk, "Cat", "Cole")
    posted(ann, unit, start=date(2023, 1, 1), role=pursue)
    posted(bob, unit, start=date(2023, 1, 1), role=pursue)
    posted(cat, unit, start=date(2025, 1, 1), role=pursue)
    net = activity("NET", {"NETINV": 2})
    completed(ann, net, date(2024, 2, 1))
    completed(ann, activity("OS", {"OSINT": 1}), date(2024, 2, 1))
    completed(bob, net, date(2024, 2, 1))
    # Counted: Ann NETINV met, Ann OSINT met, Bob NETINV met, Bob OSINT missing,
    # Cat NETINV missing; Cat OSINT is due and left out.

    report = build_unit_report(unit, as_of=D)
    lines = {e.key: e for e in report.expectations}

    assert list(lines) == [TRAINING, CAPACITY]
    training, capacity = lines[TRAINING], lines[CAPACITY]
    assert (training.requirements_met, training.requirements_total) == (3, 5)
    assert (training.targets_met, training.targets_total) == (0, 0)
    assert (capacity.targets_met, capacity.targets_total) == (1, 2)
    assert (capacity.requirements_met, capacity.requirements_total) == (0, 0)
    assert (training.inspection, training.reference) == ("HMIC 2015", "5.56")


def test_every_target_names_its_expectations(unit):
    target(unit, "NETINV", 2, 1, [CAPACITY, TRAINING])

    (line,) = build_unit_report(unit, as_of=D).targets

    assert [e.key for e in line.expectations] == [CAPACITY, TRAINING]
    assert line.expectations[0].label == "HMICFRS 2019 Q2"

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


def _inspected_unit(cast, unit):
    """Ann and Bob met NETINV L2 (Ann with a certificate file), Bob misses OSINT, Cat misses
    NETINV: 3 of 5 requirements citing 5.56 met."""
    from django.core.files.base import ContentFile

    pursue = role(
        "PURSUE",
        ("NETINV", 2, {"expectations": [TRAINING]}),
        ("OSINT", 1, {"expectations": [TRAINING], "grace": 12}),
    )
    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.norfolk, "Bob", "Baker")
    cat = person(cast.norfolk, "Cat", "Cole")
    for who, start in ((ann, date(2023, 1, 1)), (bob, date(2023, 1, 1)), (cat, date(2025, 1, 1))):
        posted(who, unit, start=start, role=pursue)
    net = activity("NET", {"NETINV": 2}, title="Network investigation course")
    filed = completed(ann, net, date(2024, 2, 1))
    filed.evidence_file.save("trace/ann.pdf", ContentFile(b"%PDF-1.4 certificate"))
    completed(ann, activity("OS", {"OSINT": 1}), date(2024, 2, 1))
    completed(bob, net, date(2024, 2, 1))
    return ann, bob, cat, filed


def test_the_trace_lists_the_requirements_people_and_evidence_behind_the_figure(cast, unit, client):
    """Issue 15 point 9: "3 of 5 requirements met" opens onto which, whose and what proves it."""
    from django.urls import reverse

    ann, bob, cat, filed = _inspected_unit(cast, unit)
    client.force_login(cast.chief)
    url = reverse("skills:unit_trace", args=[unit.code])
    response = client.get(url, {"as_of": D.isoformat(), "expectation": TRAINING})

    assert response.status_code == 200
    page = response.content.decode()
    assert "HMIC 2015 5.56: 3 of 5 requirements met" in page
    rows = [
        (r.person.name, r.requirement.capability.code, r.requirement.status, len(r.evidence))
        for r in response.context["rows"]
    ]
    assert sorted(rows) == sorted(
        [
            ("Ann Able", "NETINV", "met", 1),
            ("Ann Able", "OSINT", "met", 1),
            ("Bob Baker", "NETINV", "met", 1),
            ("Bob Baker", "OSINT", "missing", 0),
            ("Cat Cole", "NETINV", "missing", 0),
        ]
    )
    assert rows[0][2] == "missing"  # what is not met comes first
    assert reverse("courses:evidence_file", args=[filed.pk]) in page
    assert reverse("people:person_detail", args=[ann.pk]) in page

    report = client.get(reverse("skills:unit_report", args=[unit.code]), {"as_of": D.isoformat()})
    assert f"{url}?as_of={D.isoformat()}&amp;expectation=HMIC-2015-DIGITAL+5.56" in (
        report.content.decode()
    )


def test_the_trace_of_an_expectation_not_cited_or_of_another_forces_unit_is_not_found(
    cast, unit, client
):
    from django.urls import reverse

    _inspected_unit(cast, unit)
    url = reverse("skills:unit_trace", args=[unit.code])
    client.force_login(cast.chief)
    assert client.get(url, {"expectation": "HMIC-2015-DIGITAL 9.99"}).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(url, {"expectation": TRAINING}).status_code == 404
    client.force_login(cast.officer_user)
    assert client.get(url, {"expectation": TRAINING}).status_code == 403

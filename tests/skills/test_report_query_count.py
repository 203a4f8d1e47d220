"""STYLE.md §4, issue 4: a report's query count does not grow with the number of people."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Completion, Status
from people.models import Deployment, Fund, Person, PersonType, Posting
from skills.coverage import build_unit_report, person_requirements, report_to_dict
from tests.factories import UnitFactory, activity
from tests.skills.conftest import D, role, target

# The unit report's fixed handful: unit forces, unit tree, postings, completions, collection
# links, evidences, targets (+ expectations), requirements (+ expectations), deployments.
MAX_QUERIES = 11


def populate(cast, size: int):
    unit = UnitFactory(code=f"BIG-{size}", region=cast.eastern, forces=[cast.norfolk, cast.suffolk])
    child = UnitFactory(code=f"BIG-{size}-TEAM", parent=unit, region=cast.eastern)
    target(unit, "NETINV", 2, 3, ["HMICFRS-2019-CYBER Q2"])
    target("force cyber crime unit", "OSINT", 1, 2, ["HMIC-2015-DIGITAL 5.56"])
    pursue = role(
        f"PURSUE-{size}",
        ("NETINV", 2, {"expectations": ["HMIC-2015-DIGITAL 5.56"]}),
        ("OSINT", 1, {"grace": 6}),
    )
    fund = Fund.objects.create(code=f"F{size}", name="Transformation", ends_on=date(2025, 9, 30))
    course = activity(f"NET-{size}", {"NETINV": 2}, validity_months=24)
    labs = [activity(f"LAB-{size}-{i}", kind="lab") for i in range(3)]
    coll = activity(
        f"COLL-{size}", {"OSINT": 1}, kind="collection", threshold=2, validity_months=12
    )
    coll.labs.set(labs)
    types = [PersonType.OFFICER, PersonType.STAFF, PersonType.SPECIAL, PersonType.VOLUNTEER]
    people = Person.objects.bulk_create(
        Person(
            force=cast.norfolk if i % 2 else cast.suffolk,
            staff_number=f"Q{size}-{i}",
            person_type=types[i % 4],
            first_name=f"P{i}",
            last_name=f"Bulk{i:05d}",
        )
        for i in range(size)
    )
    Posting.objects.bulk_create(
        Posting(
            person=p,
            unit=child if i % 3 == 0 else unit,
            role_profile=pursue,
            start=date(2024, 1, 1),
            end=date(2025, 12, 31) if i % 5 == 0 else None,
            fund=fund if i % 7 == 0 else None,
        )
        for i, p in enumerate(people)
    )
    now = timezone.now()
    completions = []
    for i, p in enumerate(people):
        completions.append(
            Completion(
                person=p,
                activity=course,
                completed_on=date(2023, 6, 1 + i % 28),
                status=Status.VERIFIED if i % 4 else Status.PENDING,
                verified_at=now,
            )
        )
        for j, lab in enumerate(labs[: 1 + i % 3]):
            completions.append(
                Completion(
                    person=p,
                    activity=lab,
                    completed_on=date(2024, 7 + j, 1),
                    status=Status.VERIFIED,
                    verified_at=now,
                )
            )
    Completion.objects.bulk_create(completions)
    Deployment.objects.bulk_create(
        Deployment(person=p, deployed_on=date(2025, 1, 1 + i % 28), hours=Decimal(4), task="t")
        for i, p in enumerate(people)
        if p.person_type in (PersonType.SPECIAL, PersonType.VOLUNTEER)
    )
    return unit, people


@pytest.mark.parametrize("size", [10, 1000])
def test_unit_report_query_count_does_not_grow_with_people(
    cast, django_assert_max_num_queries, size
):
    unit, people = populate(cast, size)
    unit = type(unit).objects.prefetch_related("forces").get(pk=unit.pk)

    with django_assert_max_num_queries(MAX_QUERIES - 1):  # forces prefetched above
        report = build_unit_report(unit, as_of=D, horizon=36)

    assert report.summary.people == size
    assert len(report_to_dict(report)["people"]) == size


@pytest.mark.parametrize("size", [10, 1000])
def test_unit_report_query_count_is_the_same_without_prefetching(
    cast, django_assert_max_num_queries, size
):
    unit, people = populate(cast, size)

    with django_assert_max_num_queries(MAX_QUERIES):
        build_unit_report(unit, as_of=D)


def test_person_requirements_costs_a_fixed_handful_of_queries(cast, django_assert_max_num_queries):
    unit, people = populate(cast, 10)

    with django_assert_max_num_queries(6):
        (posting,) = person_requirements(people[1], D)

    # Course of 2 June 2023 + 24 months is inside the 90 days; the labs of July and
    # August 2024 hold the collection until 1 July 2025.
    assert [line.status for line in posting.requirements] == ["expiring", "met"]

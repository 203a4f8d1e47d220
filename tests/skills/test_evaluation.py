"""Specials and volunteers evaluation (skills/evaluation/services.py) over a hand-built
deployment log: hours per month against the commitment agreed, capabilities only they provide,
who has not been deployed in six months, skills held but never used."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from people.models import Deployment, PersonType
from skills.coverage import build_unit_report
from skills.evaluation.services import evaluate_unit, months_up_to
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import D, capability, person, target


def deployed(who, on, hours, *, unit=None, capabilities=()):
    d = Deployment.objects.create(
        person=who, unit=unit, deployed_on=on, hours=Decimal(hours), task="Triage"
    )
    d.capabilities.set([capability(code) for code in capabilities])
    return d


@pytest.fixture
def log(cast, unit):
    """Sam (special, 16 h agreed), Val (volunteer from October, 8 h on her record), Ida
    (special, 10 h agreed, never deployed) and Ann (officer)."""
    sam = person(cast.norfolk, "Sam", "Special", person_type=PersonType.SPECIAL)
    val = person(
        cast.norfolk,
        "Val",
        "Volunteer",
        person_type=PersonType.VOLUNTEER,
        monthly_hours_commitment=8,
    )
    ida = person(cast.norfolk, "Ida", "Idle", person_type=PersonType.SPECIAL)
    ann = person(cast.norfolk, "Ann", "Able")
    posting = posted(sam, unit, start=date(2024, 1, 1))
    posting.commitment_hours_per_month = Decimal(16)
    posting.save()
    posted(val, unit, start=date(2024, 10, 1))
    posting = posted(ida, unit, start=date(2024, 1, 1))
    posting.commitment_hours_per_month = Decimal(10)
    posting.save()
    posted(ann, unit, start=date(2024, 1, 1))
    elsewhere = UnitFactory(code="ELSEWHERE", region=cast.eastern, forces=[cast.norfolk])

    deployed(sam, date(2025, 3, 10), "4", capabilities=["OSINT"])  # no unit: in the unit then
    deployed(sam, date(2025, 2, 1), "3", unit=unit)
    deployed(sam, date(2024, 3, 31), "8")  # before the 12 months shown
    deployed(sam, date(2025, 1, 5), "2", unit=elsewhere)  # for another unit
    deployed(val, date(2024, 9, 15), "6")  # before she joined the unit
    deployed(val, date(2024, 11, 20), "5")
    deployed(ann, date(2025, 3, 1), "10")  # an officer: not evaluated

    target(unit, "OSINT", 2, 1)
    completed(sam, activity("OS2", {"OSINT": 2}), date(2024, 2, 1))
    completed(ann, activity("OS1", {"OSINT": 1, "NETINV": 2}), date(2024, 2, 1))
    completed(val, activity("CRY", {"CRYPTO": 1}), date(2024, 2, 1))
    return sam, val, ida, ann


def test_the_twelve_months_shown_are_those_ended_by_the_as_of_date():
    assert months_up_to(date(2025, 3, 31))[-1] == date(2025, 3, 31)
    assert months_up_to(date(2025, 3, 31))[0] == date(2024, 4, 30)
    assert months_up_to(date(2025, 3, 15))[-1] == date(2025, 2, 28)
    assert months_up_to(date(2025, 3, 15))[0] == date(2024, 3, 31)
    assert len(months_up_to(date(2024, 2, 29))) == 12


def test_hours_per_month_count_deployments_for_the_unit_only(unit, log):
    evaluation = evaluate_unit(unit, as_of=D)

    hours = {m.month_end: m.hours for m in evaluation.months}
    assert hours[date(2024, 11, 30)] == Decimal(5)
    assert hours[date(2025, 1, 31)] == Decimal(0)
    assert hours[date(2025, 2, 28)] == Decimal(3)
    assert hours[date(2025, 3, 31)] == Decimal(4)
    assert hours[date(2024, 9, 30)] == Decimal(0)
    assert evaluation.hours_12_months == Decimal(12)


def test_commitment_sums_the_specials_and_volunteers_in_the_unit_at_each_month_end(unit, log):
    evaluation = evaluate_unit(unit, as_of=D)

    by_month = {m.month_end: (m.people, m.committed) for m in evaluation.months}
    assert by_month[date(2024, 9, 30)] == (2, Decimal(26))
    # Val joins on 1 October; her commitment is on her person record.
    assert by_month[date(2024, 10, 31)] == (3, Decimal(34))
    assert evaluation.committed_12_months == Decimal(6 * 26 + 6 * 34)
    assert evaluation.share_12_months == pytest.approx(12 / 360)


def test_no_commitment_recorded_gives_no_share(cast, unit):
    special = person(cast.norfolk, "Sid", "Special", person_type=PersonType.SPECIAL)
    posted(special, unit, start=date(2024, 1, 1))
    deployed(special, date(2025, 3, 1), "3")

    evaluation = evaluate_unit(unit, as_of=D)

    assert evaluation.months[-1].committed is None
    assert evaluation.months[-1].share is None
    assert evaluation.share_12_months is None


def test_capabilities_only_specials_or_volunteers_provide(unit, log):
    evaluation = evaluate_unit(unit, as_of=D)

    only = [
        (o.capability.code, o.level, [p.name for p in o.holders], o.asked_for)
        for o in evaluation.only_provided
    ]
    assert only == [
        ("CRYPTO", 1, ["Val Volunteer"], False),
        ("OSINT", 2, ["Sam Special"], True),
    ]


def test_who_has_not_been_deployed_in_six_months(unit, log):
    evaluation = evaluate_unit(unit, as_of=D)

    assert [p.person.name for p in evaluation.not_deployed] == ["Ida Idle"]
    people = {p.person.name: (p.hours_12_months, p.commitment) for p in evaluation.people}
    assert people == {
        "Ida Idle": (Decimal(0), Decimal(10)),
        "Sam Special": (Decimal(7), Decimal(16)),
        "Val Volunteer": (Decimal(5), Decimal(8)),
    }


def test_skills_held_but_never_used_in_a_deployment(unit, log):
    evaluation = evaluate_unit(unit, as_of=D)

    unused = {
        p.person.name: [(u.capability.code, u.level) for u in p.unused] for p in evaluation.people
    }
    assert unused == {"Ida Idle": [], "Sam Special": [], "Val Volunteer": [("CRYPTO", 1)]}
    assert [p.person.name for p in evaluation.with_unused_skills] == ["Val Volunteer"]


def test_a_capability_used_only_after_the_as_of_date_is_still_unused(unit, log):
    sam, val, ida, ann = log
    deployed(val, date(2025, 4, 2), "2", capabilities=["CRYPTO"])

    evaluation = evaluate_unit(unit, as_of=D)

    assert [p.person.name for p in evaluation.with_unused_skills] == ["Val Volunteer"]


def test_evaluation_queries_do_not_grow_with_the_log(
    cast, unit, log, django_assert_max_num_queries
):
    for i in range(20):
        extra = person(cast.norfolk, f"Extra{i}", "Special", person_type=PersonType.SPECIAL)
        posted(extra, unit, start=date(2024, 1, 1))
        deployed(extra, date(2025, 1, 1 + i), "2", capabilities=["OSINT"])
    report = build_unit_report(unit, as_of=D)

    with django_assert_max_num_queries(5):
        evaluate_unit(unit, as_of=D, report=report)


def test_evaluation_page_shows_the_units_figures(cast, client, unit, log):
    client.force_login(cast.chief)

    response = client.get(reverse("evaluation:unit", args=[unit.code]), {"as_of": D.isoformat()})

    page = response.content.decode()
    assert response.status_code == 200
    assert "12 hours deployed for the unit in the last 12 months against 360 hours agreed" in page
    assert "Ida Idle" in page
    assert "not deployed in 6 months" in page


def test_evaluation_page_with_a_bad_date_shows_an_error_not_a_500(cast, client, unit):
    client.force_login(cast.coordinator)

    response = client.get(reverse("evaluation:unit", args=[unit.code]), {"as_of": "31/03/2025"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_evaluation_page_is_not_found_for_another_force(cast, client, unit):
    client.force_login(cast.outsider)

    assert client.get(reverse("evaluation:unit", args=[unit.code])).status_code == 404


def test_a_rejected_deployment_counts_nowhere(cast, unit, log):
    """Its hours are not in the month, the 12 months, the specials table or the log's total;
    its capability is not "used"; the row stays."""
    sam = log[0]
    rejected = deployed(sam, date(2025, 3, 20), "7", unit=unit, capabilities=["NETINV"])
    rejected.rejected_at = datetime(2025, 3, 21, tzinfo=UTC)
    rejected.rejection_reason = "Not on duty that day"
    rejected.save()

    evaluation = evaluate_unit(unit, as_of=D)
    hours = {m.month_end: m.hours for m in evaluation.months}
    assert hours[date(2025, 3, 31)] == Decimal(4)
    assert evaluation.hours_12_months == Decimal(12)
    report = build_unit_report(unit, as_of=D)
    sv = {line.person.name: line.hours_12_months for line in report.specials_and_volunteers.people}
    assert sv["Sam Special"] == Decimal(9)  # 4 + 3 + 2 for another unit, not + 7 rejected
    assert Deployment.objects.filter(pk=rejected.pk).exists()

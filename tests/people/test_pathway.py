"""The officer's own pathway (/me/): statuses, dates, next steps and progress."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from courses.models import ActivityKind, Source, Status
from people.models import Person, PersonType
from people.self_service.services import pathway_for
from tests.conftest import AS_OF
from tests.factories import UnitFactory, UserFactory, activity, completed, posted
from tests.people.self_service_builders import role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pursue(cast):
    """The cast officer posted on 1 January 2024 to the joint unit as a Pursue investigator,
    with one mandatory requirement in each status on 31 March 2025 and one recommended gap."""
    profile = role(
        "PURSUE",
        ("NETINV", 2),  # met: course without validity
        ("OSINT", 1),  # expiring: 12-month accreditation ends 15 May 2025
        ("MALWARE", 1),  # pending: a submitted completion waits for verification
        ("CRYPTO", 1, {"grace": 24}),  # due: deadline 1 January 2026
        ("VICTIM", 1),  # missing: deadline 1 January 2024 passed
        ("DARKWEB", 2, {"mandatory": False}),  # recommended, missing
        name="Cyber Pursue investigator",
    )
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=profile)
    completed(cast.officer, activity("NETINV-COURSE", {"NETINV": 2}), date(2024, 6, 1))
    osint = activity(
        "OSINT-CERT", {"OSINT": 1}, kind=ActivityKind.ACCREDITATION, validity_months=12
    )
    completed(cast.officer, osint, date(2024, 5, 15))
    completed(
        cast.officer,
        activity("MALWARE-LAB", {"MALWARE": 1}),
        date(2025, 3, 1),
        status=Status.PENDING,
        source=Source.SUBMITTED,
    )
    activity("VICTIM-COURSE", {"VICTIM": 1}, provider="College of Policing", hours=7)
    activity("VICTIM-ADVANCED", {"VICTIM": 2}, kind=ActivityKind.ACCREDITATION)
    activity("VICTIM-RETIRED", {"VICTIM": 1}, retired=True)
    activity("DARKWEB-AWARENESS", {"DARKWEB": 1})
    activity("DARKWEB-PRACTITIONER", {"DARKWEB": 2}, hours=21)
    activity("CRYPTO-COURSE", {"CRYPTO": 1})
    return profile


def _posting(cast, role_name="Cyber Pursue investigator"):
    postings = pathway_for(cast.officer, AS_OF)
    return next(p for p in postings if p["posting"].role.name == role_name)


def _rows(posting) -> dict[str, dict]:
    return {r["line"].capability.code: r for r in posting["mandatory"] + posting["recommended"]}


def test_each_requirement_has_the_status_of_its_holding(cast, pursue):
    rows = _rows(_posting(cast))
    statuses = {code: row["line"].status for code, row in rows.items()}
    assert statuses == {
        "NETINV": "met",
        "OSINT": "expiring",
        "MALWARE": "pending",
        "CRYPTO": "due",
        "VICTIM": "missing",
        "DARKWEB": "missing",
    }


def test_a_held_requirement_shows_the_date_it_was_met_and_until_when(cast, pursue):
    rows = _rows(_posting(cast))
    assert rows["NETINV"]["met_on"] == date(2024, 6, 1)
    assert rows["NETINV"]["line"].held_until is None
    assert rows["OSINT"]["met_on"] == date(2024, 5, 15)
    assert rows["OSINT"]["line"].held_until == date(2025, 5, 15)


def test_a_renewed_requirement_was_met_by_the_completion_that_lasts_longest(cast):
    profile = role("RENEWED", ("OSINT", 1), name="Renewed role")
    posted(cast.officer, cast.joint_unit, start=date(2023, 1, 1), role=profile)
    cert = activity("OSINT-2Y", {"OSINT": 1}, validity_months=24)
    completed(cast.officer, cert, date(2023, 6, 1))  # valid until 1 June 2025
    completed(cast.officer, cert, date(2025, 1, 10))  # renewed: valid until 10 January 2027
    [row] = _posting(cast, "Renewed role")["mandatory"]
    assert (row["line"].status, row["met_on"]) == ("met", date(2025, 1, 10))
    assert row["line"].held_until == date(2027, 1, 10)


def test_a_requirement_not_held_shows_its_deadline(cast, pursue):
    rows = _rows(_posting(cast))
    assert rows["CRYPTO"]["line"].deadline == date(2026, 1, 1)
    assert rows["VICTIM"]["line"].deadline == date(2024, 1, 1)
    assert rows["CRYPTO"]["met_on"] is None


def test_a_gap_lists_the_activities_at_its_level_or_higher_that_are_still_offered(cast, pursue):
    rows = _rows(_posting(cast))
    assert [o["code"] for o in rows["VICTIM"]["options"]] == ["VICTIM-COURSE", "VICTIM-ADVANCED"]
    assert [o["code"] for o in rows["DARKWEB"]["options"]] == ["DARKWEB-PRACTITIONER"]
    assert [o["code"] for o in rows["CRYPTO"]["options"]] == ["CRYPTO-COURSE"]
    # Renewal options for what is expiring; nothing to do for what is met.
    assert [o["code"] for o in rows["OSINT"]["options"]] == ["OSINT-CERT"]
    assert rows["NETINV"]["options"] == []


def test_progress_counts_met_and_expiring_of_the_mandatory_requirements(cast, pursue):
    posting = _posting(cast)
    assert (posting["met"], posting["mandatory_count"], posting["percent"]) == (2, 5, 40)


def test_recommended_requirements_are_shown_apart_and_do_not_count(cast, pursue):
    posting = _posting(cast)
    assert [r["line"].capability.code for r in posting["recommended"]] == ["DARKWEB"]
    assert "DARKWEB" not in [r["line"].capability.code for r in posting["mandatory"]]


def test_the_page_shows_statuses_in_words_next_steps_and_progress(cast, pursue, client):
    client.force_login(cast.officer_user)
    response = client.get(reverse("me:pathway"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 of 5 mandatory requirements met (40%)" in html
    assert '<progress class="register-progress" max="5" value="2"' in html
    for word in ("met", "expiring", "pending", "due", "missing"):
        assert re.search(rf'<strong class="govuk-tag[^"]*">{word}</strong>', html), word
    victim = html.split('id="requirement-VICTIM-1"')[1].split('class="govuk-summary-card"')[0]
    assert reverse("courses:activity_detail", args=["VICTIM-COURSE"]) in victim
    assert "College of Policing" in victim
    assert "1 January 2024 (passed)" in victim
    assert reverse("courses:submit_completion") in victim
    recommended = html.split('<h3 class="govuk-heading-s">Recommended</h3>')[1]
    assert 'id="requirement-DARKWEB-2"' in recommended
    assert 'id="requirement-VICTIM-1"' not in recommended


def test_the_page_lists_the_persons_submissions_with_their_state(cast, pursue, client):
    rejected = activity("GCIH", {"IR": 2}, provider="GIAC", title="GIAC GCIH")
    completed(
        cast.officer,
        rejected,
        date(2025, 2, 1),
        status=Status.REJECTED,
        source=Source.SUBMITTED,
        status_reason="Certificate number not found on the GIAC register",
    )
    client.force_login(cast.officer_user)
    html = client.get(reverse("me:pathway")).content.decode()
    submissions = html.split('id="submissions"')[1]
    assert "GIAC GCIH" in submissions
    assert "Certificate number not found on the GIAC register" in submissions
    assert ">rejected</strong>" in submissions
    assert ">pending</strong>" in submissions  # the malware lab


def test_a_person_with_two_postings_sees_both_pathways(cast, client):
    special = Person.objects.create(
        force=cast.norfolk,
        staff_number="SC77",
        person_type=PersonType.SPECIAL,
        first_name="Tom",
        last_name="Reeve",
        user=UserFactory(email="tom@norfolk.police.uk"),
    )
    regional = UnitFactory(code="ERSOU-CYBER", name="Eastern regional cyber team")
    posted(special, cast.norfolk_unit, start=date(2024, 1, 1), role=role("SPECIAL", ("OSINT", 1)))
    posted(special, regional, start=date(2024, 6, 1), role=role("REGIONAL", ("NETINV", 2)))
    completed(special, activity("OSINT-BASIC", {"OSINT": 1}), date(2024, 3, 1))
    client.force_login(special.user)
    html = client.get(reverse("me:pathway"), {"as_of": AS_OF.isoformat()}).content.decode()
    assert "Special role" in html and "Regional role" in html
    assert "Eastern regional cyber team" in html and "Norfolk cyber crime unit" in html
    assert "1 of 1 mandatory requirement met (100%)" in html
    assert "0 of 1 mandatory requirement met (0%)" in html


def test_a_collection_held_through_its_labs_is_met_on_the_day_the_threshold_was_reached(cast):
    profile = role("TRIAGE", ("MALWARE", 1))
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=profile)
    collection = activity("MALWARE-COLL", {"MALWARE": 1}, kind=ActivityKind.COLLECTION, threshold=2)
    labs = [activity(f"LAB-{n}", kind=ActivityKind.LAB) for n in range(3)]
    collection.labs.set(labs)
    completed(cast.officer, labs[0], date(2025, 1, 10))
    completed(cast.officer, labs[1], date(2025, 2, 20))
    completed(cast.officer, labs[2], date(2025, 3, 5))
    rows = _rows(_posting(cast, "Triage role"))
    assert rows["MALWARE"]["line"].status == "met"
    assert rows["MALWARE"]["met_on"] == date(2025, 2, 20)


def test_the_pathway_query_count_does_not_grow_with_requirements_or_gaps(
    cast, pursue, client, django_assert_num_queries
):
    client.force_login(cast.officer_user)
    url = reverse("me:pathway")
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    # Four more gaps with options, and more completions.
    more = role("MORE", *[(f"EXTRA-{n}", 1) for n in range(4)], name="More role")
    posted(cast.officer, cast.norfolk_unit, start=date(2024, 2, 1), role=more)
    for n in range(4):
        activity(f"EXTRA-COURSE-{n}", {f"EXTRA-{n}": 1})
        completed(cast.officer, activity(f"OTHER-{n}", {"OSINT": 1}), date(2024, 1, 2 + n))
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert "More role" in response.content.decode()


def test_a_user_without_a_person_record_gets_a_friendly_page(cast, client):
    client.force_login(cast.coordinator)
    response = client.get(reverse("me:pathway"))
    assert response.status_code == 200
    assert "There is no pathway to show" in response.content.decode()


def test_the_outsider_sees_no_one_elses_pathway(cast, pursue, client):
    client.force_login(cast.outsider)
    html = client.get(reverse("me:pathway")).content.decode()
    assert "There is no pathway to show" in html
    assert "Jane Smith" not in html and "Cyber Pursue investigator" not in html


def test_a_bad_as_of_date_is_refused_with_a_reason(cast, client):
    client.force_login(cast.officer_user)
    response = client.get(reverse("me:pathway"), {"as_of": "31/03/2025"})
    assert response.status_code == 400
    assert b"YYYY-MM-DD" in response.content

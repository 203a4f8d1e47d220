"""The unit resilience report page (issue 4): who may open it, what a chief officer reads in a
minute, the matrix, the what-if, bad input, and a query count that does not grow with people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from people.models import Deployment, Person, PersonType
from tests.factories import activity, completed, posted
from tests.skills.conftest import person, role, target

D = date(2025, 3, 31)
# Session, user, grants (once: cached on the user), the unit, its forces, the unit tree, the
# people to choose from, funds, activities, the people the viewer may open, the engine's
# handful, and whether the viewer may schedule a target change (the "Plan ahead" links).
MAX_PAGE_QUERIES = 25


@dataclass
class Reported:
    """The Norfolk unit with hand-computed figures as of 2025-03-31 (see ``reported_unit``)."""

    unit: object
    ed: Person
    ann: Person
    sue: Person
    expiring_completion: object


def reported_unit(cast) -> Reported:
    """Norfolk cyber crime unit, as of 2025-03-31:

    - targets NETINV L2 (min 2), MALWARE L2 (min 1), OSINT L1 (min 1);
    - Ed (officer, triage role): MALWARE L2 forever, NETINV L2 until 2025-05-20 (expiring);
    - Ann (officer, triage role): NETINV L2 until 2026-02-01, OSINT L1; MALWARE missing;
    - Sue (special, triage role from 2025-03-01): NETINV L2, OSINT L1; MALWARE missing;
    - Jane and Sam (cast, generic role): nothing.

    So: NETINV headcount 3, MALWARE 1 (Ed: single point of failure), OSINT 2; compliance
    4 of 6 = 66.7 %; 1 completion expiring; 1 special, 0 volunteers, 6.5 hours deployed in
    the 12 months (a deployment of January 2024 is older). Without Ann, OSINT L1
    becomes a single point of failure (Sue) and is held only by a special.
    """
    unit = cast.norfolk_unit
    target(unit, "NETINV", 2, 2, ["HMICFRS-2019-CYBER Q2"])
    target(unit, "MALWARE", 2, 1)
    target(unit, "OSINT", 1, 1)
    triage = role(
        "TRIAGE",
        ("MALWARE", 2, {"expectations": ["HMIC-2015-DIGITAL 5.56"]}),
        ("NETINV", 2, {"grace": 6}),
    )
    ed = person(cast.norfolk, "Ed", "Expert", staff_number="3001")
    ann = person(cast.norfolk, "Ann", "Able", staff_number="3002")
    sue = person(
        cast.norfolk, "Sue", "Special", staff_number="3003", person_type=PersonType.SPECIAL
    )
    posted(ed, unit, start=date(2024, 1, 1), role=triage)
    posted(ann, unit, start=date(2024, 1, 1), role=triage)
    posted(sue, unit, start=date(2025, 3, 1), role=triage)
    net = activity("NET", {"NETINV": 2}, validity_months=24, title="Network investigation")
    mal = activity("MAL", {"MALWARE": 2}, title="Malware triage")
    osint = activity("OS", {"OSINT": 1}, title="Open source basics")
    completed(ed, mal, date(2024, 2, 1))
    expiring = completed(ed, net, date(2023, 5, 20))
    completed(ann, net, date(2024, 2, 1))
    completed(ann, osint, date(2024, 2, 1))
    completed(sue, net, date(2025, 1, 10))
    completed(sue, osint, date(2025, 1, 10))
    Deployment.objects.create(
        person=sue, unit=unit, deployed_on=date(2025, 2, 1), hours=Decimal("6.5"), task="Triage"
    )
    # More than 12 months before the as-of date: not counted.
    Deployment.objects.create(
        person=sue, unit=unit, deployed_on=date(2024, 1, 10), hours=Decimal("3"), task="Old"
    )
    return Reported(unit, ed, ann, sue, expiring)


def report_url(unit, query: str = "as_of=2025-03-31") -> str:
    url = reverse("skills:unit_report", args=[unit.code])
    return f"{url}?{query}" if query else url


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def reported(cast) -> Reported:
    return reported_unit(cast)


def test_chief_officer_reads_the_summary_figures(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-figure="compliance">66.7%' in page
    assert 'data-figure="targets-met">3 of 3' in page
    assert 'data-figure="single-points-of-failure">1<' in page
    assert 'data-figure="expiring">1 completion<' in page
    summary = response.context["summary"]
    assert (summary.people, summary.specials, summary.volunteers) == (5, 1, 0)
    # NETINV falls to 1 at the end of February 2026, when Ann's course expires.
    assert response.context["earliest_cliff"] == date(2026, 2, 28)
    assert "28 February 2026" in page
    assert "Unit resilience report" in page


def test_matrix_labels_every_cell_in_words_and_links_to_the_evidence(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit))

    page = response.content.decode()
    matrix = response.context["matrix"]
    rows = {row.record["person"].id: row.record["cells"] for row in matrix.rows}
    assert rows[reported.ed.pk]["MALWARE"].text == "met L2"
    assert rows[reported.ed.pk]["NETINV"].status == "expiring"
    assert rows[reported.ann.pk]["MALWARE"].text == "missing L2"
    assert rows[reported.ann.pk]["OSINT"].text == "holds L1"
    assert rows[cast.officer.pk]["NETINV"].text == "not held"
    completion_url = reverse("courses:completion_detail", args=[reported.expiring_completion.pk])
    assert rows[reported.ed.pk]["NETINV"].href == completion_url
    assert rows[reported.ann.pk]["MALWARE"].href == reverse(
        "people:person_detail", args=[reported.ann.pk]
    )
    assert (
        f'href="{completion_url}"><strong class="govuk-tag govuk-tag--yellow">expiring L2' in page
    )
    assert '<strong class="govuk-tag govuk-tag--red">missing L2</strong>' in page


def test_matrix_is_paginated_for_big_units(client, cast, reported):
    Person.objects.bulk_create(
        Person(force=cast.norfolk, staff_number=f"B{i}", first_name="Big", last_name=f"U{i:03d}")
        for i in range(30)
    )
    for extra in Person.objects.filter(staff_number__startswith="B"):
        posted(extra, reported.unit, start=date(2024, 1, 1))
    client.force_login(cast.chief)

    first = client.get(report_url(reported.unit))
    second = client.get(report_url(reported.unit, "as_of=2025-03-31&m-page=2"))

    assert len(first.context["matrix"].page.object_list) == 25
    assert len(second.context["matrix"].page.object_list) == 10
    assert "Showing 26 to 35 of 35 people" in second.content.decode()


def test_targets_show_headcount_shortfall_cliff_date_and_causes(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit, "as_of=2025-03-31&horizon=12"))

    lines = {t.key: t for t in response.context["report"].targets}
    assert (lines["NETINV L2"].headcount, lines["NETINV L2"].shortfall) == (3, 0)
    assert lines["NETINV L2"].cliff_date == date(2026, 2, 28)
    page = response.content.decode()
    assert "Ann Able – activity" in page or "Ann Able" in page
    assert "by 2026-02-28: Ann Able" in page


def test_what_if_one_person_leaves_shows_a_new_single_point_of_failure_and_saves_nothing(
    client, cast, reported
):
    client.force_login(cast.chief)
    before = row_counts()

    response = client.get(report_url(reported.unit, f"as_of=2025-03-31&without={reported.ann.pk}"))

    assert response.status_code == 200
    report = response.context["report"]
    assert [(s.capability.code, s.person.id) for s in report.single_points_of_failure] == [
        ("MALWARE", reported.ed.pk),
        ("OSINT", reported.sue.pk),
    ]
    page = response.content.decode()
    assert "nothing has been saved" in page
    assert "These people leave the unit: Ann Able, 3002 (Norfolk Constabulary)" in page
    assert row_counts() == before


def test_what_if_removing_the_only_holder_shows_a_shortfall(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit, f"as_of=2025-03-31&without={reported.ed.pk}"))

    lines = {t.key: t for t in response.context["report"].targets}
    assert (lines["MALWARE L2"].headcount, lines["MALWARE L2"].shortfall) == (0, 1)
    assert lines["MALWARE L2"].cliff_date == D
    assert response.context["summary"].targets_short == 1


def test_what_if_fund_and_planned_cohort(client, cast, reported):
    from people.models import Fund

    fund = Fund.objects.create(code="PTF", name="Transformation", ends_on=date(2026, 3, 31))
    posted(person(cast.norfolk, "Fay", "Funded"), reported.unit, start=date(2024, 1, 1), fund=fund)
    client.force_login(cast.chief)

    response = client.get(
        report_url(
            reported.unit,
            f"as_of=2025-03-31&fund=PTF&fund_ends=2025-04-30"
            f"&activity=MAL&cohort={reported.ann.pk}&cohort=%d&cohort_on=2025-03-15"
            % reported.sue.pk,
        )
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert report.what_if.fund_ends == {"PTF": date(2025, 4, 30)}
    lines = {t.key: t for t in report.targets}
    assert lines["MALWARE L2"].headcount == 3
    assert "MAL completed on 2025-03-15 by" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_of=2025-02-30", "The report date must be a real date"),
        ("as_of=yesterday", "The report date must be a real date"),
        ("horizon=37", "Enter forecast months of 36 or fewer"),
        ("horizon=-1", "Enter forecast months of 0 or more"),
        ("horizon=ten", "Enter the forecast months as a whole number"),
        ("without=999999", "Choose people who are in the unit"),
        ("fund_ends=2025-01-01", "Choose the fund that is not renewed"),
        ("activity=MAL", "Select who completes the planned cohort"),
    ],
)
def test_bad_input_is_a_form_error_not_a_server_error(client, cast, reported, query, message):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit, query))

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert response.context["report"] is None


def test_bad_input_on_a_download_is_the_page_with_its_error(client, cast, reported):
    client.force_login(cast.chief)

    url = reverse("skills:unit_report_download", args=[reported.unit.code, "pdf"])
    response = client.get(f"{url}?as_of=2025-13-01")

    assert response.status_code == 400
    assert "The report date must be a real date" in response.content.decode()


def test_other_forces_coordinator_gets_404_and_officer_403(client, cast, reported):
    client.force_login(cast.outsider)
    assert client.get(report_url(reported.unit)).status_code == 404
    url = reverse("skills:unit_report_download", args=[reported.unit.code, "json"])
    assert client.get(url).status_code == 404

    client.force_login(cast.officer_user)
    assert client.get(report_url(reported.unit)).status_code == 403


def test_unknown_format_is_not_found(client, cast, reported):
    client.force_login(cast.chief)

    url = reverse("skills:unit_report_download", args=[reported.unit.code, "docx"])

    assert client.get(url).status_code == 404
    assert client.get(report_url(reported.unit, "format=docx")).status_code == 404


def test_downloads_carry_the_same_date_and_what_if(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit, f"as_of=2025-03-31&without={reported.ann.pk}"))

    hrefs = [href for _label, href, _fmt in response.context["downloads"]]
    assert hrefs[0] == (f"/units/NOR-CCU/report.pdf?as_of=2025-03-31&without={reported.ann.pk}")
    download = client.get(hrefs[0].replace(".pdf", ".json"))
    assert download["Content-Disposition"] == (
        'attachment; filename="resilience-NOR-CCU-2025-03-31-what-if.json"'
    )
    assert download.json()["what_if"]["without_people"] == [reported.ann.pk]


def test_unit_page_links_to_the_report_for_oversight_only(client, cast, reported):
    report_link = reverse("skills:unit_report", args=[reported.unit.code])
    client.force_login(cast.chief)
    assert report_link in client.get(reported.unit.get_absolute_url()).content.decode()

    client.force_login(cast.officer_user)
    assert report_link not in client.get(reported.unit.get_absolute_url()).content.decode()


@pytest.mark.parametrize("size", [10, 300])
def test_report_page_query_count_does_not_grow_with_people(
    client, cast, django_assert_max_num_queries, size
):
    from tests.skills.test_report_query_count import populate

    unit, _people = populate(cast, size)
    client.force_login(cast.chief)
    url = report_url(unit)
    client.get(url)  # warm the session and per-process caches

    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["summary"].people > 0


def test_joint_unit_report_counts_everyone_but_names_only_people_in_scope(client, cast):
    target(cast.joint_unit, "NETINV", 2, 1)
    nora = person(cast.norfolk, "Nora", "North", staff_number="4001")
    suki = person(cast.suffolk, "Suki", "South", staff_number="5001")
    posted(nora, cast.joint_unit, start=date(2024, 1, 1))
    posted(suki, cast.joint_unit, start=date(2024, 1, 1))
    completed(suki, activity("NET", {"NETINV": 2}), date(2024, 2, 1))
    client.force_login(cast.chief)  # Norfolk force: sees Norfolk people only

    response = client.get(report_url(cast.joint_unit))

    page = response.content.decode()
    # Suki counts (she is the only holder) but a Norfolk chief may not read Suffolk's people.
    assert response.context["summary"].people == 2
    assert [s.person.force for s in response.context["report"].single_points_of_failure] == [
        "Suffolk Constabulary"
    ]
    assert "Suki" not in page and "5001" not in page
    assert "Name withheld (Suffolk Constabulary)" in page
    assert "Nora North" in page
    assert reverse("people:person_detail", args=[suki.pk]) not in page
    assert reverse("people:person_detail", args=[nora.pk]) in page
    assert client.get(reverse("people:person_detail", args=[suki.pk])).status_code == 404
    for fmt in ("csv", "json", "html"):
        body = client.get(report_url(cast.joint_unit) + f"?format={fmt}").content.decode()
        assert "Suki" not in body and "5001" not in body, fmt
    # The regional lead sees both forces: nothing withheld.
    client.force_login(cast.regional_lead)
    assert "Suki South" in client.get(report_url(cast.joint_unit)).content.decode()

"""The inspection pack (skills/evaluation/pack.py, /evaluation/forces/<force>/pack.pdf): one
PDF per force or region, marked with the classification on every page, naming each unit,
numbering its pages, with expectation-by-expectation evidence that matches the unit reports.
Another force's chief officer finds nothing (404)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from people.models import Deployment, PersonType, Role
from skills.actions import services as actions
from skills.coverage import build_unit_report
from skills.evaluation.pack import build_force_pack, build_region_pack
from tests.factories import UnitFactory, UserFactory, activity, completed, granted, posted
from tests.skills.conftest import D, expectation, person, role, target

MARKING = "OFFICIAL-SENSITIVE TEST MARKING"


@pytest.fixture(autouse=True)
def _marking(settings):
    settings.REGISTER_CLASSIFICATION = MARKING


@pytest.fixture
def norfolk(cast):
    """A target and a role citing HMIC 2015 5.56 in the Norfolk unit and the joint unit, a
    special with a deployment, and a sub-unit inside the joint unit."""
    pursue = role(
        "PURSUE", ("NETINV", 2, {"expectations": ["HMIC-2015-DIGITAL 5.56"]}), ("OSINT", 1)
    )
    course = activity("NET2", {"NETINV": 2})
    target(cast.norfolk_unit, "NETINV", 2, 2, expectations=["HMIC-2015-DIGITAL 5.56"])
    target(cast.joint_unit, "NETINV", 2, 1, expectations=["HMIC-2015-DIGITAL 5.56"])
    able = person(cast.norfolk, "Ann", "Able")
    slow = person(cast.norfolk, "Bob", "Slow")
    special = person(cast.suffolk, "Sam", "Special", person_type=PersonType.SPECIAL)
    posted(able, cast.norfolk_unit, start=date(2024, 1, 1), role=pursue)
    posted(slow, cast.norfolk_unit, start=date(2024, 1, 1), role=pursue)
    posted(special, cast.joint_unit, start=date(2024, 1, 1), role=pursue)
    completed(able, course, date(2024, 2, 1))
    completed(special, course, date(2024, 2, 1))
    Deployment.objects.create(
        person=special, deployed_on=date(2025, 3, 3), hours=Decimal("6"), task="OSINT"
    )
    UnitFactory(
        code="NSJ-DFU",
        name="Joint digital forensic unit",
        region=cast.eastern,
        parent=cast.joint_unit,
    )
    return able, slow, special


def pdf_text(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def test_chief_officer_downloads_the_force_pack_as_a_pdf(cast, client, norfolk):
    client.force_login(cast.chief)

    response = client.get(
        reverse("evaluation:force_pack", args=["norfolk"]), {"as_of": D.isoformat()}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="inspection-pack-norfolk-2025-03-31.pdf"' in response["Content-Disposition"]
    pages = pdf_text(response.content)
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert MARKING in text, f"page {number} lacks the classification"
        assert f"Page {number} of {len(pages)}" in text
    everything = "\n".join(pages)
    for code in ("NOR-CCU", "NSJ-CCU", "NSJ-DFU"):
        assert code in everything
    assert "KEN-CCU" not in everything
    assert "Contents" in everything
    assert "HMIC 2015 5.56" in everything
    assert "Specials and volunteers evaluation" in everything


def test_the_force_can_be_named_by_its_key(cast, client, norfolk):
    client.force_login(cast.national_lead)

    response = client.get(reverse("evaluation:force_pack", args=[str(cast.norfolk.pk)]))

    assert response.status_code == 200
    assert "Norfolk Constabulary" in "\n".join(pdf_text(response.content))


def test_another_forces_chief_officer_gets_404(cast, client, norfolk):
    kent_chief = UserFactory(email="chief@kent.police.uk")
    granted(kent_chief, Role.CHIEF_OFFICER, force=cast.kent)
    client.force_login(kent_chief)

    assert client.get(reverse("evaluation:force_pack", args=["norfolk"])).status_code == 404
    assert (
        client.get(reverse("evaluation:force_pack", args=[str(cast.norfolk.pk)])).status_code == 404
    )
    assert client.get(reverse("evaluation:region_pack", args=["eastern"])).status_code == 404


def test_norfolk_chief_gets_404_for_kent_and_for_the_region(cast, client, norfolk):
    client.force_login(cast.chief)

    assert client.get(reverse("evaluation:force_pack", args=["kent"])).status_code == 404
    assert client.get(reverse("evaluation:region_pack", args=["eastern"])).status_code == 404


def test_regional_lead_downloads_the_region_pack_with_every_force(cast, client, norfolk):
    client.force_login(cast.regional_lead)

    response = client.get(reverse("evaluation:region_pack", args=["eastern"]))

    everything = "\n".join(pdf_text(response.content))
    assert response.status_code == 200
    assert "Eastern" in everything
    assert "Suffolk Constabulary" in everything
    assert "NOR-CCU" in everything
    assert "KEN-CCU" not in everything


def test_expectation_evidence_matches_the_unit_reports(cast, norfolk):
    pack = build_force_pack(cast.norfolk, as_of=D)

    [evidence] = [e for e in pack.expectations if e.key == "HMIC-2015-DIGITAL 5.56"]
    rows = {r.unit_code: r for r in evidence.rows}
    assert set(rows) == {"NOR-CCU", "NSJ-CCU"}
    nor = rows["NOR-CCU"]
    assert (nor.people_meeting, nor.people_applying) == (1, 2)
    assert (nor.targets_met, nor.targets_total) == (0, 1)
    for code, row in rows.items():
        report = build_unit_report(
            cast.norfolk_unit if code == "NOR-CCU" else cast.joint_unit, as_of=D
        )
        [line] = [e for e in report.expectations if e.key == "HMIC-2015-DIGITAL 5.56"]
        assert (row.requirements_met, row.requirements_total) == (
            line.requirements_met,
            line.requirements_total,
        )
        assert (row.targets_met, row.targets_total) == (line.targets_met, line.targets_total)
    assert evidence.total.people_applying == 3
    assert evidence.total.people_meeting == 2


def test_units_inside_another_are_listed_after_it_and_left_out_of_totals(cast, norfolk):
    pack = build_force_pack(cast.norfolk, as_of=D)

    codes = [s.report.unit.code for s in pack.units]
    assert codes == ["NSJ-CCU", "NSJ-DFU", "NOR-CCU"]
    assert [s.is_root for s in pack.units] == [True, False, True]


def test_the_pack_carries_the_specials_and_volunteers_evaluation(cast, norfolk):
    pack = build_force_pack(cast.norfolk, as_of=D)

    joint = next(s for s in pack.units if s.report.unit.code == "NSJ-CCU")
    assert joint.evaluation.hours_12_months == Decimal(6)
    assert [p.person.name for p in joint.evaluation.people] == ["Sam Special"]


def test_each_expectations_action_status_is_shown_for_the_force(cast, norfolk):
    plan = actions.create_plan(
        force=cast.norfolk,
        expectation=expectation("HMIC-2015-DIGITAL 5.56"),
        owner=cast.chief,
        by=cast.coordinator,
    )
    actions.add_action(
        plan=plan, reference="1", title="Train", due_on=date(2025, 1, 31), by=cast.coordinator
    )

    pack = build_region_pack(cast.eastern, as_of=D)

    [evidence] = [e for e in pack.expectations if e.key == "HMIC-2015-DIGITAL 5.56"]
    assert [a.label for a in evidence.actions] == [
        "Norfolk Constabulary: 0 of 1 actions closed, 1 overdue",
        "Suffolk Constabulary: no action plan",
    ]


def test_command_writes_the_pack(cast, norfolk, tmp_path):
    out = tmp_path / "pack.pdf"

    call_command("inspection_pack", "norfolk", "--as-of", "2025-03-31", "--output", str(out))

    pages = pdf_text(out.read_bytes())
    assert MARKING in pages[0]
    assert "NOR-CCU" in "\n".join(pages)


def test_evaluation_page_links_the_chief_officer_to_the_force_pack(cast, client, norfolk):
    client.force_login(cast.chief)

    page = client.get(reverse("evaluation:unit", args=["NOR-CCU"])).content.decode()

    assert reverse("evaluation:force_pack", args=["norfolk"]) in page


def test_a_bad_as_of_date_is_refused_saying_what_to_enter_not_a_500(cast, client, norfolk):
    """A pack is a document of record: never printed for today when another day was asked."""
    client.force_login(cast.chief)

    response = client.get(reverse("evaluation:force_pack", args=["norfolk"]), {"as_of": "soon"})

    assert response.status_code == 400
    assert "Enter the date as YYYY-MM-DD, for example 2025-03-31" in response.content.decode()


def test_people_of_another_force_in_a_joint_unit_count_but_are_not_named(cast, client, norfolk):
    """Sam is a Suffolk special in the joint unit: a Norfolk chief officer's pack and
    evaluation count him but never name him; the regional lead, who may see Suffolk, does."""
    client.force_login(cast.chief)
    pack = client.get(reverse("evaluation:force_pack", args=["norfolk"]), {"as_of": D.isoformat()})
    text = "\n".join(pdf_text(pack.content))
    assert "Special" in text  # the person type is still shown
    assert "Sam Special" not in text and "Name withheld" in text
    page = client.get(
        reverse("evaluation:unit", args=[cast.joint_unit.code]), {"as_of": D.isoformat()}
    ).content.decode()
    assert "Sam Special" not in page and "Name withheld" in page

    client.force_login(cast.regional_lead)
    page = client.get(
        reverse("evaluation:unit", args=[cast.joint_unit.code]), {"as_of": D.isoformat()}
    ).content.decode()
    assert "Sam Special" in page

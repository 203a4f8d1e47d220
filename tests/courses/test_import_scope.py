"""An import never tells a coordinator anything about people outside their scope: a row for
such a person reads exactly like a row for someone not on the register (issue 13, points 1
and 6), and a unit coordinator adds people only from the forces of their unit."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.imports.services import preview_import
from people.models import Person, Role
from tests.courses.importing import catalogue, csv_file
from tests.factories import PersonFactory, UserFactory, granted, posted

NORFOLK_PEOPLE = range(1000, 1060)


@pytest.fixture
def acts(db):
    return catalogue()


@pytest.fixture
def norfolk_people(cast):
    """Sixty Norfolk people with staff numbers 1000-1059, distinctive names and emails."""
    people = []
    for number in NORFOLK_PEOPLE:
        person = PersonFactory(
            force=cast.norfolk,
            staff_number=str(number),
            first_name=f"Norfolkfirst{number}",
            last_name=f"Norfolklast{number}",
            email=f"person{number}@norfolk.police.uk",
        )
        posted(person, cast.norfolk_unit, start=date(2024, 1, 1))
        people.append(person)
    return people


def kent_probe() -> str:
    """The Kent coordinator's probe: every Norfolk staff number from 1000 to 9999, then
    every Norfolk email address of the fixture, and one row that is theirs to import."""
    lines = ["force,staff_number,email,activity_code,completed_on"]
    lines += [f"norfolk,{n},,ROCU-NET-INV,2025-01-01" for n in range(1000, 10000)]
    lines += [f",,person{n}@norfolk.police.uk,ROCU-NET-INV,2025-01-01" for n in NORFOLK_PEOPLE]
    lines += [",,nobody-at-all@norfolk.police.uk,ROCU-NET-INV,2025-01-01"]
    lines += ["kent,9999,,ROCU-NET-INV,2025-01-01"]
    return "\n".join(lines) + "\n"


def leaks(text: str, people) -> list[str]:
    """Anything in ``text`` that names someone outside the Kent coordinator's scope."""
    found = [p.first_name for p in people if p.first_name in text]
    found += [p.last_name for p in people if p.last_name in text]
    found += [
        name for name in ("Jane", "Smith", "Sam Jones", "Norfolk Constabulary") if name in text
    ]
    return found


def test_the_kent_coordinators_probe_reads_like_rows_that_match_nobody(cast, acts, norfolk_people):
    preview = preview_import(
        "completions", csv_file(kent_probe()), filename="probe.csv", user=cast.outsider
    )
    assert preview.rows == 9000 + len(NORFOLK_PEOPLE) + 2
    assert preview.created == 1  # the Kent person's row
    messages = {e.message for e in preview.errors}
    expected = {
        f"no one you coordinate has staff number “{n}” in “norfolk”" for n in range(1000, 10000)
    }
    expected |= {
        f"no one you coordinate has the email “person{n}@norfolk.police.uk”" for n in NORFOLK_PEOPLE
    }
    expected.add("no one you coordinate has the email “nobody-at-all@norfolk.police.uk”")
    assert messages == expected
    assert leaks(" ".join(str(e) for e in preview.errors), norfolk_people) == []


def test_the_probes_rendered_preview_and_dry_run_name_no_one(
    client, cast, acts, norfolk_people, tmp_path, settings
):
    settings.EVIDENCE_ROOT = tmp_path
    client.force_login(cast.outsider)
    upload = SimpleUploadedFile("probe.csv", kent_probe().encode(), content_type="text/csv")
    response = client.post(
        reverse("courses:import_upload"), {"kind": "completions", "file": upload}
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    # The first page holds the rows of the people who exist; the last the email rows.
    for page in ("", "?page=2", "?page=91"):
        page_response = client.get(preview_url + page)
        assert page_response.status_code == 200
        html = page_response.content.decode()
        assert "no one you coordinate has" in html
        assert leaks(html, norfolk_people) == []

    probe = tmp_path / "probe.csv"
    probe.write_text(kent_probe(), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_records",
            "completions",
            str(probe),
            "--dry-run",
            "--by",
            cast.outsider.email,
            stdout=out,
            stderr=err,
        )
    printed = out.getvalue() + err.getvalue()
    assert (
        "Row 2, staff_number: no one you coordinate has staff number “1000” in “norfolk”" in printed
    )
    assert leaks(printed, norfolk_people) == []


PEOPLE_HEADER = "force,staff_number,first_name,last_name,email,person_type,unit,role_profile,start"


def test_a_people_import_never_names_someone_outside_the_scope(cast, acts, norfolk_people):
    text = "\n".join(
        [
            PEOPLE_HEADER,
            # An existing Norfolk person, and a Norfolk staff number nobody has: the same words.
            "norfolk,1000,A,B,,officer,KEN-CCU,CYBER-PURSUE,2025-01-06",
            "norfolk,8888,A,B,,officer,KEN-CCU,CYBER-PURSUE,2025-01-06",
            # Norfolk's unit is outside Kent's scope, and reads like a unit that does not exist.
            "kent,7001,Ken,Tish,,officer,NOR-CCU,CYBER-PURSUE,2025-01-06",
            "kent,7002,Ken,Tosh,,officer,NO-SUCH-UNIT,CYBER-PURSUE,2025-01-06",
            # A Norfolk person's email given to a new Kent person: refused, owner not named.
            "kent,7003,Ken,Tash,person1001@norfolk.police.uk,officer,KEN-CCU,CYBER-PURSUE,2025-01-06",
        ]
    )
    preview = preview_import("people", csv_file(text), filename="p.csv", user=cast.outsider)
    assert [str(e) for e in preview.errors] == [
        "Row 2, force: “norfolk” is not a force you coordinate",
        "Row 3, force: “norfolk” is not a force you coordinate",
        "Row 4, unit: no unit you coordinate has the code “NOR-CCU”",
        "Row 5, unit: no unit you coordinate has the code “NO-SUCH-UNIT”",
        "Row 6, email: “person1001@norfolk.police.uk” is already another person's email on the "
        "register: leave it blank or give this person's own address",
    ]
    assert leaks(" ".join(str(e) for e in preview.errors), norfolk_people) == []


@pytest.fixture
def unit_coordinator(cast):
    """A coordinator of the Norfolk cyber crime unit only (no force grant)."""
    user = UserFactory(email="unit.coordinator@norfolk.police.uk")
    granted(user, Role.COORDINATOR, unit=cast.norfolk_unit)
    return user


def test_a_unit_coordinator_adds_people_only_from_their_units_forces(cast, acts, unit_coordinator):
    joint_only = PersonFactory(
        force=cast.norfolk, staff_number="3456", first_name="Jointonly", last_name="Person"
    )
    posted(joint_only, cast.joint_unit, start=date(2024, 1, 1))
    text = "\n".join(
        [
            PEOPLE_HEADER,
            "norfolk,5501,Priya,Shah,,officer,NOR-CCU,CYBER-PURSUE,2025-01-06",
            "kent,7001,Ken,Tish,,officer,NOR-CCU,CYBER-PURSUE,2025-01-06",
            "suffolk,7865,Sue,Folk,,officer,NOR-CCU,CYBER-PURSUE,2025-01-06",
            "norfolk,3456,Jointonly,Person,,officer,NOR-CCU,CYBER-PURSUE,2025-01-06",
            "norfolk,1234,Jane,Smith,,officer,NOR-CCU,CYBER-PURSUE,2025-02-01",
        ]
    )
    preview = preview_import("people", csv_file(text), filename="p.csv", user=unit_coordinator)
    assert [str(e) for e in preview.errors] == [
        "Row 3, force: “kent” is not a force you coordinate",
        "Row 4, force: “suffolk” is not a force you coordinate",
        "Row 5, staff_number: staff number “3456” in “norfolk” is already on the register: "
        "their own coordinator posts them to a unit",
    ]
    assert [re.sub(r" \(.*", "", line) for line in preview.to_create] == [
        "Row 2: Priya Shah",
        "Row 6: Jane Smith",  # Jane is posted to the unit, so theirs: a second posting
    ]
    assert not Person.objects.filter(staff_number__in=["5501", "7001", "7865"]).exists()

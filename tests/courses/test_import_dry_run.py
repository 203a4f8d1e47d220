"""A dry run (preview) reads the whole file, writes nothing and lists every bad row."""

from datetime import date

import pytest

from courses.imports.services import ImportFileError, preview_import
from courses.models import Completion
from people.models import Person
from tests.courses.importing import catalogue, csv_file, xlsx_file
from tests.factories import completed


@pytest.fixture
def acts(db):
    return catalogue()


def test_preview_counts_what_would_be_created_changed_and_left_alone(cast, acts):
    completed(cast.officer, acts["course"], date(2025, 1, 20))
    completed(cast.colleague, acts["cert"], date(2024, 5, 2), certificate_number="")
    text = (
        "email,activity_code,completed_on,certificate_number\n"
        "officer@norfolk.police.uk,ROCU-NET-INV,2025-01-20,\n"  # already recorded
        "officer@norfolk.police.uk,GIAC-GCFE,2025-02-11,GCFE-1234\n"  # new
        "sam.jones@norfolk.police.uk,GIAC-GCFE,02/05/2024,GCFE-77\n"  # certificate added
    )
    cast.colleague.email = "Sam.Jones@norfolk.police.uk"
    cast.colleague.save()
    preview = preview_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)
    assert preview.errors == []
    assert (preview.rows, preview.created, preview.changed, preview.unchanged) == (3, 1, 1, 1)
    assert preview.to_create == [
        "Row 3: Jane Smith, GIAC Certified Forensic Examiner (GCFE) on 11 February 2025"
    ]
    assert preview.to_change == [
        "Row 4: Sam Jones, GIAC Certified Forensic Examiner (GCFE) on 02 May 2024: "
        "certificate number updated"
    ]
    assert preview.left_alone[0].startswith("Row 2: Jane Smith, Network investigation")
    assert Completion.objects.count() == 2


def test_preview_reports_each_bad_row_with_its_spreadsheet_row_number(cast, acts):
    text = (
        "Force,Staff Number,Activity Code,Completed On\n"
        "norfolk,1234,ROCU-NET-INV,2025-01-20\n"
        "kent,4412,ROCU-NET-INV,2025-01-20\n"
        "norfolk,1234,NO-SUCH,2025-01-20\n"
        "norfolk,1234,ROCU-NET-INV,20/13/2025\n"
        "norfolk,1234,ROCU-NET-INV,2999-01-01\n"
        "norfolk,2345,COLL-NETWORK,2025-01-20\n"
    )
    preview = preview_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)
    assert [str(e) for e in preview.errors] == [
        "Row 3, staff_number: no one you coordinate has staff number “4412” in “kent”",
        "Row 4, activity_code: no activity with code “NO-SUCH”",
        "Row 5, completed_on: “20/13/2025” is not a date: use 2025-03-14 or 14/03/2025",
        "Row 6, completed_on: 01/01/2999 is in the future",
        "Row 7, activity_code: Network investigation collection is a lab collection: "
        "import the labs it groups instead",
    ]
    assert preview.created == 1
    assert Completion.objects.count() == 0


def test_people_outside_the_coordinators_scope_are_errors(cast, acts):
    text = (
        "email,force,staff_number,activity_code,completed_on\n"
        ",kent,9999,ROCU-NET-INV,2025-01-20\n"
        f"{cast.kent_person.email},,,ROCU-NET-INV,2025-01-20\n"
        ",norfolk,1234,ROCU-NET-INV,2025-01-20\n"
    )
    preview = preview_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)
    assert [str(e) for e in preview.errors] == [
        # Exactly as for someone not on the register: no name, nothing the file did not say.
        "Row 2, staff_number: no one you coordinate has staff number “9999” in “kent”",
        f"Row 3, email: no one you coordinate has the email “{cast.kent_person.email}”",
    ]
    assert preview.created == 1


def test_header_names_ignore_case_spaces_and_accept_aliases(cast, acts):
    text = (
        "  E-mail Address ,Course Code,Date Completed,Expiry Date,Notes\n"
        "officer@norfolk.police.uk,GIAC-GCFE,14 March 2025,2029-03-01,from ROCU\n"
    )
    preview = preview_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)
    assert preview.errors == []
    assert preview.created == 1
    assert preview.ignored_columns == ["Notes"]


def test_a_file_missing_a_required_column_is_refused(cast, acts):
    text = "email,completed_on\nofficer@norfolk.police.uk,2025-01-01\n"
    with pytest.raises(ImportFileError, match="activity_code column, or provider and title"):
        preview_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)


def test_people_preview_shows_new_people_and_postings(cast, acts):
    text = (
        "force,staff_number,first_name,last_name,email,person_type,unit,role_profile,start,"
        "end,funding\n"
        "norfolk,5501,Priya,Shah,priya.shah@norfolk.police.uk,officer,NOR-CCU,CYBER-PURSUE,"
        "2025-01-06,,core\n"
        "norfolk,1234,Jane,Smith,officer@norfolk.police.uk,officer,NOR-CCU,CYBER-PURSUE,"
        "2024-01-01,,\n"
        "kent,7001,Ken,Tish,,officer,KEN-CCU,CYBER-PURSUE,2025-01-06,,\n"
        "norfolk,5502,Al,Bee,,volunteer,KEN-CCU,CYBER-PURSUE,2025-01-06,,\n"
    )
    preview = preview_import("people", csv_file(text), filename="p.csv", user=cast.coordinator)
    assert [str(e) for e in preview.errors] == [
        "Row 4, unit: no unit you coordinate has the code “KEN-CCU”",
        "Row 5, unit: no unit you coordinate has the code “KEN-CCU”",
    ]
    assert (preview.created, preview.changed) == (1, 1)
    assert preview.to_change == [
        "Row 3: Jane Smith (1234, Norfolk Constabulary): posting to NOR-CCU from 01 January "
        "2024 updated"
    ]
    assert preview.to_create[0] == (
        "Row 2: Priya Shah (5501, Norfolk Constabulary): new person; posting to NOR-CCU from "
        "06 January 2025"
    )
    assert not Person.objects.filter(staff_number="5501").exists()


def test_xlsx_preview_reads_dates_and_numbers_as_a_coordinator_typed_them(cast, acts):
    rows = [
        ["Force", "Staff number", "Activity code", "Completed on"],
        ["Norfolk Constabulary", 1234, "ROCU-NET-INV", date(2025, 1, 20)],
        ["norfolk", 2345.0, "ROCU-NET-INV", "21/01/2025"],
    ]
    preview = preview_import(
        "completions", xlsx_file(rows), filename="c.xlsx", user=cast.coordinator
    )
    assert preview.errors == []
    assert preview.created == 2

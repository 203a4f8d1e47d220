"""Applying an import writes all rows or none, and a second run changes nothing."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.imports.services import ImportHasErrors, apply_import
from courses.models import Completion, Source, Status
from people.models import Person, Posting
from tests.courses.importing import catalogue, csv_file, xlsx_file
from tests.factories import PersonFactory

COMPLETIONS = (
    "email,activity_code,completed_on,expires_on,certificate_number\n"
    "officer@norfolk.police.uk,ROCU-NET-INV,2025-01-20,,\n"
    "officer@norfolk.police.uk,GIAC-GCFE,2025-02-11,2029-02-28,GCFE-1234\n"
)


@pytest.fixture
def acts(db):
    return catalogue()


def _apply(kind, fileobj, user, filename="file.csv"):
    return apply_import(kind, fileobj, filename=filename, user=user)


def test_an_import_with_bad_rows_commits_nothing_and_lists_each_of_them(cast, acts):
    people = [PersonFactory(force=cast.norfolk, staff_number=str(5000 + n)) for n in range(10)]
    lines = ["force,staff_number,activity_code,completed_on"]
    lines += [f"norfolk,{p.staff_number},ROCU-NET-INV,2025-01-20" for p in people]
    lines[3] = "norfolk,4412,ROCU-NET-INV,2025-01-20"  # row 4
    lines[7] = "norfolk,5006,ROCU-NET-INV,yesterday"  # row 8
    lines[10] = "norfolk,5009,NOT-A-CODE,2025-01-20"  # row 11
    with pytest.raises(ImportHasErrors) as raised:
        _apply("completions", csv_file("\n".join(lines)), cast.coordinator)
    errors = raised.value.preview.errors
    assert len(errors) == 3
    assert [(e.row, e.column) for e in errors] == [
        (4, "staff_number"),
        (8, "completed_on"),
        (11, "activity_code"),
    ]
    assert Completion.objects.count() == 0
    assert Completion.history.count() == 0


def test_clean_import_then_the_same_file_again_changes_nothing(cast, acts):
    first = _apply("completions", csv_file(COMPLETIONS), cast.coordinator)
    assert (first.rows, first.created, first.changed, first.unchanged) == (2, 2, 0, 0)
    records = Completion.objects.filter(person=cast.officer).order_by("completed_on")
    assert [(c.activity.code, c.status, c.source, c.verified_by) for c in records] == [
        ("ROCU-NET-INV", Status.VERIFIED, Source.IMPORTED, cast.coordinator),
        ("GIAC-GCFE", Status.VERIFIED, Source.IMPORTED, cast.coordinator),
    ]
    assert records[1].expiry() == date(2029, 2, 28)
    assert records[0].expiry() == date(2028, 1, 20)
    assert set(Completion.history.values_list("history_user", flat=True)) == {cast.coordinator.pk}
    second = _apply("completions", csv_file(COMPLETIONS), cast.coordinator)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 2)
    assert Completion.objects.count() == 2
    assert Completion.history.count() == 2


def test_a_bom_file_imports_the_same_as_one_without(cast, acts):
    result = _apply("completions", csv_file(COMPLETIONS, bom=True), cast.coordinator)
    assert result.created == 2
    again = _apply("completions", csv_file(COMPLETIONS), cast.coordinator)
    assert (again.created, again.changed) == (0, 0)


def test_an_xlsx_file_imports_and_reimports_without_change(cast, acts):
    rows = [
        ["Email", "Provider", "Title", "Completed on"],
        [
            "officer@norfolk.police.uk",
            "GIAC",
            "GIAC Certified Forensic Examiner (GCFE)",
            date(2025, 2, 11),
        ],
    ]
    assert _apply("completions", xlsx_file(rows), cast.coordinator, "c.xlsx").created == 1
    again = _apply("completions", xlsx_file(rows), cast.coordinator, "c.xlsx")
    assert (again.created, again.changed, again.unchanged) == (0, 0, 1)


def test_an_import_verifies_a_pending_submission_it_confirms(cast, acts):
    from courses.services import submit_completion

    pending = submit_completion(
        person=cast.officer,
        activity=acts["course"],
        completed_on=date(2025, 1, 20),
        submitted_by=cast.officer_user,
        certificate_number="X1",
    )
    result = _apply("completions", csv_file(COMPLETIONS), cast.coordinator)
    assert (result.created, result.changed) == (1, 1)
    pending.refresh_from_db()
    assert pending.status == Status.VERIFIED
    assert pending.verified_by == cast.coordinator


def test_a_platform_export_adds_verified_lab_completions_with_points(cast, acts):
    text = (
        "User Email,Lab Name,Completed At,Points\n"
        "officer@norfolk.police.uk,Packet capture basics,2025-03-01T10:15:00Z,100\n"
        "officer@norfolk.police.uk,LAB-NET-02,2025-03-02,150\n"
        "officer@norfolk.police.uk,LAB-NET-02,2025-03-02,150\n"
    )
    result = _apply("labs", csv_file(text), cast.coordinator)
    assert (result.rows, result.created, result.unchanged) == (3, 2, 1)
    labs = Completion.objects.order_by("completed_on")
    assert [(c.activity.code, c.completed_on, c.points, c.source, c.status) for c in labs] == [
        ("LAB-NET-01", date(2025, 3, 1), 100, Source.PLATFORM, Status.VERIFIED),
        ("LAB-NET-02", date(2025, 3, 2), 150, Source.PLATFORM, Status.VERIFIED),
    ]
    again = _apply("labs", csv_file(text.replace(",150\n", ",175\n", 1)), cast.coordinator)
    assert (again.created, again.changed, again.unchanged) == (0, 1, 2)
    assert labs.get(activity__code="LAB-NET-02").points == 175


def test_a_people_file_creates_people_and_postings_once(cast, acts):
    text = (
        "force,staff_number,first_name,last_name,email,person_type,unit,role_profile,start,"
        "end,funding\n"
        "norfolk,5501,Priya,Shah,priya.shah@norfolk.police.uk,police officer,NOR-CCU,"
        "CYBER-PURSUE,2025-01-06,,core\n"
        "norfolk,5501,Priya,Shah,priya.shah@norfolk.police.uk,police officer,NSJ-CCU,"
        "Cyber Pursue investigator,2025-06-01,2026-03-31,\n"
    )
    result = _apply("people", csv_file(text), cast.coordinator)
    assert (result.created, result.changed, result.unchanged) == (2, 0, 0)
    priya = Person.objects.get(staff_number="5501")
    assert (priya.full_name, priya.force, priya.person_type) == (
        "Priya Shah",
        cast.norfolk,
        "officer",
    )
    assert sorted(Posting.objects.filter(person=priya).values_list("unit__code", "end")) == [
        ("NOR-CCU", None),
        ("NSJ-CCU", date(2026, 3, 31)),
    ]
    assert priya.history.get().history_user == cast.coordinator
    again = _apply("people", csv_file(text), cast.coordinator)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)


def test_the_command_imports_and_lists_errors_with_a_non_zero_exit(cast, acts, tmp_path):
    good = tmp_path / "completions.csv"
    good.write_text(COMPLETIONS, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_records",
        "completions",
        str(good),
        "--dry-run",
        "--by",
        cast.coordinator.email,
        stdout=out,
    )
    assert "2 to create" in out.getvalue()
    assert Completion.objects.count() == 0
    call_command(
        "import_records", "completions", str(good), "--by", cast.coordinator.email, stdout=out
    )
    assert Completion.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(COMPLETIONS + "nobody@norfolk.police.uk,ROCU-NET-INV,2025-01-20,,\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command(
            "import_records",
            "completions",
            str(bad),
            "--by",
            cast.coordinator.email,
            stdout=StringIO(),
            stderr=err,
        )
    assert (
        "Row 4, email: no one you coordinate has the email “nobody@norfolk.police.uk”"
        in err.getvalue()
    )


def test_the_command_refuses_someone_who_does_not_coordinate(cast, acts, tmp_path):
    good = tmp_path / "completions.csv"
    good.write_text(COMPLETIONS, encoding="utf-8")
    with pytest.raises(CommandError, match="is not a training coordinator"):
        call_command("import_records", "completions", str(good), "--by", cast.chief.email)
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_records", "completions", str(good), "--by", "nobody@x.uk")


def test_uploaded_files_from_the_web_import_whether_in_memory_or_on_disk(cast, acts):
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    in_memory = SimpleUploadedFile("c.csv", COMPLETIONS.encode(), content_type="text/csv")
    assert _apply("completions", in_memory, cast.coordinator, "c.csv").created == 2
    on_disk = TemporaryUploadedFile("c.csv", "text/csv", len(COMPLETIONS), "utf-8")
    on_disk.write(COMPLETIONS.encode())
    on_disk.seek(0)
    again = _apply("completions", on_disk, cast.coordinator, "c.csv")
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert not on_disk.closed  # the caller's file stays open

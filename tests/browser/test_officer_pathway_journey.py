"""Journey: an officer opens their pathway, sees what is missing and what would meet it,
submits evidence of training done elsewhere, and downloads their competence statement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from courses.models import ActivityKind
from tests.browser.conftest import log_in
from tests.factories import activity, posted
from tests.people.self_service_builders import role


def test_officer_follows_their_pathway_submits_evidence_and_downloads_statement(
    page, cast, password
):
    profile = role("VICTIM-ROLE", ("VICTIM", 1), name="Cyber Protect officer")
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=profile)
    activity(
        "VICTIM-COURSE",
        {"VICTIM": 1},
        provider="College of Policing",
        title="Supporting victims of cyber crime",
        hours=7,
    )
    activity(
        "VICTIM-ACCRED",
        {"VICTIM": 2},
        kind=ActivityKind.ACCREDITATION,
        provider="Victim Support",
        title="Advanced victim care",
    )

    log_in(page, cast.officer.email, password)
    page.goto("/me/")
    card = page.locator("#requirement-VICTIM-1")
    assert card.locator(".govuk-tag").inner_text() == "missing"
    assert card.get_by_role(
        "link", name="Supporting victims of cyber crime", exact=True
    ).is_visible()
    assert card.get_by_role("link", name="Advanced victim care", exact=True).is_visible()
    assert "College of Policing" in card.inner_text()
    assert "0 of 1 mandatory requirement met" in page.locator("main").inner_text()

    # Two activities meet it, so each has its own submit link, named apart from the
    # activity's page link (one link text, two destinations, confuses a screen reader).
    card.get_by_role("link", name="Submit evidence for Supporting victims of cyber crime").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Submit training done elsewhere"
    page.select_option(
        "#id_activity",
        label="Supporting victims of cyber crime — College of Policing (VICTIM-COURSE)",
    )
    page.fill("#id_completed_on_0", "3")
    page.fill("#id_completed_on_1", "3")
    page.fill("#id_completed_on_2", "2025")
    page.fill("#id_certificate_number", "COP-77120")
    page.get_by_role("button", name="Submit for verification").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Submitted" in page.locator("main").inner_text()

    page.goto("/me/")
    card = page.locator("#requirement-VICTIM-1")
    assert card.locator(".govuk-tag").inner_text() == "pending"
    submissions = page.locator("table", has_text="Supporting victims of cyber crime").last
    assert "pending" in submissions.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your statement (PDF)").click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert download.suggested_filename.startswith("statement-norfolk-1234-")

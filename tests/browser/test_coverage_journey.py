"""A chief officer opens the coverage overview, filters to Protect, drills into the unit with a
single point of failure, and downloads the force's inspection pack (the PDF opens)."""

import io
from pathlib import Path

import pypdf

from tests.browser.conftest import log_in
from tests.skills.test_overview import build_landscape


def test_chief_officer_filters_to_protect_drills_in_and_downloads_the_pack(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = []  # chiefs sign in with a password in this journey
    build_landscape(cast)

    log_in(page, cast.chief.email, password)
    # Home sends a chief officer to coverage.
    assert page.get_by_role("heading", level=1).inner_text() == "Coverage overview"

    page.get_by_text("Filter by function, person type or date").click()
    page.get_by_label("Function").select_option(label="Protect")
    # GOV.UK date input: day, month and year boxes.
    for box, value in zip(("0", "1", "2"), ("31", "3", "2025"), strict=True):
        page.fill(f"#id_as_of_{box}", value)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("domcontentloaded")

    heat = page.locator("#heat-table")
    assert "Protect capabilities only" in page.locator("main").inner_text()
    assert "Network" not in heat.inner_text()  # a Pursue capability, filtered out
    norfolk_row = heat.locator("tr", has_text="NOR-CCU")
    assert "single point of failure" in norfolk_row.inner_text()

    norfolk_row.get_by_role("link", name="Norfolk cyber crime unit").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text() == "Norfolk cyber crime unit"
    single_points = page.locator("table", has_text="Only holder")
    assert "Ann Able" in single_points.inner_text()

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Inspection pack of Norfolk Constabulary (PDF)").click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    text = "\n".join(p.extract_text() for p in pages)
    assert "OFFICIAL-SENSITIVE" in text and "NOR-CCU" in text
    assert "KEN-CCU" not in text

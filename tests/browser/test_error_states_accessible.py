"""Pages users reach when something goes wrong, checked by axe like every other page (issue
15: "including error pages"): the inspection actions import with its errors, its preview and
its confirmation (no other browser test opens ``actions:import_preview``), and the generic 400
and 500 pages (the directory's refused request for help: test_directory_journey.py)."""

from __future__ import annotations

import pytest

from skills.models import Action
from tests.browser.conftest import log_in
from tests.skills.conftest import expectation

HEADER = "force,inspection,expectation,owner,action,title,due_on,status"
GOOD = "norfolk,HMICFRS-2019-CYBER,AFI 1,chief@norfolk.police.uk,1,Survey hours,2025-03-31,open"
BAD = "norfolk,HMICFRS-2019-CYBER,AFI 9,chief@norfolk.police.uk,2,No such,2025-13-01,finished"


def _file(*rows: str) -> dict:
    text = "\n".join((HEADER, *rows)) + "\n"
    return {"name": "actions.csv", "mimeType": "text/csv", "buffer": text.encode()}


def _upload(page, *rows: str) -> None:
    page.goto("/actions/import/")
    if rows:
        page.set_input_files("input[type=file]", _file(*rows))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_load_state("domcontentloaded")


def test_the_actions_import_with_its_errors_preview_and_confirmation(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = []
    expectation("HMICFRS-2019-CYBER AFI 1", "Evaluate the use of cyber specials and volunteers.")
    log_in(page, cast.coordinator.email, password)

    _upload(page)  # no file: the form again, with its error
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-error-summary").is_visible()

    _upload(page, GOOD, BAD)  # a bad row: the preview lists it and offers no import
    assert "/actions/import/" in page.url
    assert "1 row of 2 has a problem" in page.locator("main").inner_text()
    page.get_by_role("link", name="See the 3 problems").click()
    problems = page.locator("#problems").inner_text()
    assert "no expectation AFI 9" in problems and "2025-13-01" in problems, problems
    assert page.get_by_role("button", name="Import 2 rows").count() == 0
    assert not Action.objects.exists()

    _upload(page, GOOD)  # the corrected file: preview, then import
    page.get_by_role("button", name="Import 1 row").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Imported 1 row: 1 created" in page.locator(".govuk-notification-banner").inner_text()
    assert Action.objects.count() == 1


@pytest.mark.parametrize(("status", "heading"), [(400, "Check what you asked for"), (500, "Sorry")])
def test_the_generic_error_pages(page, cast, settings, status, heading):
    settings.ROOT_URLCONF = "tests.browser.error_urls"
    response = page.goto(f"/__test__/{status}/")
    assert response.status == status
    assert heading in page.locator("h1").inner_text()

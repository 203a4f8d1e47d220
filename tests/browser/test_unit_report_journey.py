"""A chief officer opens a unit's resilience report, runs a what-if (finds a person by name,
who leaves) and sees the single point of failure change; nothing is saved."""

from people.models import Posting
from tests.browser.conftest import log_in
from tests.skills.test_report_views import reported_unit


def test_chief_officer_runs_a_what_if_and_sees_a_new_single_point_of_failure(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = []  # chiefs sign in with a password in this journey
    reported = reported_unit(cast)
    postings_before = Posting.objects.count()

    log_in(page, cast.chief.email, password)
    page.get_by_role("link", name="Units", exact=True).first.click()
    page.get_by_role("link", name="NOR-CCU").click()
    page.get_by_role("link", name="Resilience report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Norfolk cyber crime unit"

    # The demo figures are worked out for 31 March 2025.
    page.get_by_text("Change the date or forecast months").click()
    # GOV.UK date input: day, month and year boxes.
    for box, value in zip(("0", "1", "2"), ("31", "3", "2025"), strict=True):
        page.fill(f"#id_as_of_{box}", value)
    page.get_by_role("button", name="Update report").click()
    page.wait_for_load_state("domcontentloaded")
    single_points = page.locator("table", has_text="Only holder")
    assert "Ed Expert" in single_points.inner_text()
    assert "Sue Special" not in single_points.inner_text()
    assert page.locator('[data-figure="single-points-of-failure"]').inner_text() == "1"

    # The what-if finds people by name (no checkbox per person on the page), then ticks them.
    page.get_by_text("Run a what-if").click()
    page.get_by_label("Find people in the unit").fill("Able")
    page.get_by_role("button", name="Find people").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator('input[name="without"]').count() == 1  # Ann Able only
    assert page.locator(f'input[name="without"][value="{reported.ann.pk}"]').count() == 1
    page.get_by_role("group", name="People who leave").get_by_label(
        "Ann Able, 3002 (Norfolk Constabulary)"
    ).check()
    page.get_by_role("button", name="Update report").click()
    page.wait_for_load_state("domcontentloaded")

    banner = page.locator("#what-if-banner")
    assert "nothing has been saved" in banner.inner_text()
    assert "Ann Able" in banner.inner_text()
    single_points = page.locator("table", has_text="Only holder")
    assert "Osint L1" in single_points.inner_text()
    assert "Sue Special" in single_points.inner_text()
    assert page.locator('[data-figure="single-points-of-failure"]').inner_text() == "2"
    assert Posting.objects.count() == postings_before

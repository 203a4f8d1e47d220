"""Mutual aid through the skills directory: a Norfolk coordinator finds a Kent special (another
region) with network investigation at level 2, asks for help, and Kent's coordinator accepts."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from people.directory import services as directory
from people.models.directory import DirectoryRequest, RequestStatus
from skills.models import Function
from tests.browser.conftest import log_in
from tests.factories import CapabilityFactory, activity, completed


def test_coordinator_finds_a_special_in_another_region_and_their_coordinator_accepts(
    page, cast, password
):
    netinv = CapabilityFactory(
        code="NETWORK-INVESTIGATION", name="Network investigation", function=Function.PURSUE
    )
    course = activity("NETINV-2", {netinv: 2}, title="Network investigation practitioner")
    completed(cast.kent_person, course, timezone.localdate() - timedelta(days=60))
    directory.give_consent(person=cast.kent_person, by=cast.outsider)

    log_in(page, cast.coordinator.email, password)
    page.goto("/directory/")
    page.select_option('select[name="capability"]', "NETWORK-INVESTIGATION")
    page.select_option('select[name="level"]', "2")
    page.select_option('select[name="region"]', label="South East")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#result-count").inner_text() == "1 person found."
    page.get_by_role("link", name="Kim Kentish").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kim Kentish"
    assert "Network investigation" in page.locator("#holdings").inner_text()
    # Sending no message is refused on the page (400), axe-checked like any page.
    page.get_by_role("button", name="Send request").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".govuk-error-summary").is_visible()
    assert not DirectoryRequest.objects.exists()
    page.fill('textarea[name="message"]', "Two days of router log analysis next week")
    page.get_by_role("button", name="Send request").click()
    assert "Waiting for a decision" in page.locator("#request-status").inner_text()

    page.context.clear_cookies()
    log_in(page, cast.outsider.email, password)
    page.goto("/directory/requests/")
    page.get_by_role("link", name=timezone.localdate().strftime("%-d %b %Y")).first.click()
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Save decision").click()
    assert "Accepted" in page.locator("#request-status").inner_text()
    req = DirectoryRequest.objects.get()
    assert (req.status, req.decided_by) == (RequestStatus.ACCEPTED, cast.outsider)
    # Kim is told; the Norfolk coordinator hears of the decision without Kim's address.
    [told] = [m for m in mail.outbox if m.to == [cast.kent_person.email]]
    assert "was accepted by your coordinator" in told.body
    [answer] = [
        m for m in mail.outbox if m.to == [cast.coordinator.email] and "accepted" in m.subject
    ]
    assert cast.kent_person.email not in answer.body

"""Issue 16's browser journey: a chief officer schedules a raised target from the unit report
("Schedule a target change", check your answers), opens its impact from the confirmation, asks
for a plan within a budget, accepts two proposals, and sees the unit report's forecast with them
(the booked-training what-if) meet the raised minimum. axe checks every page.

The figures, by hand. Test cyber crime unit: NETINV L2, minimum 2, held by Ann and Bob (never
expiring); Cat and Dev hold nothing. A new version of the target, scheduled by the chief officer
from 1 May 2099, raises the minimum to 4. Offerings of Network investigation: 10 April 2099 at
£600 a place, 2 May 2099 at £900. As of 31 March 2099, six months ahead, with £1,200: the plan
books Cat and Dev onto 10 April (£1,200; proved optimal), and with those bookings the forecast's
headcount is 4 from the May month end, where without them it is 2 (short from 31 May 2099)."""

from __future__ import annotations

from datetime import date

from courses.models import Booking, Offering
from skills.models import ResilienceTarget
from tests.browser.conftest import log_in
from tests.factories import UnitFactory, activity, completed, posted
from tests.skills.conftest import capability, person, target

RAISED_FROM = date(2099, 5, 1)


def _unit(cast, *, raise_target=True):
    unit = UnitFactory(
        code="TST-CCU", name="Test cyber crime unit", region=cast.eastern, forces=[cast.norfolk]
    )
    course = activity("NET", {"NETINV": 2}, title="Network investigation")
    target(unit, "NETINV", 2, 2)
    people = {}
    for first, last in (("Ann", "Able"), ("Bob", "Baker"), ("Cat", "Cole"), ("Dev", "Patel")):
        people[first] = person(cast.norfolk, first, last)
        posted(people[first], unit, start=date(2024, 1, 1))
    for first in ("Ann", "Bob"):
        completed(people[first], course, date(2024, 2, 1))
    for day, pence in ((date(2099, 4, 10), 60000), (date(2099, 5, 2), 90000)):
        Offering.objects.create(
            activity=course, starts_on=day, ends_on=day, places=4, cost_pence=pence,
            owner_force=cast.norfolk,
        )  # fmt: skip
    if not raise_target:
        return unit, people, None
    # The raised target, scheduled: a new version of the series from a future date.
    raised = ResilienceTarget.objects.create(
        unit=unit, capability=capability("NETINV"), level=2, minimum=4, valid_from=RAISED_FROM
    )
    return unit, people, raised


def _forecast_row(page, month_end: str) -> str:
    return page.locator("#forecast-table tr", has=page.locator(f"th:text-is('{month_end}')"))


def test_chief_officer_plans_for_a_raised_target_and_sees_the_forecast_with_the_bookings(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = []  # chiefs sign in with a password in this journey
    unit, people, _ = _unit(cast, raise_target=False)
    log_in(page, cast.chief.email, password)

    # The chief officer schedules the raised target from the unit report.
    page.goto(f"/units/{unit.code}/report/")
    page.get_by_role("link", name="Schedule a target change for Test cyber crime unit").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text() == "Schedule a target change"
    page.get_by_label("Capability").select_option(str(capability("NETINV").pk))
    page.get_by_label("Level").select_option("2")
    page.get_by_label("New minimum").fill("4")
    for box, value in zip(("0", "1", "2"), ("1", "5", "2099"), strict=True):
        page.fill(f"#id_valid_from_{box}", value)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("domcontentloaded")
    rows = page.locator("#target-check .govuk-summary-list__row")
    assert rows.filter(has_text="Minimum now").locator("dd").inner_text() == "2"
    assert rows.filter(has_text="In force from").locator("dd").inner_text() == "1 May 2099"
    assert ResilienceTarget.objects.count() == 1  # nothing written by checking
    page.get_by_role("button", name="Schedule the change").click()
    page.wait_for_load_state("domcontentloaded")
    raised = ResilienceTarget.objects.get(valid_from=RAISED_FROM)
    assert (raised.minimum, raised.history.get().history_user) == (4, cast.chief)

    # The impact of the scheduled version, from the confirmation.
    page.get_by_role("link", name="See its impact on Test cyber crime unit").click()
    page.wait_for_load_state("domcontentloaded")
    targets = page.get_by_role("region", name="Targets that change")
    assert "2 → 4" in targets.inner_text()

    # A plan within £1,200, from the impact page.
    page.get_by_role("link", name="Plan training for Test cyber crime unit").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_label("Plan for").input_value() == f"unit:{unit.code}"
    for box, value in zip(("0", "1", "2"), ("31", "3", "2099"), strict=True):
        page.fill(f"#id_as_of_{box}", value)
    page.get_by_label("Months ahead").fill("6")
    page.get_by_label("Money, in pounds").fill("1200")
    page.get_by_role("button", name="Propose a plan").click()
    page.wait_for_load_state("domcontentloaded")
    proposals = page.get_by_role("region", name="Proposed bookings")
    text = proposals.inner_text()
    assert "Cat Cole" in text and "Dev Patel" in text
    assert text.count("10 April 2099") == 2
    assert "Total cost" in page.locator(".govuk-summary-list").inner_text()
    assert "£1,200.00" in page.locator(".govuk-summary-list").inner_text()
    assert "Proved optimal" in page.locator(".govuk-summary-list").inner_text()

    # Accept both: check them, then make them.
    page.get_by_label("Book Cat Cole onto Network investigation").check()
    page.get_by_label("Book Dev Patel onto Network investigation").check()
    page.get_by_role("button", name="Check the chosen bookings").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check the bookings before you make them"
    )
    assert "Total cost: £1,200.00." in page.locator("#plan-total").inner_text()
    assert Booking.objects.count() == 0
    page.get_by_role("button", name="Make 2 bookings").click()
    page.wait_for_load_state("domcontentloaded")
    assert "2 bookings made." in page.locator(".govuk-notification-banner").inner_text()
    assert {
        (b.person.first_name, b.offering.starts_on, b.booked_by) for b in Booking.objects.all()
    } == {
        ("Cat", date(2099, 4, 10), cast.chief),
        ("Dev", date(2099, 4, 10), cast.chief),
    }

    # The unit report's forecast with the booked training.
    page.get_by_role(
        "link", name="See the forecast of Test cyber crime unit with booked training"
    ).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text() == "Test cyber crime unit"
    assert page.get_by_label("Count booked training as done on its end date").is_checked()
    may = _forecast_row(page, "2099-05-31").locator("td").first.inner_text()
    assert may == "4"  # the raised minimum, met with the two bookings
    april = _forecast_row(page, "2099-04-30").locator("td").first.inner_text()
    assert april == "4"

    # Without the what-if, the same month end is short (2 of 4).
    page.goto(f"/units/{unit.code}/report/?as_of=2099-03-31&horizon=6")
    assert _forecast_row(page, "2099-05-31").locator("td").first.inner_text() == "2"


def test_a_proposal_gone_stale_before_booking_is_refused_on_the_page(
    page, cast, password, settings
):
    """Between "check" and "make", the offering's last place goes: nothing is booked and the
    page says why (axe checks the refusal too)."""
    settings.REGISTER_MFA_REQUIRED_ROLES = []
    unit, people, _ = _unit(cast)
    log_in(page, cast.coordinator.email, password)
    page.goto(f"/coverage/plan/?scope=unit:{unit.code}&as_of=2099-03-31&horizon=6&plan=1")
    page.get_by_role("button", name="Accept all proposals").click()
    page.wait_for_load_state("domcontentloaded")
    april = Offering.objects.get(starts_on=date(2099, 4, 10))
    april.places = 2
    april.save()
    Booking.objects.create(offering=april, person=people["Ann"])  # one place left of two
    page.get_by_role("button", name="Make 2 bookings").click()
    page.wait_for_load_state("domcontentloaded")

    problems = page.locator("#plan-problems").inner_text()
    assert "No booking was made" in problems
    assert "1 place left, 2 chosen" in problems
    assert Booking.objects.count() == 1

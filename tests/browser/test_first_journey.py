"""First journeys: a coordinator signs in (with TOTP) and opens their unit and a person; an
officer signs in and cannot reach anyone else's record."""

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.urls import reverse

from tests.browser.conftest import log_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code() -> str:
    counter = list(counters())[len(list(counters())) // 2]
    return format_hotp_value(hotp_value(SECRET, counter))


def test_coordinator_signs_in_with_totp_and_opens_their_unit_and_a_person(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]
    TOTP.activate(cast.coordinator, SECRET)

    log_in(page, cast.coordinator.email, password)
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill('input[name="code"]', current_code())
    page.locator('form button[type="submit"]').first.click()
    page.wait_for_load_state("domcontentloaded")

    page.get_by_role("link", name="Units", exact=True).first.click()
    page.get_by_role("link", name="NOR-CCU").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Norfolk cyber crime unit")
    page.get_by_role("link", name="Sam Jones").click()
    assert "Sam Jones" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("2345").first.is_visible()


def test_officer_cannot_reach_another_persons_page(page, cast, password):
    log_in(page, cast.officer_user.email, password)
    assert page.get_by_role("heading", level=1).first.is_visible()

    response = page.goto(reverse("people:person_detail", args=[cast.colleague.pk]))
    assert response.status == 404
    assert "Sam Jones" not in page.content()

    response = page.goto(reverse("people:person_list"))
    assert response.status == 403

    response = page.goto(reverse("people:person_detail", args=[cast.officer.pk]))
    assert response.status == 200
    assert "Jane Smith" in page.content()

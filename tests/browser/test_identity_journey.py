"""Identity journeys in a real browser: an officer signs in through their force's directory (a
real OpenID Connect provider on loopback) and lands on their pathway; an unknown directory
account is refused in words; a coordinator without MFA, under the production policy, reaches
no coordinator page until TOTP is set up from the header's account link."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.urls import reverse

from tests.browser.conftest import log_in
from tests.identity import oidc as test_directory

# The provider and directory fixtures live with the identity tests.
oidc_provider = test_directory.oidc_provider
make_directory = test_directory.make_directory

PRODUCTION_MFA_ROLES = ["coordinator", "chief_officer", "regional_lead", "national_lead", "admin"]


def _sign_in_at_directory(page, account: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Norfolk Constabulary").click()
    page.wait_for_load_state("domcontentloaded")
    page.fill('input[name="account"]', account)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")


def test_officer_signs_in_through_the_force_directory_and_lands_on_their_pathway(
    page, cast, live_server, make_directory
):
    directory = make_directory(cast.norfolk, "norfolk", base_url=live_server.url)

    _sign_in_at_directory(page, "jane")

    assert page.url == live_server.url + reverse("me:pathway")
    assert page.get_by_role("heading", level=1).inner_text() == "Your pathway"
    assert page.get_by_text(cast.officer_user.email).first.is_visible()  # signed in as Jane

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(directory.issuer)  # signed out at the directory too
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")


def test_an_unknown_directory_account_is_told_to_ask_its_coordinator(
    page, cast, live_server, make_directory
):
    make_directory(cast.norfolk, "norfolk", base_url=live_server.url)

    _sign_in_at_directory(page, "stranger")

    assert page.get_by_role("heading", level=1).inner_text() == (
        "You have no access to the register yet"
    )
    assert page.get_by_text("Ask your force's training coordinator").is_visible()
    page.goto("/units/")
    assert "/accounts/login/" in page.url


def _current_code(secret: str) -> str:
    counter = list(counters())[len(list(counters())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def test_a_coordinator_without_mfa_reaches_no_coordinator_page_until_totp_is_set_up(
    page, cast, password, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_MFA_ROLES
    log_in(page, cast.coordinator.email, password)

    for path in ("/", "/units/", "/people/", reverse("courses:verification_queue")):
        page.goto(path)
        assert page.url.endswith(reverse("mfa_activate_totp")), path

    page.get_by_role("link", name="Your account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    page.get_by_role("link", name="Set up an authenticator app").click()
    assert page.url.endswith(reverse("mfa_activate_totp"))
    secret = page.locator("#authenticator_secret").input_value()
    page.fill('input[name="code"]', _current_code(secret))
    page.get_by_role("button", name="Turn on the authenticator app").click()
    page.wait_for_load_state("domcontentloaded")

    page.goto("/units/")
    assert page.url.endswith("/units/")
    assert page.get_by_role("link", name="NOR-CCU").is_visible()

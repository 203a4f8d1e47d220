"""The identity pages that only a real sign-in reaches pass axe (any impact) and fit a 375 px
phone: the directory's callback in every state it answers (each refusal; a success, which is a
redirect only, onwards to the register's second step), the "sign in again with your force"
page of a directory user and the return from it, and the email confirmation page with a valid,
a used and a broken key. The directory is a real OpenID Connect provider on loopback
(tests/oidc); its own sign-in page is checked by axe too, as every page shown is.

tests/url_access rules skip these three URL patterns (they answer only inside a sign-in, for a
linked login, or with an emailed key); ``OPENED`` names them for docs/frontend.md's "Pages
covered" list, which tests/browser/test_every_page_accessible.py checks."""

from __future__ import annotations

import urllib.parse

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import Resolver404, resolve, reverse

from people.identity.models import DirectoryLink
from people.identity.services import deactivate_login
from tests.browser import accessibility
from tests.identity import oidc as test_directory

oidc_provider = test_directory.oidc_provider
make_directory = test_directory.make_directory

# The URL patterns the url_access rules skip that these tests open, in a real state.
OPENED = ("account_confirm_email", "identity:reauthenticate", "identity:sso_callback")

PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1280, "height": 900}
TOTP_URL = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def _clear_rate_limits(transactional_db):
    cache.clear()
    yield
    cache.clear()


def _name_of(url: str, live_server) -> str | None:
    if not url.startswith(live_server.url):
        return None  # the directory's own pages
    try:
        return resolve(urllib.parse.urlsplit(url).path).view_name
    except Resolver404:
        return None


def _checked_names(live_server) -> set[str]:
    """URL names of the register's pages axe has checked so far in this test."""
    return {name for url in accessibility.CHECKED if (name := _name_of(url, live_server))}


def _shown(page, live_server, name: str, heading: str) -> None:
    """The page is ``name`` with this heading, axe found nothing, and it fits a phone."""
    accessibility.check_now(page)
    assert _name_of(page.url, live_server) == name, page.url
    assert page.get_by_role("heading", level=1).inner_text() == heading
    page.set_viewport_size(PHONE)
    assert not accessibility.overflows(page), f"{page.url} scrolls sideways at 375 px"
    page.set_viewport_size(LAPTOP)


def _sign_in_at_directory(page, directory, account: str) -> None:
    """From the register's button page to the directory, signed in there as ``account``, and
    back to wherever the register's callback sends the browser."""
    page.goto(reverse("identity:sso_start", args=[directory.slug]))
    page.get_by_role("button", name=f"Sign in with {directory.name}").click()
    _at_directory_as(page, account)


def _at_directory_as(page, account: str) -> None:
    page.wait_for_load_state("domcontentloaded")
    page.fill('input[name="account"]', account)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")


def test_every_answer_of_the_directory_callback_passes_axe(page, cast, live_server, make_directory):
    page.set_viewport_size(LAPTOP)
    norfolk = make_directory(cast.norfolk, "norfolk", base_url=live_server.url)
    callback = reverse("identity:sso_callback", args=[norfolk.slug])

    # No login with that verified email: 403, told to ask the coordinator.
    _sign_in_at_directory(page, norfolk, "stranger")
    _shown(page, live_server, "identity:sso_callback", "You have no access to the register yet")
    assert page.get_by_role("link", name="Back to sign in").is_visible()

    # The coordinator's login is already linked to another directory account.
    DirectoryLink.objects.create(directory=norfolk, user=cast.coordinator, subject="someone-else")
    page.context.clear_cookies()
    _sign_in_at_directory(page, norfolk, "coord")
    _shown(
        page, live_server, "identity:sso_callback", "This login belongs to another force account"
    )

    # Success is a redirect only: on to the officer's pathway.
    page.context.clear_cookies()
    answers = []
    page.on("request", lambda r: answers.append(r.url) if callback in r.url else None)
    _sign_in_at_directory(page, norfolk, "jane")
    assert page.url == live_server.url + reverse("me:pathway")
    # The same answer a second time (a replay, or the back button): 400, sign in again.
    [answer] = answers
    response = page.goto(answer)
    assert response.status == 400
    _shown(page, live_server, "identity:sso_callback", "Sign-in did not work")
    assert "took too long or was started in another window" in page.content()

    # With an authenticator app of their own, the callback leads to the register's second step.
    page.context.clear_cookies()
    TOTP.activate(cast.officer_user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    _sign_in_at_directory(page, norfolk, "jane")
    _shown(page, live_server, "mfa_authenticate", "Confirm it is you")

    # The login is switched off.
    page.context.clear_cookies()
    deactivate_login(user=cast.officer_user, by=cast.coordinator, reason="left")
    _sign_in_at_directory(page, norfolk, "jane")
    _shown(page, live_server, "identity:sso_callback", "Your login is switched off")

    # A callback opened with no sign-in behind it.
    response = page.goto(f"{callback}?state=not-started&code=nothing")
    assert response.status == 400
    _shown(page, live_server, "identity:sso_callback", "Sign-in did not work")

    # An ID token changed after the directory signed it: 400, the answer could not be checked.
    kent = make_directory(cast.kent, "kent", base_url=live_server.url, tamper=True)
    page.context.clear_cookies()
    _sign_in_at_directory(page, kent, "kim")
    _shown(page, live_server, "identity:sso_callback", "Sign-in did not work")
    assert "could not check the answer from Kent" in page.content()

    assert {"identity:sso_callback", "identity:sso_start", "mfa_authenticate"} <= (
        _checked_names(live_server)
    )


@pytest.fixture
def directory_user(page, cast, live_server, make_directory):
    """The officer, with no register password, signed in through Norfolk's directory."""
    directory = make_directory(cast.norfolk, "norfolk", base_url=live_server.url)
    cast.officer_user.set_unusable_password()
    cast.officer_user.save()
    page.set_viewport_size(LAPTOP)
    _sign_in_at_directory(page, directory, "jane")
    assert page.url == live_server.url + reverse("me:pathway")
    return directory


def test_signing_in_again_at_the_directory_passes_axe_and_leads_back(
    page, cast, live_server, directory_user
):
    reauthenticate = reverse("identity:reauthenticate")
    page.goto(f"{reauthenticate}?next={urllib.parse.quote(TOTP_URL)}")
    _shown(page, live_server, "identity:reauthenticate", "Confirm it is you")
    assert page.get_by_role("button", name="Sign in again with Norfolk Constabulary").is_visible()
    assert page.locator('input[type="password"]').count() == 0

    # The button is a redirect only: to the directory, which asks again (prompt=login).
    page.get_by_role("button", name="Sign in again with Norfolk Constabulary").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(directory_user.issuer)
    _at_directory_as(page, "jane")
    # The callback is a redirect only: back to what they were doing.
    assert page.url == live_server.url + TOTP_URL
    assert page.get_by_role("heading", level=1).inner_text() == "Set up an authenticator app"

    # With a second step of their own, the page offers it as another way.
    TOTP.activate(cast.officer_user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    page.goto(reauthenticate)
    _shown(page, live_server, "identity:reauthenticate", "Confirm it is you")
    assert page.get_by_role("heading", name="Or confirm another way").is_visible()

    # Another directory account never confirms this login: 403, and nobody is switched.
    page.get_by_role("button", name="Sign in again with Norfolk Constabulary").click()
    _at_directory_as(page, "coord")
    _shown(page, live_server, "identity:sso_callback", "Sign-in did not work")
    page.goto(reverse("identity:account"))
    assert page.get_by_text(cast.officer_user.email).first.is_visible()

    assert {"identity:reauthenticate", "identity:sso_callback"} <= _checked_names(live_server)


def test_the_email_confirmation_page_passes_axe_with_a_good_a_used_and_a_broken_key(
    page, cast, live_server
):
    page.set_viewport_size(LAPTOP)
    address = EmailAddress.objects.create(
        user=cast.officer_user, email=cast.officer_user.email, primary=True, verified=False
    )
    key = EmailConfirmationHMAC(address).key
    confirm = reverse("account_confirm_email", args=[key])

    page.goto(confirm)
    _shown(page, live_server, "account_confirm_email", "Confirm your email address")
    assert cast.officer_user.email in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("domcontentloaded")
    address.refresh_from_db()
    assert address.verified
    assert page.url == live_server.url + reverse("account_login")

    # Another login's copy of an address already confirmed: said, not confirmed twice.
    copy = EmailAddress.objects.create(
        user=cast.coordinator, email=address.email, primary=False, verified=False
    )
    page.goto(reverse("account_confirm_email", args=[EmailConfirmationHMAC(copy).key]))
    _shown(page, live_server, "account_confirm_email", "Confirm your email address")
    assert "another login has already confirmed it" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Confirm").count() == 0

    # The link a second time: it has been used.
    page.goto(confirm)
    _shown(page, live_server, "account_confirm_email", "This link has expired or been used")

    # A key that was never sent.
    page.goto(reverse("account_confirm_email", args=["not-a-key"]))
    _shown(page, live_server, "account_confirm_email", "This link has expired or been used")

    assert _checked_names(live_server) >= {"account_confirm_email"}


def test_a_directory_users_second_step_and_set_password_pages_pass_axe(
    page, cast, live_server, directory_user
):
    """The every-page test's cast has no authenticator and a password, so these three forward
    there; a directory-only login with an app and a passkey sees each of them as a page."""
    from tests.browser.test_identity_journey import _current_code
    from tests.people.test_mfa_passkeys import add_passkey

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(cast.officer_user, secret)
    add_passkey(cast.officer_user, "Work laptop")

    page.goto(reverse("mfa_reauthenticate"))
    _shown(page, live_server, "mfa_reauthenticate", "Confirm it is you")
    assert page.get_by_role("link", name="Sign in again with Norfolk Constabulary").is_visible()
    page.fill('input[name="code"]', _current_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("domcontentloaded")
    assert _name_of(page.url, live_server) == "me:pathway", page.url

    page.goto(reverse("mfa_reauthenticate_webauthn"))
    _shown(page, live_server, "mfa_reauthenticate_webauthn", "Confirm it is you")
    assert page.get_by_role("button", name="Use a passkey or security key").is_visible()

    page.goto(reverse("account_set_password"))
    _shown(page, live_server, "account_set_password", "Set a password for the register")

    assert {"mfa_reauthenticate", "mfa_reauthenticate_webauthn", "account_set_password"} <= (
        _checked_names(live_server)
    )

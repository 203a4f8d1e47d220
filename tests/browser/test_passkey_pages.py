"""The MFA pages that exist only once a user has an authenticator (turn off the app, recovery
codes, rename or remove a passkey) pass axe and fit a 375 px phone; and a passkey is added for
real with Chromium's virtual authenticator (WebAuthn over the DevTools protocol)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from people.identity.models import LoginEvent
from tests.browser import accessibility
from tests.browser.conftest import log_in
from tests.people.test_mfa_passkeys import add_passkey

PHONE = {"width": 375, "height": 800}


def test_pages_with_an_authenticator_pass_axe_at_phone_width(page, cast, password):
    page.set_viewport_size(PHONE)
    log_in(page, cast.coordinator.email, password)
    # Added after signing in, so that the sign-in itself asks no second step.
    TOTP.activate(cast.coordinator, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(cast.coordinator)
    laptop = add_passkey(cast.coordinator, "Work laptop")

    pages = [
        reverse("identity:account"),
        reverse("mfa_index"),
        reverse("mfa_deactivate_totp"),
        reverse("mfa_view_recovery_codes"),
        reverse("mfa_generate_recovery_codes"),
        reverse("mfa_list_webauthn"),
        reverse("mfa_edit_webauthn", kwargs={"pk": laptop.pk}),
        reverse("mfa_remove_webauthn", kwargs={"pk": laptop.pk}),
    ]
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert page.url.endswith(url), (url, page.url)
        accessibility.check_now(page)
        assert not accessibility.overflows(page), f"{url} scrolls sideways at 375 px"
        assert "Two-Factor" not in page.content() and "Security Keys" not in page.content()

    page.goto(reverse("mfa_remove_webauthn", kwargs={"pk": laptop.pk}))
    page.get_by_role("button", name="Remove the passkey").click()
    page.wait_for_load_state("domcontentloaded")
    assert not Authenticator.objects.filter(pk=laptop.pk).exists()


def test_a_passkey_is_added_with_the_browsers_authenticator(page, cast, password, settings):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    log_in(page, cast.chief.email, password)
    page.goto(reverse("identity:account"))
    page.get_by_role("link", name="Add a passkey or security key").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Add a passkey or security key"
    page.get_by_label("Name").fill("Chief's laptop")
    page.get_by_role("button", name="Add the passkey").click()
    page.wait_for_url(lambda url: reverse("mfa_add_webauthn") not in url)

    passkey = Authenticator.objects.get(user=cast.chief, type=Authenticator.Type.WEBAUTHN)
    assert passkey.data["name"] == "Chief's laptop"
    event = LoginEvent.objects.get(
        user=cast.chief, kind=LoginEvent.Kind.MFA_ADDED, detail__startswith="Passkey"
    )
    assert event.by == cast.chief and event.detail == "Passkey: Chief's laptop"

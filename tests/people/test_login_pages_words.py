"""allauth's pages a user can reach, in the register's own words and GOV.UK sentence case
(no "Two-Factor Authentication", "Change Password" or "Security Keys")."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

STOCK = (
    "Two-Factor Authentication",
    "Change Password",
    "Set Password",
    "Password Reset",
    "Reset My Password",
    "Sign Out",
    "Security Keys",
    "Confirm Access",
    "Activate Authenticator App",
)


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _page(client, name) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200, (name, response.status_code)
    html = response.content.decode()
    assert 'class="govuk-heading-l"' in html, name
    assert not [s for s in STOCK if s in html], name
    return html


def test_signed_out_pages(client):
    assert "Reset your password" in _page(client, "account_reset_password")
    assert "Check your email" in _page(client, "account_reset_password_done")


def test_signed_in_pages(client, cast, password):
    client.post(reverse("account_login"), {"login": cast.coordinator.email, "password": password})
    assert "Change your password" in _page(client, "account_change_password")
    assert "Sign out of the cyber skills register?" in _page(client, "account_logout")
    assert "Second step when you sign in" in _page(client, "mfa_index")
    assert "Set up an authenticator app" in _page(client, "mfa_activate_totp")
    assert "Add a passkey or security key" in _page(client, "mfa_add_webauthn")
    assert "Your passkeys" in _page(client, "mfa_list_webauthn")
    assert "Your recovery codes" in _page(client, "mfa_generate_recovery_codes")


def test_the_password_confirmation_page(client, cast):
    client.force_login(cast.coordinator)
    html = _page(client, "account_reauthenticate")
    assert "Confirm it is you" in html and "Enter your register password" not in html

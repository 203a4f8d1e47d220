"""The allauth MFA pages in the register's layout: activate TOTP, log in with a code, recovery
codes."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.urls import reverse

SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    # Rate limits live in the database cache, which needs the test database.
    cache.clear()
    yield
    cache.clear()


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _log_in(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def _log_in_and_confirm_password(client, user, password):
    """Adding an authenticator asks for the password again, even just after logging in."""
    _log_in(client, user, password)
    client.post(reverse("account_reauthenticate"), {"password": password})


def test_login_asks_for_the_code_then_lets_the_user_in(client, cast, password):
    TOTP.activate(cast.coordinator, SECRET)
    response = _log_in(client, cast.coordinator, password)
    assert response["Location"] == reverse("mfa_authenticate")

    page = client.get(reverse("mfa_authenticate"))
    html = page.content.decode()
    assert 'class="govuk-heading-l"' in html
    assert 'class="govuk-input' in html  # the code field, through crispy-forms-gds
    assert "Cyber skills register" in html

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == cast.coordinator


def test_a_wrong_code_shows_a_gov_uk_error_summary(client, cast, password):
    TOTP.activate(cast.coordinator, SECRET)
    _log_in(client, cast.coordinator, password)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_code"' in html
    assert not response.wsgi_request.user.is_authenticated


def test_activation_page_shows_the_qr_code_and_secret(client, cast, password):
    _log_in_and_confirm_password(client, cast.chief, password)
    response = client.get(reverse("mfa_activate_totp"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<img class="register-qr-code" src="data:image/svg+xml;base64,' in html
    assert 'id="authenticator_secret"' in html


def test_activating_totp_then_shows_recovery_codes(client, cast, password):
    _log_in_and_confirm_password(client, cast.chief, password)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=cast.chief, type=Authenticator.Type.TOTP).exists()

    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert codes_page.status_code == 200
    codes = RecoveryCodes(
        Authenticator.objects.get(user=cast.chief, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert codes[0] in codes_page.content.decode()
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 200
    assert client.get(reverse("mfa_deactivate_totp")).status_code == 200


def test_mfa_pages_of_another_user_are_never_shown(client, cast, password):
    """Recovery codes belong to their user: the outsider has none, so sees none."""
    TOTP.activate(cast.coordinator, SECRET)
    RecoveryCodes.activate(cast.coordinator)
    _log_in(client, cast.outsider, password)
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 404

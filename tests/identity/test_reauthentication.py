"""Confirming it is you before changing how you sign in, for a login with no register password:
through the force's directory (a real OpenID provider on loopback) or the second step, never a
password form it cannot use."""

from __future__ import annotations

import urllib.parse

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import reverse

from tests.identity.oidc import DirectoryUser
from tests.identity.test_sso import sign_in

TOTP_URL = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _age_the_sign_in(client, minutes=10):
    """As if the user signed in ``minutes`` ago (beyond allauth's five-minute window)."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= minutes * 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


@pytest.fixture
def directory_only(client, cast, make_directory):
    """The officer, signed in through Norfolk's directory ten minutes ago, no register password."""
    directory = make_directory(cast.norfolk, "norfolk")
    cast.officer_user.set_unusable_password()
    cast.officer_user.save()
    assert sign_in(client, directory, "jane").status_code == 302
    _age_the_sign_in(client)
    return directory


def _come_back(client, url):
    parts = urllib.parse.urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_directory_only_user_is_sent_to_their_directory_not_a_password_form(
    client, cast, directory_only
):
    response = client.get(TOTP_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:reauthenticate"))

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign in again with Norfolk Constabulary" in html
    assert 'type="password"' not in html

    # Typing the password page's address leads there too.
    password_page = client.get(reverse("account_reauthenticate"))
    assert password_page.status_code == 302
    assert password_page["Location"].startswith(reverse("identity:reauthenticate"))


def test_signing_in_again_at_the_directory_lets_them_set_up_the_app(client, cast, directory_only):
    start = client.post(reverse("identity:reauthenticate"), {"next": TOTP_URL})
    assert start.status_code == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(start["Location"]).query)
    assert query["prompt"] == ["login"]  # the directory asks again, not a silent pass

    url = DirectoryUser(directory_only.issuer).sign_in(start["Location"], "jane")
    back = _come_back(client, url)
    assert back.status_code == 302 and back["Location"] == TOTP_URL

    page = client.get(TOTP_URL)
    assert page.status_code == 200
    assert 'id="authenticator_secret"' in page.content.decode()
    assert page.wsgi_request.user == cast.officer_user


def test_another_directory_account_cannot_confirm_for_them(client, cast, directory_only):
    start = client.post(reverse("identity:reauthenticate"), {"next": TOTP_URL})
    url = DirectoryUser(directory_only.issuer).sign_in(start["Location"], "coord")
    back = _come_back(client, url)
    assert back.status_code == 403
    # Still the officer, and still not confirmed.
    response = client.get(TOTP_URL)
    assert response.wsgi_request.user == cast.officer_user
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:reauthenticate"))


def test_with_an_authenticator_app_the_code_is_offered_too(client, cast, directory_only):
    TOTP.activate(cast.officer_user, "JBSWY3DPEHPK3PXP")
    page = client.get(reverse("identity:reauthenticate")).content.decode()
    assert "Enter a code from your authenticator app or a recovery code" in page
    assert reverse("mfa_reauthenticate") in page
    assert "Enter your register password" not in page


def test_without_a_directory_a_passwordless_user_with_an_app_is_asked_for_a_code(client, cast):
    user = cast.officer_user
    user.set_unusable_password()
    user.save()
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client.force_login(user)
    # force_login records no sign-in, so a change needs confirming at once.
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.get(reverse("identity:reauthenticate")).status_code == 404


def test_a_user_with_a_password_and_a_directory_is_offered_both(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    assert sign_in(client, directory, "jane").status_code == 302
    _age_the_sign_in(client)
    page = client.get(client.get(TOTP_URL)["Location"]).content.decode()
    assert 'type="password"' in page
    assert "Sign in again with Norfolk Constabulary" in page
    assert "Confirm it is you" in page

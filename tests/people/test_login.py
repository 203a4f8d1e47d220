"""Login through django-allauth: email only, invite-only, password reset, rate limits, MFA."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    # Rate limits live in the database cache, which needs the test database.
    cache.clear()
    yield
    cache.clear()


def test_user_logs_in_with_email_and_password(client, cast, password):
    response = client.post(
        reverse("account_login"), {"login": cast.coordinator.email, "password": password}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == cast.coordinator


def test_wrong_password_is_refused(client, cast):
    response = client.post(
        reverse("account_login"), {"login": cast.coordinator.email, "password": "not-it-at-all"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_there_is_no_public_sign_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    from people.models import User

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert b"closed" in response.content.lower() or response.status_code in (403, 404)


def test_password_reset_sends_an_email(client, cast, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": cast.coordinator.email})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [cast.coordinator.email]


def test_repeated_failed_logins_are_rate_limited(client, cast, password):
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": cast.chief.email, "password": "wrong-wrong"}
        )
    response = client.post(
        reverse("account_login"), {"login": cast.chief.email, "password": password}
    )
    # Even the right password is refused until the window passes.
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code in (200, 429)


def test_roles_listed_in_the_setting_must_set_up_totp(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_roles_not_listed_are_not_sent_to_totp(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]
    client.force_login(cast.chief)
    assert client.get(reverse("people:unit_list")).status_code == 200


def test_a_user_with_totp_passes_the_mfa_requirement(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]
    Authenticator.objects.create(
        user=cast.coordinator, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(cast.coordinator)
    assert client.get(reverse("people:unit_list")).status_code == 200


def test_login_asks_for_the_totp_code_when_mfa_is_set_up(client, cast, password):
    Authenticator.objects.create(
        user=cast.coordinator, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    response = client.post(
        reverse("account_login"), {"login": cast.coordinator.email, "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated

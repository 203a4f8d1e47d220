"""The account page: linked from the header for everyone signed in; shows sign-in methods, MFA,
recovery codes and sessions; "sign out everywhere" ends every session."""

from __future__ import annotations

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from people.identity.models import LoginEvent
from people.identity.services import record_event


def test_every_signed_in_user_finds_the_account_page_in_the_header(client, cast):
    for user in cast.users().values():
        client.force_login(user)
        page = client.get(reverse("people:unit_list")).content.decode()
        assert f'href="{reverse("identity:account")}"' in page, user


def test_the_account_page_shows_mfa_and_recovery_codes(client, cast):
    client.force_login(cast.chief)
    page = client.get(reverse("identity:account")).content.decode()
    assert "Authenticator app" in page and reverse("mfa_activate_totp") in page

    TOTP.activate(cast.chief, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(cast.chief)
    page = client.get(reverse("identity:account")).content.decode()
    assert reverse("mfa_deactivate_totp") in page
    assert "10 unused" in page and reverse("mfa_view_recovery_codes") in page


def test_the_account_page_shows_only_the_users_own_login_changes(client, cast):
    record_event(user=cast.coordinator, kind=LoginEvent.Kind.UPDATED, detail="norfolk only")
    client.force_login(cast.outsider)
    assert "norfolk only" not in client.get(reverse("identity:account")).content.decode()
    client.force_login(cast.coordinator)
    assert "norfolk only" in client.get(reverse("identity:account")).content.decode()


def test_sign_out_everywhere_ends_every_session_of_the_user(client, cast):
    elsewhere = Client()
    elsewhere.force_login(cast.coordinator)
    client.force_login(cast.coordinator)
    other = Client()
    other.force_login(cast.chief)

    response = client.post(reverse("identity:sign_out_everywhere"))

    assert response.status_code == 302
    assert elsewhere.get(reverse("people:unit_list")).status_code == 302  # to sign in
    assert client.get(reverse("people:unit_list")).status_code == 302
    assert other.get(reverse("people:unit_list")).status_code == 200  # others untouched
    assert LoginEvent.objects.filter(user=cast.coordinator, kind="signed_out").exists()

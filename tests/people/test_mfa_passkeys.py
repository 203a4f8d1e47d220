"""Passkeys and security keys (allauth.mfa WebAuthn) as the second factor: a passkey alone
meets the MFA policy, the account page lists them, and adding or removing one is kept in the
login's history."""

from __future__ import annotations

import hashlib
import os

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.signals import authenticator_added
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache
from django.urls import reverse
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

from people.identity.models import LoginEvent

PRODUCTION_ROLES = ["coordinator", "chief_officer", "regional_lead", "national_lead", "admin"]


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def registration_response(*, rp_id="testserver", passkey=True) -> dict:
    """A WebAuthn registration response as a browser sends it (``none`` attestation), made
    with a fresh P-256 key: what allauth keeps as the authenticator's ``credential``."""
    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    attested = AttestedCredentialData.create(
        Aaguid.NONE, credential_id, ES256.from_cryptography_key(key.public_key())
    )
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
    auth_data = AuthenticatorData.create(
        hashlib.sha256(rp_id.encode()).digest(), flags, 0, attested
    )
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=os.urandom(16), origin=f"https://{rp_id}"
    )
    return {
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(client_data),
            "attestationObject": websafe_encode(
                bytes(AttestationObject.create("none", auth_data, {}))
            ),
        },
        "clientExtensionResults": {"credProps": {"rk": passkey}},
    }


def add_passkey(user, name="Work laptop") -> Authenticator:
    """The Authenticator row as allauth's WebAuthn.add stores it."""
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": registration_response()},
    )


def test_a_coordinator_with_only_a_passkey_meets_the_mfa_policy(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    add_passkey(cast.coordinator)
    client.force_login(cast.coordinator)
    assert client.get(reverse("people:unit_list")).status_code == 200


def test_a_coordinator_with_none_is_taken_to_set_up(client, cast, settings, password):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    client.post(reverse("account_login"), {"login": cast.coordinator.email, "password": password})
    response = client.get(reverse("people:unit_list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # The set-up page offers a passkey instead of the app.
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert reverse("mfa_add_webauthn") in page


def test_recovery_codes_alone_do_not_meet_the_policy(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    RecoveryCodes.activate(cast.coordinator)
    client.force_login(cast.coordinator)
    response = client.get(reverse("people:unit_list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_another_users_passkey_is_no_use(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    add_passkey(cast.chief)
    client.force_login(cast.coordinator)
    assert client.get(reverse("people:unit_list")).status_code == 302


def test_the_account_page_lists_passkeys_with_remove_and_add(client, cast):
    laptop = add_passkey(cast.coordinator, "Work laptop")
    add_passkey(cast.chief, "Chief's phone")
    client.force_login(cast.coordinator)
    page = client.get(reverse("identity:account")).content.decode()
    assert "Work laptop" in page
    assert "Chief&#x27;s phone" not in page and "Chief's phone" not in page
    assert reverse("mfa_remove_webauthn", kwargs={"pk": laptop.pk}) in page
    assert reverse("mfa_add_webauthn") in page


def _signed_in(client, user, password):
    # Signed in with a password just now (a passkey added afterwards is not asked for).
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_passkey_pages_are_in_the_registers_words(client, cast, password):
    _signed_in(client, cast.coordinator, password)
    laptop = add_passkey(cast.coordinator, "Work laptop")
    listing = client.get(reverse("mfa_list_webauthn")).content.decode()
    assert "Your passkeys" in listing and "Work laptop" in listing
    assert "Security Keys" not in listing
    remove = client.get(reverse("mfa_remove_webauthn", kwargs={"pk": laptop.pk}))
    assert remove.status_code == 200
    assert "Remove the passkey Work laptop" in remove.content.decode()
    add = client.get(reverse("mfa_add_webauthn")).content.decode()
    assert "Add a passkey" in add and "mfa/js/webauthn.js" in add


def test_another_users_passkey_cannot_be_removed(client, cast, password):
    chiefs = add_passkey(cast.chief)
    _signed_in(client, cast.coordinator, password)
    url = reverse("mfa_remove_webauthn", kwargs={"pk": chiefs.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Authenticator.objects.filter(pk=chiefs.pk).exists()


def test_removing_a_passkey_is_kept_in_the_history_with_who_did_it(client, cast, password):
    _signed_in(client, cast.coordinator, password)
    laptop = add_passkey(cast.coordinator)
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": laptop.pk}))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=laptop.pk).exists()
    event = LoginEvent.objects.get(user=cast.coordinator, kind=LoginEvent.Kind.MFA_REMOVED)
    assert event.by == cast.coordinator and "passkey" in event.detail.lower()


def test_adding_a_passkey_is_kept_in_the_history(cast):
    laptop = add_passkey(cast.coordinator)
    # allauth sends this once the browser's registration is checked (AddWebAuthnView).
    authenticator_added.send(
        sender=Authenticator, request=None, user=cast.coordinator, authenticator=laptop
    )
    event = LoginEvent.objects.get(user=cast.coordinator, kind=LoginEvent.Kind.MFA_ADDED)
    assert event.by == cast.coordinator
    assert event.detail == "Passkey: Work laptop"

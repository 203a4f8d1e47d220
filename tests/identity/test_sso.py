"""Signing in through a force's directory, against a real OpenID Connect provider on loopback
(tests/oidc): discovery, authorisation code with PKCE, ID token signature and nonce, logout;
and every refusal: unknown account, another force's tenant, switched-off login, unverified
email, tampered token."""

from __future__ import annotations

import urllib.parse

import pytest
from django.core.cache import cache
from django.urls import reverse

from people.identity.models import DirectoryLink, LoginEvent
from people.identity.services import deactivate_login
from people.identity.views import PENDING_KEY
from people.models import User
from tests.identity.oidc import DirectoryUser


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _start(client, directory) -> str:
    response = client.post(reverse("identity:sso_start", args=[directory.slug]))
    assert response.status_code == 302, response.content
    return response["Location"]


def _come_back(client, url):
    parts = urllib.parse.urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, directory, account):
    """The whole round trip: register → directory sign-in → register callback."""
    url = DirectoryUser(directory.issuer).sign_in(_start(client, directory), account)
    return _come_back(client, url)


def _signed_in_user(client):
    return client.get(reverse("identity:account")).wsgi_request.user


def test_an_officer_signs_in_through_their_forces_directory_and_lands_on_their_pathway(
    client, cast, make_directory
):
    directory = make_directory(cast.norfolk, "norfolk")
    authorisation = urllib.parse.urlsplit(_start(client, directory))
    query = urllib.parse.parse_qs(authorisation.query)
    assert authorisation.geturl().startswith(directory.issuer + "/auth")  # from discovery
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]

    url = DirectoryUser(directory.issuer).sign_in(authorisation.geturl(), "jane")
    response = _come_back(client, url)

    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.request["PATH_INFO"] == reverse("me:pathway")
    assert landing.wsgi_request.user == cast.officer_user
    link = DirectoryLink.objects.get(user=cast.officer_user)
    assert (link.directory, link.subject) == (directory, "jane")
    event = LoginEvent.objects.get(user=cast.officer_user, kind=LoginEvent.Kind.SSO_LINKED)
    assert event.by == cast.officer_user and directory.name in event.via


def test_once_linked_the_directory_id_finds_the_login_even_if_the_email_changes(
    client, cast, make_directory
):
    directory = make_directory(cast.norfolk, "norfolk")
    sign_in(client, directory, "jane")
    client.logout()
    User.objects.filter(pk=cast.officer_user.pk).update(email="jane.smith@norfolk.police.uk")

    assert sign_in(client, directory, "jane").status_code == 302
    assert _signed_in_user(client) == cast.officer_user


def test_an_unknown_directory_account_is_told_to_ask_its_coordinator(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    users_before = User.objects.count()

    response = sign_in(client, directory, "stranger")

    assert response.status_code == 403
    assert "You have no access to the register yet" in response.content.decode()
    assert "coordinator" in response.content.decode()
    assert User.objects.count() == users_before  # no sign-up
    assert not _signed_in_user(client).is_authenticated


def test_another_forces_directory_cannot_open_a_norfolk_login(client, cast, make_directory):
    kent = make_directory(cast.kent, "kent")

    response = sign_in(client, kent, "impostor")

    assert response.status_code == 403
    assert "You have no access to the register yet" in response.content.decode()
    assert not DirectoryLink.objects.exists()
    assert not _signed_in_user(client).is_authenticated


def test_a_switched_off_login_is_refused_in_words(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    deactivate_login(user=cast.officer_user, by=cast.coordinator, reason="left")

    response = sign_in(client, directory, "jane")

    assert response.status_code == 403
    assert "Your login is switched off" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_an_unverified_email_does_not_match_a_login(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    assert sign_in(client, directory, "unverified").status_code == 403
    assert not _signed_in_user(client).is_authenticated


def test_a_domain_the_directory_owns_counts_as_verified(client, cast, make_directory):
    """Entra ID sends no email_verified claim; the force's own domains are trusted instead."""
    directory = make_directory(cast.norfolk, "norfolk", verified_email_domains="norfolk.police.uk")
    assert sign_in(client, directory, "unverified").status_code == 302
    assert _signed_in_user(client) == cast.officer_user


def test_a_tampered_id_token_is_refused(client, cast, make_directory):
    """The provider changes the token's email to the national lead's after signing it."""
    directory = make_directory(cast.norfolk, "norfolk", tamper=True)

    response = sign_in(client, directory, "jane")

    assert response.status_code == 400
    assert "Sign-in did not work" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_an_id_token_with_another_nonce_is_refused(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    url = DirectoryUser(directory.issuer).sign_in(_start(client, directory), "jane")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "nonce": "not-the-nonce-sent"}
    session.save()

    assert _come_back(client, url).status_code == 400
    assert not _signed_in_user(client).is_authenticated


def test_a_callback_without_the_sign_in_it_answers_is_refused(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    url = DirectoryUser(directory.issuer).sign_in(_start(client, directory), "jane")
    assert _come_back(client, url).status_code == 302
    client.logout()

    replay = _come_back(client, url)  # same code and state, a second time

    assert replay.status_code == 400
    assert not _signed_in_user(client).is_authenticated


def test_signing_out_signs_out_of_the_directory_too(client, cast, make_directory):
    directory = make_directory(cast.norfolk, "norfolk")
    browser = DirectoryUser(directory.issuer)
    _come_back(client, browser.sign_in(_start(client, directory), "jane"))

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    end_session = urllib.parse.urlsplit(response["Location"])
    assert response["Location"].startswith(directory.issuer + "/session/end")
    assert "id_token_hint" in urllib.parse.parse_qs(end_session.query)
    assert browser.submit_logout(response["Location"]).endswith(reverse("account_login"))
    assert not _signed_in_user(client).is_authenticated


def test_a_force_can_close_password_sign_in_once_its_directory_is_on(
    client, cast, make_directory, password
):
    make_directory(cast.norfolk, "norfolk", password_login=False)

    response = client.post(
        reverse("account_login"), {"login": cast.officer_user.email, "password": password}
    )

    assert response.status_code == 403
    assert "Sign in with your force account" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated
    # Another force's users still sign in with their password.
    client.post(reverse("account_login"), {"login": cast.outsider.email, "password": password})
    assert _signed_in_user(client) == cast.outsider


def test_the_sign_in_page_offers_each_forces_directory(client, cast, make_directory):
    make_directory(cast.norfolk, "norfolk")
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Norfolk Constabulary" in page
    assert reverse("identity:sso_start", args=["norfolk"]) in page


def test_directory_mfa_counts_only_where_the_directory_is_trusted_for_it(
    client, cast, make_directory, settings
):
    settings.REGISTER_MFA_REQUIRED_ROLES = ["coordinator"]
    directory = make_directory(cast.norfolk, "norfolk")
    sign_in(client, directory, "coord")
    response = client.get(reverse("people:unit_list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    client.logout()
    directory.amr_counts_as_mfa = True
    directory.save()
    sign_in(client, directory, "coord")
    assert client.get(reverse("people:unit_list")).status_code == 200


def test_the_outsider_cannot_use_a_norfolk_directory(client, cast, make_directory):
    """The Kent coordinator's email is not in Norfolk's directory; Kent's directory account
    opens the Kent login only."""
    norfolk = make_directory(cast.norfolk, "norfolk")
    kent = make_directory(cast.kent, "kent")
    assert sign_in(client, norfolk, "stranger").status_code == 403
    assert sign_in(client, kent, "kim").status_code == 302
    assert _signed_in_user(client) == cast.outsider
    response = client.get(cast.colleague.get_absolute_url())
    assert response.status_code == 404

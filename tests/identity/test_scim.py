"""SCIM 2.0 provisioning: a force's directory creates, updates and switches off that force's
logins with its own bearer token; scim2-tester checks the endpoint; switching a login off signs
its user out within one request and keeps every record."""

from __future__ import annotations

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from people.identity.models import LoginEvent, ScimIdentity, ScimToken
from people.models import Person, User

USERS = "/scim/v2/Users"
SCIM_JSON = "application/scim+json"
# The one check the register answers differently, on purpose: a login is always on or off,
# so a PATCH that removes "active" leaves it as it was rather than unset.
ACCEPTED_DEVIATIONS = {("check_remove_attribute", "did not remove attribute 'active'")}


@pytest.fixture
def norfolk_token(cast):
    return ScimToken.issue(force=cast.norfolk, name="Entra ID", created_by=cast.admin)[1]


@pytest.fixture
def kent_token(cast):
    return ScimToken.issue(force=cast.kent, name="Kent Entra", created_by=cast.admin)[1]


def _scim(client, method, path, token, body=None):
    return getattr(client, method)(
        path,
        data=json.dumps(body) if body is not None else None,
        content_type=SCIM_JSON,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _user(user_name, email, **extra):
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Sam", "familyName": "Jones"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def test_scim2_tester_finds_the_endpoint_compliant(cast, norfolk_token):
    client = WSGISCIMClient(
        WSGIHandler(),
        base_url="http://testserver/scim/v2",
        headers={"Authorization": f"Bearer {norfolk_token}"},
    )

    # Like Django's test client: a request must not close the test's connection (on
    # PostgreSQL that would end the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        results = check_server(client)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    failures = [
        f"{r.title}: {r.reason}"
        for r in results
        if r.status in (Status.ERROR, Status.CRITICAL)
        and not any(t == r.title and s in (r.reason or "") for t, s in ACCEPTED_DEVIATIONS)
    ]
    assert failures == []
    passed = [r for r in results if r.status == Status.SUCCESS]
    assert len(passed) >= 30
    assert {"object_creation", "object_replacement", "object_deletion"} <= {r.title for r in passed}
    # Everything the tester made stays with Norfolk; nothing reached Kent.
    assert not ScimIdentity.objects.exclude(force=cast.norfolk).exists()


def test_without_a_valid_token_the_endpoint_answers_401(client, cast, norfolk_token):
    assert client.get(USERS).status_code == 401
    assert _scim(client, "get", USERS, norfolk_token + "x").status_code == 401
    ScimToken.objects.get(force=cast.norfolk).revoke(by=cast.admin)
    response = _scim(client, "get", USERS, norfolk_token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_directory_creates_a_login_and_it_is_linked_to_the_persons_record(
    client, cast, norfolk_token
):
    Person.objects.filter(pk=cast.colleague.pk).update(email="sam.jones@norfolk.police.uk")

    response = _scim(
        client,
        "post",
        USERS,
        norfolk_token,
        _user("sam.jones@norfolk.police.uk", "sam.jones@norfolk.police.uk"),
    )

    assert response.status_code == 201, response.content
    user = User.objects.get(email="sam.jones@norfolk.police.uk")
    assert Person.objects.get(pk=cast.colleague.pk).user == user
    assert not user.has_usable_password()
    event = LoginEvent.objects.get(user=user, kind=LoginEvent.Kind.CREATED)
    assert event.via == "SCIM token Entra ID" and event.by is None
    assert response.json()["id"] == user.scim_identity.scim_id


def test_a_force_token_never_sees_or_takes_another_forces_logins(
    client, cast, norfolk_token, kent_token
):
    created = _scim(
        client, "post", USERS, norfolk_token, _user("jane@norfolk", cast.officer_user.email)
    ).json()

    assert _scim(client, "get", f"{USERS}/{created['id']}", kent_token).status_code == 404
    assert _scim(client, "get", USERS, kent_token).json()["totalResults"] == 0
    patch = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert _scim(client, "patch", f"{USERS}/{created['id']}", kent_token, patch).status_code == 404
    # Kent's directory cannot adopt the Norfolk officer's login by naming its email.
    taken = _scim(client, "post", USERS, kent_token, _user("jane@kent", cast.officer_user.email))
    assert taken.status_code == 409
    assert User.objects.get(pk=cast.officer_user.pk).is_active


def test_switching_off_through_scim_signs_the_user_out_within_one_request(
    client, cast, norfolk_token
):
    from django.test import Client

    officer = Client()
    officer.force_login(cast.officer_user)
    assert officer.get(reverse("me:pathway")).status_code == 200
    created = _scim(
        client, "post", USERS, norfolk_token, _user("jane@norfolk", cast.officer_user.email)
    ).json()
    assert User.objects.get(pk=cast.officer_user.pk).is_active  # adopted, still on

    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    response = _scim(client, "patch", f"{USERS}/{created['id']}", norfolk_token, patch)

    assert response.status_code == 200 and response.json()["active"] is False
    next_request = officer.get(reverse("me:pathway"))
    assert next_request.status_code == 302
    assert next_request["Location"].startswith(reverse("account_login"))
    assert Person.objects.get(pk=cast.officer.pk).user_id == cast.officer_user.pk
    assert cast.officer.history.exists()
    event = LoginEvent.objects.get(user=cast.officer_user, kind=LoginEvent.Kind.DEACTIVATED)
    assert event.via == "SCIM token Entra ID"


def test_a_scim_delete_switches_the_login_off_and_keeps_it(client, cast, norfolk_token):
    created = _scim(
        client, "post", USERS, norfolk_token, _user("jane@norfolk", cast.officer_user.email)
    ).json()

    assert _scim(client, "delete", f"{USERS}/{created['id']}", norfolk_token).status_code == 204

    assert _scim(client, "get", f"{USERS}/{created['id']}", norfolk_token).status_code == 404
    user = User.objects.get(pk=cast.officer_user.pk)
    assert not user.is_active
    assert Person.objects.get(pk=cast.officer.pk).user == user
    assert ScimIdentity.objects.get(user=user).deprovisioned_at is not None


def test_a_filter_finds_a_user_by_user_name(client, cast, norfolk_token):
    _scim(client, "post", USERS, norfolk_token, _user("jane@norfolk", cast.officer_user.email))
    found = client.get(
        USERS,
        {"filter": 'userName eq "JANE@norfolk"'},
        HTTP_AUTHORIZATION=f"Bearer {norfolk_token}",
    ).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["emails"][0]["value"] == cast.officer_user.email


def test_a_signed_in_session_is_not_a_scim_credential(client, cast):
    for user in cast.users().values():
        client.force_login(user)
        assert client.get(USERS).status_code == 401, user

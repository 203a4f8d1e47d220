"""Every change to a login is kept with who made it; SCIM tokens are stored hashed and can be
revoked; switching a login off ends its sessions and keeps every record."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from people.identity.models import LoginEvent, ScimToken
from people.identity.services import deactivate_login, login_force_ids
from people.models import Grant, Person, Role, User
from tests.factories import UserFactory, granted


def test_user_history_lives_in_the_identity_app(cast):
    historical = User.history.model
    assert historical._meta.app_label == "identity"
    assert "password" not in {f.name for f in historical._meta.fields}


def test_a_grant_is_recorded_against_the_login_with_who_granted_it(cast):
    user = UserFactory(email="new.lead@norfolk.police.uk")
    grant = granted(user, Role.CHIEF_OFFICER, force=cast.norfolk)
    Grant.objects.filter(pk=grant.pk).update(granted_by=cast.admin)
    grant.refresh_from_db()
    grant.revoked_at = grant.created_at
    grant.save()

    kinds = list(LoginEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))
    assert kinds == [LoginEvent.Kind.GRANT_ADDED, LoginEvent.Kind.GRANT_CHANGED]
    assert "revoked" in LoginEvent.objects.filter(user=user).first().detail


def test_scim_tokens_are_kept_only_as_a_hash_and_stop_working_when_revoked(cast):
    row, token = ScimToken.issue(force=cast.norfolk, name="Entra ID", created_by=cast.admin)
    assert token not in row.token_hash and token.startswith(row.prefix)
    assert ScimToken.authenticate(token) == row
    assert ScimToken.authenticate(token + "x") is None

    row.revoke(by=cast.admin)

    assert ScimToken.authenticate(token) is None
    assert row.history.latest().history_change_reason == "revoked"


def test_switching_a_login_off_signs_them_out_at_once_and_keeps_their_record(cast, client):
    client.force_login(cast.officer_user)
    assert client.get(reverse("me:pathway")).status_code == 200

    assert deactivate_login(user=cast.officer_user, by=cast.coordinator, reason="left the force")

    response = client.get(reverse("me:pathway"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert Person.objects.get(pk=cast.officer.pk).user_id == cast.officer_user.pk
    event = LoginEvent.objects.get(user=cast.officer_user, kind=LoginEvent.Kind.DEACTIVATED)
    assert event.by == cast.coordinator and event.detail == "left the force"
    assert cast.officer_user.history.latest().history_change_reason.startswith("deactivated")


def test_a_login_belongs_to_its_persons_force_or_its_granted_forces(cast):
    assert login_force_ids(cast.officer_user) == {cast.norfolk.pk}
    assert login_force_ids(cast.coordinator) == {cast.norfolk.pk}
    unit_coordinator = UserFactory(email="joint@suffolk.police.uk")
    granted(unit_coordinator, Role.COORDINATOR, unit=cast.joint_unit)
    assert login_force_ids(unit_coordinator) == {cast.norfolk.pk, cast.suffolk.pk}
    assert login_force_ids(cast.regional_lead) == set()


def test_the_person_page_shows_the_changes_to_their_login_with_who_made_them(client, cast):
    deactivate_login(user=cast.officer_user, by=cast.coordinator, reason="left the unit")
    client.force_login(cast.coordinator)
    page = client.get(
        reverse("people:person_detail", kwargs={"pk": cast.officer_user.person.pk})
    ).content.decode()
    assert "Changes to their login" in page
    assert "Login switched off: left the unit" in page
    assert cast.coordinator.email in page


def test_a_grant_changed_in_a_request_is_kept_with_who_changed_it(cast, rf):
    from simple_history.models import HistoricalRecords

    user = UserFactory(email="lead.to.revoke@norfolk.police.uk")
    grant = granted(user, Role.CHIEF_OFFICER, force=cast.norfolk)
    request = rf.post("/admin/people/grant/")
    request.user = cast.admin
    HistoricalRecords.context.request = request  # as HistoryRequestMiddleware does
    try:
        grant.revoked_at = grant.created_at
        grant.save()
    finally:
        del HistoricalRecords.context.request
    event = LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.GRANT_CHANGED).get()
    assert event.by == cast.admin and event.detail.startswith("revoked: ")


def test_switching_a_login_off_in_the_admin_is_kept_and_ends_its_sessions(client, cast):
    from django.contrib.sessions.models import Session

    officer = Client()
    officer.force_login(cast.officer_user)
    assert Session.objects.count() == 1
    user = User.objects.get(pk=cast.officer_user.pk)
    request_user = cast.admin
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    request = RequestFactory().post("/admin/people/user/")
    request.user = request_user
    HistoricalRecords.context.request = request  # as HistoryRequestMiddleware does
    try:
        user.is_active = False
        user.save()
    finally:
        del HistoricalRecords.context.request
    event = LoginEvent.objects.get(user=user, kind=LoginEvent.Kind.DEACTIVATED)
    assert event.by == cast.admin and event.detail == "Active box changed"
    assert Session.objects.count() == 0
    # Through the service: one event, not two.
    user.is_active = True
    user.save()
    deactivate_login(user=user, by=cast.coordinator, reason="left")
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.DEACTIVATED).count() == 2

"""A coordinator may reject a deployment instead of confirming it: with a reason, who and
when kept in the history and shown on the log; never their own (issue 15, point 10)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from people.deployments.views import confirm_deployment, reject_deployment
from tests.people.test_deployments import LIST, deployment


def reject_url(made):
    return reverse("deployments:reject", args=[made.pk])


def test_reject_asks_first_then_keeps_reason_who_and_when(cast, client):
    made = deployment(cast.officer, recorded_by=cast.officer_user)
    client.force_login(cast.coordinator)

    detail = client.get(reverse("deployments:detail", args=[made.pk])).content.decode()
    assert reject_url(made) in detail
    page = client.get(reject_url(made))
    assert page.status_code == 200
    assert "Reject this deployment?" in page.content.decode()
    made.refresh_from_db()
    assert made.rejected_by is None  # the GET only asks

    response = client.post(reject_url(made), {"reason": "Not on duty that day"})

    assert response.status_code == 302
    made.refresh_from_db()
    assert made.rejected_by == cast.coordinator
    assert made.rejected_at is not None
    assert made.rejection_reason == "Not on duty that day"
    assert made.confirmed_by is None
    latest = made.history.order_by("-history_date").first()
    assert latest.history_change_reason == f"rejected by {cast.coordinator}: Not on duty that day"
    assert latest.history_user == cast.coordinator
    page = client.get(reverse("deployments:detail", args=[made.pk])).content.decode()
    assert "Not on duty that day" in page
    assert ">rejected<" in page
    assert "Confirm this deployment" not in page
    log = client.get(LIST).content.decode()
    assert ">rejected<" in log


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Enter why the deployment is rejected"),
        ("   ", "Enter why the deployment is rejected"),
        ("line one\nline two", None),
        ("x" * 301, "The reason must be 300 characters or fewer"),
    ],
)
def test_the_reason_is_required_and_one_line(cast, client, reason, message):
    made = deployment(cast.officer, recorded_by=cast.officer_user)
    client.force_login(cast.coordinator)

    response = client.post(reject_url(made), {"reason": reason})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    if message:
        assert message in page
    made.refresh_from_db()
    assert made.rejected_by is None


def test_nobody_rejects_their_own_deployment(cast, client):
    made = deployment(cast.officer)
    client.force_login(cast.officer_user)

    assert client.get(reject_url(made)).status_code == 403
    assert client.post(reject_url(made), {"reason": "mine"}).status_code == 403
    made.refresh_from_db()
    assert made.rejected_by is None
    with pytest.raises(PermissionDenied):
        reject_deployment(deployment=made, by=cast.officer_user, reason="mine")


def test_a_rejected_deployment_is_not_then_confirmed_nor_a_confirmed_one_rejected(cast, client):
    rejected = deployment(cast.officer)
    assert reject_deployment(deployment=rejected, by=cast.coordinator, reason="Duplicate")
    assert confirm_deployment(deployment=rejected, by=cast.coordinator) is False
    rejected.refresh_from_db()
    assert rejected.confirmed_by is None

    confirmed = deployment(cast.officer, confirmed_by=cast.admin)
    assert reject_deployment(deployment=confirmed, by=cast.coordinator, reason="late") is False
    client.force_login(cast.coordinator)
    response = client.post(reject_url(confirmed), {"reason": "late"})
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.rejected_by is None


def test_the_log_filters_rejected_apart_from_waiting(cast, client):
    waiting = deployment(cast.officer, recorded_by=cast.officer_user, task="waiting")
    rejected = deployment(cast.officer, recorded_by=cast.officer_user, task="rejected")
    client.force_login(cast.coordinator)
    client.post(reject_url(rejected), {"reason": "Not on duty that day"})

    def tasks(choice):
        page = client.get(LIST, {"confirmed": choice})
        return [d.task for d in page.context["table"].data]

    assert tasks("rejected") == ["rejected"]
    assert tasks("no") == [waiting.task]

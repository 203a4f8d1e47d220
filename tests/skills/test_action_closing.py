"""An action cannot be closed with neither evidence nor a note (issue 15, point 10)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from skills.actions import services as actions
from skills.models.actions import ActionStatus
from tests.skills.test_actions import afi1, norfolk_action, norfolk_plan  # noqa: F401

CLOSE = {
    "form": "update",
    "update-on_0": "1",
    "update-on_1": "4",
    "update-on_2": "2025",
    "update-status": "closed",
}


def test_closing_with_no_evidence_and_no_note_is_refused(
    cast,
    client,
    norfolk_action,  # noqa: F811
):
    client.force_login(cast.chief)

    response = client.post(reverse("actions:action_detail", args=[norfolk_action.pk]), CLOSE)

    assert response.status_code == 400  # the page again, with the error
    assert "Say why the action is closed, or add evidence first" in response.content.decode()
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.OPEN
    assert norfolk_action.closed_on is None


def test_closing_with_a_note_closes_it(cast, client, norfolk_action):  # noqa: F811
    client.force_login(cast.chief)

    response = client.post(
        reverse("actions:action_detail", args=[norfolk_action.pk]),
        {**CLOSE, "update-text": "Survey done; hours reported to the board"},
    )

    assert response.status_code == 302
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.CLOSED
    assert norfolk_action.closed_on == date(2025, 4, 1)


def test_closing_with_evidence_needs_no_note(cast, client, norfolk_action):  # noqa: F811
    actions.add_evidence(
        action=norfolk_action,
        kind="report",
        unit_code="NOR-CCU",
        as_of=date(2025, 3, 31),
        note="",
        by=cast.chief,
    )
    client.force_login(cast.chief)

    response = client.post(reverse("actions:action_detail", args=[norfolk_action.pk]), CLOSE)

    assert response.status_code == 302
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.CLOSED

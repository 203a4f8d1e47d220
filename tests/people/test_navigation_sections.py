"""Pages outside a section's own path still highlight the section they are reached from."""

from __future__ import annotations

from django.urls import reverse


def _active(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [i["label"] for i in response.context["nav_items"] if i["active"]]


def test_officer_pages_under_other_paths_highlight_their_pathway(client, cast):
    client.force_login(cast.officer_user)
    assert _active(client, reverse("courses:submit_completion")) == ["Your pathway"]
    assert _active(client, reverse("directory:my_entry")) == ["Your pathway"]


def test_coordinator_recording_pages_highlight_activities(client, cast):
    client.force_login(cast.coordinator)
    assert _active(client, reverse("courses:record_cohort")) == ["Activities"]
    assert _active(client, reverse("courses:import_upload")) == ["Activities"]

"""Scheduling a target change (issue 16): a chief officer makes a new version of one of their
unit's targets from a future date, through a "check your answers" step that writes nothing;
the version is attributed to them, a draft counts nowhere, and bad input gets a message, never
a half-made version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from people.models import Role
from skills.models import ResilienceTarget
from skills.versions import today
from tests.factories import UserFactory, granted
from tests.skills.conftest import capability, target

pytestmark = pytest.mark.django_db


def _url(unit):
    return reverse("skills:target_schedule", args=[unit.code])


def _post(client, unit, when: date, minimum="4", *, step="check", draft=False, level="2"):
    data = {
        "capability": str(capability("NETINV").pk),
        "level": level,
        "minimum": minimum,
        "valid_from_0": str(when.day),
        "valid_from_1": str(when.month),
        "valid_from_2": str(when.year),
        step: "1",
    }
    if draft:
        data["draft"] = "on"
    return client.post(_url(unit), data)


@pytest.fixture
def chief(client, cast):
    client.force_login(cast.chief)
    target(cast.norfolk_unit, "NETINV", 2, 2)
    return client


def test_the_page_lists_the_targets_in_force_and_offers_the_form(chief, cast):
    response = chief.get(_url(cast.norfolk_unit))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Schedule a target change" in html
    in_force = response.context["in_force"]
    assert [(r.capability.code, r.level, r.minimum) for r in in_force.data] == [("NETINV", 2, 2)]
    assert "No change to this unit&#x27;s targets is scheduled or drafted." in html


def test_check_your_answers_writes_nothing_then_confirm_makes_the_version(chief, cast):
    when = today() + timedelta(days=40)
    response = _post(chief, cast.norfolk_unit, when)
    assert response.status_code == 200
    assert response.templates[0].name == "skills/targets/check.html"
    html = response.content.decode()
    assert "Check the target change before you schedule it" in html
    assert "Minimum now" in html and ">2<" in html  # the minimum in force today
    assert ResilienceTarget.objects.count() == 1

    response = _post(chief, cast.norfolk_unit, when, step="confirm")
    assert response.status_code == 302
    version = ResilienceTarget.objects.get(valid_from=when)
    assert (version.unit, version.minimum, version.draft) == (cast.norfolk_unit, 4, False)
    # Attributed: simple-history's middleware records who made it.
    assert version.history.get().history_user == cast.chief
    page = chief.get(response["Location"])
    html = page.content.decode()
    assert (
        f"Netinv L2 (practitioner): a minimum of 4 from {when.day} {when:%B %Y}, scheduled." in html
    )
    impact = reverse("skills:requirement_impact") + f"?version=t{version.pk}&amp;unit=NOR-CCU"
    assert impact in html
    # Listed among the pending changes, with a link to its impact.
    assert [v.pk for v in page.context["pending"].data] == [version.pk]


def test_the_version_in_force_today_is_untouched(chief, cast):
    current = ResilienceTarget.objects.get()
    _post(chief, cast.norfolk_unit, today() + timedelta(days=10), "5", step="confirm")
    current.refresh_from_db()
    assert current.minimum == 2
    in_force = ResilienceTarget.objects.filter(unit=cast.norfolk_unit).in_force(on=today())
    assert [t.minimum for t in in_force] == [2]


def test_a_draft_counts_nowhere(chief, cast):
    when = today() + timedelta(days=1)
    _post(chief, cast.norfolk_unit, when, "7", step="confirm", draft=True)
    draft = ResilienceTarget.objects.get(minimum=7)
    assert draft.draft
    later = ResilienceTarget.objects.filter(unit=cast.norfolk_unit).in_force(on=when)
    assert [t.minimum for t in later] == [2]


def test_change_the_answers_goes_back_to_the_filled_in_form(chief, cast):
    when = today() + timedelta(days=40)
    response = _post(chief, cast.norfolk_unit, when, "6", step="change")
    assert response.templates[0].name == "skills/targets/schedule.html"
    assert response.context["form"]["minimum"].value() == "6"
    assert ResilienceTarget.objects.count() == 1


@pytest.mark.parametrize(
    ("when", "minimum", "level", "message"),
    [
        (0, "4", "2", "The date it takes effect must be after today"),
        (-30, "4", "2", "The date it takes effect must be after today"),
        (10, "0", "2", "Enter a new minimum of 1 or more"),
        (10, "lots", "2", "Enter the new minimum as a whole number"),
        (10, "4", "9", "Choose a level from the list"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    chief, cast, when, minimum, level, message
):
    day = today() + timedelta(days=when)
    response = _post(chief, cast.norfolk_unit, day, minimum, step="confirm", level=level)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    assert ResilienceTarget.objects.count() == 1


def test_a_second_version_from_the_same_day_is_refused(chief, cast):
    when = today() + timedelta(days=20)
    _post(chief, cast.norfolk_unit, when, "3", step="confirm")
    response = _post(chief, cast.norfolk_unit, when, "4", step="confirm")
    assert "already has a version" in response.content.decode()
    assert ResilienceTarget.objects.filter(valid_from=when).get().minimum == 3


def test_a_kind_target_shows_as_the_minimum_now_and_a_unit_version_replaces_it(client, cast):
    client.force_login(cast.chief)
    target(cast.norfolk_unit.kind, "NETINV", 2, 1)
    response = _post(client, cast.norfolk_unit, today() + timedelta(days=5))
    assert f"(set for every {cast.norfolk_unit.kind})" in response.content.decode()


def test_a_chief_officer_cannot_schedule_for_a_unit_outside_their_force(client, cast):
    client.force_login(cast.chief)
    assert client.get(_url(cast.kent_unit)).status_code == 404
    assert (
        _post(client, cast.kent_unit, today() + timedelta(days=5), step="confirm").status_code
        == 404
    )
    assert not ResilienceTarget.objects.filter(unit=cast.kent_unit).exists()


def test_a_coordinator_may_not_schedule(client, cast):
    client.force_login(cast.coordinator)
    response = _post(client, cast.norfolk_unit, today() + timedelta(days=5), step="confirm")
    assert response.status_code == 403
    assert not ResilienceTarget.objects.exists()


def test_the_unit_report_links_to_the_page_for_chief_officers_only(client, cast):
    report = reverse("skills:unit_report", args=[cast.norfolk_unit.code])
    client.force_login(cast.chief)
    assert _url(cast.norfolk_unit) in client.get(report).content.decode()
    client.force_login(cast.coordinator)
    assert _url(cast.norfolk_unit) not in client.get(report).content.decode()


def test_a_chief_of_another_force_reaches_a_unit_of_a_force_in_their_grant(client, cast):
    # A chief officer of Suffolk reaches the Norfolk and Suffolk joint unit, not Norfolk's own.
    chief = granted_user(cast.suffolk)
    client.force_login(chief)
    assert client.get(_url(cast.joint_unit)).status_code == 200
    assert client.get(_url(cast.norfolk_unit)).status_code == 404


def granted_user(force):
    user = UserFactory(email=f"chief@{force.code}.police.uk")
    granted(user, Role.CHIEF_OFFICER, force=force)
    return user


def test_the_new_version_answers_the_same_expectations_as_the_one_it_replaces(client, cast):
    client.force_login(cast.chief)
    target(cast.norfolk_unit, "OSINT", 1, 1, expectations=["HMIC-2015-DIGITAL 5.56"])
    when = today() + timedelta(days=30)
    data = {
        "capability": str(capability("OSINT").pk),
        "level": "1",
        "minimum": "2",
        "valid_from_0": str(when.day),
        "valid_from_1": str(when.month),
        "valid_from_2": str(when.year),
    }
    check = client.post(_url(cast.norfolk_unit), {**data, "check": "1"})
    assert "HMIC 2015 5.56 (as the target in force now)" in check.content.decode()
    client.post(_url(cast.norfolk_unit), {**data, "confirm": "1"})
    version = ResilienceTarget.objects.get(valid_from=when)
    assert [e.key for e in version.expectations.all()] == ["HMIC-2015-DIGITAL 5.56"]

"""The cross-force skills directory: consent, verified holdings only, logged searches and
views, requests that reach the person's coordinator and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Completion, Status
from people.directory import services as directory
from people.models import PersonType, Role
from people.models.directory import (
    Availability,
    DirectoryEntryView,
    DirectoryRequest,
    DirectorySearch,
    RequestStatus,
    WorkMode,
)
from skills.models import Function
from tests.factories import (
    CapabilityFactory,
    PersonFactory,
    UserFactory,
    activity,
    completed,
    granted,
    posted,
)

SEARCHERS = ("coordinator", "chief_officer", "regional_lead", "national_lead", "admin", "outsider")
NETINV = "NETWORK-INVESTIGATION"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def netinv(db):
    return CapabilityFactory(code=NETINV, name="Network investigation", function=Function.PURSUE)


@pytest.fixture
def course_l2(netinv):
    return activity("NETINV-PRACTITIONER", {netinv: 2}, title="Network investigation course")


@pytest.fixture
def listed(cast, course_l2, today):
    """The Kent special, consenting, verified at network investigation level 2."""
    kim = cast.kent_person
    completed(kim, course_l2, today - timedelta(days=100))
    directory.give_consent(person=kim, by=cast.outsider)
    Availability.objects.create(person=kim, hours_a_month=16, mode=WorkMode.REMOTE, notice_days=7)
    kim.refresh_from_db()
    return kim


@pytest.fixture
def unlisted(cast, course_l2, today):
    """A Suffolk special with the same verified course who has not consented."""
    pat = PersonFactory(
        force=cast.suffolk,
        first_name="Pat",
        last_name="Unlisted",
        person_type=PersonType.SPECIAL,
        skills_biography="Packet capture",
    )
    completed(pat, course_l2, today - timedelta(days=100))
    return pat


def _search(client, user, query=""):
    client.force_login(user)
    return client.get(reverse("directory:search") + (f"?{query}" if query else ""))


def test_a_person_without_consent_never_appears_in_any_search_or_count_for_any_role(
    cast, client, listed, unlisted
):
    users = cast.users()
    queries = [
        "",
        f"capability={NETINV}&level=2",
        "person_type=special",
        f"region={cast.eastern.pk}",
        "function=pursue",
    ]
    for role in SEARCHERS:
        for query in queries:
            response = _search(client, users[role], query)
            assert response.status_code == 200, (role, query)
            content = response.content.decode()
            assert "Unlisted" not in content, (role, query)
            expected = 0 if "region" in query else 1
            assert response.context["count"] == expected, (role, query)
        client.force_login(users[role])
        assert client.get(reverse("directory:entry", args=[unlisted.pk])).status_code == 404
    assert not DirectoryEntryView.objects.filter(person=unlisted).exists()


def test_withdrawing_consent_removes_them_at_once(cast, client, listed):
    assert _search(client, cast.coordinator, f"capability={NETINV}").context["count"] == 1
    directory.withdraw_consent(person=listed, by=cast.outsider)

    response = _search(client, cast.coordinator, f"capability={NETINV}")
    assert response.context["count"] == 0
    assert "Kentish" not in response.content.decode()
    assert client.get(reverse("directory:entry", args=[listed.pk])).status_code == 404
    listed.refresh_from_db()
    assert listed.directory_consent_on is None
    reasons = list(listed.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["directory consent withdrawn", "directory consent given"]


def test_consent_is_dated_the_day_it_is_given(cast, listed, today):
    assert listed.directory_consent is True
    assert listed.directory_consent_on == today


def test_a_person_withdraws_through_their_own_entry_page(cast, client, today):
    directory.give_consent(person=cast.officer, by=cast.officer_user)
    client.force_login(cast.officer_user)
    response = client.post(
        reverse("directory:my_entry"),
        {"biography": "Linux forensics", "hours_a_month": "12", "mode": "remote"},
    )
    assert response.status_code == 302
    cast.officer.refresh_from_db()
    assert cast.officer.directory_consent is False
    assert cast.officer.skills_biography == "Linux forensics"
    assert cast.officer.availability.hours_a_month == 12


def test_an_entry_shows_only_holdings_verified_as_of_today(cast, client, netinv, listed, today):
    malware = CapabilityFactory(code="MALWARE", name="Malware triage", function=Function.PURSUE)
    osint = CapabilityFactory(code="OSINT", name="Open-source investigation")
    expert = activity("NETINV-EXPERT", {netinv: 3}, title="Expert network course")
    # Pending and rejected completions never show as held.
    completed(listed, expert, today - timedelta(days=10), status=Status.PENDING)
    completed(
        listed,
        activity("MALWARE-1", {malware: 2}),
        today - timedelta(days=5),
        status=Status.REJECTED,
    )
    # A completion expiring today no longer counts on its expiry date.
    completed(
        listed, activity("OSINT-1", {osint: 1}), today - timedelta(days=300), expires_on=today
    )
    # Dated tomorrow: not yet done as of today.
    completed(listed, activity("OSINT-2", {osint: 2}), today + timedelta(days=1))
    listed.skills_biography = "Self-declared: malware expert (level 3)"
    listed.save()

    client.force_login(cast.coordinator)
    response = client.get(reverse("directory:entry", args=[listed.pk]))
    entry = response.context["entry"]
    assert [(h.capability.code, h.level, h.held_until) for h in entry.holdings] == [
        (NETINV, 2, None)
    ]
    holdings = response.content.decode().split('id="holdings"')[1].split("</table>")[0]
    assert "Network investigation" in holdings
    assert "Malware" not in holdings and "Open-source" not in holdings


def test_entries_never_show_contact_details(cast, client, listed):
    client.force_login(cast.coordinator)
    for url in (reverse("directory:search"), reverse("directory:entry", args=[listed.pk])):
        content = client.get(url).content.decode()
        assert listed.email not in content
        assert listed.staff_number not in content


def test_a_request_reaches_the_persons_coordinator_and_nobody_else(
    cast, client, listed, django_capture_on_commit_callbacks
):
    suffolk_coordinator = UserFactory(email="coordinator@suffolk.police.uk")
    granted(suffolk_coordinator, Role.COORDINATOR, force=cast.suffolk)
    kent_unit_coordinator = UserFactory(email="unit@kent.police.uk")
    granted(kent_unit_coordinator, Role.COORDINATOR, unit=cast.kent_unit)

    client.force_login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:request_help", args=[listed.pk]),
            {"message": "Two days of packet analysis in May"},
        )
    assert response.status_code == 302
    req = DirectoryRequest.objects.get()
    assert (req.person, req.requested_by, req.status) == (
        listed,
        cast.coordinator,
        RequestStatus.PENDING,
    )
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["coordinator@kent.police.uk", "unit@kent.police.uk"]
    assert listed.email not in mail.outbox[0].to

    url = reverse("directory:request_detail", args=[req.pk])
    for user in (cast.coordinator, cast.outsider, kent_unit_coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert "Kim Kentish" in client.get(reverse("directory:requests")).content.decode()
    for user in (cast.chief, cast.regional_lead, cast.national_lead, suffolk_coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert "Kim Kentish" not in client.get(reverse("directory:requests")).content.decode()
    client.force_login(cast.officer_user)
    assert client.get(url).status_code == 404


def test_only_the_persons_coordinator_decides_and_the_person_is_told(
    cast, client, listed, django_capture_on_commit_callbacks
):
    listed.email = "kim@kent.police.uk"
    listed.save()
    req = directory.request_help(person_id=listed.pk, by=cast.coordinator, message="Help")
    mail.outbox.clear()
    url = reverse("directory:request_detail", args=[req.pk])

    client.force_login(cast.coordinator)
    assert client.post(url, {"decision": "accept"}).status_code == 404
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING

    client.force_login(cast.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "accept", "note": "Kim can do it"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.decided_by) == (RequestStatus.ACCEPTED, cast.outsider)
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("coordinator@norfolk.police.uk",), ("kim@kent.police.uk",)]
    to_requester = next(m for m in mail.outbox if m.to == ["coordinator@norfolk.police.uk"])
    assert "kim@kent.police.uk" not in to_requester.body
    assert "accepted" in to_requester.body


def test_every_search_and_entry_view_is_logged(cast, client, listed):
    _search(client, cast.coordinator)
    _search(client, cast.regional_lead, f"capability={NETINV}&level=2&person_type=special")
    searches = list(
        DirectorySearch.objects.order_by("pk").values_list("user", "filters", "results")
    )
    assert searches == [
        (cast.coordinator.pk, {}, 1),
        (
            cast.regional_lead.pk,
            {"capability": NETINV, "level": 2, "person_type": "special"},
            1,
        ),
    ]
    client.force_login(cast.national_lead)
    client.get(reverse("directory:entry", args=[listed.pk]))
    assert list(DirectoryEntryView.objects.values_list("viewer", "person", "filters")) == [
        (cast.national_lead.pk, listed.pk, {})
    ]
    # An entry opened from a search result carries the search's filter into its log line.
    results = _search(client, cast.chief, f"capability={NETINV}&level=2").content.decode()
    link = f"{reverse('directory:entry', args=[listed.pk])}?capability={NETINV}&amp;level=2"
    assert link in results
    client.get(link.replace("&amp;", "&"))
    assert DirectoryEntryView.objects.get(viewer=cast.chief).filters == {
        "capability": NETINV,
        "level": 2,
    }


def test_a_person_sees_who_viewed_their_entry(cast, client):
    directory.give_consent(person=cast.officer, by=cast.officer_user)
    client.force_login(cast.outsider)
    client.get(reverse("directory:entry", args=[cast.officer.pk]))
    client.force_login(cast.officer_user)
    response = client.get(reverse("directory:my_views"))
    assert response.status_code == 200
    assert "coordinator@kent.police.uk" in response.content.decode()


def test_an_officer_gets_403_on_the_directory(cast, client, listed):
    client.force_login(cast.officer_user)
    for url in (
        reverse("directory:search"),
        reverse("directory:entry", args=[listed.pk]),
        reverse("directory:requests"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("directory:request_help", args=[listed.pk]), {"message": "x"})
    assert response.status_code == 403
    assert not DirectorySearch.objects.exists()


def test_the_outsider_gets_404_on_a_request_between_other_forces(cast, client, unlisted):
    directory.give_consent(person=unlisted, by=cast.coordinator)
    req = directory.request_help(person_id=unlisted.pk, by=cast.coordinator, message="Help")
    client.force_login(cast.outsider)
    assert client.get(reverse("directory:request_detail", args=[req.pk])).status_code == 404


def test_search_by_capability_and_minimum_level(cast, client, listed, netinv, today):
    assert _search(client, cast.chief, f"capability={NETINV}&level=2").context["count"] == 1
    assert _search(client, cast.chief, f"capability={NETINV}&level=3").context["count"] == 0
    assert _search(client, cast.chief, "function=protect").context["count"] == 0
    assert _search(client, cast.chief, "mode=on_site").context["count"] == 0
    assert _search(client, cast.chief, "min_hours=16&max_notice_days=7").context["count"] == 1
    assert _search(client, cast.chief, "min_hours=17").context["count"] == 0


def _consenting_specials(cast, course, n, today):
    people = [
        PersonFactory(
            force=cast.kent,
            person_type=PersonType.SPECIAL,
            directory_consent=True,
            directory_consent_on=today,
        )
        for _ in range(n)
    ]
    Completion.objects.bulk_create(
        Completion(
            person=p,
            activity=course,
            completed_on=today - timedelta(days=30),
            status=Status.VERIFIED,
            verified_at=timezone.now(),
        )
        for p in people
    )
    Availability.objects.bulk_create(Availability(person=p, hours_a_month=16) for p in people)
    for p in people[:3]:
        posted(p, cast.kent_unit, start=today - timedelta(days=400))


def _queries_for_search(cast, client):
    client.force_login(cast.coordinator)
    url = reverse("directory:search") + f"?capability={NETINV}&level=2"
    client.get(url)  # warm the session and scope caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return len(ctx.captured_queries), response.context["count"]


def test_search_query_count_does_not_grow_with_consenting_people(cast, client, course_l2, today):
    _consenting_specials(cast, course_l2, 10, today)
    small, count = _queries_for_search(cast, client)
    assert count == 10
    _consenting_specials(cast, course_l2, 190, today)
    large, count = _queries_for_search(cast, client)
    assert count == 200
    assert large == small
    assert large <= 20, large


def test_the_person_sees_their_coordinators_decision_on_their_own_entry_page(cast, client):
    directory.give_consent(person=cast.officer, by=cast.officer_user)
    req = directory.request_help(
        person_id=cast.officer.pk, by=cast.outsider, message="Router logs in Maidstone"
    )
    client.force_login(cast.officer_user)
    page = client.get(reverse("directory:my_entry")).content.decode()
    assert "Router logs in Maidstone" not in page  # waiting for the coordinator
    directory.decide_request(request_id=req.pk, by=cast.coordinator, accept=False)
    page = client.get(reverse("directory:my_entry")).content.decode()
    assert "Router logs in Maidstone" in page
    assert "Declined" in page and "coordinator@kent.police.uk" in page


def test_results_show_availability_in_words(cast, client, listed):
    response = _search(client, cast.coordinator)
    assert "16 hours a month, remote, 7 days&#x27; notice" in response.content.decode()


def test_a_person_finds_their_directory_entry_from_their_pathway(cast, client):
    client.force_login(cast.officer_user)
    assert reverse("directory:my_entry") in client.get(reverse("me:pathway")).content.decode()


# --- four eyes, attribution, hostile names (issue 13) ----------------------------------------


def test_a_coordinator_cannot_accept_their_own_request(cast, client, listed):
    """The Kent coordinator asks for Kim's help; only another Kent coordinator may accept."""
    req = directory.request_help(person_id=listed.pk, by=cast.outsider, message="Help")
    url = reverse("directory:request_detail", args=[req.pk])
    client.force_login(cast.outsider)
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 400
    assert "another coordinator of the person must accept it" in response.content.decode()
    req.refresh_from_db()
    assert (req.status, req.decided_by) == (RequestStatus.PENDING, None)
    with pytest.raises(ValidationError):
        directory.decide_request(request_id=req.pk, by=cast.outsider, accept=True)

    second = UserFactory(email="second@kent.police.uk")
    granted(second, Role.COORDINATOR, force=cast.kent)
    directory.decide_request(request_id=req.pk, by=second, accept=True)
    req.refresh_from_db()
    assert (req.status, req.decided_by) == (RequestStatus.ACCEPTED, second)


def test_a_coordinator_may_decline_their_own_request(cast, listed):
    req = directory.request_help(person_id=listed.pk, by=cast.outsider, message="Help")
    directory.decide_request(request_id=req.pk, by=cast.outsider, accept=False, note="not needed")
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED


def test_an_administrator_override_of_four_eyes_is_recorded_with_its_reason(cast, listed):
    req = directory.request_help(person_id=listed.pk, by=cast.admin, message="Help")
    with pytest.raises(ValidationError):
        directory.decide_request(request_id=req.pk, by=cast.admin, accept=True)
    directory.decide_request(
        request_id=req.pk, by=cast.admin, accept=True, override_reason="gold command approval"
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED
    latest = req.history.latest()
    assert latest.history_user == cast.admin
    assert latest.history_change_reason == (
        "accepted by administrator override: gold command approval"
    )


def test_withdrawing_consent_declines_pending_requests_recording_who_and_why(cast, listed):
    req = directory.request_help(person_id=listed.pk, by=cast.coordinator, message="Help")
    directory.withdraw_consent(person=listed, by=cast.outsider)
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED
    assert req.decided_by == cast.outsider
    assert req.decision_note == "The person withdrew from the directory."
    latest = req.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        cast.outsider,
        "declined: the person withdrew from the directory",
    )
    assert [h.status for h in req.history.order_by("history_date")] == ["pending", "declined"]


def test_availability_keeps_its_history(cast, listed):
    directory.update_entry(
        person=listed,
        by=cast.outsider,
        biography="",
        hours_a_month=8,
        mode="remote",
        notice_days=3,
    )
    availability = Availability.objects.get(person=listed)
    hours = [h.hours_a_month for h in availability.history.order_by("history_date")]
    assert hours == [16, 8]
    assert availability.history.latest().history_user == cast.outsider


def test_a_name_with_a_line_break_never_breaks_the_request_email_after_saving(
    cast, client, listed, django_capture_on_commit_callbacks
):
    """A newline in a name reached the subject: BadHeaderError after the request was saved."""
    type(listed).objects.filter(pk=listed.pk).update(first_name="Kim\nBcc: everyone@example.com")
    client.force_login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:request_help", args=[listed.pk]), {"message": "Help in May"}
        )
    assert response.status_code == 302
    assert DirectoryRequest.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].subject == ("Directory request for Kim Bcc: everyone@example.com Kentish")
    assert mail.outbox[0].bcc == []


def test_a_request_message_with_control_characters_is_refused(cast, client, listed):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("directory:request_help", args=[listed.pk]), {"message": "Help\x00\x1b[2J"}
    )
    assert response.status_code == 400
    assert "Remove the control character" in response.content.decode()
    assert not DirectoryRequest.objects.exists()

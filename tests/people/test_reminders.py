"""send_reminders: who is emailed about what and when, never twice, and coordinator digests."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import ActivityKind, Source, Status
from people.models import Reminder, ReminderKind
from people.reminders import send_reminders
from tests.factories import PersonFactory, activity, completed, posted
from tests.people.self_service_builders import role

pytestmark = pytest.mark.django_db


@pytest.fixture
def osint_role(cast):
    return role("OSINT-ROLE", ("OSINT", 1), name="Cyber Protect officer")


@pytest.fixture
def expiring_officer(cast, osint_role):
    """The cast officer holds OSINT level 1 until 29 June 2025 (a 12-month accreditation
    completed on 29 June 2024)."""
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=osint_role)
    cert = activity("OSINT-CERT", {"OSINT": 1}, kind=ActivityKind.ACCREDITATION, validity_months=12)
    return completed(cast.officer, cert, date(2024, 6, 29))


def _run(day: date) -> list:
    before = set(Reminder.objects.values_list("pk", flat=True))
    send_reminders(as_of=day)
    return list(Reminder.objects.exclude(pk__in=before).exclude(kind="coordinator_digest"))


def test_expiry_reminders_go_90_and_30_days_before_and_on_the_day(cast, expiring_officer):
    assert _run(date(2025, 3, 30)) == []  # 91 days before
    [r] = _run(date(2025, 3, 31))  # 90 days before
    assert (r.kind, r.about_on, r.subject_key) == ("expires_in_90", date(2025, 6, 29), "OSINT L1")
    assert r.completion_id == expiring_officer.pk
    assert _run(date(2025, 4, 1)) == []
    assert _run(date(2025, 5, 29)) == []  # 31 days before: the 90-day reminder went already
    [r] = _run(date(2025, 5, 30))  # 30 days before
    assert (r.kind, r.about_on) == ("expires_in_30", date(2025, 6, 29))
    assert _run(date(2025, 6, 28)) == []
    [r] = _run(date(2025, 6, 29))  # no longer held from today
    assert (r.kind, r.about_on) == ("expires_today", date(2025, 6, 29))
    assert _run(date(2025, 6, 30)) == []


def test_a_missed_day_is_caught_up_the_next_run(cast, expiring_officer):
    [r] = _run(date(2025, 4, 30))  # 60 days before; nothing ran on the 90th day
    assert r.kind == "expires_in_90"


def test_no_expired_today_reminder_when_renewed_that_day(cast, expiring_officer):
    completed(cast.officer, expiring_officer.activity, date(2025, 6, 29))
    assert _run(date(2025, 6, 29)) == []


def test_running_twice_on_the_same_day_sends_one_email_each(cast, expiring_officer, mailoutbox):
    colleague_role = role("NET-ROLE", ("NETINV", 2), name="Network investigator")
    posted(cast.colleague, cast.norfolk_unit, start=date(2024, 1, 1), role=colleague_role)
    course = activity("NETINV-CERT", {"NETINV": 2}, validity_months=24)
    completed(cast.colleague, course, date(2023, 5, 1))  # held until 1 May 2025
    call_command("send_reminders", "--as-of", "2025-03-31")
    call_command("send_reminders", "--as-of", "2025-03-31")
    personal = [m for m in mailoutbox if "digest" not in m.subject]
    assert sorted(m.to[0] for m in personal) == [
        "officer@norfolk.police.uk",
        "sam.jones@norfolk.police.uk",
    ]
    officer_mail = next(m for m in personal if m.to == ["officer@norfolk.police.uk"])
    assert officer_mail.subject == "Training reminder: Osint, level 1 expires on 29 June 2025"
    assert "held until 29 June 2025, in 90 days" in officer_mail.body
    colleague_mail = next(m for m in personal if m.to == ["sam.jones@norfolk.police.uk"])
    assert "held until 1 May 2025, in 31 days" in colleague_mail.body
    digests = [m for m in mailoutbox if "digest" in m.subject]
    assert [m.to for m in digests] == [["coordinator@norfolk.police.uk"]]


def test_a_requirement_falls_due_within_30_days_of_its_deadline(cast):
    profile = role("GRACE", ("NETINV", 2, {"grace": 6}), name="New starter")
    posted(cast.officer, cast.joint_unit, start=date(2024, 10, 15), role=profile)  # due 15 Apr
    assert _run(date(2025, 3, 15)) == []  # 31 days before
    [r] = _run(date(2025, 3, 16))
    assert (r.kind, r.about_on, r.subject_key) == ("falls_due", date(2025, 4, 15), "NETINV L2")
    assert _run(date(2025, 4, 14)) == []
    assert _run(date(2025, 4, 15)) == []  # missing now: the pathway says so


def test_nothing_falls_due_while_a_submission_waits_for_verification(cast):
    profile = role("GRACE", ("NETINV", 2, {"grace": 6}), name="New starter")
    posted(cast.officer, cast.joint_unit, start=date(2024, 10, 15), role=profile)
    course = activity("NETINV-COURSE", {"NETINV": 2})
    completed(cast.officer, course, date(2025, 3, 1), status=Status.PENDING)
    assert _run(date(2025, 3, 16)) == []


def test_a_person_without_an_email_is_recorded_once_and_named_in_the_digest(
    cast, osint_role, mailoutbox
):
    no_email = PersonFactory(
        force=cast.norfolk, staff_number="5555", first_name="Nia", last_name="Noemail", email=""
    )
    posted(no_email, cast.norfolk_unit, start=date(2024, 1, 1), role=osint_role)
    cert = activity("OSINT-CERT", {"OSINT": 1}, validity_months=12)
    completed(no_email, cert, date(2024, 6, 29))
    [r] = _run(date(2025, 3, 31))
    assert r.recipient == ""
    [digest] = mailoutbox
    assert digest.to == ["coordinator@norfolk.police.uk"]
    assert "PC 5555 Nia Noemail" in digest.body
    assert "no email address on record" in digest.body
    assert _run(date(2025, 4, 1)) == []


def test_the_digest_goes_only_to_coordinators_whose_scope_holds_the_people(
    cast, expiring_officer, mailoutbox
):
    # A record waiting for verification in Kent: the Kent coordinator hears of that only.
    completed(
        cast.kent_person,
        activity("KENT-COURSE", {"OSINT": 1}),
        date(2025, 3, 1),
        status=Status.PENDING,
        source=Source.SUBMITTED,
    )
    send_reminders(as_of=date(2025, 3, 31))
    digests = {m.to[0]: m for m in mailoutbox if "digest" in m.subject}
    assert set(digests) == {"coordinator@norfolk.police.uk", "coordinator@kent.police.uk"}
    norfolk = digests["coordinator@norfolk.police.uk"].body
    assert (
        "PC 1234 Jane Smith: Osint, level 1 (Cyber Protect officer) is held until 29 June 2025"
        in norfolk
    )
    assert "No records wait for verification" in norfolk
    kent = digests["coordinator@kent.police.uk"].body
    assert "Jane Smith" not in kent
    assert "1 record waits for verification" in kent
    # Chief officers and leads get no digest; a second run sends none again.
    mailoutbox.clear()
    send_reminders(as_of=date(2025, 3, 31))
    assert mailoutbox == []
    assert Reminder.objects.filter(kind=ReminderKind.COORDINATOR_DIGEST).count() == 2


def test_the_run_costs_a_fixed_number_of_queries_whatever_the_number_of_people(cast, osint_role):
    cert = activity("OSINT-CERT", {"OSINT": 1}, validity_months=12)

    def add_people(n, offset):
        for i in range(n):
            p = PersonFactory(force=cast.norfolk, staff_number=f"Q{offset + i}")
            posted(p, cast.norfolk_unit, start=date(2024, 1, 1), role=osint_role)
            completed(p, cert, date(2024, 9, 1))  # held until 1 September 2025

    add_people(2, 0)
    with CaptureQueriesContext(connection) as small:
        send_reminders(as_of=date(2025, 1, 1))  # 243 days before: nothing to send
    add_people(10, 100)
    with CaptureQueriesContext(connection) as large:
        send_reminders(as_of=date(2025, 1, 2))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_person_sees_the_reminders_sent_to_them(cast, expiring_officer, client):
    send_reminders(as_of=date(2025, 3, 31))
    client.force_login(cast.officer_user)
    html = client.get(reverse("me:reminders")).content.decode()
    assert "Expires within 90 days" in html
    assert "Osint, level 1 (Cyber Protect officer) is held until 29 June 2025" in html
    assert "31 Mar 2025" in html


def test_the_outsider_sees_no_one_elses_reminders(cast, expiring_officer, client):
    send_reminders(as_of=date(2025, 3, 31))
    client.force_login(cast.outsider)
    html = client.get(reverse("me:reminders")).content.decode()
    assert "There is no pathway to show" in html
    assert "Osint" not in html


# --- inspection action owners ----------------------------------------------------------------


@pytest.fixture
def owned_action(cast):
    """An action of Norfolk's plan for AFI 1, owned by the chief officer, due 31 March 2025."""
    from skills.actions import services as actions
    from tests.skills.conftest import expectation

    plan = actions.create_plan(
        force=cast.norfolk,
        expectation=expectation("HMICFRS-2019-CYBER AFI 1"),
        owner=cast.chief,
        by=cast.coordinator,
    )
    return actions.add_action(
        plan=plan,
        reference="1",
        title="Survey specials' hours",
        due_on=date(2025, 3, 31),
        by=cast.coordinator,
    )


def _owner_mail(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith("Inspection actions")]


def test_the_owner_is_told_once_when_an_action_is_due_soon_and_once_when_overdue(
    cast, owned_action, mailoutbox
):
    from skills.models.actions import ActionReminder

    send_reminders(as_of=date(2025, 3, 16))  # 15 days before: nothing yet
    assert _owner_mail(mailoutbox) == []
    call_command("send_reminders", "--as-of", "2025-03-17")
    call_command("send_reminders", "--as-of", "2025-03-17")
    send_reminders(as_of=date(2025, 3, 31))  # due today: still in time, told already
    [soon] = _owner_mail(mailoutbox)
    assert soon.to == ["chief@norfolk.police.uk"]
    assert soon.subject == "Inspection actions you own: 1 due soon"
    assert "action 1: Survey specials' hours (due 31 March 2025)" in soon.body
    assert f"/actions/{owned_action.pk}/" in soon.body
    mailoutbox.clear()
    send_reminders(as_of=date(2025, 4, 1))  # the day after the due date
    send_reminders(as_of=date(2025, 4, 2))
    [late] = _owner_mail(mailoutbox)
    assert late.subject == "Inspection actions you own: 1 overdue"
    assert "(due 31 March 2025, overdue)" in late.body
    assert list(
        ActionReminder.objects.order_by("sent_on").values_list("kind", "about_on", "sent_on")
    ) == [
        ("due_soon", date(2025, 3, 31), date(2025, 3, 17)),
        ("overdue", date(2025, 3, 31), date(2025, 4, 1)),
    ]


def test_a_new_due_date_is_told_again_and_a_closed_action_never(cast, owned_action, mailoutbox):
    from skills.actions import services as actions
    from skills.models.actions import ActionStatus

    send_reminders(as_of=date(2025, 4, 1))
    assert len(_owner_mail(mailoutbox)) == 1
    owned_action.due_on = date(2025, 4, 10)
    owned_action.save()
    mailoutbox.clear()
    send_reminders(as_of=date(2025, 4, 2))
    [again] = _owner_mail(mailoutbox)
    assert "(due 10 April 2025)" in again.body
    actions.add_update(
        action=owned_action,
        on=date(2025, 4, 5),
        text="Survey done",
        status=ActionStatus.CLOSED,
        by=cast.coordinator,
    )
    mailoutbox.clear()
    send_reminders(as_of=date(2025, 4, 11))
    assert _owner_mail(mailoutbox) == []


def test_an_owner_is_told_of_all_their_actions_in_one_email_and_nobody_else_is(
    cast, owned_action, mailoutbox
):
    from skills.actions import services as actions

    actions.add_action(
        plan=owned_action.plan,
        reference="2",
        title="Publish the evaluation",
        due_on=date(2025, 4, 10),
        by=cast.coordinator,
    )
    send_reminders(as_of=date(2025, 4, 1))
    [mail] = _owner_mail(mailoutbox)
    assert mail.to == ["chief@norfolk.police.uk"]
    assert mail.subject == "Inspection actions you own: 1 overdue and 1 due soon"
    assert "action 2: Publish the evaluation (due 10 April 2025)" in mail.body


def test_action_reminders_cost_two_queries_whatever_the_number_of_actions(
    cast, owned_action, django_assert_num_queries
):
    from people.reminders import send_action_reminders
    from skills.actions import services as actions

    for n in range(2, 12):
        actions.add_action(
            plan=owned_action.plan,
            reference=str(n),
            title=f"Step {n}",
            due_on=date(2025, 3, n),
            by=cast.coordinator,
        )
    send_action_reminders(as_of=date(2025, 4, 1))
    with django_assert_num_queries(2):  # the actions due, and the reminders already sent
        outcome = send_action_reminders(as_of=date(2025, 4, 2))
    assert outcome.action_reminders == 0

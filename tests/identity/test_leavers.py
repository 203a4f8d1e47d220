"""Leavers: once a person's last posting has ended and they hold no grant, deactivate_leavers
switches their login off; their record and history stay."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from people.identity.models import LoginEvent
from people.models import Person, Posting, Role, User
from tests.factories import granted


def _end_postings(person, last_day):
    for posting in Posting.objects.filter(person=person):
        posting.end = last_day
        posting.save()


def test_a_login_is_switched_off_the_day_after_the_last_posting_ends(cast):
    _end_postings(cast.officer, date(2025, 3, 31))

    call_command("deactivate_leavers", "--as-of", "2025-03-31", stdout=StringIO())
    assert User.objects.get(pk=cast.officer_user.pk).is_active  # still in post that day

    out = StringIO()
    call_command("deactivate_leavers", "--as-of", "2025-04-01", stdout=out)

    assert not User.objects.get(pk=cast.officer_user.pk).is_active
    assert "1 login(s) switched off" in out.getvalue()
    assert Person.objects.get(pk=cast.officer.pk).user_id == cast.officer_user.pk
    event = LoginEvent.objects.get(user=cast.officer_user, kind=LoginEvent.Kind.DEACTIVATED)
    assert event.via == "deactivate_leavers" and "1 April 2025" in event.detail


def test_a_grant_keeps_the_login_on(cast):
    _end_postings(cast.officer, date(2025, 3, 31))
    granted(cast.officer_user, Role.CHIEF_OFFICER, force=cast.norfolk)

    call_command("deactivate_leavers", "--as-of", "2025-06-01", stdout=StringIO())

    assert User.objects.get(pk=cast.officer_user.pk).is_active


def test_an_open_posting_keeps_the_login_on_and_a_dry_run_changes_nothing(cast):
    out = StringIO()
    call_command("deactivate_leavers", "--as-of", "2030-01-01", stdout=out)
    assert User.objects.get(pk=cast.officer_user.pk).is_active
    _end_postings(cast.officer, date(2025, 3, 31))
    out = StringIO()
    call_command("deactivate_leavers", "--as-of", "2025-04-01", "--dry-run", stdout=out)
    assert "would switch off" in out.getvalue()
    assert User.objects.get(pk=cast.officer_user.pk).is_active

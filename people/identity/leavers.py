"""Leavers: a login whose person's last posting has ended, and who holds no grant, is switched
off (DESIGN.md: a person is "in" a unit through the last day of a posting). Run daily by
``manage.py deactivate_leavers``; nothing is deleted."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from people.identity.services import deactivate_login
from people.models import Grant, Person, Posting, funded_through


def leavers_on(day: date):
    """People with an active login, at least one posting, none in force on or after ``day``,
    and no active grant on their login."""
    still_posted = Posting.objects.filter(person=OuterRef("pk")).filter(funded_through(day))
    return (
        Person.objects.filter(user__is_active=True)
        .filter(Exists(Posting.objects.filter(person=OuterRef("pk"))))
        .exclude(Exists(still_posted))
        .exclude(Exists(Grant.objects.active().filter(user=OuterRef("user_id"))))
        .exclude(user__is_superuser=True)
        .select_related("user", "force")
    )


def deactivate_leavers(*, as_of: date, dry_run: bool = False) -> list[Person]:
    """Switches off the logins of ``leavers_on(as_of)``; returns those people."""
    people = list(leavers_on(as_of))
    if not dry_run:
        for person in people:
            deactivate_login(
                user=person.user,
                via="deactivate_leavers",
                reason=f"no posting on or after {as_of:%-d %B %Y} and no grant",
            )
    return people

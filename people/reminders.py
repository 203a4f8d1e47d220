"""Reminders: who must be told today that a requirement expires or falls due, and the daily
digest for coordinators. Rules and costs are in docs/reminders.md.

A reminder is recorded (``Reminder``) in the same transaction that sends it; the unique
constraints on ``Reminder`` make a second send of the same reminder impossible.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from courses.models import Completion, Status
from people.models import Grant, Person, Posting, Reminder, ReminderKind, Role, Unit
from skills.actions.services import ActionReminderItem, action_reminders_due
from skills.coverage import build_unit_report
from skills.coverage.data import DUE
from skills.models.actions import ActionReminder, ActionReminderKind

log = logging.getLogger(__name__)

# Windows, in days before the date a reminder is about (docs/reminders.md). A window rather
# than an exact day means a missed daily run is caught up the next day; the unique constraint
# still sends each reminder once.
EXPIRY_WINDOWS = ((ReminderKind.EXPIRES_IN_30, 1, 30), (ReminderKind.EXPIRES_IN_90, 31, 90))
DUE_WINDOW = (1, 30)


@dataclass(frozen=True)
class Item:
    """One thing to tell one person: a requirement that expires or falls due."""

    person_id: int
    kind: str
    subject_key: str  # "NETWORK-INVESTIGATION L2"
    about_on: date
    text: str
    completion_id: int | None = None
    label: str = ""

    @property
    def headline(self) -> str:
        """A short line for an email subject."""
        if self.kind == ReminderKind.EXPIRES_TODAY:
            return f"{self.label} is no longer held"
        if self.kind == ReminderKind.FALLS_DUE:
            return f"{self.label} falls due on {self.about_on:%-d %B %Y}"
        return f"{self.label} expires on {self.about_on:%-d %B %Y}"


@dataclass
class Outcome:
    """What a run did, for the command to print and tests to check."""

    items: int = 0
    people_emailed: int = 0
    reminders_recorded: int = 0
    without_email: int = 0
    digests: int = 0
    failures: list[str] = field(default_factory=list)
    no_email: set[int] = field(default_factory=set)  # person ids recorded but not emailed
    action_reminders: int = 0
    owners_emailed: int = 0


def _label(line) -> str:
    return f"{line.capability.name}, level {line.level}"


def _completion_for(report, person_id: int, line, expires_on: date) -> int | None:
    """The completion whose expiry ends the holding, from the report's expiring list."""
    for e in report.expiring:
        if e.person.id != person_id or e.expires_on != expires_on:
            continue
        for cl in e.capabilities:
            if cl.capability.code == line.capability.code and cl.level >= line.level:
                return e.completion_id
    return None


def _reports(as_of: date):
    """One engine run per top-level unit: every posting sits under exactly one of them."""
    return [build_unit_report(u, as_of=as_of, horizon=0) for u in Unit.objects.filter(parent=None)]


def items_due(as_of: date) -> list[Item]:
    """Everything to remind people of on ``as_of``: held requirements whose held-until date
    is 1–30 or 31–90 days away, requirements that stopped being held today, and requirements
    due (not held, none pending) whose deadline is 1–30 days away."""
    items: dict[tuple, Item] = {}

    def add(item: Item) -> None:
        items.setdefault((item.person_id, item.kind, item.subject_key, item.about_on), item)

    held_today: set[tuple[int, str, int]] = set()
    for report in _reports(as_of):
        for pl in report.people:
            pid = pl.person.id
            for posting in pl.postings:
                for line in posting.requirements:
                    key = f"{line.capability.code} L{line.level}"
                    if line.is_met:
                        held_today.add((pid, line.capability.code, line.level))
                    if line.is_met and line.held_until:
                        days = (line.held_until - as_of).days
                        for kind, low, high in EXPIRY_WINDOWS:
                            if low <= days <= high:
                                add(
                                    Item(
                                        pid,
                                        kind,
                                        key,
                                        line.held_until,
                                        f"{_label(line)} ({posting.role.name}) is held until "
                                        f"{line.held_until:%-d %B %Y}, in {days} days.",
                                        _completion_for(report, pid, line, line.held_until),
                                        _label(line),
                                    )
                                )
                    elif line.status == DUE:
                        days = (line.deadline - as_of).days
                        if DUE_WINDOW[0] <= days <= DUE_WINDOW[1]:
                            add(
                                Item(
                                    pid,
                                    ReminderKind.FALLS_DUE,
                                    key,
                                    line.deadline,
                                    f"{_label(line)} ({posting.role.name}) falls due on "
                                    f"{line.deadline:%-d %B %Y}, in {days} days.",
                                    label=_label(line),
                                )
                            )
    # Held yesterday until today, and not renewed today: it stopped counting today.
    yesterday = as_of - timedelta(days=1)
    for report in _reports(yesterday):
        for pl in report.people:
            pid = pl.person.id
            for posting in pl.postings:
                for line in posting.requirements:
                    if not (line.is_met and line.held_until == as_of):
                        continue
                    if (pid, line.capability.code, line.level) in held_today:
                        continue
                    add(
                        Item(
                            pid,
                            ReminderKind.EXPIRES_TODAY,
                            f"{line.capability.code} L{line.level}",
                            as_of,
                            f"{_label(line)} ({posting.role.name}) is no longer held from "
                            f"today, {as_of:%-d %B %Y}.",
                            _completion_for(report, pid, line, as_of),
                            _label(line),
                        )
                    )
    return sorted(items.values(), key=lambda i: (i.person_id, i.about_on, i.subject_key))


def _recipient(person: Person) -> str:
    return person.email or (person.user.email if person.user_id else "")


def _base_url() -> str:
    return getattr(settings, "REGISTER_BASE_URL", "").rstrip("/")


def _pathway_url() -> str:
    return _base_url() + "/me/"


def send_reminders(*, as_of: date) -> Outcome:
    """Emails each person their new reminders for ``as_of`` (one email each), then each
    coordinator one digest of their scope. Rerunning on the same day sends nothing new."""
    outcome = Outcome()
    items = items_due(as_of)
    outcome.items = len(items)
    sent_before = set(
        Reminder.objects.filter(
            person_id__in={i.person_id for i in items}, about_on__in={i.about_on for i in items}
        ).values_list("person_id", "kind", "subject_key", "about_on")
    )
    fresh: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if (item.person_id, item.kind, item.subject_key, item.about_on) not in sent_before:
            fresh[item.person_id].append(item)
    people = Person.objects.select_related("user", "force").in_bulk(list(fresh))
    recorded: list[Item] = []
    for pid, person_items in fresh.items():
        person = people[pid]
        if _tell_person(person, person_items, as_of, outcome):
            recorded.extend(person_items)
    _send_digests(recorded, as_of, outcome)
    send_action_reminders(as_of=as_of, outcome=outcome)
    return outcome


def _tell_person(person: Person, person_items: list[Item], as_of: date, outcome: Outcome) -> bool:
    """Records and emails one person's new reminders atomically; False if nothing was done."""
    recipient = _recipient(person)
    count = len(person_items)
    subject = (
        f"Training reminder: {person_items[0].headline}"
        if count == 1
        else f"Training reminders: {count} requirements need your attention"
    )
    body = render_to_string(
        "people/email/reminder.txt",
        {"person": person, "items": person_items, "as_of": as_of, "url": _pathway_url()},
    )
    try:
        with transaction.atomic():
            Reminder.objects.bulk_create(
                Reminder(
                    person=person,
                    kind=i.kind,
                    subject_key=i.subject_key,
                    completion_id=i.completion_id,
                    about_on=i.about_on,
                    sent_on=as_of,
                    recipient=recipient,
                    subject=subject,
                    body=i.text,
                )
                for i in person_items
            )
            if recipient:
                # Sent inside the transaction: a failed send rolls the record back, so the
                # next run tries again.
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        # Another run recorded these first; it sends them.
        return False
    except Exception as error:  # noqa: BLE001 - one bad address must not stop the run
        log.exception("Reminder to person %s failed", person.pk)
        outcome.failures.append(f"{person}: {error}")
        return False
    outcome.reminders_recorded += count
    if recipient:
        outcome.people_emailed += 1
    else:
        outcome.without_email += 1
        outcome.no_email.add(person.pk)
    return True


def _scope_members(grants, person_rows, units_of, children) -> set[int]:
    """People (from ``person_rows``) inside any of these coordinator grants' scopes."""
    unit_ids: set[int] = set()
    stack = [g.unit_id for g in grants if g.unit_id]
    while stack:
        uid = stack.pop()
        if uid not in unit_ids:
            unit_ids.add(uid)
            stack.extend(children.get(uid, ()))
    force_ids = {g.force_id for g in grants if g.force_id}
    region_ids = {g.region_id for g in grants if g.region_id}
    return {
        pid
        for pid, (force_id, region_id) in person_rows.items()
        if force_id in force_ids or region_id in region_ids or units_of.get(pid, set()) & unit_ids
    }


def _send_digests(recorded: list[Item], as_of: date, outcome: Outcome) -> None:
    """One digest per coordinator: the reminders recorded in this run for people in their
    scope, and how many records wait for verification there. A fixed number of queries."""
    grants_of: dict[int, list[Grant]] = defaultdict(list)
    users = {}
    for g in Grant.objects.active().filter(role=Role.COORDINATOR).select_related("user"):
        if g.user.is_active and g.user.email:
            grants_of[g.user_id].append(g)
            users[g.user_id] = g.user
    if not users:
        return
    already = set(
        Reminder.objects.filter(
            kind=ReminderKind.COORDINATOR_DIGEST, about_on=as_of, user_id__in=list(users)
        ).values_list("user_id", flat=True)
    )
    pending = Counter(
        Completion.objects.filter(status=Status.PENDING).values_list("person_id", flat=True)
    )
    wanted = {i.person_id for i in recorded} | set(pending)
    person_rows = {}
    names = {}
    for row in Person.objects.filter(pk__in=wanted).values(
        "pk", "force_id", "force__region_id", "first_name", "last_name", "staff_number", "rank"
    ):
        person_rows[row["pk"]] = (row["force_id"], row["force__region_id"])
        rank = f"{row['rank']} " if row["rank"] else ""
        names[row["pk"]] = f"{rank}{row['staff_number']} {row['first_name']} {row['last_name']}"
    units_of: dict[int, set[int]] = defaultdict(set)
    for pid, uid in Posting.objects.filter(person_id__in=wanted).values_list(
        "person_id", "unit_id"
    ):
        units_of[pid].add(uid)
    children: dict[int, list[int]] = defaultdict(list)
    for uid, parent in Unit.objects.values_list("pk", "parent_id"):
        children[parent].append(uid)

    for user_id, user in users.items():
        if user_id in already:
            continue
        members = _scope_members(grants_of[user_id], person_rows, units_of, children)
        lines = [
            (names[i.person_id], i, i.person_id in outcome.no_email)
            for i in recorded
            if i.person_id in members
        ]
        waiting = sum(n for pid, n in pending.items() if pid in members)
        if not lines and not waiting:
            continue
        lines.sort(key=lambda pair: (pair[0], pair[1].about_on))
        subject = f"Training register digest for {as_of:%-d %B %Y}"
        body = render_to_string(
            "people/email/digest.txt",
            {"user": user, "lines": lines, "waiting": waiting, "as_of": as_of},
        )
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    user=user,
                    kind=ReminderKind.COORDINATOR_DIGEST,
                    about_on=as_of,
                    sent_on=as_of,
                    recipient=user.email,
                    subject=subject,
                    body=f"{len(lines)} reminders, {waiting} awaiting verification",
                )
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except IntegrityError:
            continue
        except Exception as error:  # noqa: BLE001
            log.exception("Digest to user %s failed", user_id)
            outcome.failures.append(f"{user.email}: {error}")
            continue
        outcome.digests += 1


def send_action_reminders(*, as_of: date, outcome: Outcome | None = None) -> Outcome:
    """Emails each inspection action plan's owner, in one email, the actions that fell due
    soon or overdue since they were last told: each (action, kind, due date) once."""
    outcome = outcome or Outcome()
    items = action_reminders_due(as_of)
    sent_before = set(
        ActionReminder.objects.filter(action_id__in={i.action_id for i in items}).values_list(
            "action_id", "kind", "about_on"
        )
    )
    fresh: dict[int, list[ActionReminderItem]] = defaultdict(list)
    for item in items:
        if (item.action_id, item.kind, item.about_on) not in sent_before:
            fresh[item.owner_id].append(item)
    for owner_items in fresh.values():
        _tell_owner(owner_items, as_of, outcome)
    return outcome


def _tell_owner(items: list[ActionReminderItem], as_of: date, outcome: Outcome) -> None:
    """Records and emails one owner's new action reminders atomically."""
    overdue = [i for i in items if i.kind == ActionReminderKind.OVERDUE]
    due_soon = [i for i in items if i.kind == ActionReminderKind.DUE_SOON]
    parts = []
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if due_soon:
        parts.append(f"{len(due_soon)} due soon")
    subject = f"Inspection actions you own: {' and '.join(parts)}"
    recipient = items[0].email
    body = render_to_string(
        "people/email/action_reminder.txt",
        {"overdue": overdue, "due_soon": due_soon, "as_of": as_of, "base_url": _base_url()},
    )
    try:
        with transaction.atomic():
            ActionReminder.objects.bulk_create(
                ActionReminder(
                    action_id=i.action_id,
                    kind=i.kind,
                    about_on=i.about_on,
                    user_id=i.owner_id,
                    recipient=recipient,
                    sent_on=as_of,
                    subject=subject,
                )
                for i in items
            )
            # Sent inside the transaction: a failed send rolls the records back.
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return  # another run recorded these first; it sends them
    except Exception as error:  # noqa: BLE001 - one bad address must not stop the run
        log.exception("Action reminder to %s failed", recipient)
        outcome.failures.append(f"{recipient}: {error}")
        return
    outcome.action_reminders += len(items)
    outcome.owners_emailed += 1

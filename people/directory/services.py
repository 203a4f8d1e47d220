"""The cross-force skills directory (docs/directory.md): consent, search, entries, requests.

Only people who have consented appear, with capabilities as verified by the register on the
day (the coverage engine, in bulk), never self-declared levels. Searches and entry views are
logged; requests for help go to the person's coordinators, never to the person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courses.models import Activity, ActivityCapability, Completion, Status
from people.access import OVERSIGHT_ROLES, roles_of
from people.forms import refuse_control_characters_but_lines, single_line
from people.models import Grant, Person, PersonType, Posting, Role, Unit
from people.models.directory import (
    Availability,
    DirectoryEntryView,
    DirectoryRequest,
    DirectorySearch,
    RequestStatus,
    WorkMode,
)
from skills.coverage.data import Holding
from skills.coverage.engine import Register
from skills.models import Capability

MAX_ID_LIST = 20_000

logger = logging.getLogger(__name__)

# --- who may use it ------------------------------------------------------------------------


def may_search(user) -> bool:
    """Coordinators and leads of any force (and administrators); never officers alone."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_of(user) & OVERSIGHT_ROLES)


def require_searcher(user) -> None:
    if not may_search(user):
        raise PermissionDenied("Only coordinators and leads may use the skills directory.")


def listed_people():
    """Everyone who has consented to appear, and nobody else: every read starts here."""
    return Person.objects.filter(directory_consent=True)


# --- consent -------------------------------------------------------------------------------


@transaction.atomic
def give_consent(*, person: Person, by) -> Person:
    """Publishes the person's entry from today (history records who and why)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.directory_consent:
        return person
    person.directory_consent = True
    person.directory_consent_on = timezone.localdate()
    person._change_reason = "directory consent given"
    person._history_user = by
    person.save(update_fields=["directory_consent", "directory_consent_on"])
    return person


WITHDRAWN_NOTE = "The person withdrew from the directory."


@transaction.atomic
def withdraw_consent(*, person: Person, by) -> Person:
    """Hides the person's entry at once; pending requests for them are declined, each
    recording who withdrew and why (in the row and its history)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.directory_consent:
        return person
    person.directory_consent = False
    person.directory_consent_on = None
    person._change_reason = "directory consent withdrawn"
    person._history_user = by
    person.save(update_fields=["directory_consent", "directory_consent_on"])
    now = timezone.now()
    pending = DirectoryRequest.objects.select_for_update().filter(
        person=person, status=RequestStatus.PENDING
    )
    for req in pending:
        req.status = RequestStatus.DECLINED
        req.decided_by = by
        req.decided_at = now
        req.decision_note = WITHDRAWN_NOTE
        req._history_user = by
        req._change_reason = "declined: the person withdrew from the directory"
        req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return person


@transaction.atomic
def update_entry(
    *,
    person: Person,
    by,
    biography: str,
    hours_a_month: int | None,
    mode: str,
    notice_days: int | None,
) -> None:
    """Saves the person's own biography and availability."""
    if person.skills_biography != biography:
        person.skills_biography = biography
        person._change_reason = "directory biography changed"
        person._history_user = by
        person.save(update_fields=["skills_biography"])
    availability = Availability.objects.filter(person=person).first() or Availability(person=person)
    wanted = {"hours_a_month": hours_a_month, "mode": mode, "notice_days": notice_days}
    if availability.pk and all(getattr(availability, k) == v for k, v in wanted.items()):
        return
    for name, value in wanted.items():
        setattr(availability, name, value)
    availability._history_user = by
    availability._change_reason = "availability changed"
    availability.save()


# --- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilter:
    """What a search asks for; every part optional."""

    capability: Capability | None = None
    level: int = 1
    function: str = ""
    person_type: str = ""
    region_id: int | None = None
    mode: str = ""
    min_hours: int | None = None
    max_notice_days: int | None = None

    def as_log(self) -> dict:
        """The filter as stored in the search log."""
        data = {
            "capability": self.capability.code if self.capability else "",
            "level": self.level if self.capability else None,
            "function": self.function,
            "person_type": self.person_type,
            "region_id": self.region_id,
            "mode": self.mode,
            "min_hours": self.min_hours,
            "max_notice_days": self.max_notice_days,
        }
        return {k: v for k, v in data.items() if v not in ("", None)}


@dataclass(frozen=True)
class DirectoryEntry:
    """One person as the directory shows them: no contact details, holdings as verified."""

    person_id: int
    name: str
    person_type: str
    person_type_label: str
    force: str
    region: str
    holdings: tuple[Holding, ...]
    hours_a_month: int | None
    mode: str
    notice_days: int | None
    biography: str
    consent_on: date | None

    @property
    def availability(self) -> str:
        """Hours, way of working and notice in a few words; "–" when none is given."""
        parts = []
        if self.hours_a_month is not None:
            parts.append(f"{self.hours_a_month} hours a month")
        if self.mode:
            parts.append(self.mode.lower() if parts else self.mode)
        if self.notice_days is not None:
            parts.append(f"{self.notice_days} day{'' if self.notice_days == 1 else 's'}' notice")
        return ", ".join(parts) or "–"


def _evidencing_activity_ids(filters: DirectoryFilter) -> set[int] | None:
    """Activities whose verified completion could make someone match (labs count through
    their collections); None when no capability or function is asked for."""
    if filters.capability is None and not filters.function:
        return None
    links = ActivityCapability.objects.all()
    if filters.capability is not None:
        links = links.filter(capability=filters.capability, level__gte=filters.level)
    if filters.function:
        links = links.filter(capability__function=filters.function)
    ids = set(links.values_list("activity_id", flat=True))
    if ids:
        ids |= set(
            Activity.labs.through.objects.filter(from_activity_id__in=ids).values_list(
                "to_activity_id", flat=True
            )
        )
    return ids


def _candidates(filters: DirectoryFilter, as_of: date):
    people = listed_people()
    if filters.person_type:
        people = people.filter(person_type=filters.person_type)
    if filters.region_id:
        people = people.filter(force__region_id=filters.region_id)
    if filters.mode:
        people = people.filter(availability__mode__in=[filters.mode, WorkMode.EITHER])
    if filters.min_hours is not None:
        people = people.filter(availability__hours_a_month__gte=filters.min_hours)
    if filters.max_notice_days is not None:
        people = people.filter(availability__notice_days__lte=filters.max_notice_days)
    activity_ids = _evidencing_activity_ids(filters)
    if activity_ids is not None:
        # A cheap necessary condition in the database; the engine decides exactly.
        people = people.filter(
            Exists(
                Completion.objects.filter(
                    person=OuterRef("pk"),
                    status=Status.VERIFIED,
                    completed_on__lte=as_of,
                    activity_id__in=activity_ids,
                )
            )
        )
    return people


def _matches(holdings: tuple[Holding, ...], filters: DirectoryFilter) -> bool:
    if filters.capability is not None and not any(
        h.capability.code == filters.capability.code and h.level >= filters.level for h in holdings
    ):
        return False
    return not filters.function or any(h.capability.function == filters.function for h in holdings)


def _entries(people_qs, as_of: date) -> list[DirectoryEntry]:
    """Entries for the given people, holdings computed in bulk (a fixed number of queries)."""
    people = list(
        people_qs.select_related("force", "force__region", "availability").order_by(
            "last_name", "first_name", "pk"
        )
    )
    if not people:
        return []
    ids = [p.pk for p in people]
    # An explicit id list keeps the candidate filter from running twice; very long lists
    # fall back to the subquery (SQLite caps the number of parameters).
    person_filter = (
        Q(person_id__in=ids) if len(ids) <= MAX_ID_LIST else Q(person_id__in=people_qs.values("pk"))
    )
    register = Register(person_filter=person_filter, as_of=as_of, what_if=None)
    labels = dict(PersonType.choices)
    entries = []
    for p in people:
        availability = getattr(p, "availability", None)
        entries.append(
            DirectoryEntry(
                person_id=p.pk,
                name=p.full_name,
                person_type=p.person_type,
                person_type_label=labels.get(p.person_type, p.person_type),
                force=p.force.name,
                region=p.force.region.name,
                holdings=register.holdings_on(p.pk, as_of),
                hours_a_month=availability.hours_a_month if availability else None,
                mode=availability.get_mode_display() if availability else "",
                notice_days=availability.notice_days if availability else None,
                biography=p.skills_biography,
                consent_on=p.directory_consent_on,
            )
        )
    return entries


def search_directory(*, user, filters: DirectoryFilter, as_of: date | None = None):
    """Consenting people matching ``filters`` on ``as_of`` (today). Logs the search."""
    require_searcher(user)
    as_of = as_of or timezone.localdate()
    entries = [
        e for e in _entries(_candidates(filters, as_of), as_of) if _matches(e.holdings, filters)
    ]
    DirectorySearch.objects.create(user=user, filters=filters.as_log(), results=len(entries))
    return entries


def view_entry(
    *,
    user,
    person_id: int,
    filters: DirectoryFilter | None = None,
    as_of: date | None = None,
) -> DirectoryEntry | None:
    """One consenting person's entry (None if not listed). Logs the view, with the search
    filter it was found by when there was one."""
    require_searcher(user)
    as_of = as_of or timezone.localdate()
    found = _entries(listed_people().filter(pk=person_id), as_of)
    if not found:
        return None
    DirectoryEntryView.objects.create(
        person_id=person_id, viewer=user, filters=filters.as_log() if filters else {}
    )
    return found[0]


def own_entry(person: Person, as_of: date | None = None) -> DirectoryEntry:
    """The person's entry as others would see it (whether or not published); not logged."""
    as_of = as_of or timezone.localdate()
    return _entries(Person.objects.filter(pk=person.pk), as_of)[0]


# --- requests for help ---------------------------------------------------------------------


def coordinators_of(person: Person):
    """Users holding an active coordinator grant whose scope covers the person: their force,
    their region, everything, or a unit they were posted to (or a unit containing it)."""
    posted_units = set(Posting.objects.filter(person=person).values_list("unit_id", flat=True))
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    covering = set()
    for unit_id in posted_units:
        while unit_id is not None and unit_id not in covering:
            covering.add(unit_id)
            unit_id = parents.get(unit_id)
    grants = (
        Grant.objects.active()
        .filter(role=Role.COORDINATOR)
        .filter(
            Q(force_id=person.force_id)
            | Q(region_id=person.force.region_id)
            | Q(unit_id__in=covering)
            | Q(force__isnull=True, region__isnull=True, unit__isnull=True)
        )
    )
    from people.models import User

    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("email")


def requests_visible_to(user):
    """Requests this user made, and requests for people they coordinate; nobody else's."""
    if not user.is_authenticated:
        return DirectoryRequest.objects.none()
    return DirectoryRequest.objects.filter(
        Q(requested_by=user) | Q(person__in=Person.objects.coordinated_by(user).values("pk"))
    ).select_related("person", "person__force", "requested_by", "decided_by")


def _base_url() -> str:
    return getattr(settings, "REGISTER_BASE_URL", "").rstrip("/")


def _mail(template: str, subject: str, context: dict, recipients: list[str]) -> None:
    """Renders now (so a broken template rolls the change back) and sends once the change is
    committed; a mail server failure is logged, never turned into an error page after the
    change has been saved. Names reach the subject line flattened to one line."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    body = render_to_string(f"people/email/{template}", context)
    subject = single_line(subject)

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:
            logger.exception(
                "Directory mail %r to %d recipient(s) failed", subject, len(recipients)
            )

    transaction.on_commit(send)


def request_help(*, person_id: int, by, message: str) -> DirectoryRequest:
    """Sends a request for a listed person's help to their coordinators."""
    require_searcher(by)
    message = (message or "").strip()
    if not message:
        raise ValidationError("Say what you need help with")
    refuse_control_characters_but_lines(message)
    with transaction.atomic():
        person = listed_people().select_related("force", "force__region").get(pk=person_id)
        req = DirectoryRequest(person=person, requested_by=by, message=message)
        req._history_user = by
        req._change_reason = "requested"
        req.save()
        coordinators = list(coordinators_of(person))
        # Mail goes out once the request is saved.
        _mail(
            "directory_request.txt",
            f"Directory request for {person.full_name}",
            {
                "request": req,
                "person": person,
                "requester": by,
                "url": _base_url() + reverse("directory:request_detail", args=[req.pk]),
            },
            [u.email for u in coordinators],
        )
    return req


def _check_four_eyes(req: DirectoryRequest, by, override_reason: str) -> str:
    """Nobody accepts their own request, nor a request for their own help; an administrator
    may override with a reason (returned, to be kept in history)."""
    own = req.requested_by_id == by.pk
    about_them = req.person.user_id is not None and req.person.user_id == by.pk
    if not (own or about_them):
        return ""
    override_reason = (override_reason or "").strip()
    if by.is_superuser and override_reason:
        return override_reason
    if own:
        raise ValidationError(
            "You sent this request, so another coordinator of the person must accept it"
        )
    raise ValidationError("This request is for your own help: another coordinator must accept it")


def decide_request(
    *, request_id: int, by, accept: bool, note: str = "", override_reason: str = ""
) -> DirectoryRequest:
    """The person's coordinator accepts or declines; the person and the requester are told.
    Accepting needs a second person (docs/four-eyes.md); declining one's own request is
    always allowed."""
    note = (note or "").strip()
    refuse_control_characters_but_lines(note)
    with transaction.atomic():
        req = (
            DirectoryRequest.objects.select_for_update()
            .select_related("person", "requested_by")
            .filter(person__in=Person.objects.coordinated_by(by).values("pk"))
            .get(pk=request_id)
        )
        if req.status != RequestStatus.PENDING:
            return req
        override = _check_four_eyes(req, by, override_reason) if accept else ""
        req.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
        req.decided_by = by
        req.decided_at = timezone.now()
        req.decision_note = note
        req._history_user = by
        req._change_reason = (
            f"accepted by administrator override: {override}"[:100]
            if override
            else f"{req.status}: {note}"[:100]
            if note
            else req.status
        )
        req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if override:
            logger.warning("Four-eyes override: %s accepted request %s (%s)", by, req.pk, override)
        person = Person.objects.select_related("force", "user").get(pk=req.person_id)
        person_email = person.email or (person.user.email if person.user_id else "")
        subject = f"Directory request {req.get_status_display().lower()}"
        context = {"request": req, "person": person}
        # Separate emails: the requester must never learn the person's address.
        _mail("directory_decision.txt", subject, {**context, "to_person": True}, [person_email])
        _mail("directory_decision.txt", subject, context, [req.requested_by.email])
    return req

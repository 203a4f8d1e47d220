"""Changes to logins: each one atomic and recorded as a LoginEvent with who made it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from people.identity.models import LoginEvent
from people.models import Grant, Unit


def current_actor():
    """The signed-in user of the request being served (HistoryRequestMiddleware), if any."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record_event(*, user, kind: str, by=None, via: str = "", detail: str = "") -> LoginEvent:
    return LoginEvent.objects.create(
        user=user, kind=kind, by=by or current_actor(), via=via, detail=detail[:300]
    )


def login_force_ids(user) -> set[int]:
    """The forces a login belongs to: its person's force, else the forces of its active
    grants (a force grant, or the member forces of a unit grant). Region and national grants
    name no force. A directory only ever signs in logins of its own force."""
    person = getattr(user, "person", None)
    if person is not None:
        return {person.force_id}
    grants = list(Grant.objects.active().filter(user=user).values_list("force_id", "unit_id"))
    forces = {force_id for force_id, _ in grants if force_id}
    unit_ids = {unit_id for _, unit_id in grants if unit_id}
    if unit_ids:
        forces |= set(
            Unit.forces.through.objects.filter(unit_id__in=unit_ids).values_list(
                "force_id", flat=True
            )
        )
    return forces


def end_sessions(user) -> int:
    """Signs ``user`` out everywhere: deletes every session that belongs to them. Costs a scan
    of live sessions (allauth's usersessions index them when installed)."""
    user_id = str(user.pk)
    ended = 0
    try:
        from allauth.usersessions.models import UserSession
    except Exception:  # pragma: no cover - usersessions not installed
        UserSession = None
    if UserSession is not None:
        for session in UserSession.objects.filter(user=user):
            session.end()
            ended += 1
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate_login(*, user, by=None, via: str = "", reason: str = "") -> bool:
    """Switches a login off at once and ends its sessions; every record and its history stay.
    Returns whether anything changed."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user._change_reason = f"deactivated: {reason}" if reason else "deactivated"
    user.save(update_fields=["is_active"])
    end_sessions(user)
    record_event(user=user, kind=LoginEvent.Kind.DEACTIVATED, by=by, via=via, detail=reason)
    return True


@transaction.atomic
def reactivate_login(*, user, by=None, via: str = "", reason: str = "") -> bool:
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return False
    user.is_active = True
    user._change_reason = f"reactivated: {reason}" if reason else "reactivated"
    user.save(update_fields=["is_active"])
    record_event(user=user, kind=LoginEvent.Kind.REACTIVATED, by=by, via=via, detail=reason)
    return True

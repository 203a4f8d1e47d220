"""Changes to logins: each one atomic and recorded as a LoginEvent with who made it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from simple_history.models import HistoricalRecords

from people.identity.models import Directory, DirectoryLink, LoginEvent
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


class Refusal(TextChoices):
    """Why a directory sign-in did not open the register (the page shown says what to do)."""

    NO_ACCESS = "no_access", "No login on the register for this account"
    DISABLED = "disabled", "The login is switched off"
    LINKED_ELSEWHERE = "linked_elsewhere", "The login is linked to another directory account"
    NOT_TRUSTED = "not_trusted", "The directory's answer could not be checked"
    EXPIRED = "expired", "The sign-in took too long or was started elsewhere"


def match_directory_account(*, directory, claims: dict):
    """The login a directory account may open, or why not: ``(user, None)`` or
    ``(None, Refusal)``. Never creates a login. A linked account is found by the directory's
    immutable id; otherwise by verified email, and then only a login of the directory's own
    force. Group and role claims are ignored: grants stay in the register."""
    subject = str(claims.get(directory.subject_claim) or "")
    if not subject:
        return None, Refusal.NOT_TRUSTED
    User = get_user_model()
    link = DirectoryLink.objects.select_related("user").filter(directory=directory, subject=subject)
    user = link[0].user if link else None
    if user is None:
        email = str(claims.get("email") or "").strip().lower()
        verified = claims.get("email_verified") is True or (
            "@" in email and email.rsplit("@", 1)[1] in directory.email_domains()
        )
        if not email or not verified:
            return None, Refusal.NO_ACCESS
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            return None, Refusal.NO_ACCESS
        if DirectoryLink.objects.filter(directory=directory, user=user).exists():
            return None, Refusal.LINKED_ELSEWHERE
    if directory.force_id not in login_force_ids(user):
        return None, Refusal.NO_ACCESS
    if not user.is_active:
        return None, Refusal.DISABLED
    return user, None


@transaction.atomic
def link_directory_account(*, directory, user, subject: str) -> DirectoryLink:
    """Links the login to the directory account on its first sign-in, and notes each one."""
    link, created = DirectoryLink.objects.get_or_create(
        directory=directory, subject=subject, defaults={"user": user}
    )
    DirectoryLink.objects.filter(pk=link.pk).update(last_sign_in_at=timezone.now())
    if created:
        record_event(
            user=user,
            kind=LoginEvent.Kind.SSO_LINKED,
            by=user,
            via=f"sign-in through {directory.name}",
            detail=f"{directory.subject_claim} {subject}",
        )
    return link


def password_login_closed(user) -> bool:
    """Whether the user's force signs in only through its directory."""
    if user.is_superuser:
        return False
    return Directory.objects.filter(
        force_id__in=login_force_ids(user), enabled=True, password_login=False
    ).exists()

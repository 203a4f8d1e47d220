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


def login_email_context(request, *, user, given_by) -> dict:
    """What the "you have been given a login" email says: who gave it, and how to sign in —
    through the force's directory when it has one, and with a set-password link (valid for
    PASSWORD_RESET_TIMEOUT) unless the force has closed password sign-in."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    directory = Directory.objects.filter(force_id__in=login_force_ids(user), enabled=True).first()
    context = {
        "user": user,
        "given_by": given_by,
        "directory": directory,
        "login_url": request.build_absolute_uri(reverse("account_login")),
        "set_password_url": None,
    }
    if not password_login_closed(user):
        key = default_token_generator.make_token(user)
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
        )
        context["set_password_url"] = request.build_absolute_uri(path)
        context["valid_for"] = set_password_link_lifetime()
    return context


def set_password_link_lifetime() -> str:
    from django.conf import settings

    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if hours and hours % 24 == 0:
        return f"{hours // 24} day{'s' if hours > 24 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def force_directory(force_id) -> Directory | None:
    return Directory.objects.filter(force_id=force_id, enabled=True).first()


def send_login_email(request, *, user, given_by) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = login_email_context(request, user=user, given_by=given_by)
    subject = render_to_string("people/email/invite_subject.txt", context).strip()
    body = render_to_string("people/email/invite.txt", context)
    send_mail(subject, body, None, [user.email])

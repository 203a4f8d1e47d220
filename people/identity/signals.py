"""Login events for changes made outside this app: grants, and MFA set up through allauth."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.db.models.signals import post_save
from django.dispatch import receiver

from people.identity.models import LoginEvent
from people.identity.services import record_event
from people.models import Grant


@receiver(post_save, sender=Grant, dispatch_uid="identity_grant_event")
def _grant_saved(sender, instance: Grant, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    if created:
        kind, detail = LoginEvent.Kind.GRANT_ADDED, f"{instance.get_role_display()} of "
    elif instance.revoked_at:
        kind, detail = LoginEvent.Kind.GRANT_CHANGED, f"revoked: {instance.get_role_display()} of "
    else:
        kind, detail = LoginEvent.Kind.GRANT_CHANGED, f"{instance.get_role_display()} of "
    record_event(
        user=instance.user,
        kind=kind,
        by=(instance.granted_by if created else None) or _signed_in_user(),
        detail=detail + instance.scope_label,
    )


def _signed_in_user():
    """Whoever made this change in the request being answered (django-simple-history's
    HistoryRequestMiddleware keeps it), or None outside a request (a job, the shell)."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _described(authenticator) -> str:
    """What the person would call it: "Authenticator app", "Passkey: Work laptop"."""
    from allauth.mfa.models import Authenticator

    if authenticator.type == Authenticator.Type.WEBAUTHN:
        name = (authenticator.data or {}).get("name") or "unnamed"
        return f"Passkey: {name}"[:300]
    return {
        Authenticator.Type.TOTP: "Authenticator app",
        Authenticator.Type.RECOVERY_CODES: "Recovery codes",
    }.get(authenticator.type, authenticator.get_type_display())


def _by(request, user):
    # allauth sends these from the user's own pages; whoever is signed in made the change.
    actor = getattr(request, "user", None)
    return actor if actor is not None and actor.is_authenticated else user


@receiver(authenticator_added, dispatch_uid="identity_mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    record_event(
        user=user,
        kind=LoginEvent.Kind.MFA_ADDED,
        by=_by(request, user),
        detail=_described(authenticator),
    )


@receiver(authenticator_removed, dispatch_uid="identity_mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    record_event(
        user=user,
        kind=LoginEvent.Kind.MFA_REMOVED,
        by=_by(request, user),
        detail=_described(authenticator),
    )

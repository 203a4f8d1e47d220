"""Login events for changes made outside this app: grants, and MFA set up through allauth."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from people.identity.models import LoginEvent
from people.identity.services import record_event
from people.models import Grant, User


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
        by=instance.granted_by if created else None,
        detail=detail + instance.scope_label,
    )


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


@receiver(pre_save, sender=User, dispatch_uid="identity_user_active_before")
def _user_before(sender, instance: User, raw: bool = False, update_fields=None, **kwargs):
    # Whether a save switches the login on or off (e.g. the admin's Active box).
    instance._was_active = None
    if raw or instance._state.adding or (update_fields and "is_active" not in update_fields):
        return
    instance._was_active = (
        User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    )


@receiver(post_save, sender=User, dispatch_uid="identity_user_active_after")
def _user_saved(sender, instance: User, created: bool, raw: bool = False, **kwargs):
    """A login switched on or off other than through services.deactivate_login or
    reactivate_login (which record their own event): kept with who did it, and switching off
    ends its sessions there and then, as deactivate_login does."""
    was = getattr(instance, "_was_active", None)
    if raw or created or was is None or was == instance.is_active:
        return
    if str(getattr(instance, "_change_reason", "")).startswith(("deactivated", "reactivated")):
        return
    from people.identity.services import end_sessions

    if instance.is_active:
        kind = LoginEvent.Kind.REACTIVATED
    else:
        kind = LoginEvent.Kind.DEACTIVATED
        end_sessions(instance)
    # record_event names whoever is signed in (the administrator), as for every event.
    record_event(user=instance, kind=kind, detail="Active box changed")

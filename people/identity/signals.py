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
        by=instance.granted_by if created else None,
        detail=detail + instance.scope_label,
    )


@receiver(authenticator_added, dispatch_uid="identity_mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    record_event(
        user=user, kind=LoginEvent.Kind.MFA_ADDED, by=user, detail=authenticator.get_type_display()
    )


@receiver(authenticator_removed, dispatch_uid="identity_mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    record_event(
        user=user,
        kind=LoginEvent.Kind.MFA_REMOVED,
        by=user,
        detail=authenticator.get_type_display(),
    )

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from people.models import Grant

# ``admin`` in REGISTER_MFA_REQUIRED_ROLES means administrators (superusers and staff).
ADMIN = "admin"


def mfa_roles_required(user) -> set[str]:
    """The roles of ``user`` that REGISTER_MFA_REQUIRED_ROLES says need MFA (empty: none)."""
    roles = set(settings.REGISTER_MFA_REQUIRED_ROLES)
    if not roles or not user.is_authenticated:
        return set()
    held = set(Grant.objects.scope_for(user).roles)
    if user.is_superuser or user.is_staff:
        held.add(ADMIN)
    if hasattr(user, "person"):
        held.add("officer")
    return held & roles


class RequireMFAMiddleware:
    """Sends users holding a role listed in ``REGISTER_MFA_REQUIRED_ROLES`` to set up TOTP
    before anything else (account and MFA pages stay reachable). A sign-in through a force
    directory whose ``amr`` claim showed MFA counts, where that directory is trusted for it
    (people/identity, docs/identity.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REGISTER_MFA_REQUIRED_ROLES
            and user is not None
            and user.is_authenticated
            and not self._exempt(request)
            and mfa_roles_required(user)
            and not self._has_mfa(request, user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _has_mfa(request, user) -> bool:
        from allauth.mfa.models import Authenticator

        if (request.session.get("identity_sso") or {}).get("mfa"):
            return True
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    @staticmethod
    def _exempt(request):
        path = request.path
        return path.startswith(("/accounts/", "/static/")) or path == reverse("healthz")

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


def _allow_directory_forms(response) -> None:
    """Sign-in and sign-out forms post to the register, which redirects to the force's
    directory; the Content-Security-Policy's form-action covers those redirects, so it names
    the enabled directories' origins (django-csp's per-response update)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    from people.identity.models import directory_origins

    origins = directory_origins()
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), *origins]
        response._csp_update = update


class RequireMFAMiddleware:
    """Sends users holding a role listed in ``REGISTER_MFA_REQUIRED_ROLES`` and having neither
    an authenticator app (TOTP) nor a passkey (WebAuthn) to set up TOTP (the page offers a
    passkey instead) before anything else (account and MFA pages stay reachable), and lets
    forms reach the force directories (``_allow_directory_forms``). A sign-in through a force
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
        response = self.get_response(request)
        _allow_directory_forms(response)
        return response

    @staticmethod
    def _has_mfa(request, user) -> bool:
        from allauth.mfa.models import Authenticator

        if (request.session.get("identity_sso") or {}).get("mfa"):
            return True
        # Recovery codes alone are not a second factor: they back up an app or a passkey.
        return Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()

    @staticmethod
    def _exempt(request):
        path = request.path
        return path.startswith(("/accounts/", "/static/")) or path == reverse("healthz")

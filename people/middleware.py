from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from people.models import Grant


class RequireMFAMiddleware:
    """Sends users holding a role listed in ``REGISTER_MFA_REQUIRED_ROLES`` to set up TOTP
    before anything else (account and MFA pages stay reachable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        roles = settings.REGISTER_MFA_REQUIRED_ROLES
        user = getattr(request, "user", None)
        if roles and user is not None and user.is_authenticated and not self._exempt(request):
            from allauth.mfa.models import Authenticator

            needs = user.is_superuser or bool(Grant.objects.scope_for(user).roles & set(roles))
            if "officer" in roles and hasattr(user, "person"):
                needs = True
            if (
                needs
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _exempt(request):
        path = request.path
        return path.startswith(("/accounts/", "/static/")) or path == reverse("healthz")

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts are created by coordinators and administrators. A force
    that signs in through its directory may close password sign-in (people/identity)."""

    def is_open_for_signup(self, request):
        return False

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.account.internal.stagekit import clear_login

        from people.identity.services import password_login_closed

        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "password" and password_login_closed(user):
            clear_login(request)
            return render(request, "identity/use_force_account.html", status=403)
        return None

    def get_login_stages(self):
        stages = super().get_login_stages()
        # A directory sign-in that already proved a second factor (amr), where trusted for it.
        if getattr(self.request, "identity_mfa_by_directory", False):
            stages = [stage for stage in stages if stage != MFA_STAGE]
        return stages

    def is_reauthentication_required(self, *, app, **kwargs):
        """Not again within ACCOUNT_REAUTHENTICATION_TIMEOUT of signing in: a user sent to set
        up TOTP straight after signing in is not asked for the password they just typed. Later,
        get_reauthentication_methods decides how they confirm it is them."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and self.request is not None and self.request.user.is_authenticated:
            import time

            from allauth.account import app_settings
            from allauth.account.internal.flows.login import get_authentication_records

            records = get_authentication_records(self.request, self.request.user)
            first_factor = [r for r in records if r.get("method") in {"password", "socialaccount"}]
            if first_factor and time.time() - first_factor[-1]["at"] < (
                app_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return required

    # allauth's reauthentication steps, in the register's words.
    METHOD_WORDS = {
        "reauthenticate": "Enter your register password",
        "reauthenticate_by_code": "Get a code by email",
        "mfa_reauthenticate": "Enter a code from your authenticator app or a recovery code",
        "mfa_reauthenticate:webauthn": "Use your passkey or security key",
    }

    def get_reauthentication_methods(self, user):
        """How a signed-in user confirms it is them before changing how they sign in. A login
        linked to its force's directory may sign in there again (people/identity); one with no
        register password is offered that first, then its second step, and never a password
        form it cannot use."""
        methods = [
            {**method, "description": self.METHOD_WORDS.get(method["id"], method["description"])}
            for method in super().get_reauthentication_methods(user)
        ]
        if not user.is_authenticated:
            return methods
        from django.urls import reverse

        from people.identity.views import directory_for_reauthentication

        directory = directory_for_reauthentication(user)
        if directory is not None:
            by_directory = {
                "id": "identity_directory",
                "description": f"Sign in again with {directory.name}",
                "url": reverse("identity:reauthenticate"),
            }
            password_first = (
                user.has_usable_password()
                and methods[:1]
                and (methods[0]["id"] == "reauthenticate")
            )
            methods.insert(1 if password_first else 0, by_directory)
        return methods

    def get_logout_redirect_url(self, request):
        """After signing out of the register, out of the force's directory too (RP-initiated
        logout), when the user signed in through it."""
        from people.identity.views import directory_logout_url

        return directory_logout_url(request) or super().get_logout_redirect_url(request)

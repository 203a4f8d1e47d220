"""How django-scim2 finds and scopes the register's SCIM Users (settings SCIM_SERVICE_PROVIDER):
the force's bearer token, the force scope and the base URL. Kept apart from scim.py because
django-scim2 imports these while its own views module loads."""

from __future__ import annotations

from django.http import HttpResponse
from django_scim import constants

from people.identity.models import ScimIdentity, ScimToken

WWW_AUTHENTICATE = 'Bearer realm="cyber-skills-register-scim"'


class BearerTokenAuth:
    """django-scim2's AUTH_CHECK_MIDDLEWARE: the request must carry an active force token;
    the force is then ``request.scim_force``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request, *args, **kwargs):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        row = ScimToken.authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if row is None:
            response = HttpResponse(status=401, content_type=constants.SCIM_CONTENT_TYPE)
            response["WWW-Authenticate"] = WWW_AUTHENTICATE
            return response
        request.scim_token, request.scim_force = row, row.force
        return self.get_response(request, *args, **kwargs)


def scim_model():
    """django-scim2's USER_MODEL_GETTER: SCIM Users are ScimIdentity rows."""
    return ScimIdentity


def base_location(request=None, *args, **kwargs) -> str:
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


def force_scope(model):
    """Extra filter kwargs: the token's force, and identities not deleted through SCIM."""

    def kwargs(request, *args, **kw):
        return {"force_id": request.scim_force.pk, "deprovisioned_at": None}

    return kwargs


def no_exclusions(model):
    return lambda request, *args, **kw: {}

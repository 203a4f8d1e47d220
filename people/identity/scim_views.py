"""SCIM discovery documents (RFC 7643 §5–7, RFC 7644 §4) for the Users the register serves.
django-scim2's own versions omit ``totalResults`` and advertise Groups, which the register does
not take from directories (grants stay in the register)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.urls import reverse
from django_scim import constants
from django_scim import views as scim2_views
from django_scim.views import SCIMView

from people.identity.models import ScimIdentity

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def _json(doc: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(doc), content_type=constants.SCIM_CONTENT_TYPE, status=status)


def _not_found(what: str) -> HttpResponse:
    return _json({"schemas": [ERROR], "status": "404", "detail": f"No {what} here"}, 404)


def _listed(resources: list[dict]) -> HttpResponse:
    return _json(
        {
            "schemas": [LIST],
            "totalResults": len(resources),
            "itemsPerPage": len(resources),
            "startIndex": 1,
            "Resources": resources,
        }
    )


def _attribute(name, kind="string", *, required=False, multi=False, unique="none", sub=None):
    attribute = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "required": required,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": unique,
    }
    if sub:
        attribute["subAttributes"] = sub
    return attribute


def user_schema(request) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER,
        "name": "User",
        "description": "A login to the register",
        "attributes": [
            _attribute("userName", required=True, unique="server"),
            _attribute(
                "name",
                "complex",
                sub=[_attribute("formatted"), _attribute("familyName"), _attribute("givenName")],
            ),
            _attribute("displayName"),
            _attribute("active", "boolean"),
            _attribute(
                "emails",
                "complex",
                multi=True,
                sub=[_attribute("value"), _attribute("type"), _attribute("primary", "boolean")],
            ),
        ],
        "meta": {
            "resourceType": "Schema",
            "location": request.build_absolute_uri(reverse("scim:schemas", args=[USER])),
        },
    }


def user_resource_type(request) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "Logins of the token's force",
        "schema": USER,
        "meta": {
            "resourceType": "ResourceType",
            "location": request.build_absolute_uri(reverse("scim:resource-types", args=["User"])),
        },
    }


class ServiceProviderConfigView(SCIMView):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        return _json(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "documentationUri": None,
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": 200},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "Bearer token",
                        "description": "A token an administrator issues for one force",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": request.build_absolute_uri(reverse("scim:service-provider-config")),
                },
            }
        )


class ResourceTypesView(SCIMView):
    http_method_names = ["get"]

    def get(self, request, uuid=None, *args, **kwargs):
        if uuid is None:
            return _listed([user_resource_type(request)])
        if uuid != "User":
            return _not_found("such resource type")
        return _json(user_resource_type(request))


class SchemasView(SCIMView):
    http_method_names = ["get"]

    def get(self, request, uuid=None, *args, **kwargs):
        if uuid is None:
            return _listed([user_schema(request)])
        if uuid != USER:
            return _not_found("such schema")
        return _json(user_schema(request))


class NotFoundView(SCIMView):
    def dispatch(self, request, *args, **kwargs):
        return _not_found("such endpoint")


class UserSearchView(scim2_views.UserSearchView):
    """POST .search; without a filter, every User of the token's force (RFC 7644 §3.4.3)."""

    def post(self, request, *args, **kwargs):
        body = self.load_body(request.body)
        if body.get("schemas") == [constants.SchemaURI.SERACH_REQUEST] and not body.get("filter"):
            start, count = body.get("startIndex", 1), body.get("count", 50)
            qs = ScimIdentity.objects.select_related("user").filter(
                force_id=request.scim_force.pk, deprovisioned_at=None
            )
            return self._build_response(request, qs.order_by("scim_id"), int(start), int(count))
        return super().post(request, *args, **kwargs)

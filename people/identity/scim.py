"""SCIM 2.0 provisioning (django-scim2) for a force's directory: create, update and switch off
logins of that force, authenticated with the force's bearer token (ScimToken).

Each SCIM User is a ScimIdentity: the login, the force that provisions it, and the directory's
``userName`` and ``externalId``. A token only ever sees its own force's identities. Nothing is
deleted: ``active: false`` switches the login off at once (sessions ended), and DELETE does
the same and hides the identity from SCIM; the login, its person record and history stay.
"""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_scim import constants, exceptions
from django_scim.adapters import SCIMUser

from people.identity.models import LoginEvent, ScimIdentity
from people.identity.services import (
    deactivate_login,
    login_force_ids,
    reactivate_login,
    record_event,
)
from people.models import Person, User


class ScimUser(SCIMUser):
    """A force login as a SCIM User (core schema)."""

    id_field = "scim_id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self.changes: dict = {}

    # --- reading ---
    @property
    def user(self) -> User | None:
        return self.obj.user if self.obj.user_id else None

    def to_dict(self):
        user, identity = self.user, self.obj
        d = {
            "schemas": [constants.SchemaURI.USER],
            "id": self.id,
            "externalId": identity.external_id or None,
            "userName": identity.user_name,
            "displayName": identity.display_name or None,
            "active": user.is_active,
            "meta": {
                "resourceType": "User",
                "created": identity.created_at.isoformat(),
                "lastModified": (identity.updated_at or identity.created_at).isoformat(),
                "location": self.location,
            },
        }
        name = {
            "givenName": user.first_name or None,
            "familyName": user.last_name or None,
            "formatted": identity.name_formatted or None,
        }
        if any(name.values()):
            d["name"] = {k: v for k, v in name.items() if v is not None}
        if identity.emails:
            d["emails"] = identity.emails
        return self._projected({k: v for k, v in d.items() if v is not None})

    def _projected(self, d: dict) -> dict:
        """RFC 7644 §3.4.2.5: ``attributes`` and ``excludedAttributes`` (top level)."""
        request = self._request
        if (
            getattr(self, "_whole", False)
            or request is None
            or request.method not in ("GET", "POST")
        ):
            return d
        source = request.GET
        if request.method == "POST" and request.path.endswith(".search"):
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                body = {}
            source = {k: ",".join(v) if isinstance(v, list) else v for k, v in body.items()}
        always = {"schemas", "id", "meta"}

        def names(key):
            raw = source.get(key) or ""
            return {
                part.strip().rsplit(":", 1)[-1].split(".")[0].lower()
                for part in raw.split(",")
                if part.strip()
            }

        wanted, excluded = names("attributes"), names("excludedAttributes")
        if wanted:
            return {k: v for k, v in d.items() if k in always or k.lower() in wanted}
        if excluded:
            return {k: v for k, v in d.items() if k in always or k.lower() not in excluded}
        return d

    # --- writing ---
    def from_dict(self, d):
        """A full representation (POST, PUT): unset attributes are cleared."""
        name = d.get("name") or {}
        self.changes = {
            "user_name": d.get("userName"),
            "external_id": d.get("externalId") or "",
            "display_name": d.get("displayName") or "",
            "name_formatted": name.get("formatted") or "",
            "emails": self._clean_emails(d.get("emails")),
            "first_name": name.get("givenName") or "",
            "last_name": name.get("familyName") or "",
            "email": self._email_from(d.get("emails"), d.get("userName")),
        }
        if d.get("active") is not None:
            self.changes["active"] = d["active"]

    @staticmethod
    def _clean_emails(emails) -> list:
        if isinstance(emails, dict):
            emails = [emails]
        if not isinstance(emails, list):
            return []
        keep = ("value", "type", "primary", "display")
        return [{k: e[k] for k in keep if k in e} for e in emails if isinstance(e, dict)]

    @staticmethod
    def _email_from(emails, user_name) -> str | None:
        candidates = []
        if isinstance(emails, dict):
            emails = [emails]
        for entry in emails or []:
            if isinstance(entry, dict) and entry.get("value"):
                candidates.append((not entry.get("primary"), str(entry["value"]).strip()))
        candidates.sort()
        if candidates:
            return candidates[0][1]
        return str(user_name).strip() if user_name else None

    def validate_dict(self, d):
        super().validate_dict(d)
        if not isinstance(d.get("userName"), str) or not d["userName"].strip():
            raise exceptions.BadRequestError("userName is required", scim_type="invalidValue")

    def save(self):
        with transaction.atomic():
            self._save()

    def _save(self):
        changes, identity, token = self.changes, self.obj, self.request.scim_token
        force, via = self.request.scim_force, f"SCIM token {token.name}"
        email = (changes.get("email") or "").lower()
        try:
            validate_email(email)
            email_given = True
        except ValidationError:
            # A login needs an address; this one receives nothing and matches no sign-in.
            email, email_given = f"{identity.scim_id}@scim.invalid", False
        taken = ScimIdentity.objects.filter(
            force=force, user_name__iexact=changes["user_name"]
        ).exclude(pk=identity.pk)
        if taken.exists():
            raise exceptions.IntegrityError("userName is already in use")
        others = User.objects.filter(email__iexact=email)
        if identity.pk:
            others = others.exclude(pk=identity.user_id)
        existing = others.first()

        if identity.pk is None:
            if existing is not None:
                # Adopt a login the register already has, but only one of this force.
                if force.pk not in login_force_ids(existing) or hasattr(existing, "scim_identity"):
                    raise exceptions.IntegrityError("a login with this email already exists")
                user = existing
            else:
                user = User.objects.create_user(email=email, password=None)
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
                record_event(user=user, kind=LoginEvent.Kind.CREATED, via=via)
            identity.user, identity.force = user, force
        elif existing is not None:
            raise exceptions.IntegrityError("a login with this email already exists")

        user = identity.user
        user.email = email
        user.first_name, user.last_name = changes["first_name"], changes["last_name"]
        user._change_reason = via
        user.save()
        EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(
            email=email
        )
        identity.user_name = changes["user_name"]
        identity.external_id = changes["external_id"]
        identity.display_name = changes["display_name"]
        identity.name_formatted = changes["name_formatted"]
        identity.emails = changes["emails"]
        identity.email_given = email_given
        identity._change_reason = via
        identity.save()
        person = Person.objects.filter(force=force, email__iexact=email, user=None).first()
        if person is not None and not hasattr(user, "person"):
            person.user = user
            person._change_reason = f"login linked by {via}"
            person.save(update_fields=["user"])
        if changes.get("active") is False:
            deactivate_login(user=user, via=via, reason="switched off by the directory")
        elif changes.get("active") is True:
            reactivate_login(user=user, via=via, reason="switched on by the directory")
        user.refresh_from_db(fields=["is_active"])

    def delete(self):
        """A DELETE switches the login off and hides it from SCIM; nothing is deleted."""
        via = f"SCIM token {self.request.scim_token.name}"
        with transaction.atomic():
            deactivate_login(user=self.obj.user, via=via, reason="deleted by the directory")
            self.obj.deprovisioned_at = timezone.now()
            self.obj._change_reason = via
            self.obj.save(update_fields=["deprovisioned_at"])

    # --- PATCH ---
    def handle_operations(self, operations):
        self._whole = True  # the full resource, whatever the query asked to project
        current = self.to_dict()
        self._whole = False
        for operation in operations:
            op = str(operation.get("op", "")).lower()
            path, value = operation.get("path"), operation.get("value")
            if op not in ("add", "replace", "remove"):
                raise exceptions.BadRequestError(f'Unknown PATCH op "{op}"')
            if op == "remove" and not path:
                raise exceptions.BadRequestError("remove needs a path", scim_type="noTarget")
            if path:
                self._apply(current, path, None if op == "remove" else value)
            elif isinstance(value, dict):
                for key, item in value.items():
                    self._apply(current, key, item)
            else:
                raise exceptions.BadRequestError("PATCH value must be an object without a path")
        if current.get("active") is None:
            current.pop("active", None)  # removing "active" leaves the login as it is
        elif not isinstance(current["active"], bool):
            raise exceptions.BadRequestError('"active" must be true or false')
        self.validate_dict(current)
        self.from_dict(current)
        self.save()

    @staticmethod
    def _apply(current: dict, path: str, value) -> None:
        key = path.rsplit(":", 1)[-1] if path.startswith("urn:") else path
        lowered = key.lower()
        if lowered.startswith("emails"):
            current["emails"] = (
                [{"value": value, "primary": True}] if isinstance(value, str) else value
            )
        elif lowered.startswith("name.") or lowered == "name":
            name = dict(current.get("name") or {})
            if lowered == "name":
                name = dict(value or {})
            else:
                name[key.split(".", 1)[1]] = value
            current["name"] = name
        else:
            field = {
                "active": "active",
                "username": "userName",
                "externalid": "externalId",
                "displayname": "displayName",
            }.get(lowered)
            if field is None:
                raise exceptions.BadRequestError(f'cannot change "{path}"', scim_type="invalidPath")
            if field == "active" and isinstance(value, str):
                value = value.lower() == "true"
            current[field] = value

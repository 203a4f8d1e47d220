"""Logins and how they are reached: each force's directory (an OpenID Connect tenant such as
Entra ID), the directory accounts linked to logins, SCIM bearer tokens, and login events.

History of ``people.User`` is kept here (``register(User, app="people.identity")``, app label
``identity``) so that this app's migrations never collide with the people app's.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords

from people.models import Force, User

# Password hash and last sign-in change on every login; the history is of who changed a login.
register(User, app="people.identity", excluded_fields=["password", "last_login"])


class Directory(models.Model):
    """A force's OpenID Connect directory (for Entra ID, one tenant and one app
    registration). Users of the force may sign in through it; it never creates logins."""

    force = models.OneToOneField(Force, on_delete=models.PROTECT, related_name="directory")
    slug = models.SlugField(
        max_length=40, unique=True, help_text="Part of the redirect URI, e.g. norfolk."
    )
    name = models.CharField(
        max_length=120, help_text='Shown on the sign-in button, e.g. "Norfolk Constabulary".'
    )
    issuer = models.URLField(
        max_length=300,
        help_text="The issuer; its /.well-known/openid-configuration is read. Entra ID: "
        "https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = models.CharField(max_length=200, help_text="Application (client) ID.")
    client_secret = models.CharField(max_length=500, blank=True)
    scopes = models.CharField(max_length=200, default="openid email profile")
    subject_claim = models.CharField(
        max_length=40,
        default="sub",
        help_text='The immutable account id claim: "oid" for Entra ID, "sub" otherwise.',
    )
    verified_email_domains = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated domains the directory owns: emails there count as verified "
        "without an email_verified claim (Entra ID sends none), e.g. norfolk.police.uk.",
    )
    enabled = models.BooleanField(default=True)
    password_login = models.BooleanField(
        default=True,
        help_text="Off: the force's users sign in only through this directory, never with a "
        "register password.",
    )
    amr_counts_as_mfa = models.BooleanField(
        default=False,
        help_text="A sign-in whose amr claim shows multi-factor authentication (mfa, otp, hwk, "
        "swk, fido) satisfies the register's MFA policy without a register TOTP code.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["client_secret"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "directories"

    def __str__(self):
        return f"{self.name} ({self.issuer})"

    def email_domains(self) -> set[str]:
        return {d.strip().lower() for d in self.verified_email_domains.split(",") if d.strip()}


_origins: dict[str, tuple[float, list[str]]] = {}
ORIGINS_SECONDS = 60


def directory_origins() -> list[str]:
    """Scheme and host of every enabled directory, kept for a minute per process (and dropped
    when a directory is saved) so that pages do not each query for them."""
    hit = _origins.get("all")
    if hit and hit[0] > time.monotonic():
        return hit[1]
    origins = sorted(
        {
            f"{parts.scheme}://{parts.netloc}"
            for parts in map(
                urlsplit, Directory.objects.filter(enabled=True).values_list("issuer", flat=True)
            )
            if parts.scheme in ("https", "http") and parts.netloc
        }
    )
    _origins["all"] = (time.monotonic() + ORIGINS_SECONDS, origins)
    return origins


def forget_directory_origins() -> None:
    """Drop the kept origins: the next page reads them again (a directory was saved; tests)."""
    _origins.clear()


@receiver(post_save, sender=Directory, dispatch_uid="identity_directory_origins")
def _directory_saved(**kwargs):
    forget_directory_origins()


class DirectoryLink(models.Model):
    """A login linked to one directory account by the directory's immutable id, made the first
    time that account signs in and matches the login by verified email."""

    directory = models.ForeignKey(Directory, on_delete=models.PROTECT, related_name="links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="directory_links"
    )
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["directory", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["directory", "subject"], name="directory_link_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["directory", "user"], name="directory_link_one_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} ↔ {self.directory.name} {self.subject}"


class ScimTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token a force's directory uses for SCIM provisioning. Only its SHA-256 is kept;
    the token itself is shown once, when an administrator issues it."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="scim_tokens")
    name = models.CharField(max_length=120, help_text='What uses it, e.g. "Entra ID".')
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScimTokenQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "-created_at"]
        verbose_name = "SCIM token"

    def __str__(self):
        state = "revoked" if self.revoked_at else "active"
        return f"{self.force.name}: {self.name} ({self.prefix}…, {state})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, force: Force, name: str, created_by) -> tuple[ScimToken, str]:
        """A new token for ``force``; returns the row and the token, which is never stored."""
        token = "csr_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            force=force,
            name=name,
            prefix=token[:10],
            token_hash=cls.hash(token),
            created_by=created_by,
        )
        return row, token

    @classmethod
    def authenticate(cls, token: str) -> ScimToken | None:
        row = (
            cls.objects.active().select_related("force").filter(token_hash=cls.hash(token)).first()
        )
        if row is not None:
            cls.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        return row

    def revoke(self, *, by) -> None:
        if self.revoked_at is None:
            self.revoked_at, self.revoked_by = timezone.now(), by
            self._change_reason = "revoked"
            self.save(update_fields=["revoked_at", "revoked_by"])


def _new_scim_id() -> str:
    return str(uuid.uuid4())


class ScimIdentity(models.Model):
    """A login that a force's directory provisions over SCIM: the force it belongs to and the
    directory's own id for it. A SCIM DELETE sets ``deprovisioned_at``; nothing is deleted."""

    scim_id = models.CharField(max_length=36, unique=True, default=_new_scim_id, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scim_identity"
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="scim_identities")
    user_name = models.CharField(max_length=255, default="", help_text="The directory's userName.")
    external_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    name_formatted = models.CharField(max_length=255, blank=True)
    emails = models.JSONField(default=list, blank=True, help_text="As the directory sent them.")
    email_given = models.BooleanField(
        default=True,
        help_text="Off: the directory sent no email, so the login has a placeholder address "
        "and cannot be matched by a force sign-in until one is sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "SCIM identity"
        verbose_name_plural = "SCIM identities"
        constraints = [
            models.UniqueConstraint(
                fields=["force", "external_id"],
                condition=~Q(external_id=""),
                name="scim_identity_external_id_unique_in_force",
            ),
            models.UniqueConstraint(
                "force", Lower("user_name"), name="scim_identity_user_name_unique_in_force"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.force.name})"


class LoginEventKind(models.TextChoices):
    CREATED = "created", "Login created"
    SSO_LINKED = "sso_linked", "Linked to a force account"
    MFA_ADDED = "mfa_added", "Multi-factor authentication added"
    MFA_REMOVED = "mfa_removed", "Multi-factor authentication removed"
    DEACTIVATED = "deactivated", "Login switched off"
    REACTIVATED = "reactivated", "Login switched back on"
    UPDATED = "updated", "Login details changed"
    GRANT_ADDED = "grant_added", "Access granted"
    GRANT_CHANGED = "grant_changed", "Access changed"
    SIGNED_OUT = "signed_out", "Signed out everywhere"


class LoginEvent(models.Model):
    """One change to a login, with who made it (``by``; none when a directory did it over
    SCIM, then ``via`` names the token)."""

    Kind = LoginEventKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="login_events"
    )
    kind = models.CharField(max_length=20, choices=LoginEventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(max_length=160, blank=True, help_text='e.g. "SCIM token Entra ID".')
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="login_event_user_at_idx")]

    def __str__(self):
        who = self.by or self.via or "the register"
        return f"{self.at:%d %b %Y %H:%M} {self.get_kind_display()} for {self.user} by {who}"

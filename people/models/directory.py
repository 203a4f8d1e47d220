"""The cross-force skills directory (docs/directory.md): availability, requests for help, and
the logs of who searched and whose entry was viewed. Imported at the end of people/models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

__all__ = [
    "Availability",
    "DirectoryEntryView",
    "DirectoryRequest",
    "DirectorySearch",
    "RequestStatus",
    "WorkMode",
]


class WorkMode(models.TextChoices):
    REMOTE = "remote", "Remote"
    ON_SITE = "on_site", "On site"
    EITHER = "either", "Remote or on site"


class Availability(models.Model):
    """What a person in the directory offers: hours a month, how, and the notice needed."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="availability"
    )
    hours_a_month = models.PositiveSmallIntegerField(null=True, blank=True)
    mode = models.CharField(max_length=10, choices=WorkMode.choices, default=WorkMode.EITHER)
    notice_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days of notice needed before a task."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_a_month__isnull=True) | Q(hours_a_month__lte=744),
                name="availability_hours_in_a_month",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.hours_a_month or '–'} h a month, {self.mode}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class DirectoryRequest(models.Model):
    """A request for a directory person's help. Goes to their coordinator(s), never to them
    directly; only the requester and those coordinators see it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="directory_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField()
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="directory_request_decided",
            ),
        ]

    def __str__(self):
        return f"Request #{self.pk} for person {self.person_id} ({self.status})"


class DirectorySearch(models.Model):
    """One search of the directory: who, when, with which filter, how many results."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(default=dict)
    results = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "directory searches"

    def __str__(self):
        return f"{self.user_id} searched {self.filters} at {self.created_at:%Y-%m-%d %H:%M}"


class DirectoryEntryView(models.Model):
    """One view of a person's directory entry; the person sees these."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="directory_views"
    )
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "created_at"], name="dir_view_person_idx")]

    def __str__(self):
        return f"{self.viewer_id} viewed {self.person_id} at {self.created_at:%Y-%m-%d %H:%M}"

"""Inspection actions tracked to closure (docs/actions.md): per force and expectation an action
plan with an owner, its actions, dated updates and links to the register's own evidence.
Imported at the end of skills/models/__init__.py."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from simple_history.models import HistoricalRecords

__all__ = [
    "Action",
    "ActionEvidenceLink",
    "ActionPlan",
    "ActionReminder",
    "ActionReminderKind",
    "ActionStatus",
    "ActionUpdate",
    "EvidenceKind",
]


class ActionPlan(models.Model):
    """A force's plan for one expectation, with the person (a login) who owns it."""

    force = models.ForeignKey("people.Force", on_delete=models.PROTECT, related_name="action_plans")
    expectation = models.ForeignKey(
        "skills.Expectation", on_delete=models.PROTECT, related_name="action_plans"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_action_plans"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["force__name", "expectation__inspection__published", "expectation__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "expectation"], name="action_plan_one_per_force_expectation"
            ),
        ]

    def __str__(self):
        return f"{self.force.name}: {self.expectation}"

    def get_absolute_url(self):
        return reverse("actions:plan_detail", args=[self.pk])


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    EVIDENCE_SUBMITTED = "evidence_submitted", "Evidence submitted"
    CLOSED = "closed", "Closed"


class Action(models.Model):
    """One step of a plan, due on a date. Overdue once the due date has passed and it is not
    closed (``is_overdue_on``)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    reference = models.CharField(
        max_length=20, help_text='The force\'s own numbering within the plan, e.g. "1" or "A2".'
    )
    title = models.CharField(max_length=300)
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "due_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="action_reference_unique"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="action_closed_dated",
            ),
        ]

    def __str__(self):
        return f"{self.plan} — action {self.reference}"

    def get_absolute_url(self):
        return reverse("actions:action_detail", args=[self.pk])

    def is_overdue_on(self, as_of: date) -> bool:
        """Overdue from the day after the due date (due on D: still in time on D)."""
        return self.status != ActionStatus.CLOSED and as_of > self.due_on


class ActionUpdate(models.Model):
    """A dated note of progress on an action."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    on = models.DateField()
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.action}: {self.on}"


class EvidenceKind(models.TextChoices):
    RESILIENCE_REPORT = "report", "Resilience report"
    COMPLIANCE = "compliance", "Unit compliance figure"
    DEPLOYMENTS = "deployments", "Deployment log"


class ActionEvidenceLink(models.Model):
    """The register's own evidence for an action, stored as data (unit code and date) so that
    it keeps pointing at the same figures: rendered as a link to the unit report as of that
    date."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence_links")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    unit_code = models.CharField(max_length=40)
    as_of = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["as_of", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.unit_code} as of {self.as_of}"

    # Sections of the unit report each kind points at.
    ANCHORS = {"report": "", "compliance": "#summary", "deployments": "#specials"}

    @property
    def url(self) -> str:
        """The unit report as of the stored date, at the section the kind points at."""
        path = reverse("skills:unit_report", args=[self.unit_code])
        query = urlencode({"as_of": self.as_of.isoformat()})
        return f"{path}?{query}{self.ANCHORS.get(self.kind, '')}"


class ActionReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within 14 days"
    OVERDUE = "overdue", "Overdue"


class ActionReminder(models.Model):
    """An email to a plan's owner about one action, sent by ``send_reminders``. The unique
    constraint stops the same reminder going out twice, even when two runs overlap; a new due
    date is a new reminder (docs/reminders.md)."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ActionReminderKind.choices)
    about_on = models.DateField(help_text="The due date it is about.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The plan's owner it went to.",
    )
    recipient = models.EmailField()
    sent_on = models.DateField()
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "about_on"], name="action_reminder_sent_once"
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.get_kind_display()}, {self.action} ({self.sent_on})"

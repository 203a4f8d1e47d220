"""What was done: activities (courses, accreditations, labs, lab collections) and completions
with their evidence and verification."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from courses.evidence import EvidenceStorage
from skills.dates import add_months
from skills.models import Level


class ActivityKind(models.TextChoices):
    COURSE = "course", "Course"
    ACCREDITATION = "accreditation", "Accreditation"
    LAB = "lab", "Lab"
    COLLECTION = "collection", "Lab collection"


class ValidityConfidence(models.TextChoices):
    CHECKED = "checked", "Checked"
    LIKELY = "likely", "Likely"
    UNKNOWN = "unknown", "Unknown"


class ActivityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired=False)


class Activity(models.Model):
    """Something that evidences capability: a course, an accreditation, a lab, or a collection
    of labs that counts once ``threshold`` of its labs are done."""

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    provider = models.CharField(max_length=120)
    title = models.CharField(max_length=240)
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank: never expires."
    )
    validity_confidence = models.CharField(
        max_length=10, choices=ValidityConfidence.choices, blank=True
    )
    labs = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="collections",
        limit_choices_to={"kind": ActivityKind.LAB},
        help_text="For a collection: the labs it groups.",
    )
    threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a collection: how many distinct labs complete it."
    )
    retired = models.BooleanField(default=False, help_text="No longer offered; records stay.")
    prerequisites = models.ManyToManyField(
        "skills.Capability",
        through="ActivityPrerequisite",
        blank=True,
        related_name="prerequisite_of",
        help_text="Capabilities, at a level, a person must hold on the first day.",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["provider", "title"], name="activity_provider_title"),
            models.CheckConstraint(
                condition=(Q(kind="collection") & Q(threshold__gte=1))
                | (~Q(kind="collection") & Q(threshold__isnull=True)),
                name="activity_threshold_for_collections",
            ),
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                name="activity_validity_positive",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.provider})"

    def get_absolute_url(self):
        return reverse("courses:activity_detail", args=[self.code])

    def expiry_after(self, completed_on: date) -> date | None:
        if self.validity_months is None:
            return None
        return add_months(completed_on, self.validity_months)


class ActivityCapability(models.Model):
    """An activity evidences a capability at a level."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidences")
    capability = models.ForeignKey(
        "skills.Capability", on_delete=models.PROTECT, related_name="evidenced_by"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        ordering = ["activity", "capability"]
        verbose_name = "capability evidenced"
        verbose_name_plural = "capabilities evidenced"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "capability"], name="activity_capability_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="activity_capability_level"
            ),
        ]

    def __str__(self):
        return f"{self.activity.code} → {self.capability.code} L{self.level}"


class ActivityPrerequisite(models.Model):
    """A person must hold a capability at a level (or above) on an activity's first day, from
    any activity that evidences it (a practitioner course needs its foundation level)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="prerequisite_levels"
    )
    capability = models.ForeignKey("skills.Capability", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        ordering = ["activity", "capability"]
        verbose_name = "prerequisite"
        verbose_name_plural = "prerequisites"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "capability"], name="activity_prerequisite_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="activity_prerequisite_level"
            ),
        ]

    def __str__(self):
        return f"{self.activity.code} needs {self.capability.code} L{self.level}"


class Source(models.TextChoices):
    RECORDED = "recorded", "Recorded by a coordinator"
    IMPORTED = "imported", "Imported from a file"
    PLATFORM = "platform", "Imported from a platform export"
    SUBMITTED = "submitted", "Submitted by the person"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


def evidence_storage():
    # Outside any web root (MEDIA_ROOT is EVIDENCE_ROOT and MEDIA_URL is never routed); read
    # back only through the access-checked evidence view. No fixed location, so the storage
    # follows settings changes. Files 0600, folders 0700 (courses.evidence.EvidenceStorage).
    return EvidenceStorage()


def evidence_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{date.today():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class CompletionQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Status.VERIFIED)

    def pending(self):
        return self.filter(status=Status.PENDING)

    def visible_to(self, user):
        """Completions of the people this user may see."""
        from people.models import Person

        return self.filter(person__in=Person.objects.visible_to(user))


class Completion(models.Model):
    """A person did an activity on a date. Only verified completions count."""

    Status = Status
    Source = Source

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="completions"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    expires_on = models.DateField(
        null=True, blank=True, help_text="The certificate's own expiry, if it gives one."
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.RECORDED)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.CharField(
        max_length=500, blank=True, help_text="Why it was rejected or withdrawn."
    )
    evidence_file = models.FileField(
        upload_to=evidence_path, storage=evidence_storage, blank=True, max_length=200
    )
    evidence_link = models.URLField(blank=True, max_length=500)
    certificate_number = models.CharField(max_length=80, blank=True)
    points = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = CompletionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("completed_on")),
                name="completion_expiry_after_date",
            ),
            # One live record per person, activity and day: re-imports update, not duplicate.
            models.UniqueConstraint(
                fields=["person", "activity", "completed_on"],
                condition=~Q(status="withdrawn"),
                name="completion_unique_live",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_at__isnull=False),
                name="completion_verified_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="completion_person_status_idx"),
            models.Index(fields=["activity", "completed_on"], name="completion_activity_day_idx"),
            models.Index(fields=["status", "recorded_at"], name="completion_queue_idx"),
        ]

    def __str__(self):
        return f"{self.activity.title} — {self.completed_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("courses:completion_detail", args=[self.pk])

    def expiry(self) -> date | None:
        """DESIGN.md Expiry: own expiry, else date + the activity's validity; None = never.
        Touches ``activity`` (select_related it)."""
        if self.expires_on:
            return self.expires_on
        return self.activity.expiry_after(self.completed_on)

    def is_valid_on(self, day: date) -> bool:
        expiry = self.expiry()
        return self.completed_on <= day and (expiry is None or day < expiry)

    @property
    def counts(self) -> bool:
        return self.status == Status.VERIFIED


class JobKind(models.TextChoices):
    IMPORT_PREVIEW = "import_preview", "Checking an import file"
    IMPORT_APPLY = "import_apply", "Importing a file"
    REMINDERS = "reminders", "Sending reminders"
    REPORT_PDF = "report_pdf", "Drawing a unit report PDF"
    PACK = "pack", "Assembling an inspection pack"
    TREND = "trend", "Working out a trend"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Work that can outlast a web request, run by a background worker (docs/jobs.md): who
    started it, how far it has got, and how it ended. One job per upload and kind, so a
    double-click cannot start the same import twice."""

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        help_text="Blank for scheduled work (the daily reminders).",
    )
    upload = models.CharField(
        max_length=64, blank=True, help_text="The upload's token, for import jobs."
    )
    import_kind = models.CharField(max_length=20, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True, help_text="What the job was asked to do.")
    stage = models.CharField(max_length=80, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True, help_text="What went wrong, in words for the user.")
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the process running it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "kind"],
                condition=~Q(upload=""),
                name="job_one_per_upload_and_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure=""),
                name="job_failure_has_message",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="job_status_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.filename}".strip() + f" ({self.status})"

    def get_absolute_url(self):
        return reverse("courses:job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        """Rows done as a whole percentage of the total, when the total is known."""
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)


class OfferingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Offerings recorded by a force this user has any grant in, or open to a unit or
        force they can see (people.access scope)."""
        from people.models import Force, Unit

        if getattr(user, "is_superuser", False):
            return self
        units = Unit.objects.visible_to(user)
        forces = Force.objects.filter(units__in=units).distinct()
        return self.filter(
            Q(owner_force__in=forces) | Q(open_to_units__in=units) | Q(open_to_forces__in=forces)
        ).distinct()


class Offering(models.Model):
    """A bookable run of an activity: dates, places and cost per place. Open to the units
    and/or forces listed; none listed means the owner force's units only."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="offerings")
    starts_on = models.DateField()
    ends_on = models.DateField()
    places = models.PositiveIntegerField()
    cost_pence = models.PositiveIntegerField(default=0, help_text="Cost per place, in pence.")
    location = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    open_to_units = models.ManyToManyField("people.Unit", blank=True, related_name="offerings")
    open_to_forces = models.ManyToManyField(
        "people.Force", blank=True, related_name="offerings_open"
    )
    owner_force = models.ForeignKey(
        "people.Force", on_delete=models.PROTECT, related_name="offerings_recorded"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled = models.BooleanField(default=False, help_text="No longer running; records stay.")

    objects = OfferingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[open_to_units, open_to_forces])

    class Meta:
        ordering = ["starts_on", "activity"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="offering_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(places__gte=0), name="offering_places_positive"),
            models.CheckConstraint(condition=Q(cost_pence__gte=0), name="offering_cost_positive"),
        ]
        indexes = [models.Index(fields=["starts_on"], name="offering_starts_idx")]

    def __str__(self):
        return f"{self.activity.title}, {self.starts_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("courses:offering_detail", args=[self.pk])


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completion recorded"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_BOOKING = ~Q(status=BookingStatus.CANCELLED)


class BookingQuerySet(models.QuerySet):
    def active(self):
        """Not cancelled: these take a place."""
        return self.filter(ACTIVE_BOOKING)


class Booking(models.Model):
    """A person booked onto an offering. Never deleted: cancelled instead."""

    Status = BookingStatus

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    completion = models.ForeignKey(
        Completion, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    note = models.CharField(max_length=500, blank=True)

    objects = BookingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["offering", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "person"],
                condition=ACTIVE_BOOKING,
                name="booking_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completion__isnull=False),
                name="booking_completed_has_completion",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="booking_person_status_idx")]

    def __str__(self):
        return f"{self.person} on {self.offering}"

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("A booking is never deleted: cancel it instead.", {self})

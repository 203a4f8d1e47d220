"""What is expected: capabilities, inspections and their expectations, role profiles with
their requirements, and unit resilience targets. ``coverage.py`` works out who meets them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from skills.versions import BEGINNING, UNIT_KEY, Versioned, VersionManager


class Level(models.IntegerChoices):
    AWARENESS = 1, "1 awareness"
    PRACTITIONER = 2, "2 practitioner"
    EXPERT = 3, "3 expert"


class Function(models.TextChoices):
    """The 4P model, plus cross-cutting capabilities."""

    PURSUE = "pursue", "Pursue"
    PROTECT = "protect", "Protect"
    PREPARE = "prepare", "Prepare"
    PREVENT = "prevent", "Prevent"
    CORE = "core", "Core (cross-cutting)"


class Inspection(models.Model):
    """A published source of expectations (HMIC/HMICFRS reports, NPCC standards, strategy)."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=240)
    publisher = models.CharField(max_length=120)
    published = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=80, blank=True)
    illustrative = models.BooleanField(
        default=False, help_text="Stands in for content that is not public in detail."
    )

    class Meta:
        ordering = ["published", "code"]

    def __str__(self):
        year = f" {self.published.year}" if self.published else ""
        return f"{self.publisher}{year}: {self.title}"

    @property
    def short_name(self) -> str:
        return f"{self.publisher} {self.published.year}" if self.published else self.publisher


class Expectation(models.Model):
    """One paragraph / recommendation / area for improvement of an inspection, paraphrased."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="expectations"
    )
    reference = models.CharField(max_length=40, help_text='The source\'s own numbering: "5.56".')
    audience = models.CharField(max_length=120, blank=True)
    theme = models.CharField(max_length=80, blank=True)
    text = models.TextField(help_text="Paraphrased in the register's own words.")
    due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["inspection__published", "inspection__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "reference"], name="expectation_reference_unique"
            ),
        ]

    def __str__(self):
        return f"{self.inspection.short_name} {self.reference}"

    @property
    def key(self) -> str:
        """The catalogue's way of naming it: ``HMIC-2015-DIGITAL 5.56``."""
        return f"{self.inspection.code} {self.reference}"


class Capability(models.Model):
    """Something a unit must be able to do, held at levels 1–3."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    function = models.CharField(max_length=12, choices=Function.choices)
    level_1 = models.TextField("level 1 (awareness)", blank=True)
    level_2 = models.TextField("level 2 (practitioner)", blank=True)
    level_3 = models.TextField("level 3 (expert)", blank=True)
    expectations = models.ManyToManyField(Expectation, blank=True, related_name="capabilities")

    class Meta:
        ordering = ["function", "name"]
        verbose_name_plural = "capabilities"

    def __str__(self):
        return self.name

    def level_description(self, level: int) -> str:
        return {1: self.level_1, 2: self.level_2, 3: self.level_3}.get(level, "")


class RoleProfile(models.Model):
    """The requirements of a role, ordered so that they read as a pathway."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    person_types = models.JSONField(
        default=list, blank=True, help_text="Person types the role is meant for."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Requirement(Versioned):
    """One step of a role profile's pathway: capability C at level L, mandatory or
    recommended, to be held within ``grace_months`` of the posting's start — or of
    ``grace_from``, if later (a new requirement gives people already in post their grace).
    One version of its series (role, capability, level): ``skills.versions``."""

    role_profile = models.ForeignKey(
        RoleProfile, on_delete=models.CASCADE, related_name="requirements"
    )
    order = models.PositiveSmallIntegerField()
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    mandatory = models.BooleanField(default=True)
    grace_months = models.PositiveSmallIntegerField(default=0)
    grace_from = models.DateField(
        "grace period counts from",
        default=BEGINNING,
        help_text="The deadline is this date or the posting's start, whichever is later, plus "
        "the grace period: set it to the version's date when people already in post must "
        "newly meet it.",
    )
    expectations = models.ManyToManyField(Expectation, blank=True, related_name="requirements")
    history = HistoricalRecords(m2m_fields=[expectations])

    objects = VersionManager()

    SERIES_FIELDS = ("role_profile_id", "capability_id", "level")

    class Meta:
        ordering = ["role_profile", "order", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["role_profile", "order", "valid_from"], name="requirement_order_unique"
            ),
            models.UniqueConstraint(
                fields=["role_profile", "capability", "level", "valid_from"],
                name="requirement_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="requirement_level_range"
            ),
            models.CheckConstraint(
                condition=Q(grace_from__lte=F("valid_from")),
                name="requirement_grace_from_not_after_valid_from",
            ),
        ]

    def __str__(self):
        kind = "mandatory" if self.mandatory else "recommended"
        text = f"{self.role_profile.code}: {self.capability.code} L{self.level} ({kind})"
        return text if self.valid_from == BEGINNING else f"{text} from {self.valid_from_label}"


class ResilienceTarget(Versioned):
    """At least ``minimum`` people in a unit holding a capability at a level. Set for one unit,
    or for every unit of a kind; a unit's own target replaces its kind's target for the same
    capability and level. One version of its series (unit or kind, capability, level):
    ``skills.versions``."""

    unit = models.ForeignKey(
        "people.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    unit_kind = models.CharField(max_length=40, blank=True)
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    minimum = models.PositiveSmallIntegerField()
    illustrative = models.BooleanField(default=False)
    expectations = models.ManyToManyField(Expectation, blank=True, related_name="targets")
    history = HistoricalRecords(m2m_fields=[expectations])

    objects = VersionManager()

    SERIES_FIELDS = ("unit_key", "unit_kind", "capability_id", "level")
    SERIES_ANNOTATIONS = UNIT_KEY

    class Meta:
        ordering = ["unit_kind", "capability__code", "level", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=True) & ~Q(unit_kind=""))
                | (Q(unit__isnull=False) & Q(unit_kind="")),
                name="target_unit_or_kind",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="target_level_range"
            ),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="target_minimum_positive"),
            models.UniqueConstraint(
                fields=["unit_kind", "capability", "level", "valid_from"],
                condition=Q(unit__isnull=True),
                name="target_kind_version_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "capability", "level", "valid_from"],
                condition=Q(unit__isnull=False),
                name="target_unit_version_unique",
            ),
        ]

    def __str__(self):
        where = self.unit.code if self.unit_id else self.unit_kind
        text = f"{where}: ≥{self.minimum} × {self.capability.code} L{self.level}"
        return text if self.valid_from == BEGINNING else f"{text} from {self.valid_from_label}"

    def series_values(self) -> dict:
        return {
            "unit_key": self.unit_id or 0,
            "unit_kind": self.unit_kind,
            "capability_id": self.capability_id,
            "level": self.level,
        }


from skills.models.actions import *  # noqa: E402,F403

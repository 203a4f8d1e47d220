"""Versions of role profile requirements and resilience targets (DESIGN.md, "Planning ahead").

A requirement or target is a *series* of versions: the rows that share its identity (a role's
capability and level; a unit's, or a kind of unit's, capability and level). Each version has
an effective date ``valid_from``; it stays in force until the next adopted version of the
same series takes effect (its ``valid_until``, worked out, never stored). A version may be a
``draft`` (counted nowhere, except by an impact that adopts it) or ``retired`` (from its date
the series asks for nothing). Rows loaded before versions existed are in force from the
beginning of time, so every figure stays as it was.

The one rule, "in force on D": ``valid_from <= D < valid_until``, adopted, not retired —
``Model.objects.in_force(on=D)``; over a span of days, ``in_force(on=first, until=last)``
returns every version in force on some day of it, and ``version.in_force_on(day)`` picks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# "From the beginning of time": the effective date of every version loaded before versions.
BEGINNING = date(1, 1, 1)


class Stage(models.TextChoices):
    """Where a version stands today (derived from ``draft`` and the dates, never stored)."""

    DRAFT = "draft", "draft"
    SCHEDULED = "scheduled", "scheduled"
    IN_FORCE = "in force", "in force"
    SUPERSEDED = "superseded", "superseded"


@dataclass(frozen=True)
class VersionChoice:
    """Which versions count, for an impact: drafts or scheduled versions taken as adopted, and
    adopted versions left out. Ids of requirement versions and of target versions."""

    adopt_requirements: frozenset[int] = frozenset()
    adopt_targets: frozenset[int] = frozenset()
    drop_requirements: frozenset[int] = frozenset()
    drop_targets: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(
            self.adopt_requirements
            or self.adopt_targets
            or self.drop_requirements
            or self.drop_targets
        )

    def for_model(self, model) -> tuple[frozenset[int], frozenset[int]]:
        """(adopted ids, dropped ids) for ``Requirement`` or ``ResilienceTarget``."""
        if model.__name__ == "Requirement":
            return self.adopt_requirements, self.drop_requirements
        return self.adopt_targets, self.drop_targets


NO_CHOICE = VersionChoice()


class VersionInForce(ValidationError):
    """A version that has been in force is never edited or deleted: a past report may rest on
    it. A new version, from a later date, is made instead."""

    def __init__(self, row):
        super().__init__(
            f"{row} has been in force since {row.valid_from_label}: a version in force is "
            "never changed. Make a new version with a later “in force from” date instead.",
            code="version_in_force",
        )


def today() -> date:
    return timezone.localdate()


class VersionQuerySet(models.QuerySet):
    """Reads of versioned rows. ``choice`` (a ``VersionChoice``) adopts or drops versions."""

    def _adopted(self, choice: VersionChoice | None) -> Q:
        adopt, drop = (choice or NO_CHOICE).for_model(self.model)
        q = Q(draft=False)
        if adopt:
            q |= Q(pk__in=sorted(adopt))
        if drop:
            q &= ~Q(pk__in=sorted(drop))
        return q

    def _series(self):
        """The queryset with the fields that name a series (annotating those that need it)."""
        extra = self.model.SERIES_ANNOTATIONS
        return self.annotate(**extra) if extra else self

    def with_valid_until(self, *, choice: VersionChoice | None = None):
        """Each row with ``valid_until``: the effective date of the next adopted version of its
        series (None: open-ended). One correlated subquery."""
        base = self.model._default_manager.all()
        later = (
            base._series()
            .filter(self._adopted(choice))
            .filter(**{f: OuterRef(f) for f in self.model.SERIES_FIELDS})
            .filter(valid_from__gt=OuterRef("valid_from"))
            .order_by("valid_from")
            .values("valid_from")[:1]
        )
        return self._series().annotate(valid_until=Subquery(later))

    def in_force(self, *, on: date, until: date | None = None, choice: VersionChoice | None = None):
        """Versions in force on ``on`` — or, with ``until``, on some day from ``on`` to
        ``until`` (then ``version.in_force_on(day)`` says which day). DESIGN.md, Versions."""
        last = until or on
        return (
            self.filter(self._adopted(choice))
            .filter(valid_from__lte=last, retired=False)
            .with_valid_until(choice=choice)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        )

    def adopted(self):
        """Versions that count (not drafts), whatever their dates."""
        return self.filter(draft=False)


class Versioned(models.Model):
    """Fields and rules shared by requirement and target versions."""

    valid_from = models.DateField(
        "in force from",
        default=BEGINNING,
        help_text="The first day this version counts; it counts until the next version's date.",
    )
    draft = models.BooleanField(
        default=False, help_text="A draft counts nowhere; its impact can be looked at."
    )
    retired = models.BooleanField(
        default=False, help_text="From this date the requirement or target no longer applies."
    )

    SERIES_FIELDS: tuple[str, ...] = ()
    SERIES_ANNOTATIONS: dict = {}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Refuses to change a version that has counted (``VersionInForce``)."""
        if self.counted_as_stored():
            stored = type(self)._default_manager.get(pk=self.pk)
            fields = kwargs.get("update_fields") or [
                f.attname for f in self._meta.concrete_fields if not f.primary_key
            ]
            if any(getattr(stored, f) != getattr(self, f) for f in fields):
                raise VersionInForce(stored)
        created = self.pk is None
        super().save(*args, **kwargs)
        if created:
            # Its expectations may be set right after it is made (see ``guard_expectations``).
            self._just_created = True

    def delete(self, *args, **kwargs):
        if self.counted_as_stored():
            raise VersionInForce(self)
        return super().delete(*args, **kwargs)

    def in_force_on(self, day: date) -> bool:
        """Whether this version, loaded through ``in_force``, is in force on ``day``."""
        until = getattr(self, "valid_until", None)
        return not self.retired and self.valid_from <= day and (until is None or day < until)

    def stage(self, today: date) -> str:
        """Draft, scheduled, in force or superseded on ``today`` (costs a query for the next
        version)."""
        if self.draft:
            return Stage.DRAFT
        if self.valid_from > today:
            return Stage.SCHEDULED
        later = (
            type(self)
            ._default_manager._series_of(self)
            .filter(draft=False, valid_from__gt=self.valid_from, valid_from__lte=today)
            .exists()
        )
        return Stage.SUPERSEDED if later else Stage.IN_FORCE

    def has_counted(self, today: date) -> bool:
        """Adopted and in effect on or before ``today``: a past report may rest on it, so it is
        never edited (a new version is made instead)."""
        return not self.draft and self.valid_from <= today

    def counted_as_stored(self, on: date | None = None) -> bool:
        """Whether the row as the database holds it has counted (a new row has not)."""
        if self.pk is None:
            return False
        stored = type(self)._default_manager.filter(pk=self.pk).values("draft", "valid_from")
        stored = stored.first()
        return bool(stored) and not stored["draft"] and stored["valid_from"] <= (on or today())

    def series_values(self) -> dict:
        """The values naming this row's series, as ``SERIES_FIELDS`` filters them."""
        return {f: getattr(self, f) for f in self.SERIES_FIELDS}

    @property
    def valid_from_label(self) -> str:
        return "the beginning" if self.valid_from == BEGINNING else self.valid_from.isoformat()


class VersionManager(models.Manager.from_queryset(VersionQuerySet)):
    def _series_of(self, row):
        """Every version of ``row``'s series."""
        return self.get_queryset()._series().filter(**row.series_values())

    def series_of(self, row):
        """Every version of ``row``'s series (drafts included), oldest first."""
        return self._series_of(row).order_by("valid_from", "pk")


def guard_expectations(sender, instance, action, **kwargs):
    """``m2m_changed`` receiver: the expectations a counted version cites are part of it, so
    they change only on the instance just made (connected in ``skills.apps``)."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    fresh = getattr(instance, "_just_created", False)
    if isinstance(instance, Versioned) and not fresh and instance.counted_as_stored():
        raise VersionInForce(instance)


# A unit target's series names the unit; a kind's target has none (0 stands in for it).
UNIT_KEY = {"unit_key": Coalesce("unit_id", Value(0))}

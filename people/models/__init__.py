"""Who is on the register: regions, forces, units, people, postings, funds, grants of access.

Scoping lives here: every read of people or units starts from ``visible_to(user)``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A login. Email is the identifier; what the user may see comes from their Grants and
    their own Person record."""

    username = None
    email = models.EmailField("email address", unique=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class Region(models.Model):
    """A ROCU region (e.g. East Midlands — EMSOU)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Force(models.Model):
    """A police force or law-enforcement agency, in a region."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="forces")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitKind(models.TextChoices):
    # Values match targets.yaml's unit_kind so that kind-wide targets apply by value.
    FORCE_CYBER = "force cyber crime unit", "Force cyber crime unit"
    REGIONAL_CYBER = "regional cyber crime unit", "Regional cyber crime unit"
    DIGITAL_FORENSIC = "digital forensic unit", "Digital forensic unit"
    SPECIALIST_TEAM = "specialist capability team", "Specialist capability team"
    NATIONAL = "national unit", "National unit"
    OTHER = "other", "Other team"


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> UnitQuerySet:
        """Units this user may see: those their grants cover (the one rule,
        ``people.access.covered_unit_ids``), and those they are posted to (any time)."""
        from people.access import covered_unit_ids

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = Grant.objects.scope_for(user)
        if scope.everything:
            return self.all()
        covered = covered_unit_ids(
            unit_ids=scope.unit_ids, force_ids=scope.force_ids, region_ids=scope.region_ids
        )
        posted = Posting.objects.filter(person__user=user).values("unit_id")
        return self.filter(Q(pk__in=covered) | Q(pk__in=posted))

    def descendant_ids(self, unit_ids) -> set[int]:
        """The given units and every unit inside them, at any depth. One query over the unit
        tree (units number in the thousands at most)."""
        wanted = set(unit_ids)
        children: dict[int | None, list[int]] = {}
        for pk, parent in Unit.objects.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        stack = list(wanted)
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in wanted:
                    wanted.add(child)
                    stack.append(child)
        return wanted


class Unit(models.Model):
    """A team that holds capability. May sit inside another unit; a joint unit lists several
    forces; a regional unit belongs to its region."""

    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. NSJCCU.")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=40, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units")
    forces = models.ManyToManyField(
        Force,
        related_name="units",
        blank=True,
        help_text="Member forces. Several for a joint unit; none for a purely regional team.",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("people:unit_detail", args=[self.code])

    @property
    def is_joint(self) -> bool:
        """Costs a query unless ``forces`` was prefetched."""
        return len(self.forces.all()) > 1


class Fund(models.Model):
    """A named, time-limited funding source. Postings without a fund are on the core budget."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    ends_on = models.DateField(help_text="The last funded day.")
    force = models.ForeignKey(
        Force, null=True, blank=True, on_delete=models.PROTECT, related_name="funds"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["ends_on", "name"]

    def __str__(self):
        return f"{self.name} (ends {self.ends_on:%d %b %Y})"


class PersonType(models.TextChoices):
    OFFICER = "officer", "Police officer"
    STAFF = "staff", "Police staff"
    SPECIAL = "special", "Special constable"
    VOLUNTEER = "volunteer", "Volunteer"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> PersonQuerySet:
        """People this user may see: their own record, and everyone in the scope of their
        grants. Unit scopes include units inside the unit; a person is in a unit's scope
        through any posting to it, past or present."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = Grant.objects.scope_for(user)
        if scope.everything:
            return self.all()
        return self.filter(Q(user=user) | self._scope_q(scope))

    def coordinated_by(self, user) -> PersonQuerySet:
        """People whose records this user may change: those in the scope of their
        coordinator grants (never their own record through self-service alone)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = Grant.objects.scope_for(user, roles=[Role.COORDINATOR])
        if scope.everything:
            return self.all()
        return self.filter(self._scope_q(scope))

    @staticmethod
    def _scope_q(scope) -> Q:
        q = Q(pk__in=[])
        if scope.force_ids:
            q |= Q(force_id__in=scope.force_ids)
        if scope.region_ids:
            q |= Q(force__region_id__in=scope.region_ids)
        if scope.unit_ids:
            unit_ids = Unit.objects.descendant_ids(scope.unit_ids)
            q |= Q(pk__in=Posting.objects.filter(unit_id__in=unit_ids).values("person_id"))
        return q

    def in_unit(self, unit: Unit, *, on: date) -> PersonQuerySet:
        """People posted on ``on`` to ``unit`` or a unit inside it (DESIGN.md: "in" a unit)."""
        unit_ids = Unit.objects.descendant_ids([unit.pk])
        return self.filter(
            pk__in=Posting.objects.filter(unit_id__in=unit_ids).current_on(on).values("person_id")
        )


class Person(models.Model):
    """Someone on the register."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="people")
    staff_number = models.CharField(
        max_length=20, help_text="Collar or staff number, unique within the force."
    )
    person_type = models.CharField(max_length=12, choices=PersonType.choices)
    rank = models.CharField(
        max_length=40, blank=True, help_text="e.g. PC, DS, SC; blank for staff."
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    skills_biography = models.TextField(
        blank=True,
        help_text="Specialist skills in the person's own words (never shown as verified).",
    )
    directory_consent = models.BooleanField(
        default=False, help_text="Consents to appear in the cross-force skills directory."
    )
    directory_consent_on = models.DateField(null=True, blank=True)
    monthly_hours_commitment = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hours a month agreed (specials and volunteers)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["force", "staff_number"], name="person_staff_number_unique_in_force"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_email_unique"
            ),
            models.CheckConstraint(
                condition=Q(directory_consent=False) | Q(directory_consent_on__isnull=False),
                name="person_consent_dated",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self):
        prefix = f"{self.rank} " if self.rank else ""
        return f"{prefix}{self.staff_number} {self.full_name} ({self.force.name})"

    def get_absolute_url(self):
        return reverse("people:person_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def last_funded_day(end: date | None, fund_ends_on: date | None) -> date | None:
    """DESIGN.md, in a unit on D: the last day in post is the end date, or the fund's end
    date if earlier (a fund's end date is the last funded day, even if the posting runs on).
    None: open-ended. ``skills.coverage.presence`` reads postings with this rule."""
    days = [d for d in (end, fund_ends_on) if d]
    return min(days) if days else None


def funded_through(day: date, via: str = "") -> Q:
    """In SQL: a posting whose last funded day (``last_funded_day``) is ``day`` or later."""
    return (Q(**{f"{via}end__isnull": True}) | Q(**{f"{via}end__gte": day})) & (
        Q(**{f"{via}fund__isnull": True}) | Q(**{f"{via}fund__ends_on__gte": day})
    )


def in_post_on(day: date, via: str = "") -> Q:
    """The same rule in SQL: a posting with start <= ``day`` <= its last funded day. ``via``
    is the path from the model queried to the posting, e.g. ``"postings__"`` from a unit."""
    return Q(**{f"{via}start__lte": day}) & funded_through(day, via)


class PostingQuerySet(models.QuerySet):
    def current_on(self, day: date) -> PostingQuerySet:
        """Postings in force on ``day``: started, not ended, fund not run out (``in_post_on``)."""
        return self.filter(in_post_on(day))

    def overlapping(self, first: date, last: date) -> PostingQuerySet:
        """Postings that may be in force on some day from ``first`` to ``last``: the loose
        cut the coverage loaders make in SQL before applying the fund's end in Python
        (``skills.coverage.presence``)."""
        return self.filter(Q(start__lte=last), Q(end__isnull=True) | Q(end__gte=first))


class Posting(models.Model):
    """A person in a unit, in a role profile, from ``start`` to an optional ``end`` (the last
    day in post), paid from core budget or a fund."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="postings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="postings")
    role_profile = models.ForeignKey(
        "skills.RoleProfile", on_delete=models.PROTECT, related_name="postings"
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Last day in post; blank if open.")
    fund = models.ForeignKey(
        Fund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
        help_text="Blank for core budget.",
    )
    commitment_hours_per_month = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Hours a month agreed for this posting (specials and volunteers); blank if none.",
    )

    objects = PostingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="posting_end_check"
            ),
            models.CheckConstraint(
                condition=Q(commitment_hours_per_month__isnull=True)
                | Q(commitment_hours_per_month__gt=0),
                name="posting_commitment_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "start"], name="posting_unit_start_idx"),
            models.Index(fields=["person", "start"], name="posting_person_start_idx"),
        ]

    def __str__(self):
        return f"{self.person.full_name} in {self.unit.code} as {self.role_profile.name}"

    def last_day(self) -> date | None:
        """The last day in post: the end date, or the fund's last funded day if earlier.
        Touches ``fund`` (select_related it)."""
        return last_funded_day(self.end, self.fund.ends_on if self.fund_id else None)

    def is_current_on(self, day: date) -> bool:
        last = self.last_day()
        return self.start <= day and (last is None or day <= last)


class DeploymentQuerySet(models.QuerySet):
    def counted(self) -> DeploymentQuerySet:
        """Deployments whose hours count: all but the rejected (a rejection says the hours
        were not worked as recorded; the row stays, with its history)."""
        return self.filter(rejected_at__isnull=True)


class Deployment(models.Model):
    """Hours a person (above all a special or volunteer) was deployed on a task."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deployments")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="deployments"
    )
    deployed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    task = models.CharField(max_length=240)
    capabilities = models.ManyToManyField("skills.Capability", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Supervisor who confirmed the deployment.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A coordinator may reject an unconfirmed deployment instead; the record stays (history).
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Coordinator who rejected the deployment.",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True, db_default="")

    objects = DeploymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deployed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="deployment_hours_in_a_day"
            ),
        ]
        indexes = [models.Index(fields=["person", "deployed_on"], name="deploy_person_day_idx")]

    def __str__(self):
        return f"{self.person.full_name}: {self.hours} h on {self.deployed_on}"


class Role(models.TextChoices):
    OFFICER = "officer", "Officer (own record)"
    COORDINATOR = "coordinator", "Training coordinator"
    CHIEF_OFFICER = "chief_officer", "Chief officer / force lead"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    NATIONAL_LEAD = "national_lead", "National lead"


class Scope:
    """What a user's grants reach, for building ``visible_to`` filters."""

    def __init__(self, grants):
        self.roles = {g.role for g in grants}
        self.everything = any(
            g.unit_id is None and g.force_id is None and g.region_id is None for g in grants
        )
        self.unit_ids = {g.unit_id for g in grants if g.unit_id}
        self.force_ids = {g.force_id for g in grants if g.force_id}
        self.region_ids = {g.region_id for g in grants if g.region_id}


class GrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def scope_for(self, user, roles=None) -> Scope:
        """The union of the user's active grants (optionally of some roles only); one query
        per request whatever the roles asked, the grants cached on the user object."""
        cache = user.__dict__.setdefault("_register_scope_cache", {})
        if "grants" not in cache:
            cache["grants"] = list(self.active().filter(user=user).exclude(role=Role.OFFICER))
        key = tuple(sorted(roles)) if roles else None
        if key not in cache:
            grants = cache["grants"]
            if roles:
                grants = [g for g in grants if g.role in roles]
            cache[key] = Scope(grants)
        return cache[key]


class Grant(models.Model):
    """Gives a user a role over a scope: one unit, one force, one region, or (none set)
    everything."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = GrantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                # At most one of unit, force, region; none means everything, which only a
                # national lead may hold.
                condition=(
                    Q(unit__isnull=True, force__isnull=True)
                    | Q(unit__isnull=True, region__isnull=True)
                    | Q(force__isnull=True, region__isnull=True)
                )
                & (
                    Q(role="national_lead")
                    | Q(unit__isnull=False)
                    | Q(force__isnull=False)
                    | Q(region__isnull=False)
                ),
                name="grant_one_scope",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.unit or self.force or self.region or "everything")


class ReminderKind(models.TextChoices):
    EXPIRES_IN_90 = "expires_in_90", "Expires within 90 days"
    EXPIRES_IN_30 = "expires_in_30", "Expires within 30 days"
    EXPIRES_TODAY = "expires_today", "Expired today"
    FALLS_DUE = "falls_due", "Falls due within 30 days"
    COORDINATOR_DIGEST = "coordinator_digest", "Coordinator digest"


class Reminder(models.Model):
    """An email sent by ``send_reminders``. The unique constraint is what stops the same
    reminder going out twice, even when two runs overlap (docs/reminders.md)."""

    Kind = ReminderKind

    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminders",
        help_text="Whom it is about; blank for a coordinator's digest.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminders",
        help_text="The coordinator a digest went to.",
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    # Plain references so that a reminder outlives changes to the catalogue.
    subject_key = models.CharField(
        max_length=120, blank=True, help_text='What it is about, e.g. "NETWORK-INVESTIGATION L2".'
    )
    completion_id = models.PositiveIntegerField(null=True, blank=True)
    about_on = models.DateField(help_text="The expiry date or deadline it is about.")
    sent_on = models.DateField()
    recipient = models.EmailField(blank=True, help_text="Blank: no email address on record.")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "subject_key", "about_on"],
                condition=Q(person__isnull=False),
                name="reminder_sent_once",
            ),
            models.UniqueConstraint(
                fields=["user", "about_on"],
                condition=Q(kind="coordinator_digest"),
                name="reminder_digest_once_a_day",
            ),
        ]
        indexes = [models.Index(fields=["person", "sent_on"], name="reminder_person_sent_idx")]

    def __str__(self):
        return f"{self.recipient}: {self.subject} ({self.sent_on})"


from people.models.directory import *  # noqa: E402,F403

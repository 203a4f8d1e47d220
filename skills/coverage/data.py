"""The plain data the coverage engine returns: frozen dataclasses, no model instances.

Every figure is defined in DESIGN.md, "What each figure means". Renderers (HTML, PDF, CSV,
XLSX, JSON) read these and never recompute a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from skills.versions import NO_CHOICE, VersionChoice

# Requirement statuses (DESIGN.md, requirement status), in pathway order of concern.
MET = "met"
EXPIRING = "expiring"
PENDING = "pending"
DUE = "due"
MISSING = "missing"
STATUSES = (MET, EXPIRING, PENDING, DUE, MISSING)

# Cause kinds (DESIGN.md, Forecast): why a person stops counting for a target.
CAUSE_POSTING = "posting"
CAUSE_FUND = "fund"
CAUSE_EXPIRY = "expiry"

# Where a (capability, level) is asked for.
ASKED_BY_TARGET = "target"
ASKED_BY_REQUIREMENT = "requirement"


# --- what-if ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCompletion:
    """A planned cohort: these people complete the activity on ``completed_on`` (counted as
    verified, in the what-if only)."""

    activity_code: str
    person_ids: frozenset[int]
    completed_on: date


@dataclass(frozen=True)
class WhatIf:
    """Recompute as if people left, funds ended on other dates, or cohorts completed."""

    without_people: frozenset[int] = frozenset()
    fund_ends: Mapping[str, date] = field(default_factory=dict)
    planned: tuple[PlannedCompletion, ...] = ()
    # Requirement and target versions adopted or left out (an impact, skills/impact/services.py).
    versions: VersionChoice = NO_CHOICE

    def __bool__(self) -> bool:
        return bool(self.without_people or self.fund_ends or self.planned or self.versions)


# --- references ------------------------------------------------------------------------


@dataclass(frozen=True)
class ForceRef:
    code: str
    name: str


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str
    forces: tuple[ForceRef, ...] = ()
    parent_code: str | None = None

    @property
    def is_joint(self) -> bool:
        return len(self.forces) > 1


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    staff_number: str
    force: str  # force name, e.g. "Norfolk Constabulary"
    person_type: str  # PersonType value: officer, staff, special, volunteer
    rank: str = ""
    force_code: str = ""

    @property
    def label(self) -> str:
        """What a coordinator recognises: ``PC 1234 Jane Smith (Norfolk Constabulary)``."""
        parts = [part for part in (self.rank, self.staff_number, self.name) if part]
        return f"{' '.join(parts)} ({self.force})"


@dataclass(frozen=True)
class CapabilityRef:
    code: str
    name: str
    function: str


@dataclass(frozen=True)
class CapabilityLevel:
    capability: CapabilityRef
    level: int

    @property
    def key(self) -> str:
        """``NETWORK-INVESTIGATION L2``: the key used for targets and forecast headcounts."""
        return f"{self.capability.code} L{self.level}"


@dataclass(frozen=True)
class ExpectationRef:
    key: str  # "HMIC-2015-DIGITAL 5.56"
    label: str  # "HMIC 2015 5.56"
    inspection: str  # inspection short name, "HMIC 2015"
    reference: str  # "5.56"


@dataclass(frozen=True)
class ActivityRef:
    code: str
    title: str
    provider: str
    kind: str


@dataclass(frozen=True)
class RoleRef:
    code: str
    name: str


# --- per person ------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """The highest level a person holds a capability at on the as-of date, and until when
    (None: never expires)."""

    capability: CapabilityRef
    level: int
    held_until: date | None


@dataclass(frozen=True)
class RequirementLine:
    """One requirement of a posting's role, with the person's status on the as-of date."""

    order: int
    capability: CapabilityRef
    level: int
    mandatory: bool
    grace_months: int
    status: str  # met | expiring | pending | due | missing
    deadline: date  # posting start + grace months
    held_until: date | None  # when held (met/expiring): None means never expires
    counted: bool  # counts towards unit compliance (mandatory, and held or deadline passed)
    expectations: tuple[ExpectationRef, ...] = ()

    @property
    def is_met(self) -> bool:
        """Met or expiring: the requirement is satisfied on the as-of date."""
        return self.status in (MET, EXPIRING)


@dataclass(frozen=True)
class PostingRequirements:
    """A current posting with its role's requirement lines and pathway progress."""

    posting_id: int
    unit_code: str
    unit_name: str
    role: RoleRef
    start: date
    last_day: date | None
    fund: str | None  # fund name, None for core budget
    requirements: tuple[RequirementLine, ...]
    progress: float | None  # (met + expiring) / mandatory requirements; None if none


@dataclass(frozen=True)
class PersonLine:
    """A person in the unit on the as-of date: their postings there (most recent first),
    holdings and requirement statuses."""

    person: PersonRef
    postings: tuple[PostingRequirements, ...]
    holdings: tuple[Holding, ...]

    @property
    def posting(self) -> PostingRequirements:
        return self.postings[0]

    @property
    def role(self) -> RoleRef:
        return self.postings[0].role

    @property
    def start(self) -> date:
        return self.postings[0].start

    @property
    def last_day(self) -> date | None:
        return self.postings[0].last_day

    @property
    def requirements(self) -> tuple[RequirementLine, ...]:
        return self.postings[0].requirements

    @property
    def progress(self) -> float | None:
        return self.postings[0].progress

    def holding(self, capability_code: str) -> Holding | None:
        return next((h for h in self.holdings if h.capability.code == capability_code), None)


# --- unit figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    """Why a person counted at one forecast point is not counted at the next."""

    on: date  # the event's date: last day in post, fund's last day, or expiry date
    person: PersonRef
    why: str  # "posting ends on 2025-06-30", "fund X ends on ...", "activity A expires on ..."
    kind: str  # posting | fund | expiry
    at: date | None = None  # the forecast month end at which the person is no longer counted


@dataclass(frozen=True)
class TargetLine:
    capability: CapabilityRef
    level: int
    minimum: int
    headcount: int
    shortfall: int
    cliff_date: date | None
    expectations: tuple[ExpectationRef, ...]
    holders: tuple[PersonRef, ...]
    causes: tuple[Cause, ...]
    scope: str = "kind"  # "unit" (the unit's own target) or "kind" (its kind's)
    illustrative: bool = False
    # The minimum in force at each forecast month end (None: the target no longer applies
    # then); equal to ``minimum`` throughout unless a later version takes effect.
    forecast_minimums: tuple[int | None, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.capability.code} L{self.level}"

    @property
    def is_met(self) -> bool:
        return self.shortfall == 0


@dataclass(frozen=True)
class SinglePointOfFailure:
    capability: CapabilityRef
    level: int
    person: PersonRef
    asked_by: tuple[str, ...]  # "target" and/or "requirement"


@dataclass(frozen=True)
class ExpiringLine:
    """A completion that stops being valid in the 90 days after the as-of date. For a
    collection held through its labs, ``completion_id`` is the lab completion whose leaving
    the window ends it."""

    person: PersonRef
    activity: ActivityRef
    completion_id: int | None  # None for a what-if planned completion
    completed_on: date
    expires_on: date
    capabilities: tuple[CapabilityLevel, ...]


@dataclass(frozen=True)
class DependedPair:
    """A (capability, level) from the unit's targets or requirements whose every holder in
    the unit is a special or a volunteer."""

    capability: CapabilityRef
    level: int
    holders: tuple[PersonRef, ...]


@dataclass(frozen=True)
class DeploymentLine:
    person: PersonRef
    hours_12_months: Decimal
    last_deployed_on: date | None  # the latest deployment on or before the as-of date
    monthly_hours_commitment: int | None


@dataclass(frozen=True)
class SpecialsAndVolunteers:
    specials: int
    volunteers: int
    depended_on: tuple[DependedPair, ...]
    hours_deployed_12_months: Decimal
    not_deployed_6_months: tuple[PersonRef, ...]
    people: tuple[DeploymentLine, ...]


@dataclass(frozen=True)
class ForecastPoint:
    month_end: date
    headcounts: dict[str, int]  # target key ("NETWORK-INVESTIGATION L2") -> headcount


@dataclass(frozen=True)
class ExpectationLine:
    key: str
    inspection: str  # short name, "HMIC 2015"
    inspection_title: str
    reference: str
    text: str
    targets_met: int
    targets_total: int
    requirements_met: int
    requirements_total: int


@dataclass(frozen=True)
class Summary:
    people: int
    compliance: float | None  # 0–1; None when no requirement is counted (never 100 %)
    requirements_counted: int
    requirements_met: int  # met or expiring
    targets_total: int
    targets_met: int
    targets_short: int
    single_points_of_failure: int
    expiring: int
    specials: int
    volunteers: int


@dataclass(frozen=True)
class UnitReport:
    unit: UnitRef
    as_of: date
    horizon: int
    summary: Summary
    targets: tuple[TargetLine, ...]
    single_points_of_failure: tuple[SinglePointOfFailure, ...]
    people: tuple[PersonLine, ...]
    expiring: tuple[ExpiringLine, ...]
    specials_and_volunteers: SpecialsAndVolunteers
    forecast: tuple[ForecastPoint, ...]
    expectations: tuple[ExpectationLine, ...]
    what_if: WhatIf | None = None

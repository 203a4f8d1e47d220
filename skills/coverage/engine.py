"""Computes every figure of DESIGN.md "What each figure means" for a unit or a person.

A fixed handful of queries loads the postings, completions, catalogue links, targets,
requirements and deployments; everything else is Python over dicts, so the query count does
not grow with the number of people.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Max, Prefetch, Q, Sum

from courses.models import Activity, ActivityCapability, ActivityKind, Completion, Status
from people.models import Deployment, Fund, Person, PersonType, Posting, Unit
from skills.coverage.data import (
    ASKED_BY_REQUIREMENT,
    ASKED_BY_TARGET,
    CAUSE_EXPIRY,
    CAUSE_FUND,
    CAUSE_POSTING,
    DUE,
    EXPIRING,
    MET,
    MISSING,
    PENDING,
    ActivityRef,
    CapabilityLevel,
    CapabilityRef,
    Cause,
    DependedPair,
    DeploymentLine,
    ExpectationLine,
    ExpectationRef,
    ExpiringLine,
    ForceRef,
    ForecastPoint,
    Holding,
    PersonLine,
    PersonRef,
    PostingRequirements,
    RequirementLine,
    SinglePointOfFailure,
    SpecialsAndVolunteers,
    Summary,
    TargetLine,
    UnitRef,
    UnitReport,
    WhatIf,
)
from skills.coverage.figures import (
    count_once,
    counted_for_compliance,
    grace_deadline,
    points_counted,
    sole_holder,
)
from skills.coverage.holdings import (
    NEVER,
    Holdings,
    Interval,
    add_months,
    completion_expiry,
    containing,
)
from skills.coverage.presence import PostingRecord, days_in_unit, posting_record
from skills.dates import LOOKAHEAD_DAYS, month_ends_after
from skills.models import Expectation, Requirement, ResilienceTarget
from skills.versions import BEGINNING, VersionChoice

MAX_HORIZON = 36
SPECIAL_TYPES = (PersonType.SPECIAL, PersonType.VOLUNTEER)


# --- small internal records ------------------------------------------------------------


class _Comp(NamedTuple):
    id: int | None
    person_id: int
    activity_id: int
    completed_on: date
    expiry: date  # NEVER when it never expires
    status: str


@dataclass
class RequirementRule:
    order: int
    cap_id: int
    capability: CapabilityRef
    level: int
    mandatory: bool
    grace_months: int
    expectations: tuple[ExpectationRef, ...]
    grace_from: date = BEGINNING

    def deadline(self, posting_start: date) -> date:
        """The posting's start (or the version's ``grace_from``, if later) + grace months."""
        return grace_deadline(posting_start, self.grace_from, self.grace_months)


@dataclass
class ExpectationInfo:
    ref: ExpectationRef
    text: str
    inspection_title: str
    sort_key: tuple


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- catalogue ---------------------------------------------------------------------------


class _Catalogue:
    """Activities, what they evidence, and which collections group which labs: only for the
    activities the loaded completions touch (two queries)."""

    def __init__(self, activities: dict[int, Activity]):
        self.activities: dict[int, ActivityRef] = {}
        self.validity: dict[int, int | None] = {}
        self.collections_of_lab: dict[int, list[int]] = defaultdict(list)
        self.threshold: dict[int, int] = {}
        self.evidences: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.capabilities: dict[int, CapabilityRef] = {}
        for act in activities.values():
            self._add(act)
        if not activities:
            return
        links = Activity.labs.through.objects.filter(
            to_activity_id__in=list(activities)
        ).select_related("from_activity")
        for link in links:
            self.collections_of_lab[link.to_activity_id].append(link.from_activity_id)
            self._add(link.from_activity)
        evidences = ActivityCapability.objects.filter(
            activity_id__in=list(self.activities)
        ).select_related("capability")
        for ev in evidences:
            self.evidences[ev.activity_id].append((ev.capability_id, ev.level))
            self.capabilities[ev.capability_id] = _capability_ref(ev.capability)

    def _add(self, act: Activity) -> None:
        self.activities[act.pk] = ActivityRef(
            code=act.code, title=act.title, provider=act.provider, kind=act.kind
        )
        self.validity[act.pk] = act.validity_months
        if act.kind == ActivityKind.COLLECTION:
            self.threshold[act.pk] = act.threshold or 1

    def capability_levels(self, activity_id: int) -> tuple[CapabilityLevel, ...]:
        return tuple(
            CapabilityLevel(self.capabilities[cap_id], level)
            for cap_id, level in sorted(
                self.evidences.get(activity_id, ()),
                key=lambda e: (self.capabilities[e[0]].code, e[1]),
            )
        )


def _capability_ref(cap) -> CapabilityRef:
    return CapabilityRef(code=cap.code, name=cap.name, function=cap.function)


def _person_ref(person: Person) -> PersonRef:
    return PersonRef(
        id=person.pk,
        name=person.full_name,
        staff_number=person.staff_number,
        force=person.force.name,
        person_type=person.person_type,
        rank=person.rank,
        force_code=person.force.code,
    )


def _person_sort_key(person: Person) -> tuple:
    return (person.last_name.lower(), person.first_name.lower(), person.pk)


def _expectation_info(exp: Expectation) -> ExpectationInfo:
    inspection = exp.inspection
    return ExpectationInfo(
        ref=ExpectationRef(
            key=exp.key,
            label=f"{inspection.short_name} {exp.reference}",
            inspection=inspection.short_name,
            reference=exp.reference,
        ),
        text=exp.text,
        inspection_title=inspection.title,
        sort_key=(inspection.published or date.min, inspection.code, exp.pk),
    )


def _expectations_prefetch() -> Prefetch:
    return Prefetch("expectations", queryset=Expectation.objects.select_related("inspection"))


# --- holdings ------------------------------------------------------------------------------


_EMPTY = Holdings((), _Catalogue({}))


_ACTIVITY_FIELDS = ("code", "title", "provider", "kind", "validity_months", "threshold")


class Register:
    """What the register knows about a set of people as of D: their counted completions and
    holdings (now, with pending, and for the forecast), with what-if changes applied."""

    def __init__(self, *, person_filter: Q, as_of: date, what_if: WhatIf | None):
        self.as_of = as_of
        self.what_if = what_if or WhatIf()
        rows = Completion.objects.filter(
            person_filter,
            status__in=[Status.VERIFIED, Status.PENDING],
            completed_on__lte=as_of,
        ).values_list(
            "pk",
            "person_id",
            "activity_id",
            "completed_on",
            "expires_on",
            "status",
            *(f"activity__{f}" for f in _ACTIVITY_FIELDS),
        )
        activities: dict[int, Activity] = {}
        verified: dict[int, list[_Comp]] = defaultdict(list)
        pending: dict[int, list[_Comp]] = defaultdict(list)
        for pk, person_id, activity_id, completed_on, expires_on, status, *act in rows:
            if activity_id not in activities:
                activities[activity_id] = Activity(
                    pk=activity_id, **dict(zip(_ACTIVITY_FIELDS, act, strict=True))
                )
            validity = activities[activity_id].validity_months
            expiry = completion_expiry(completed_on, expires_on, validity)
            comp = _Comp(pk, person_id, activity_id, completed_on, expiry, status)
            (verified if status == Status.VERIFIED else pending)[person_id].append(comp)
        # Planned cohorts count as verified, from their planned date (what-if only).
        planned_now: dict[int, list[_Comp]] = defaultdict(list)
        planned_later: dict[int, list[_Comp]] = defaultdict(list)
        if self.what_if.planned:
            codes = {p.activity_code for p in self.what_if.planned}
            found = {a.code: a for a in Activity.objects.filter(code__in=codes)}
            unknown = sorted(codes - set(found))
            if unknown:
                raise ValueError(f"No activity with code {', '.join(unknown)}.")
            for plan in self.what_if.planned:
                act = found[plan.activity_code]
                activities[act.pk] = act
                validity = act.validity_months
                expiry = completion_expiry(plan.completed_on, None, validity)
                for pid in plan.person_ids:
                    comp = _Comp(None, pid, act.pk, plan.completed_on, expiry, Status.VERIFIED)
                    (planned_now if plan.completed_on <= as_of else planned_later)[pid].append(comp)
        self.catalogue = _Catalogue(activities)
        self._verified = verified
        self._pending = pending
        self._planned_now = planned_now
        self._planned_later = planned_later
        self._now: dict[int, Holdings] = {}
        self._with_pending: dict[int, Holdings] = {}
        self._forecast: dict[int, Holdings] = {}

    def counted(self, person_id: int) -> list[_Comp]:
        """Completions that count on D: verified (or planned) and dated on or before D."""
        return self._verified.get(person_id, []) + self._planned_now.get(person_id, [])

    def now(self, person_id: int) -> Holdings:
        if person_id not in self._now:
            comps = self.counted(person_id)
            self._now[person_id] = Holdings(comps, self.catalogue) if comps else _EMPTY
        return self._now[person_id]

    def with_pending(self, person_id: int) -> Holdings:
        """Holdings if every pending completion dated on or before D were verified."""
        if person_id not in self._pending:
            return self.now(person_id)
        if person_id not in self._with_pending:
            comps = self.counted(person_id) + self._pending[person_id]
            self._with_pending[person_id] = Holdings(comps, self.catalogue)
        return self._with_pending[person_id]

    def forecast(self, person_id: int) -> Holdings:
        """Holdings for the forecast: no new training, except planned what-if cohorts."""
        if person_id not in self._planned_later:
            return self.now(person_id)
        if person_id not in self._forecast:
            comps = self.counted(person_id) + self._planned_later[person_id]
            self._forecast[person_id] = Holdings(comps, self.catalogue)
        return self._forecast[person_id]

    def holdings_on(self, person_id: int, day: date) -> tuple[Holding, ...]:
        best = self.now(person_id).best_on(day)
        caps = self.catalogue.capabilities
        return tuple(
            Holding(caps[cap_id], level, None if until == NEVER else until)
            for cap_id, (level, until) in sorted(best.items(), key=lambda i: caps[i[0]].code)
        )

    def requirement_line(
        self, person_id: int, req: RequirementRule, posting_start: date
    ) -> RequirementLine:
        """DESIGN.md, requirement status."""
        day = self.as_of
        deadline = req.deadline(posting_start)
        held = self.now(person_id).held_on(req.cap_id, req.level, day)
        held_until = None
        if held:
            # Met when still held 90 days on, counting only completions dated on or before D.
            lookahead = day + timedelta(days=LOOKAHEAD_DAYS)
            status = MET if held.end > lookahead else EXPIRING
            held_until = None if held.end == NEVER else held.end
        elif self.with_pending(person_id).held_on(req.cap_id, req.level, day):
            status = PENDING
        elif day < deadline:
            status = DUE
        else:
            status = MISSING
        return RequirementLine(
            order=req.order,
            capability=req.capability,
            level=req.level,
            mandatory=req.mandatory,
            grace_months=req.grace_months,
            status=status,
            deadline=deadline,
            held_until=held_until,
            counted=counted_for_compliance(req.mandatory, held is not None, day, deadline),
            expectations=req.expectations,
        )

    def posting_requirements(
        self, posting: PostingRecord, reqs: list[RequirementRule]
    ) -> PostingRequirements:
        lines = tuple(self.requirement_line(posting.person_id, r, posting.start) for r in reqs)
        mandatory = [line for line in lines if line.mandatory]
        progress = (
            sum(1 for line in mandatory if line.is_met) / len(mandatory) if mandatory else None
        )
        return PostingRequirements(
            posting_id=posting.id,
            unit_code=posting.unit_code,
            unit_name=posting.unit_name,
            role=posting.role,
            start=posting.start,
            last_day=posting.last_day,
            fund=posting.fund_name,
            requirements=lines,
            progress=progress,
        )


# --- loading -------------------------------------------------------------------------------


def _check_funds(what_if: WhatIf) -> None:
    if not what_if.fund_ends:
        return
    codes = set(what_if.fund_ends)
    unknown = sorted(
        codes - set(Fund.objects.filter(code__in=codes).values_list("code", flat=True))
    )
    if unknown:
        raise ValueError(f"No fund with code {', '.join(unknown)}.")


def _load_requirements(
    role_ids: Iterable[int],
    expectations: dict[str, ExpectationInfo],
    *,
    on: date,
    choice: VersionChoice | None = None,
) -> dict[int, list[RequirementRule]]:
    """Requirements of the given roles in force on ``on``, in pathway order (two queries)."""
    role_ids = sorted(set(role_ids))
    if not role_ids:
        return defaultdict(list)
    return requirements_by_role(requirement_versions(role_ids, on, on, choice), expectations, on)


def requirement_versions(
    role_ids, first: date, last: date, choice: VersionChoice | None = None
) -> list[Requirement]:
    """Versions of the roles' requirements in force on some day from ``first`` to ``last``."""
    return list(
        Requirement.objects.in_force(on=first, until=last, choice=choice)
        .filter(role_profile_id__in=sorted(set(role_ids)))
        .select_related("capability")
        .prefetch_related(_expectations_prefetch())
        .order_by("role_profile_id", "order", "capability__code", "level")
    )


def requirements_by_role(
    versions: Iterable[Requirement], expectations: dict[str, ExpectationInfo], day: date
) -> dict[int, list[RequirementRule]]:
    """Role id -> the requirements in force on ``day`` among ``versions`` (loaded through
    ``Requirement.objects.in_force``), in pathway order."""
    out: dict[int, list[RequirementRule]] = defaultdict(list)
    for r in versions:
        if not r.in_force_on(day):
            continue
        refs = []
        for exp in sorted(r.expectations.all(), key=lambda e: e.pk):
            info = expectations.setdefault(exp.key, _expectation_info(exp))
            refs.append(info.ref)
        out[r.role_profile_id].append(
            RequirementRule(
                order=r.order,
                cap_id=r.capability_id,
                capability=_capability_ref(r.capability),
                level=r.level,
                mandatory=r.mandatory,
                grace_months=r.grace_months,
                expectations=tuple(refs),
                grace_from=r.grace_from,
            )
        )
    return out


@dataclass
class TargetRule:
    cap_id: int
    capability: CapabilityRef
    level: int
    minimum: int
    scope: str
    illustrative: bool
    expectations: tuple[ExpectationRef, ...]
    # The minimum in force at each forecast month end (None: no target then); empty when
    # the forecast was not asked for.
    minimums: tuple[int | None, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.capability.code} L{self.level}"

    def minimum_at(self, i: int) -> int | None:
        """The minimum in force at forecast month end ``i``."""
        return self.minimums[i] if self.minimums else self.minimum

    def cliff(self, month_ends: list[date], counts: list[int]) -> date | None:
        """The first month end at which the headcount is below the minimum in force then."""
        for i, (day, n) in enumerate(zip(month_ends, counts, strict=True)):
            minimum = self.minimum_at(i)
            if minimum is not None and n < minimum:
                return day
        return None


def target_versions(
    unit_ids, kinds, first: date, last: date, choice: VersionChoice | None = None
) -> list[ResilienceTarget]:
    """Versions of the units' own targets and their kinds' targets in force on some day from
    ``first`` to ``last`` (two queries)."""
    return list(
        ResilienceTarget.objects.in_force(on=first, until=last, choice=choice)
        .filter(Q(unit_id__in=sorted(unit_ids)) | Q(unit__isnull=True, unit_kind__in=sorted(kinds)))
        .select_related("capability")
        .prefetch_related(_expectations_prefetch())
        .order_by("pk")
    )


def targets_on(
    versions: Iterable[ResilienceTarget], unit_pk: int, kind: str, day: date
) -> dict[tuple[int, int], ResilienceTarget]:
    """(capability id, level) -> the unit's target version in force on ``day`` among
    ``versions``: its own replaces its kind's for the same capability and level."""
    chosen: dict[tuple[int, int], ResilienceTarget] = {}
    for t in versions:
        if (t.unit_id == unit_pk or (t.unit_id is None and t.unit_kind == kind)) and t.in_force_on(
            day
        ):
            key = (t.capability_id, t.level)
            if t.unit_id or key not in chosen:
                chosen[key] = t
    return chosen


def unit_targets(
    versions: Iterable[ResilienceTarget],
    unit_pk: int,
    kind: str,
    expectations: dict[str, ExpectationInfo],
    *,
    as_of: date,
    month_ends: list[date] | None,
) -> list[TargetRule]:
    """The unit's targets in force on ``as_of``, each with the minimum in force at every
    forecast month end (DESIGN.md: the forecast uses the versions in force then)."""
    versions = list(versions)
    now = targets_on(versions, unit_pk, kind, as_of)
    later = [targets_on(versions, unit_pk, kind, day) for day in month_ends or ()]
    out = []
    for key, t in now.items():
        minimums = tuple(v[key].minimum if key in v else None for v in later)
        out.append(_target_record(t, expectations, minimums))
    out.sort(key=lambda t: (t.capability.code, t.level))
    return out


def _load_targets(
    unit: Unit,
    expectations: dict[str, ExpectationInfo],
    *,
    as_of: date,
    month_ends: list[date],
    choice: VersionChoice | None = None,
) -> list[TargetRule]:
    """The unit's own targets plus its kind's, in force on ``as_of`` (two queries)."""
    last = month_ends[-1] if month_ends else as_of
    versions = target_versions([unit.pk], [unit.kind], as_of, last, choice)
    return unit_targets(
        versions, unit.pk, unit.kind, expectations, as_of=as_of, month_ends=month_ends
    )


def _target_record(
    t, expectations: dict[str, ExpectationInfo], minimums: tuple[int | None, ...] = ()
) -> TargetRule:
    """A ResilienceTarget (expectations prefetched) as the engine's record; ``expectations``
    collects the expectations it cites."""
    refs = []
    for exp in sorted(t.expectations.all(), key=lambda e: e.pk):
        refs.append(expectations.setdefault(exp.key, _expectation_info(exp)).ref)
    return TargetRule(
        cap_id=t.capability_id,
        capability=_capability_ref(t.capability),
        level=t.level,
        minimum=t.minimum,
        scope="unit" if t.unit_id else "kind",
        illustrative=t.illustrative,
        expectations=tuple(refs),
        minimums=minimums,
    )


def _unit_ref(unit: Unit) -> UnitRef:
    forces = tuple(
        ForceRef(f.code, f.name) for f in sorted(unit.forces.all(), key=lambda f: f.name)
    )
    return UnitRef(
        id=unit.pk,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        forces=forces,
        parent_code=unit.parent.code if unit.parent_id else None,
    )


# --- the unit report -------------------------------------------------------------------------


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector. A large unit allocates millions of small
    objects, none of them cyclic garbage; full collections over them took two thirds of the
    time at 40,000 people (docs/benchmarks.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_unit_report(
    unit: Unit, *, as_of: date, horizon: int = 12, what_if: WhatIf | None = None
) -> UnitReport:
    """Every figure of DESIGN.md for ``unit`` as of ``as_of``, with a forecast over
    ``horizon`` month ends. A what-if changes the inputs in memory only; nothing is written."""
    with cyclic_gc_paused():
        return _build_unit_report(unit, as_of=as_of, horizon=horizon, what_if=what_if)


def _build_unit_report(
    unit: Unit, *, as_of: date, horizon: int, what_if: WhatIf | None
) -> UnitReport:
    if not 0 <= horizon <= MAX_HORIZON:
        raise ValueError(f"The horizon must be between 0 and {MAX_HORIZON} months.")
    what_if = what_if or WhatIf()
    _check_funds(what_if)
    month_ends = month_ends_after(as_of, horizon)
    until = month_ends[-1] if month_ends else as_of
    unit_ref = _unit_ref(unit)
    unit_ids = sorted(Unit.objects.descendant_ids([unit.pk]))

    # Postings that may be current on some day from D to the last forecast point; a fund's
    # end (perhaps moved by the what-if) is applied in Python.
    postings_qs = Posting.objects.filter(unit_id__in=unit_ids).overlapping(as_of, until)
    people: dict[int, Person] = {}
    postings_of: dict[int, list[PostingRecord]] = defaultdict(list)
    fund_ends = dict(what_if.fund_ends)
    for p in postings_qs.select_related("person__force", "role_profile", "fund", "unit"):
        if p.person_id in what_if.without_people:
            continue
        people[p.person_id] = p.person
        postings_of[p.person_id].append(posting_record(p, fund_ends))
    for records in postings_of.values():
        records.sort(key=lambda r: (r.start, r.id), reverse=True)

    register = Register(
        person_filter=Q(person_id__in=postings_qs.values("person_id")),
        as_of=as_of,
        what_if=what_if,
    )
    refs = {pid: _person_ref(person) for pid, person in people.items()}

    def in_unit(pid: int, day: date) -> list[PostingRecord]:
        return [r for r in postings_of[pid] if r.current_on(day)]

    current = {pid: in_unit(pid, as_of) for pid in people}
    current = {pid: recs for pid, recs in current.items() if recs}
    in_unit_now = sorted(current, key=lambda pid: _person_sort_key(people[pid]))

    expectations: dict[str, ExpectationInfo] = {}
    choice = what_if.versions
    targets = _load_targets(unit, expectations, as_of=as_of, month_ends=month_ends, choice=choice)
    role_ids = {r.role_id for recs in current.values() for r in recs}
    requirements = _load_requirements(role_ids, expectations, on=as_of, choice=choice)

    # People lines, requirement statuses and compliance.
    person_lines: list[PersonLine] = []
    counted_lines: list[RequirementLine] = []
    for pid in in_unit_now:
        posting_lines = tuple(
            register.posting_requirements(rec, requirements.get(rec.role_id, []))
            for rec in current[pid]
        )
        counted_lines.extend(
            count_once(
                ((line.capability.code, line.level), line)
                for pr in posting_lines
                for line in pr.requirements
                if line.counted
            )
        )
        person_lines.append(
            PersonLine(
                person=refs[pid],
                postings=posting_lines,
                holdings=register.holdings_on(pid, as_of),
            )
        )
    requirements_met = sum(1 for line in counted_lines if line.is_met)
    compliance = requirements_met / len(counted_lines) if counted_lines else None

    # (capability, level) pairs asked for, and who holds each on D.
    asked: dict[tuple[int, int], set[str]] = defaultdict(set)
    asked_any: dict[tuple[int, int], CapabilityRef] = {}
    cap_refs: dict[int, CapabilityRef] = {}
    for t in targets:
        asked[(t.cap_id, t.level)].add(ASKED_BY_TARGET)
        asked_any[(t.cap_id, t.level)] = t.capability
        cap_refs[t.cap_id] = t.capability
    for role_id in role_ids:
        for r in requirements.get(role_id, []):
            cap_refs[r.cap_id] = r.capability
            asked_any[(r.cap_id, r.level)] = r.capability
            if r.mandatory:
                asked[(r.cap_id, r.level)].add(ASKED_BY_REQUIREMENT)

    holders_cache: dict[tuple[int, int], list[int]] = {}

    def holders_on_d(cap_id: int, level: int) -> list[int]:
        key = (cap_id, level)
        if key not in holders_cache:
            holders_cache[key] = [
                pid for pid in in_unit_now if register.now(pid).held_on(cap_id, level, as_of)
            ]
        return holders_cache[key]

    spofs = []
    for (cap_id, level), by in sorted(
        asked.items(), key=lambda i: (cap_refs[i[0][0]].code, i[0][1])
    ):
        sole = sole_holder(holders_on_d(cap_id, level))
        if sole is not None:
            spofs.append(
                SinglePointOfFailure(
                    capability=cap_refs[cap_id],
                    level=level,
                    person=refs[sole],
                    asked_by=tuple(sorted(by, key=[ASKED_BY_TARGET, ASKED_BY_REQUIREMENT].index)),
                )
            )

    # Targets, forecast, cliff dates and causes.
    forecast_counts: dict[str, list[int]] = {}
    presence = {pid: days_in_unit(records) for pid, records in postings_of.items()}
    target_lines = []
    for t in targets:
        holders = holders_on_d(t.cap_id, t.level)
        headcount = len(holders)
        shortfall = max(t.minimum - headcount, 0)
        counts, causes = _forecast_target(
            t, month_ends, people, presence, postings_of, register, refs, in_unit
        )
        forecast_counts[t.key] = counts
        cliff = as_of if shortfall else t.cliff(month_ends, counts)
        target_lines.append(
            TargetLine(
                capability=t.capability,
                level=t.level,
                minimum=t.minimum,
                headcount=headcount,
                shortfall=shortfall,
                cliff_date=cliff,
                expectations=t.expectations,
                holders=tuple(refs[pid] for pid in holders),
                causes=tuple(causes),
                scope=t.scope,
                illustrative=t.illustrative,
                forecast_minimums=t.minimums,
            )
        )
    forecast = tuple(
        ForecastPoint(month_end=day, headcounts={k: v[i] for k, v in forecast_counts.items()})
        for i, day in enumerate(month_ends)
    )

    expiring = _expiring(in_unit_now, register, refs)
    specials = _specials_and_volunteers(
        in_unit_now, people, refs, asked_any, holders_on_d, postings_qs, as_of
    )
    expectation_lines = traceability(expectations, targets, target_lines, counted_lines)

    summary = Summary(
        people=len(in_unit_now),
        compliance=compliance,
        requirements_counted=len(counted_lines),
        requirements_met=requirements_met,
        targets_total=len(target_lines),
        targets_met=sum(1 for t in target_lines if t.is_met),
        targets_short=sum(1 for t in target_lines if not t.is_met),
        single_points_of_failure=len(spofs),
        expiring=len(expiring),
        specials=specials.specials,
        volunteers=specials.volunteers,
    )
    return UnitReport(
        unit=unit_ref,
        as_of=as_of,
        horizon=horizon,
        summary=summary,
        targets=tuple(target_lines),
        single_points_of_failure=tuple(spofs),
        people=tuple(person_lines),
        expiring=expiring,
        specials_and_volunteers=specials,
        forecast=forecast,
        expectations=expectation_lines,
        what_if=what_if if what_if else None,
    )


def _forecast_target(
    target: TargetRule,
    month_ends: list[date],
    people: dict[int, Person],
    presence: dict[int, list[Interval]],
    postings_of: dict[int, list[PostingRecord]],
    register: Register,
    refs: dict[int, PersonRef],
    in_unit,
) -> tuple[list[int], list[Cause]]:
    """Headcount at each month end, and why each person counted at one point is not at the
    next (DESIGN.md, Forecast). Point 0 is D itself."""
    points = [register.as_of, *month_ends]
    counts = [0] * len(points)
    drops: list[tuple[int, int]] = []  # (point index, person id)
    for pid in people:
        held = register.forecast(pid).intervals(target.cap_id, target.level)
        if not held:
            continue
        counted: set[int] = set()
        spans = []
        for lo, hi in points_counted(points, presence[pid], held):
            counted.update(range(lo, hi))
            spans.append(hi)
        for i in counted:
            counts[i] += 1
        drops.extend((hi, pid) for hi in spans if hi < len(points) and hi not in counted)
    causes = [
        _cause(pid, target, points[i - 1], points[i], postings_of, register, refs, in_unit)
        for i, pid in sorted(drops, key=lambda d: (d[0], _person_sort_key(people[d[1]])))
    ]
    return counts[1:], causes


def _cause(pid, target, previous_day, day, postings_of, register, refs, in_unit) -> Cause:
    """The first event that stops the person counting between two forecast points."""
    options: list[tuple[date, date, str, str]] = []  # (stops counting on, on, kind, why)
    if not in_unit(pid, day):
        ended = [r for r in postings_of[pid] if r.current_on(previous_day) and r.last_day]
        if ended:
            rec = max(ended, key=lambda r: r.last_day)
            if rec.fund_ends_on and (rec.end is None or rec.fund_ends_on <= rec.end):
                why = f"fund {rec.fund_name} ends on {rec.fund_ends_on.isoformat()}"
                options.append((rec.last_day + timedelta(days=1), rec.last_day, CAUSE_FUND, why))
            else:
                why = f"posting ends on {rec.last_day.isoformat()}"
                options.append((rec.last_day + timedelta(days=1), rec.last_day, CAUSE_POSTING, why))
    held = register.forecast(pid).held_on(target.cap_id, target.level, previous_day)
    if held and held.end <= day:
        title = held.src.activity.title if held.src else "?"
        why = f"activity {title} expires on {held.end.isoformat()}"
        options.append((held.end, held.end, CAUSE_EXPIRY, why))
    stop, on, kind, why = min(options, key=lambda o: o[0])
    return Cause(on=on, person=refs[pid], why=why, kind=kind, at=day)


def _expiring(
    in_unit_now: list[int], register: Register, refs: dict[int, PersonRef]
) -> tuple[ExpiringLine, ...]:
    """Completions (and collections held through labs) that stop being valid in the 90 days
    after D: D < expiry <= D + 90."""
    day = register.as_of
    horizon = day + timedelta(days=LOOKAHEAD_DAYS)
    cat = register.catalogue
    out = []
    for pid in in_unit_now:
        for comp in register.counted(pid):
            if day < comp.expiry <= horizon:
                out.append(
                    ExpiringLine(
                        person=refs[pid],
                        activity=cat.activities[comp.activity_id],
                        completion_id=comp.id,
                        completed_on=comp.completed_on,
                        expires_on=comp.expiry,
                        capabilities=cat.capability_levels(comp.activity_id),
                    )
                )
        for coll_id, intervals in register.now(pid).collections.items():
            iv = containing(intervals, day)
            if iv and iv.end <= horizon:
                out.append(
                    ExpiringLine(
                        person=refs[pid],
                        activity=cat.activities[coll_id],
                        completion_id=iv.src.completion_id,
                        completed_on=iv.src.completed_on,
                        expires_on=iv.end,
                        capabilities=cat.capability_levels(coll_id),
                    )
                )
    out.sort(key=lambda e: (e.expires_on, e.person.name, e.activity.code))
    return tuple(out)


def _specials_and_volunteers(
    in_unit_now, people, refs, asked_any, holders_on_d, postings_qs, as_of
) -> SpecialsAndVolunteers:
    """DESIGN.md, Specials and volunteers (one aggregate query for deployments)."""
    ids = [pid for pid in in_unit_now if people[pid].person_type in SPECIAL_TYPES]
    year_ago = add_months(as_of, -12)
    half_year_ago = add_months(as_of, -6)
    rows = (
        Deployment.objects.counted()
        .filter(
            person_id__in=postings_qs.values("person_id"),
            person__person_type__in=SPECIAL_TYPES,
            deployed_on__lte=as_of,
        )
        .values("person_id")
        .annotate(hours=Sum("hours", filter=Q(deployed_on__gt=year_ago)), last=Max("deployed_on"))
        .order_by()
    )
    deployed = {row["person_id"]: (row["hours"] or Decimal(0), row["last"]) for row in rows}
    lines = tuple(
        DeploymentLine(
            person=refs[pid],
            hours_12_months=deployed.get(pid, (Decimal(0), None))[0],
            last_deployed_on=deployed.get(pid, (Decimal(0), None))[1],
            monthly_hours_commitment=people[pid].monthly_hours_commitment,
        )
        for pid in ids
    )
    depended = []
    for (cap_id, level), cap in sorted(asked_any.items(), key=lambda i: (i[1].code, i[0][1])):
        holders = holders_on_d(cap_id, level)
        if holders and all(people[pid].person_type in SPECIAL_TYPES for pid in holders):
            depended.append(DependedPair(cap, level, tuple(refs[pid] for pid in holders)))
    return SpecialsAndVolunteers(
        specials=sum(1 for pid in ids if people[pid].person_type == PersonType.SPECIAL),
        volunteers=sum(1 for pid in ids if people[pid].person_type == PersonType.VOLUNTEER),
        depended_on=tuple(depended),
        hours_deployed_12_months=sum((line.hours_12_months for line in lines), Decimal(0)),
        not_deployed_6_months=tuple(
            line.person
            for line in lines
            if line.last_deployed_on is None or line.last_deployed_on <= half_year_ago
        ),
        people=lines,
    )


def traceability(
    expectations: dict[str, ExpectationInfo],
    targets: list[TargetRule],
    target_lines: list[TargetLine],
    counted_lines: list[RequirementLine],
) -> tuple[ExpectationLine, ...]:
    """For each expectation the unit's targets or requirements cite: targets met of targets
    citing it, requirements met or expiring of those counted for compliance."""
    tally: dict[str, list[int]] = {key: [0, 0, 0, 0] for key in expectations}
    for line in target_lines:
        for ref in line.expectations:
            tally[ref.key][0] += line.is_met
            tally[ref.key][1] += 1
    for line in counted_lines:
        for ref in line.expectations:
            tally[ref.key][2] += line.is_met
            tally[ref.key][3] += 1
    out = []
    for key, info in sorted(expectations.items(), key=lambda i: i[1].sort_key):
        tm, tt, rm, rt = tally[key]
        out.append(
            ExpectationLine(
                key=key,
                inspection=info.ref.inspection,
                inspection_title=info.inspection_title,
                reference=info.ref.reference,
                text=info.text,
                targets_met=tm,
                targets_total=tt,
                requirements_met=rm,
                requirements_total=rt,
            )
        )
    return tuple(out)


# --- one person ------------------------------------------------------------------------------


def person_requirements(
    person: Person, as_of: date, *, what_if: WhatIf | None = None
) -> tuple[PostingRequirements, ...]:
    """The person's pathway on ``as_of``: for each posting current then (most recent first),
    the role's requirement lines with statuses and the pathway progress."""
    what_if = what_if or WhatIf()
    fund_ends = dict(what_if.fund_ends)
    records = [
        posting_record(p, fund_ends)
        for p in Posting.objects.filter(person=person)
        .overlapping(as_of, as_of)
        .select_related("role_profile", "fund", "unit")
    ]
    records = sorted(
        (r for r in records if r.current_on(as_of)), key=lambda r: (r.start, r.id), reverse=True
    )
    if not records:
        return ()
    register = Register(person_filter=Q(person_id=person.pk), as_of=as_of, what_if=what_if)
    requirements = _load_requirements(
        {r.role_id for r in records}, {}, on=as_of, choice=what_if.versions
    )
    return tuple(register.posting_requirements(r, requirements.get(r.role_id, [])) for r in records)


def person_holdings(
    person: Person, as_of: date, *, what_if: WhatIf | None = None
) -> tuple[Holding, ...]:
    """What the person holds on ``as_of``: each capability at its highest level, held until."""
    register = Register(person_filter=Q(person_id=person.pk), as_of=as_of, what_if=what_if)
    return register.holdings_on(person.pk, as_of)

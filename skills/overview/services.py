"""Coverage across many units at once: the chief officers' overview, the expectations view and
the trend (issue 7). Figures are those of DESIGN.md "What each figure means", per unit exactly as
``build_unit_report`` gives them, with roll-ups per force and per region.

One load for the whole scope (units, postings, completions, targets, requirements: 15 queries
whatever the number of units or people), then Python over dicts. The coverage engine works
out every person's holdings as intervals (it needs them for causes and expiring lists); here,
as of one date, a single "held until" date per person, capability and level gives the same
headcounts, statuses, single points of failure and cliff dates at a fraction of the cost.
tests/skills/test_overview.py checks every unit's figures against ``build_unit_report``.
The targets, requirements, postings and traceability come from the engine's own loaders.

    from skills.overview import build_overview, build_trend, units_in_scope
    overview = build_overview(units_in_scope(user), as_of=date(2025, 3, 31), function="protect")
    overview.units[0].compliance, overview.forces[0].targets_short
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import itemgetter

from django.db import connection
from django.db.models import Q

from courses.models import Completion, Status
from people.access import OVERSIGHT_ROLES, units_overseen_by
from people.models import Force, Fund, Grant, Person, PersonType, Posting, Region, Unit
from skills.coverage.data import (
    CapabilityLevel,
    CapabilityRef,
    ExpectationLine,
    ExpectationRef,
    ForceRef,
    PersonRef,
    RoleRef,
    UnitRef,
)
from skills.coverage.engine import (
    MAX_HORIZON,
    ExpectationInfo,
    RequirementRule,
    TargetRule,
    requirement_versions,
    requirements_by_role,
    target_versions,
    traceability,
    unit_targets,
)
from skills.coverage.figures import (
    count_once,
    counted_for_compliance,
    grace_deadline,
    points_counted,
    sole_holder,
)
from skills.coverage.holdings import (
    HeldOn,
    Interval,
    add_months,
    load_holding_rules,
    may_count_on,
)
from skills.coverage.presence import PostingRecord, days_in_unit, last_funded_day
from skills.dates import month_end, month_ends_after
from skills.models import Function, ResilienceTarget, RoleProfile

FUNCTIONS = tuple(Function.values)
PERSON_TYPES = tuple(PersonType.values)


# --- what the overview returns -------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One target of one unit: DESIGN.md headcount, shortfall and cliff date, and whether the
    (capability, level) rests on a single person."""

    capability: CapabilityRef
    level: int
    minimum: int
    headcount: int
    shortfall: int
    cliff_date: date | None
    single_point_of_failure: bool
    expectations: tuple[ExpectationRef, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.capability.code} L{self.level}"

    @property
    def is_met(self) -> bool:
        return self.shortfall == 0


@dataclass(frozen=True)
class UnitOverview:
    """A unit's figures as of the overview's date, as the unit report gives them."""

    unit: UnitRef
    region_code: str
    region_name: str
    people: int
    compliance: float | None  # None when no requirement is counted (never 100 %)
    requirements_counted: int
    requirements_met: int
    cells: tuple[Cell, ...]  # the unit's targets, by capability code and level
    single_points_of_failure: tuple[tuple[CapabilityLevel, PersonRef], ...]
    expectations: tuple[ExpectationLine, ...]
    # Per expectation key: (people meeting it, people it applies to) among counted
    # requirements citing it: a person meets it when every such requirement is met or expiring.
    people_by_expectation: dict[str, tuple[int, int]]

    @property
    def targets_total(self) -> int:
        return len(self.cells)

    @property
    def targets_met(self) -> int:
        return sum(1 for c in self.cells if c.is_met)

    @property
    def targets_short(self) -> int:
        return sum(1 for c in self.cells if not c.is_met)

    @property
    def shortfall(self) -> int:
        return sum(c.shortfall for c in self.cells)

    @property
    def earliest_cliff_date(self) -> date | None:
        days = [c.cliff_date for c in self.cells if c.cliff_date]
        return min(days) if days else None

    def cell(self, key: str) -> Cell | None:
        return next((c for c in self.cells if c.key == key), None)


@dataclass(frozen=True)
class RollUp:
    """The sum of a force's or a region's units. A unit inside another unit of the same
    roll-up is counted through its parent only (the parent's report already includes it);
    a joint unit counts in each of its forces."""

    kind: str  # "force" or "region"
    code: str
    name: str
    unit_codes: tuple[str, ...]
    people: int  # the units' people summed: someone posted to two units counts in each
    requirements_counted: int
    requirements_met: int
    targets_total: int
    targets_met: int
    shortfall: int
    single_points_of_failure: int
    earliest_cliff_date: date | None
    headcounts: dict[str, tuple[int, int]]  # target key -> (headcount, minimum), summed

    @property
    def compliance(self) -> float | None:
        if not self.requirements_counted:
            return None
        return self.requirements_met / self.requirements_counted

    @property
    def targets_short(self) -> int:
        return self.targets_total - self.targets_met


@dataclass(frozen=True)
class ExpectationTally:
    """How far one unit or roll-up meets one expectation."""

    code: str
    name: str
    targets_met: int
    targets_total: int
    requirements_met: int
    requirements_total: int
    people_meeting: int
    people_applying: int


@dataclass(frozen=True)
class ExpectationOverview:
    key: str
    inspection: str
    inspection_title: str
    reference: str
    text: str
    units: tuple[ExpectationTally, ...]
    forces: tuple[ExpectationTally, ...]

    @property
    def label(self) -> str:
        return f"{self.inspection} {self.reference}"


@dataclass(frozen=True)
class Overview:
    as_of: date
    function: str | None
    person_type: str | None
    columns: tuple[CapabilityLevel, ...]  # every target (capability, level) of any unit
    units: tuple[UnitOverview, ...]
    forces: tuple[RollUp, ...]
    regions: tuple[RollUp, ...]

    def unit(self, code: str) -> UnitOverview | None:
        return next((u for u in self.units if u.unit.code == code), None)

    def force(self, code: str) -> RollUp | None:
        return next((f for f in self.forces if f.code == code), None)

    def region(self, code: str) -> RollUp | None:
        return next((r for r in self.regions if r.code == code), None)

    def expectations(self) -> tuple[ExpectationOverview, ...]:
        """Each expectation any unit's targets or requirements cite, per unit and per force."""
        return _expectation_overview(self)


@dataclass(frozen=True)
class TrendPoint:
    month_end: date
    units: dict[str, tuple[int, float | None, int, int]]  # code -> people, compliance, hc, min
    forces: dict[str, tuple[int, float | None, int, int]]


@dataclass(frozen=True)
class Trend:
    as_of: date
    function: str | None
    person_type: str | None
    units: tuple[UnitRef, ...]
    forces: tuple[ForceRef, ...]
    points: tuple[TrendPoint, ...]  # oldest first


@contextmanager
def _without_cyclic_gc():
    """A national scope loads millions of small tuples, none in a reference cycle; the cyclic
    collector walking them again and again would cost more than the loading itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- scope ---------------------------------------------------------------------------------


def units_in_scope(user):
    """Units whose coverage the user oversees (``people.access.units_overseen_by``, the one
    rule); everything for a national lead or superuser, none for an officer."""
    return units_overseen_by(user)


def roll_ups_in_scope(user) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(force codes, region codes) the user's overview sums: the forces and regions they
    oversee, so that a joint unit shared with another force does not show that force's
    name over a part of it. None: every force or region of the units (national scope)."""
    if user.is_authenticated and user.is_superuser:
        return None, None
    scope = Grant.objects.scope_for(user, roles=OVERSIGHT_ROLES)
    if scope.everything:
        return None, None
    forces = set(
        Force.objects.filter(
            Q(pk__in=scope.force_ids)
            | Q(region_id__in=scope.region_ids)
            | Q(units__in=scope.unit_ids)
        ).values_list("code", flat=True)
    )
    regions = set(Region.objects.filter(pk__in=scope.region_ids).values_list("code", flat=True))
    return frozenset(forces), frozenset(regions)


# --- loading once for the scope ------------------------------------------------------------


def _recent_first(posting: PostingRecord) -> tuple[date, int]:
    return (posting.start, posting.id)


@dataclass
class _UnitInfo:
    ref: UnitRef
    kind: str
    region_id: int
    parent_id: int | None
    force_ids: tuple[int, ...]
    inside: tuple[int, ...]  # the unit and every unit inside it


class _Scope:
    """Everything the figures need for a set of units over a span of days, in a fixed number
    of queries: units (3), postings (1), funds and roles (2), completions (1), activities and
    their links (3), targets (2), requirements (2)."""

    def __init__(
        self,
        units: Iterable[Unit] | object,
        *,
        first_day: date,
        as_of: date,
        until: date,
        function: str | None,
        person_type: str | None,
        keep_rows: bool = False,
    ):
        self.as_of = as_of
        self.function = function
        unit_ids = (
            set(units.values_list("pk", flat=True))
            if hasattr(units, "values_list")
            else {u.pk for u in units}
        )
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in Unit.objects.values_list("pk", "parent_id"):
            children[parent].append(pk)

        def inside(pk: int) -> tuple[int, ...]:
            out, stack = [pk], [pk]
            while stack:
                for child in children.get(stack.pop(), ()):
                    out.append(child)
                    stack.append(child)
            return tuple(sorted(set(out)))

        wanted = sorted(unit_ids)
        self.units: dict[int, _UnitInfo] = {}
        all_ids: set[int] = set()
        rows = (
            Unit.objects.filter(pk__in=wanted)
            .select_related("parent", "region")
            .prefetch_related("forces")
        )
        self.regions: dict[int, Region] = {}
        self.forces: dict[int, Force] = {}
        for unit in rows:
            forces = sorted(unit.forces.all(), key=lambda f: f.name)
            for f in forces:
                self.forces[f.pk] = f
            self.regions[unit.region_id] = unit.region
            ids = inside(unit.pk)
            all_ids.update(ids)
            self.units[unit.pk] = _UnitInfo(
                ref=UnitRef(
                    id=unit.pk,
                    code=unit.code,
                    name=unit.name,
                    kind=unit.kind,
                    forces=tuple(ForceRef(f.code, f.name) for f in forces),
                    parent_code=unit.parent.code if unit.parent_id else None,
                ),
                kind=unit.kind,
                region_id=unit.region_id,
                parent_id=unit.parent_id,
                force_ids=tuple(f.pk for f in forces),
                inside=ids,
            )
        self.parent_of = {pk: parent for parent, kids in children.items() for pk in kids}

        # Postings that may be current on some day from the first day to the last forecast
        # point (as build_unit_report loads them); a fund's end applies in Python.
        postings = (
            Posting.objects.filter(unit_id__in=sorted(all_ids))
            .overlapping(first_day, until)
            .order_by()
        )
        if person_type:
            postings = postings.filter(person__person_type=person_type)
        funds = {f.pk: f for f in Fund.objects.all()} if all_ids else {}
        roles = {r.pk: RoleRef(r.code, r.name) for r in RoleProfile.objects.all()}
        unit_codes = {pk: info.ref.code for pk, info in self.units.items()}
        unit_names = {pk: info.ref.name for pk, info in self.units.items()}
        missing_names = all_ids - set(unit_codes)
        if missing_names:
            for pk, code, name in Unit.objects.filter(pk__in=sorted(missing_names)).values_list(
                "pk", "code", "name"
            ):
                unit_codes[pk], unit_names[pk] = code, name
        # unit id -> person id -> postings there
        self.postings: dict[int, dict[int, list[PostingRecord]]] = defaultdict(
            lambda: defaultdict(list)
        )
        people: set[int] = set()
        for pk, pid, unit_id, role_id, start, end, fund_id in postings.values_list(
            "pk", "person_id", "unit_id", "role_profile_id", "start", "end", "fund_id"
        ):
            fund = funds.get(fund_id) if fund_id is not None else None
            fund_ends_on = fund.ends_on if fund else None
            last_day = last_funded_day(end, fund_ends_on)
            people.add(pid)
            self.postings[unit_id][pid].append(
                PostingRecord(
                    id=pk,
                    person_id=pid,
                    unit_code=unit_codes[unit_id],
                    unit_name=unit_names[unit_id],
                    role_id=role_id,
                    role=roles[role_id],
                    start=start,
                    end=end,
                    fund_name=fund.name if fund else None,
                    fund_ends_on=fund_ends_on,
                    last_day=last_day,
                )
            )

        for by_person in self.postings.values():
            for recs in by_person.values():
                if len(recs) > 1:
                    recs.sort(key=_recent_first, reverse=True)

        # Verified completions of everyone posted, dated on or before D, that may still count
        # on the first day: a cut in SQL derived from the expiry and window rules themselves
        # (``may_count_on``: a superset), the exact rule in Python (``HeldOn``).
        self.rules = load_holding_rules()
        # Rows are kept only when several days are evaluated (the trend); the overview's one
        # day is worked out as they stream in.
        self.rows: list[tuple] | None = [] if keep_rows else None
        self._held_on = HeldOn(as_of, self.rules)
        if people:
            qs = Completion.objects.filter(
                may_count_on(first_day, self.rules),
                person_id__in=postings.values("person_id"),
                status=Status.VERIFIED,
                completed_on__lte=as_of,
            )
            # No ORDER BY: rows may come in any order, and sorting millions costs seconds.
            qs = qs.order_by().values_list("person_id", "activity_id", "completed_on", "expires_on")
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                while chunk := cursor.fetchmany(50000):
                    if self.rows is not None:
                        self.rows.extend(chunk)
                    else:
                        self._held_on.add(chunk)

        # Target versions of every unit (own, and of its kind) and requirement versions of
        # every role, in force on some day evaluated; each day picks its own below.
        self.expectation_info: dict[str, ExpectationInfo] = {}
        kinds = sorted({info.kind for info in self.units.values()})
        self.targets_by_unit: dict[int, list[ResilienceTarget]] = defaultdict(list)
        self.targets_by_kind: dict[str, list[ResilienceTarget]] = defaultdict(list)
        if self.units:
            for t in target_versions(sorted(self.units), kinds, first_day, until):
                if t.unit_id:
                    self.targets_by_unit[t.unit_id].append(t)
                else:
                    self.targets_by_kind[t.unit_kind].append(t)
        role_ids = {
            r.role_id
            for by_person in self.postings.values()
            for recs in by_person.values()
            for r in recs
        }
        self._requirement_versions = (
            requirement_versions(role_ids, first_day, as_of) if role_ids else []
        )
        # ``cited`` numbers the distinct sets of expectations cited, for the traceability
        # tally (shared by every day).
        self.cited: list[tuple[ExpectationRef, ...]] = []
        self._cited_index: dict[tuple[ExpectationRef, ...], int] = {}
        self._on_day: dict[
            date, tuple[dict[int, list[RequirementRule]], dict[int, list[tuple]]]
        ] = {}
        self._targets: dict[tuple[int, date, tuple[date, ...]], list[TargetRule]] = {}
        # (posting start, grace_from, grace months) -> the requirement's deadline
        self.grace_end: dict[tuple[date, date, int], date] = {}

    def requirements_on(
        self, day: date
    ) -> tuple[dict[int, list[RequirementRule]], dict[int, list[tuple]]]:
        """Per role, the requirements in force on ``day``, and what compliance reads of each
        mandatory one: ((capability id, level), (code, level), grace months, expectations,
        index in ``cited``, grace_from)."""
        if day in self._on_day:
            return self._on_day[day]
        requirements = requirements_by_role(self._requirement_versions, self.expectation_info, day)
        if self.function:
            requirements = {
                role_id: [r for r in reqs if r.capability.function == self.function]
                for role_id, reqs in requirements.items()
            }
        index = self._cited_index
        mandatory = {}
        for role_id, reqs in requirements.items():
            lines = []
            for r in reqs:
                if r.mandatory:
                    if r.expectations not in index:
                        index[r.expectations] = len(self.cited)
                        self.cited.append(r.expectations)
                    lines.append(
                        (
                            (r.cap_id, r.level),
                            (r.capability.code, r.level),
                            r.grace_months,
                            r.expectations,
                            index[r.expectations],
                            r.grace_from,
                        )
                    )
            mandatory[role_id] = lines
        self._on_day[day] = (requirements, mandatory)
        return self._on_day[day]

    def targets(self, unit_pk: int, day: date, month_ends: list[date] | None = None):
        """As ``engine._load_targets``: the unit's targets in force on ``day`` (its own replace
        its kind's for the same capability and level), with their minimums at ``month_ends``."""
        key = (unit_pk, day, tuple(month_ends or ()))
        if key in self._targets:
            return self._targets[key]
        info = self.units[unit_pk]
        versions = self.targets_by_kind.get(info.kind, []) + self.targets_by_unit.get(unit_pk, [])
        out = [
            t
            for t in unit_targets(
                versions,
                unit_pk,
                info.kind,
                self.expectation_info,
                as_of=day,
                month_ends=month_ends,
            )
            if not self.function or t.capability.function == self.function
        ]
        self._targets[key] = out
        return out

    def postings_in(self, unit_pk: int) -> dict[int, list[PostingRecord]]:
        """Person id -> postings to the unit or a unit inside it, most recent first."""
        inside = self.units[unit_pk].inside
        if len(inside) == 1:
            return self.postings.get(unit_pk, {})
        out: dict[int, list[PostingRecord]] = defaultdict(list)
        for pk in inside:
            for pid, recs in self.postings.get(pk, {}).items():
                out[pid].extend(recs)
        for recs in out.values():
            if len(recs) > 1:
                recs.sort(key=_recent_first, reverse=True)
        return out


# --- figures for one unit from the loaded scope ----------------------------------------------


@dataclass
class _Figures:
    people: int
    counted: int  # requirements counted for compliance
    met: int  # of which met (or expiring)
    # (expectations cited, requirements met, requirements counted) per distinct citation
    cited_counts: list[tuple[tuple[ExpectationRef, ...], int, int]]
    # expectation key -> (people meeting it, people it applies to)
    people_by_expectation: dict[str, tuple[int, int]]
    cells: list[Cell]
    spofs: list[tuple[CapabilityLevel, int]]
    targets: list[TargetRule]
    expectation_keys: set[str]


def _unit_figures(
    scope: _Scope,
    held_by: dict[int, dict[tuple[int, int], date]],
    unit_pk: int,
    day: date,
    month_ends: list[date] | None,
) -> _Figures:
    """build_unit_report's summary, targets, single points of failure and traceability for one
    unit on ``day``; the forecast (for cliff dates) only when ``month_ends`` is given.
    ``held_by``: person id -> (capability id, level) -> held until, for what each person
    holds on ``day`` (nothing else: every date is after ``day``)."""
    postings_of = scope.postings_in(unit_pk)
    current: dict[int, list[PostingRecord]] = {}
    for pid, recs in postings_of.items():
        now = [r for r in recs if r.current_on(day)]
        if now:
            current[pid] = now
    targets = scope.targets(unit_pk, day, month_ends)
    requirements, mandatory = scope.requirements_on(day)
    role_ids = {r.role_id for recs in current.values() for r in recs}
    expectation_keys = {ref.key for t in targets for ref in t.expectations}
    for role_id in role_ids:
        for r in requirements.get(role_id, ()):
            expectation_keys.update(ref.key for ref in r.expectations)

    asked: dict[tuple[int, int], CapabilityRef] = {}
    for t in targets:
        asked[(t.cap_id, t.level)] = t.capability
    for role_id in role_ids:
        for r in requirements.get(role_id, ()):
            if r.mandatory:
                asked[(r.cap_id, r.level)] = r.capability
    holders: dict[tuple[int, int], list[int]] = {key: [] for key in asked}

    asked_keys = set(asked)
    empty: dict[tuple[int, int], date] = {}
    grace_end = scope.grace_end
    # Each person's requirement lines, as a signature: per current posting, its role and per
    # mandatory line 1 (held), 0 (not held, counted) or 2 (not held, within its grace
    # period: not counted). People with the same signature count the same: each signature
    # is tallied once, below.
    signatures: dict[tuple, int] = defaultdict(int)
    for pid, recs in current.items():
        held = held_by.get(pid, empty)
        if held:
            for key in held.keys() & asked_keys:
                holders[key].append(pid)
        signature = []
        for rec in recs:
            status = []
            for key, _, grace_months, _, _, grace_from in mandatory.get(rec.role_id, ()):
                if key in held:
                    status.append(1)
                    continue
                deadline = grace_end.get((rec.start, grace_from, grace_months))
                if deadline is None:
                    deadline = grace_deadline(rec.start, grace_from, grace_months)
                    grace_end[(rec.start, grace_from, grace_months)] = deadline
                status.append(0 if counted_for_compliance(True, False, day, deadline) else 2)
            signature.append((rec.role_id, tuple(status)))
        signatures[tuple(signature)] += 1

    # DESIGN.md compliance: a mandatory requirement counts when held, or when its deadline
    # has passed; met or expiring is "held on the day". Per expectation, a person meets it
    # when every counted requirement citing it is met.
    line_met = [0] * len(scope.cited)
    line_n = [0] * len(scope.cited)
    meeting: dict[str, int] = defaultdict(int)
    applying: dict[str, int] = defaultdict(int)
    for signature, n in signatures.items():
        per_key: dict[str, bool] = {}
        lines = count_once(
            (code_key, (cited, i, state == 1))
            for role_id, status in signature
            for (_, code_key, _, cited, i, _), state in zip(
                mandatory.get(role_id, ()), status, strict=True
            )
            if state != 2
        )
        for cited, i, is_met in lines:
            line_n[i] += n
            if is_met:
                line_met[i] += n
            for ref in cited:
                per_key[ref.key] = per_key.get(ref.key, True) and is_met
        for key, ok in per_key.items():
            applying[key] += n
            if ok:
                meeting[key] += n

    spofs = []
    for (cap_id, level), cap in sorted(asked.items(), key=lambda i: (i[1].code, i[0][1])):
        sole = sole_holder(holders[(cap_id, level)])
        if sole is not None:
            spofs.append((CapabilityLevel(cap, level), sole))
    spof_keys = {(c.capability.code, c.level) for c, _ in spofs}

    cells = []
    presence = None
    for t in targets:
        headcount = len(holders[(t.cap_id, t.level)])
        shortfall = max(t.minimum - headcount, 0)
        cliff = None
        if shortfall:
            cliff = day
        elif month_ends:
            if presence is None:
                presence = {pid: days_in_unit(recs) for pid, recs in postings_of.items()}
            counts = _forecast_counts(t, day, month_ends, presence, held_by)
            cliff = t.cliff(month_ends, counts)
        cells.append(
            Cell(
                capability=t.capability,
                level=t.level,
                minimum=t.minimum,
                headcount=headcount,
                shortfall=shortfall,
                cliff_date=cliff,
                single_point_of_failure=(t.capability.code, t.level) in spof_keys,
                expectations=t.expectations,
            )
        )
    return _Figures(
        people=len(current),
        counted=sum(line_n),
        met=sum(line_met),
        cited_counts=[
            (scope.cited[i], line_met[i], n) for i, n in enumerate(line_n) if n and scope.cited[i]
        ],
        people_by_expectation={key: (meeting[key], n) for key, n in applying.items()},
        cells=cells,
        spofs=spofs,
        targets=targets,
        expectation_keys=expectation_keys,
    )


def _forecast_counts(target, day, month_ends, presence, held_by) -> list[int]:
    """Headcount at each month end, as engine._forecast_target counts it (without causes):
    a person counts at a point when in the unit then and still holding what they held on
    ``day`` (no new training)."""
    points = [day, *month_ends]
    diff = [0] * (len(points) + 1)
    for pid, present in presence.items():
        until = held_by.get(pid, {}).get((target.cap_id, target.level))
        if until is None or until <= day:
            continue
        for lo, hi in points_counted(points, present, [Interval(day, until, None)]):
            diff[lo] += 1
            diff[hi] -= 1
    counts, running = [], 0
    for i in range(len(points)):
        running += diff[i]
        counts.append(running)
    return counts[1:]


def _held_cache(scope: _Scope, day: date) -> dict[int, dict[tuple[int, int], date]]:
    """Person id -> (capability id, level) -> held until, for what each person holds on
    ``day`` (the scope's as-of date: its rows were worked out as they loaded, and only
    holdings running past the day were kept)."""
    if day != scope.as_of or scope.rows is not None:
        raise ValueError("The scope was loaded for another date.")
    return scope._held_on.finish()


# --- the overview --------------------------------------------------------------------------


def build_overview(
    units,
    *,
    as_of: date,
    function: str | None = None,
    person_type: str | None = None,
    horizon: int = 12,
    forces: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
) -> Overview:
    """Every unit's figures as of ``as_of`` (as its unit report gives them), with roll-ups per
    force and per region. ``units``: a queryset or list of units (e.g. ``units_in_scope``).
    ``function`` keeps only targets and requirements of capabilities of that function;
    ``person_type`` counts only people of that type. ``forces`` and ``regions`` (codes) limit
    the roll-ups, e.g. to ``roll_ups_in_scope(user)``; None sums every force and region of the
    units. Queries: 15, whatever the number of units or people."""
    if function and function not in FUNCTIONS:
        raise ValueError(f"Unknown function {function!r}.")
    if person_type and person_type not in PERSON_TYPES:
        raise ValueError(f"Unknown person type {person_type!r}.")
    if not 0 <= horizon <= MAX_HORIZON:
        raise ValueError(f"The horizon must be between 0 and {MAX_HORIZON} months.")
    force_codes = None if forces is None else frozenset(forces)
    region_codes = None if regions is None else frozenset(regions)
    with _without_cyclic_gc():
        return _build_overview(
            units, as_of, function, person_type, horizon, force_codes, region_codes
        )


def _build_overview(
    units, as_of, function, person_type, horizon, force_codes, region_codes
) -> Overview:
    month_ends = month_ends_after(as_of, horizon)
    until = month_ends[-1] if month_ends else as_of
    scope = _Scope(
        units,
        first_day=as_of,
        as_of=as_of,
        until=until,
        function=function,
        person_type=person_type,
    )
    held_by = _held_cache(scope, as_of)
    figures = {pk: _unit_figures(scope, held_by, pk, as_of, month_ends) for pk in scope.units}

    spof_people = {pid for f in figures.values() for _, pid in f.spofs}
    refs = _person_refs(spof_people)
    unit_lines = []
    for pk, f in figures.items():
        info = scope.units[pk]
        region = scope.regions[info.region_id]
        keys = {key: scope.expectation_info[key] for key in f.expectation_keys}
        met = f.met
        unit_lines.append(
            UnitOverview(
                unit=info.ref,
                region_code=region.code,
                region_name=region.name,
                people=f.people,
                compliance=met / f.counted if f.counted else None,
                requirements_counted=f.counted,
                requirements_met=met,
                cells=tuple(f.cells),
                single_points_of_failure=tuple((cl, refs[pid]) for cl, pid in f.spofs),
                expectations=_expectation_lines(keys, f),
                people_by_expectation=f.people_by_expectation,
            )
        )
    unit_lines.sort(key=lambda u: (u.unit.name, u.unit.code))
    columns = sorted(
        {CapabilityLevel(c.capability, c.level) for u in unit_lines for c in u.cells},
        key=lambda c: (c.capability.code, c.level),
    )
    forces, regions = _roll_ups(scope, unit_lines)
    if force_codes is not None:
        forces = tuple(f for f in forces if f.code in force_codes)
    if region_codes is not None:
        regions = tuple(r for r in regions if r.code in region_codes)
    return Overview(
        as_of=as_of,
        function=function,
        person_type=person_type,
        columns=tuple(columns),
        units=tuple(unit_lines),
        forces=forces,
        regions=regions,
    )


def _expectation_lines(keys, f: _Figures) -> tuple[ExpectationLine, ...]:
    """The engine's traceability (``traceability``) from the tallies: targets as the engine
    counts them, requirements met of those counted, per expectation cited."""
    met: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for cited, n_met, n in f.cited_counts:
        for ref in cited:
            met[ref.key] += n_met
            total[ref.key] += n
    return tuple(
        replace(line, requirements_met=met[line.key], requirements_total=total[line.key])
        for line in traceability(keys, f.targets, f.cells, ())
    )


def _person_refs(ids: set[int]) -> dict[int, PersonRef]:
    if not ids:
        return {}
    return {
        p.pk: PersonRef(
            id=p.pk,
            name=p.full_name,
            staff_number=p.staff_number,
            force=p.force.name,
            person_type=p.person_type,
            rank=p.rank,
            force_code=p.force.code,
        )
        for p in Person.objects.filter(pk__in=sorted(ids)).select_related("force")
    }


def _roots(unit_pks: set[int], parent_of: dict[int, int | None]) -> list[int]:
    """The units of a group that sit inside no other unit of the group."""
    out = []
    for pk in unit_pks:
        parent, inside_another = parent_of.get(pk), False
        while parent is not None:
            if parent in unit_pks:
                inside_another = True
                break
            parent = parent_of.get(parent)
        if not inside_another:
            out.append(pk)
    return out


def _sum_units(kind: str, code: str, name: str, lines: list[UnitOverview]) -> RollUp:
    headcounts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in lines:
        for c in u.cells:
            headcounts[c.key][0] += c.headcount
            headcounts[c.key][1] += c.minimum
    cliffs = [u.earliest_cliff_date for u in lines if u.earliest_cliff_date]
    return RollUp(
        kind=kind,
        code=code,
        name=name,
        unit_codes=tuple(u.unit.code for u in lines),
        people=sum(u.people for u in lines),
        requirements_counted=sum(u.requirements_counted for u in lines),
        requirements_met=sum(u.requirements_met for u in lines),
        targets_total=sum(u.targets_total for u in lines),
        targets_met=sum(u.targets_met for u in lines),
        shortfall=sum(u.shortfall for u in lines),
        single_points_of_failure=sum(len(u.single_points_of_failure) for u in lines),
        earliest_cliff_date=min(cliffs) if cliffs else None,
        headcounts={k: (v[0], v[1]) for k, v in sorted(headcounts.items())},
    )


def _groups(scope: _Scope) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    by_force: dict[int, set[int]] = defaultdict(set)
    by_region: dict[int, set[int]] = defaultdict(set)
    for pk, info in scope.units.items():
        for fid in info.force_ids:
            by_force[fid].add(pk)
        by_region[info.region_id].add(pk)
    return by_force, by_region


def _roll_ups(scope: _Scope, lines: list[UnitOverview]):
    by_pk = {u.unit.id: u for u in lines}
    by_force, by_region = _groups(scope)
    forces = []
    for fid, pks in by_force.items():
        force = scope.forces[fid]
        roots = sorted((by_pk[pk] for pk in _roots(pks, scope.parent_of)), key=_unit_order)
        forces.append(_sum_units("force", force.code, force.name, roots))
    regions = []
    for rid, pks in by_region.items():
        region = scope.regions[rid]
        roots = sorted((by_pk[pk] for pk in _roots(pks, scope.parent_of)), key=_unit_order)
        regions.append(_sum_units("region", region.code, region.name, roots))
    forces.sort(key=lambda r: r.name)
    regions.sort(key=lambda r: r.name)
    return tuple(forces), tuple(regions)


def _unit_order(u: UnitOverview):
    return (u.unit.name, u.unit.code)


# --- the expectations view -----------------------------------------------------------------


def _expectation_overview(overview: Overview) -> tuple[ExpectationOverview, ...]:
    infos: dict[str, ExpectationLine] = {}
    per_unit: dict[str, list[ExpectationTally]] = defaultdict(list)
    tallies: dict[tuple[str, str], ExpectationTally] = {}
    for u in overview.units:
        for line in u.expectations:
            infos.setdefault(line.key, line)
            meeting, applying = u.people_by_expectation.get(line.key, (0, 0))
            tally = ExpectationTally(
                code=u.unit.code,
                name=u.unit.name,
                targets_met=line.targets_met,
                targets_total=line.targets_total,
                requirements_met=line.requirements_met,
                requirements_total=line.requirements_total,
                people_meeting=meeting,
                people_applying=applying,
            )
            per_unit[line.key].append(tally)
            tallies[(line.key, u.unit.code)] = tally
    out = []
    for key, info in infos.items():
        forces = []
        for force in overview.forces:
            mine = [tallies[(key, c)] for c in force.unit_codes if (key, c) in tallies]
            if not mine:
                continue
            forces.append(
                ExpectationTally(
                    code=force.code,
                    name=force.name,
                    targets_met=sum(t.targets_met for t in mine),
                    targets_total=sum(t.targets_total for t in mine),
                    requirements_met=sum(t.requirements_met for t in mine),
                    requirements_total=sum(t.requirements_total for t in mine),
                    people_meeting=sum(t.people_meeting for t in mine),
                    people_applying=sum(t.people_applying for t in mine),
                )
            )
        out.append(
            ExpectationOverview(
                key=key,
                inspection=info.inspection,
                inspection_title=info.inspection_title,
                reference=info.reference,
                text=info.text,
                units=tuple(per_unit[key]),
                forces=tuple(forces),
            )
        )
    # Units list expectations in the engine's order (inspection published, code, pk).
    order = {key: i for u in overview.units for i, key in enumerate(e.key for e in u.expectations)}
    out.sort(key=lambda e: (e.inspection, _reference_key(e.reference), order.get(e.key, 0)))
    return tuple(out)


def _reference_key(reference: str) -> tuple:
    parts = []
    for part in reference.replace(" ", ".").split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


# --- the trend -----------------------------------------------------------------------------


def trend_month_ends(as_of: date, months: int = 12) -> list[date]:
    """The last ``months`` month ends on or before ``as_of``, oldest first."""
    last = month_end(as_of)
    if last > as_of:
        last = as_of.replace(day=1) - timedelta(days=1)
    return [month_end(add_months(last.replace(day=1), -i)) for i in range(months - 1, -1, -1)]


def build_trend(
    units,
    *,
    as_of: date,
    months: int = 12,
    function: str | None = None,
    person_type: str | None = None,
) -> Trend:
    """Compliance, people and headcount against target (summed over targets) of each unit and
    force at each of the last ``months`` month ends, each computed as of that date. One load;
    the dates are evaluated in Python."""
    with _without_cyclic_gc():
        return _build_trend(units, as_of, months, function, person_type)


def _build_trend(units, as_of, months, function, person_type) -> Trend:
    days = trend_month_ends(as_of, months)
    scope = _Scope(
        units,
        first_day=days[0],
        as_of=days[-1],
        until=days[-1],
        function=function,
        person_type=person_type,
        keep_rows=True,
    )
    by_force, _ = _groups(scope)
    points = []
    # One pass over the rows in date order: each month end adds the completions dated since
    # the previous one; what expired by then simply no longer counts (held until <= day).
    rows = sorted(scope.rows, key=itemgetter(2))
    dates = [row[2] for row in rows]
    on_day = HeldOn(days[0], scope.rules)
    done = 0
    for day in days:
        upto = bisect_right(dates, day)
        on_day.day = day
        on_day.add(rows[done:upto])
        done = upto
        # Held-until dates on or before the day were worked out for an earlier month end.
        held_by = {}
        for pid, mine in on_day.finish().items():
            now = {key: until for key, until in mine.items() if until > day}
            if now:
                held_by[pid] = now

        unit_points: dict[str, tuple[int, float | None, int, int]] = {}
        raw: dict[int, tuple[int, int, int, int, int]] = {}
        for pk, info in scope.units.items():
            f = _unit_figures(scope, held_by, pk, day, None)
            met = f.met
            hc = sum(c.headcount for c in f.cells)
            need = sum(c.minimum for c in f.cells)
            raw[pk] = (f.people, met, f.counted, hc, need)
            compliance = met / f.counted if f.counted else None
            unit_points[info.ref.code] = (f.people, compliance, hc, need)
        force_points = {}
        for fid, pks in by_force.items():
            roots = _roots(pks, scope.parent_of)
            people, met, counted, hc, need = (sum(raw[pk][i] for pk in roots) for i in range(5))
            force_points[scope.forces[fid].code] = (
                people,
                met / counted if counted else None,
                hc,
                need,
            )
        points.append(TrendPoint(month_end=day, units=unit_points, forces=force_points))
    return Trend(
        as_of=as_of,
        function=function,
        person_type=person_type,
        units=tuple(sorted((i.ref for i in scope.units.values()), key=lambda r: (r.name, r.code))),
        forces=tuple(
            ForceRef(f.code, f.name) for f in sorted(scope.forces.values(), key=lambda f: f.name)
        ),  # fmt: skip
        points=tuple(points),
    )


__all__ = [
    "Cell",
    "ExpectationOverview",
    "ExpectationTally",
    "Overview",
    "RollUp",
    "Trend",
    "TrendPoint",
    "UnitOverview",
    "build_overview",
    "build_trend",
    "trend_month_ends",
    "roll_ups_in_scope",
    "units_in_scope",
]

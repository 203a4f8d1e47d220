"""The impact of a requirement or target change before it takes effect (DESIGN.md, "Planning
ahead": Impact; docs/planning.md).

The impact of some draft or scheduled versions (or of a catalogue directory not yet loaded),
for a scope of units on a date, is the difference of two runs of the one coverage engine: the
figures without those versions ("before") and with them adopted in memory ("after"). Nothing
is written by looking: versions are chosen through ``WhatIf(versions=VersionChoice(...))``,
and a catalogue is loaded as drafts inside a transaction that is always rolled back.

    impact = impact_of_versions(requirement_ids={4}, target_ids=set(), units=[unit])
    impact = impact_of_catalogue(directory, effective=date(2027, 4, 1), units=units)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from django.db import transaction

from courses.models import ActivityCapability, ActivityKind
from people.models import Unit
from skills.coverage import WhatIf, build_unit_report
from skills.coverage.data import (
    DUE,
    MISSING,
    ActivityRef,
    CapabilityRef,
    ForceRef,
    PersonRef,
    SinglePointOfFailure,
    UnitRef,
    UnitReport,
)
from skills.models import Requirement, ResilienceTarget
from skills.versions import VersionChoice
from skills.versions import today as versions_today

GAP = (DUE, MISSING)  # statuses that training would close
KIND_ORDER = [ActivityKind.COURSE, ActivityKind.COLLECTION, ActivityKind.ACCREDITATION]


class ImpactError(ValueError):
    """The versions asked for cannot be looked at (unknown, or already in force)."""


@dataclass(frozen=True)
class StatusChange:
    """A person whose requirement status changes: ``before`` or ``after`` is None when the
    requirement is not asked of them then."""

    person: PersonRef
    role: str
    capability: CapabilityRef
    level: int
    mandatory: bool
    before: str | None
    after: str | None
    deadline: date | None  # the deadline after the change (grace period included)

    @property
    def needs_training(self) -> bool:
        return self.after in GAP and self.before not in GAP


@dataclass(frozen=True)
class TargetChange:
    capability: CapabilityRef
    level: int
    minimum_before: int | None  # None: no target before
    minimum_after: int | None
    headcount: int
    shortfall_before: int
    shortfall_after: int
    cliff_before: date | None
    cliff_after: date | None
    places: int  # more holders needed, at the worst month end of the horizon, than before

    @property
    def key(self) -> str:
        return f"{self.capability.code} L{self.level}"

    @property
    def becomes_short(self) -> bool:
        """Short now or at a month end of the horizon, and earlier or more than before."""
        if self.minimum_after is None or self.cliff_after is None:
            return False
        return (
            self.shortfall_after > self.shortfall_before
            or self.cliff_before is None
            or self.cliff_after < self.cliff_before
        )


@dataclass(frozen=True)
class TrainingNeed:
    """A (capability, level) newly asked for and not held: who needs it, and what gives it."""

    capability: CapabilityRef
    level: int
    people: int  # people whose requirement newly is due or missing
    places: int  # holders a target newly needs
    activities: tuple[ActivityRef, ...]

    @property
    def key(self) -> str:
        return f"{self.capability.code} L{self.level}"


@dataclass(frozen=True)
class Compliance:
    counted: int
    met: int

    @property
    def value(self) -> float | None:
        return self.met / self.counted if self.counted else None


@dataclass(frozen=True)
class UnitImpact:
    unit: UnitRef
    people: int
    changes: tuple[StatusChange, ...]
    targets: tuple[TargetChange, ...]
    single_points_created: tuple[SinglePointOfFailure, ...]
    compliance_before: Compliance
    compliance_after: Compliance
    training: tuple[TrainingNeed, ...]

    @property
    def targets_short(self) -> tuple[TargetChange, ...]:
        return tuple(t for t in self.targets if t.becomes_short)


@dataclass(frozen=True)
class ForceImpact:
    """A force's units in the scope, added up (a unit inside another counted once)."""

    force: ForceRef
    units: tuple[str, ...]
    people_changed: int
    targets_short: int
    single_points_created: int
    compliance_before: Compliance
    compliance_after: Compliance
    training: tuple[TrainingNeed, ...]


@dataclass(frozen=True)
class Impact:
    on: date
    horizon: int
    versions: tuple[str, ...]  # what is looked at, in words
    units: tuple[UnitImpact, ...]
    forces: tuple[ForceImpact, ...] = field(default=())
    version_count: int | None = None  # versions a catalogue would make (None: chosen by id)


# --- choosing the versions ------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    before: VersionChoice
    after: VersionChoice
    first_day: date  # the earliest date one of them takes effect
    labels: tuple[str, ...]


def select_versions(
    requirement_ids: Iterable[int] = (), target_ids: Iterable[int] = (), *, today=None
) -> Selection:
    """The before/after choices for these draft or scheduled versions: a scheduled version is
    left out of "before", a draft adopted in "after"."""
    today = today or versions_today()
    requirement_ids, target_ids = set(requirement_ids), set(target_ids)
    if not (requirement_ids or target_ids):
        raise ImpactError("Choose at least one draft or scheduled version.")
    rows = {
        "requirements": list(
            Requirement.objects.filter(pk__in=sorted(requirement_ids)).select_related(
                "role_profile", "capability"
            )
        ),
        "targets": list(
            ResilienceTarget.objects.filter(pk__in=sorted(target_ids)).select_related(
                "unit", "capability"
            )
        ),
    }
    found = {kind: {r.pk for r in found} for kind, found in rows.items()}
    unknown = sorted(requirement_ids - found["requirements"]) + sorted(
        target_ids - found["targets"]
    )
    if unknown:
        raise ImpactError(f"No requirement or target version {', '.join(map(str, unknown))}.")
    drafts, scheduled, labels = defaultdict(set), defaultdict(set), []
    for kind, versions in rows.items():
        for v in versions:
            if v.has_counted(today):
                raise ImpactError(
                    f"{v} has been in force since {v.valid_from_label}: its effect is in the "
                    "reports already. Choose a draft or a scheduled version."
                )
            (drafts if v.draft else scheduled)[kind].add(v.pk)
            stage = "draft" if v.draft else "scheduled"
            labels.append(f"{v} ({stage}{', retired from then' if v.retired else ''})")
    first = min(v.valid_from for versions in rows.values() for v in versions)
    return Selection(
        before=VersionChoice(
            drop_requirements=frozenset(scheduled["requirements"]),
            drop_targets=frozenset(scheduled["targets"]),
        ),
        after=VersionChoice(
            adopt_requirements=frozenset(drafts["requirements"]),
            adopt_targets=frozenset(drafts["targets"]),
        ),
        first_day=first,
        labels=tuple(sorted(labels)),
    )


# --- the impact -----------------------------------------------------------------------------


def impact_of_versions(
    requirement_ids: Iterable[int] = (),
    target_ids: Iterable[int] = (),
    *,
    units: Iterable[Unit],
    on: date | None = None,
    horizon: int = 12,
    today: date | None = None,
) -> Impact:
    """The impact of these draft or scheduled versions on ``units`` as of ``on`` (default:
    the first day one of them takes effect, or today if later)."""
    today = today or versions_today()
    selection = select_versions(requirement_ids, target_ids, today=today)
    on = on or max(selection.first_day, today)
    return _impact(selection, list(units), on=on, horizon=horizon)


def impact_of_catalogue(
    directory: Path,
    *,
    effective: date,
    units: Iterable[Unit],
    on: date | None = None,
    horizon: int = 12,
    name: str | None = None,
) -> Impact:
    """The impact of loading ``directory`` with ``--effective``: it is loaded as drafts in a
    transaction that is rolled back, so nothing stays written (``CatalogueError`` if bad).
    ``name`` says what it is in words (default: the directory)."""
    from skills.catalogue import load_catalogue

    units = list(units)
    with transaction.atomic():
        result = load_catalogue(directory, effective=effective, draft=True)
        requirements = result.version_ids("requirements")
        targets = result.version_ids("targets")
        labels = [
            f"catalogue {name or directory}, from {effective.isoformat()}: "
            f"{_count(len(requirements), 'requirement version')} and "
            f"{_count(len(targets), 'target version')} differing from those in force"
        ]
        choice = VersionChoice(adopt_requirements=requirements, adopt_targets=targets)
        selection = Selection(VersionChoice(), choice, effective, tuple(labels))
        impact = _impact(selection, units, on=on or effective, horizon=horizon)
        impact = replace(impact, version_count=len(requirements) + len(targets))
        transaction.set_rollback(True)
    return impact


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _impact(selection: Selection, units: list[Unit], *, on: date, horizon: int) -> Impact:
    per_unit = []
    for unit in sorted(units, key=lambda u: u.code):
        before = build_unit_report(
            unit, as_of=on, horizon=horizon, what_if=WhatIf(versions=selection.before)
        )
        after = build_unit_report(
            unit, as_of=on, horizon=horizon, what_if=WhatIf(versions=selection.after)
        )
        per_unit.append(unit_difference(before, after))
    activities = _activities_for(
        {(n.capability.code, n.level) for u in per_unit for n in u.training}
    )
    per_unit = [_with_activities(u, activities) for u in per_unit]
    forces = _by_force(per_unit, units, activities)
    return Impact(
        on=on,
        horizon=horizon,
        versions=selection.labels,
        units=tuple(per_unit),
        forces=forces,
    )


def unit_difference(before: UnitReport, after: UnitReport) -> UnitImpact:
    """Person by person and target by target, what differs between two reports of a unit."""
    changes = _status_changes(before, after)
    targets = _target_changes(before, after)
    had = {(s.capability.code, s.level, s.person.id) for s in before.single_points_of_failure}
    created = tuple(
        s
        for s in after.single_points_of_failure
        if (s.capability.code, s.level, s.person.id) not in had
    )
    needs: dict[tuple[str, int], list] = {}
    for c in changes:
        if c.needs_training:
            entry = needs.setdefault((c.capability.code, c.level), [c.capability, set(), 0])
            entry[1].add(c.person.id)
    for t in targets:
        if t.places:
            entry = needs.setdefault((t.capability.code, t.level), [t.capability, set(), 0])
            entry[2] += t.places
    training = tuple(
        TrainingNeed(cap, level, len(people), places, ())
        for (_, level), (cap, people, places) in sorted(needs.items())
    )
    return UnitImpact(
        unit=after.unit,
        people=after.summary.people,
        changes=changes,
        targets=targets,
        single_points_created=created,
        compliance_before=_compliance(before),
        compliance_after=_compliance(after),
        training=training,
    )


def _compliance(report: UnitReport) -> Compliance:
    return Compliance(report.summary.requirements_counted, report.summary.requirements_met)


def _lines(report: UnitReport) -> dict[tuple, tuple]:
    out = {}
    for person in report.people:
        for posting in person.postings:
            for line in posting.requirements:
                key = (person.person.id, posting.posting_id, line.capability.code, line.level)
                out[key] = (person.person, posting.role.code, line)
    return out


def _status_changes(before: UnitReport, after: UnitReport) -> tuple[StatusChange, ...]:
    old, new = _lines(before), _lines(after)
    changes = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[2], k[3], k[0], k[1])):
        was, now = old.get(key), new.get(key)
        was_status = was[2].status if was else None
        now_status = now[2].status if now else None
        if was_status == now_status and (
            not was or not now or was[2].mandatory == now[2].mandatory
        ):
            continue
        person, role, line = now or was
        changes.append(
            StatusChange(
                person=person,
                role=role,
                capability=line.capability,
                level=line.level,
                mandatory=line.mandatory,
                before=was_status,
                after=now_status,
                deadline=now[2].deadline if now else None,
            )
        )
    return tuple(changes)


def _worst_gap(report: UnitReport, line) -> int:
    """Most holders missing at D or any month end of the horizon, under the minimum then."""
    worst = max(line.minimum - line.headcount, 0)
    for i, point in enumerate(report.forecast):
        minimum = line.forecast_minimums[i] if line.forecast_minimums else line.minimum
        if minimum is not None:
            worst = max(worst, minimum - point.headcounts.get(line.key, 0))
    return worst


def _target_changes(before: UnitReport, after: UnitReport) -> tuple[TargetChange, ...]:
    old = {t.key: t for t in before.targets}
    new = {t.key: t for t in after.targets}
    out = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        same = (
            was
            and now
            and (was.minimum, was.shortfall, was.cliff_date, was.forecast_minimums)
            == (now.minimum, now.shortfall, now.cliff_date, now.forecast_minimums)
        )
        if same:
            continue
        line = now or was
        gap_before = _worst_gap(before, was) if was else 0
        gap_after = _worst_gap(after, now) if now else 0
        out.append(
            TargetChange(
                capability=line.capability,
                level=line.level,
                minimum_before=was.minimum if was else None,
                minimum_after=now.minimum if now else None,
                headcount=line.headcount,
                shortfall_before=was.shortfall if was else 0,
                shortfall_after=now.shortfall if now else 0,
                cliff_before=was.cliff_date if was else None,
                cliff_after=now.cliff_date if now else None,
                places=max(gap_after - gap_before, 0),
            )
        )
    return tuple(out)


def _activities_for(keys: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[ActivityRef, ...]]:
    """Activities still offered that give each (capability, level): one query."""
    if not keys:
        return {}
    codes = sorted({code for code, _ in keys})
    found: dict[tuple[str, int], list] = defaultdict(list)
    rows = ActivityCapability.objects.filter(
        capability__code__in=codes, activity__retired=False
    ).values_list(
        "capability__code",
        "level",
        "activity__code",
        "activity__title",
        "activity__provider",
        "activity__kind",
    )
    for cap, level, code, title, provider, kind in rows:
        for wanted in range(1, level + 1):  # a higher level gives the lower ones too
            if (cap, wanted) in keys:
                found[(cap, wanted)].append(ActivityRef(code, title, provider, kind))

    def order(a: ActivityRef):
        rank = KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else len(KIND_ORDER)
        return (rank, a.title, a.code)

    return {key: tuple(sorted(set(acts), key=order)) for key, acts in found.items()}


def _with_activities(u: UnitImpact, activities) -> UnitImpact:
    training = tuple(
        replace(n, activities=activities.get((n.capability.code, n.level), ())) for n in u.training
    )
    return replace(u, training=training)


def _by_force(per_unit: list[UnitImpact], units: list[Unit], activities) -> tuple[ForceImpact, ...]:
    """Each force's units added up; people of a unit inside another unit of the scope are
    counted once (a unit's report covers the units inside it)."""
    in_scope = {u.pk for u in units}
    parents = dict(Unit.objects.values_list("pk", "parent_id"))

    def nested(pk):
        parent = parents.get(pk)
        while parent is not None:
            if parent in in_scope:
                return True
            parent = parents.get(parent)
        return False

    by_id = {u.unit.id: u for u in per_unit}

    def forces_of(u: UnitImpact) -> tuple[ForceRef, ...]:
        """Its own forces; a unit with none (a team inside a force's unit) counts under
        those of the nearest unit above it in the scope."""
        pk = u.unit.id
        while pk is not None:
            if pk in by_id and by_id[pk].unit.forces:
                return by_id[pk].unit.forces
            pk = parents.get(pk)
        return ()

    groups: dict[str, list[UnitImpact]] = defaultdict(list)
    refs: dict[str, ForceRef] = {}
    for u in per_unit:
        for force in forces_of(u):
            groups[force.code].append(u)
            refs[force.code] = force
    out = []
    for code in sorted(groups):
        impacts = groups[code]
        top = [u for u in impacts if not nested(u.unit.id)]
        people = {c.person.id for u in top for c in u.changes}
        need_people: dict[tuple[str, int], set[int]] = defaultdict(set)
        places: dict[tuple[str, int], int] = defaultdict(int)
        caps: dict[str, CapabilityRef] = {}
        for u in top:
            for c in u.changes:
                if c.needs_training:
                    need_people[(c.capability.code, c.level)].add(c.person.id)
                    caps[c.capability.code] = c.capability
        for u in impacts:
            for t in u.targets:
                if t.places:
                    places[(t.capability.code, t.level)] += t.places
                    caps[t.capability.code] = t.capability
        training = tuple(
            TrainingNeed(
                caps[key[0]],
                key[1],
                len(need_people.get(key, ())),
                places.get(key, 0),
                activities.get(key, ()),
            )
            for key in sorted(need_people.keys() | places.keys())
        )
        out.append(
            ForceImpact(
                force=refs[code],
                units=tuple(u.unit.code for u in impacts),
                people_changed=len(people),
                targets_short=sum(len(u.targets_short) for u in impacts),
                single_points_created=sum(len(u.single_points_created) for u in impacts),
                compliance_before=Compliance(
                    sum(u.compliance_before.counted for u in top),
                    sum(u.compliance_before.met for u in top),
                ),
                compliance_after=Compliance(
                    sum(u.compliance_after.counted for u in top),
                    sum(u.compliance_after.met for u in top),
                ),
                training=training,
            )
        )
    return tuple(out)


# --- plain data for JSON and CSV ------------------------------------------------------------


def _iso(day):
    return day.isoformat() if day else None


def _training_dict(n: TrainingNeed) -> dict:
    return {
        "capability": n.capability.code,
        "level": n.level,
        "people": n.people,
        "places": n.places,
        "activities": [{"code": a.code, "title": a.title, "kind": a.kind} for a in n.activities],
    }


def _compliance_dict(c: Compliance) -> dict:
    return {"counted": c.counted, "met": c.met, "compliance": c.value}


def impact_to_dict(impact: Impact) -> dict:
    """The impact as JSON-ready data (``requirement_impact --format json``)."""
    return {
        "on": impact.on.isoformat(),
        "horizon": impact.horizon,
        "versions": list(impact.versions),
        "version_count": impact.version_count,
        "units": [
            {
                "unit": u.unit.code,
                "people": u.people,
                "compliance_before": _compliance_dict(u.compliance_before),
                "compliance_after": _compliance_dict(u.compliance_after),
                "status_changes": [
                    {
                        "person": c.person.label,
                        "person_id": c.person.id,
                        "role": c.role,
                        "capability": c.capability.code,
                        "level": c.level,
                        "mandatory": c.mandatory,
                        "before": c.before,
                        "after": c.after,
                        "deadline": _iso(c.deadline),
                    }
                    for c in u.changes
                ],
                "targets": [
                    {
                        "capability": t.capability.code,
                        "level": t.level,
                        "minimum_before": t.minimum_before,
                        "minimum_after": t.minimum_after,
                        "headcount": t.headcount,
                        "shortfall_before": t.shortfall_before,
                        "shortfall_after": t.shortfall_after,
                        "cliff_before": _iso(t.cliff_before),
                        "cliff_after": _iso(t.cliff_after),
                        "becomes_short": t.becomes_short,
                        "places": t.places,
                    }
                    for t in u.targets
                ],
                "single_points_of_failure_created": [
                    {"capability": s.capability.code, "level": s.level, "person": s.person.label}
                    for s in u.single_points_created
                ],
                "training": [_training_dict(n) for n in u.training],
            }
            for u in impact.units
        ],
        "forces": [
            {
                "force": f.force.code,
                "units": list(f.units),
                "people_changed": f.people_changed,
                "targets_short": f.targets_short,
                "single_points_of_failure_created": f.single_points_created,
                "compliance_before": _compliance_dict(f.compliance_before),
                "compliance_after": _compliance_dict(f.compliance_after),
                "training": [_training_dict(n) for n in f.training],
            }
            for f in impact.forces
        ],
    }


CSV_HEADER = (
    "section",
    "unit",
    "person",
    "capability",
    "level",
    "before",
    "after",
    "date",
    "count",
    "activities",
)


def impact_rows(impact: Impact) -> list[tuple]:
    """One row per status change, target change, single point created, training need and
    unit summary, then each force's total (``requirement_impact --format csv``)."""
    rows = []
    for u in impact.units:
        code = u.unit.code
        for c in u.changes:
            rows.append(
                (
                    "person", code, c.person.label, c.capability.code, c.level,
                    c.before or "not asked", c.after or "not asked", _iso(c.deadline) or "", "", "",
                )
            )  # fmt: skip
        for t in u.targets:
            rows.append(
                (
                    "target", code, "", t.capability.code, t.level,
                    f"minimum {t.minimum_before}, short {t.shortfall_before}",
                    f"minimum {t.minimum_after}, short {t.shortfall_after}",
                    _iso(t.cliff_after) or "", t.places, "",
                )
            )  # fmt: skip
        for s in u.single_points_created:
            rows.append(
                ("single point of failure", code, s.person.label, s.capability.code, s.level,
                 "", "", "", 1, "")
            )  # fmt: skip
        for n in u.training:
            rows.append(
                (
                    "training", code, "", n.capability.code, n.level, "", "", "",
                    n.people + n.places, " | ".join(f"{a.code}: {a.title}" for a in n.activities),
                )
            )  # fmt: skip
        rows.append(
            (
                "compliance", code, "", "", "",
                _percent(u.compliance_before.value), _percent(u.compliance_after.value),
                impact.on.isoformat(), u.people, "",
            )
        )  # fmt: skip
    for f in impact.forces:  # the force's total; the unit column holds the force's code
        code = f.force.code
        for n in f.training:
            rows.append(
                (
                    "force training", code, "", n.capability.code, n.level, "", "", "",
                    n.people + n.places, " | ".join(f"{a.code}: {a.title}" for a in n.activities),
                )
            )  # fmt: skip
        rows += [
            ("force people whose status changes", code, "", "", "", "", "", "",
             f.people_changed, ""),
            ("force targets short", code, "", "", "", "", "", "", f.targets_short, ""),
            ("force single points of failure created", code, "", "", "", "", "", "",
             f.single_points_created, ""),
            ("force compliance", code, "", "", "",
             _percent(f.compliance_before.value), _percent(f.compliance_after.value),
             impact.on.isoformat(), len(f.units), ""),
        ]  # fmt: skip
    return rows


def _percent(value):
    return "" if value is None else f"{value * 100:.0f}%"

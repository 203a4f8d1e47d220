"""The training plan as an integer programme over plain data (issue 16, point 4).

A pure solver: no database. ``build.py`` turns the register into a ``PlanInput``; this module
chooses bookings ``x[person, offering]`` (binary) and ``explain.py`` says why each was chosen.

Hard constraints: places per offering, the budget (money and/or places), a cap per person, no
two offerings one person attends overlapping in dates, eligibility. Objectives, solved one
after the other (each stage keeps the optimum of the one before):

1. every target's headcount at every month end of the horizon at or above its minimum in
   force then (slack per target and month end, so a budget too small still solves and says
   where it falls short);
2. single points of failure removed: headcount at least 2 where possible;
3. compliance: the most (person, required capability, month end) pairs held;
4. least cost.

A booking counts at a month end M when the offering ends on or before M and M is before its
end plus the activity's validity (DESIGN.md: valid on D when completed <= D < expiry), and
the person is in the unit on M.

A force-wide plan has several units: each target names its unit (``PlanTarget.unit``) and
counts only the people in that unit on the day (``PlanPerson.units``: their first and last
day in each unit); a person is one ``PlanPerson`` however many of the force's units they are
in, so their bookings and cap are counted once. A target with no unit (a unit plan) counts
everyone in the plan.

Existing bookings are in the input as ``PlanPerson.planned`` (held from the offering's end
for the activity's validity: they count as held, in the "before" headcounts too) and
``PlanPerson.busy`` (their days: no proposal clashes with them).

A prerequisite must be held on the offering's start date from the register or an existing
booking; one obtained by another booking proposed in the same plan does not count (the model
allows one booking per person and capability level, so a foundation course and the course
that needs it are never proposed together).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import pulp

from skills.dates import add_months

NEVER = date.max
# Seconds a solve spends outside CBC's own time limit (PuLP writing the model, CBC reading
# it) per variable, first guess; each solve then measures it.
OVERHEAD_PER_VARIABLE = 2.5e-4

Pair = tuple[str, int]  # (capability code, level)


@dataclass(frozen=True)
class Spell:
    """First and last day in one unit (None: from before / open-ended) and why they leave."""

    joins_on: date | None = None
    leaves_on: date | None = None
    leaves_because: str = ""

    def covers(self, day: date) -> bool:
        return (self.joins_on is None or self.joins_on <= day) and (
            self.leaves_on is None or day <= self.leaves_on
        )


@dataclass(frozen=True)
class PlanPerson:
    id: int
    name: str
    # (capability, level) -> held until (exclusive; NEVER when it never expires). A level held
    # holds the levels below: callers give every level held.
    held: dict[Pair, date] = field(default_factory=dict)
    # first and last day in the unit (None: from before / open-ended)
    joins_on: date | None = None
    leaves_on: date | None = None
    leaves_because: str = ""  # "leaves", "fund Cyber Uplift ends" …
    # mandatory requirements of their role: (capability, level)
    needs: frozenset[Pair] = frozenset()
    # force plans: unit code -> their spell in that unit (joins_on/leaves_on above: any unit)
    units: dict[str, Spell] = field(default_factory=dict)
    # existing bookings: (capability, level, from, until exclusive), every level granted
    planned: tuple[tuple[Pair, date, date], ...] = ()
    # existing bookings' days (first, last): no proposal may overlap them
    busy: tuple[tuple[date, date], ...] = ()

    def spell(self, unit: str | None = None) -> Spell | None:
        """Their spell in ``unit``; None when not in it. No unit: their time in the plan."""
        if unit is None:
            return Spell(self.joins_on, self.leaves_on, self.leaves_because)
        return self.units.get(unit)

    def in_unit_on(self, day: date, unit: str | None = None) -> bool:
        if unit is None:
            return (self.joins_on is None or self.joins_on <= day) and (
                self.leaves_on is None or day <= self.leaves_on
            )
        spell = self.units.get(unit)
        return spell is not None and spell.covers(day)

    @cached_property
    def pairs_held(self) -> frozenset[Pair]:
        """Every pair they hold at some time, from the register or an existing booking."""
        return frozenset(self.held) | {pair for pair, _, _ in self.planned}

    def holds_on(self, pair: Pair, day: date) -> bool:
        if self.held.get(pair, date.min) > day:
            return True
        return any(p == pair and start <= day < end for p, start, end in self.planned)

    def held_until(self, pair: Pair, day: date) -> date | None:
        """When the holding counted on ``day`` lapses (None: not held on ``day``)."""
        ends = [end for p, start, end in self.planned if p == pair and start <= day < end]
        if self.held.get(pair, date.min) > day:
            ends.append(self.held[pair])
        return max(ends, default=None)

    def free(self, starts_on: date, ends_on: date) -> bool:
        """No existing booking of theirs runs on any of these days."""
        return all(ends_on < first or last < starts_on for first, last in self.busy)


@dataclass(frozen=True)
class PlanTarget:
    capability: str
    level: int
    minimums: dict[date, int]  # month end -> minimum in force then (absent: no target then)
    unit: str | None = None  # force plans: the unit code whose people it counts

    @property
    def pair(self) -> Pair:
        return (self.capability, self.level)

    @property
    def key(self) -> tuple[Pair, str | None]:
        return (self.pair, self.unit)

    @property
    def label(self) -> str:
        """Unique in a plan: "NETINV L2", or "NETINV L2 in TST-CCU" in a force plan."""
        name = f"{self.capability} L{self.level}"
        return f"{name} in {self.unit}" if self.unit else name


@dataclass(frozen=True)
class PlanOffering:
    id: int
    title: str
    grants: tuple[Pair, ...]  # (capability, level) it evidences; lower levels follow
    starts_on: date
    ends_on: date
    places: int
    cost_pence: int
    validity_months: int | None = None
    prerequisites: tuple[Pair, ...] = ()  # held on the start date
    open_to: frozenset[int] | None = None  # person ids it is open to; None: everyone

    def granted(self) -> frozenset[Pair]:
        return self._granted

    @cached_property
    def _granted(self) -> frozenset[Pair]:
        return frozenset((c, lower) for c, level in self.grants for lower in range(1, level + 1))

    def counts_on(self, day: date) -> bool:
        if self.ends_on > day:
            return False
        return self.validity_months is None or day < add_months(self.ends_on, self.validity_months)


@dataclass(frozen=True)
class Budget:
    money_pence: int | None = None
    places: int | None = None
    per_person: int | None = None


@dataclass
class PlanInput:
    as_of: date
    month_ends: list[date]
    people: list[PlanPerson]
    targets: list[PlanTarget]
    offerings: list[PlanOffering]
    budget: Budget = field(default_factory=Budget)
    time_limit: float = 60.0


@dataclass(frozen=True)
class Proposal:
    person_id: int
    offering_id: int
    cost_pence: int


@dataclass(frozen=True)
class Shortfall:
    """A target short at month ends despite the plan: from when, by how much at worst, and
    what the cheapest plan with no money or places limit would book for it (``closable``:
    whether that closes it at every month end; no offering may run early enough)."""

    target: PlanTarget
    first_short: date
    worst: int
    cost_to_close_pence: int
    bookings_to_close: int
    closable: bool


@dataclass
class StageResult:
    name: str
    status: str
    objective: float | None
    gap: float | None  # relative gap; 0.0 when proved optimal; None when unknown
    seconds: float


@dataclass
class PlanResult:
    proposals: list[Proposal]
    cost_pence: int
    shortfalls: list[Shortfall]
    stages: list[StageResult]
    variables: int
    constraints: int
    seconds: float
    # target label -> month end -> headcount (before, with the plan)
    headcount_before: dict[str, dict[date, int]]
    headcount_after: dict[str, dict[date, int]]

    @property
    def gap(self) -> float | None:
        """The worst relative gap of the stages (None: unknown)."""
        gaps = [s.gap for s in self.stages]
        return None if any(g is None for g in gaps) else max(gaps, default=0.0)

    @property
    def optimal(self) -> bool:
        return all(s.status == "Optimal" and s.gap == 0.0 for s in self.stages)


def wanted_by(person: PlanPerson, targets: list[PlanTarget]) -> set[Pair]:
    """The target pairs of the units they are in (a target with no unit: everyone's)."""
    return {t.pair for t in targets if t.unit is None or t.unit in person.units}


def eligible(person: PlanPerson, offering: PlanOffering, wanted: set[Pair], last: date) -> bool:
    """Issue 16: open to them; in the unit when it starts; no existing booking of theirs on
    any of its days; the offering grants something a target of their unit or their role asks
    for (``wanted``: ``wanted_by``); not already holding all of that past the horizon (an
    existing booking counts); prerequisites held on its start date."""
    if offering.open_to is not None and person.id not in offering.open_to:
        return False
    if not person.in_unit_on(offering.starts_on):
        return False
    if not person.free(offering.starts_on, offering.ends_on):
        return False
    useful = offering.granted() & (wanted | set(person.needs))
    if not useful:
        return False
    if all(person.holds_on(pair, last) for pair in useful):
        return False
    return all(person.holds_on(pair, offering.starts_on) for pair in offering.prerequisites)


def base_headcount(people: list[PlanPerson], pair: Pair, day: date, unit: str | None = None) -> int:
    return sum(
        1
        for p in people
        if pair in p.pairs_held and p.in_unit_on(day, unit) and p.holds_on(pair, day)
    )


def _holders(people: list[PlanPerson], pairs) -> dict[Pair, list[PlanPerson]]:
    """The people who hold each pair at some time (a few of a large force's people)."""
    out: dict[Pair, list[PlanPerson]] = {pair: [] for pair in pairs}
    for p in people:
        for pair in p.pairs_held:
            if pair in out:
                out[pair].append(p)
    return out


def _sum(variables, constant=0) -> pulp.LpAffineExpression:
    """A sum of binaries, built directly (lpSum is the slow part for ~10^5 terms)."""
    return pulp.LpAffineExpression([(v, 1) for v in variables], constant=constant)


class _Model:
    """The variables and expressions shared by every stage."""

    def __init__(self, data: PlanInput, with_budget: bool = True):
        self.data = data
        self.prob = pulp.LpProblem("training_plan", pulp.LpMinimize)
        last = data.month_ends[-1] if data.month_ends else data.as_of
        self.offerings = {o.id: o for o in data.offerings}
        self.people = {p.id: p for p in data.people}
        self.x: dict[tuple[int, int], pulp.LpVariable] = {}
        upcoming = [o for o in data.offerings if o.starts_on > data.as_of]
        for p in data.people:
            wanted = wanted_by(p, data.targets)
            asked = wanted | p.needs
            for o in upcoming:
                # The cheap test first: most of a large force's people want nothing it gives.
                if not o.granted().isdisjoint(asked) and eligible(p, o, wanted, last):
                    self.x[p.id, o.id] = pulp.LpVariable(f"x_{p.id}_{o.id}", cat="Binary")
        by_person: dict[int, list[int]] = defaultdict(list)
        by_offering: dict[int, list[int]] = defaultdict(list)
        for pid, oid in self.x:
            by_person[pid].append(oid)
            by_offering[oid].append(pid)
        prob = self.prob
        for oid, pids in by_offering.items():
            prob += _sum(self.x[p, oid] for p in pids) <= self.offerings[oid].places
        cost = pulp.LpAffineExpression(
            [(v, self.offerings[o].cost_pence) for (_, o), v in self.x.items()]
        )
        self.cost = cost
        budget = data.budget
        if with_budget and budget.money_pence is not None:
            prob += cost <= budget.money_pence, "money"
        if with_budget and budget.places is not None:
            prob += _sum(self.x.values()) <= budget.places, "places"
        for pid, oids in by_person.items():
            if budget.per_person is not None:
                prob += _sum(self.x[pid, o] for o in oids) <= budget.per_person
            # No two offerings on the same days: at each start date, at most one running.
            for day in sorted({self.offerings[o].starts_on for o in oids}):
                running = [
                    o
                    for o in oids
                    if self.offerings[o].starts_on <= day <= self.offerings[o].ends_on
                ]
                if len(running) > 1:
                    prob += _sum(self.x[pid, o] for o in running) <= 1
        # Headcounts by (pair, unit): a target's (its unit's people; None: everyone) and each
        # role requirement's (None). base: without the plan; new: the new holders' variables.
        pairs = {t.pair for t in data.targets} | {pair for p in data.people for pair in p.needs}
        keys = {t.key for t in data.targets} | {(pair, None) for pair in pairs}
        pair_no = {pair: n for n, pair in enumerate(sorted(pairs))}
        unit_no = {u: n for n, u in enumerate(sorted({t.unit or "" for t in data.targets}))}
        self.base: dict[tuple[Pair, str | None], dict[date, int]] = {}
        self.new: dict[tuple[Pair, str | None], dict[date, list[tuple[int, pulp.LpVariable]]]]
        self.new = {}
        # Base headcounts only where a target asks (a role requirement's is never needed).
        target_keys = {t.key for t in data.targets}
        holders = _holders(data.people, {t.pair for t in data.targets})
        for key in keys:
            pair, unit = key
            if key in target_keys:
                self.base[key] = {
                    m: base_headcount(holders[pair], pair, m, unit) for m in data.month_ends
                }
            self.new[key] = {m: [] for m in data.month_ends}
        units_of_pair: dict[Pair, list[str | None]] = defaultdict(list)
        for pair, unit in sorted(keys, key=lambda k: (k[0], k[1] or "")):
            units_of_pair[pair].append(unit)
        # One booking per person and capability: then a person counts at most once, and the
        # headcount is linear in x (no indicator per person and month end: the model stays
        # the size of the bookings it may choose).
        grants = {o.id: o.granted() for o in data.offerings}
        counts = {o.id: [m for m in data.month_ends if o.counts_on(m)] for o in data.offerings}
        for pid, oids in by_person.items():
            person = self.people[pid]
            for pair in pairs:
                granting = [o for o in oids if pair in grants[o]]
                if not granting:
                    continue
                if len(granting) > 1:
                    prob += _sum(self.x[pid, o] for o in granting) <= 1
                for o in granting:
                    for m in counts[o]:
                        if person.holds_on(pair, m):
                            continue
                        for unit in units_of_pair[pair]:
                            if person.in_unit_on(m, unit):
                                self.new[pair, unit][m].append((pid, self.x[pid, o]))
        self.headcount = {
            key: {
                m: _sum((v for _, v in self.new[key][m]), self.base[key][m])
                for m in data.month_ends
            }
            for key in target_keys
        }
        self.overhead = 1.0 + OVERHEAD_PER_VARIABLE * len(self.x)
        # Stage 1: the minimum at every month end, with slack.
        self.short: dict[tuple[int, date], pulp.LpVariable] = {}
        for i, t in enumerate(data.targets):
            for m in data.month_ends:
                minimum = t.minimums.get(m)
                if not minimum:
                    continue
                s = pulp.LpVariable(f"short_{i}_{m:%Y%m%d}", lowBound=0, upBound=minimum)
                prob += self.headcount[t.key][m] + s >= minimum
                self.short[i, m] = s
        # Stage 2: two holders of every target's capability in its unit, where anyone holds it.
        self.spof: dict[tuple[tuple[Pair, str | None], date], pulp.LpVariable] = {}
        for key in sorted({t.key for t in data.targets}, key=lambda k: (k[0], k[1] or "")):
            pair, unit = key
            for m in data.month_ends:
                name = f"spof_{pair_no[pair]}_{unit_no[unit or '']}_{m:%Y%m%d}"
                s = pulp.LpVariable(name, lowBound=0, upBound=2)
                prob += self.headcount[key][m] + s >= 2
                self.spof[key, m] = s
        # Stage 3: compliance — each person's requirements held at each month end in post.
        self.met = [
            v
            for pair in pairs
            for m in data.month_ends
            for pid, v in self.new[pair, None][m]
            if pair in self.people[pid].needs
        ]

    def _start_from_nothing(self) -> None:
        """No bookings, every slack at what that leaves short: feasible whatever the budget."""
        for v in self.x.values():
            v.setInitialValue(0)
        for (i, m), s in self.short.items():
            t = self.data.targets[i]
            s.setInitialValue(max(0, t.minimums[m] - self.base[t.key][m]))
        for (key, m), s in self.spof.items():
            s.setInitialValue(max(0, 2 - self.base[key][m]))

    def normalised_cost(self) -> pulp.LpAffineExpression:
        """Cost as a share of the dearest plan possible: below 1, so it only breaks ties
        between plans equal on every unit-valued objective before it."""
        total = sum(self.offerings[o].cost_pence for (_, o) in self.x) + 1
        return pulp.LpAffineExpression(
            [(v, self.offerings[o].cost_pence / total) for (_, o), v in self.x.items()]
        )

    def solve(self, time_limit: float) -> list[StageResult]:
        """Two solves (each costs seconds of model writing at scale): the minimums first,
        then single points of failure, compliance and cost lexicographically by weights
        (one single point of failure outweighs every compliance pair; one compliance pair
        outweighs any cost)."""
        compliance = pulp.LpAffineExpression([(v, -1) for v in self.met])
        spof_weight = len(self.met) + 1
        rest = (
            pulp.LpAffineExpression([(v, spof_weight) for v in self.spof.values()])
            + compliance
            + self.normalised_cost()
        )
        stages = [
            ("coverage", _sum(self.short.values())),
            ("single points of failure, compliance, cost", rest),
        ]
        results = []
        started = time.monotonic()
        kept: dict[tuple[int, int], float] = {}
        for n, (name, objective) in enumerate(stages):
            # CBC's limit leaves out writing and reading the model (a few seconds at scale).
            left = (time_limit - (time.monotonic() - started)) / (len(stages) - n)
            left = max(1.0, left - self.overhead)
            self.prob.setObjective(objective)
            if n == 0:
                self._start_from_nothing()
            # The previous stage's bookings (or none) start the search: a solution from the
            # first second, so a time limit never leaves the plan without one.
            result = _run(self.prob, left, name, warm=True)
            self.overhead = max(self.overhead, result.seconds - left)
            results.append(result)
            if result.objective is None:
                # No solution in time: keep the previous stage's bookings.
                for key, v in self.x.items():
                    v.setInitialValue(kept.get(key, 0))
                break
            kept = {key: round(v.value() or 0) for key, v in self.x.items()}
            if n == 0:
                # Keep the minimums' optimum (an integer) for the next stage.
                self.prob += objective <= round(result.objective), "keep_coverage"
        return results


def _run(prob: pulp.LpProblem, time_limit: float, name: str, warm: bool = False) -> StageResult:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=0, timeLimit=time_limit, logPath=str(log), warmStart=warm, keepFiles=False
        )
        started = time.monotonic()
        try:
            prob.solve(solver)
        except pulp.PulpSolverError:
            # CBC failed (killed, out of memory): no solution from this solve, never a 500.
            return StageResult(name, "Error", None, None, time.monotonic() - started)
        seconds = time.monotonic() - started
        text = log.read_text() if log.exists() else ""
    status = pulp.LpStatus[prob.status]
    if status == "Infeasible":
        # Never so: no bookings and the slack at what that leaves short is feasible whatever
        # the budget. CBC says so when it stopped (the time limit) before reading a solution.
        status = "Not Solved"
    value = pulp.value(prob.objective) if prob.status == pulp.LpStatusOptimal else None
    if value is None and prob.sol_status in (pulp.LpSolutionIntegerFeasible,):
        value = pulp.value(prob.objective)
    if value is None and status == "Optimal":
        value = 0.0
    # CBC's solution file says "Optimal" only when it proved it (presolve alone may solve a small
    # model and log no gap); "Stopped on time" gives an integer-feasible solution instead.
    proved = prob.sol_status == pulp.LpSolutionOptimal
    return StageResult(name, status, value, 0.0 if proved else _gap(text, value), seconds)


def _gap(log: str, value: float | None) -> float | None:
    """CBC's relative gap from its log: 0 when it proved the optimum."""
    if "Optimal solution found" in log or "Result - Optimal" in log:
        return 0.0
    found = re.search(r"Gap:\s+([-0-9.eE+]+)", log)
    if found:
        return abs(float(found.group(1)))
    bound = re.search(r"Lower bound:\s+([-0-9.eE+]+)", log)
    if bound and value is not None:
        return abs(value - float(bound.group(1))) / max(1.0, abs(value))
    return None


def _chosen(model: _Model) -> list[Proposal]:
    return sorted(
        (
            Proposal(pid, oid, model.offerings[oid].cost_pence)
            for (pid, oid), v in model.x.items()
            if (v.value() or 0) > 0.5
        ),
        key=lambda p: (model.offerings[p.offering_id].starts_on, p.person_id, p.offering_id),
    )


def _headcounts(data: PlanInput, chosen: list[Proposal]) -> dict[str, dict[date, int]]:
    offerings = {o.id: o for o in data.offerings}
    by_person = defaultdict(list)
    for p in chosen:
        by_person[p.person_id].append(offerings[p.offering_id])
    holders = _holders(data.people, {t.pair for t in data.targets})
    people = {p.id: p for p in data.people}
    booked = [people[pid] for pid in by_person if pid in people]
    out = {}
    for t in data.targets:
        counted = holders[t.pair] + [p for p in booked if t.pair not in p.pairs_held]
        out[t.label] = {
            m: sum(
                1
                for p in counted
                if p.in_unit_on(m, t.unit)
                and (
                    p.holds_on(t.pair, m)
                    or any(t.pair in o.granted() and o.counts_on(m) for o in by_person[p.id])
                )
            )
            for m in data.month_ends
        }
    return out


def solve(data: PlanInput) -> PlanResult:
    started = time.monotonic()
    model = _Model(data)
    # Most of the time for the plan; the rest for costing what the budget cannot close.
    stages = model.solve(max(1.0, data.time_limit * 0.5 - (time.monotonic() - started)))
    chosen = _chosen(model)
    after = _headcounts(data, chosen)
    variables, constraints = len(model.prob.variables()), len(model.prob.constraints)
    shortfalls = _shortfalls(data, model, after, started)
    return PlanResult(
        proposals=chosen,
        cost_pence=sum(p.cost_pence for p in chosen),
        shortfalls=shortfalls,
        stages=stages,
        variables=variables,
        constraints=constraints,
        seconds=time.monotonic() - started,
        headcount_before=_headcounts(data, []),
        headcount_after=after,
    )


def _short_from(data: PlanInput, after: dict[str, dict[date, int]]):
    for t in data.targets:
        short = [
            (m, t.minimums[m] - after[t.label][m])
            for m in data.month_ends
            if t.minimums.get(m) and after[t.label][m] < t.minimums[m]
        ]
        if short:
            yield t, short


def _shortfalls(data: PlanInput, model: _Model, after, started: float) -> list[Shortfall]:
    """Targets still short with the budget: what the cheapest plan with no money or places
    limit would book for each (the same model, the budget's rows taken out)."""
    short = list(_short_from(data, after))
    if not short:
        return []
    # The same model without the budget's rows, started from the plan within the budget.
    within = {(p.person_id, p.offering_id) for p in _chosen(model)}
    model = _Model(data, with_budget=False)
    for key, v in model.x.items():
        v.setInitialValue(1 if key in within else 0)
    # Each unit of shortfall outweighs any cost (normalised below 1).
    model.prob.setObjective(_sum(model.short.values()) + model.normalised_cost())
    left = max(2.0, data.time_limit - (time.monotonic() - started) - model.overhead)
    _run(model.prob, left, "no budget", warm=True)
    chosen = _chosen(model)
    unlimited = {t.label for t, _ in _short_from(data, _headcounts(data, chosen))}
    offerings = {o.id: o for o in data.offerings}
    people = {p.id: p for p in data.people}
    out = []
    for t, months in short:
        closing = [
            p
            for p in chosen
            if t.pair in offerings[p.offering_id].granted()
            and people[p.person_id].spell(t.unit) is not None
        ]
        out.append(
            Shortfall(
                target=t,
                first_short=months[0][0],
                worst=max(n for _, n in months),
                cost_to_close_pence=sum(p.cost_pence for p in closing),
                bookings_to_close=len(closing),
                closable=t.label not in unlimited,
            )
        )
    return out

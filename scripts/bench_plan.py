"""Benchmark the training plan solver (issue 16, point 5) on a synthetic unit of the largest
force's size: about 900 people, 11 targets, a 12-month horizon, 30 offerings.

    .venv/bin/python scripts/bench_plan.py [--people 900] [--seed 1] [--time-limit 60]

Prints the model's size, each stage's solve time, status and gap. Pure: no database.

From the register instead (a unit's or a force's plan, ``build_unit_plan`` or
``build_force_plan``, on a national seed): 30 offerings of activities evidencing the targets'
capabilities are added, open to the unit (or the force), inside a transaction that is rolled
back, so nothing is written:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/seed_national
    .venv/bin/python scripts/bench_plan.py --unit METROPOLITAN-CCU [--as-of YYYY-MM-DD]
    .venv/bin/python scripts/bench_plan.py --force metropolitan
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from skills.dates import add_months  # noqa: E402
from skills.plan.model import (  # noqa: E402
    NEVER,
    Budget,
    PlanInput,
    PlanOffering,
    PlanPerson,
    PlanTarget,
    solve,
)


def month_ends(as_of: date, n: int) -> list[date]:
    out, first = [], date(as_of.year, as_of.month, 1)
    for i in range(n + 1):
        end = add_months(first, i + 1) - timedelta(days=1)
        if end > as_of:
            out.append(end)
    return out[:n]


def synthetic(people: int, seed: int, time_limit: float) -> PlanInput:
    rng = random.Random(seed)
    as_of = date(2027, 1, 4)
    ends = month_ends(as_of, 12)
    caps = [f"CAP-{i:02d}" for i in range(11)]
    minimums = [rng.randint(5, 40) for _ in caps]
    share = [m / people * rng.uniform(0.9, 1.3) for m in minimums]
    persons = []
    for pid in range(1, people + 1):
        held = {}
        for cap, s in zip(caps, share, strict=True):
            if rng.random() < s:
                until = (
                    NEVER if rng.random() < 0.5 else as_of + timedelta(days=rng.randint(30, 700))
                )
                held[(cap, 2)] = held[(cap, 1)] = until
        leaves = as_of + timedelta(days=rng.randint(20, 360)) if rng.random() < 0.12 else None
        needs = frozenset((cap, rng.randint(1, 2)) for cap in rng.sample(caps, 2))
        persons.append(PlanPerson(pid, f"Person {pid}", held=held, leaves_on=leaves, needs=needs))
    targets = [
        PlanTarget(cap, 2, dict.fromkeys(ends, m)) for cap, m in zip(caps, minimums, strict=True)
    ]
    offerings = []
    for oid in range(1, 31):
        start = as_of + timedelta(days=rng.randint(7, 300))
        offerings.append(
            PlanOffering(
                id=oid,
                title=f"Offering {oid}",
                grants=((caps[oid % len(caps)], 2),),
                starts_on=start,
                ends_on=start + timedelta(days=rng.randint(0, 4)),
                places=rng.randint(6, 16),
                cost_pence=rng.randint(200, 3000) * 100,
                validity_months=rng.choice([None, 24, 36]),
            )
        )
    return PlanInput(
        as_of,
        ends,
        persons,
        targets,
        offerings,
        Budget(money_pence=60_000_00, per_person=2),
        time_limit=time_limit,
    )


class _Rollback(Exception):
    pass


def from_register(args) -> tuple[PlanInput, float]:
    """The plan's input from the database, with 30 offerings added (rolled back), and the
    seconds building it took."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"  # a throw-away key
    import django

    django.setup()
    from django.db import transaction

    from courses.models import ActivityCapability, Offering
    from people.models import Force, Unit
    from skills.plan.build import build_force_plan, build_unit_plan

    rng = random.Random(args.seed)
    budget = Budget(money_pence=60_000_00, per_person=2)
    out = {}
    try:
        with transaction.atomic():
            if args.force:
                where = Force.objects.get(code=args.force)
                build = build_force_plan
            else:
                where = Unit.objects.get(code=args.unit)
                build = build_unit_plan
            bare = build(where, as_of=args.as_of, horizon=12, time_limit=args.time_limit)
            owner = where if args.force else where.forces.first()
            pairs = sorted({t.pair for t in bare.targets})
            for n in range(30):
                code, level = pairs[n % len(pairs)]
                link = (
                    ActivityCapability.objects.filter(capability__code=code, level__gte=level)
                    .order_by("level", "activity__code")
                    .first()
                )
                if link is None:
                    continue
                start = args.as_of + timedelta(days=rng.randint(7, 300))
                offering = Offering.objects.create(
                    activity_id=link.activity_id,
                    starts_on=start,
                    ends_on=start + timedelta(days=rng.randint(0, 4)),
                    places=rng.randint(6, 16),
                    cost_pence=rng.randint(200, 3000) * 100,
                    owner_force=owner,
                )
                if args.force:
                    offering.open_to_forces.set([where])
                else:
                    offering.open_to_units.set([where])
            started = time.monotonic()
            out["data"] = build(
                where, as_of=args.as_of, horizon=12, budget=budget, time_limit=args.time_limit
            )
            out["seconds"] = time.monotonic() - started
            raise _Rollback
    except _Rollback:
        pass
    return out["data"], out["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=900)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--unit", help="a unit's code: its plan from the database")
    parser.add_argument("--force", help="a force's code: its plan from the database")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    if args.unit or args.force:
        data, built = from_register(args)
        print(f"input built from the register in {built:.2f} s")
    else:
        data = synthetic(args.people, args.seed, args.time_limit)
    started = time.monotonic()
    result = solve(data)
    total = time.monotonic() - started
    print(
        f"people {len(data.people)}, targets {len(data.targets)}, month ends "
        f"{len(data.month_ends)}, offerings {len(data.offerings)}"
    )
    print(f"model: {result.variables} variables, {result.constraints} constraints")
    for s in result.stages:
        gap = "unknown" if s.gap is None else f"{s.gap:.4f}"
        print(
            f"  stage {s.name}: {s.status}, objective {s.objective}, gap {gap}, {s.seconds:.2f} s"
        )
    print(
        f"proposals {len(result.proposals)}, cost £{result.cost_pence / 100:,.2f}, "
        f"targets still short {len(result.shortfalls)}"
    )
    print(f"solve {total:.2f} s (time limit {args.time_limit:.0f} s)")


if __name__ == "__main__":
    main()

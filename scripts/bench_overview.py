"""Times the coverage overview (skills/overview/services.py) for one force, one region and the whole
country, against the plainest SQL aggregate over the same rows, in the same run.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/coverage_bench  # or seed_national
    .venv/bin/python scripts/bench_overview.py [--repeat 3] [--as-of YYYY-MM-DD]
        [--force norfolk] [--region eastern]

Read-only: the overview and the aggregate only read, and each run sits in a transaction that
is rolled back. The overview and the floor take turns, ``--repeat`` times each. Prints units,
people, queries, the median seconds of ``build_overview`` (and of its Python CPU), the median
seconds of the SQL floor (one GROUP BY counting the verified, unexpired completions of the
people in each unit on the date, per unit × capability) and the ratio of the two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")  # a throw-away key

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from people.models import Force, Region, Unit  # noqa: E402
from skills.overview.services import build_overview  # noqa: E402

# Verified completions valid on D (date <= D < expiry, expiry from the record or the
# activity's validity), of people posted on D to the unit, per unit x capability.
FLOOR_SQL = """
SELECT p.unit_id, ac.capability_id, count(DISTINCT c.person_id)
FROM courses_completion c
JOIN courses_activity a ON a.id = c.activity_id
JOIN courses_activitycapability ac ON ac.activity_id = c.activity_id
JOIN people_posting p ON p.person_id = c.person_id
WHERE c.status = 'verified'
  AND c.completed_on <= %(d)s
  AND COALESCE(
        c.expires_on,
        CASE WHEN a.validity_months IS NULL THEN 'infinity'::date
             ELSE (c.completed_on + a.validity_months * interval '1 month')::date END
      ) > %(d)s
  AND p.start <= %(d)s AND (p."end" IS NULL OR p."end" >= %(d)s)
  AND p.unit_id = ANY(%(units)s)
GROUP BY p.unit_id, ac.capability_id
"""


class _Rollback(Exception):
    pass


def _timed(fn):
    """(result, queries, wall seconds, seconds of this process's CPU), rolled back."""
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = fn()
                seconds = time.perf_counter() - start
                cpu = time.process_time() - start_cpu
            raise _Rollback
    except _Rollback:
        pass
    return result, len(ctx.captured_queries), seconds, cpu


def _medians(fns, repeat: int):
    """Per function: (result, queries, median wall seconds, median CPU seconds). The functions
    take turns, so that a change in the machine's load weighs on each alike."""
    runs = [[_timed(fn) for fn in fns] for _ in range(repeat)]
    out = []
    for i in range(len(fns)):
        mine = [run[i] for run in runs]
        out.append(
            (
                mine[-1][0],
                mine[-1][1],
                statistics.median(m[2] for m in mine),
                statistics.median(m[3] for m in mine),
            )
        )
    return out


def _floor(unit_ids: list[int], as_of: date):
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"d": as_of, "units": unit_ids})
        return cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--force", default=None, help="force code (default: the median force)")
    parser.add_argument("--region", default=None, help="region code (default: eastern)")
    parser.add_argument("--largest", action="store_true", help="also the largest force")
    parser.add_argument("--only", choices=["force", "region", "national"], default=None)
    args = parser.parse_args()

    forces = sorted(Force.objects.all(), key=lambda f: f.people.count())
    force = Force.objects.get(code=args.force) if args.force else forces[len(forces) // 2]
    region = Region.objects.get(code=args.region or "eastern")
    cases = [
        (f"force: {force.name}", Unit.objects.filter(forces=force)),
        (f"region: {region.name}", Unit.objects.filter(region=region)),
        ("national: every unit", Unit.objects.all()),
    ]
    if args.largest:
        cases.insert(1, (f"force: {forces[-1].name}", Unit.objects.filter(forces=forces[-1])))
    if args.only:
        cases = [c for c in cases if c[0].startswith(args.only)]
    print(f"as of {args.as_of}; median of {args.repeat} runs; load average {os.getloadavg()}")
    header = (
        f"{'scope':<42} {'units':>5} {'people':>7} {'queries':>7} "
        f"{'overview s':>10} {'(Python CPU s)':>14} {'SQL floor s':>11} {'ratio':>6}"
    )
    print(header)
    for label, units in cases:
        units = list(units.distinct())
        unit_ids = [u.pk for u in units]
        (overview, queries, seconds, cpu), (_, _, floor, _) = _medians(
            [
                lambda units=units: build_overview(units, as_of=args.as_of),
                lambda ids=unit_ids: _floor(ids, args.as_of),
            ],
            args.repeat,
        )
        people = sum(r.people for r in overview.regions)
        print(
            f"{label:<42} {len(units):>5} {people:>7,} {queries:>7} "
            f"{seconds:>10.2f} {cpu:>14.2f} {floor:>11.2f} {seconds / floor:>6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

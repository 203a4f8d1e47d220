"""Times the unit resilience report at national scale against the plainest SQL floor.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/seed_national
    .venv/bin/python scripts/bench_coverage.py [--as-of YYYY-MM-DD] [--repeat 5] [--unit CODE]

Needs a database seeded with ``seed_demo --scale national`` at the current schema (a migrated
copy, ``createdb -T seed_national coverage_bench``, if the seed predates a migration; see
docs/benchmarks.md). Picks a unit of about 50 people, the largest unit of the largest force
and the largest unit in the country (or only the units given with ``--unit``), then for each,
after one warm-up run, takes the median of ``--repeat`` runs of:

- ``build_unit_report`` (with its query count, captured in the warm-up run);
- ``report_to_dict`` plus ``json.dumps``, timed separately;
- the floor: one raw SQL query fetching every row the engine must read at least once — the
  verified completions, dated on or before the as-of date, of the people posted to the unit
  (or a unit inside it) on that date, joined to the capabilities their activities evidence;
- a second, aggregate floor: the same rows reduced in SQL to a headcount per capability and
  level (completions still valid on the as-of date only).

Prints a Markdown table with the ratio of the engine to each floor. Read only: everything
runs in one transaction marked read only (PostgreSQL) or on a read-only connection (SQLite),
and is rolled back.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")  # a throw-away key

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from courses.models import Activity, ActivityCapability, Completion, Status  # noqa: E402
from people.models import Person, Posting, Unit  # noqa: E402
from skills.coverage import build_unit_report, report_to_dict  # noqa: E402

TARGET_SMALL = 50


class _Rollback(Exception):
    pass


def _median_seconds(
    fn: Callable[[], object], repeat: int, *, warm_up: bool = True
) -> tuple[float, float, object]:
    """One warm-up call, then the median wall-clock and CPU seconds (this process only) of
    ``repeat`` calls."""
    result = fn() if warm_up else None
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


# --- choosing units ------------------------------------------------------------------------


def _unit_sizes(as_of: date) -> dict[int, int]:
    """People posted to each unit or a unit inside it on ``as_of`` (a person posted to two
    units of one tree counts twice; good enough for choosing units)."""
    direct = dict(
        Posting.objects.current_on(as_of)
        .values("unit_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("unit_id", "n")
        .order_by()
    )
    return {
        pk: sum(direct.get(u, 0) for u in Unit.objects.descendant_ids([pk]))
        for pk in Unit.objects.values_list("pk", flat=True)
    }


def _choose_units(as_of: date, codes: list[str]) -> list[tuple[str, Unit]]:
    if codes:
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in units]
        if missing:
            raise SystemExit(f"No unit with code {', '.join(missing)}.")
        return [("chosen", units[c]) for c in codes]
    sizes = _unit_sizes(as_of)
    if not any(sizes.values()):
        raise SystemExit("No one is posted on that date: seed with `seed_demo --scale national`.")
    units = {u.pk: u for u in Unit.objects.all()}
    small = min(
        (pk for pk, n in sizes.items() if n), key=lambda pk: (abs(sizes[pk] - TARGET_SMALL), pk)
    )
    largest_force = (
        Person.objects.values("force_id").annotate(n=Count("pk")).order_by("-n").first()
    )["force_id"]
    force_units = Unit.objects.filter(forces=largest_force).values_list("pk", flat=True)
    in_force = max(force_units, key=lambda pk: (sizes.get(pk, 0), -pk))
    country = max(sizes, key=lambda pk: (sizes[pk], -pk))
    chosen = [
        (f"about {TARGET_SMALL} people", units[small]),
        ("largest of the largest force", units[in_force]),
    ]
    if country != in_force:
        chosen.append(("largest in the country", units[country]))
    else:
        chosen[-1] = ("largest of the largest force, largest in the country", units[in_force])
    return chosen


# --- the floors -----------------------------------------------------------------------------


def _floor_sql(unit_ids: list[int]) -> tuple[str, str]:
    """(fetch, aggregate) SQL over the rows the engine must read at least once."""
    comp = Completion._meta.db_table
    link = ActivityCapability._meta.db_table
    act = Activity._meta.db_table
    post = Posting._meta.db_table
    units = ", ".join(str(int(pk)) for pk in unit_ids)
    people = (
        f"SELECT p.person_id FROM {post} p WHERE p.unit_id IN ({units}) "
        "AND p.start <= %(as_of)s AND (p.end IS NULL OR p.end >= %(as_of)s)"
    )
    rows = (
        f"FROM {comp} c JOIN {link} ac ON ac.activity_id = c.activity_id "
        f"WHERE c.person_id IN ({people}) "
        "AND c.status = %(verified)s AND c.completed_on <= %(as_of)s"
    )
    fetch = f"SELECT c.person_id, ac.capability_id, ac.level, c.completed_on, c.expires_on {rows}"
    # Valid on D: the record's own expiry, else the activity's validity in months.
    if connection.vendor == "postgresql":
        lapses = "c.completed_on + make_interval(months => a.validity_months::int)"
    else:
        lapses = "date(c.completed_on, '+' || a.validity_months || ' months')"
    valid = (
        "AND (c.expires_on > %(as_of)s OR (c.expires_on IS NULL AND "
        f"(a.validity_months IS NULL OR {lapses} > %(as_of)s)))"
    )
    aggregate = (
        "SELECT ac.capability_id, ac.level, COUNT(DISTINCT c.person_id) "
        f"FROM {comp} c JOIN {link} ac ON ac.activity_id = c.activity_id "
        f"JOIN {act} a ON a.id = c.activity_id "
        f"WHERE c.person_id IN ({people}) "
        f"AND c.status = %(verified)s AND c.completed_on <= %(as_of)s {valid} "
        "GROUP BY ac.capability_id, ac.level"
    )
    return fetch, aggregate


def _run_sql(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- one unit ---------------------------------------------------------------------------------


def _bench_unit(unit: Unit, as_of: date, repeat: int) -> dict:
    # The warm-up run counts the queries.
    with CaptureQueriesContext(connection) as ctx:
        build_unit_report(unit, as_of=as_of)
    queries = len(ctx.captured_queries)
    engine, engine_cpu, report = _median_seconds(
        lambda: build_unit_report(unit, as_of=as_of), repeat, warm_up=False
    )
    to_json, _, text = _median_seconds(
        lambda: json.dumps(report_to_dict(report), indent=2, ensure_ascii=False), repeat
    )
    fetch_sql, aggregate_sql = _floor_sql(sorted(Unit.objects.descendant_ids([unit.pk])))
    params = {"as_of": as_of, "verified": Status.VERIFIED}
    fetch, _, rows = _median_seconds(lambda: _run_sql(fetch_sql, params), repeat)
    aggregate, _, _ = _median_seconds(lambda: _run_sql(aggregate_sql, params), repeat)
    return {
        "people": report.summary.people,
        "rows": len(rows),
        "queries": queries,
        "engine": engine,
        "engine_cpu": engine_cpu,
        "json": to_json,
        "json_bytes": len(text),
        "fetch": fetch,
        "aggregate": aggregate,
    }


def _read_only() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION READ ONLY")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="the reports' as-of date (default: today)",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs after a warm-up (default: 5)"
    )
    parser.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="CODE",
        help="time this unit instead of the chosen ones (repeatable)",
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    results = []
    try:
        with transaction.atomic():
            _read_only()
            chosen = _choose_units(args.as_of, args.unit)
            total_people = Person.objects.count()
            total_completions = Completion.objects.count()
            for label, unit in chosen:
                print(f"… {unit.code}", file=sys.stderr, flush=True)
                results.append((label, unit, _bench_unit(unit, args.as_of, args.repeat)))
            raise _Rollback
    except _Rollback:
        pass

    db = connection.vendor
    with connection.cursor() as cursor:
        if db == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        elif db == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"{db}; Python {platform.python_version()}; {os.cpu_count()} CPUs (load {load}); "
        f"{total_people:,} people, {total_completions:,} completions; "
        f"as of {args.as_of.isoformat()}; median of {args.repeat} after a warm-up\n"
    )
    print(
        "| unit | people | floor rows | queries | engine s (CPU s) | to_dict + JSON s (MB) "
        "| floor: fetch s | floor: aggregate s | engine ÷ fetch | engine ÷ aggregate |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, unit, r in results:
        print(
            f"| {unit.code} ({label}) | {r['people']:,} | {r['rows']:,} | {r['queries']} "
            f"| {r['engine']:.3f} ({r['engine_cpu']:.3f}) "
            f"| {r['json']:.3f} ({r['json_bytes'] / 1e6:.1f}) "
            f"| {r['fetch']:.3f} | {r['aggregate']:.3f} "
            f"| {r['engine'] / r['fetch']:.1f}× | {r['engine'] / r['aggregate']:.1f}× |"
        )


if __name__ == "__main__":
    main()

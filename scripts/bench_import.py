"""Times importing 100,000 lab completions through the command path (preview, apply, re-apply).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/bench_import.py [--rows N]

Needs a migrated database with the catalogue loaded (``make demo`` or ``load_catalogue``).
Creates, if missing, a "bench" force with a unit, --people people and a coordinator, then
writes a platform export of --rows rows to a temporary file. Earlier bench completions are
removed first so each run creates the same number of rows. Prints rows, seconds and peak
memory (the process's peak RSS, and with --tracemalloc the Python heap peak).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")  # a throw-away key

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from courses.models import Activity, ActivityKind, Completion  # noqa: E402
from people.models import (  # noqa: E402
    Force,
    Grant,
    Person,
    PersonType,
    Posting,
    Region,
    Role,
    Unit,
    User,
)
from skills.models import RoleProfile  # noqa: E402

COORDINATOR = "bench.coordinator@bench.police.uk"


def ensure_people(count: int) -> list[str]:
    """Emails of ``count`` bench people in the bench force, created in bulk if missing."""
    region = Region.objects.order_by("pk").first() or Region.objects.create(
        code="bench", name="Bench region"
    )
    force, _ = Force.objects.get_or_create(
        code="bench", defaults={"name": "Bench Constabulary", "region": region}
    )
    unit, created = Unit.objects.get_or_create(
        code="BENCH-CCU",
        defaults={
            "name": "Bench cyber crime unit",
            "kind": "force cyber crime unit",
            "region": region,
        },
    )
    if created:
        unit.forces.add(force)
    role = RoleProfile.objects.order_by("pk").first()
    have = set(Person.objects.filter(force=force).values_list("staff_number", flat=True))
    new = [
        Person(
            force=force,
            staff_number=f"B{n:06d}",
            person_type=PersonType.OFFICER,
            first_name="Bench",
            last_name=f"Person {n}",
            email=f"bench{n}@bench.police.uk",
        )
        for n in range(count)
        if f"B{n:06d}" not in have
    ]
    Person.objects.bulk_create(new, batch_size=2000)
    if new and role:
        Posting.objects.bulk_create(
            [
                Posting(person=p, unit=unit, role_profile=role, start=date(2020, 1, 1))
                for p in Person.objects.filter(pk__in=[p.pk for p in new if p.pk])
            ],
            batch_size=2000,
        )
    user, _ = User.objects.get_or_create(email=COORDINATOR)
    Grant.objects.get_or_create(user=user, role=Role.COORDINATOR, force=force)
    return [f"bench{n}@bench.police.uk" for n in range(count)]


def write_export(path: Path, emails: list[str], labs: list[Activity], rows: int) -> None:
    """One row per (person, lab, day), every key distinct, as a platform would export."""
    base = date.today() - timedelta(days=30)
    per_day = len(emails) * len(labs)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["User Email", "Lab ID", "Lab Name", "Completed At", "Points"])
        for k in range(rows):
            person = emails[k % len(emails)]
            lab = labs[(k // len(emails)) % len(labs)]
            day = base - timedelta(days=k // per_day)
            writer.writerow([person, lab.code, lab.title, f"{day.isoformat()}T12:00:00Z", 100])


def timed(label: str, args: list[str], use_tracemalloc: bool) -> tuple[float, int]:
    if use_tracemalloc:
        tracemalloc.start()
    queries_before = len(connection.queries)
    started = time.perf_counter()
    out = StringIO()
    call_command("import_records", *args, stdout=out, stderr=out)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else 0
    if use_tracemalloc:
        tracemalloc.stop()
    summary = out.getvalue().splitlines()[0] if out.getvalue() else ""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = f"{label:<10} {seconds:8.1f} s   peak RSS {rss:7.0f} MB"
    if use_tracemalloc:
        line += f"   Python heap peak {peak / 1024 / 1024:6.0f} MB"
    del queries_before
    print(f"{line}   {summary[:90]}")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="Also measure the Python heap peak (slower)."
    )
    options = parser.parse_args()

    labs = list(Activity.objects.filter(kind=ActivityKind.LAB).order_by("code"))
    if not labs:
        sys.exit("No lab activities: load the catalogue first (manage.py load_catalogue).")
    emails = ensure_people(options.people)
    removed = Completion.objects.filter(person__force__code="bench")
    Completion.history.filter(person__force__code="bench").delete()
    removed.delete()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "platform_export.csv"
        write_export(path, emails, labs, options.rows)
        size = path.stat().st_size
        print(
            f"Database: {connection.vendor}; {options.rows:,} rows, {size / 1024 / 1024:.1f} MB "
            f"CSV, {len(emails):,} people, {len(labs)} labs"
        )
        common = ["labs", str(path), "--by", COORDINATOR]
        timed("preview", [*common, "--dry-run"], options.tracemalloc)
        timed("apply", common, options.tracemalloc)
        timed("re-apply", common, options.tracemalloc)
    created = Completion.objects.filter(person__force__code="bench").count()
    print(f"Lab completions stored for bench people: {created:,}")


if __name__ == "__main__":
    main()

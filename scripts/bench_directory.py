"""Times a skills-directory search at national scale: queries and seconds.

    createdb -h 127.0.0.1 -U postgres -T seed_national directory_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/directory_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python scripts/bench_directory.py [--repeat 3]

Runs on a copy of the national seed (``seed_demo --scale national``) because a search writes
its log line; every search here also runs inside a transaction that is rolled back, so the
copy is left as it was. Prints people listed, results, queries and seconds per search.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")  # a throw-away key

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from people.directory import services as directory  # noqa: E402
from people.models import Grant, Person, PersonType, Region, Role, User  # noqa: E402
from skills.models import Capability  # noqa: E402


class _Rollback(Exception):
    pass


def _searcher() -> User:
    grant = Grant.objects.active().filter(role=Role.NATIONAL_LEAD).select_related("user").first()
    if grant:
        return grant.user
    user = User.objects.filter(is_superuser=True).first()
    if user is None:
        raise SystemExit("No national lead or administrator to search as.")
    return user


def _time(user, filters, repeat: int):
    seconds, queries, results = [], 0, 0
    for _ in range(repeat):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    entries = directory.search_directory(user=user, filters=filters)
                    seconds.append(time.perf_counter() - start)
                queries, results = len(ctx.captured_queries), len(entries)
                raise _Rollback
        except _Rollback:
            pass
    return results, queries, statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    user = _searcher()
    people = Person.objects.count()
    listed = directory.listed_people().count()
    netinv = Capability.objects.get(code="NETWORK-INVESTIGATION")
    south_east = Region.objects.filter(code="south-east").first()
    cases = [
        ("everyone listed", directory.DirectoryFilter()),
        ("NETWORK-INVESTIGATION ≥ 2", directory.DirectoryFilter(capability=netinv, level=2)),
        (
            "NETWORK-INVESTIGATION ≥ 2, specials, South East",
            directory.DirectoryFilter(
                capability=netinv,
                level=2,
                person_type=PersonType.SPECIAL,
                region_id=south_east.pk if south_east else None,
            ),
        ),
        ("function Pursue", directory.DirectoryFilter(function="pursue")),
    ]
    print(f"people on the register: {people:,}; listed in the directory: {listed:,}")
    print(f"{'search':<50} {'results':>8} {'queries':>8} {'seconds':>8}")
    for label, filters in cases:
        results, queries, seconds = _time(user, filters, args.repeat)
        print(f"{label:<50} {results:>8,} {queries:>8} {seconds:>8.2f}")


if __name__ == "__main__":
    main()

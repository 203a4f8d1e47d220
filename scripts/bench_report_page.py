"""Times the unit report page (not a test): the whole Django request in this process, with
production settings (DEBUG off), for a signed-in user, median of ``--repeat`` runs after a
warm-up. Prints seconds, the page's size and how many checkboxes it draws.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python scripts/bench_report_page.py --unit NOR-CCU [--unit CODE ...] \\
        [--user national.lead@register.local] [--as-of YYYY-MM-DD] [--query "without=12"]

Figures go in docs/benchmarks.md ("Unit report page").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench_setup import signed_in_client, start_django_for_production

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", action="append", required=True)
    parser.add_argument("--user", default="national.lead@register.local")
    parser.add_argument("--as-of", default="")
    parser.add_argument("--query", default="", help="more of the query string, e.g. without=12")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--engine",
        action="store_true",
        help="also time build_unit_report alone (the page's cost is the rest)",
    )
    args = parser.parse_args()

    start_django_for_production()
    client = signed_in_client(args.user)
    query = "&".join(q for q in (f"as_of={args.as_of}" if args.as_of else "", args.query) if q)
    for code in args.unit:
        url = f"/units/{code}/report/" + (f"?{query}" if query else "")
        times = []
        for i in range(args.repeat + 1):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            took = time.perf_counter() - start
            if response.status_code != 200:
                print(f"{code}: HTTP {response.status_code}")
                break
            if i:  # the first run warms caches (templates, the catalogue)
                times.append(took)
        else:
            body = response.content
            boxes = body.count(b'type="checkbox"')
            print(
                f"{code}: median {statistics.median(times):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}), "
                f"{len(body) / 1e6:.2f} MB, {boxes} checkboxes"
            )
        if args.engine:
            from django.utils import timezone

            from people.models import Unit
            from skills.coverage import build_unit_report

            unit = Unit.objects.get(code=code)
            engine = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                build_unit_report(unit, as_of=timezone.localdate())
                engine.append(time.perf_counter() - start)
            print(f"{code}: build_unit_report alone, median {statistics.median(engine):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

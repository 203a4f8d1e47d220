"""Times whole pages in this process (not a test): each URL's Django request with production
settings (DEBUG off), for a signed-in user, median of ``--repeat`` runs after a warm-up.
Prints seconds, the status and the page's size. Like scripts/bench_report_page.py, for any
GET URL (no gunicorn, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python scripts/bench_pages.py --url /coverage/ \\
        --url /coverage/expectations/ --url "/coverage/trend/?force=metropolitan" \\
        [--user national.lead@register.local] [--repeat 5]

A page that redirects (a large scope's trend goes to the background worker) is reported with
its status and where it redirects to, and not timed further. Read-only apart from the
session and what the pages themselves write (a trend job, if one is queued).

Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench_setup import signed_in_client, start_django_for_production

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--user", default="national.lead@register.local")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start_django_for_production()
    client = signed_in_client(args.user)
    print(f"as {args.user}; median of {args.repeat} after a warm-up; load {os.getloadavg()}")
    for url in args.url:
        times = []
        for i in range(args.repeat + 1):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            took = time.perf_counter() - start
            if response.status_code != 200:
                where = response.get("Location", "")
                print(f"{url}: HTTP {response.status_code} {where} after {took:.2f} s", flush=True)
                break
            if i:  # the first run warms caches (templates, the catalogue)
                times.append(took)
            else:
                print(f"{url}: warm-up {took:.2f} s", flush=True)
        else:
            print(
                f"{url}: median {statistics.median(times):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}), "
                f"{len(response.content) / 1e6:.2f} MB; load {os.getloadavg()}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Times a unit report's PDF in this process (not a test), the way the background worker draws
it (skills/jobs/services.py ``_draw``): the report built for a user with the report form's
default query, seen as that user, then ``render_report(report, "pdf")``. Production settings
(DEBUG off). Prints, per run, the seconds to build the report and to draw the PDF, the PDF's
size and page count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \\
        timeout 600 .venv/bin/python scripts/bench_report_pdf.py --unit NORTH-YORKSHIRE-CCU \\
        [--unit CODE ...] [--user national.lead@register.local] [--repeat 3] [--output DIR]

Read-only. Bound it with ``timeout``: xhtml2pdf takes seconds per page. Figures go in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench_setup import start_django_for_production

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", action="append", required=True)
    parser.add_argument("--user", default="national.lead@register.local")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default="", help="write each PDF into this directory")
    args = parser.parse_args()

    start_django_for_production()
    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from people.models import Unit
    from skills.report import query as report_query
    from skills.report import renderers

    user = get_user_model().objects.get(email=args.user)
    print(f"as {args.user}; {args.repeat} runs; load {os.getloadavg()}", flush=True)
    for code in args.unit:
        unit = Unit.objects.visible_to(user).get(code=code)
        builds, draws = [], []
        for i in range(args.repeat):
            start = time.perf_counter()
            form, today = report_query.report_form(user, QueryDict(""), unit)
            report = report_query.report_for(form, unit, today)
            report, _ = report_query.as_seen_by(user, report, unit)
            built = time.perf_counter()
            rendered = renderers.render_report(report, "pdf", leavers=report_query.leavers(form))
            drawn = time.perf_counter()
            builds.append(built - start)
            draws.append(drawn - built)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", rendered.content))
            print(
                f"{code} run {i + 1}: {report.summary.people} people, build {built - start:.2f} s,"
                f" PDF {drawn - built:.2f} s, {len(rendered.content) / 1e6:.2f} MB,"
                f" {pages} pages; load {os.getloadavg()}",
                flush=True,
            )
            if args.output:
                Path(args.output, rendered.filename).write_bytes(rendered.content)
        print(
            f"{code}: median build {statistics.median(builds):.2f} s, PDF "
            f"{statistics.median(draws):.2f} s, total "
            f"{statistics.median(b + d for b, d in zip(builds, draws, strict=True)):.2f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Writes a unit's resilience report (DESIGN.md, interfaces). Thin: parse, call the engine,
hand the report to a renderer."""

from __future__ import annotations

import importlib
import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from people.models import Person, Unit
from skills.coverage import (
    MAX_HORIZON,
    PlannedCompletion,
    WhatIf,
    build_unit_report,
    report_to_dict,
)

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
BINARY_FORMATS = {"xlsx", "pdf"}
PLANNED_PATTERN = re.compile(r"^(?P<code>[^:]+):(?P<people>[\d,\s]+):(?P<day>\d{4}-\d{2}-\d{2})$")


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{what}: {value!r} is not a date in the form YYYY-MM-DD.") from None


def _renderer(fmt: str):
    """``render(report, leavers) -> bytes`` for a format, from skills.report.renderers; None if that
    module cannot be loaded (JSON then still works, straight from the engine's data)."""
    try:
        renderers = importlib.import_module("skills.report.renderers")
    except ImportError:
        if fmt != "json":
            return None
        return lambda report, leavers: _json(report)
    return lambda report, leavers: renderers.render_report(report, fmt, leavers=leavers).content


def _json(report) -> bytes:
    return (json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n").encode()


class Command(BaseCommand):
    help = (
        "Write the resilience report of a unit as of a date. The JSON shape is documented in "
        "docs/report-json.md. What-if options recompute without writing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("unit_code", help="The unit's code, e.g. NSJ-CCU.")
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today.")
        parser.add_argument(
            "--horizon", type=int, default=12, help=f"Forecast months, 0–{MAX_HORIZON} (12)."
        )
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--output", help="File to write; default standard output.")
        parser.add_argument(
            "--without",
            nargs="+",
            type=int,
            default=[],
            metavar="PERSON_ID",
            help="What-if: as if these people left.",
        )
        parser.add_argument(
            "--fund-ends",
            action="append",
            default=[],
            metavar="FUND=YYYY-MM-DD",
            help="What-if: as if the fund (by code) ended on this date. Repeatable.",
        )
        parser.add_argument(
            "--planned",
            action="append",
            default=[],
            metavar="ACTIVITY_CODE:PERSON_ID,PERSON_ID:YYYY-MM-DD",
            help="What-if: as if these people completed the activity on the date. Repeatable.",
        )

    def handle(self, *args, **options):
        unit = (
            Unit.objects.select_related("parent")
            .prefetch_related("forces")
            .filter(code=options["unit_code"])
            .first()
        )
        if unit is None:
            raise CommandError(f"No unit with code {options['unit_code']!r}.")
        as_of = _parse_date(options["as_of"], "--as-of") if options["as_of"] else date.today()
        horizon = options["horizon"]
        if not 0 <= horizon <= MAX_HORIZON:
            raise CommandError(f"--horizon must be between 0 and {MAX_HORIZON} months.")
        what_if = self._what_if(options)

        fmt = options["format"]
        render = _renderer(fmt)
        if render is None:
            raise CommandError(
                f"The {fmt} format is not yet available; use --format json.", returncode=2
            )

        try:
            report = build_unit_report(unit, as_of=as_of, horizon=horizon, what_if=what_if)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        content = render(report, self._leavers(what_if))
        if isinstance(content, str):
            content = content.encode()
        if options["output"]:
            with open(options["output"], "wb") as fh:
                fh.write(content)
        elif fmt in BINARY_FORMATS:
            raise CommandError(f"--format {fmt} needs --output FILE.")
        else:
            self.stdout.write(content.decode(), ending="")

    def _leavers(self, what_if: WhatIf | None) -> dict[int, str]:
        """Names of the people the what-if removes, for the PDF, HTML, CSV and XLSX."""
        if not what_if or not what_if.without_people:
            return {}
        people = Person.objects.filter(pk__in=what_if.without_people).select_related("force")
        return {p.pk: f"{p.full_name}, {p.staff_number} ({p.force.name})" for p in people}

    def _what_if(self, options) -> WhatIf | None:
        fund_ends = {}
        for value in options["fund_ends"]:
            code, sep, day = value.partition("=")
            if not sep or not code:
                raise CommandError(f"--fund-ends: {value!r} is not FUND=YYYY-MM-DD.")
            fund_ends[code.strip()] = _parse_date(day.strip(), "--fund-ends")
        planned = []
        for value in options["planned"]:
            match = PLANNED_PATTERN.match(value.strip())
            if not match:
                raise CommandError(
                    f"--planned: {value!r} is not ACTIVITY_CODE:PERSON_ID,PERSON_ID:YYYY-MM-DD."
                )
            ids = frozenset(int(p) for p in match["people"].split(",") if p.strip())
            planned.append(
                PlannedCompletion(
                    activity_code=match["code"],
                    person_ids=ids,
                    completed_on=_parse_date(match["day"], "--planned"),
                )
            )
        what_if = WhatIf(
            without_people=frozenset(options["without"]),
            fund_ends=fund_ends,
            planned=tuple(planned),
        )
        return what_if or None

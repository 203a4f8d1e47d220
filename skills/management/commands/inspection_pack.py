"""Writes the inspection pack (PDF) of a force or a region. Thin: parse, build, render, write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from people.models import Force, Region
from skills.evaluation.pack import build_force_pack, build_region_pack, render_pack_pdf


class Command(BaseCommand):
    help = (
        "Write the inspection pack of a force (or, with --region, a region) as one PDF: "
        "summary, expectation-by-expectation evidence, each unit's resilience and forecast "
        "cliff dates, and the specials and volunteers evaluation."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="The force's code (or the region's, with --region).")
        parser.add_argument("--region", action="store_true", help="CODE names a region.")
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today.")
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, code, region, as_of, output, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date like 2025-03-31.") from None
        if region:
            found = Region.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"No region with code {code!r}.")
            pack = build_region_pack(found, as_of=day)
        else:
            found = Force.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"No force with code {code!r}.")
            pack = build_force_pack(found, as_of=day)
        Path(output).write_bytes(render_pack_pdf(pack))
        self.stdout.write(f"Wrote the inspection pack of {pack.name} as of {day} to {output}")

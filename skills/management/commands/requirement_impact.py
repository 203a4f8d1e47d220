"""``python manage.py requirement_impact``: the impact of draft or scheduled requirement and
target versions, or of a catalogue not yet loaded, on units or forces (skills/impact/services.py).

    manage.py requirement_impact --target 12 --unit NOR-CCU
    manage.py requirement_impact --catalogue skills/catalogue --effective 2027-04-01 --force norfolk

Nothing is written: the catalogue is loaded as drafts in a transaction rolled back."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.access import units_of_force
from people.models import Force, Unit
from skills.catalogue import FILES as CATALOGUE_FILES
from skills.catalogue import CatalogueError
from skills.coverage import MAX_HORIZON
from skills.impact.services import (
    CSV_HEADER,
    ImpactError,
    impact_of_catalogue,
    impact_of_versions,
    impact_rows,
    impact_to_dict,
)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{option} {text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "The impact of draft or scheduled requirement/target versions (by id), or of a "
        "catalogue directory or file not yet loaded (--catalogue with --effective), on units "
        "or forces: status changes, targets made short, single points of failure, compliance "
        "before and after, and the training that would close the gap. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requirement", type=int, action="append", default=[], metavar="ID")
        parser.add_argument("--target", type=int, action="append", default=[], metavar="ID")
        parser.add_argument("--catalogue", type=Path, metavar="DIR_OR_FILE")
        parser.add_argument("--effective", metavar="YYYY-MM-DD")
        parser.add_argument("--unit", action="append", default=[], metavar="CODE")
        parser.add_argument("--force", action="append", default=[], metavar="CODE")
        parser.add_argument(
            "--on", metavar="YYYY-MM-DD", help="As of (default: the date it takes effect)."
        )
        parser.add_argument("--horizon", type=int, default=12)
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", type=Path, metavar="FILE")

    def handle(self, *args, **o):
        units = self._units(o["unit"], o["force"])
        on = _day(o["on"], "--on") if o["on"] else None
        if not 0 <= o["horizon"] <= MAX_HORIZON:
            raise CommandError(f"--horizon must be between 0 and {MAX_HORIZON}.")
        try:
            if o["catalogue"] is not None:
                if o["requirement"] or o["target"]:
                    raise CommandError("Give versions by id or --catalogue, not both.")
                if not o["effective"]:
                    raise CommandError("--catalogue needs --effective YYYY-MM-DD.")
                effective = _day(o["effective"], "--effective")
                impact = self._catalogue(o["catalogue"], effective, units, on, o["horizon"])
            else:
                impact = impact_of_versions(
                    o["requirement"], o["target"], units=units, on=on, horizon=o["horizon"]
                )
        except (ImpactError, CatalogueError) as exc:
            raise CommandError(str(exc)) from exc
        text = self._render(impact, o["format"])
        if o["output"]:
            o["output"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Impact written to {o['output']}")
        else:
            self.stdout.write(text, ending="")

    def _units(self, unit_codes, force_codes):
        if not (unit_codes or force_codes):
            raise CommandError("Say which units: --unit CODE or --force CODE (repeatable).")
        found = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
        missing = sorted(set(unit_codes) - set(found))
        forces = {f.code: f for f in Force.objects.filter(code__in=force_codes)}
        missing += sorted(set(force_codes) - set(forces))
        if missing:
            raise CommandError(f"No unit or force with code {', '.join(missing)}.")
        units = dict(found)
        for force in forces.values():
            units.update({u.code: u for u in units_of_force(force)})
        return list(
            Unit.objects.filter(pk__in=[u.pk for u in units.values()]).prefetch_related("forces")
        )

    @staticmethod
    def _catalogue(path: Path, effective, units, on, horizon):
        if path.is_file():
            # One catalogue file: loaded on its own, as a directory holding just it.
            if path.name not in CATALOGUE_FILES:
                raise CommandError(
                    f"{path.name} is not a catalogue file's name: name it one of "
                    f"{', '.join(CATALOGUE_FILES)} (skills/catalogue/README)."
                )
            with tempfile.TemporaryDirectory() as tmp:
                shutil.copy(path, Path(tmp) / path.name)
                return impact_of_catalogue(
                    Path(tmp), effective=effective, units=units, on=on, horizon=horizon
                )
        return impact_of_catalogue(path, effective=effective, units=units, on=on, horizon=horizon)

    @staticmethod
    def _render(impact, fmt) -> str:
        if fmt == "json":
            return json.dumps(impact_to_dict(impact), indent=2) + "\n"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(impact_rows(impact))
        return out.getvalue()

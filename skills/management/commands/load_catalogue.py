"""``python manage.py load_catalogue [--path DIR] [--effective YYYY-MM-DD [--draft]]``: load
the shipped catalogue (or another directory of catalogue files) and print what changed.

Requirements and targets are versioned (docs/planning.md): ``--effective`` makes a changed
entry a new version from that date (an entry gone from the file, a retired one); ``--draft``
makes those versions drafts, whose impact can be looked at before they are adopted."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skills.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--effective {text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Load the catalogue (inspections, expectations, capabilities, role profiles, "
        "activities, targets) from YAML files. Loading twice changes nothing; nothing is "
        "deleted. A catalogue with any problem loads nothing. A changed requirement or "
        "target becomes a new version from --effective; without it, a change to a version "
        "that has counted is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=None,
            metavar="DIR",
            help=f"Directory of catalogue files (default: {CATALOGUE_DIR}).",
        )
        parser.add_argument(
            "--effective",
            default=None,
            metavar="YYYY-MM-DD",
            help="The date changed requirements and targets take effect: each becomes a new "
            "version from it, and an entry gone from the file a retired version.",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Make the new versions drafts (counted nowhere until adopted); needs --effective.",
        )

    def handle(self, *args, path=None, effective=None, draft=False, **options):
        day = _day(effective) if effective else None
        if draft and day is None:
            raise CommandError("--draft needs --effective YYYY-MM-DD: the date it would count.")
        try:
            result = load_catalogue(path, effective=day, draft=draft)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        how = ""
        if day:
            how = f"; changed requirements and targets as {'drafts' if draft else 'versions'} "
            how += f"from {day.isoformat()}"
        self.stdout.write(f"Catalogue loaded from {result.directory}{how}")
        for line in result.summary():
            self.stdout.write(line)

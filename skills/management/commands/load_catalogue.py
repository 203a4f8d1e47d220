"""``python manage.py load_catalogue [--path DIR]``: load the shipped catalogue (or another
directory of catalogue files) and print what changed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skills.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Load the catalogue (inspections, expectations, capabilities, role profiles, "
        "activities, targets) from YAML files. Loading twice changes nothing; nothing is "
        "deleted. A catalogue with any problem loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=None,
            metavar="DIR",
            help=f"Directory of catalogue files (default: {CATALOGUE_DIR}).",
        )

    def handle(self, *args, path=None, **options):
        try:
            result = load_catalogue(path)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Catalogue loaded from {result.directory}")
        for line in result.summary():
            self.stdout.write(line)

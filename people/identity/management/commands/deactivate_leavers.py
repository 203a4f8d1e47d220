from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from people.identity.leavers import deactivate_leavers


class Command(BaseCommand):
    help = (
        "Switch off the logins of people whose last posting has ended and who hold no grant "
        "(run daily; records and history are kept; docs/identity.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today")
        parser.add_argument("--dry-run", action="store_true", help="list them, change nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--as-of must be a date like 2025-03-31, not {as_of!r}") from error
        people = deactivate_leavers(as_of=day, dry_run=dry_run)
        verb = "would switch off" if dry_run else "switched off"
        for person in people:
            self.stdout.write(f"{verb}: {person} <{person.user.email}>")
        self.stdout.write(f"{len(people)} login(s) {verb} as of {day:%Y-%m-%d}")

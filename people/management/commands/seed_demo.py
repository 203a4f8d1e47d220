"""``python manage.py seed_demo [--scale demo|national] [--today YYYY-MM-DD] [--people N]``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from people.management.demo import DEMO_PASSWORD, NATIONAL_PEOPLE, seed_demo, seed_national


class Command(BaseCommand):
    help = (
        "Load the catalogue, then demo data: a small deterministic register dated relative to "
        "--today (default), or --scale national (about 200,000 people, bulk-inserted, for "
        "benchmarks). Running it again changes nothing. There is no --reset: nothing is ever "
        "deleted automatically; start from an empty database to reload."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "national"], default="demo")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The date the data is built around (default: today).",
        )
        parser.add_argument(
            "--people",
            type=int,
            default=None,
            metavar="N",
            help=f"National scale only: how many people (default {NATIONAL_PEOPLE:,}).",
        )

    def handle(self, *args, scale, today, people, **options):
        if scale == "demo":
            if people is not None:
                raise CommandError("--people applies only to --scale national")
            result = seed_demo(today=today)
        else:
            if people is not None and people < 100:
                raise CommandError("--people must be at least 100")
            result = seed_national(
                today=today, people=people or NATIONAL_PEOPLE, progress=self.stdout.write
            )
        if result.skipped:
            self.stdout.write(result.skipped)
            if result.logins:
                self._print_logins(result.logins)
            return
        for name, count in result.created.items():
            self.stdout.write(f"{name:>12}: {count:>10,} created")
        self.stdout.write(f"Finished in {result.seconds:.1f} s")
        if result.logins:
            self._print_logins(result.logins)

    def _print_logins(self, logins):
        width = max(len(login.email) for login in logins)
        role_width = max(len(login.role) for login in logins)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"{'email':<{width}}  {'role':<{role_width}}  sees")
        for login in logins:
            self.stdout.write(f"{login.email:<{width}}  {login.role:<{role_width}}  {login.sees}")

"""Emails today's training reminders and coordinator digests (docs/reminders.md)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from people.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email each person whose requirement expires within 90 or 30 days, expired today or "
        "falls due within 30 days, each coordinator a digest of their scope, and each inspection "
        "action plan's owner their actions due within 14 days or overdue. Meant for a "
        "daily scheduler; rerunning on the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", help="The day to run for, YYYY-MM-DD (default today).", default=None
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the sending for the background worker (docs/jobs.md) and return.",
        )

    def handle(self, *args, as_of=None, background=False, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as error:
            raise CommandError("Give --as-of as YYYY-MM-DD, for example 2025-03-31.") from error
        if background:
            from courses.jobs import start_reminders

            job = start_reminders(as_of=day)
            self.stdout.write(f"{day.isoformat()}: reminders queued as job {job.pk}.")
            return
        outcome = send_reminders(as_of=day)
        self.stdout.write(
            f"{day.isoformat()}: {outcome.items} reminders due, {outcome.reminders_recorded} new "
            f"recorded; {outcome.people_emailed} people emailed, {outcome.without_email} without "
            f"an email address; {outcome.digests} coordinator digests sent; "
            f"{outcome.action_reminders} inspection action reminders to {outcome.owners_emailed} "
            "owners."
        )
        for failure in outcome.failures:
            self.stderr.write(f"Failed: {failure}")
        if outcome.failures:
            raise CommandError(f"{len(outcome.failures)} emails failed; rerun to retry them.")

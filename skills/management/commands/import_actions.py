"""python manage.py import_actions FILE [--dry-run] --by EMAIL"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.imports.services import ImportFileError, ImportHasErrors
from skills.actions.services import import_actions, preview_actions


class Command(BaseCommand):
    help = (
        "Imports inspection actions from a CSV or XLSX file: all rows or none, idempotent "
        "(docs/actions.md). Exits non-zero on a bad file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            required=True,
            help="The coordinator or chief officer doing the import; changes are theirs.",
        )

    def handle(self, *args, file, dry_run, by, **options):
        user = get_user_model().objects.filter(email__iexact=by.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with email {by}")
        if not file.is_file():
            raise CommandError(f"No file at {file}")
        with file.open("rb") as fileobj:
            try:
                if dry_run:
                    preview = preview_actions(fileobj, filename=file.name, user=user)
                else:
                    result = import_actions(fileobj, filename=file.name, user=user)
            except ImportHasErrors as exc:
                self._write_preview(exc.preview)
                raise CommandError(
                    f"Nothing was imported: {len(exc.preview.errors)} problem(s) listed above"
                ) from exc
            except ImportFileError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        if dry_run:
            self._write_preview(preview)
            if preview.errors:
                raise CommandError(f"{len(preview.errors)} problem(s): fix them before importing")
            self.stdout.write("Dry run: nothing was written.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.filename}: {result.rows} rows, {result.created} created, "
                f"{result.changed} changed, {result.unchanged} left alone."
            )
        )

    def _write_preview(self, preview):
        self.stdout.write(
            f"{preview.filename}: {preview.rows} rows — {preview.created} to create, "
            f"{preview.changed} to change, {preview.unchanged} left alone, "
            f"{len(preview.errors)} problem(s)."
        )
        for line in preview.to_create + preview.to_change:
            self.stdout.write(f"  {line}")
        for error in preview.errors:
            self.stdout.write(f"  {error}")

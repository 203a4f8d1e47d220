"""python manage.py import_records {people,completions,labs} FILE [--dry-run] --by EMAIL"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.imports.services import (
    KINDS,
    ImportFileError,
    ImportHasErrors,
    apply_import,
    preview_import,
)
from people.access import can_coordinate


class Command(BaseCommand):
    help = (
        "Imports people and postings, completions, or a cyber-range platform export from a "
        "CSV or XLSX file: all rows or none (docs/imports.md). Exits non-zero on a bad file."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            required=True,
            help="The coordinator doing the import; changes are attributed to them.",
        )

    def handle(self, *args, kind, file, dry_run, by, **options):
        user = get_user_model().objects.filter(email__iexact=by.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with email {by}")
        if not can_coordinate(user):
            raise CommandError(f"{user.email} is not a training coordinator")
        if not file.is_file():
            raise CommandError(f"No file at {file}")
        with file.open("rb") as fileobj:
            try:
                if dry_run:
                    preview = preview_import(kind, fileobj, filename=file.name, user=user)
                else:
                    result = apply_import(kind, fileobj, filename=file.name, user=user)
            except ImportFileError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            except ImportHasErrors as exc:
                self._write_preview(exc.preview)
                raise CommandError(
                    f"Nothing was imported: {len(exc.preview.errors)} problem(s) listed above"
                ) from exc
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
            f"{preview.filename} ({preview.kind}): {preview.rows} rows — "
            f"{preview.created} to create, {preview.changed} to change, "
            f"{preview.unchanged} left alone, {len(preview.errors)} problem(s)."
        )
        if preview.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(preview.ignored_columns)}")
        for title, items, count in (
            ("To create", preview.to_create, preview.created),
            ("To change", preview.to_change, preview.changed),
        ):
            if items:
                self.stdout.write(f"{title}:")
                for item in items:
                    self.stdout.write(f"  {item}")
                if count > len(items):
                    self.stdout.write(f"  … and {count - len(items)} more")
        for error in preview.errors:
            self.stderr.write(str(error))

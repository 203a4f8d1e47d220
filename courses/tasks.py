"""The register's background tasks, through Django's tasks API (the django-tasks backport):
``manage.py db_worker`` runs them (docs/jobs.md). Each task runs one ``courses.models.Job``."""

from __future__ import annotations

from django_tasks import task

from courses import jobs


@task()
def run_job(job_id: int) -> None:
    """Checks or applies an import, or sends the reminders, as the job says."""
    jobs.run(job_id)

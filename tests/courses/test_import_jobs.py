"""Imports run as background jobs (docs/jobs.md): the page follows their progress, a second
confirm never starts a second import, and a job that fails or loses its worker writes nothing
and says so. Tasks run with the immediate backend here; test_import_jobs_worker.py runs a real
``db_worker``."""

from __future__ import annotations

import re
import socket
import subprocess
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import jobs
from courses.imports import services as imports
from courses.models import Completion, Job, JobKind, JobStatus
from tests.courses.importing import catalogue

UPLOAD = reverse("courses:import_upload")
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def acts(db):
    return catalogue()


def completions(count: int) -> SimpleUploadedFile:
    """``count`` rows for the two Norfolk officers, one a day."""
    lines = ["email,activity_code,completed_on"]
    for day in range(count):
        who = "officer" if day % 2 else "sam.jones"
        lines.append(f"{who}@norfolk.police.uk,ROCU-NET-INV,{date(2000, 1, 1) + timedelta(day)}")
    return SimpleUploadedFile("c.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


@pytest.fixture
def emails(cast):
    cast.colleague.email = "sam.jones@norfolk.police.uk"
    cast.colleague.save()


def upload(client, file, kind="completions") -> str:
    response = client.post(UPLOAD, {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.search(r"/imports/([-\w]+)/$", response["Location"]).group(1)


def test_a_second_confirm_shows_the_first_import_and_imports_nothing_twice(
    client, cast, acts, emails
):
    client.force_login(cast.coordinator)
    token = upload(client, completions(4))
    confirm = reverse("courses:import_confirm", args=[token])
    first = client.post(confirm)
    second = client.post(confirm, follow=True)
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "This import was already started" in second.content.decode()
    assert Job.objects.filter(kind=JobKind.IMPORT_APPLY).count() == 1
    assert Completion.objects.count() == 4


def test_two_confirms_racing_get_the_same_job(cast, acts, emails, client):
    """The loser of the race hits the unique constraint and is given the winner's job."""
    client.force_login(cast.coordinator)
    token = upload(client, completions(2))
    checked = Job.objects.get(kind=JobKind.IMPORT_PREVIEW, upload=token)
    arguments = {
        "user": cast.coordinator,
        "token": token,
        "kind": "completions",
        "filename": checked.filename,
    }
    winner, started = jobs.start_import_apply(**arguments)
    loser, started_again = jobs.start_import_apply(**arguments)
    assert (started, started_again) == (True, False)
    assert loser.pk == winner.pk


def test_the_import_button_says_it_cannot_be_pressed_twice(client, cast, acts, emails):
    client.force_login(cast.coordinator)
    token = upload(client, completions(2))
    page = client.get(reverse("courses:import_preview", args=[token])).content.decode()
    assert 'data-prevent-double-click="true"' in page


@pytest.fixture
def running(cast):
    return Job.objects.create(
        kind=JobKind.IMPORT_APPLY,
        started_by=cast.coordinator,
        upload="running-token",
        import_kind="labs",
        filename="labs.csv",
        status=JobStatus.RUNNING,
        stage="Importing rows",
        rows_done=62_500,
        rows_total=250_000,
        worker=f"{socket.gethostname()}:{subprocess.os.getpid()}",
    )


def test_a_running_import_shows_rows_done_of_total_and_refreshes_itself(client, cast, running):
    client.force_login(cast.coordinator)
    response = client.get(running.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "62,500 of 250,000 rows (25%)" in page
    assert '<progress class="register-progress__bar" max="250000" value="62500"' in page
    # Without JavaScript the page reloads itself; with it, a static file updates it.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "js/progress.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script (CSP)"

    progress = client.get(reverse("courses:job_progress", args=[running.pk])).json()
    assert progress == {
        "status": "running",
        "status_label": "Running",
        "stage": "Importing rows",
        "rows_done": 62_500,
        "rows_total": 250_000,
        "percent": 25,
        "finished": False,
    }


def test_only_the_coordinator_who_started_a_job_sees_it(client, cast, running):
    for user in (cast.outsider, cast.admin, cast.chief):
        client.force_login(user)
        assert client.get(running.get_absolute_url()).status_code in (403, 404)
        progress = client.get(reverse("courses:job_progress", args=[running.pk]))
        assert progress.status_code in (403, 404)
    client.force_login(cast.outsider)
    assert client.get(running.get_absolute_url()).status_code == 404


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_a_job_whose_worker_died_is_marked_failed_with_a_message(client, cast, running):
    running.worker = f"{socket.gethostname()}:{dead_pid()}"
    running.save()
    client.force_login(cast.coordinator)
    page = client.get(running.get_absolute_url()).content.decode()
    running.refresh_from_db()
    assert running.status == JobStatus.FAILED
    assert "The background worker stopped before the import finished" in running.failure
    assert "nothing from the file was written" in page
    assert "The file was not imported" in page


def test_a_job_on_another_machine_is_failed_only_after_its_heartbeat_stops(cast, running, settings):
    from django.utils import timezone

    running.worker = "another-machine:123"
    running.heartbeat_at = timezone.now() - timedelta(seconds=30)
    running.save()
    settings.JOB_STALE_SECONDS = 600
    assert jobs.check_alive(running).status == JobStatus.RUNNING
    running.heartbeat_at = timezone.now() - timedelta(seconds=601)
    running.save()
    assert jobs.check_alive(running).status == JobStatus.FAILED


def test_an_import_that_fails_half_way_writes_nothing_and_says_so(
    client, cast, acts, emails, monkeypatch
):
    client.force_login(cast.coordinator)
    token = upload(client, completions(imports.CHUNK_ROWS + 10))
    calls = []
    real_save = imports.CompletionHandler._save

    def save_then_fail(self, new, changed):
        calls.append(len(new))
        real_save(self, new, changed)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports.CompletionHandler, "_save", save_then_fail)
    response = client.post(reverse("courses:import_confirm", args=[token]), follow=True)
    assert calls == [imports.CHUNK_ROWS, 10]  # both chunks were written, then undone
    assert Completion.objects.count() == 0
    job = Job.objects.get(kind=JobKind.IMPORT_APPLY)
    assert job.status == JobStatus.FAILED
    assert "nothing from the file was written" in job.failure
    assert "The import failed unexpectedly and was undone" in response.content.decode()


def test_a_large_file_is_checked_by_the_worker_while_the_page_waits(
    client, cast, acts, emails, settings
):
    settings.IMPORT_INLINE_PREVIEW_BYTES = 10  # every file is "large"
    settings.TASKS = DUMMY  # queued, never run: as if the worker has not reached it yet
    client.force_login(cast.coordinator)
    token = upload(client, completions(3))
    job = Job.objects.get(kind=JobKind.IMPORT_PREVIEW, upload=token)
    assert (job.status, job.rows_total, bool(job.task_id)) == (JobStatus.QUEUED, 3, True)
    page = client.get(reverse("courses:import_preview", args=[token])).content.decode()
    assert "Checking the file" in page
    assert "0 of 3 rows (0%)" in page

    jobs.run(job.pk)  # the worker's turn
    preview = client.get(reverse("courses:import_preview", args=[token])).context["preview"]
    assert (preview.rows, preview.created) == (3, 3)


def test_the_preview_pages_read_the_stored_preview_not_the_file(
    client, cast, acts, emails, monkeypatch
):
    client.force_login(cast.coordinator)
    token = upload(client, completions(3))

    def no_second_read(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(imports, "open_table", no_second_read)
    for page in ("", "?page=1"):
        response = client.get(reverse("courses:import_preview", args=[token]) + page)
        assert response.context["preview"].created == 3


def test_send_reminders_runs_as_a_job_in_the_background(cast, db):
    from django.core.management import call_command

    call_command("send_reminders", "--as-of", "2025-03-31", "--background")
    job = Job.objects.get(kind=JobKind.REMINDERS)
    assert job.status == JobStatus.DONE
    assert job.params == {"as_of": "2025-03-31"}
    assert job.outcome["result"] == "sent"


def test_a_starting_worker_marks_a_killed_workers_job_failed(cast, running, monkeypatch):
    """A worker killed mid-import leaves its job running; the next worker to start says so at
    once (before it takes any new job), with the message the page shows."""
    from django_tasks_db.management.commands.db_worker import Command as DBWorker

    from people.management.commands.worker import Command as Worker

    alive = Job.objects.create(
        kind=JobKind.IMPORT_APPLY,
        started_by=cast.coordinator,
        upload="alive-token",
        status=JobStatus.RUNNING,
        worker=f"{socket.gethostname()}:{subprocess.os.getpid()}",
    )
    running.worker = f"{socket.gethostname()}:{dead_pid()}"
    running.save()
    monkeypatch.setattr(DBWorker, "handle", lambda self, *args, **options: None)
    Worker().handle()  # the tests' task backend is not a database one: no argument parsing
    running.refresh_from_db()
    alive.refresh_from_db()
    assert running.status == JobStatus.FAILED
    assert running.failure == jobs.DIED[JobKind.IMPORT_APPLY]
    assert alive.status == JobStatus.RUNNING  # its worker (this process) still lives

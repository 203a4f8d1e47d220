"""Background jobs (docs/jobs.md): checking and applying imports, sending the reminders.

A ``Job`` row says who started the work, how far it has got and how it ended; the work itself
runs in a worker (``manage.py db_worker``) through Django's tasks API (``courses.tasks``), or
within the request for a small file. Progress and the heartbeat are written through a database
connection of their own, so the page sees them while the import's one transaction is still
open; a job whose worker died is marked failed the next time a page or a worker looks at it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    OperationalError,
    connections,
    transaction,
)
from django.utils import timezone

from courses.imports import services as imports
from courses.models import Job, JobKind, JobStatus

logger = logging.getLogger("register.job")

# How often a running job writes its progress (seconds).
REPORT_EVERY = 1.0


class JobBusy(Exception):
    """The database is too busy to start the job now (SQLite holds one writer at a time)."""


# --- where an upload waits -------------------------------------------------------------------


def import_dir() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "imports"


def upload_path(token: str, filename: str) -> Path:
    """The upload on disk, named by the server-issued token only."""
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return import_dir() / f"{token}{suffix}"


def preview_path(token: str) -> Path:
    return import_dir() / f"{token}.preview.json"


def forget_upload(token: str, filename: str) -> None:
    upload_path(token, filename).unlink(missing_ok=True)
    preview_path(token).unlink(missing_ok=True)


# --- starting -----------------------------------------------------------------------------


def start_import_preview(*, user, token: str, kind: str, filename: str) -> Job:
    """Checks the upload: within this request when it is small, else in the worker."""
    job = Job.objects.create(
        kind=JobKind.IMPORT_PREVIEW,
        started_by=user,
        upload=token,
        import_kind=kind,
        filename=filename,
        rows_total=_estimate_rows(upload_path(token, filename)),
    )
    size = upload_path(token, filename).stat().st_size
    if size <= settings.IMPORT_INLINE_PREVIEW_BYTES:
        run(job.pk)
    else:
        _enqueue(job)
    return job


def start_import_apply(*, user, token: str, kind: str, filename: str) -> tuple[Job, bool]:
    """Starts importing the upload, once: a second confirm (a double-click, two tabs) gets the
    job the first one started, and ``False``. Raises JobBusy when the database is locked."""
    stored = load_preview(token)
    total = stored.rows if stored is not None else _estimate_rows(upload_path(token, filename))
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=JobKind.IMPORT_APPLY,
                started_by=user,
                upload=token,
                import_kind=kind,
                filename=filename,
                rows_total=total,
            )
    except IntegrityError:
        return Job.objects.get(kind=JobKind.IMPORT_APPLY, upload=token), False
    except OperationalError as error:
        raise JobBusy from error
    _enqueue(job)
    return job, True


def start_job(*, kind: str, user, params: dict) -> Job:
    """Queues work of a kind another app registered (``register``), e.g. a large PDF."""
    job = Job.objects.create(kind=kind, started_by=user, params=params)
    _enqueue(job)
    return job


def start_reminders(*, as_of: date, user=None) -> Job:
    job = Job.objects.create(kind=JobKind.REMINDERS, started_by=user, params={"as_of": str(as_of)})
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from courses.tasks import run_job  # the task module imports this one

    try:
        result = run_job.enqueue(job.pk)
    except DatabaseError as error:
        _finish(job, JobStatus.FAILED, failure="The job could not be queued: try again.")
        raise JobBusy from error
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def _estimate_rows(path: Path) -> int | None:
    """Data rows in a CSV, by counting line ends (a cell holding a line break makes it an
    overestimate); None for a workbook, whose rows are known only once read."""
    if path.suffix != ".csv" or not path.exists():
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as fileobj:
        while block := fileobj.read(1024 * 1024):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


# --- running ------------------------------------------------------------------------------


def _here() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run(job_id: int) -> None:
    """Runs a queued job once; a job already claimed (by another worker, or a retry) is left
    to it. Unexpected errors mark the job failed, then propagate to the task's own record."""
    fail_dead_jobs()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, worker=_here()
    )
    if not claimed:
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)
    logger.info("job %s %s started", job.pk, job.kind)
    reporter = Reporter(job)
    try:
        outcome = RUNNERS[job.kind](job, reporter)
    except FileNotFoundError:
        _finish(
            job,
            JobStatus.FAILED,
            failure="The uploaded file is no longer on the server (uploads are kept for a "
            "day): upload it again.",
        )
    except Exception:
        logger.exception("job %s %s failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, failure=FAILURES[job.kind])
        raise
    else:
        _finish(job, JobStatus.DONE, outcome=outcome)
    finally:
        reporter.close()
    logger.info("job %s %s finished", job.pk, job.kind)


FAILURES = {
    JobKind.IMPORT_PREVIEW: "Checking the file failed unexpectedly. Nothing was written. Try "
    "again; if it fails again, tell your administrator the time it happened.",
    JobKind.IMPORT_APPLY: "The import failed unexpectedly and was undone: nothing from the file "
    "was written. Try again; if it fails again, tell your administrator the time it happened.",
    JobKind.REMINDERS: "Sending the reminders failed unexpectedly; those already sent are "
    "recorded, so running them again sends only the rest.",
}
DIED = {
    JobKind.IMPORT_PREVIEW: "The background worker stopped while checking the file. Nothing was "
    "written: upload the file again.",
    JobKind.IMPORT_APPLY: "The background worker stopped before the import finished, so it was "
    "undone: nothing from the file was written. Upload the file again to import it.",
    JobKind.REMINDERS: "The background worker stopped while sending the reminders; those already "
    "sent are recorded, so running them again sends only the rest.",
}


def _finish(job: Job, status: str, *, outcome: dict | None = None, failure: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "failure": failure}
    if outcome is not None:
        fields["outcome"] = outcome
    if status == JobStatus.DONE and outcome and "rows" in outcome:
        fields["rows_done"] = fields["rows_total"] = outcome["rows"]
    Job.objects.filter(pk=job.pk).update(**fields)


def _preview_job(job: Job, report) -> dict:
    report.stage("Checking rows")
    with upload_path(job.upload, job.filename).open("rb") as fileobj:
        try:
            preview = imports.preview_import(
                job.import_kind,
                fileobj,
                filename=job.filename,
                user=job.started_by,
                progress=report,
            )
        except imports.ImportFileError as error:
            return {"result": "refused", "messages": error.messages}
    store_preview(job.upload, preview)
    return {"result": "checked", **_counts(preview)}


def _apply_job(job: Job, report) -> dict:
    report.stage("Importing rows")
    with upload_path(job.upload, job.filename).open("rb") as fileobj:
        try:
            result = imports.apply_import(
                job.import_kind,
                fileobj,
                filename=job.filename,
                user=job.started_by,
                progress=report,
            )
        except imports.ImportHasErrors as error:
            # The register changed since the preview: show the file's problems as they are now.
            store_preview(job.upload, error.preview)
            return {
                "result": "has_errors",
                "messages": error.messages,
                **_counts(error.preview),
            }
        except imports.ImportFileError as error:
            return {"result": "refused", "messages": error.messages}
    forget_upload(job.upload, job.filename)
    return {
        "result": "imported",
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
    }


def _reminders_job(job: Job, report) -> dict:
    from people.reminders import send_reminders  # people imports courses, not the reverse

    report.stage("Sending reminders")
    outcome = send_reminders(as_of=date.fromisoformat(job.params["as_of"]))
    return {
        "result": "sent",
        "items": outcome.items,
        "people_emailed": outcome.people_emailed,
        "digests": outcome.digests,
        "failures": len(outcome.failures),
    }


RUNNERS = {
    JobKind.IMPORT_PREVIEW: _preview_job,
    JobKind.IMPORT_APPLY: _apply_job,
    JobKind.REMINDERS: _reminders_job,
}


def register(kind: str, runner, *, failure: str, died: str) -> None:
    """Lets another app run its own kind of job here without this module importing it
    (skills registers the report PDF): ``runner(job, reporter)`` returns the outcome."""
    RUNNERS[kind] = runner
    FAILURES[kind] = failure
    DIED[kind] = died


def _counts(preview: imports.ImportPreview) -> dict:
    return {
        "rows": preview.rows,
        "created": preview.created,
        "changed": preview.changed,
        "unchanged": preview.unchanged,
        "problems": len(preview.errors),
        "bad_rows": preview.bad_rows,
    }


# --- the stored preview -------------------------------------------------------------------


def store_preview(token: str, preview: imports.ImportPreview) -> None:
    """Keeps the checked file's preview beside the upload, so that paging through its problems
    never reads the file again."""
    path = preview_path(token)
    part = path.with_suffix(".part")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(preview.to_json())
    part.replace(path)


def load_preview(token: str) -> imports.ImportPreview | None:
    try:
        text = preview_path(token).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return imports.ImportPreview.from_json(text)


# --- progress and liveness ----------------------------------------------------------------


class Reporter:
    """Writes a running job's rows done, stage and heartbeat at most once a second, through a
    connection of its own: outside the import's transaction, so the page sees them at once.
    A write that cannot be made (SQLite allows one writer at a time) is skipped; the job's
    liveness does not depend on it (``check_alive``)."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.table = Job._meta.db_table
        self._connection = None
        self._last = 0.0
        self._stage = ""

    def stage(self, text: str) -> None:
        self._stage = text
        self._write(0, force=True)

    def __call__(self, rows_done: int) -> None:
        self._write(rows_done)

    def _write(self, rows_done: int, *, force: bool = False) -> None:
        moment = time.monotonic()
        if not force and moment - self._last < REPORT_EVERY:
            return
        self._last = moment
        try:
            connection = self._open()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.table} SET rows_done = %s, stage = %s, heartbeat_at = %s "
                    "WHERE id = %s AND status = %s",
                    [
                        rows_done,
                        self._stage,
                        connection.ops.adapt_datetimefield_value(timezone.now()),
                        self.job_id,
                        JobStatus.RUNNING,
                    ],
                )
        except DatabaseError:
            logger.debug("job %s: progress not written (database busy)", self.job_id)

    def _open(self):
        if self._connection is None:
            connection = connections.create_connection(DEFAULT_DB_ALIAS)
            connection.ensure_connection()
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 100")
                elif connection.vendor == "postgresql":
                    cursor.execute("SET lock_timeout = '2s'")
            self._connection = connection
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child not yet reaped is a zombie: it runs nothing
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in {"Z", "X"}


def fail_dead_jobs() -> int:
    """Marks failed every running job whose worker is gone (a worker starting, or about to run a
    job, calls this); the number marked."""
    running = Job.objects.filter(status=JobStatus.RUNNING)
    return sum(check_alive(job).status == JobStatus.FAILED for job in running)


def check_alive(job: Job) -> Job:
    """Marks a running job failed when its worker is gone: a process on this machine that no
    longer exists, or (for another machine) no heartbeat for JOB_STALE_SECONDS."""
    if job.status != JobStatus.RUNNING:
        return job
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        dead = _process_gone(int(pid))
    else:
        limit = timedelta(seconds=settings.JOB_STALE_SECONDS)
        dead = job.heartbeat_at is None or timezone.now() - job.heartbeat_at > limit
    if dead:
        marked = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, failure=DIED[job.kind], finished_at=timezone.now()
        )
        if marked:
            logger.warning("job %s %s: worker %s gone, marked failed", job.pk, job.kind, job.worker)
        job.refresh_from_db()
    return job

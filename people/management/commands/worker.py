"""`manage.py worker`: the background worker (django-tasks-db's `db_worker`) with a heartbeat.

Every HEARTBEAT_SECONDS the worker writes when it last lived, and who it is, to the shared
cache (the database cache by default), so /healthz can tell a running but idle worker from one
that has stopped. Takes every option of `db_worker`."""

from __future__ import annotations

import os
import socket
import threading

from django.core.cache import cache
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from config.health import HEARTBEAT_KEY

HEARTBEAT_SECONDS = 30


def beat() -> None:
    """Records that a worker lives now (config.health reads it)."""
    cache.set(
        HEARTBEAT_KEY,
        {"at": timezone.now().isoformat(), "worker": f"{socket.gethostname()}:{os.getpid()}"},
        timeout=None,
    )


def _beat_until(stopped: threading.Event) -> None:
    while True:
        try:
            close_old_connections()
            beat()
        except Exception:  # noqa: BLE001 - a missed beat must never stop the worker
            pass
        finally:
            connection.close()  # this thread's own connection, not the worker's
        if stopped.wait(HEARTBEAT_SECONDS):
            return


class Command(DBWorkerCommand):
    help = "Run background jobs (db_worker) and report a heartbeat for /healthz."

    def handle(self, *args, **options):
        from courses.jobs import fail_dead_jobs

        # A job left running by a worker that was killed says so at once, not at the next job.
        if marked := fail_dead_jobs():
            self.stdout.write(f"{marked} job(s) of a stopped worker marked failed")
        stopped = threading.Event()
        beater = threading.Thread(target=_beat_until, args=(stopped,), daemon=True)
        beater.start()
        try:
            return super().handle(*args, **options)
        finally:
            stopped.set()
            # Let a beat under way finish: its write must not outlive the worker (under the
            # tests' shared in-memory SQLite it locked the cache table for the next test).
            beater.join(timeout=HEARTBEAT_SECONDS)

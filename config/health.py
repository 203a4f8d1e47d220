"""What /healthz says beyond "the database answers": the background worker's last sign of life.

django-tasks-db keeps every job as a row, so the newest start or finish is the worker's last
heartbeat and the oldest job still waiting shows a worker that has stopped taking work."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Max, Min
from django.utils import timezone


def health_lines() -> list[str]:
    if not apps.is_installed("django_tasks_db"):
        return ["worker: no database task queue configured"]
    from django_tasks_db.models import DBTaskResult

    seen = DBTaskResult.objects.aggregate(started=Max("started_at"), finished=Max("finished_at"))
    moments = [moment for moment in seen.values() if moment is not None]
    waiting = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
    lines = [
        f"worker: last heartbeat {max(moments).isoformat()}"
        if moments
        else "worker: no job run yet"
    ]
    if waiting is not None:
        minutes = (timezone.now() - waiting).total_seconds() / 60
        lines.append(f"queue: oldest waiting job enqueued {minutes:.0f} min ago")
    else:
        lines.append("queue: empty")
    return lines

"""What /healthz says beyond "the database answers": the background worker's heartbeat and
the queue.

`manage.py worker` writes a heartbeat to the shared cache every 30 seconds; the oldest job still
waiting shows a worker that has stopped taking work."""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

HEARTBEAT_KEY = "register:worker-heartbeat"


def _ago(moment: datetime) -> str:
    seconds = max(0, (timezone.now() - moment).total_seconds())
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def health_lines() -> list[str]:
    lines = []
    try:
        heartbeat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - a broken cache is reported, not raised
        heartbeat = None
        lines.append("worker: heartbeat unreadable")
    if heartbeat:
        at = datetime.fromisoformat(heartbeat["at"])
        lines.append(f"worker: last heartbeat {at.isoformat()} ({_ago(at)}, {heartbeat['worker']})")
    elif not lines:
        lines.append("worker: no heartbeat yet")
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
        lines.append(
            f"queue: oldest waiting job enqueued {_ago(oldest)}" if oldest else "queue: empty"
        )
    return lines

"""One log line per request and per background job, carrying ids only.

A line names the URL pattern (never the path or query string, which can hold keys and search
terms), the status, the time taken and the user's id: enough to trace a problem, nothing
personal. Jobs are logged from django-tasks' signals, so every task is covered."""

from __future__ import annotations

import logging
import time

from django.dispatch import receiver
from django_tasks.signals import task_finished, task_started

requests = logging.getLogger("register.request")
jobs = logging.getLogger("register.job")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = f"{match.view_name} {match.route}" if match else "-"
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "-"
        requests.info(
            "%s %s %s %.0fms user=%s",
            request.method,
            route,
            response.status_code,
            (time.monotonic() - started) * 1000,
            user_id,
        )
        return response


@receiver(task_started)
def _log_task_started(sender, task_result, **kwargs):
    jobs.info("started %s id=%s", task_result.task.name, task_result.id)


@receiver(task_finished)
def _log_task_finished(sender, task_result, **kwargs):
    jobs.info(
        "finished %s id=%s status=%s", task_result.task.name, task_result.id, task_result.status
    )

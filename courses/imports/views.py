"""Importing from the web: upload, check (a preview of every row), confirm, and follow the
import as a background job (docs/imports.md, docs/jobs.md).

An upload is reachable only from the session and user that made it; a job only by the user
who started it. Everyone else gets 404."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from courses import jobs
from courses.forms import ImportUploadForm
from courses.models import Job, JobKind, JobStatus
from courses.tables import ImportErrorTable
from courses.uploads import refuse_oversized_body
from people.access import can_coordinate

IMPORT_SESSION_KEY = "courses_imports"
IMPORT_ERRORS_PER_PAGE = 100
STALE_UPLOAD_SECONDS = 24 * 60 * 60
# Seconds between refreshes of a page following a job, without JavaScript.
REFRESH_SECONDS = 2
# A job still waiting after this long suggests no worker is running.
WAITING_TOO_LONG = 60


def _require_coordinator(request) -> None:
    if not can_coordinate(request.user):
        raise PermissionDenied("Only training coordinators may do this.")


def _pending_import(request, token) -> dict:
    """The upload this session made under ``token``, else 404. The path on disk is built from
    the server-issued token only, never from anything the client sends."""
    entry = request.session.get(IMPORT_SESSION_KEY, {}).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404("No such upload: upload the file again.")
    return entry


def _remove_stale_uploads(folder: Path) -> None:
    """Uploads never confirmed are removed after a day, so none lingers with personal data."""
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue


def _busy(request, status=503):
    return render(request, "courses/import_busy.html", {"refresh": REFRESH_SECONDS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@refuse_oversized_body(lambda: settings.IMPORT_MAX_BYTES, what="Import files")
def import_upload(request):
    _require_coordinator(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(24)
        filename = Path(upload.name).name[:200]
        folder = jobs.import_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _remove_stale_uploads(folder)
        with open(jobs.upload_path(token, filename), "xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        imports_in_session = request.session.get(IMPORT_SESSION_KEY, {})
        imports_in_session[token] = {"user": request.user.pk, "filename": filename}
        request.session[IMPORT_SESSION_KEY] = imports_in_session
        try:
            jobs.start_import_preview(
                user=request.user, token=token, kind=form.cleaned_data["kind"], filename=filename
            )
        except (jobs.JobBusy, OperationalError):
            return _busy(request)
        return redirect("courses:import_preview", token=token)
    return render(request, "courses/import_upload.html", {"form": form})


def _kind_label(kind: str) -> str:
    return dict(ImportUploadForm.KINDS).get(kind, kind)


def _job_for(request, token, kind) -> Job | None:
    job = Job.objects.filter(upload=token, kind=kind, started_by=request.user).first()
    return jobs.check_alive(job) if job is not None else None


def _preview_page(request, token, job, *, preview=None, refused=(), status=200):
    errors = preview.errors if preview is not None else []
    bad_rows = preview.bad_rows if preview is not None else 0
    table = ImportErrorTable(
        errors,
        caption=f"{len(errors)} problem{pluralize(len(errors))} in "
        f"{bad_rows} row{pluralize(bad_rows)}",
    )
    # A file with thousands of bad rows shows them a page at a time, from the stored preview.
    RequestConfig(request, paginate={"per_page": IMPORT_ERRORS_PER_PAGE}).configure(table)
    return render(
        request,
        "courses/import_preview.html",
        {
            "token": token,
            "job": job,
            "kind_label": _kind_label(job.import_kind),
            "preview": preview,
            "refused": list(refused),
            "error_table": table,
        },
        status=status,
    )


def _progress_page(request, job, *, title):
    waiting = (
        job.status == JobStatus.QUEUED
        and (timezone.now() - job.created_at).total_seconds() > WAITING_TOO_LONG
    )
    return render(
        request,
        "courses/import_progress.html",
        {
            "job": job,
            "title": title,
            "kind_label": _kind_label(job.import_kind),
            "refresh": REFRESH_SECONDS,
            "waiting_too_long": waiting,
        },
    )


@login_required
@require_GET
def import_preview(request, token):
    _require_coordinator(request)
    _pending_import(request, token)
    try:
        applied = _job_for(request, token, JobKind.IMPORT_APPLY)
        if applied is not None:
            return redirect(applied)
        job = _job_for(request, token, JobKind.IMPORT_PREVIEW)
    except OperationalError:
        return _busy(request)
    if job is None:
        raise Http404("No such upload: upload the file again.")
    if not job.finished:
        return _progress_page(request, job, title="Checking the file")
    if job.status == JobStatus.FAILED:
        return _preview_page(request, token, job, refused=[job.failure])
    if job.outcome.get("result") == "refused":
        return _preview_page(request, token, job, refused=job.outcome["messages"])
    preview = jobs.load_preview(token)
    if preview is None:
        raise Http404("The uploaded file has expired: upload it again.")
    return _preview_page(request, token, job, preview=preview)


@login_required
@require_POST
def import_confirm(request, token):
    """Starts the import in the background, once; with any bad row, shows the preview again."""
    _require_coordinator(request)
    entry = _pending_import(request, token)
    try:
        checked = _job_for(request, token, JobKind.IMPORT_PREVIEW)
        applied = _job_for(request, token, JobKind.IMPORT_APPLY)
    except OperationalError:
        return _busy(request)
    if applied is not None:
        messages.info(request, "This import was already started: here is how it is going.")
        return redirect(applied)
    preview = jobs.load_preview(token) if checked is not None else None
    if checked is None or preview is None:
        raise Http404("The uploaded file has expired: upload it again.")
    if preview.errors:
        messages.error(
            request,
            f"Nothing was imported: {len(preview.errors)} problem{pluralize(len(preview.errors))} "
            f"in {entry['filename']}",
        )
        return _preview_page(request, token, checked, preview=preview, status=400)
    try:
        job, started = jobs.start_import_apply(
            user=request.user, token=token, kind=checked.import_kind, filename=checked.filename
        )
    except jobs.JobBusy:
        return _busy(request)
    if not started:
        messages.info(request, "This import was already started: here is how it is going.")
    return redirect(job)


def _job_of(request, pk) -> Job:
    """A job the user started, else 404."""
    _require_coordinator(request)
    return jobs.check_alive(get_object_or_404(Job, pk=pk, started_by=request.user))


@login_required
@require_GET
def job_detail(request, pk):
    try:
        job = _job_of(request, pk)
    except OperationalError:
        return _busy(request)
    if job.kind == JobKind.IMPORT_PREVIEW:
        return redirect("courses:import_preview", token=job.upload)
    if not job.finished:
        return _progress_page(request, job, title="Importing the file")
    outcome = job.outcome
    rows = []
    if outcome.get("result") == "imported":
        rows = [
            ("File", job.filename),
            ("What it held", _kind_label(job.import_kind)),
            ("Rows read", outcome["rows"]),
            ("Created", outcome["created"]),
            ("Changed", outcome["changed"]),
            ("Left as they were", outcome["unchanged"]),
        ]
    preview_url = None
    if outcome.get("result") == "has_errors":
        preview_url = reverse("courses:import_preview", args=[job.upload])
    return render(
        request,
        "courses/import_result.html",
        {
            "job": job,
            "kind_label": _kind_label(job.import_kind),
            "rows": rows,
            "preview_url": preview_url,
        },
    )


@login_required
@require_GET
def job_progress(request, pk):
    """The job's progress for static/js/progress.js, which updates the page without a reload."""
    try:
        job = _job_of(request, pk)
    except OperationalError:
        return JsonResponse({"busy": True}, status=503)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "stage": job.stage,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )

"""A large unit's report PDF, drawn by the background worker (docs/jobs.md).

xhtml2pdf takes seconds per page, so the PDF of a unit with more than
REGISTER_INLINE_PDF_PEOPLE people would hold a web worker past its timeout. The download link
then starts a job instead: the worker rebuilds the same report for the same user and query
(skills.report.query), writes the PDF beside the evidence (readable by the service only) and
the job's page offers it to the user who asked for it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import QueryDict

from courses import jobs
from courses.models import Job, JobKind, JobStatus
from people.models import Force, Unit
from skills.report import query as report_query
from skills.report import renderers


def inline_pdf_people() -> int:
    return int(getattr(settings, "REGISTER_INLINE_PDF_PEOPLE", 60))


def reports_dir() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "reports"


def pdf_path(job: Job) -> Path:
    return reports_dir() / f"report-{job.pk}.pdf"


def start_report_pdf(*, user, unit: Unit, query: str) -> Job:
    """Queues the PDF of ``unit`` as ``user`` sees it, for the report form's ``query``; a
    second click while that PDF is still being drawn gets the job already under way."""
    params = {"unit": unit.code, "query": query}
    waiting = Job.objects.filter(
        kind=JobKind.REPORT_PDF,
        started_by=user,
        params=params,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).first()
    if waiting is not None and not jobs.check_alive(waiting).finished:
        return waiting
    return jobs.start_job(kind=JobKind.REPORT_PDF, user=user, params=params)


def _draw(job: Job, reporter) -> dict:
    reporter.stage("Drawing the PDF")
    user = job.started_by
    # Scope is asked again: a grant withdrawn since the click means no PDF.
    unit = Unit.objects.visible_to(user).filter(code=job.params["unit"]).first()
    if unit is None:
        return {"result": "refused", "messages": ["You can no longer see this unit."]}
    form, today = report_query.report_form(user, QueryDict(job.params["query"]), unit)
    report = report_query.report_for(form, unit, today)
    if report is None:
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return {"result": "refused", "messages": messages or ["The report could not be drawn."]}
    report, _ = report_query.as_seen_by(user, report, unit)
    rendered = renderers.render_report(report, "pdf", leavers=report_query.leavers(form))
    folder = reports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = pdf_path(job)
    part = path.with_suffix(".part")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(rendered.content)
    part.replace(path)  # a killed worker leaves a .part, never a half PDF under the real name
    return {
        "result": "drawn",
        "filename": rendered.filename,
        "bytes": len(rendered.content),
        "people": report.summary.people,
    }


jobs.register(
    JobKind.REPORT_PDF,
    _draw,
    failure="Drawing the PDF failed unexpectedly. Try again; if it fails again, tell your "
    "administrator the time it happened.",
    died="The background worker stopped while drawing the PDF. Ask for it again.",
)


# --- the inspection pack of a force or region -----------------------------------------------


def inline_pack_units() -> int:
    """A pack of more units than this is assembled by the worker: each unit is a report and an
    evaluation, and the PDF takes seconds per page."""
    return int(getattr(settings, "REGISTER_INLINE_PACK_UNITS", 15))


def pack_path(job: Job) -> Path:
    return reports_dir() / f"pack-{job.pk}.pdf"


def _waiting(kind: str, user, params: dict) -> Job | None:
    """The same user's job of this kind for the same params, still under way (a double-click
    or a reload gets it rather than a second job)."""
    waiting = Job.objects.filter(
        kind=kind, started_by=user, params=params, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    if waiting is not None and not jobs.check_alive(waiting).finished:
        return waiting
    return None


def start_pack(*, user, scope: str, code: str, as_of) -> Job:
    """Queues the inspection pack of a force or region (``scope``) as ``user`` sees it."""
    params = {"scope": scope, "code": code, "as_of": as_of.isoformat()}
    return _waiting(JobKind.PACK, user, params) or jobs.start_job(
        kind=JobKind.PACK, user=user, params=params
    )


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    part.replace(path)  # a killed worker leaves a .part, never a half PDF under the real name


def _assemble_pack(job: Job, reporter) -> dict:
    from datetime import date

    from people.access import forces_packed_for, regions_packed_for
    from skills.coverage.redact import as_seen_by
    from skills.evaluation import pack as packs

    reporter.stage("Assembling the pack")
    user = job.started_by
    code = job.params["code"]
    as_of = date.fromisoformat(job.params["as_of"])
    # Scope is asked again: a grant withdrawn since the click means no pack.
    try:
        if job.params["scope"] == "force":
            found = forces_packed_for(user).filter(code=code).first()
            pack = found and packs.build_force_pack(found, as_of=as_of)
        else:
            found = regions_packed_for(user).filter(code=code).first()
            pack = found and packs.build_region_pack(found, as_of=as_of)
    except PermissionDenied:
        pack = None
    if not pack:
        return {"result": "refused", "messages": ["You can no longer see this force or region."]}
    pack = as_seen_by(user, pack)
    reporter.stage("Drawing the PDF")
    content = packs.render_pack_pdf(pack)
    _write_private(pack_path(job), content)
    return {
        "result": "drawn",
        "filename": pack.filename,
        "bytes": len(content),
        "units": len(pack.units),
    }


jobs.register(
    JobKind.PACK,
    _assemble_pack,
    failure="Assembling the inspection pack failed unexpectedly. Try again; if it fails again, "
    "tell your administrator the time it happened.",
    died="The background worker stopped while assembling the inspection pack. Ask for it again.",
)


# --- the trend of a large scope --------------------------------------------------------------


def inline_trend_units() -> int:
    """A trend over more units than this is worked out by the worker (twelve evaluations of
    every unit in the scope)."""
    return int(getattr(settings, "REGISTER_INLINE_TREND_UNITS", 40))


# A worked-out trend is shown again for this long before a new one is worked out.
TREND_FRESH_SECONDS = 15 * 60


def start_trend(*, user, params: dict) -> Job:
    """Queues the trend of one force in ``user``'s scope; ``params``: force, as_of, function,
    person_type (as the trend page's filters)."""
    return _waiting(JobKind.TREND, user, params) or jobs.start_job(
        kind=JobKind.TREND, user=user, params=params
    )


def fresh_trend(*, user, params: dict) -> Job | None:
    """The same user's trend for the same filters worked out in the last TREND_FRESH_SECONDS."""
    from datetime import timedelta

    from django.utils import timezone

    return (
        Job.objects.filter(
            kind=JobKind.TREND,
            started_by=user,
            params=params,
            status=JobStatus.DONE,
            outcome__result="worked_out",
            finished_at__gte=timezone.now() - timedelta(seconds=TREND_FRESH_SECONDS),
        )
        .order_by("-finished_at")
        .first()
    )


@dataclass(frozen=True)
class StoredUnit:
    code: str
    name: str


@dataclass(frozen=True)
class StoredPoint:
    month_end: object
    units: dict
    forces: dict


@dataclass(frozen=True)
class StoredTrend:
    """A trend as the worker stored it: the attributes the trend page reads of build_trend's."""

    units: tuple
    points: tuple


def trend_to_dict(trend) -> dict:
    return {
        "units": [[u.code, u.name] for u in trend.units],
        "points": [
            {"month_end": p.month_end.isoformat(), "units": p.units, "forces": p.forces}
            for p in trend.points
        ],
    }


def trend_from_dict(data: dict) -> StoredTrend:
    from datetime import date

    return StoredTrend(
        units=tuple(StoredUnit(code, name) for code, name in data["units"]),
        points=tuple(
            StoredPoint(
                month_end=date.fromisoformat(p["month_end"]),
                units={k: tuple(v) for k, v in p["units"].items()},
                forces={k: tuple(v) for k, v in p["forces"].items()},
            )
            for p in data["points"]
        ),
    )


def _work_out_trend(job: Job, reporter) -> dict:
    from datetime import date

    from skills.overview import services as overview

    reporter.stage("Working out the trend")
    user = job.started_by
    params = job.params
    # Scope is asked again, as the page does.
    force = Force.objects.filter(code=params["force"]).first()
    units = overview.units_in_scope(user).filter(forces=force)
    codes, _ = overview.roll_ups_in_scope(user)
    if force is None or (codes is not None and force.code not in codes) or not units.exists():
        return {"result": "refused", "messages": ["You can no longer see this force."]}
    trend = overview.build_trend(
        units,
        as_of=date.fromisoformat(params["as_of"]),
        function=params.get("function") or None,
        person_type=params.get("person_type") or None,
    )
    return {"result": "worked_out", "units": len(trend.units), "trend": trend_to_dict(trend)}


jobs.register(
    JobKind.TREND,
    _work_out_trend,
    failure="Working out the trend failed unexpectedly. Try again; if it fails again, tell your "
    "administrator the time it happened.",
    died="The background worker stopped while working out the trend. Ask for it again.",
)

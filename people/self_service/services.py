"""What the officer's own pages show, as data: the pathway per posting, the competence
statement (and its PDF) and the subject-access export. The pages: people/self_service/views.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from io import BytesIO

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from courses.models import ActivityCapability, ActivityKind, Completion, Status
from people.models import Grant, Person, Reminder
from skills.coverage import person_holdings, person_requirements
from skills.coverage.data import DUE, EXPIRING, MISSING, PENDING
from skills.coverage.holdings import held_since, load_holding_rules
from skills.models import Capability

GAP_STATUSES = (PENDING, DUE, MISSING, EXPIRING)


def _key(capability_code: str, level: int) -> tuple[str, int]:
    return (capability_code, level)


def _met_dates(person: Person, as_of: date, held: list) -> dict[tuple[str, int], date]:
    """For each held (capability code, level): the date it was met, by the holdings rule
    (``skills.coverage.holdings.held_since``). Five queries, whatever the number of lines."""
    if not held:
        return {}
    rows = list(
        Completion.objects.filter(
            person=person, status=Status.VERIFIED, completed_on__lte=as_of
        ).values_list("activity_id", "completed_on", "expires_on")
    )
    if not rows:
        return {}
    since = held_since(rows, as_of, load_holding_rules())
    ids = dict(Capability.objects.filter(code__in={c for c, _ in held}).values_list("code", "pk"))
    out = {}
    for code, level in held:
        found = since.get((ids.get(code), level))
        if found is not None:
            out[_key(code, level)] = found
    return out


def _options_for(gaps: set[tuple[str, int]]) -> dict[tuple[str, int], list[dict]]:
    """Activities that would satisfy each gap: evidencing the capability at its level or
    higher, not retired. One query for all gaps."""
    if not gaps:
        return {}
    q = Q()
    for code, level in gaps:
        q |= Q(capability__code=code, level__gte=level)
    rows = (
        ActivityCapability.objects.filter(q, activity__retired=False)
        .select_related("activity", "capability")
        .annotate(lab_count=Count("activity__labs"))
        .order_by("level", "activity__kind", "activity__provider", "activity__title")
    )
    out: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        act = row.activity
        option = {
            "code": act.code,
            "title": act.title,
            "provider": act.provider,
            "kind": act.kind,
            "kind_label": act.get_kind_display(),
            "hours": act.hours,
            "validity_months": act.validity_months,
            "level": row.level,
            "threshold": act.threshold,
            "lab_count": row.lab_count if act.kind == ActivityKind.COLLECTION else None,
        }
        for code, level in gaps:
            if row.capability.code == code and row.level >= level:
                out[_key(code, level)].append(option)
    return out


def pathway_for(person: Person, as_of: date) -> list[dict]:
    """Each current posting with its requirement lines split into mandatory and recommended,
    each line with the date it was met and, for a gap, the activities that satisfy it."""
    postings = person_requirements(person, as_of)
    lines = [line for p in postings for line in p.requirements]
    held = [(ln.capability.code, ln.level) for ln in lines if ln.is_met]
    met_on = _met_dates(person, as_of, held)
    gaps = {_key(ln.capability.code, ln.level) for ln in lines if ln.status in GAP_STATUSES}
    options = _options_for(gaps)
    out = []
    for posting in postings:
        rows = []
        for line in posting.requirements:
            key = _key(line.capability.code, line.level)
            rows.append(
                {
                    "line": line,
                    "met_on": met_on.get(key) if line.is_met else None,
                    "options": options.get(key, []) if line.status in GAP_STATUSES else [],
                }
            )
        mandatory = [r for r in rows if r["line"].mandatory]
        met = sum(1 for r in mandatory if r["line"].is_met)
        out.append(
            {
                "posting": posting,
                "mandatory": mandatory,
                "recommended": [r for r in rows if not r["line"].mandatory],
                "met": met,
                "mandatory_count": len(mandatory),
                "percent": round(100 * posting.progress) if posting.progress is not None else None,
            }
        )
    return out


def _who(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.email


def _evidence_reference(c: Completion) -> str:
    parts = []
    if c.certificate_number:
        parts.append(f"Certificate {c.certificate_number}")
    if c.evidence_link:
        parts.append(c.evidence_link)
    if c.evidence_file:
        parts.append("file on record")
    return "; ".join(parts)


def statement_data(person: Person, as_of: date) -> dict:
    """The competence statement as at ``as_of``: person, postings then, capabilities held
    then, and every completion dated on or before it. Plain data for HTML, PDF and JSON."""
    holdings = person_holdings(person, as_of)
    postings = person_requirements(person, as_of)
    completions = (
        Completion.objects.filter(person=person, completed_on__lte=as_of)
        .select_related("activity", "verified_by")
        .order_by("-completed_on", "-pk")
    )
    return {
        "classification": settings.REGISTER_CLASSIFICATION,
        "as_of": as_of,
        "generated_on": timezone.localdate(),
        "person": {
            "id": person.pk,
            "name": person.full_name,
            "rank": person.rank,
            "staff_number": person.staff_number,
            "force": person.force.name,
            "person_type": person.get_person_type_display(),
            "email": person.email,
        },
        "postings": [
            {
                "unit": p.unit_name,
                "unit_code": p.unit_code,
                "role": p.role.name,
                "start": p.start,
                "last_day": p.last_day,
                "mandatory_met": sum(1 for ln in p.requirements if ln.mandatory and ln.is_met),
                "mandatory": sum(1 for ln in p.requirements if ln.mandatory),
            }
            for p in postings
        ],
        "capabilities_held": [
            {
                "code": h.capability.code,
                "name": h.capability.name,
                "level": h.level,
                "held_until": h.held_until,
            }
            for h in holdings
        ],
        "completions": [
            {
                "id": c.pk,
                "activity_code": c.activity.code,
                "activity": c.activity.title,
                "provider": c.activity.provider,
                "kind": c.activity.get_kind_display(),
                "completed_on": c.completed_on,
                "expires_on": c.expiry(),
                "evidence": _evidence_reference(c),
                "status": c.status,
                "status_reason": c.status_reason,
                "source": c.get_source_display(),
                "verified_by": _who(c.verified_by),
                "verified_on": timezone.localdate(c.verified_at) if c.verified_at else None,
            }
            for c in completions
        ],
    }


def render_statement_pdf(data: dict) -> bytes:
    """The statement through its print template (xhtml2pdf)."""
    from xhtml2pdf import pisa

    html = render_to_string("people/statement_pdf.html", {"s": data})
    out = BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError("The statement PDF could not be rendered.")
    return out.getvalue()


def _row(obj, exclude=()) -> dict:
    """A model row as plain values (foreign keys as ids, files as their stored name)."""
    out = {}
    for f in obj._meta.concrete_fields:
        if f.attname in exclude:
            continue
        value = getattr(obj, f.attname)
        if hasattr(value, "name") and f.get_internal_type() == "FileField":
            value = value.name or ""
        out[f.attname] = value
    return out


def _history(model, ids) -> dict[int, list[dict]]:
    """django-simple-history rows of ``model`` for the given ids, oldest first."""
    out: dict[int, list[dict]] = defaultdict(list)
    for h in model.history.model.objects.filter(id__in=list(ids)).order_by("history_date"):
        out[h.id].append(_row(h, exclude=("history_id",)))
    return out


def export_data(person: Person) -> dict:
    """Everything the register holds about ``person`` (subject access): a fixed number of
    queries."""
    from people.directory.tables import user_label as _login_label
    from people.models import Deployment, Posting
    from people.models.directory import Availability, DirectoryEntryView, DirectoryRequest

    postings = list(Posting.objects.filter(person=person).select_related("unit", "role_profile"))
    completions = list(
        Completion.objects.filter(person=person).select_related("activity").order_by("pk")
    )
    deployments = list(
        Deployment.objects.filter(person=person).prefetch_related("capabilities").order_by("pk")
    )
    posting_history = _history(Posting, [p.pk for p in postings])
    completion_history = _history(Completion, [c.pk for c in completions])
    deployment_history = _history(Deployment, [d.pk for d in deployments])
    availability = Availability.objects.filter(person=person).first()
    entry_views = DirectoryEntryView.objects.filter(person=person).select_related("viewer")
    requests = list(
        DirectoryRequest.objects.filter(person=person)
        .select_related("requested_by", "decided_by")
        .order_by("pk")
    )
    request_history = _history(DirectoryRequest, [r.pk for r in requests])
    user = person.user
    grants = list(Grant.objects.filter(user=user).order_by("pk")) if user else []
    reminders = Reminder.objects.filter(person=person).order_by("pk")
    return {
        "classification": settings.REGISTER_CLASSIFICATION,
        "exported_at": timezone.now(),
        "person": _row(person),
        "person_history": _history(Person, [person.pk]).get(person.pk, []),
        "login": (
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_active": user.is_active,
            }
            if user
            else None
        ),
        "grants": [_row(g) for g in grants],
        "postings": [
            {
                **_row(p),
                "unit_code": p.unit.code,
                "role_profile_code": p.role_profile.code,
                "history": posting_history.get(p.pk, []),
            }
            for p in postings
        ],
        "completions": [
            {
                **_row(c),
                "activity_code": c.activity.code,
                "activity_title": c.activity.title,
                "history": completion_history.get(c.pk, []),
            }
            for c in completions
        ],
        "deployments": [
            {
                **_row(d),
                "capabilities": [cap.code for cap in d.capabilities.all()],
                "history": deployment_history.get(d.pk, []),
            }
            for d in deployments
        ],
        "reminders": [_row(r) for r in reminders],
        "availability": (
            {
                **_row(availability),
                "history": _history(Availability, [availability.pk]).get(availability.pk, []),
            }
            if availability
            else None
        ),
        # Who viewed the person's directory entry, and with which search: the person sees it.
        "directory_entry_views": [
            {**_row(v), "viewer": _login_label(v.viewer)} for v in entry_views.order_by("pk")
        ],
        # Requests for the person's help: messages, decisions and every change to them.
        "directory_requests": [
            {
                **_row(r),
                "requested_by_login": _login_label(r.requested_by),
                "decided_by_login": _login_label(r.decided_by) if r.decided_by_id else None,
                "history": request_history.get(r.pk, []),
            }
            for r in requests
        ],
    }

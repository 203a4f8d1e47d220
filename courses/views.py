"""Pages for what was done: completions (record, cohort, submit, correct, withdraw, verify),
evidence files, imports from the web, and the activity catalogue.

Every lookup starts from what the user may see: a completion or person outside that is not
found (404); one they may see but not change is forbidden (403)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from courses import services
from courses.filters import ActivityFilter, VerificationQueueFilter
from courses.forms import (
    CohortForm,
    CohortUnitForm,
    CompletionForm,
    CorrectCompletionForm,
    ReasonForm,
    ReviewForm,
    SubmitCompletionForm,
    recordable_activities,
)
from courses.models import Activity, ActivityCapability, Completion, Source, Status
from courses.tables import ActivityTable, VerificationQueueTable
from courses.uploads import refuse_oversized_body
from people.access import can_coordinate
from people.models import Person, Unit

QUEUE_PAGE_SIZE = 25

# Content types an evidence file may be served as; anything else is a plain download.
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


# --- lookups ------------------------------------------------------------------------------


def _completions_for(user):
    return Completion.objects.visible_to(user).select_related(
        "person__force", "activity", "recorded_by", "verified_by"
    )


def _completion_for(request, pk) -> Completion:
    """A completion the user may see, else 404."""
    return get_object_or_404(_completions_for(request.user), pk=pk)


def _completion_to_change(request, pk) -> Completion:
    """A completion the user may change: 404 if they may not see it, 403 if read-only."""
    completion = _completion_for(request, pk)
    if not Person.objects.coordinated_by(request.user).filter(pk=completion.person_id).exists():
        raise PermissionDenied("Only a coordinator of this person may change their records.")
    return completion


def _person_to_change(request, pk) -> Person:
    """A person whose records the user may change: 404 if unseen, 403 if read-only."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("force"), pk=pk
    )
    if not Person.objects.coordinated_by(request.user).filter(pk=person.pk).exists():
        raise PermissionDenied("Only a coordinator of this person may record their training.")
    return person


def _require_coordinator(request) -> None:
    if not can_coordinate(request.user):
        raise PermissionDenied("Only training coordinators may do this.")


def _coordinated_people(user):
    return Person.objects.coordinated_by(user).select_related("force")


def _coordinated_units(user):
    """Units with someone the user coordinates, for narrowing lists of people."""
    people = Person.objects.coordinated_by(user)
    return (
        Unit.objects.visible_to(user)
        .filter(postings__person__in=people)
        .distinct()
        .order_by("name")
    )


def _apply_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- a completion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    when: object
    who: object
    what: str
    reason: str
    changes: list[str]


HISTORY_FIELDS = {
    "activity": "activity",
    "completed_on": "date completed",
    "expires_on": "expiry",
    "status": "status",
    "status_reason": "reason",
    "certificate_number": "certificate number",
    "evidence_link": "link",
    "evidence_file": "evidence file",
    "verified_by": "verified by",
    "person": "person",
}


def _history_lines(completion) -> list[HistoryLine]:
    """The record's history, newest first: who did what, when and why. Two queries."""
    records = list(completion.history.select_related("history_user").order_by("history_date"))
    activity_ids = {r.activity_id for r in records}
    titles = dict(Activity.objects.filter(pk__in=activity_ids).values_list("pk", "title"))
    status_labels = dict(Status.choices)
    lines = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for field, label in HISTORY_FIELDS.items():
                attname = f"{field}_id" if field in {"activity", "verified_by", "person"} else field
                before, after = getattr(previous, attname), getattr(record, attname)
                if before == after or field in {"verified_by", "person"}:
                    continue
                if field == "activity":
                    before, after = titles.get(before), titles.get(after)
                elif field == "status":
                    before, after = status_labels.get(before), status_labels.get(after)
                elif field == "evidence_file":
                    changes.append("evidence file replaced" if before else "evidence file added")
                    continue
                changes.append(f"{label}: {before or '–'} → {after or '–'}")
        if record.history_type == "+":
            what = f"Recorded ({Source(record.source).label.lower()})"
        elif record.history_type == "-":
            what = "Deleted"
        elif previous is not None and previous.status != record.status:
            what = status_labels.get(record.status, record.status)
        else:
            what = "Changed"
        lines.append(
            HistoryLine(
                when=record.history_date,
                who=record.history_user,
                what=what,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    lines.reverse()
    return lines


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _when(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i")


def _completion_rows(completion) -> list[tuple[str, object]]:
    person = completion.person
    expiry = completion.expiry()
    rows = [
        (
            "Activity",
            format_html(
                '<a class="govuk-link" href="{}">{}</a> ({})',
                completion.activity.get_absolute_url(),
                completion.activity.title,
                completion.activity.provider,
            ),
        ),
        (
            "Person",
            format_html(
                '<a class="govuk-link" href="{}">{}</a>, {} ({})',
                person.get_absolute_url(),
                person.full_name,
                person.staff_number,
                person.force.name,
            ),
        ),
        ("Date completed", _day(completion.completed_on)),
        (
            "Expiry",
            (
                _day(expiry)
                + (" (from the certificate)" if completion.expires_on else " (activity validity)")
            )
            if expiry
            else "Never expires",
        ),
        ("Source", completion.get_source_display()),
        ("Certificate number", completion.certificate_number),
        (
            "Link",
            format_html(
                '<a class="govuk-link" href="{}" rel="noreferrer noopener">{}</a>',
                completion.evidence_link,
                completion.evidence_link,
            )
            if completion.evidence_link
            else "",
        ),
        (
            "Evidence file",
            format_html(
                '<a class="govuk-link" href="{}">Download the evidence file</a>',
                reverse("courses:evidence_file", args=[completion.pk]),
            )
            if completion.evidence_file
            else "",
        ),
        (
            "Submitted by" if completion.source == Source.SUBMITTED else "Recorded by",
            f"{completion.recorded_by or 'unknown'} on {_when(completion.recorded_at)}",
        ),
    ]
    if completion.verified_at:
        rows.append(
            (
                "Rejected by" if completion.status == Status.REJECTED else "Verified by",
                f"{completion.verified_by or 'unknown'} on {_when(completion.verified_at)}",
            )
        )
    if completion.points is not None:
        rows.append(("Points", completion.points))
    if completion.status_reason:
        rows.append(("Reason", completion.status_reason))
    return rows


@login_required
@require_GET
def completion_detail(request, pk):
    completion = _completion_for(request, pk)
    may_change = (
        Person.objects.coordinated_by(request.user).filter(pk=completion.person_id).exists()
    )
    return render(
        request,
        "courses/completion_detail.html",
        {
            "completion": completion,
            "rows": _completion_rows(completion),
            "history": _history_lines(completion),
            "may_change": may_change and completion.status != Status.WITHDRAWN,
            "may_review": may_change and completion.status == Status.PENDING,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_completion(request, person_pk):
    person = _person_to_change(request, person_pk)
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        waiting = list(
            Completion.objects.pending()
            .filter(person=person, activity=data["activity"])
            .order_by("completed_on")
        )
        if waiting and request.POST.get("confirmed") != "yes":
            # Check before recording: the same activity is already waiting for verification.
            return render(
                request,
                "courses/record_completion_check.html",
                {
                    "person": person,
                    "data": data,
                    "waiting": waiting,
                    "posted": [
                        (name, value)
                        for name, values in request.POST.lists()
                        if name not in {"csrfmiddlewaretoken", "confirmed"}
                        for value in values
                    ],
                },
            )
        try:
            completion = services.record_completion(
                person=person,
                activity=data["activity"],
                completed_on=data["completed_on"],
                recorded_by=request.user,
                expires_on=data["expires_on"],
                certificate_number=data["certificate_number"],
                evidence_link=data["evidence_link"],
                source=Source.RECORDED,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{data['activity'].title} recorded for {person.full_name}.")
            return redirect(completion)
    return render(request, "courses/record_completion.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def record_cohort(request):
    _require_coordinator(request)
    units = _coordinated_units(request.user)
    unit_form = CohortUnitForm(request.GET or None, units=units)
    people = _coordinated_people(request.user).order_by("last_name", "first_name")
    unit = unit_form.cleaned_data.get("unit") if unit_form.is_valid() else None
    if unit is not None:
        from people.models import Posting

        people = people.filter(
            pk__in=Posting.objects.filter(
                unit_id__in=Unit.objects.descendant_ids([unit.pk])
            ).values("person_id")
        )
    initial = {}
    if unit_form.is_valid():
        code = unit_form.cleaned_data.get("activity")
        initial["activity"] = recordable_activities().filter(code=code).first() if code else None
        if unit_form.cleaned_data.get("select") == "all":
            # No JavaScript needed to tick a whole course list.
            initial["people"] = people
    selecting = request.method == "POST" and request.POST.get("select") in {"all", "none"}
    if selecting:
        data = request.POST.copy()
        everyone = [str(pk) for pk in people.values_list("pk", flat=True)]
        data.setlist("people", everyone if request.POST["select"] == "all" else [])
        form = CohortForm(data, people=people).redrawn()
    else:
        form = CohortForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and not selecting and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["people"])
        try:
            created = services.record_cohort(
                activity=data["activity"],
                people=chosen,
                completed_on=data["completed_on"],
                recorded_by=request.user,
                expires_on=data["expires_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            # The service leaves alone anyone who already has it on that date.
            new_ids = {c.person_id for c in created}
            recorded = [p for p in chosen if p.pk in new_ids]
            had_it = [p for p in chosen if p.pk not in new_ids]
            return render(
                request,
                "courses/cohort_done.html",
                {
                    "activity": data["activity"],
                    "completed_on": data["completed_on"],
                    "expires_on": data["expires_on"],
                    "recorded": recorded,
                    "had_it": had_it,
                },
            )
    return render(
        request,
        "courses/record_cohort.html",
        {
            "form": form,
            "unit_form": unit_form,
            "unit": unit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct_completion(request, pk):
    completion = _completion_to_change(request, pk)
    if completion.status == Status.WITHDRAWN:
        raise Http404("A withdrawn record cannot be corrected.")
    form = CorrectCompletionForm(request.POST or None, completion=completion)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_completion(
                completion=completion,
                corrected_by=request.user,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The record was corrected.")
            return redirect(completion)
    return render(
        request, "courses/correct_completion.html", {"form": form, "completion": completion}
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_completion(request, pk):
    completion = _completion_to_change(request, pk)
    if completion.status == Status.WITHDRAWN:
        messages.info(request, "This record is already withdrawn.")
        return redirect(completion)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_completion(
                completion=completion,
                withdrawn_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, "The record was withdrawn. It no longer counts; its history is kept."
            )
            return redirect(completion)
    return render(
        request, "courses/withdraw_completion.html", {"form": form, "completion": completion}
    )


# --- evidence -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@refuse_oversized_body(lambda: settings.EVIDENCE_MAX_BYTES, what="Evidence files")
def submit_completion(request):
    """Training done elsewhere, submitted with evidence. Officers submit for themselves;
    coordinators for anyone they coordinate (``?person=<pk>`` fixes who)."""
    user = request.user
    own = getattr(user, "person", None)
    fixed = None
    people = None
    if request.GET.get("person"):
        try:
            person_pk = int(request.GET["person"])
        except ValueError as error:
            raise Http404("No such person.") from error
        if own is not None and own.pk == person_pk:
            fixed = own
        else:
            fixed = _person_to_change(request, person_pk)
    elif own is None:
        if not can_coordinate(user):
            raise PermissionDenied("Only officers and coordinators submit evidence.")
        people = _coordinated_people(user).order_by("last_name", "first_name")
    else:
        fixed = own
    # "Submit it with your evidence" on a pathway names the activity: start with it chosen.
    chosen = recordable_activities().filter(code=request.GET.get("activity", "")).first()
    form = SubmitCompletionForm(
        request.POST or None,
        request.FILES or None,
        people=people,
        initial={"activity": chosen.pk} if chosen else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = fixed or data["person"]
        try:
            completion = services.submit_completion(
                person=person,
                activity=data["activity"],
                completed_on=data["completed_on"],
                submitted_by=user,
                evidence_file=data["evidence_file"],
                evidence_link=data["evidence_link"],
                certificate_number=data["certificate_number"],
                expires_on=data["expires_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                "Submitted. It counts once a training coordinator has verified the evidence.",
            )
            return redirect(completion)
    return render(
        request,
        "courses/submit_completion.html",
        {"form": form, "person": fixed, "for_self": fixed is not None and fixed == own},
    )


@login_required
@require_GET
def evidence_file(request, pk):
    """Streams a completion's evidence file to those who may see the completion, always as a
    download with a fixed, safe content type."""
    completion = _completion_for(request, pk)
    if not completion.evidence_file:
        raise Http404("This record has no evidence file.")
    suffix = Path(completion.evidence_file.name).suffix.lower().lstrip(".")
    content_type = EVIDENCE_TYPES.get(suffix, "application/octet-stream")
    try:
        handle = completion.evidence_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The evidence file is missing.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"evidence-{completion.pk}.{suffix if suffix in EVIDENCE_TYPES else 'bin'}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- verification ---------------------------------------------------------------------------


@login_required
@require_GET
def verification_queue(request):
    _require_coordinator(request)
    user = request.user
    pending = (
        Completion.objects.pending()
        .filter(person__in=Person.objects.coordinated_by(user))
        .select_related("person__force", "activity")
        .order_by("recorded_at", "pk")
    )
    queue_filter = VerificationQueueFilter(
        request.GET or None,
        queryset=pending,
        units=_coordinated_units(user),
        activities=Activity.objects.filter(pk__in=pending.values("activity_id")).order_by("title"),
    )
    table = VerificationQueueTable(queue_filter.qs)
    RequestConfig(request, paginate={"per_page": QUEUE_PAGE_SIZE}).configure(table)
    return render(
        request,
        "courses/verification_queue.html",
        {"filter": queue_filter, "table": table},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_completion(request, pk):
    completion = _completion_to_change(request, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if completion.status != Status.PENDING:
            messages.info(request, "This record has already been reviewed.")
            return redirect(completion)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            note = form.cleaned_data["note"].strip()
            try:
                if decision == ReviewForm.VERIFY:
                    services.verify_completion(
                        completion=completion, verified_by=request.user, note=note
                    )
                else:
                    services.reject_completion(
                        completion=completion, rejected_by=request.user, reason=note
                    )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                done = "verified" if decision == ReviewForm.VERIFY else "rejected"
                told = (
                    f" {completion.person.first_name} has been emailed."
                    if completion.person.email
                    else f" {completion.person.first_name} has no email address: tell them."
                )
                messages.success(
                    request,
                    f"{completion.activity.title} for {completion.person.full_name} {done}.{told}",
                )
                return redirect("courses:verification_queue")
    return render(
        request,
        "courses/review_completion.html",
        {
            "completion": completion,
            "rows": _completion_rows(completion),
            "form": form,
            "reviewable": completion.status == Status.PENDING,
        },
    )


# --- the activity catalogue -----------------------------------------------------------------


@login_required
@require_GET
def activity_list(request):
    activity_filter = ActivityFilter(request.GET or None, queryset=Activity.objects.all())
    table = ActivityTable(activity_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "courses/activity_list.html",
        {"filter": activity_filter, "table": table, "may_record": can_coordinate(request.user)},
    )


@login_required
@require_GET
def activity_detail(request, code):
    activity = get_object_or_404(
        Activity.objects.prefetch_related(
            Prefetch(
                "evidences",
                queryset=ActivityCapability.objects.select_related("capability").order_by(
                    "capability__name"
                ),
            ),
            Prefetch("labs", queryset=Activity.objects.order_by("title")),
            Prefetch("collections", queryset=Activity.objects.order_by("title")),
        ),
        code=code,
    )
    return render(
        request,
        "courses/activity_detail.html",
        {
            "activity": activity,
            "may_record": can_coordinate(request.user)
            and recordable_activities().filter(pk=activity.pk).exists(),
        },
    )

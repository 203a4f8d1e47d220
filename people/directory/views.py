"""Pages of the cross-force skills directory, mounted at /directory/. Searching and entries
are for coordinators and leads (officers get 403); a person manages their own entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from people.access import can_coordinate
from people.directory import services as directory
from people.directory.forms import DecisionForm, EntryForm, RequestForm, SearchForm
from people.directory.tables import (
    DirectoryTable,
    OwnRequestTable,
    RequestTable,
    ViewTable,
    status_tag,
    user_label,
)
from people.models import Person
from people.models.directory import (
    Availability,
    DirectoryEntryView,
    DirectoryRequest,
    RequestStatus,
    WorkMode,
)

PER_PAGE = 50

# --- views ---------------------------------------------------------------------------------


@login_required
@require_GET
def search(request):
    directory.require_searcher(request.user)
    form = SearchForm(request.GET or None)
    entries = None
    if form.is_bound and form.is_valid():
        entries = directory.search_directory(user=request.user, filters=form.to_filter())
    elif not form.is_bound:
        entries = directory.search_directory(user=request.user, filters=directory.DirectoryFilter())
    query = request.GET.copy()
    for key in ("page", "sort"):
        query.pop(key, None)
    table = DirectoryTable(entries or [], query=query.urlencode())
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "people/directory/search.html",
        {"form": form, "table": table, "count": len(entries) if entries is not None else None},
    )


@login_required
@require_GET
def entry(request, pk):
    # The search it was opened from travels in the query string, for the log and the way back.
    search = SearchForm(request.GET or None)
    filters = search.to_filter() if search.is_bound and search.is_valid() else None
    entry = directory.view_entry(user=request.user, person_id=pk, filters=filters)
    if entry is None:
        raise Http404("Not in the directory.")
    back = reverse("directory:search") + (f"?{request.GET.urlencode()}" if filters else "")
    return render(
        request,
        "people/directory/entry.html",
        {"entry": entry, "form": RequestForm(), "back": back},
    )


@login_required
@require_POST
def request_help(request, pk):
    directory.require_searcher(request.user)
    if not directory.listed_people().filter(pk=pk).exists():
        raise Http404("Not in the directory.")
    form = RequestForm(request.POST)
    if not form.is_valid():
        entry = directory.own_entry(get_object_or_404(directory.listed_people(), pk=pk))
        return render(
            request, "people/directory/entry.html", {"entry": entry, "form": form}, status=400
        )
    req = directory.request_help(
        person_id=pk, by=request.user, message=form.cleaned_data["message"]
    )
    messages.success(request, "Your request was sent to the person's coordinator.")
    return redirect("directory:request_detail", pk=req.pk)


@login_required
@require_GET
def requests(request):
    directory.require_searcher(request.user)
    qs = directory.requests_visible_to(request.user)
    coordinated = Person.objects.coordinated_by(request.user).values("pk")
    to_decide = RequestTable(
        qs.filter(person__in=coordinated, status=RequestStatus.PENDING), prefix="d-"
    )
    to_decide.caption = "Waiting for your decision"
    decided = RequestTable(
        qs.filter(person__in=coordinated).exclude(status=RequestStatus.PENDING), prefix="c-"
    )
    decided.caption = "Decided, for people you coordinate"
    sent = RequestTable(
        qs.filter(requested_by=request.user), prefix="s-", exclude=("requested_by",)
    )
    sent.caption = "Requests you sent"
    for table in (to_decide, decided, sent):
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "people/directory/requests.html",
        {
            "to_decide": to_decide,
            "decided": decided,
            "sent": sent,
            "coordinates": can_coordinate(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    req = get_object_or_404(directory.requests_visible_to(request.user), pk=pk)
    may_decide = (
        req.status == RequestStatus.PENDING
        and Person.objects.coordinated_by(request.user).filter(pk=req.person_id).exists()
    )
    form = DecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise Http404("Only the person's coordinator decides, once.")
        if form.is_valid():
            try:
                directory.decide_request(
                    request_id=req.pk,
                    by=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error("decision", error)
            else:
                messages.success(request, "Decision saved; the person and the requester are told.")
                return redirect("directory:request_detail", pk=req.pk)
    return render(
        request,
        "people/directory/request.html",
        {
            "req": req,
            "form": form,
            "requester": user_label(req.requested_by),
            "status": status_tag(req),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _own_person(request) -> Person:
    person = Person.objects.filter(user=request.user).select_related("force").first()
    if person is None:
        raise Http404("You have no record on the register.")
    return person


@login_required
@require_http_methods(["GET", "POST"])
def my_entry(request):
    person = _own_person(request)
    availability = Availability.objects.filter(person=person).first()
    initial = {
        "consent": person.directory_consent,
        "biography": person.skills_biography,
        "hours_a_month": availability.hours_a_month if availability else None,
        "mode": availability.mode if availability else WorkMode.EITHER,
        "notice_days": availability.notice_days if availability else None,
    }
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        directory.update_entry(
            person=person,
            by=request.user,
            biography=data["biography"],
            hours_a_month=data["hours_a_month"],
            mode=data["mode"],
            notice_days=data["notice_days"],
        )
        if data["consent"]:
            directory.give_consent(person=person, by=request.user)
        else:
            directory.withdraw_consent(person=person, by=request.user)
        messages.success(
            request,
            "Your entry is in the directory."
            if data["consent"]
            else "Your entry is not in the directory.",
        )
        return redirect("directory:my_entry")
    person.refresh_from_db()
    decided = (
        DirectoryRequest.objects.filter(person=person)
        .exclude(status=RequestStatus.PENDING)
        .select_related("requested_by")
        .order_by("-decided_at", "-pk")
    )
    requests_table = OwnRequestTable(decided)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(requests_table)
    return render(
        request,
        "people/directory/my_entry.html",
        {
            "form": form,
            "person": person,
            "entry": directory.own_entry(person),
            "requests_table": requests_table,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def my_views(request):
    person = _own_person(request)
    views = DirectoryEntryView.objects.filter(person=person).select_related("viewer")
    table = ViewTable(views)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "people/directory/my_views.html", {"table": table, "person": person})

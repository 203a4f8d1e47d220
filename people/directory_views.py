"""Pages of the cross-force skills directory, mounted at /directory/. Searching and entries
are for coordinators and leads (officers get 403); a person manages their own entry."""

from __future__ import annotations

import django_tables2 as tables
from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from people import directory
from people.access import can_coordinate
from people.directory_models import (
    Availability,
    DirectoryEntryView,
    DirectoryRequest,
    RequestStatus,
    WorkMode,
)
from people.forms import FilterForm, refuse_control_characters_but_lines
from people.models import Person, PersonType, Region
from skills.models import Capability, Function, Level

PER_PAGE = 50


# --- forms ---------------------------------------------------------------------------------


class SearchForm(FilterForm):
    capability = forms.ModelChoiceField(
        queryset=Capability.objects.order_by("name"),
        required=False,
        empty_label="Any capability",
        to_field_name="code",
    )
    level = forms.TypedChoiceField(
        label="At least level", choices=Level.choices, coerce=int, required=False, empty_value=1
    )
    function = forms.ChoiceField(choices=[("", "Any function"), *Function.choices], required=False)
    person_type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *PersonType.choices], required=False
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(), required=False, empty_label="Any region"
    )
    mode = forms.ChoiceField(
        label="Works",
        choices=[("", "Any way"), (WorkMode.REMOTE, "Remote"), (WorkMode.ON_SITE, "On site")],
        required=False,
    )
    min_hours = forms.IntegerField(label="At least hours a month", min_value=0, required=False)
    max_notice_days = forms.IntegerField(label="Notice at most (days)", min_value=0, required=False)

    def to_filter(self) -> directory.DirectoryFilter:
        data = self.cleaned_data
        return directory.DirectoryFilter(
            capability=data.get("capability"),
            level=data.get("level") or 1,
            function=data.get("function") or "",
            person_type=data.get("person_type") or "",
            region_id=data["region"].pk if data.get("region") else None,
            mode=data.get("mode") or "",
            min_hours=data.get("min_hours"),
            max_notice_days=data.get("max_notice_days"),
        )


class RequestForm(forms.Form):
    message = forms.CharField(
        label="What do you need help with?",
        help_text="Say what the task is, when, for how long and where. Do not include "
        "operationally sensitive details.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Say what you need help with"},
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("message"), Submit("send", "Send request"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Your decision",
        error_messages={"required": "Choose accept or decline"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("note"),
            Submit("decide", "Save decision"),
        )


class EntryForm(forms.Form):
    consent = forms.BooleanField(
        label="Show my entry in the cross-force skills directory",
        required=False,
        help_text="Coordinators and leads of any force can then find you by your verified "
        "capabilities. Your contact details are never shown. You can withdraw at any time.",
    )
    biography = forms.CharField(
        label="Skills biography",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Your specialist skills in your own words. Shown as your own description, "
        "never as verified.",
        max_length=4000,
    )
    hours_a_month = forms.IntegerField(
        label="Hours a month you could offer", min_value=0, max_value=744, required=False
    )
    mode = forms.ChoiceField(
        label="How you can work", choices=WorkMode.choices, widget=forms.RadioSelect
    )
    notice_days = forms.IntegerField(
        label="Notice needed (days)", min_value=0, max_value=365, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.checkbox("consent"),
            Field.textarea("biography"),
            Field.text("hours_a_month", field_width=4),
            Field.radios("mode", legend_size=Size.SMALL),
            Field.text("notice_days", field_width=4),
            Submit("save", "Save"),
        )


# --- tables --------------------------------------------------------------------------------


def _holdings_html(holdings):
    if not holdings:
        return "None verified"
    items = format_html_join(
        "", "<li>{} (level {})</li>", ((h.capability.name, h.level) for h in holdings)
    )
    return format_html('<ul class="govuk-list govuk-!-margin-bottom-0">{}</ul>', items)


class DirectoryTable(tables.Table):
    """Directory entries (``people.directory.DirectoryEntry``); no contact details."""

    caption = "People in the directory"
    noun_plural = "people"

    name = tables.Column(verbose_name="Name")
    person_type_label = tables.Column(verbose_name="Type")
    force = tables.Column(verbose_name="Force")
    region = tables.Column(verbose_name="Region")
    holdings = tables.Column(verbose_name="Verified capabilities", orderable=False, empty_values=())
    availability = tables.Column(verbose_name="Availability", orderable=False)

    class Meta:
        empty_text = "Nobody in the directory matches your search."

    def __init__(self, data, *, query: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.query = query

    def render_name(self, record):
        url = reverse("directory:entry", args=[record.person_id])
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            f"{url}?{self.query}" if self.query else url,
            record.name,
        )

    def render_holdings(self, record):
        return _holdings_html(record.holdings)


class RequestTable(tables.Table):
    caption = "Requests for help"
    noun_plural = "requests"

    created_at = tables.Column(verbose_name="Sent")
    person = tables.Column(verbose_name="For", orderable=False)
    requested_by = tables.Column(verbose_name="From", orderable=False)
    status = tables.Column(verbose_name="Status")

    class Meta:
        empty_text = "No requests."

    def render_created_at(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("directory:request_detail", args=[record.pk]),
            f"{timezone.localtime(record.created_at):%-d %b %Y}",
        )

    def render_person(self, record):
        return f"{record.person.full_name} ({record.person.force.name})"

    def render_requested_by(self, value):
        return user_label(value)

    def render_status(self, record):
        return status_tag(record)


def user_label(user) -> str:
    """A requester as a coordinator needs them: name and work email, to arrange the work."""
    name = str(user)
    return name if name == user.email else f"{name} ({user.email})"


def status_tag(req) -> str:
    colour = {
        RequestStatus.ACCEPTED: "govuk-tag--green",
        RequestStatus.DECLINED: "govuk-tag--grey",
    }.get(req.status, "govuk-tag--light-blue")
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, req.get_status_display())


class OwnRequestTable(tables.Table):
    """Requests for the person's help that their coordinator decided (what they were told)."""

    caption = "Requests for your help"
    noun_plural = "requests"

    decided_at = tables.Column(verbose_name="Decided", orderable=False)
    requested_by = tables.Column(verbose_name="From", orderable=False)
    message = tables.Column(verbose_name="Request", orderable=False)
    status = tables.Column(verbose_name="Decision", orderable=False)

    class Meta:
        empty_text = "Your coordinator has not decided on any request for your help."

    def render_decided_at(self, value):
        return f"{timezone.localtime(value):%-d %b %Y}"

    def render_requested_by(self, value):
        return user_label(value)

    def render_status(self, record):
        return status_tag(record)


class ViewTable(tables.Table):
    caption = "Who viewed your entry"
    caption_class = "govuk-visually-hidden"
    noun_plural = "views"

    created_at = tables.Column(verbose_name="When", orderable=False)
    viewer = tables.Column(verbose_name="Who", orderable=False)

    class Meta:
        empty_text = "Nobody has viewed your entry yet."

    def render_created_at(self, value):
        return f"{timezone.localtime(value):%-d %b %Y %H:%M}"

    def render_viewer(self, value):
        return user_label(value)


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
        "people/directory_search.html",
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
        "people/directory_entry.html",
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
            request, "people/directory_entry.html", {"entry": entry, "form": form}, status=400
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
        "people/directory_requests.html",
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
        "people/directory_request.html",
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
        "people/directory_my_entry.html",
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
    return render(request, "people/directory_my_views.html", {"table": table, "person": person})

"""Pages about people and units. Every lookup starts from what the user may see, so a person
or unit outside their scope is simply not found (404)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from courses.models import Completion
from people.access import can_coordinate, has_oversight, roles_of
from people.filters import PersonFilter
from people.identity.models import LoginEvent
from people.identity.services import (
    force_directory,
    record_event,
    send_login_email,
    set_password_link_lifetime,
)
from people.models import Person, Posting, Reminder, Role, Unit, User, in_post_on
from people.tables import (
    CompletionTable,
    PersonTable,
    PostingTable,
    UnitPeopleTable,
    UnitTable,
)

PER_PAGE = 25


def _person_for(request, pk) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("force", "user"), pk=pk
    )


def _unit_for(request, code) -> Unit:
    return get_object_or_404(
        Unit.objects.visible_to(request.user).select_related("region", "parent"), code=code
    )


@login_required
def home(request):
    """Where each user's work starts: coordinators see their work (verification queue,
    people due or expiring in their units, recording and importing), chief officers and leads
    go to coverage, officers to their pathway; anyone else learns they have no access yet."""
    user = request.user
    roles = roles_of(user)
    if can_coordinate(user) and not user.is_superuser:
        return render(request, "people/home_coordinator.html", _coordinator_work(user))
    if has_oversight(user):
        try:
            return redirect(reverse("coverage:overview"))
        except NoReverseMatch:
            return redirect("people:unit_list")
    if Role.OFFICER in roles:
        return redirect("me:pathway")
    return render(request, "home.html")


# Requirement statuses a coordinator acts on, most urgent first.
WORK_STATUSES = {"missing": 0, "due": 1, "expiring": 2}
WORK_ROWS = 25


def _coordinator_work(user) -> dict:
    """What waits for a coordinator today: submissions to verify, and the people in the units
    they coordinate whose requirements are missing, due or expiring (one engine report per
    unit they coordinate, never a query per person)."""
    from skills.coverage import build_unit_report

    today = timezone.localdate()
    people = Person.objects.coordinated_by(user)
    pending = Completion.objects.pending().filter(person__in=people).count()
    units = list(
        Unit.objects.visible_to(user)
        .filter(
            pk__in=Posting.objects.current_on(today).filter(person__in=people).values("unit_id")
        )
        .select_related("parent")
        .order_by("name")
    )
    codes = {unit.code for unit in units}
    # A unit inside another one listed is already in that one's report.
    top = [unit for unit in units if not (unit.parent and unit.parent.code in codes)]
    mine = set(people.values_list("pk", flat=True))
    rows = []
    for unit in top:
        report = build_unit_report(unit, as_of=today, horizon=0)
        for line in report.people:
            if line.person.id not in mine:
                continue
            for posting in line.postings:
                for req in posting.requirements:
                    if req.status in WORK_STATUSES:
                        rows.append((unit, line.person, posting, req))
    rows.sort(
        key=lambda r: (
            WORK_STATUSES[r[3].status],
            r[3].held_until or r[3].deadline,
            r[1].name,
        )
    )
    seen = set()
    work = []
    for unit, person, posting, req in rows:
        key = (person.id, req.capability.code, req.level)
        if key in seen:
            continue
        seen.add(key)
        work.append(
            {
                "unit": unit,
                "person": person,
                "posting": posting,
                "requirement": req,
                "on": req.held_until if req.status == "expiring" else req.deadline,
            }
        )
    return {
        "today": today,
        "pending": pending,
        "units": top,
        "work": work[:WORK_ROWS],
        "work_total": len(work),
    }


@login_required
def person_list(request):
    if not has_oversight(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    people = (
        Person.objects.visible_to(request.user)
        .select_related("force")
        .prefetch_related(
            Prefetch(
                "postings",
                queryset=Posting.objects.current_on(today)
                .select_related("unit")
                .order_by("unit__code"),
                to_attr="current_postings",
            )
        )
    )
    filterset = PersonFilter(request.GET, queryset=people, user=request.user, today=today)
    table = PersonTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "people/person_list.html", {"filter": filterset, "table": table})


@login_required
def person_detail(request, pk):
    person = _person_for(request, pk)
    postings = person.postings.select_related("unit", "role_profile", "fund").order_by("-start")
    visible_unit_ids = set(
        Unit.objects.visible_to(request.user)
        .filter(pk__in=[p.unit_id for p in postings])
        .values_list("pk", flat=True)
    )
    posting_table = PostingTable(postings, visible_unit_ids=visible_unit_ids)
    completions = Completion.objects.filter(person=person).select_related("activity")
    completion_table = CompletionTable(completions, prefix="c-")
    can_record = can_coordinate(request.user, person)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(completion_table)
    from skills.coverage import person_requirements

    today = timezone.localdate()
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "today": today,
            "pathway": person_requirements(person, today),
            "history": _person_history(person),
            # What the register emailed this person, for their coordinator too (issue 15).
            "reminders": list(Reminder.objects.filter(person=person).order_by("-sent_on", "-pk")),
            "posting_table": posting_table,
            "completion_table": completion_table,
            "summary_rows": _person_summary(person),
            "can_record": can_record,
            "can_invite": can_record and person.user_id is None,
            "is_self": person.user_id == request.user.pk,
            "breadcrumbs": (
                [("Home", reverse("home")), ("People", reverse("people:person_list"))]
                if has_oversight(request.user)
                else []
            ),
        },
    )


def _person_history(person: Person) -> list[dict]:
    """Changes to the person's own record, newest first: when, who, why and which fields
    (django-simple-history; one query)."""
    rows = list(person.history.select_related("history_user").order_by("-history_date"))
    out = []
    for newer, older in zip(rows, [*rows[1:], None], strict=True):
        if older is None:
            changed = "Added to the register"
        else:
            fields = newer.diff_against(older).changed_fields
            changed = (
                ", ".join(str(Person._meta.get_field(name).verbose_name) for name in fields)
                or "No field changed"
            )
        out.append(
            {
                "on": newer.history_date,
                "who": newer.history_user.email if newer.history_user else "The register",
                "why": newer.history_change_reason or "",
                "changed": changed,
            }
        )
    return out


def _person_summary(person: Person) -> list[tuple[str, str]]:
    consent = "No"
    if person.directory_consent:
        consent = f"Yes, since {person.directory_consent_on:%-d %B %Y}"
    return [
        ("Force", person.force.name),
        ("Staff number", person.staff_number),
        ("Type", person.get_person_type_display()),
        ("Rank", person.rank),
        ("Email", person.email),
        ("Login", "Yes" if person.user_id else "No"),
        ("Skills directory", consent),
    ]


@login_required
def unit_list(request):
    today = timezone.localdate()
    # Counting on a fresh queryset keeps the scope's joins (postings of the viewer) out of the
    # count.
    units = (
        Unit.objects.filter(pk__in=Unit.objects.visible_to(request.user).values("pk"))
        .select_related("region")
        .prefetch_related("forces")
        .annotate(
            people_today=Count(
                "postings__person",
                filter=in_post_on(today, via="postings__"),
                distinct=True,
            )
        )
    )
    table = UnitTable(units)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    pending = None
    if can_coordinate(request.user):
        # A coordinator's day starts here: their units and what waits for them to verify.
        pending = (
            Completion.objects.pending()
            .filter(person__in=Person.objects.coordinated_by(request.user))
            .count()
        )
    return render(request, "people/unit_list.html", {"table": table, "pending": pending})


@login_required
def unit_detail(request, code):
    unit = _unit_for(request, code)
    today = timezone.localdate()
    visible_units = Unit.objects.visible_to(request.user)
    sub_units = Unit.objects.filter(parent=unit, pk__in=visible_units.values("pk"))
    unit_ids = Unit.objects.descendant_ids([unit.pk])
    current = Posting.objects.current_on(today).filter(unit_id__in=unit_ids)
    # Only people the viewer may see are named (an officer sees their own line); the
    # headcount of the whole unit is not personal data.
    headcount = current.values("person_id").distinct().count()
    postings = (
        current.filter(person__in=Person.objects.visible_to(request.user))
        .select_related("person", "unit", "role_profile", "fund")
        .order_by("person__last_name", "person__first_name")
    )
    visible_person_ids = {p.person_id for p in postings}
    table = UnitPeopleTable(postings, visible_person_ids=visible_person_ids)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "people/unit_detail.html",
        {
            "unit": unit,
            "sub_units": sub_units,
            "table": table,
            "today": today,
            "summary_rows": _unit_summary(unit)
            + [("People in the unit today", _headcount_label(headcount, len(visible_person_ids)))],
            "oversight": has_oversight(request.user),
            "breadcrumbs": [("Home", reverse("home")), ("Units", reverse("people:unit_list"))],
        },
    )


def _headcount_label(headcount: int, listed: int) -> str:
    """The unit's headcount, saying how many of them the viewer may see: an officer told
    "33" above a list of one should know why (issue 15)."""
    if listed >= headcount:
        return str(headcount)
    return f"{headcount} (you can see {listed} of them; the others' records are not shown to you)"


def _unit_summary(unit: Unit) -> list[tuple[str, str]]:
    forces = ", ".join(f.name for f in unit.forces.all())
    return [
        ("Code", unit.code),
        ("Kind", unit.get_kind_display()),
        ("Forces", forces or "None (regional team)"),
        ("Region", unit.region.name),
        ("Inside", str(unit.parent) if unit.parent else ""),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, pk):
    """A coordinator gives a person on the register a login (no public sign-up): the account
    is created without a password and the person is emailed a link to set one. Confirmed on
    a page first; refused in words if the person has no email or the email already has a
    login."""
    person = _person_for(request, pk)
    if not can_coordinate(request.user, person):
        raise PermissionDenied("Only the person's coordinators may give them a login.")
    problem = _invite_problem(person)
    if request.method == "POST" and problem is None:
        with transaction.atomic():
            user = User.objects.create_user(
                email=person.email,
                password=None,  # unusable until they set one from the email
                first_name=person.first_name,
                last_name=person.last_name,
            )
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
            person.user = user
            person.save(update_fields=["user"])
        record_event(user=user, kind=LoginEvent.Kind.CREATED, by=request.user)
        # The register's own email: who gave the login, and how to sign in (identity).
        send_login_email(request, user=user, given_by=request.user)
        messages.success(request, f"{person.full_name} now has a login. We emailed {user.email}.")
        return redirect(person)
    return render(
        request,
        "people/invite.html",
        {
            "person": person,
            "problem": problem,
            "directory": force_directory(person.force_id),
            "link_valid_for": set_password_link_lifetime(),
            "breadcrumbs": [
                ("Home", reverse("home")),
                ("People", reverse("people:person_list")),
                (person.full_name, person.get_absolute_url()),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def _invite_problem(person: Person) -> str | None:
    if person.user_id:
        return f"{person.full_name} already has a login ({person.user.email})."
    if not person.email:
        return f"{person.full_name} has no email address on the register. Add one first."
    if User.objects.filter(email__iexact=person.email).exists():
        return (
            f"A login with the email {person.email} already exists. Ask an administrator to "
            "link it to this person."
        )
    return None

"""The training plan page (issue 16, point 4): for a unit (or a force) the user may plan for,
a horizon and a budget, the bookings the solver proposes, each explained; then "check your
answers" and the chosen bookings made in one transaction, each checked again first.

Looking writes nothing: the plan is a GET form. The chosen (person, offering) pairs travel in
the address and hidden fields as ``PERSON-OFFERING``; they are never trusted: ``check_picks``
asks again, from the database, whether each may be booked by this user now."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from courses.models import Booking, Offering
from courses.offerings import services as booking_service
from courses.offerings.tables import pounds
from people.access import can_coordinate, units_overseen_by
from people.models import Force, Grant, Person, Posting, Role, Unit
from skills.coverage.redact import WITHHELD_NAME
from skills.plan import build
from skills.plan.explain import explain, explain_shortfalls
from skills.plan.forms import PlanForm
from skills.plan.model import Budget, solve
from skills.plan.tables import ChosenTable, HeadcountTable, ProposalTable

# Who may plan (and accept a plan): coordinators and chief officers of the unit or force.
PLAN_ROLES = (Role.COORDINATOR, Role.CHIEF_OFFICER)
# Seconds the solver may spend within a request (the page says when it ran out).
PAGE_TIME_LIMIT = 20.0
DEFAULT_HORIZON = 12
# Keys of the plan form carried to the accept page, for the way back to the same plan (the
# budget only shaped the proposals: the bookings are checked on their own merits).
CARRIED = ("scope", "as_of", "horizon", "money", "places", "per_person")


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _require_planner(user) -> None:
    if user.is_superuser:
        return
    if not Grant.objects.scope_for(user, roles=PLAN_ROLES).roles:
        raise PermissionDenied("Only coordinators and chief officers may plan training.")


def _force_plans() -> bool:
    return hasattr(build, "build_force_plan")


def plannable_units(user):
    return units_overseen_by(user, roles=PLAN_ROLES).order_by("name")


def plannable_forces(user):
    """Forces the user has a coordinator or chief officer grant over (all, for a superuser or
    a grant over everything); none until the force-wide plan exists."""
    if not _force_plans():
        return Force.objects.none()
    if user.is_superuser:
        return Force.objects.order_by("name")
    scope = Grant.objects.scope_for(user, roles=PLAN_ROLES)
    if scope.everything:
        return Force.objects.order_by("name")
    return Force.objects.filter(pk__in=scope.force_ids).order_by("name")


@dataclass(frozen=True)
class Scope:
    key: str  # unit:CODE or force:CODE
    name: str
    unit: Unit | None = None
    force: Force | None = None

    def unit_ids(self) -> set[int]:
        """The units whose people the plan is for (a unit and those inside it)."""
        if self.unit is not None:
            return Unit.objects.descendant_ids([self.unit.pk])
        from people.access import units_of_force

        return set(units_of_force(self.force).values_list("pk", flat=True))

    def units(self) -> list[Unit]:
        return list(Unit.objects.filter(pk__in=self.unit_ids()).prefetch_related("forces"))


def _choices(user) -> tuple[list[tuple[str, str]], dict[str, Scope]]:
    scopes = {}
    for unit in plannable_units(user):
        key = f"unit:{unit.code}"
        scopes[key] = Scope(key, unit.name, unit=unit)
    for force in plannable_forces(user):
        key = f"force:{force.code}"
        scopes[key] = Scope(key, f"{force.name} (every unit)", force=force)
    choices = [(k, f"{s.name} ({s.unit.code})" if s.unit else s.name) for k, s in scopes.items()]
    return choices, scopes


def _scope_asked(request, scopes) -> Scope | None:
    """The scope in the address: None if blank; 404 if not one the user may plan for."""
    key = request.GET.get("scope") or request.POST.get("scope") or ""
    if not key:
        return None
    if key not in scopes:
        raise Http404("No such unit or force in your scope")
    return scopes[key]


def _build(scope: Scope, *, as_of, horizon, budget):
    if scope.unit is not None:
        return build.build_unit_plan(
            scope.unit, as_of=as_of, horizon=horizon, budget=budget, time_limit=PAGE_TIME_LIMIT
        )
    return build.build_force_plan(
        scope.force, as_of=as_of, horizon=horizon, budget=budget, time_limit=PAGE_TIME_LIMIT
    )


def solver_words(result) -> str:
    """The solver's status and optimality gap, in words."""
    if not result.stages or result.stages[0].objective is None:
        return (
            "The solver found no plan better than booking nobody within the time limit: "
            "try a shorter horizon or a smaller unit."
        )
    if any(s.objective is None for s in result.stages):
        return (
            "The time limit was reached: the plan keeps the targets' minimums as far as it "
            "could, but single points of failure, compliance and cost were not weighed."
        )
    if result.optimal:
        return "Proved optimal: no plan within the budget does better."
    gap = result.gap
    if gap is None:
        return (
            "The time limit was reached: this is the best plan found, but the solver could "
            "not say how close it is to the best possible."
        )
    return f"The time limit was reached: this plan is within {gap * 100:.1f}% of the best possible."


def report_url(unit: Unit, *, as_of: date, horizon: int) -> str:
    """The unit report with the booked-training what-if on (skills.report.forms.ReportForm)."""
    query = QueryDict(mutable=True)
    query.update({"as_of": as_of.isoformat(), "horizon": str(horizon), "bookings": "on"})
    return f"{reverse('skills:unit_report', args=[unit.code])}?{query.urlencode()}"


def _carried(form, scope: Scope, as_of: date, horizon: int) -> dict[str, str]:
    budget = {
        k: str(form.cleaned_data[k])
        for k in ("money", "places", "per_person")
        if form.cleaned_data.get(k) is not None
    }
    return {"scope": scope.key, "as_of": as_of.isoformat(), "horizon": str(horizon), **budget}


def _headcount_status(rows) -> str:
    """One target's month ends in words, for the summary of its collapsed table."""

    def short(key):
        return any(r["minimum"] and r[key] < r["minimum"] for r in rows)

    if short("after"):
        return "short at some month end even with the plan"
    if short("before"):
        return "short without the plan, at or above its minimum with it"
    return "at or above its minimum at every month end"


def _breadcrumbs():
    return [("Home", reverse("home")), ("Coverage", reverse("coverage:overview"))]


@login_required
@require_http_methods(["GET"])
def plan(request):
    """The form, and with a scope chosen and "Propose a plan" pressed, the proposals."""
    _require_planner(request.user)
    choices, scopes = _choices(request.user)
    scope = _scope_asked(request, scopes)
    bound = "plan" in request.GET
    form = PlanForm(request.GET if bound else None, choices=choices)
    if not bound:
        horizon = request.GET.get("horizon", "")
        form.initial = {
            "scope": scope.key if scope else "",
            "horizon": int(horizon) if horizon.isdigit() else DEFAULT_HORIZON,
        }
        as_of = _as_of_carried(request.GET.get("as_of"), None)
        if as_of is not None:
            form.initial["as_of"] = as_of
    context = {
        "form": form,
        "has_scopes": bool(scopes),
        "force_plans": _force_plans(),
        "result": None,
        "breadcrumbs": _breadcrumbs(),
        "may_record_offering": can_coordinate(request.user),
    }
    status = 200
    if bound and form.is_valid():
        scope = scopes[form.cleaned_data["scope"]]
        as_of = form.cleaned_data.get("as_of") or timezone.localdate()
        horizon = form.cleaned_data.get("horizon") or DEFAULT_HORIZON
        budget = Budget(
            money_pence=form.money_pence,
            places=form.cleaned_data.get("places"),
            per_person=form.cleaned_data.get("per_person"),
        )
        try:
            data = _build(scope, as_of=as_of, horizon=horizon, budget=budget)
        except ValueError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            context.update(_results(request, form, scope, data, as_of=as_of, horizon=horizon))
    elif bound:
        status = 400
    return render(request, "skills/plan/plan.html", context, status=status)


def _results(request, form, scope: Scope, data, *, as_of: date, horizon: int) -> dict:
    visible = set(
        Person.objects.visible_to(request.user)
        .filter(pk__in=[p.id for p in data.people])
        .values_list("pk", flat=True)
    )
    last = data.month_ends[-1] if data.month_ends else as_of
    context = {
        "scope": scope,
        "as_of": as_of,
        "horizon": horizon,
        "last": last,
        "no_targets": not data.targets,
        "no_offerings": not data.offerings,
        "carried": _carried(form, scope, as_of, horizon),
    }
    if not data.offerings:
        return context | {"result": None, "looked": True}
    result = solve(data)
    # Names of people outside the viewer's scope are withheld, in the sentences too.
    shown = replace(
        data,
        people=[p if p.id in visible else replace(p, name=WITHHELD_NAME) for p in data.people],
    )
    offerings = {o.id: o for o in data.offerings}
    today = timezone.localdate()
    rows = []
    for n, line in enumerate(explain(shown, result), start=1):
        p, o = line.proposal, offerings[line.proposal.offering_id]
        rows.append(
            {
                "n": n,
                "key": f"{p.person_id}-{p.offering_id}",
                "person": line.person,
                "offering": o.title,
                "starts_on": o.starts_on,
                "ends_on": o.ends_on,
                "cost_pence": p.cost_pence,
                "reason": line.reason,
                "bookable": p.person_id in visible and o.starts_on > today,
                "why_not": "Outside your scope" if p.person_id not in visible else "Started",
            }
        )
    headcounts = []
    for t in data.targets:
        before, after = result.headcount_before[t.label], result.headcount_after[t.label]
        month_rows = [
            {"month_end": m, "minimum": t.minimums.get(m), "before": before[m], "after": after[m]}
            for m in data.month_ends
        ]
        headcounts.append(
            HeadcountTable(
                month_rows,
                caption=f"{t.label}: holders at each month end",
                summary=f"{t.label}: {_headcount_status(month_rows)}",
                short=any(r["minimum"] and r["after"] < r["minimum"] for r in month_rows),
            )
        )
    return context | {
        "result": result,
        "looked": True,
        "proposals": ProposalTable(rows),
        "bookable": [r["key"] for r in rows if r["bookable"]],
        "summary_rows": [
            ("Proposed bookings", len(rows)),
            ("Total cost", pounds(result.cost_pence)),
            ("Solver", solver_words(result)),
        ],
        "shortfalls": explain_shortfalls(result),
        "headcounts": headcounts,
        "nothing_to_do": not rows and not result.shortfalls,
    }


# --- accepting ------------------------------------------------------------------------------


class BadPicks(ValueError):
    pass


def parse_picks(values) -> list[tuple[int, int]]:
    """``["12-34", …]`` -> [(person id, offering id)], each once, in the order given."""
    out = []
    for value in values:
        person, sep, offering = (value or "").partition("-")
        if not (sep and person.isdigit() and offering.isdigit()):
            raise BadPicks(value)
        pair = (int(person), int(offering))
        if pair not in out:
            out.append(pair)
    return out


@dataclass
class Chosen:
    person: Person | None
    offering: Offering | None
    person_id: int
    offering_id: int

    @property
    def label(self) -> str:
        who = self.person.full_name if self.person else f"Person {self.person_id}"
        what = str(self.offering) if self.offering else f"offering {self.offering_id}"
        return f"{who} onto {what}"


def check_picks(user, scope: Scope, picks, *, today: date, lock: bool = False):
    """The chosen bookings and, for each that may not be made now, why: the person must be
    one the user may see, in the scope's units on the offering's first day; the offering open
    to their unit, not cancelled, not started, with a place for each chosen; the person not
    booked onto it already. ``lock`` holds the offerings' rows until the transaction ends.
    A fixed number of queries, plus one per unit the chosen people are in."""
    person_ids = {p for p, _ in picks}
    offering_ids = {o for _, o in picks}
    people = {p.pk: p for p in Person.objects.visible_to(user).filter(pk__in=person_ids).distinct()}
    if lock:
        # Hold the offerings' rows (places, cancelled) until the bookings are made.
        list(Offering.objects.filter(pk__in=offering_ids).select_for_update().values_list("pk"))
    offerings = {
        o.pk: o
        for o in Offering.objects.filter(pk__in=offering_ids)
        .select_related("activity")
        .prefetch_related("open_to_units", "open_to_forces")
    }
    unit_ids = scope.unit_ids()
    # (person, first day) -> the scope's units they are in then: one query per first day.
    in_units = defaultdict(set)
    for day in {o.starts_on for o in offerings.values()}:
        for person_id, unit_id in (
            Posting.objects.current_on(day)
            .filter(person_id__in=people, unit_id__in=unit_ids)
            .values_list("person_id", "unit_id")
        ):
            in_units[person_id, day].add(unit_id)
    taken = defaultdict(int)
    already = set()
    for person_id, offering_id in (
        Booking.objects.active()
        .filter(offering_id__in=offerings)
        .values_list("person_id", "offering_id")
    ):
        taken[offering_id] += 1
        already.add((person_id, offering_id))
    unit_forces = defaultdict(set)
    for unit_id, force_id in Unit.forces.through.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "force_id"
    ):
        unit_forces[unit_id].add(force_id)
    descendants = {
        o.pk: Unit.objects.descendant_ids([u.pk for u in o.open_to_units.all()])
        for o in offerings.values()
        if o.open_to_units.all()
    }
    wanted = defaultdict(int)
    rows, problems = [], []
    for person_id, offering_id in picks:
        person, offering = people.get(person_id), offerings.get(offering_id)
        row = Chosen(person, offering, person_id, offering_id)
        rows.append(row)
        if person is None:
            problems.append(f"Person {person_id} is not someone you may book.")
            continue
        if offering is None:
            problems.append(f"{person.full_name}: offering {offering_id} does not exist.")
            continue
        if offering.cancelled:
            problems.append(f"{row.label}: the offering has been cancelled.")
            continue
        if offering.starts_on <= today:
            problems.append(f"{row.label}: the offering has already started.")
            continue
        if (person_id, offering_id) in already:
            problems.append(f"{row.label}: they are booked onto it already.")
            continue
        units_then = in_units[person_id, offering.starts_on]
        if not units_then:
            problems.append(
                f"{row.label}: they are not in {scope.name} on {_day(offering.starts_on)}."
            )
            continue
        if not _open_to(offering, person, units_then, unit_forces, descendants):
            problems.append(f"{row.label}: the offering is not open to their unit.")
            continue
        wanted[offering_id] += 1
    for offering_id, n in wanted.items():
        offering = offerings[offering_id]
        left = max(0, offering.places - taken[offering_id])
        if n > left:
            problems.append(f"{offering}: {left} place{'' if left == 1 else 's'} left, {n} chosen.")
    return rows, problems


def _open_to(offering, person, units, unit_forces, descendants) -> bool:
    """The courses app's rule (courses.offerings.services.eligible_people): open to a listed unit or
    one inside it, or to a force the person or their unit belongs to; none listed: the owner
    force."""
    force_ids = {f.pk for f in offering.open_to_forces.all()}
    listed_units = descendants.get(offering.pk, set())
    if not force_ids and not listed_units:
        force_ids = {offering.owner_force_id}
    if person.force_id in force_ids or any(u in listed_units for u in units):
        return True
    return any(unit_forces[u] & force_ids for u in units)


def _chosen_rows(rows) -> list[dict]:
    return [
        {
            "person": r.person.full_name if r.person else f"Person {r.person_id}",
            "offering": r.offering.activity.title if r.offering else f"Offering {r.offering_id}",
            "starts_on": r.offering.starts_on if r.offering else None,
            "ends_on": r.offering.ends_on if r.offering else None,
            "cost_pence": r.offering.cost_pence if r.offering else 0,
        }
        for r in rows
        if r.person is not None and r.offering is not None
    ]


@login_required
@require_http_methods(["GET", "POST"])
def accept(request):
    """GET: check your answers for the chosen proposals. POST: make them, all or none."""
    _require_planner(request.user)
    _, scopes = _choices(request.user)
    source = request.POST if request.method == "POST" else request.GET
    scope = _scope_asked(request, scopes)
    picked = source.getlist("proposal") if "everything" in source else source.getlist("pick")
    context = {"breadcrumbs": _breadcrumbs(), "scope": scope, "problems": [], "rows": []}
    carried = {k: source.get(k, "") for k in CARRIED}
    back = QueryDict(mutable=True)
    back.update({k: v for k, v in carried.items() if v})
    if carried["scope"]:
        back["plan"] = "1"
    context["plan_url"] = f"{reverse('skills:plan')}?{back.urlencode()}"
    context["carried"] = carried
    if scope is None:
        context["problems"] = ["Choose a unit or force on the plan page first."]
        return render(request, "skills/plan/accept.html", context, status=400)
    try:
        picks = parse_picks(picked)
    except BadPicks:
        context["problems"] = ["The chosen bookings could not be read: go back to the plan."]
        return render(request, "skills/plan/accept.html", context, status=400)
    context["picks"] = [f"{p}-{o}" for p, o in picks]
    today = timezone.localdate()
    if request.method == "POST" and picks:
        made = _book(request, scope, picks, today, context)
        if made is not None:
            return made
        return render(request, "skills/plan/accept.html", context, status=409)
    rows, problems = check_picks(request.user, scope, picks, today=today)
    shown = _chosen_rows(rows)
    context.update(
        rows=rows,
        problems=problems,
        chosen=ChosenTable(shown),
        total=pounds(sum(r["cost_pence"] for r in shown)),
    )
    return render(request, "skills/plan/accept.html", context)


def _book(request, scope: Scope, picks, today: date, context):
    """Every chosen booking made in one transaction, or none; a redirect when made."""
    try:
        with transaction.atomic():
            rows, problems = check_picks(request.user, scope, picks, today=today, lock=True)
            if problems:
                raise ValidationError(problems)
            by_offering = defaultdict(list)
            for r in rows:
                by_offering[r.offering.pk].append(r)
            for chosen in by_offering.values():
                booking_service.book(
                    offering=chosen[0].offering,
                    people=[r.person for r in chosen],
                    booked_by=request.user,
                    note="From the training plan",
                )
    except ValidationError as error:
        shown = _chosen_rows(check_picks(request.user, scope, picks, today=today)[0])
        context.update(
            problems=error.messages,
            refused=True,
            chosen=ChosenTable(shown),
            total=pounds(sum(r["cost_pence"] for r in shown)),
        )
        return None
    as_of = _as_of_carried(context["carried"].get("as_of"), today)
    try:
        horizon = int(context["carried"].get("horizon") or DEFAULT_HORIZON)
    except ValueError:
        horizon = DEFAULT_HORIZON
    horizon = min(max(horizon, 1), 24)
    units = _report_units(scope, rows)
    links = format_html_join(
        " ",
        '<a class="govuk-notification-banner__link" href="{}">See the forecast of {} with '
        "booked training</a>",
        [(report_url(u, as_of=as_of, horizon=horizon), u.name) for u in units],
    )
    n = len(rows)
    messages.success(
        request,
        format_html("{} booking{} made. {}", n, "" if n == 1 else "s", links),
    )
    back = QueryDict(mutable=True)
    back.update({"scope": scope.key, "as_of": as_of.isoformat(), "horizon": str(horizon)})
    return redirect(f"{reverse('skills:plan')}?{back.urlencode()}")


def _as_of_carried(raw, today: date | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else today
    except ValueError:
        return today


def _report_units(scope: Scope, rows) -> list[Unit]:
    """The unit whose report shows the bookings: the scope's unit; for a force, the units the
    booked people are in."""
    if scope.unit is not None:
        return [scope.unit]
    ids = Posting.objects.filter(
        person_id__in=[r.person.pk for r in rows], unit_id__in=scope.unit_ids()
    ).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))

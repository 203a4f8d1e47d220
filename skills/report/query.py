"""What a request for a unit report asks for, answered for one user: the form (dates, horizon,
what-if), the report the engine builds from it, and the names that user may see.

Shared by the report page and the background job that draws a large unit's PDF, so both give
the same report for the same query."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from people.models import Fund, Person, Posting, Unit
from skills.coverage import WhatIf, build_unit_report
from skills.coverage.redact import WITHHELD_NAME, people_in, withhold_names
from skills.report.forms import ReportForm


def visible_ids(user, ids) -> frozenset[int]:
    return frozenset(
        Person.objects.visible_to(user).filter(pk__in=set(ids)).values_list("pk", flat=True)
    )


# The what-if's person search: matches shown per page (each drawn twice, as "leaves" and
# "completes the cohort" checkboxes).
MATCHES_PER_PAGE = 20


def _label(person, visible) -> str:
    if person.pk in visible:
        return f"{person.full_name}, {person.staff_number} ({person.force.name})"
    return (
        f"{WITHHELD_NAME}: {person.get_person_type_display().lower()} "
        f"#{person.pk} ({person.force.name})"
    )


def people_choices(user, unit_ids, as_of, *, ids=None) -> list[tuple[int, str]]:
    """Who may leave or join a cohort in a what-if: the people in the unit on the as-of date
    (one query over the unit tree's postings), or of them only ``ids``; people outside the
    viewer's scope by force and type only (one more query)."""
    postings = (
        Posting.objects.current_on(as_of)
        .filter(unit_id__in=unit_ids)
        .select_related("person__force")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    if ids is not None:
        if not ids:
            return []
        postings = postings.filter(person_id__in=sorted(ids))
    postings = list(postings)
    visible = visible_ids(user, [p.person_id for p in postings])
    choices: dict[int, str] = {}
    withheld: dict[int, tuple] = {}
    for p in postings:
        person = p.person
        if person.pk not in visible:
            # Sorted by what the label shows, never by the hidden surname (issue 15).
            withheld[person.pk] = (person.force.name, person.get_person_type_display(), person.pk)
        choices.setdefault(person.pk, _label(person, visible))
    named = [(pk, label) for pk, label in choices.items() if pk not in withheld]
    hidden = sorted(
        ((pk, label) for pk, label in choices.items() if pk in withheld),
        key=lambda item: withheld[item[0]],
    )
    return named + hidden


@dataclass(frozen=True)
class PeopleSearch:
    """The what-if's person search: what was asked, and one page of the matches."""

    text: str
    as_of: date
    page: Page | None  # None: nothing searched for

    @property
    def matches(self) -> int:
        return self.page.paginator.count if self.page else 0


def search_people(user, unit_ids, as_of, text: str, page: str | None) -> PeopleSearch:
    """People in the unit on ``as_of`` matching ``text``: by name or staff number among those
    the viewer may see, or by the number (``#123``) a withheld person's label shows; a page of
    ``MATCHES_PER_PAGE`` at a time, by surname. Two queries (the count and the page)."""
    text = text.strip()
    if not text:
        return PeopleSearch(text="", as_of=as_of, page=None)
    people = Person.objects.filter(
        pk__in=Posting.objects.current_on(as_of).filter(unit_id__in=unit_ids).values("person_id")
    )
    words = Q()
    for word in text.split():
        words &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(staff_number__iexact=word)
        )
    found = Q(words, pk__in=Person.objects.visible_to(user).values("pk"))
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 12:
        found |= Q(pk=int(number))
    matches = (
        people.filter(found).order_by("last_name", "first_name", "pk").values_list("pk", flat=True)
    )
    paged = Paginator(matches, MATCHES_PER_PAGE).get_page(page or 1)
    return PeopleSearch(text=text, as_of=as_of, page=paged)


def _ids(data, *names) -> set[int]:
    out = set()
    for name in names:
        for value in data.getlist(name) if hasattr(data, "getlist") else data.get(name, ()):
            try:
                out.add(int(value))
            except (TypeError, ValueError):
                continue
    return out


def report_form(user, data, unit: Unit):
    """The report form bound to ``data`` (a QueryDict; empty for the plain page), and today.
    The people it offers are those already chosen (``without``, ``cohort``) and one page of
    the person search (``who``, ``who-page``), never the whole unit; ``form.people_search``
    holds the search."""
    today = timezone.localdate()
    # The people to choose from are those in the unit on the date asked for, if it is a date.
    # (Boxes as_of_0/1/2, or ?as_of=YYYY-MM-DD in the address.)
    keys = ("as_of", "as_of_0", "as_of_1", "as_of_2")
    probe = ReportForm({key: data[key] for key in keys if key in data})
    as_of = (
        probe.cleaned_data["as_of"] if probe.is_valid() and probe.cleaned_data["as_of"] else today
    )
    unit_ids = Unit.objects.descendant_ids([unit.pk])
    funds = Fund.objects.filter(postings__unit_id__in=unit_ids).distinct().order_by("name")
    search = search_people(
        user, unit_ids, as_of, str(data.get("who", ""))[:100], data.get("who-page")
    )
    shown = _ids(data, "without", "cohort") | set(search.page or ())
    people = people_choices(user, unit_ids, as_of, ids=shown)
    if search.page:
        # Those chosen first (ticked), then this page of matches in the search's order.
        chosen = _ids(data, "without", "cohort")
        order = {pk: i for i, pk in enumerate(search.page)}
        people.sort(key=lambda c: (c[0] not in chosen, order.get(c[0], -1)))
    form = ReportForm(data or None, people=people, funds=funds)
    form.people_search = search
    return form, today


def report_for(form: ReportForm, unit: Unit, today):
    """The report the valid form asks for, or None with the engine's objection on the form."""
    if form.is_bound and not form.is_valid():
        return None
    if not form.is_bound:
        return build_unit_report(unit, as_of=today)
    as_of = form.as_of_or(today)
    try:
        return build_unit_report(
            unit, as_of=as_of, horizon=form.horizon_or(), what_if=what_if_asked(form, unit, as_of)
        )
    except ValueError as exc:
        form.add_error(None, str(exc))
        return None


def what_if_asked(form: ReportForm, unit: Unit, as_of):
    """The form's what-if, with the unit's bookings as planned completions when it asks for
    them (courses.offerings.bookings); bookings count nowhere else."""
    what_if = form.what_if()
    if not form.cleaned_data.get("bookings"):
        return what_if
    from courses.offerings.bookings import planned_from_bookings

    booked = planned_from_bookings(Unit.objects.descendant_ids([unit.pk]), as_of)
    what_if = what_if or WhatIf()
    return replace(what_if, planned=what_if.planned + booked) or None


def nothing_withheld(user, unit: Unit) -> bool:
    """Whether ``user`` may see everyone a report of ``unit`` can name: a unit report names
    only people posted to the unit or a unit inside it (``build_unit_report`` draws every
    person from those postings), so when no such posting is of someone outside
    ``Person.objects.visible_to(user)`` (the one rule) there is nothing to withhold. No query
    when that rule lets the user see everyone (a national scope, a superuser), else one."""
    visible = Person.objects.visible_to(user)
    if not visible.query.where:  # the rule's answer is every person
        return True
    unit_ids = Unit.objects.descendant_ids([unit.pk])
    hidden = Posting.objects.filter(unit_id__in=sorted(unit_ids)).exclude(
        person_id__in=visible.values("pk")
    )
    return not hidden.exists()


def as_seen_by(user, report, unit: Unit | None = None):
    """A joint unit's report counts people of every member force, but names only the people
    the viewer may see; the others keep their force and person type (one query). Returns the
    report and the ids the viewer may see, None for everyone: given the ``unit``, a viewer who
    may see all its people (``nothing_withheld``) gets the report as built, without walking
    it for names."""
    if unit is not None and nothing_withheld(user, unit):
        return report, None
    ids = people_in(report)
    visible = visible_ids(user, ids)
    return (report if visible >= ids else withhold_names(report, visible)), visible


def leavers(form) -> dict[int, str]:
    """Names of the people a what-if may remove: they are no longer in the report."""
    return dict(form.fields["without"].choices)

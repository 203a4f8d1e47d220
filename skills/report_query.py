"""What a request for a unit report asks for, answered for one user: the form (dates, horizon,
what-if), the report the engine builds from it, and the names that user may see.

Shared by the report page and the background job that draws a large unit's PDF, so both give
the same report for the same query."""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone

from people.models import Fund, Person, Posting, Unit
from skills.coverage import WhatIf, build_unit_report
from skills.coverage.redact import WITHHELD_NAME, people_in, withhold_names
from skills.forms import ReportForm


def visible_ids(user, ids) -> frozenset[int]:
    return frozenset(
        Person.objects.visible_to(user).filter(pk__in=set(ids)).values_list("pk", flat=True)
    )


def people_choices(user, unit_ids, as_of) -> list[tuple[int, str]]:
    """Who may leave or join a cohort in a what-if: the people in the unit on the as-of date
    (one query over the unit tree's postings); people outside the viewer's scope by force and
    type only (one more query)."""
    postings = (
        Posting.objects.current_on(as_of)
        .filter(unit_id__in=unit_ids)
        .select_related("person__force")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    postings = list(postings)
    visible = visible_ids(user, [p.person_id for p in postings])
    choices: dict[int, str] = {}
    withheld: dict[int, tuple] = {}
    for p in postings:
        person = p.person
        if person.pk in visible:
            label = f"{person.full_name}, {person.staff_number} ({person.force.name})"
        else:
            label = (
                f"{WITHHELD_NAME}: {person.get_person_type_display().lower()} "
                f"#{person.pk} ({person.force.name})"
            )
            # Sorted by what the label shows, never by the hidden surname (issue 15).
            withheld[person.pk] = (person.force.name, person.get_person_type_display(), person.pk)
        choices.setdefault(person.pk, label)
    named = [(pk, label) for pk, label in choices.items() if pk not in withheld]
    hidden = sorted(
        ((pk, label) for pk, label in choices.items() if pk in withheld),
        key=lambda item: withheld[item[0]],
    )
    return named + hidden


def report_form(user, data, unit: Unit):
    """The report form bound to ``data`` (a QueryDict; empty for the plain page), and today."""
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
    form = ReportForm(data or None, people=people_choices(user, unit_ids, as_of), funds=funds)
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
    them (courses.bookings); bookings count nowhere else."""
    what_if = form.what_if()
    if not form.cleaned_data.get("bookings"):
        return what_if
    from courses.bookings import planned_from_bookings

    booked = planned_from_bookings(Unit.objects.descendant_ids([unit.pk]), as_of)
    what_if = what_if or WhatIf()
    return replace(what_if, planned=what_if.planned + booked) or None


def as_seen_by(user, report):
    """A joint unit's report counts people of every member force, but names only the people
    the viewer may see; the others keep their force and person type (one query). Returns the
    report and the ids the viewer may see."""
    ids = people_in(report)
    visible = visible_ids(user, ids)
    return (report if visible >= ids else withhold_names(report, visible)), visible


def leavers(form) -> dict[int, str]:
    """Names of the people a what-if may remove: they are no longer in the report."""
    return dict(form.fields["without"].choices)

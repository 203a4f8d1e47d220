"""GOV.UK tables (templates/components/table.html) for people and units.

Column ``attrs``: ``{"numeric": True}`` right-aligns a figure; ``{"row_header": True}`` makes
the cell a row header. Tables set ``caption``; ``empty_text`` says in words that there is none.
"""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from courses.models import Completion
from people.models import Person, Posting, Unit

NUMERIC = {"numeric": True}


def _date(value):
    return format_html("{}", value.strftime("%-d %b %Y")) if value else "–"


class PersonTable(tables.Table):
    """People the user may see. Expects ``current_postings`` prefetched (to_attr)."""

    caption = "People you can see"
    caption_class = "govuk-visually-hidden"
    noun_plural = "people"

    name = tables.Column(
        verbose_name="Name", accessor="last_name", order_by=("last_name", "first_name")
    )
    staff_number = tables.Column(verbose_name="Staff number")
    rank = tables.Column(verbose_name="Rank", default="–")
    person_type = tables.Column(verbose_name="Type")
    force = tables.Column(verbose_name="Force", accessor="force__name")
    current_units = tables.Column(
        verbose_name="Current unit", accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = Person
        fields = ()
        sequence = ("name", "staff_number", "rank", "person_type", "force", "current_units")
        empty_text = "No people match your search."

    def render_name(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), record.full_name
        )

    def render_current_units(self, record):
        postings = getattr(record, "current_postings", None) or []
        if not postings:
            return "Not posted today"
        return format_html_join(
            ", ", '<span class="register-nowrap">{}</span>', ((p.unit.code,) for p in postings)
        )


class PostingTable(tables.Table):
    """A person's postings; ``visible_unit_ids`` says which units to link."""

    caption = "Postings"
    caption_class = "govuk-table__caption--m"

    unit = tables.Column(verbose_name="Unit", orderable=False)
    role_profile = tables.Column(verbose_name="Role", orderable=False)
    start = tables.Column(verbose_name="Start", orderable=False)
    last_day = tables.Column(
        verbose_name="Last day", accessor="pk", orderable=False, empty_values=()
    )
    fund = tables.Column(verbose_name="Fund", orderable=False, empty_values=())

    class Meta:
        model = Posting
        fields = ()
        sequence = ("unit", "role_profile", "start", "last_day", "fund")
        empty_text = "No postings recorded."

    def __init__(self, *args, visible_unit_ids=frozenset(), **kwargs):
        self.visible_unit_ids = visible_unit_ids
        super().__init__(*args, **kwargs)

    def render_unit(self, record):
        if record.unit_id in self.visible_unit_ids:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                record.unit.get_absolute_url(),
                record.unit.name,
            )
        return record.unit.name

    def render_start(self, value):
        return _date(value)

    def render_last_day(self, record):
        last = record.last_day()
        return (
            _date(last)
            if last
            else format_html('<span class="register-nowrap">{}</span>', "Open-ended")
        )

    def render_fund(self, record):
        if record.fund_id is None:
            return "Core budget"
        return format_html("{} (ends {})", record.fund.name, _date(record.fund.ends_on))


class UnitTable(tables.Table):
    """Units the user may see. Expects ``people_today`` annotated and ``forces`` prefetched."""

    caption = "Units you can see"
    caption_class = "govuk-visually-hidden"
    noun_plural = "units"

    code = tables.Column(verbose_name="Code")
    name = tables.Column(verbose_name="Name")
    kind = tables.Column(verbose_name="Kind")
    forces = tables.Column(verbose_name="Forces", orderable=False, empty_values=())
    region = tables.Column(verbose_name="Region", accessor="region__name")
    people_today = tables.Column(verbose_name="Posted directly today", attrs=NUMERIC)

    class Meta:
        model = Unit
        fields = ()
        sequence = ("code", "name", "kind", "forces", "region", "people_today")
        empty_text = "You are not posted to a unit and have no access to any unit yet."

    def render_code(self, record):
        return format_html(
            '<a class="govuk-link register-nowrap" href="{}">{}</a>',
            record.get_absolute_url(),
            record.code,
        )

    def render_forces(self, record):
        forces = record.forces.all()
        return ", ".join(f.name for f in forces) if forces else "None (regional)"


class UnitPeopleTable(tables.Table):
    """Current postings in a unit; ``visible_person_ids`` says which people to link."""

    caption = "People in this unit today"
    noun_plural = "people"

    person = tables.Column(
        verbose_name="Name", order_by=("person__last_name", "person__first_name")
    )
    unit = tables.Column(verbose_name="Unit", accessor="unit__code")
    role_profile = tables.Column(verbose_name="Role", accessor="role_profile__name")
    start = tables.Column(verbose_name="Start")
    last_day = tables.Column(verbose_name="Last day", accessor="end", empty_values=())
    fund = tables.Column(verbose_name="Fund", accessor="fund__name", empty_values=())

    class Meta:
        model = Posting
        fields = ()
        sequence = ("person", "unit", "role_profile", "start", "last_day", "fund")
        empty_text = "Nobody is posted to this unit today."

    def __init__(self, *args, visible_person_ids=frozenset(), **kwargs):
        self.visible_person_ids = visible_person_ids
        super().__init__(*args, **kwargs)

    def render_person(self, record):
        person = record.person
        if person.pk in self.visible_person_ids:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                person.get_absolute_url(),
                person.full_name,
            )
        return person.full_name

    def render_unit(self, value):
        return format_html('<span class="register-nowrap">{}</span>', value)

    def render_start(self, value):
        return _date(value)

    def render_last_day(self, record):
        last = record.last_day()
        return (
            _date(last)
            if last
            else format_html('<span class="register-nowrap">{}</span>', "Open-ended")
        )

    def render_fund(self, record):
        return record.fund.name if record.fund_id else "Core budget"


class CompletionTable(tables.Table):
    """A person's completions. Expects ``activity`` selected."""

    caption = "Completions"
    noun_plural = "completions"

    activity = tables.Column(verbose_name="Activity", accessor="activity__title")
    provider = tables.Column(verbose_name="Provider", accessor="activity__provider")
    completed_on = tables.Column(verbose_name="Date")
    expiry = tables.Column(verbose_name="Expiry", accessor="pk", orderable=False, empty_values=())
    status = tables.Column(verbose_name="Status")
    source = tables.Column(verbose_name="Source")

    class Meta:
        model = Completion
        fields = ()
        sequence = ("activity", "provider", "completed_on", "expiry", "status", "source")
        empty_text = "No completions recorded."

    def render_activity(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            record.get_absolute_url(),
            record.activity.title,
        )

    def render_completed_on(self, value):
        return _date(value)

    def render_expiry(self, record):
        expiry = record.expiry()
        return _date(expiry) if expiry else "Never expires"

    def render_status(self, record):
        return render_to_string(
            "components/tag.html",
            {"status": record.status, "text": record.get_status_display()},
        )

"""The training plan page's tables: the proposals (each with its checkbox and the sentence
that says why), the chosen bookings to check, and each target's holders at month ends."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from courses.offerings.tables import pounds
from skills.report.tables import ROW_HEADER

NUMERIC = {"numeric": True}


def _dates(record) -> str:
    if record["starts_on"] == record["ends_on"]:
        return f"{record['starts_on']:%-d %B %Y}"
    return f"{record['starts_on']:%-d %B %Y} to {record['ends_on']:%-d %B %Y}"


class ProposalTable(tables.Table):
    """Rows: dicts with key (``person-offering``), person, offering, starts_on, ends_on,
    cost_pence, reason, bookable (the viewer may book this person)."""

    caption = "Proposed bookings"
    choose = tables.Column(verbose_name="Book", empty_values=(), orderable=False)
    person = tables.Column(verbose_name="Person", attrs=ROW_HEADER, orderable=False)
    offering = tables.Column(verbose_name="Offering", orderable=False)
    dates = tables.Column(verbose_name="Dates", empty_values=(), orderable=False)
    cost_pence = tables.Column(verbose_name="Cost", attrs=NUMERIC, orderable=False)
    reason = tables.Column(verbose_name="Why", orderable=False)

    class Meta:
        empty_text = "No booking is proposed."

    def render_choose(self, record):
        if not record["bookable"]:
            return record.get("why_not", "")
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" id="pick-{n}" name="pick" type="checkbox"'
            ' value="{key}">'
            '<label class="govuk-label govuk-checkboxes__label" for="pick-{n}">'
            '<span class="govuk-visually-hidden">Book {person} onto {offering}</span></label>'
            "</div></div>",
            n=record["n"],
            key=record["key"],
            person=record["person"],
            offering=record["offering"],
        )

    def render_dates(self, record):
        return _dates(record)

    def render_cost_pence(self, value):
        return pounds(value)


class ChosenTable(tables.Table):
    """The bookings to check before they are made."""

    caption = "Bookings to make"
    person = tables.Column(verbose_name="Person", attrs=ROW_HEADER, orderable=False)
    offering = tables.Column(verbose_name="Offering", orderable=False)
    dates = tables.Column(verbose_name="Dates", empty_values=(), orderable=False)
    cost_pence = tables.Column(verbose_name="Cost", attrs=NUMERIC, orderable=False)

    class Meta:
        empty_text = "No booking chosen."

    def render_dates(self, record):
        return _dates(record)

    def render_cost_pence(self, value):
        return pounds(value)


class HeadcountTable(tables.Table):
    """One target: its minimum and holders at each month end, without and with the plan."""

    month_end = tables.Column(verbose_name="Month end", attrs=ROW_HEADER, orderable=False)
    minimum = tables.Column(verbose_name="Minimum", attrs=NUMERIC, orderable=False)
    before = tables.Column(verbose_name="Holders without the plan", attrs=NUMERIC, orderable=False)
    after = tables.Column(verbose_name="Holders with the plan", attrs=NUMERIC, orderable=False)

    class Meta:
        empty_text = "No month end in the horizon."

    def __init__(self, data, *, caption, summary="", short=False, **kwargs):
        self.caption = caption
        # The page shows each target's table folded under ``summary``, open when ``short``.
        self.summary = summary or caption
        self.short = short
        super().__init__(data, **kwargs)

    def render_month_end(self, value):
        return f"{value:%-d %B %Y}"

    def render_after(self, record, value):
        if record["minimum"] and value < record["minimum"]:
            return format_html('{} <strong class="govuk-tag govuk-tag--red">short</strong>', value)
        return value

"""Tables of the inspection-action pages: a force's actions, and every force side by side."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from skills.models.actions import Action, ActionStatus


def status_tag(action: Action, as_of) -> str:
    colour = {
        ActionStatus.CLOSED: "govuk-tag--green",
        ActionStatus.EVIDENCE_SUBMITTED: "govuk-tag--light-blue",
        ActionStatus.IN_PROGRESS: "govuk-tag--yellow",
    }.get(action.status, "govuk-tag--grey")
    tag = format_html(
        '<strong class="govuk-tag {}">{}</strong>', colour, action.get_status_display()
    )
    if action.is_overdue_on(as_of):
        tag += format_html(' <strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")
    return tag


class ActionTable(tables.Table):
    reference = tables.Column(verbose_name="Action", orderable=False)
    expectation = tables.Column(
        verbose_name="Expectation", accessor="plan__expectation", orderable=False
    )
    title = tables.Column(verbose_name="What will be done", orderable=False)
    due_on = tables.Column(verbose_name="Due", orderable=False)
    status = tables.Column(verbose_name="Status", orderable=False, empty_values=())

    class Meta:
        empty_text = "No actions."

    def __init__(self, data, *, caption: str, as_of, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.as_of = as_of

    def render_reference(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), record.reference
        )

    def render_expectation(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            record.plan.get_absolute_url(),
            record.plan.expectation.reference,
        )

    def render_due_on(self, value):
        return f"{value:%-d %b %Y}"

    def render_status(self, record):
        return status_tag(record, self.as_of)


class PlanCountColumn(tables.Column):
    """A count of a force's actions; "–" where the force has no plan (nothing to count)."""

    def __init__(self, verbose_name, **kwargs):
        super().__init__(verbose_name=verbose_name, attrs={"numeric": True}, **kwargs)

    def render(self, value, record):
        return "–" if record.plan_id is None else value


class SideBySideTable(tables.Table):
    caption = "Every force's status"
    force = tables.Column(verbose_name="Force", attrs={"row_header": True})
    owner = tables.Column(verbose_name="Owner", default="–")
    total = PlanCountColumn("Actions")
    opened = PlanCountColumn("Open")
    in_progress = PlanCountColumn("In progress")
    evidence_submitted = PlanCountColumn("Evidence submitted")
    closed = PlanCountColumn("Closed")
    overdue = PlanCountColumn("Overdue")

    class Meta:
        orderable = False
        empty_text = "No forces."

    def render_force(self, record):
        if record.plan_id is None:
            return format_html("{} (no plan recorded)", record.force)
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("actions:plan_detail", args=[record.plan_id]),
            record.force,
        )

"""The deployment log as a GOV.UK table (templates/components/table.html)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from people.models import Deployment

NUMERIC = {"numeric": True}


class DeploymentTable(tables.Table):
    """Deployments, newest first. Expects ``person__force``, ``unit`` and ``confirmed_by``
    select_related and ``capabilities`` prefetched."""

    caption = "Deployments"
    caption_class = "govuk-visually-hidden"
    noun_plural = "deployments"

    deployed_on = tables.Column(verbose_name="Date", attrs={"row_header": True})
    person = tables.Column(
        verbose_name="Person", order_by=("person__last_name", "person__first_name")
    )
    unit = tables.Column(verbose_name="Unit", accessor="unit__code", default="–")
    hours = tables.Column(verbose_name="Hours", attrs=NUMERIC)
    task = tables.Column(verbose_name="Task", orderable=False)
    capabilities = tables.Column(
        verbose_name="Capabilities used", accessor="pk", orderable=False, empty_values=()
    )
    confirmed = tables.Column(
        verbose_name="Confirmed", accessor="confirmed_by", orderable=False, empty_values=()
    )

    class Meta:
        model = Deployment
        fields = ()
        sequence = (
            "deployed_on",
            "person",
            "unit",
            "hours",
            "task",
            "capabilities",
            "confirmed",
        )
        order_by = ("-deployed_on",)
        empty_text = "No deployments match."

    def render_deployed_on(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("deployments:detail", args=[record.pk]),
            record.deployed_on.strftime("%-d %b %Y"),
        )

    def render_person(self, record):
        return format_html(
            "{}<br><span class='govuk-body-s'>{} ({})</span>",
            record.person.full_name,
            record.person.staff_number,
            record.person.get_person_type_display(),
        )

    def render_unit(self, value):
        return format_html('<span class="register-nowrap">{}</span>', value)

    def render_capabilities(self, record):
        names = [c.name for c in record.capabilities.all()]
        return ", ".join(sorted(names)) or "–"

    def render_confirmed(self, record):
        if record.rejected_by_id:
            return render_to_string(
                "components/tag.html", {"status": "rejected", "text": "rejected"}
            )
        if record.confirmed_by_id:
            return render_to_string(
                "components/tag.html", {"status": "yes", "text": "confirmed"}
            ) + format_html('<br><span class="govuk-body-s">by {}</span>', record.confirmed_by)
        return render_to_string("components/tag.html", {"status": "pending", "text": "not yet"})

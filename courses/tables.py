"""django-tables2 tables for the activity catalogue and the verification queue."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html

from courses.models import Activity, Completion


class ActivityTable(tables.Table):
    title = tables.Column(linkify=True, attrs={"row_header": True})
    code = tables.Column()
    provider = tables.Column()
    kind = tables.Column()
    hours = tables.Column(attrs={"numeric": True}, default="–")
    validity_months = tables.Column(
        verbose_name="Validity (months)", attrs={"numeric": True}, default="Never expires"
    )

    class Meta:
        model = Activity
        fields = ("title", "code", "provider", "kind", "hours", "validity_months")
        empty_text = "No activities match your search. Clear the search or include retired ones."
        order_by = ("title",)

    caption = "Activities in the catalogue"
    caption_class = "govuk-visually-hidden"
    noun_plural = "activities"

    def order_title(self, queryset, is_descending):
        # Titles read alphabetically whatever their case ("Capturing" before "CISSP").
        key = Lower("title")
        return queryset.order_by(key.desc() if is_descending else key, "pk"), True


class VerificationQueueTable(tables.Table):
    recorded_at = tables.DateTimeColumn(verbose_name="Submitted", format="j M Y, H:i")
    person = tables.Column(
        verbose_name="Person", order_by=("person__last_name", "person__first_name")
    )
    activity = tables.Column(verbose_name="Activity", order_by=("activity__title",))
    completed_on = tables.DateColumn(verbose_name="Completed", format="j M Y")
    evidence = tables.Column(verbose_name="Evidence", empty_values=(), orderable=False)
    # A header for screen readers; sighted users see the "Review" link in each row.
    review = tables.Column(
        verbose_name=format_html('<span class="govuk-visually-hidden">{}</span>', "Action"),
        empty_values=(),
        orderable=False,
    )

    class Meta:
        model = Completion
        fields = ("recorded_at", "person", "activity", "completed_on")
        empty_text = "Nothing is waiting for verification."

    caption = "Waiting for verification, oldest first"
    noun_plural = "completions"

    def render_person(self, record):
        person = record.person
        return format_html(
            '<a class="govuk-link" href="{}">{}</a><br>'
            '<span class="govuk-hint govuk-!-margin-0">{} · {}</span>',
            person.get_absolute_url(),
            person.full_name,
            person.staff_number,
            person.force.name,
        )

    def render_activity(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            record.activity.get_absolute_url(),
            record.activity.title,
        )

    def render_evidence(self, record):
        kinds = []
        if record.evidence_file:
            kinds.append("file")
        if record.certificate_number:
            kinds.append(f"certificate {record.certificate_number}")
        if record.evidence_link:
            kinds.append("link")
        return ", ".join(kinds) or "none"

    def render_review(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">Review<span class="govuk-visually-hidden"> {} — {}'
            "</span></a>",
            reverse("courses:review_completion", args=[record.pk]),
            record.person.full_name,
            record.activity.title,
        )


class ImportErrorTable(tables.Table):
    """Every bad row of an import file (a list of ``courses.imports.services.RowError``)."""

    row = tables.Column(verbose_name="Row", attrs={"row_header": True})
    column = tables.Column(verbose_name="Column")
    message = tables.Column(verbose_name="What to fix")

    class Meta:
        orderable = False
        empty_text = "No problems found."

    caption_class = "govuk-table__caption--m"
    noun_plural = "problems"

    def __init__(self, data, *, caption: str, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption

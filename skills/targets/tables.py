"""The targets in force for the unit today, on the "Schedule a target change" page: what a new
version would replace."""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from skills.report.renderers import capability_label, long_date
from skills.report.tables import ROW_HEADER
from skills.versions import BEGINNING


def set_for(version) -> str:
    """ "this unit", or "every force cyber crime unit" for a kind's target."""
    if version.unit_id:
        return "this unit"
    kind = version.unit_kind
    return f"every {kind}" if kind.endswith(("unit", "team")) else f"every unit of kind {kind}"


class InForceTable(tables.Table):
    """Rows: the ``ResilienceTarget`` versions in force for the unit today, its own and its
    kind's (``source`` says which)."""

    caption = "Targets in force today"
    caption_class = "govuk-table__caption--m"
    what = tables.Column(verbose_name="Target", empty_values=(), attrs=ROW_HEADER, orderable=False)
    minimum = tables.Column(verbose_name="Minimum", attrs={"numeric": True}, orderable=False)
    source = tables.Column(verbose_name="Set for", empty_values=(), orderable=False)
    valid_from = tables.Column(verbose_name="In force since", orderable=False)

    class Meta:
        empty_text = "No target is in force for this unit today."

    def render_what(self, record):
        return capability_label(record.capability, record.level)

    def render_source(self, record):
        return set_for(record)

    def render_valid_from(self, record):
        return "the beginning" if record.valid_from == BEGINNING else long_date(record.valid_from)


class PendingTable(tables.Table):
    """Rows: the unit's own versions that do not count yet (drafts, and those scheduled after
    today), each with a link to its impact."""

    caption = "Changes already scheduled or drafted"
    caption_class = "govuk-table__caption--m"
    what = tables.Column(verbose_name="Target", empty_values=(), attrs=ROW_HEADER, orderable=False)
    minimum = tables.Column(verbose_name="New minimum", attrs={"numeric": True}, orderable=False)
    valid_from = tables.Column(verbose_name="In force from", orderable=False)
    stage = tables.Column(verbose_name="Stage", empty_values=(), orderable=False)
    impact = tables.Column(verbose_name="Impact", empty_values=(), orderable=False)

    class Meta:
        empty_text = "No change to this unit's targets is scheduled or drafted."

    def render_what(self, record):
        return capability_label(record.capability, record.level)

    def render_valid_from(self, record):
        return long_date(record.valid_from)

    def render_stage(self, record):
        return "draft" if record.draft else "scheduled"

    def render_impact(self, record):
        url = (
            reverse("skills:requirement_impact")
            + "?"
            + urlencode({"version": f"t{record.pk}", "unit": record.unit.code})
        )
        return format_html(
            '<a class="govuk-link" href="{}">See the impact<span class="govuk-visually-hidden">'
            " of {}</span></a>",
            url,
            capability_label(record.capability, record.level),
        )

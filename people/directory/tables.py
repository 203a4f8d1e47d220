"""Tables of the directory pages: entries found, requests, who viewed an entry."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from people.models.directory import (
    RequestStatus,
)


def _holdings_html(holdings):
    if not holdings:
        return "None verified"
    items = format_html_join(
        "", "<li>{} (level {})</li>", ((h.capability.name, h.level) for h in holdings)
    )
    return format_html('<ul class="govuk-list govuk-!-margin-bottom-0">{}</ul>', items)


class DirectoryTable(tables.Table):
    """Directory entries (``people.directory.DirectoryEntry``); no contact details."""

    caption = "People in the directory"
    noun_plural = "people"

    name = tables.Column(verbose_name="Name")
    person_type_label = tables.Column(verbose_name="Type")
    force = tables.Column(verbose_name="Force")
    region = tables.Column(verbose_name="Region")
    holdings = tables.Column(verbose_name="Verified capabilities", orderable=False, empty_values=())
    availability = tables.Column(verbose_name="Availability", orderable=False)

    class Meta:
        empty_text = "Nobody in the directory matches your search."

    def __init__(self, data, *, query: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.query = query

    def render_name(self, record):
        url = reverse("directory:entry", args=[record.person_id])
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            f"{url}?{self.query}" if self.query else url,
            record.name,
        )

    def render_holdings(self, record):
        return _holdings_html(record.holdings)


class RequestTable(tables.Table):
    caption = "Requests for help"
    noun_plural = "requests"

    created_at = tables.Column(verbose_name="Sent")
    person = tables.Column(verbose_name="For", orderable=False)
    requested_by = tables.Column(verbose_name="From", orderable=False)
    status = tables.Column(verbose_name="Status")

    class Meta:
        empty_text = "No requests."

    def render_created_at(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("directory:request_detail", args=[record.pk]),
            f"{timezone.localtime(record.created_at):%-d %b %Y}",
        )

    def render_person(self, record):
        return f"{record.person.full_name} ({record.person.force.name})"

    def render_requested_by(self, value):
        return user_label(value)

    def render_status(self, record):
        return status_tag(record)


def user_label(user) -> str:
    """A requester as a coordinator needs them: name and work email, to arrange the work."""
    name = str(user)
    return name if name == user.email else f"{name} ({user.email})"


def status_tag(req) -> str:
    colour = {
        RequestStatus.ACCEPTED: "govuk-tag--green",
        RequestStatus.DECLINED: "govuk-tag--grey",
    }.get(req.status, "govuk-tag--light-blue")
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, req.get_status_display())


class OwnRequestTable(tables.Table):
    """Requests for the person's help that their coordinator decided (what they were told)."""

    caption = "Requests for your help"
    noun_plural = "requests"

    decided_at = tables.Column(verbose_name="Decided", orderable=False)
    requested_by = tables.Column(verbose_name="From", orderable=False)
    message = tables.Column(verbose_name="Request", orderable=False)
    status = tables.Column(verbose_name="Decision", orderable=False)

    class Meta:
        empty_text = "Your coordinator has not decided on any request for your help."

    def render_decided_at(self, value):
        return f"{timezone.localtime(value):%-d %b %Y}"

    def render_requested_by(self, value):
        return user_label(value)

    def render_status(self, record):
        return status_tag(record)


class ViewTable(tables.Table):
    caption = "Who viewed your entry"
    caption_class = "govuk-visually-hidden"
    noun_plural = "views"

    created_at = tables.Column(verbose_name="When", orderable=False)
    viewer = tables.Column(verbose_name="Who", orderable=False)

    class Meta:
        empty_text = "Nobody has viewed your entry yet."

    def render_created_at(self, value):
        return f"{timezone.localtime(value):%-d %b %Y %H:%M}"

    def render_viewer(self, value):
        return user_label(value)

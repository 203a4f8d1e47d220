"""Reminder emails link to the register's configured address (issue 15, point 10)."""

from __future__ import annotations

from datetime import date

import pytest

from courses.models import ActivityKind
from people.reminders import send_reminders
from tests.factories import activity, completed, posted
from tests.people.self_service_builders import role

pytestmark = pytest.mark.django_db


def test_reminder_and_digest_links_use_register_base_url(cast, settings, mailoutbox):
    settings.REGISTER_BASE_URL = "https://register.example.police.uk/"
    osint = role("OSINT-ROLE", ("OSINT", 1), name="Cyber Protect officer")
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=osint)
    cert = activity("OSINT-CERT", {"OSINT": 1}, kind=ActivityKind.ACCREDITATION, validity_months=12)
    completed(cast.officer, cert, date(2024, 6, 29))

    send_reminders(as_of=date(2025, 3, 31))

    assert mailoutbox
    for message in mailoutbox:
        bodies = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
        for body in bodies:
            assert ":8000" not in body and "127.0.0.1" not in body
    to_officer = next(m for m in mailoutbox if cast.officer.email in m.to)
    assert "https://register.example.police.uk/me/" in to_officer.body

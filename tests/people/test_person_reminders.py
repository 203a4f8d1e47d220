"""A coordinator sees on a person's page the reminders the register sent them (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from courses.models import ActivityKind
from people.models import Reminder
from people.reminders import send_reminders
from tests.factories import activity, completed, posted
from tests.people.self_service_builders import role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminded(cast):
    osint = role("OSINT-ROLE", ("OSINT", 1), name="Cyber Protect officer")
    posted(cast.officer, cast.joint_unit, start=date(2024, 1, 1), role=osint)
    cert = activity("OSINT-CERT", {"OSINT": 1}, kind=ActivityKind.ACCREDITATION, validity_months=12)
    completed(cast.officer, cert, date(2024, 6, 29))
    send_reminders(as_of=date(2025, 3, 31))
    return Reminder.objects.get(person=cast.officer)


def test_the_coordinator_sees_the_reminders_sent_to_their_person(cast, client, reminded):
    client.force_login(cast.coordinator)

    page = client.get(reverse("people:person_detail", args=[cast.officer.pk])).content.decode()

    section = page[page.index('id="reminders"') : page.index('id="history"')]
    assert "1 reminder sent to" in section
    assert reminded.body in section
    assert reminded.recipient in section


def test_the_outsider_gets_404_on_the_page_holding_them(cast, client, reminded):
    client.force_login(cast.outsider)

    assert client.get(reverse("people:person_detail", args=[cast.officer.pk])).status_code == 404

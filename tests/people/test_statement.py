"""The competence statement as at a date (HTML, PDF, JSON) and the subject-access export."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from courses.models import ActivityKind, Status
from people.models import Deployment, Reminder, ReminderKind
from tests.factories import activity, completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(cast):
    """The cast officer: an OSINT accreditation from 10 January 2023 valid 12 months, and a
    network investigation course on 1 February 2025 that never expires, verified by the
    Norfolk coordinator."""
    cast.coordinator.first_name, cast.coordinator.last_name = "Colin", "Drake"
    cast.coordinator.save()
    osint = activity(
        "OSINT-CERT",
        {"OSINT": 1},
        kind=ActivityKind.ACCREDITATION,
        provider="McAfee Institute",
        title="Certified OSINT analyst",
        validity_months=12,
    )
    netinv = activity("NETINV-COURSE", {"NETINV": 2}, title="Network investigation")
    first = completed(cast.officer, osint, date(2023, 1, 10), certificate_number="OS-4411")
    second = completed(
        cast.officer,
        netinv,
        date(2025, 2, 1),
        evidence_link="https://example.org/cert/9",
        verified_by=cast.coordinator,
    )
    return first, second


def _statement(client, url, as_of, fmt):
    return client.get(url, {"as_of": as_of, "format": fmt})


def test_the_statement_as_at_a_past_date_shows_what_was_held_then(cast, record, client):
    client.force_login(cast.officer_user)
    url = reverse("me:statement")
    then = json.loads(_statement(client, url, "2023-06-30", "json").content)
    assert then["as_of"] == "2023-06-30"
    assert [(c["code"], c["level"], c["held_until"]) for c in then["capabilities_held"]] == [
        ("OSINT", 1, "2024-01-10")
    ]
    assert [c["activity_code"] for c in then["completions"]] == ["OSINT-CERT"]

    now = json.loads(_statement(client, url, "2025-03-31", "json").content)
    assert [(c["code"], c["level"], c["held_until"]) for c in now["capabilities_held"]] == [
        ("NETINV", 2, None)
    ]
    assert [c["activity_code"] for c in now["completions"]] == ["NETINV-COURSE", "OSINT-CERT"]


def test_the_json_statement_gives_evidence_expiry_and_who_verified_each_record(
    cast, record, client
):
    client.force_login(cast.officer_user)
    response = _statement(client, reverse("me:statement"), "2025-03-31", "json")
    assert response["Content-Type"] == "application/json"
    assert "statement-norfolk-1234-2025-03-31.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"] == {
        "id": cast.officer.pk,
        "name": "Jane Smith",
        "rank": "PC",
        "staff_number": "1234",
        "force": "Norfolk Constabulary",
        "person_type": "Police officer",
        "email": "officer@norfolk.police.uk",
    }
    osint = next(c for c in data["completions"] if c["activity_code"] == "OSINT-CERT")
    assert osint["provider"] == "McAfee Institute"
    assert osint["completed_on"] == "2023-01-10"
    assert osint["expires_on"] == "2024-01-10"
    assert osint["evidence"] == "Certificate OS-4411"
    assert osint["status"] == "verified"
    netinv = next(c for c in data["completions"] if c["activity_code"] == "NETINV-COURSE")
    assert netinv["expires_on"] is None
    assert netinv["evidence"] == "https://example.org/cert/9"
    assert netinv["verified_by"] == "Colin Drake"
    assert netinv["verified_on"] == timezone.localdate().isoformat()
    assert data["classification"] == "OFFICIAL-SENSITIVE"
    assert data["postings"][0]["unit_code"] == "NOR-CCU"


def test_the_pdf_statement_opens_and_carries_the_marking_on_every_page(cast, record, client):
    for n in range(40):  # enough records to run onto a second page
        completed(cast.officer, activity(f"LAB-{n}", kind=ActivityKind.LAB), date(2024, 3, 1))
    client.force_login(cast.officer_user)
    response = _statement(client, reverse("me:statement"), "2025-03-31", "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {pages}" in text
    first = reader.pages[0].extract_text()
    assert "Jane Smith" in first and "31 March 2025" in first
    assert "Certified OSINT analyst" in "".join(p.extract_text() for p in reader.pages)


def test_the_html_statement_links_to_its_downloads_for_the_same_date(cast, record, client):
    client.force_login(cast.officer_user)
    html = _statement(client, reverse("me:statement"), "2023-06-30", "html").content.decode()
    assert "Competence statement as at 30 June 2023" in html
    assert "?as_of=2023-06-30&amp;format=pdf" in html
    assert "Network investigation" not in html  # completed after that date


def test_an_officer_cannot_fetch_another_persons_statement_or_export(cast, record, client):
    client.force_login(cast.officer_user)
    for name in ("me:person_statement", "me:person_export"):
        response = client.get(reverse(name, args=[cast.colleague.pk]))
        assert response.status_code == 404, name


def test_the_outsider_gets_404_for_a_norfolk_statement_and_export(cast, record, client):
    client.force_login(cast.outsider)
    for name in ("me:person_statement", "me:person_export"):
        assert client.get(reverse(name, args=[cast.officer.pk])).status_code == 404, name
    # Without a record of their own there is nothing to export either.
    assert client.get(reverse("me:statement")).status_code == 404
    assert client.get(reverse("me:export")).status_code == 404


def test_a_coordinator_of_the_force_produces_the_statement_for_a_person(cast, record, client):
    client.force_login(cast.coordinator)
    url = reverse("me:person_statement", args=[cast.officer.pk])
    data = json.loads(_statement(client, url, "2023-06-30", "json").content)
    assert data["person"]["name"] == "Jane Smith"
    assert [c["code"] for c in data["capabilities_held"]] == ["OSINT"]
    pdf = _statement(client, url, "2023-06-30", "pdf")
    assert pdf.content.startswith(b"%PDF")


def test_the_chief_officer_of_the_force_exports_a_persons_record(cast, record, client):
    client.force_login(cast.chief)
    response = client.get(reverse("me:person_export", args=[cast.officer.pk]))
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["staff_number"] == "1234"


def test_the_export_holds_everything_the_register_has_about_the_person(cast, record, client):
    first, _ = record
    first.status = Status.WITHDRAWN
    first.status_reason = "Entered twice"
    first._change_reason = "withdrawn: entered twice"
    first.save()
    Deployment.objects.create(
        person=cast.officer, deployed_on=date(2025, 3, 1), hours=Decimal("4.5"), task="Triage"
    )
    Reminder.objects.create(
        person=cast.officer,
        kind=ReminderKind.EXPIRES_IN_30,
        subject_key="OSINT L1",
        about_on=date(2024, 1, 10),
        sent_on=date(2023, 12, 11),
        recipient="officer@norfolk.police.uk",
        subject="Training reminder",
    )
    client.force_login(cast.officer_user)
    response = client.get(reverse("me:export"))
    assert "register-export-norfolk-1234.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["staff_number"] == "1234"
    assert data["login"]["email"] == "officer@norfolk.police.uk"
    assert [p["unit_code"] for p in data["postings"]] == ["NOR-CCU"]
    assert len(data["postings"][0]["history"]) == 1
    osint = next(c for c in data["completions"] if c["activity_code"] == "OSINT-CERT")
    assert osint["status"] == "withdrawn"
    assert [h["status"] for h in osint["history"]] == ["verified", "withdrawn"]
    assert osint["history"][-1]["history_change_reason"] == "withdrawn: entered twice"
    assert [d["task"] for d in data["deployments"]] == ["Triage"]
    assert [r["subject_key"] for r in data["reminders"]] == ["OSINT L1"]
    assert data["grants"] == []


def test_a_bad_format_or_date_is_refused_with_a_reason(cast, client):
    client.force_login(cast.officer_user)
    assert client.get(reverse("me:statement"), {"format": "docx"}).status_code == 400
    assert client.get(reverse("me:statement"), {"as_of": "yesterday"}).status_code == 400


def test_the_export_holds_directory_views_requests_availability_and_deployment_history(
    cast, client
):
    """Issue 13 point 4: who viewed the entry, requests about the person with their messages
    and decisions, availability, and each deployment's history."""
    from people.directory import services as directory
    from people.models.directory import DirectoryEntryView

    officer = cast.officer
    directory.give_consent(person=officer, by=cast.officer_user)
    directory.update_entry(
        person=officer, by=cast.officer_user, biography="Packet analysis", hours_a_month=10,
        mode="remote", notice_days=5,
    )  # fmt: skip
    DirectoryEntryView.objects.create(person=officer, viewer=cast.outsider, filters={"level": 2})
    req = directory.request_help(person_id=officer.pk, by=cast.outsider, message="Help in May")
    directory.decide_request(request_id=req.pk, by=cast.coordinator, accept=True, note="Fine")
    deployment = Deployment.objects.create(
        person=officer, deployed_on=date(2025, 3, 1), hours=Decimal("4.5"), task="Triage"
    )
    deployment.hours = Decimal("5")
    deployment._change_reason = "corrected hours"
    deployment.save()

    client.force_login(cast.officer_user)
    data = json.loads(client.get(reverse("me:export")).content)

    assert [v["viewer"] for v in data["directory_entry_views"]] == [cast.outsider.email]
    assert data["directory_entry_views"][0]["filters"] == {"level": 2}
    (request,) = data["directory_requests"]
    assert (request["message"], request["status"], request["decision_note"]) == (
        "Help in May",
        "accepted",
        "Fine",
    )
    assert request["requested_by_login"] == cast.outsider.email
    assert request["decided_by_login"] == cast.coordinator.email
    assert [h["status"] for h in request["history"]] == ["pending", "accepted"]
    assert data["availability"]["hours_a_month"] == 10
    assert [h["hours_a_month"] for h in data["availability"]["history"]] == [10]
    (logged,) = data["deployments"]
    assert [h["hours"] for h in logged["history"]] == ["4.50", "5.00"]
    assert logged["history"][-1]["history_change_reason"] == "corrected hours"

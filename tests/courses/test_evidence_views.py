"""Submitting training done elsewhere with evidence, and the evidence file download that
checks access."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Completion, Source, Status
from tests.factories import activity, completed

SUBMIT = reverse("courses:submit_completion")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def date_fields(name: str, day: date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture(autouse=True)
def evidence_root(tmp_path, settings, monkeypatch):
    """Evidence files go to a temporary folder, never the project's var/evidence."""
    settings.EVIDENCE_ROOT = tmp_path
    field = Completion._meta.get_field("evidence_file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def giac(db):
    return activity("GCFA", {"FORENSICS": 3}, title="GIAC forensic analyst", validity_months=48)


def with_file(person, act, name: str, content: bytes) -> Completion:
    completion = completed(person, act, date(2025, 2, 1), status=Status.PENDING)
    completion.evidence_file.save(name, ContentFile(content))
    return completion


def evidence_url(completion) -> str:
    return reverse("courses:evidence_file", args=[completion.pk])


# --- submitting -------------------------------------------------------------------------


def test_officer_submits_training_with_a_certificate_upload(client, cast, giac, evidence_root):
    client.force_login(cast.officer_user)
    response = client.post(
        SUBMIT,
        {
            "activity": giac.pk,
            **date_fields("completed_on", date(2025, 2, 1)),
            "evidence_file": SimpleUploadedFile("gcfa.png", PNG, content_type="image/png"),
        },
    )
    completion = Completion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == completion.get_absolute_url()
    assert completion.person == cast.officer
    assert completion.status == Status.PENDING
    assert completion.source == Source.SUBMITTED
    assert completion.recorded_by == cast.officer_user
    stored = evidence_root / completion.evidence_file.name
    assert stored.read_bytes() == PNG


def test_an_executable_with_a_pdf_name_is_refused(client, cast, giac, evidence_root):
    client.force_login(cast.officer_user)
    response = client.post(
        SUBMIT,
        {
            "activity": giac.pk,
            **date_fields("completed_on", date(2025, 2, 1)),
            "evidence_file": SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00" + b"\0" * 64),
        },
    )
    assert response.status_code == 200
    assert "its content looks like a Windows executable" in response.content.decode()
    assert not Completion.objects.exists()
    assert not any(evidence_root.rglob("*.pdf"))


def test_a_submission_needs_some_evidence(client, cast, giac):
    client.force_login(cast.officer_user)
    response = client.post(
        SUBMIT, {"activity": giac.pk, **date_fields("completed_on", date(2025, 2, 1))}
    )
    assert response.status_code == 200
    assert (
        "Upload the certificate, or give its certificate number or a link to it"
        in response.content.decode()
    )
    assert not Completion.objects.exists()


def test_a_certificate_number_alone_is_enough_evidence(client, cast, giac):
    client.force_login(cast.officer_user)
    client.post(
        SUBMIT,
        {
            "activity": giac.pk,
            **date_fields("completed_on", date(2025, 2, 1)),
            "certificate_number": "GIAC-12345",
        },
    )
    completion = Completion.objects.get()
    assert completion.certificate_number == "GIAC-12345"
    assert not completion.evidence_file


def test_coordinator_submits_on_a_persons_behalf(client, cast, giac):
    client.force_login(cast.coordinator)
    url = f"{SUBMIT}?person={cast.colleague.pk}"
    assert "For Sam Jones" in client.get(url).content.decode()
    client.post(
        url,
        {
            "activity": giac.pk,
            **date_fields("completed_on", date(2025, 2, 1)),
            "evidence_link": "https://www.giac.org/certified-professional/sam-jones",
        },
    )
    completion = Completion.objects.get()
    assert completion.person == cast.colleague
    assert completion.status == Status.PENDING
    assert completion.recorded_by == cast.coordinator


def test_coordinator_without_a_person_chooses_who_from_their_scope(client, cast, giac):
    client.force_login(cast.coordinator)
    choices = client.get(SUBMIT).context["form"].fields["person"].queryset
    assert set(choices) == {cast.officer, cast.colleague}
    client.post(
        SUBMIT,
        {
            "person": cast.kent_person.pk,
            "activity": giac.pk,
            **date_fields("completed_on", date(2025, 2, 1)),
            "certificate_number": "X",
        },
    )
    assert not Completion.objects.exists()


def test_outsider_cannot_submit_for_a_norfolk_person(client, cast, giac):
    client.force_login(cast.outsider)
    url = f"{SUBMIT}?person={cast.colleague.pk}"
    assert client.get(url).status_code == 404
    data = {
        "activity": giac.pk,
        **date_fields("completed_on", date(2025, 2, 1)),
        "certificate_number": "X",
    }
    assert client.post(url, data).status_code == 404
    assert not Completion.objects.exists()


def test_officer_cannot_submit_for_a_colleague(client, cast):
    client.force_login(cast.officer_user)
    assert client.get(f"{SUBMIT}?person={cast.colleague.pk}").status_code == 404


def test_read_only_roles_without_a_record_cannot_submit(client, cast):
    for user in (cast.chief, cast.regional_lead, cast.national_lead):
        client.force_login(user)
        assert client.get(SUBMIT).status_code == 403


# --- the evidence file ------------------------------------------------------------------


def test_evidence_is_served_as_a_download_to_those_in_scope(client, cast, giac):
    completion = with_file(cast.officer, giac, "gcfa.png", PNG)
    for user in (cast.officer_user, cast.coordinator, cast.chief, cast.regional_lead):
        client.force_login(user)
        response = client.get(evidence_url(completion))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == (
            f'attachment; filename="evidence-{completion.pk}.png"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PNG


def test_outsider_cannot_download_the_evidence(client, cast, giac):
    completion = with_file(cast.officer, giac, "gcfa.png", PNG)
    client.force_login(cast.outsider)
    assert client.get(evidence_url(completion)).status_code == 404


def test_an_officer_cannot_download_a_colleagues_evidence(client, cast, giac):
    completion = with_file(cast.colleague, giac, "gcfa.pdf", b"%PDF-1.7 ...")
    client.force_login(cast.officer_user)
    assert client.get(evidence_url(completion)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, cast, giac):
    completion = with_file(cast.officer, giac, "gcfa.png", PNG)
    response = client.get(evidence_url(completion))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_file_of_any_other_type_is_never_served_as_a_page(client, cast, giac):
    completion = with_file(cast.officer, giac, "page.html", b"<script>alert(1)</script>")
    client.force_login(cast.coordinator)
    response = client.get(evidence_url(completion))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.bin"')


def test_a_record_without_a_file_has_no_download(client, cast, giac):
    completion = completed(cast.officer, giac, date(2025, 2, 1), certificate_number="C-1")
    client.force_login(cast.coordinator)
    assert client.get(evidence_url(completion)).status_code == 404


def test_the_completion_page_links_to_the_evidence_view_only(client, cast, giac):
    completion = with_file(cast.officer, giac, "gcfa.png", PNG)
    client.force_login(cast.coordinator)
    page = client.get(reverse("courses:completion_detail", args=[completion.pk]))
    html = page.content.decode()
    assert evidence_url(completion) in html
    assert completion.evidence_file.name not in html

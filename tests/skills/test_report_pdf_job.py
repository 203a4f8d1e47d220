"""A large unit's report PDF is drawn by the background worker; a small unit's at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from courses.models import Job, JobKind, JobStatus
from tests.factories import PersonFactory, posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_unit(cast, settings, tmp_path):
    """The Norfolk unit with more people than a request may draw a PDF for."""
    settings.REGISTER_INLINE_PDF_PEOPLE = 2
    settings.EVIDENCE_ROOT = tmp_path
    for number in range(3):
        person = PersonFactory(force=cast.norfolk, staff_number=f"B{number}")
        posted(person, cast.norfolk_unit, start=date(2024, 1, 1))
    return cast.norfolk_unit


def _pdf_url(unit):
    return reverse("skills:unit_report_download", args=[unit.code, "pdf"]) + "?as_of=2025-03-31"


def test_a_large_units_pdf_is_drawn_in_the_background_and_offered_to_its_asker(
    client, cast, big_unit, tmp_path
):
    client.force_login(cast.coordinator)
    response = client.get(_pdf_url(big_unit))
    job = Job.objects.get(kind=JobKind.REPORT_PDF)
    assert response.status_code == 302
    assert response["Location"] == reverse("skills:report_job", args=[big_unit.code, job.pk])
    assert job.started_by == cast.coordinator
    assert job.params == {"unit": big_unit.code, "query": "as_of=2025-03-31"}

    # Tests run tasks at once (config/settings_test.py): the job is done.
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.failure
    page = client.get(response["Location"])
    assert "Your PDF is ready" in page.content.decode()
    download = client.get(reverse("skills:report_job_download", args=[big_unit.code, job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    stored = tmp_path / "reports" / f"report-{job.pk}.pdf"
    assert stored.stat().st_mode & 0o777 == 0o600


def test_nobody_else_sees_the_job_or_its_pdf(client, cast, big_unit):
    client.force_login(cast.coordinator)
    client.get(_pdf_url(big_unit))
    job = Job.objects.get(kind=JobKind.REPORT_PDF)
    for user in (cast.chief, cast.national_lead, cast.outsider):
        client.force_login(user)
        for name in ("skills:report_job", "skills:report_job_download"):
            response = client.get(reverse(name, args=[big_unit.code, job.pk]))
            assert response.status_code == 404, (user, name)


def test_a_small_units_pdf_is_drawn_within_the_request(client, cast, settings):
    settings.REGISTER_INLINE_PDF_PEOPLE = 1000
    client.force_login(cast.coordinator)
    response = client.get(_pdf_url(cast.norfolk_unit))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert not Job.objects.filter(kind=JobKind.REPORT_PDF).exists()


def test_a_pdf_still_drawing_says_so_and_refreshes_itself(client, cast, big_unit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(cast.coordinator)
    response = client.get(_pdf_url(big_unit), follow=True)
    text = response.content.decode()
    assert "Drawing the PDF" in text
    assert '<meta http-equiv="refresh" content="3">' in text
    job = Job.objects.get(kind=JobKind.REPORT_PDF)
    download = client.get(reverse("skills:report_job_download", args=[big_unit.code, job.pk]))
    assert download.status_code == 404
    # A second click while it is drawn leads to the same job, not a second PDF.
    again = client.get(_pdf_url(big_unit))
    assert again["Location"] == reverse("skills:report_job", args=[big_unit.code, job.pk])
    assert Job.objects.filter(kind=JobKind.REPORT_PDF).count() == 1

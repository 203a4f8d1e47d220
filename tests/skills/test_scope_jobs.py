"""The inspection pack of a force or region and the trend of a large scope are worked out by
the background worker (skills.jobs.services); small scopes stay within the request."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from courses import jobs
from courses.models import Job, JobKind, JobStatus
from skills.jobs import services as report_jobs
from tests.factories import UserFactory, granted
from tests.skills.test_overview import build_landscape
from tests.skills.test_pack import norfolk  # noqa: F401 - the pack's fixture

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def large(settings, tmp_path):
    settings.REGISTER_INLINE_PACK_UNITS = 0
    settings.REGISTER_INLINE_TREND_UNITS = 0
    settings.EVIDENCE_ROOT = tmp_path
    return tmp_path


def _pack_url():
    return reverse("evaluation:force_pack", args=["norfolk"]) + "?as_of=2025-03-31"


def test_a_large_forces_pack_is_assembled_in_the_background(cast, client, norfolk, large):  # noqa: F811
    client.force_login(cast.chief)
    response = client.get(_pack_url())
    job = Job.objects.get(kind=JobKind.PACK)
    assert response.status_code == 302
    assert response["Location"] == reverse("skills:scope_job", args=[job.pk])
    assert job.params == {"scope": "force", "code": "norfolk", "as_of": "2025-03-31"}
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.failure  # tests run tasks at once
    page = client.get(response["Location"]).content.decode()
    assert "Your inspection pack is ready" in page
    download = client.get(reverse("skills:scope_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "inspection-pack-norfolk-2025-03-31.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    stored = large / "reports" / f"pack-{job.pk}.pdf"
    assert stored.stat().st_mode & 0o777 == 0o600


def test_a_regions_pack_too(cast, client, norfolk, large):  # noqa: F811
    client.force_login(cast.regional_lead)
    response = client.get(reverse("evaluation:region_pack", args=["eastern"]))
    job = Job.objects.get(kind=JobKind.PACK)
    assert response["Location"] == reverse("skills:scope_job", args=[job.pk])
    assert job.params["scope"] == "region"
    job.refresh_from_db()
    assert job.outcome["result"] == "drawn", job.failure


def test_a_small_pack_stays_within_the_request(cast, client, norfolk, settings):  # noqa: F811
    settings.REGISTER_INLINE_PACK_UNITS = 1000
    client.force_login(cast.chief)
    response = client.get(_pack_url())
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert not Job.objects.exists()


def test_a_second_click_reuses_the_pack_under_way(cast, client, norfolk, large, settings):  # noqa: F811
    settings.TASKS = DUMMY
    client.force_login(cast.chief)
    first = client.get(_pack_url())
    page = client.get(first["Location"]).content.decode()
    assert "Assembling an inspection pack" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    second = client.get(_pack_url())
    assert second["Location"] == first["Location"]
    assert Job.objects.filter(kind=JobKind.PACK).count() == 1
    job = Job.objects.get()
    assert client.get(reverse("skills:scope_job_download", args=[job.pk])).status_code == 404


def test_nobody_else_sees_the_pack_job(cast, client, norfolk, large):  # noqa: F811
    client.force_login(cast.chief)
    client.get(_pack_url())
    job = Job.objects.get(kind=JobKind.PACK)
    kent_chief = UserFactory(email="chief@kent.police.uk")
    granted(kent_chief, "chief_officer", force=cast.kent)
    for user in (cast.national_lead, cast.coordinator, cast.outsider, kent_chief):
        client.force_login(user)
        for name in ("skills:scope_job", "skills:scope_job_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (user, name)


def test_a_pack_whose_worker_failed_says_so(cast, client, norfolk, large, monkeypatch):  # noqa: F811
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("skills.evaluation.pack.render_pack_pdf", broken)
    client.force_login(cast.chief)
    client.get(_pack_url())
    job = Job.objects.get(kind=JobKind.PACK)
    assert job.status == JobStatus.FAILED
    page = client.get(reverse("skills:scope_job", args=[job.pk])).content.decode()
    assert "Error:" in page
    assert "Assembling the inspection pack failed unexpectedly" in page
    assert not (large / "reports" / f"pack-{job.pk}.pdf").exists()


def test_a_pack_job_whose_worker_died_is_marked_failed(cast, client, norfolk, large, settings):  # noqa: F811
    settings.TASKS = DUMMY
    client.force_login(cast.chief)
    client.get(_pack_url())
    job = Job.objects.get(kind=JobKind.PACK)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker="elsewhere:1")
    settings.JOB_STALE_SECONDS = -1
    page = client.get(reverse("skills:scope_job", args=[job.pk])).content.decode()
    assert "The background worker stopped while assembling the inspection pack" in page
    # Asking again starts a new job rather than waiting on the dead one.
    again = client.get(_pack_url())
    assert again["Location"] != reverse("skills:scope_job", args=[job.pk])


# --- the trend ---------------------------------------------------------------------------


def _svgs(response) -> int:
    return response.content.decode().count("<svg")


def test_a_large_trend_is_worked_out_in_the_background_then_shown(cast, client, large):
    build_landscape(cast)
    client.force_login(cast.chief)
    inline = _inline_trend(client, cast)
    response = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"})
    job = Job.objects.get(kind=JobKind.TREND)
    assert response.status_code == 302
    assert response["Location"] == reverse("skills:scope_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.failure
    page = client.get(response["Location"]).content.decode()
    assert "Your trend is ready" in page
    link = re.search(r'href="([^"]*/coverage/trend/[^"]*)"', page).group(1).replace("&amp;", "&")
    shown = client.get(link)
    assert shown.status_code == 200
    assert _svgs(shown) == _svgs(inline) > 0
    # The stored trend draws the same page as the one worked out within the request.
    assert _figures(shown) == _figures(inline)
    assert Job.objects.filter(kind=JobKind.TREND).count() == 1  # shown again, not redone


def _inline_trend(client, cast):
    from django.test import override_settings

    with override_settings(REGISTER_INLINE_TREND_UNITS=1000):
        response = client.get(
            reverse("coverage:trend"), {"as_of": "2025-03-31", "force": "norfolk"}
        )
    assert not Job.objects.exists()
    return response


def _figures(response) -> str:
    body = re.sub(r"chart-[0-9a-f-]{36}", "chart", response.content.decode())  # pygal's ids
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.split("<main", 1)[1]))


def test_a_second_trend_request_reuses_the_job_under_way(cast, client, large, settings):
    build_landscape(cast)
    settings.TASKS = DUMMY
    client.force_login(cast.chief)
    first = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"})
    second = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"})
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind=JobKind.TREND).count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "Working out a trend" in page


def test_a_trend_job_is_refused_once_the_force_is_out_of_scope(cast, large, settings):
    build_landscape(cast)
    settings.TASKS = DUMMY
    params = {"force": "kent", "as_of": "2025-03-31", "function": "", "person_type": ""}
    job = report_jobs.start_trend(user=cast.chief, params=params)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.outcome == {"result": "refused", "messages": ["You can no longer see this force."]}


def test_a_small_trend_stays_within_the_request(cast, client, settings):
    build_landscape(cast)
    settings.REGISTER_INLINE_TREND_UNITS = 1000
    client.force_login(cast.chief)
    assert client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"}).status_code == 200
    assert not Job.objects.exists()

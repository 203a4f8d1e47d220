"""Pages reached from a section lead back to it (GOV.UK breadcrumbs)."""

from __future__ import annotations

from django.urls import reverse


def test_pages_off_the_navigation_have_breadcrumbs_back(client, cast):
    client.force_login(cast.coordinator)
    for url in [
        reverse("courses:record_cohort"),
        reverse("courses:import_upload"),
        reverse("courses:submit_completion") + f"?person={cast.colleague.pk}",
        reverse("evaluation:unit", args=[cast.norfolk_unit.code]),
        reverse("coverage:unit_trend", args=[cast.norfolk_unit.code]),
    ]:
        page = client.get(url).content.decode()
        assert page.count("govuk-breadcrumbs__link") >= 2, url
        assert 'href=""' not in page, url
    client.force_login(cast.officer_user)
    for url in [
        reverse("me:reminders"),
        reverse("me:statement"),
        reverse("directory:my_entry"),
        reverse("courses:submit_completion"),
    ]:
        page = client.get(url).content.decode()
        assert page.count("govuk-breadcrumbs__link") == 2, url
        assert "Your pathway</a>" in page, url
    client.force_login(cast.coordinator)
    page = client.get(
        reverse("courses:submit_completion") + f"?person={cast.colleague.pk}"
    ).content.decode()
    assert page.count("govuk-breadcrumbs__link") == 3 and "Your pathway</a>" not in page
    page = client.get(reverse("me:person_statement", args=[cast.colleague.pk])).content.decode()
    assert page.count("govuk-breadcrumbs__link") == 3 and "Sam Jones</a>" in page

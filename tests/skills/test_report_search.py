"""The report page where users feel its size (issue 12 point 4): the what-if chooses people
through a search, not a checkbox per person; the expiring and specials tables are paginated;
nobody's report is walked for names when nothing is withheld; the print templates read rows
by name."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from people.models import PersonType
from skills.report import query as report_query
from skills.report import views
from tests.factories import activity, completed, posted
from tests.skills.conftest import person
from tests.skills.test_report_views import report_url, reported_unit


@pytest.fixture
def reported(cast):
    return reported_unit(cast)


def boxes(page: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)


def test_the_plain_page_draws_no_checkbox_per_person(client, cast, reported):
    client.force_login(cast.chief)

    page = client.get(report_url(reported.unit)).content.decode()

    assert boxes(page, "without") == [] and boxes(page, "cohort") == []
    assert 'name="who"' in page
    # The booked-training what-if is unchanged (another journey relies on its label).
    assert "Count booked training as done on its end date" in page
    assert len(boxes(page, "bookings")) == 1


def test_a_search_lists_the_people_it_finds_to_tick(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(report_url(reported.unit, "as_of=2025-03-31&who=able"))

    page = response.content.decode()
    leaving = boxes(page, "without")
    assert len(leaving) == 1 and f'value="{reported.ann.pk}"' in leaving[0]
    assert len(boxes(page, "cohort")) == 1
    assert "Ann Able, 3002 (Norfolk Constabulary)" in page
    assert "1 person in the unit on 31 March 2025 match “able”" in page
    # The search is part of the page, not of the report a download repeats.
    assert all("who=" not in href for _, href, _ in response.context["downloads"])
    # A staff number finds the person too; a search that finds nobody says so.
    page = client.get(report_url(reported.unit, "as_of=2025-03-31&who=3001")).content.decode()
    assert [f'value="{reported.ed.pk}"' in box for box in boxes(page, "without")] == [True]
    page = client.get(report_url(reported.unit, "as_of=2025-03-31&who=zzz")).content.decode()
    assert "Nobody in the unit matches “zzz”" in page and boxes(page, "without") == []


def test_old_links_keep_their_meaning_and_the_chosen_stay_ticked(client, cast, reported):
    client.force_login(cast.chief)

    response = client.get(
        report_url(reported.unit, f"as_of=2025-03-31&without={reported.ann.pk}&who=expert")
    )

    report = response.context["report"]
    assert report.what_if.without_people == frozenset({reported.ann.pk})
    page = response.content.decode()
    leaving = boxes(page, "without")
    # Ann (chosen, ticked) first, then the match (Ed), unticked.
    assert [f'value="{reported.ann.pk}"' in b for b in leaving] == [True, False]
    assert "checked" in leaving[0] and "checked" not in leaving[1]
    # Someone not in the unit is still refused.
    page = client.get(report_url(reported.unit, "as_of=2025-03-31&without=999999")).content
    assert "Choose people who are in the unit" in page.decode()


def test_matches_come_a_page_at_a_time(client, cast, reported, monkeypatch):
    monkeypatch.setattr(report_query, "MATCHES_PER_PAGE", 3)
    for i in range(5):
        posted(person(cast.norfolk, f"Pat{i}", f"Many{i}"), reported.unit, start=date(2024, 1, 1))
    client.force_login(cast.chief)

    first = client.get(report_url(reported.unit, "as_of=2025-03-31&who=many")).content.decode()
    second = client.get(
        report_url(reported.unit, "as_of=2025-03-31&who=many&who-page=2")
    ).content.decode()

    assert len(boxes(first, "without")) == 3 and len(boxes(second, "without")) == 2
    assert "5 people in the unit on 31 March 2025 match “many”: 1 to 3" in first
    assert 'aria-label="Pages of people found"' in first
    assert "who-page=2" in first
    # Nonsense pages fall back to a page that exists.
    assert client.get(report_url(reported.unit, "who=many&who-page=x")).status_code == 200


def test_the_search_never_finds_a_withheld_person_by_name(client, cast):
    hidden = person(cast.suffolk, "Zoe", "Zulu", staff_number="5001")
    posted(hidden, cast.joint_unit, start=date(2024, 1, 1))
    client.force_login(cast.chief)  # Norfolk only

    by_name = client.get(report_url(cast.joint_unit, "as_of=2025-03-31&who=zulu"))
    by_number = client.get(report_url(cast.joint_unit, f"as_of=2025-03-31&who=%23{hidden.pk}"))

    assert boxes(by_name.content.decode(), "without") == []
    page = by_number.content.decode()
    assert len(boxes(page, "without")) == 1
    assert f"Name withheld: police officer #{hidden.pk} (Suffolk Constabulary)" in page
    assert "Zulu" not in page


def test_nobody_is_walked_for_names_when_nothing_is_withheld(client, cast, reported):
    for user in (cast.national_lead, cast.chief):  # every person; every person of the unit
        client.force_login(user)
        with (
            mock.patch.object(report_query, "people_in", wraps=report_query.people_in) as walk,
            mock.patch.object(
                report_query, "withhold_names", wraps=report_query.withhold_names
            ) as redact,
        ):
            response = client.get(report_url(reported.unit))
        assert response.status_code == 200
        assert walk.call_count == 0 and redact.call_count == 0
        assert "Ann Able" in response.content.decode()


def test_a_viewer_who_may_not_see_everyone_still_gets_names_withheld(client, cast):
    hidden = person(cast.suffolk, "Zoe", "Zulu", staff_number="5001")
    mine = person(cast.norfolk, "Nora", "North", staff_number="4001")
    for who in (hidden, mine):
        posted(who, cast.joint_unit, start=date(2024, 1, 1))
    client.force_login(cast.chief)

    with mock.patch.object(
        report_query, "withhold_names", wraps=report_query.withhold_names
    ) as redact:
        response = client.get(report_url(cast.joint_unit))

    assert redact.call_count == 1
    page = response.content.decode()
    assert "Nora North" in page and "Zulu" not in page and "Name withheld" in page


def test_the_expiring_and_specials_tables_are_paginated_and_sortable(
    client, cast, reported, monkeypatch
):
    monkeypatch.setattr(views, "EXPIRING_PER_PAGE", 1)
    monkeypatch.setattr(views, "SPECIALS_PER_PAGE", 1)
    quick = activity("QUICK", {"OSINT": 1}, validity_months=12, title="Quick course")
    completed(reported.ann, quick, date(2024, 5, 1))  # expires 2025-05-01
    vol = person(cast.norfolk, "Vic", "Volunteer", person_type=PersonType.VOLUNTEER)
    posted(vol, reported.unit, start=date(2024, 1, 1))
    client.force_login(cast.chief)

    first = client.get(report_url(reported.unit))
    by_expiry = client.get(report_url(reported.unit, "as_of=2025-03-31&e-sort=-expires_on"))
    second = client.get(report_url(reported.unit, "as_of=2025-03-31&s-page=2&e-page=2"))

    expiring = first.context["expiring_table"]
    assert expiring.paginator.count == 2 and len(expiring.page.object_list) == 1
    # The report's order (soonest first: Ann's course on 1 May, Ed's on 20 May), then sorted.
    assert expiring.page.object_list.data[0].person.id == reported.ann.pk
    latest = by_expiry.context["expiring_table"].page.object_list.data[0]
    assert latest.expires_on == date(2025, 5, 20)
    assert first.context["deployment_table"].paginator.count == 2
    page = second.content.decode()
    assert "Showing 2 to 2 of 2 completions" in page
    assert "Showing 2 to 2 of 2 specials and volunteers" in page
    assert 'aria-label="Pagination: Expiring in the next 90 days"' in page
    # Table pages and sorting are the page's, not the report's a download repeats.
    assert all("e-page" not in href for _, href, _ in second.context["downloads"])
    assert client.get(report_url(reported.unit, "e-sort=nonsense&e-page=99")).status_code == 200


def test_print_templates_read_rows_by_name(client, cast, reported):
    for name in ("report_pdf.html", "report_standalone.html", "report.html"):
        text = (Path(settings.BASE_DIR) / "templates/skills" / name).read_text()
        assert not re.search(r"row\.\d", text), name
    client.force_login(cast.chief)
    html = client.get(report_url(reported.unit, "as_of=2025-03-31&format=html")).content.decode()
    # The expiring row, the people-and-requirements row and the single point, by name.
    assert re.search(r"<td>[^<]*Ed Expert[^<]*</td><td>Network investigation</td>", html)
    assert re.search(r"<td>[^<]*Ann Able[^<]*</td><td>[^<]+</td>\s*<td>Malware[^<]* L2</td>", html)
    assert re.search(r"<th scope=\"row\">Malware[^<]* L2</th><td>[^<]*Ed Expert", html)

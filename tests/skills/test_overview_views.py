"""The coverage pages (/coverage/): each user sees their own scope, the heat table reads
without colour, filters narrow it, and the page's queries do not grow with units or people."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.skills.conftest import target
from tests.skills.test_overview import _grow, build_landscape

OVERVIEW = reverse("coverage:overview")


@pytest.fixture
def landscape(cast):
    return build_landscape(cast)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_chief_officer_sees_their_forces_units_and_nothing_of_kent(cast, landscape, client):
    client.force_login(cast.chief)

    response = client.get(OVERVIEW, {"as_of": "2025-03-31"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Norfolk cyber crime unit" in page
    assert "Norfolk and Suffolk joint cyber crime unit" in page
    assert "Kent" not in page
    assert "KEN-CCU" not in page


def test_a_regional_lead_sees_every_force_of_the_region(cast, landscape, client):
    client.force_login(cast.regional_lead)

    page = _text(client.get(OVERVIEW, {"as_of": "2025-03-31"}))

    assert "Suffolk cyber crime unit" in page
    assert "Norfolk cyber crime unit" in page
    assert "Kent" not in page


def test_cells_say_short_and_single_point_of_failure_in_words(cast, landscape, client):
    client.force_login(cast.chief)

    response = client.get(OVERVIEW, {"as_of": "2025-03-31"})
    heat = response.content.decode().split('id="heat-table"')[1].split('id="forces-table"')[0]
    rows = {
        code: row for row in heat.split('<tr class="govuk-table__row">') for code in [
            "NOR-CCU", "NSJ-CCU"] if f">{code} ·" in row
    }  # fmt: skip

    norfolk = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows["NOR-CCU"]))
    # Network investigation: 3 of 1, met; victim care: 1 of 1, a single point of failure.
    assert "3 of 1 met" in norfolk
    assert "1 of 1 met single point of failure falls short 2025-05-31" in norfolk
    assert "66.7%" in norfolk  # 4 of 6 requirements
    joint = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows["NSJ-CCU"]))
    assert "1 of 2 short 1 single point of failure" in joint
    assert "/units/NOR-CCU/report/?as_of=2025-03-31" in rows["NOR-CCU"]
    assert reverse("coverage:unit_trend", args=["NOR-CCU"]) in rows["NOR-CCU"]


def test_roll_ups_show_each_force_and_region(cast, landscape, client):
    client.force_login(cast.regional_lead)

    response = client.get(OVERVIEW, {"as_of": "2025-03-31"})

    forces = _text(response).split("Forces")[1]
    assert "Norfolk Constabulary" in forces
    assert "Suffolk Constabulary" in forces
    assert "Regions" in _text(response)


def test_filter_by_function_keeps_that_functions_capabilities(cast, landscape, client):
    client.force_login(cast.chief)

    everything = client.get(OVERVIEW, {"as_of": "2025-03-31"}).content.decode()
    protect = client.get(OVERVIEW, {"as_of": "2025-03-31", "function": "protect"})

    assert "Netinv L2" in everything
    page = protect.content.decode()
    assert "Victim L1" in page
    assert "Netinv L2" not in page


def test_a_bad_date_is_explained_and_the_page_still_answers(cast, landscape, client):
    client.force_login(cast.chief)

    response = client.get(OVERVIEW, {"as_of": "2025-13-45"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "The date of the figures must be a real date" in response.content.decode()


def test_officers_without_oversight_get_403(cast, client):
    client.force_login(cast.officer_user)

    for name in ("coverage:overview", "coverage:expectations", "coverage:trend"):
        assert client.get(reverse(name)).status_code == 403


def test_expectations_page_shows_each_expectations_counts(cast, landscape, client):
    client.force_login(cast.chief)

    page = _text(client.get(reverse("coverage:expectations"), {"as_of": "2025-03-31"}))

    assert "HMIC 2015 5.56" in page
    # Norfolk's unit: Ann meets 5.56, Bob and Dan do not; 4 of 6 requirements met.
    assert "Norfolk cyber crime unit unit 1 of 3 4 of 6 –" in page
    assert "Kent" not in page


def test_trend_pages_draw_a_chart_per_force_and_unit(cast, landscape, client):
    client.force_login(cast.chief)

    response = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 8  # two each: Norfolk, its unit, its team, the joint unit
    assert "2024-04-30" in page and "2025-03-31" in page

    unit = client.get(
        reverse("coverage:unit_trend", args=["NOR-CCU"]), {"as_of": "2025-03-31"}
    ).content.decode()
    assert unit.count("<svg") == 2  # compliance, then people and headcount
    assert "2025-03-31" in unit


def test_another_forces_unit_trend_is_not_found(cast, landscape, client):
    client.force_login(cast.outsider)

    response = client.get(reverse("coverage:unit_trend", args=["NOR-CCU"]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["coverage:overview", "coverage:expectations"])
def test_page_queries_do_not_grow_with_units_or_people(
    cast, client, django_assert_max_num_queries, name
):
    target("force cyber crime unit", "VICTIM", 1, 1)
    _grow(cast, "SMALL", 1, 2)
    client.force_login(cast.national_lead)
    client.get(reverse(name))  # what pages keep per process (directory origins) is kept now
    with django_assert_max_num_queries(40) as small:
        client.get(reverse(name), {"as_of": date(2025, 3, 31).isoformat()})
    _grow(cast, "LARGE", 6, 5)
    with django_assert_max_num_queries(40) as large:
        client.get(reverse(name), {"as_of": date(2025, 3, 31).isoformat()})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_matrix_scrolls_in_a_focusable_labelled_region_of_the_screens_width(
    cast, landscape, client
):
    """Issue 15 point 3: a keyboard can scroll the wide table; it uses a large screen's width."""
    client.force_login(cast.chief)
    page = client.get(OVERVIEW, {"as_of": "2025-03-31"}).content.decode()
    heat = re.search(r'<div id="heat-table">\s*.*?<div ([^>]*)>', page, re.S).group(1)
    assert 'class="register-table-wrapper register-table-wrapper--wide"' in heat
    assert 'role="region"' in heat
    assert 'tabindex="0"' in heat
    assert 'aria-label="Units and capabilities: ' in heat

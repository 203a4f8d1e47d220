"""Charts read without colour (issue 15, point 6): every line has a dash pattern and a label
on it, the key names capabilities rather than codes, axes have titles and whole-number steps,
and every chart has its data table beside it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from skills.report.renderers import integer_steps
from tests.skills.test_overview import build_landscape
from tests.skills.test_report_views import report_url, reported_unit


@pytest.fixture
def reported(cast):
    return reported_unit(cast)


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)


def test_forecast_chart_tells_lines_apart_without_colour(client, cast, reported):
    client.force_login(cast.chief)

    page = client.get(report_url(reported.unit)).content.decode()
    chart = next(s for s in _svgs(page) if "Forecast headcount" in s)

    # Three targets: three dash patterns in the chart's style, one per series.
    assert len(set(re.findall(r"stroke-dasharray: ?([^;]+);", chart))) >= 3
    # The key names the capabilities, numbered as the lines are.
    for number in ("1. ", "2. ", "3. "):
        assert number in chart
    names = re.findall(r"<strong>(\d+)\.</strong> ([^<]+)</li>", page)
    assert [n for n, _ in names] == ["1", "2", "3"]
    assert all("level" in label and "minimum" in label for _, label in names)
    assert not any(re.fullmatch(r"[A-Z]+ L\d.*", label) for _, label in names)
    # Each line carries its number on the chart.
    labels = re.findall(r'<text [^>]*class="label">(\d+)</text>', chart)
    assert sorted(labels) == ["1", "2", "3"]
    assert "People holding the capability" in chart and "Month end" in chart


def test_forecast_table_is_shown_beside_the_chart_with_names(client, cast, reported):
    client.force_login(cast.chief)

    page = client.get(report_url(reported.unit)).content.decode()

    table = page[page.index('id="forecast-table"') :]
    table = table[: table.index("</table>")]
    head = table[: table.index("</thead>")]
    assert "level 2 (minimum 2)" in head
    # Not folded away in a details element.
    before = page[: page.index('id="forecast-table"')]
    assert before.rfind("<details") < before.rfind('id="forecast"')


@pytest.mark.parametrize(
    ("top", "labels"),
    [
        (1, [0, 1]),
        (10, list(range(11))),
        (11, [0, 2, 4, 6, 8, 10, 12]),
        (42, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]),
        (84, list(range(0, 91, 10))),
    ],
)
def test_axis_steps_are_whole_round_numbers(top, labels):
    assert integer_steps(top) == labels


def test_trend_chart_has_no_second_axis_and_whole_number_steps(cast, client):
    build_landscape(cast)
    client.force_login(cast.chief)

    page = client.get(
        reverse("coverage:unit_trend", args=["NOR-CCU"]), {"as_of": "2025-03-31"}
    ).content.decode()
    compliance, counts = _svgs(page)

    for svg in (compliance, counts):
        assert 'class="axis y2' not in svg
        assert "Month end" in svg
    assert "Compliance (%)" in compliance
    steps = [int(n) for n in re.findall(r'<text[^>]*class="[^"]*"[^>]*>(\d+)</text>', counts)]
    assert steps and all(isinstance(n, int) for n in steps)
    assert not re.search(r">\d+\.\d+</text>", counts)  # no 8.4, 16.8 ...
    # Lines are named on the chart and dashed differently.
    for name in ("People", "Holding", "Minimums"):
        assert f'class="label">{name}</text>' in counts
    assert len(set(re.findall(r"stroke-dasharray: ?([^;]+);", counts))) >= 2
    # The data table is beside it.
    assert "Holding, of targets' minimums" in page


def test_chart_styles_carry_the_nonce_the_policy_allows(cast, client):
    """django-csp's nonce is falsy until read: the chart's styles must still carry it, or the
    browser blocks them and draws every chart as a black box."""
    build_landscape(cast)
    client.force_login(cast.chief)

    response = client.get(reverse("coverage:unit_trend", args=["NOR-CCU"]), {"as_of": "2025-03-31"})

    nonces = set(re.findall(r'<style nonce="([^"]*)"', response.content.decode()))
    assert len(nonces) == 1
    (nonce,) = nonces
    assert nonce and f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_regional_leads_trend_is_headed_with_the_region(cast, client):
    """Issue 15, point 10: it was headed with the first force's name."""
    build_landscape(cast)
    client.force_login(cast.regional_lead)

    page = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"}).content.decode()
    heading = re.search(r'<h1 class="govuk-heading-l">([^<]+)</h1>', page).group(1)

    assert heading == f"Coverage trend: {cast.eastern.name}"


def test_a_chief_officers_trend_is_headed_with_their_force(cast, client):
    build_landscape(cast)
    client.force_login(cast.chief)

    page = client.get(reverse("coverage:trend"), {"as_of": "2025-03-31"}).content.decode()

    assert '<h1 class="govuk-heading-l">Coverage trend: Norfolk Constabulary</h1>' in page

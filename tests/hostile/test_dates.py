"""Extreme and malformed dates in every date query parameter: a form error or a 400 page that
says what to enter, never a 500 (issue 13 point 7: ``as_of=9999-12-31`` crashed the report,
evaluation and pack, ``month=0000-01`` the deployment log)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.hostile.corpus import EXTREME_DATES, EXTREME_MONTHS, MALFORMED_DATES, MALFORMED_MONTHS

# (url name, args, date parameter, who asks). ``args`` None: the Norfolk officer's record.
DATE_PAGES = [
    ("skills:unit_report", ["NOR-CCU"], "as_of", "national_lead"),
    ("skills:unit_report", ["NOR-CCU"], "fund_ends", "national_lead"),
    ("skills:unit_report", ["NOR-CCU"], "cohort_on", "national_lead"),
    ("skills:unit_report_download", ["NOR-CCU", "pdf"], "as_of", "national_lead"),
    ("skills:unit_report_download", ["NOR-CCU", "csv"], "as_of", "national_lead"),
    ("skills:unit_report_download", ["NOR-CCU", "xlsx"], "as_of", "national_lead"),
    ("skills:unit_report_download", ["NOR-CCU", "json"], "as_of", "national_lead"),
    ("evaluation:unit", ["NOR-CCU"], "as_of", "regional_lead"),
    ("evaluation:force_pack", ["norfolk"], "as_of", "chief_officer"),
    ("evaluation:region_pack", ["eastern"], "as_of", "regional_lead"),
    ("coverage:overview", [], "as_of", "regional_lead"),
    ("coverage:expectations", [], "as_of", "regional_lead"),
    ("coverage:trend", [], "as_of", "regional_lead"),
    ("coverage:unit_trend", ["NOR-CCU"], "as_of", "regional_lead"),
    ("me:pathway", [], "as_of", "officer"),
    ("me:statement", [], "as_of", "officer"),
    ("me:export", [], "as_of", "officer"),
    ("me:person_statement", None, "as_of", "coordinator"),
    ("people:unit_detail", ["NOR-CCU"], "as_of", "coordinator"),
    ("people:person_detail", None, "as_of", "coordinator"),
]

REFUSED = ("Enter a date from", "Enter the date as", "Enter the report date", "Enter the fund")
REFUSED_MONTH = ("Enter a month from", "Enter the month as year and month")


def _get(client, cast, name, args, params, who):
    client.raise_request_exception = False
    client.force_login(cast.users()[who])
    args = [cast.officer.pk] if args is None else args
    return client.get(reverse(name, args=args), params)


@pytest.mark.parametrize("value", EXTREME_DATES + MALFORMED_DATES)
@pytest.mark.parametrize(
    ("name", "args", "param", "who"), DATE_PAGES, ids=[f"{p[0]}-{p[2]}" for p in DATE_PAGES]
)
def test_a_hostile_date_never_gets_a_500(client, cast, name, args, param, who, value):
    response = _get(client, cast, name, args, {param: value}, who)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("value", EXTREME_DATES)
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("skills:unit_report", ["NOR-CCU"]),
        ("coverage:overview", []),
        ("coverage:trend", []),
        ("coverage:unit_trend", ["NOR-CCU"]),
        ("evaluation:unit", ["NOR-CCU"]),
    ],
)
def test_an_out_of_range_as_of_says_which_dates_may_be_asked_for(client, cast, name, args, value):
    response = _get(client, cast, name, args, {"as_of": value}, "national_lead")
    assert response.status_code in (200, 400)
    assert "Enter a date from 1 January 2000 to 31 December 2099" in response.content.decode()


@pytest.mark.parametrize("name", ["evaluation:force_pack", "evaluation:region_pack"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2025-02-30"])
def test_a_pack_for_a_bad_date_is_refused_not_printed_for_today(client, cast, name, value):
    args = ["norfolk"] if name == "evaluation:force_pack" else ["eastern"]
    response = _get(client, cast, name, args, {"as_of": value}, "national_lead")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert any(text in response.content.decode() for text in REFUSED)


@pytest.mark.parametrize("name", ["me:pathway", "me:statement"])
def test_the_pathway_refuses_a_date_out_of_range(client, cast, name):
    response = _get(client, cast, name, [], {"as_of": "9999-12-31"}, "officer")
    assert response.status_code == 400
    assert "Enter a date from 1 January 2000" in response.content.decode()


@pytest.mark.parametrize("value", EXTREME_MONTHS + MALFORMED_MONTHS)
@pytest.mark.parametrize("who", ["national_lead", "coordinator", "officer"])
def test_a_hostile_month_on_the_deployment_log_never_gets_a_500(client, cast, who, value):
    response = _get(client, cast, "deployments:list", [], {"month": value}, who)
    assert response.status_code in (200, 400)
    if value in EXTREME_MONTHS:
        assert any(text in response.content.decode() for text in REFUSED_MONTH)

"""The JSON contract (docs/report-json.md) and the resilience_report command."""

import json
import sys
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from people.models import Fund
from skills.coverage import build_unit_report, report_to_dict
from tests.factories import activity, completed, posted
from tests.skills.conftest import D, person, role, target

TOP_LEVEL = {
    "unit",
    "as_of",
    "summary",
    "targets",
    "single_points_of_failure",
    "people",
    "expiring",
    "specials_and_volunteers",
    "forecast",
    "expectations",
}


@pytest.fixture
def filled(cast, unit):
    target(unit, "NETINV", 2, 2, ["HMICFRS-2019-CYBER Q2"])
    ann = person(cast.norfolk, "Ann", "Able")
    bob = person(cast.suffolk, "Bob", "Baker")
    fund = Fund.objects.create(
        code="PTF", name="Police Transformation Fund", ends_on=date(2025, 6, 30)
    )
    pursue = role("PURSUE", ("NETINV", 2, {"expectations": ["HMIC-2015-DIGITAL 5.56"]}))
    posted(ann, unit, start=date(2024, 1, 1), role=pursue)
    posted(bob, unit, start=date(2024, 1, 1), role=pursue, fund=fund)
    net = activity("NET", {"NETINV": 2}, validity_months=24, title="Network course")
    completed(ann, net, date(2023, 5, 20))
    completed(bob, net, date(2024, 2, 1))
    return ann, bob


def run(*args) -> dict:
    out = StringIO()
    call_command("resilience_report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_has_the_documented_keys_and_iso_dates(unit, filled):
    data = report_to_dict(build_unit_report(unit, as_of=D, horizon=4))

    assert set(data) >= TOP_LEVEL
    assert data["as_of"] == "2025-03-31"
    (t,) = data["targets"]
    assert {k: t[k] for k in ("capability", "level", "minimum", "headcount", "shortfall")} == {
        "capability": "NETINV",
        "level": 2,
        "minimum": 2,
        "headcount": 2,
        "shortfall": 0,
    }
    # Ann's course expires on 20 May 2025, Bob's fund ends on 30 June 2025.
    assert t["cliff_date"] == "2025-05-31"
    assert [(c["at"], c["on"], c["kind"], c["why"]) for c in t["causes"]] == [
        ("2025-05-31", "2025-05-20", "expiry", "activity Network course expires on 2025-05-20"),
        ("2025-07-31", "2025-06-30", "fund", "fund Police Transformation Fund ends on 2025-06-30"),
    ]
    assert t["expectations"] == [{"key": "HMICFRS-2019-CYBER Q2", "label": "HMICFRS 2019 Q2"}]
    assert data["forecast"] == [
        {"month": "2025-04-30", "headcounts": {"NETINV L2": 2}},
        {"month": "2025-05-31", "headcounts": {"NETINV L2": 1}},
        {"month": "2025-06-30", "headcounts": {"NETINV L2": 1}},
        {"month": "2025-07-31", "headcounts": {"NETINV L2": 0}},
    ]
    assert data["people"][0]["requirements"][0]["status"] == "expiring"
    assert data["summary"]["compliance"] == 1.0
    trace = {e["key"]: (e["met"], e["total"]) for e in data["expectations"]}
    assert trace == {"HMIC-2015-DIGITAL 5.56": (2, 2), "HMICFRS-2019-CYBER Q2": (1, 1)}
    json.dumps(data)  # serialisable as is


def test_compliance_is_null_not_100_percent_when_nothing_is_counted(unit):
    assert report_to_dict(build_unit_report(unit, as_of=D))["summary"]["compliance"] is None


def test_command_writes_json_to_stdout_and_to_a_file(unit, filled, tmp_path):
    data = run("TST-CCU", "--as-of", "2025-03-31", "--horizon", "2")
    call_command(
        "resilience_report",
        "TST-CCU",
        "--as-of",
        "2025-03-31",
        "--horizon",
        "2",
        "--output",
        str(tmp_path / "r.json"),
    )

    assert data["unit"]["code"] == "TST-CCU"
    assert len(data["forecast"]) == 2
    assert json.loads((tmp_path / "r.json").read_text()) == data


def test_command_what_if_options(unit, filled):
    ann, bob = filled
    data = run(
        "TST-CCU",
        "--as-of",
        "2025-03-31",
        "--without",
        str(ann.pk),
        "--fund-ends",
        "PTF=2025-04-15",
        "--planned",
        f"NET:{bob.pk}:2025-03-01",
    )

    assert data["what_if"] == {
        "without_people": [ann.pk],
        "fund_ends": {"PTF": "2025-04-15"},
        "planned": [{"activity": "NET", "people": [bob.pk], "completed_on": "2025-03-01"}],
    }
    assert [p["person"]["name"] for p in data["people"]] == ["Bob Baker"]
    assert data["targets"][0]["cliff_date"] == "2025-03-31"
    assert data["forecast"][0]["headcounts"] == {"NETINV L2": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE"], "No unit with code 'NOPE'"),
        (["TST-CCU", "--as-of", "2025-02-30"], "not a date"),
        (["TST-CCU", "--horizon", "37"], "between 0 and 36"),
        (["TST-CCU", "--fund-ends", "PTF"], "FUND=YYYY-MM-DD"),
        (["TST-CCU", "--fund-ends", "NOPE=2025-01-01"], "No fund with code NOPE"),
        (["TST-CCU", "--planned", "NET:1"], "ACTIVITY_CODE:PERSON_ID"),
    ],
)
def test_command_refuses_bad_input_with_a_clear_error(unit, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("resilience_report", *args, stdout=StringIO())


def test_formats_without_a_renderer_are_not_yet_available(unit, monkeypatch):
    monkeypatch.setitem(sys.modules, "skills.report.renderers", None)

    with pytest.raises(CommandError, match="not yet available") as raised:
        call_command("resilience_report", "TST-CCU", "--format", "pdf", stdout=StringIO())

    assert raised.value.returncode == 2

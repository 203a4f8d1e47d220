"""Issue 4: the HTML page, the PDF, CSV, XLSX, JSON and standalone HTML of one report agree on
every figure, and the PDF has its cover marking, page numbers, repeated table headers and the
forecast chart."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from people.models import Person, Posting
from skills.coverage import WhatIf, build_unit_report
from skills.report.renderers import render_report
from tests.factories import UnitFactory, activity, completed
from tests.skills.conftest import role
from tests.skills.test_report_views import reported_unit

D = date(2025, 3, 31)
CLASSIFICATION = "OFFICIAL-SENSITIVE"
UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(content: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if row and row[0] != "section":
            sections.setdefault(row[0], []).append(row[1:])
    return sections


def xlsx_sheets(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in book.worksheets}


@pytest.fixture
def reported(cast):
    return reported_unit(cast)


@pytest.fixture
def downloads(client, cast, reported):
    """Every format of the one report, as the chief officer downloads them."""
    client.force_login(cast.chief)
    out = {}
    for fmt in ("pdf", "csv", "xlsx", "json", "html"):
        url = reverse("skills:unit_report_download", args=[reported.unit.code, fmt])
        response = client.get(f"{url}?as_of=2025-03-31")
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="resilience-NOR-CCU-2025-03-31.{fmt}"'
        )
        out[fmt] = response.content
    out["page"] = client.get(
        reverse("skills:unit_report", args=[reported.unit.code]) + "?as_of=2025-03-31"
    ).content
    return out


# The figures every format must agree on, hand-computed in tests.skills.test_report_views.
COMPLIANCE = "66.7%"
TARGETS = {"MALWARE L2": (1, 1, 0), "NETINV L2": (2, 3, 0), "OSINT L1": (1, 2, 0)}
SPOF = [("MALWARE", "2", "PC 3001 Ed Expert (Norfolk Constabulary)")]


def test_json_has_the_figures(downloads):
    import json

    data = json.loads(downloads["json"])
    assert round(data["summary"]["compliance"] * 100, 1) == 66.7
    assert {t["key"]: (t["minimum"], t["headcount"], t["shortfall"]) for t in data["targets"]} == (
        TARGETS
    )
    assert [
        (s["capability"], str(s["level"]), s["person"]["name"])
        for s in data["single_points_of_failure"]
    ] == [("MALWARE", "2", "Ed Expert")]
    assert len(data["expiring"]) == data["summary"]["expiring"] == 1
    sv = data["specials_and_volunteers"]
    assert (sv["specials"], sv["volunteers"], float(sv["hours_deployed_12_months"])) == (1, 0, 6.5)


def test_csv_agrees(downloads):
    sections = csv_sections(downloads["csv"])
    summary = {row[0]: row[1] for row in sections["summary"]}
    assert summary["Compliance"] == COMPLIANCE
    assert summary["Expiring in the next 90 days"] == "1"
    assert (summary["Specials"], summary["Volunteers"]) == ("1", "0")
    assert summary["Hours deployed in 12 months (specials and volunteers)"] == "6.5"
    targets = {f"{r[0]} L{r[2]}": (int(r[3]), int(r[4]), int(r[5])) for r in sections["targets"]}
    assert targets == TARGETS
    assert [(r[0], r[2], r[4]) for r in sections["single_points_of_failure"]] == SPOF
    assert len(sections["expiring"]) == 1


def test_xlsx_agrees(downloads):
    sheets = xlsx_sheets(downloads["xlsx"])
    summary = {row[0]: row[1] for row in sheets["Summary"]}
    assert summary["Compliance"] == COMPLIANCE
    assert summary["Expiring in the next 90 days"] == 1
    assert (summary["Specials"], summary["Volunteers"]) == (1, 0)
    assert summary["Hours deployed in 12 months (specials and volunteers)"] == 6.5
    targets = {f"{r[0]} L{r[2]}": (r[3], r[4], r[5]) for r in sheets["Targets"]}
    assert targets == TARGETS
    assert [(r[0], str(r[2]), r[4]) for r in sheets["Single points of failure"]] == SPOF
    assert len(sheets["Expiring in the next 90 days"]) == 1


def test_pdf_agrees(downloads):
    text = " ".join(pdf_pages(downloads["pdf"]))
    assert f"Compliance {COMPLIANCE}" in text
    for key, (minimum, headcount, shortfall) in TARGETS.items():
        assert re.search(rf"{key} {minimum} {headcount} {shortfall} met", text), key
    assert "Malware L2 PC 3001 Ed Expert (Norfolk Constabulary) target; mandatory requirement" in (
        text
    )
    assert "Expiring in the next 90 days 1 " in text
    assert "Specials 1 Volunteers 0" in text
    assert "1 special constable and 0 volunteers; 6.5 hours deployed" in text


@pytest.mark.parametrize("fmt", ["page", "html"])
def test_html_page_and_standalone_html_agree(downloads, fmt):
    # Tags become spaces, so that table cells read as words.
    text = flat(re.sub(r"<[^>]+>", " ", downloads[fmt].decode()))
    assert COMPLIANCE in text
    for key, (minimum, headcount, shortfall) in TARGETS.items():
        cap, level = key.split(" L")
        name = cap.capitalize()
        assert re.search(
            rf"{name} L{level}.{{0,40}}? {minimum} {headcount} {shortfall} met", text
        ), key
    assert "Ed Expert" in text
    assert "1 special constable and 0 volunteers; 6.5 hours deployed" in text
    if fmt == "page":
        assert "Single points of failure 1" in text
        assert "Expiring in 90 days 1 completion" in text
    else:
        assert "Single points of failure 1 " in text
        assert "Expiring in the next 90 days 1 " in text
        assert "<a " not in downloads[fmt].decode()  # standalone: no links back into the site


def test_pdf_has_cover_marking_contents_and_page_numbers_on_every_page(downloads):
    pages = pdf_pages(downloads["pdf"])

    assert len(pages) >= 3
    assert "Unit resilience report" in pages[0]
    assert "Norfolk cyber crime unit (NOR-CCU)" in pages[0]
    assert "As of 31 March 2025" in pages[0]
    assert "Contents" in pages[1]
    for number, text in enumerate(pages, start=1):
        assert CLASSIFICATION in text, number
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_draws_the_forecast_chart(downloads):
    """The chart's own title is drawn only by the chart, so finding it proves the image."""
    text = " ".join(pdf_pages(downloads["pdf"]))

    assert "Forecast headcount per target, NOR-CCU" in text


def test_long_tables_repeat_their_header_row_on_every_page(cast):
    unit = UnitFactory(
        code="LONG-CCU", name="Long unit", region=cast.eastern, forces=[cast.norfolk]
    )
    pursue = role("LONG", ("NETINV", 2), ("OSINT", 1))
    people = Person.objects.bulk_create(
        Person(
            force=cast.norfolk, staff_number=f"L{i:03d}", first_name="Long", last_name=f"P{i:03d}"
        )
        for i in range(70)
    )
    Posting.objects.bulk_create(
        Posting(person=p, unit=unit, role_profile=pursue, start=date(2024, 1, 1)) for p in people
    )
    net = activity("NETL", {"NETINV": 2})
    for p in people[::2]:
        completed(p, net, date(2024, 2, 1))

    pdf = render_report(build_unit_report(unit, as_of=D), "pdf").content
    pages = pdf_pages(pdf)

    people_pages = [t for t in pages if re.search(r"L0\d\d Long P0\d\d", t)]
    requirement_pages = [t for t in people_pages if " Role Requirement Status " in t]
    assert len(people_pages) >= 3
    # Every page showing rows of the people table starts them with the table's header row.
    assert len(requirement_pages) == len(people_pages)
    for text in requirement_pages:
        assert re.search(r"Person Role Requirement Status Held until Deadline", text)
    # Printed in pieces of PDF_PIECE_ROWS rows (140 rows: four tables), every row once.
    everything = " ".join(pages)
    for i in range(70):
        assert len(re.findall(rf"L{i:03d} Long P{i:03d}\b", everything)) == 2, i


def test_what_if_applies_to_every_download(client, cast, reported):
    client.force_login(cast.chief)
    query = f"?as_of=2025-03-31&without={reported.ed.pk}"
    report = build_unit_report(
        reported.unit, as_of=D, what_if=WhatIf(without_people=frozenset({reported.ed.pk}))
    )
    assert report.summary.targets_short == 1

    csv_download = client.get(
        reverse("skills:unit_report_download", args=[reported.unit.code, "csv"]) + query
    )
    pdf_download = client.get(
        reverse("skills:unit_report", args=[reported.unit.code]) + query + "&format=pdf"
    )

    summary = {r[0]: r[1] for r in csv_sections(csv_download.content)["summary"]}
    assert summary["Targets short"] == "1"
    assert summary["What-if (not saved)"] == (
        "These people leave the unit: Ed Expert, 3001 (Norfolk Constabulary)"
    )
    assert pdf_download["Content-Disposition"].endswith('-what-if.pdf"')
    assert "WHAT-IF, NOT SAVED" in " ".join(pdf_pages(pdf_download.content))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "json"])
def test_command_writes_the_same_report_as_the_download(tmp_path, downloads, fmt):
    from django.core.management import call_command

    out = tmp_path / f"report.{fmt}"
    call_command(
        "resilience_report", "NOR-CCU", "--as-of", "2025-03-31", "--format", fmt,
        "--output", str(out),
    )  # fmt: skip

    if fmt == "xlsx":
        assert xlsx_sheets(out.read_bytes()) == xlsx_sheets(downloads[fmt])
    elif fmt == "html":
        # pygal gives each chart drawn a random id.
        assert re.sub(UUID, b"", out.read_bytes()) == re.sub(UUID, b"", downloads[fmt])
    else:
        assert out.read_bytes() == downloads[fmt]


def test_command_writes_a_pdf_with_the_figures(tmp_path, reported):
    from django.core.management import call_command

    out = tmp_path / "report.pdf"
    call_command(
        "resilience_report", "NOR-CCU", "--as-of", "2025-03-31", "--format", "pdf",
        "--output", str(out),
    )  # fmt: skip

    assert out.read_bytes().startswith(b"%PDF")
    assert f"Compliance {COMPLIANCE}" in " ".join(pdf_pages(out.read_bytes()))

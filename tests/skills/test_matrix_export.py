"""The report's CSV and XLSX carry the unit matrix as the page shows it: people × capabilities,
the same columns in the same order, the same cell values (issue 15, point 10)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from tests.skills.test_report_formats import csv_sections, xlsx_sheets
from tests.skills.test_report_views import reported_unit


@pytest.fixture
def reported(cast):
    return reported_unit(cast)


def _download(client, unit, fmt):
    url = reverse("skills:unit_report_download", args=[unit.code, fmt])
    response = client.get(f"{url}?as_of=2025-03-31")
    assert response.status_code == 200
    return response.content


def _page_grid(client, unit):
    """The matrix as the page shows it: header texts and each row's cell texts."""
    response = client.get(reverse("skills:unit_report", args=[unit.code]), {"as_of": "2025-03-31"})
    table = response.context["matrix"]
    headers = [str(c.header) for c in table.columns]
    rows = []
    for row in table.rows:
        cells = [re.sub(r"\s+", " ", strip_tags(str(v).replace("<br>", " "))).strip() for v in row]
        rows.append(cells)
    return headers, rows


def test_csv_matrix_is_the_pages_grid(client, cast, reported):
    client.force_login(cast.chief)
    sections = csv_sections(_download(client, reported.unit, "csv"))
    headers, rows = _page_grid(client, reported.unit)

    content = _download(client, reported.unit, "csv").decode("utf-8-sig").splitlines()
    header_row = next(line for line in content if line.startswith("section,Person,Role"))
    assert header_row.split(",")[1:] == headers

    grid = sections["matrix"]
    assert [r[0] for r in grid] == [r[0] for r in rows]
    assert len(grid) == len(rows) and all(len(r) == len(headers) for r in grid)
    for exported, shown in zip(grid, rows, strict=True):
        assert [cell.replace(", ", " ") for cell in exported] == shown
    # Ed Expert holds MALWARE L2 (the single point of failure) and NETINV L2 expiring soon.
    assert headers == ["Person", "Role", "Malware", "Netinv", "Osint"]
    assert grid[1] == [
        "PC 3001 Ed Expert (Norfolk Constabulary)",
        "Triage role",
        "met L2, never expires",
        "expiring L2, held until 2025-05-20",
        "not held",
    ]


def test_xlsx_matrix_sheet_is_the_grid(client, cast, reported):
    client.force_login(cast.chief)
    sheets = xlsx_sheets(_download(client, reported.unit, "xlsx"))
    headers, rows = _page_grid(client, reported.unit)
    grid = sheets["People and capabilities"]
    assert [r[0] for r in grid] == [r[0] for r in rows]
    assert all(len(r) == len(headers) for r in grid)
    assert grid[0][2] == "missing L2, deadline 2024-01-01"

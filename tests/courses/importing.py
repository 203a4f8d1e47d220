"""Builders shared by the import tests: a small catalogue and in-memory files."""

from __future__ import annotations

import io

import openpyxl

from courses.models import Activity, ActivityKind
from tests.factories import ActivityFactory, RoleProfileFactory


def catalogue() -> dict[str, Activity]:
    acts = {
        "course": ActivityFactory(
            code="ROCU-NET-INV",
            kind=ActivityKind.COURSE,
            provider="Regional (ROCU)",
            title="Network investigation",
            validity_months=36,
        ),
        "cert": ActivityFactory(
            code="GIAC-GCFE",
            kind=ActivityKind.ACCREDITATION,
            provider="GIAC",
            title="GIAC Certified Forensic Examiner (GCFE)",
            validity_months=48,
        ),
        "lab1": ActivityFactory(
            code="LAB-NET-01",
            kind=ActivityKind.LAB,
            provider="Immersive Labs",
            title="Packet capture basics",
        ),
        "lab2": ActivityFactory(
            code="LAB-NET-02",
            kind=ActivityKind.LAB,
            provider="Immersive Labs",
            title="Reading web server logs",
        ),
    }
    collection = ActivityFactory(
        code="COLL-NETWORK",
        kind=ActivityKind.COLLECTION,
        provider="Immersive Labs",
        title="Network investigation collection",
        threshold=2,
    )
    collection.labs.set([acts["lab1"], acts["lab2"]])
    acts["collection"] = collection
    acts["role"] = RoleProfileFactory(code="CYBER-PURSUE", name="Cyber Pursue investigator")
    return acts


def csv_file(text: str, *, bom: bool = False) -> io.BytesIO:
    data = text.encode("utf-8")
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


def xlsx_file(rows: list[list]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out

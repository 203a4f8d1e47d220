"""HTML and ``<img src=…>`` in every free-text field that reaches a page, a PDF, a CSV or XLSX
download, or an email: shown as text everywhere, never as markup, and nothing is fetched from
the network while rendering (xhtml2pdf would fetch an ``<img src>`` it was given as markup)."""

from __future__ import annotations

import csv
import io
import socket
from datetime import date

import openpyxl
import pypdf
import pytest
from django.core import mail
from django.urls import reverse

from courses.models import Source, Status
from people.directory import services as directory
from people.models import Deployment
from people.models.directory import DirectoryRequest
from skills.actions import services as actions
from tests.factories import ActivityFactory, completed
from tests.hostile.corpus import HOSTILE_TEXT, MARKUP
from tests.skills.conftest import expectation, role

# Short enough for a name field (80 characters), hostile enough to matter.
NAME = '<img src="https://attacker.example/p.png">'
FORMULA_NAME = '=HYPERLINK("https://attacker.example")'


@pytest.fixture
def hostile(cast):
    """Hostile text in every free-text field of the Norfolk colleague's records."""
    colleague = cast.colleague
    colleague.first_name, colleague.last_name = FORMULA_NAME, NAME
    colleague.skills_biography = HOSTILE_TEXT
    colleague.save()
    # A requirement citing a hostile paraphrase, so the report and pack print both.
    afi = expectation("HMICFRS-2019-CYBER AFI 1", HOSTILE_TEXT)
    profile = role("HOSTILE-ROLE", ("NETINV", 1, {"expectations": ["HMICFRS-2019-CYBER AFI 1"]}))
    colleague.postings.update(role_profile=profile)
    directory.give_consent(person=colleague, by=cast.coordinator)
    course = ActivityFactory(code="HOSTILE-COURSE", title="Course <b>bold</b>")
    completion = completed(
        colleague, course, date(2025, 1, 10), status=Status.REJECTED,
        source=Source.SUBMITTED, certificate_number=HOSTILE_TEXT[:60],
        status_reason=HOSTILE_TEXT,
    )  # fmt: skip
    deployment = Deployment.objects.create(
        person=colleague, unit=cast.norfolk_unit, deployed_on=date(2025, 1, 4), hours=3,
        task=HOSTILE_TEXT[:240], recorded_by=cast.coordinator,
    )  # fmt: skip
    plan = actions.create_plan(
        force=cast.norfolk, expectation=afi,
        owner=cast.chief, by=cast.chief,
    )  # fmt: skip
    action = actions.add_action(
        plan=plan, reference="1", title=HOSTILE_TEXT[:300], due_on=date(2025, 3, 31),
        by=cast.chief,
    )  # fmt: skip
    req = DirectoryRequest.objects.create(
        person=colleague, requested_by=cast.outsider, message=HOSTILE_TEXT,
        decision_note="",
    )  # fmt: skip
    return {
        "completion": completion,
        "deployment": deployment,
        "plan": plan,
        "action": action,
        "request": req,
    }


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts
    assert attempts == []


PAGES = [
    ("people:person_detail", lambda c, h: {"pk": c.colleague.pk}, "coordinator"),
    ("people:person_list", lambda c, h: {}, "coordinator"),
    ("people:unit_detail", lambda c, h: {"code": "NOR-CCU"}, "coordinator"),
    ("skills:unit_report", lambda c, h: {"code": "NOR-CCU"}, "coordinator"),
    ("courses:completion_detail", lambda c, h: {"pk": h["completion"].pk}, "coordinator"),
    ("deployments:detail", lambda c, h: {"pk": h["deployment"].pk}, "coordinator"),
    ("deployments:list", lambda c, h: {}, "coordinator"),
    ("actions:plan_detail", lambda c, h: {"pk": h["plan"].pk}, "chief_officer"),
    ("actions:action_detail", lambda c, h: {"pk": h["action"].pk}, "chief_officer"),
    ("actions:force", lambda c, h: {"code": "norfolk"}, "chief_officer"),
    ("directory:entry", lambda c, h: {"pk": c.colleague.pk}, "outsider"),
    ("directory:search", lambda c, h: {}, "outsider"),
    ("directory:request_detail", lambda c, h: {"pk": h["request"].pk}, "coordinator"),
    ("directory:requests", lambda c, h: {}, "coordinator"),
    ("me:person_statement", lambda c, h: {"pk": c.colleague.pk}, "coordinator"),
]


@pytest.mark.parametrize(("name", "kwargs", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_shows_hostile_text_as_text(client, cast, hostile, name, kwargs, who):
    client.force_login(cast.users()[who])
    response = client.get(reverse(name, kwargs=kwargs(cast, hostile)))
    assert response.status_code == 200
    content = response.content.decode()
    for markup in MARKUP:
        assert markup not in content, (name, markup)
    assert "&lt;img src=" in content or "&lt;script&gt;" in content, name


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    ("name", "kwargs", "query", "who"),
    [
        ("skills:unit_report_download", {"code": "NOR-CCU", "fmt": "pdf"}, {}, "coordinator"),
        ("evaluation:force_pack", {"force": "norfolk"}, {}, "chief_officer"),
        ("me:person_statement", None, {"format": "pdf"}, "coordinator"),
    ],
)
def test_pdfs_print_hostile_text_and_fetch_nothing(
    client, cast, hostile, no_network, name, kwargs, query, who
):
    client.force_login(cast.users()[who])
    kwargs = {"pk": cast.colleague.pk} if kwargs is None else kwargs
    response = client.get(reverse(name, kwargs=kwargs), query)
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "attacker.example" in text.replace("\n", "")  # printed, not fetched


def test_report_csv_and_xlsx_hold_hostile_text_as_inert_text(client, cast, hostile):
    client.force_login(cast.coordinator)
    url = reverse("skills:unit_report_download", kwargs={"code": "NOR-CCU", "fmt": "csv"})
    cells = [c for row in csv.reader(io.StringIO(client.get(url).content.decode())) for c in row]
    hostile_cells = [c for c in cells if "attacker.example" in c]
    assert hostile_cells
    assert all(not c.startswith(("=", "+", "-", "@")) for c in hostile_cells)
    url = reverse("skills:unit_report_download", kwargs={"code": "NOR-CCU", "fmt": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    values = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    hostile_values = [v for v in values if isinstance(v, str) and "attacker.example" in v]
    assert hostile_values
    assert all(not v.startswith("=") for v in hostile_values)


def test_emails_carry_hostile_text_as_plain_text(cast, hostile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        directory.decide_request(
            request_id=hostile["request"].pk, by=cast.coordinator, accept=False,
            note=HOSTILE_TEXT,
        )  # fmt: skip
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert not getattr(message, "alternatives", [])  # plain text only: nothing renders
        assert HOSTILE_TEXT in message.body
